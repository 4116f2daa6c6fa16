"""Fixtures of the decision core's tests."""

from types import SimpleNamespace

import pytest

from tests.factories import (
    make_building,
    make_committee,
    make_compound,
    make_household,
    make_organizer,
    make_pending_request,
    make_resident,
)


@pytest.fixture
def place():
    """One committee: compound A (buildings A1, A2) and compound B (building B1), and a stranger.

    A1: h1 (80 m², representative r1, member m1, a pending request), h2 (60 m², representative r2)
    A2: h3 (70 m², member m3, no representative)
    B1: h4 (100 m², representative r4)
    """
    committee = make_committee()
    compound_a, compound_b = make_compound(committee), make_compound(committee)
    a1, a2, b1 = make_building(compound_a), make_building(compound_a), make_building(compound_b)
    h1 = make_household(a1, floor_area="80.00")
    h2 = make_household(a1, floor_area="60.00")
    h3 = make_household(a2, floor_area="70.00")
    h4 = make_household(b1, floor_area="100.00")
    r1, m1 = make_resident(h1, representative=True), make_resident(h1)
    make_pending_request(h1)
    r2, m3 = make_resident(h2, representative=True), make_resident(h3)
    r4 = make_resident(h4, representative=True)
    stranger = make_resident(make_household(), representative=True)
    return SimpleNamespace(committee=committee, organizer=make_organizer(committee), compound_a=compound_a,
                           a1=a1, a2=a2, b1=b1, h1=h1, h2=h2, h3=h3, h4=h4, r1=r1, m1=m1, r2=r2, m3=m3,
                           r4=r4, stranger=stranger)
