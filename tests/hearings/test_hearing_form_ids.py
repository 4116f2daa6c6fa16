"""An area id no database can hold is a form error, not a 500 (found by tests/security/test_fuzz.py)."""

import pytest

from hearings.forms import HearingForm
from tests.hearings.hearing_factories import make_area

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["buildings", "compounds"])
def test_a_huge_area_id_is_an_invalid_choice(field):
    area = make_area(1)
    form = HearingForm({field: "9" * 40, "scope": "buildings"}, committee=area["committee"])
    assert not form.is_valid()
    assert field in form.errors
