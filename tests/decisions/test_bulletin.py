"""The bulletin of a published ballot (decisions.bulletin, docs/BULLETIN.md) and its download."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions import ledger
from decisions.bulletin import NotPublished, bulletin_for, has_bulletin
from decisions.models import Ballot, Participation
from tests.decisions.factories import make_open_ballot
from tests.factories import make_resident
from tests.verifier.world import CONSENT, published

pytestmark = pytest.mark.django_db


def test_an_open_ballot_has_no_bulletin():
    ballot, _organizer, _reps = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    assert not has_bulletin(ballot)
    with pytest.raises(NotPublished):
        bulletin_for(ballot)


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_the_bulletin_carries_the_lifecycle_in_full_and_the_register_by_its_links(secrecy):
    ballot, _reps = published(secrecy)
    bulletin = bulletin_for(ballot)
    assert bulletin["format"] == "sanhui-bulletin" and bulletin["version"] == 1
    lifecycle = bulletin["chains"][ledger.ballot_chain(ballot.pk)]
    register = bulletin["chains"][ledger.ballot_chain(ballot.pk, "register")]
    assert [json.loads(e["payload"])["event"] for e in lifecycle["entries"]][0] == "opened"
    assert all("payload" not in e and e["withheld"] for e in register["entries"])
    assert register["head"] == ballot.heads_at_close[ledger.ballot_chain(ballot.pk, "register")]
    assert len(register["entries"]) == Participation.objects.filter(ballot=ballot).count() == 5
    assert bulletin["electorate"]["snapshot_hash"] == ballot.snapshot_hash
    assert bulletin["receipts"] == sorted(e["public"]["receipt"] for e in register["entries"]
                                          if e["public"]["counted"])
    assert bulletin["result"] == ballot.result
    assert bulletin["verdict"]["inputs"]["electorate_area"] == "400.00"


def test_a_sealed_ballot_publishes_its_paper_hashes_and_no_choice():
    ballot, _reps = published(Ballot.Secrecy.SECRET)
    bulletin = bulletin_for(ballot)
    register = bulletin["chains"][ledger.ballot_chain(ballot.pk, "register")]["entries"]
    assert len(bulletin["papers"]) == 4  # three online and assisted papers that count, one paper sheet
    assert all("choices" not in e["public"] and "area" not in e["public"] for e in register)
    assert {e["public"]["paper"] for e in register if e["public"]["counted"] and "paper" in e["public"]} \
        < set(bulletin["papers"])


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_the_bulletin_names_no_voter_and_holds_no_phone_number_or_consent_note(secrecy):
    ballot, reps = published(secrecy)
    text = json.dumps(bulletin_for(ballot), ensure_ascii=False)
    assert CONSENT not in text
    for rep in reps:
        assert rep.full_name not in text
        assert rep.phone[-8:] not in text
    register = bulletin_for(ballot)["chains"][ledger.ballot_chain(ballot.pk, "register")]["entries"]
    assert all(set(e["public"]) <= {"receipt", "version", "channel", "counted", "paper", "choices", "area"}
               for e in register)


def test_the_results_page_offers_the_bulletin_and_the_download_is_the_bulletin(client):
    ballot, reps = published(Ballot.Secrecy.NAMED, rule=Ballot.Rule.SIMPLE_MAJORITY)
    client.force_login(reps[4])
    page = client.get(reverse("decisions:ballot_results", args=[ballot.pk]))
    url = reverse("decisions:ballot_bulletin", args=[ballot.pk])
    assert url in page.content.decode()
    assert "下载公告数据 (JSON)" in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="ballot-{ballot.pk}-bulletin.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == json.loads(json.dumps(bulletin_for(ballot)))


def test_no_bulletin_is_served_before_publication_nor_to_another_committee(client):
    ballot, _organizer, reps = make_open_ballot(secrecy=Ballot.Secrecy.NAMED)
    client.force_login(reps[0])
    assert client.get(reverse("decisions:ballot_bulletin", args=[ballot.pk])).status_code == 404
    published_ballot, _reps = published(Ballot.Secrecy.NAMED)
    client.force_login(make_resident())
    assert client.get(reverse("decisions:ballot_bulletin", args=[published_ballot.pk])).status_code == 404


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_the_bulletin_download_reads_the_same_number_of_queries_for_5_or_65_voters(client, secrecy):
    counts = []
    for extra in (0, 60):
        ballot, reps = published(secrecy, extra_voters=extra)
        client.force_login(reps[0])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("decisions:ballot_bulletin", args=[ballot.pk]))
        assert response.status_code == 200
        assert len(json.loads(response.content)["receipts"]) == 4 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 20
