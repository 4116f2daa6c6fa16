"""Heads that leave the database: the printed results notice and the messages at open, close and publication."""

import io
import itertools
import json
import re

import pytest
import zxingcpp
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from decisions import ledger, notice, services
from decisions.models import Anchor, Ballot, LedgerEntry
from tests.conftest import CARD_CODES
from tests.decisions.factories import choices, close_count_publish, make_building_of_households, open_box
from tests.factories import make_organizer, make_resident, make_street, make_street_officer, make_user

pytestmark = pytest.mark.django_db
_phones = itertools.count(13800001001)


def _phone() -> str:
    return f"+86{next(_phones)}"


def _scene(*, secrecy=Ballot.Secrecy.SECRET, n=4):
    """A ballot to one building, two scrutineers with phones, two officers of the street (one with
    e-mail), an officer of another street, and voters with phones; the ballot is a draft."""
    building, reps = make_building_of_households(n)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    for rep in reps:
        rep.phone = _phone()
        rep.save(update_fields=["phone"])
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯", secrecy=secrecy,
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    household = reps[0].memberships.first().household
    scrutineers = [make_organizer(committee, make_user(name="Scrutineer A", phone=_phone())),
                   make_resident(household, name="Scrutineer B", phone=_phone())]
    if secrecy == Ballot.Secrecy.SECRET:
        services.scrutineers_set(ballot=ballot, by=organizer, users=scrutineers, threshold=2)
        for user in scrutineers:
            services.scrutineer_take_card(ballot=ballot, user=user)
    officers = [make_street_officer(committee.street, make_user(name="Officer", phone=_phone())),
                make_street_officer(committee.street, make_user(name="Officer 2", phone=_phone(),
                                                                email="office@street.example.org"))]
    elsewhere = make_street_officer(make_street(), make_user(name="Other street", phone=_phone()))
    return {"ballot": ballot, "organizer": organizer, "voters": reps, "scrutineers": scrutineers,
            "officers": officers, "elsewhere": elsewhere}


def _heads_sms(outbox) -> list[dict]:
    """The heads messages only: voters with a phone are also told by SMS that voting opened."""
    return [m for m in outbox if m["template"].startswith("heads")]


def _sms_to(outbox, user) -> list[str]:
    return [m["message"] for m in _heads_sms(outbox) if m["phone"] == user.phone]


def _prefixes(heads: dict) -> list[str]:
    return [f"{chain}#{head['seq']} {head['hash'][:16]}" for chain, head in sorted(heads.items())]


# --- Messages -----------------------------------------------------------------------------------

def test_opening_closing_and_publishing_send_the_heads_to_each_scrutineer_and_street_officer(
        sms_outbox, django_capture_on_commit_callbacks):
    s = _scene()
    ballot, organizer, voters = s["ballot"], s["organizer"], s["voters"]
    told = s["scrutineers"] + s["officers"]

    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_open(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    for user in told:
        (message,) = _sms_to(sms_outbox, user)
        assert f"{ballot.pk}" in message and "加装电梯" in message
        for prefix in _prefixes(ballot.heads_at_open):
            assert prefix in message
    receipts = [services.vote_cast(ballot=ballot, voter=v, choices=choices(ballot, "yes")).receipt
                for v in voters[1:3]]
    sms_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=organizer)
    ballot.refresh_from_db()
    assert len(ballot.heads_at_close) == 2
    for user in told:
        (message,) = _sms_to(sms_outbox, user)
        for prefix in _prefixes(ballot.heads_at_close):
            assert prefix in message
        assert len(message) <= 140  # two SMS at most, whatever the title
        assert not any(head["hash"] in message for head in ballot.heads_at_close.values())  # prefixes only
    sms_outbox.clear()

    open_box(ballot)
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_publish(ballot=ballot, by=organizer)
    chain = ledger.ballot_chain(ballot.pk)
    published = ledger.head(chain)
    for user in told:
        (message,) = _sms_to(sms_outbox, user)
        assert f"{chain}#{published['seq']} {published['hash'][:16]}" in message

    # Nobody else: not a voter who is neither, not an officer of another street.
    phones = {m["phone"] for m in _heads_sms(sms_outbox)}
    assert phones == {u.phone for u in told}
    assert voters[1].phone not in phones and s["elsewhere"].phone not in phones
    # Nothing secret: no receipt, no card code.
    everything = " ".join(m["message"] for m in sms_outbox) + " ".join(m.body for m in mail.outbox)
    assert not any(code in everything for code in receipts + list(CARD_CODES.values()))


def test_the_e_mail_carries_each_head_whole_ready_for_verify_audit(django_capture_on_commit_callbacks):
    s = _scene()
    ballot = s["ballot"]
    services.ballot_open(ballot=ballot, by=s["organizer"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=s["organizer"])
    ballot.refresh_from_db()
    (message,) = [m for m in mail.outbox if m.to == ["office@street.example.org"]]
    for chain, head in ballot.heads_at_close.items():
        assert f"--expect-head {chain}:{head['seq']}:{head['hash']}" in message.body
    assert "加装电梯" in message.body and str(ballot.pk) in message.subject
    # The command in the message checks the record against the heads it carries.
    command = re.search(r"verify_audit (--ballot \d+(?: --expect-head \S+)+)", message.body).group(1).split()
    call_command("verify_audit", *command, stdout=io.StringIO())
    lifecycle = command.index("--expect-head") + 1  # sorted: the lifecycle chain's head comes first
    forged = list(command)
    forged[lifecycle] = forged[lifecycle][:-1] + ("1" if forged[lifecycle][-1] != "1" else "2")
    with pytest.raises(CommandError):
        call_command("verify_audit", *forged, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_named_ballot_has_no_scrutineers_and_tells_the_street_office(
        sms_outbox, django_capture_on_commit_callbacks):
    s = _scene(secrecy=Ballot.Secrecy.NAMED)
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_open(ballot=s["ballot"], by=s["organizer"])
    assert {m["phone"] for m in _heads_sms(sms_outbox)} == {u.phone for u in s["officers"]}


def test_an_officer_who_may_not_see_the_ballot_gets_its_heads_without_its_title(
        sms_outbox, django_capture_on_commit_callbacks):
    from deliberation.services import floor as floor_services

    building, _reps = make_building_of_households(3)
    committee = building.compound.committee
    officer = make_street_officer(committee.street, make_user(phone=_phone()))
    with django_capture_on_commit_callbacks(execute=True):
        consultation = floor_services.consultation_open(building=building, by=make_organizer(committee),
                                                        title="楼道堆物清理", matter="repair_costs")
    (message,) = _sms_to(sms_outbox, officer)
    assert f"{consultation.ballot_id}" in message and "楼道堆物清理" not in message
    assert _prefixes(Ballot.objects.get(pk=consultation.ballot_id).heads_at_open)[0] in message


def test_a_failing_sms_gateway_never_undoes_the_close_and_the_others_are_still_told(
        monkeypatch, sms_outbox, django_capture_on_commit_callbacks):
    from members.messaging.backends import LocmemBackend
    from members.messaging.models import SmsMessage

    s = _scene()
    ballot = s["ballot"]
    services.ballot_open(ballot=ballot, by=s["organizer"])
    first = s["scrutineers"][0]
    real = LocmemBackend.send

    def flaky(self, *, phone, **kwargs):
        if phone == first.phone:
            raise RuntimeError("gateway down")
        return real(self, phone=phone, **kwargs)

    monkeypatch.setattr(LocmemBackend, "send", flaky)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ballot_close(ballot=ballot, by=s["organizer"])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED
    assert not _sms_to(sms_outbox, first)
    assert _sms_to(sms_outbox, s["scrutineers"][1]) and _sms_to(sms_outbox, s["officers"][0])
    assert any(m.to == ["office@street.example.org"] for m in mail.outbox)
    # The failed one waits in the outbox for the scheduled job's next try.
    waiting = SmsMessage.objects.get(user=first, dedupe_key__startswith=f"heads:{ballot.pk}:closed:")
    assert waiting.status == SmsMessage.Status.QUEUED and waiting.reason == "RuntimeError"


def test_a_rolled_back_close_sends_nothing(sms_outbox, django_capture_on_commit_callbacks):
    s = _scene()
    services.ballot_open(ballot=s["ballot"], by=s["organizer"])
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        services.ballot_close(ballot=s["ballot"], by=s["organizer"])
        raise RuntimeError("rolled back")
    assert not callbacks and not sms_outbox


# --- The results notice ---------------------------------------------------------------------------

def _decode_svg_qr(svg: str) -> str:
    """Draw the squares of qrcode's SvgPathImage (``M x,y H x2 V y2 H x z`` per module) and decode."""
    scale = 10
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1)) * scale
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for x, y, x2, y2 in re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H[\d.]+z", svg):
        x, y, x2, y2 = (float(v) * scale for v in (x, y, x2, y2))
        draw.rectangle([x, y, x2 - 1, y2 - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found"
    return results[0].text


def _published(n=4, secrecy=Ballot.Secrecy.SECRET):
    s = _scene(secrecy=secrecy, n=n)
    ballot = s["ballot"]
    services.ballot_open(ballot=ballot, by=s["organizer"])
    ballot.refresh_from_db()
    for voter in s["voters"][:3]:
        services.vote_cast(ballot=ballot, voter=voter, choices=choices(ballot, "yes"))
    close_count_publish(ballot, s["organizer"])
    return s


def _notice(client, user, ballot):
    client.force_login(user)
    return client.get(reverse("decisions:ballot_notice", args=[ballot.pk]))


def test_the_notice_prints_the_heads_at_open_and_close_as_stored_and_a_qr_code_of_the_ballot_page(
        client, settings):
    settings.SITE_URL = "https://sanhui.example.org"
    s = _published()
    ballot = s["ballot"]
    page = _notice(client, s["organizer"], ballot)
    assert page.status_code == 200
    html = page.content.decode()
    for heads in (ballot.heads_at_open, ballot.heads_at_close):
        for chain, head in heads.items():
            assert f'data-chain="{chain}" data-seq="{head["seq"]}" data-hash="{head["hash"]}"' in html
            groups = notice.grouped(head["hash"])
            if head["seq"]:  # an empty chain (seq 0) is printed as such
                assert " ".join(groups[:8]) in html and " ".join(groups[8:]) in html
    register = ledger.ballot_chain(ballot.pk, "register")
    assert ballot.heads_at_open[register]["seq"] == 0 and ballot.heads_at_close[register]["seq"] == 3
    published = LedgerEntry.objects.filter(chain=ledger.ballot_chain(ballot.pk)).order_by("-seq").first()
    assert f'data-hash="{published.hash}"' in html
    # The sealed box: the papers that count and the hash of their list, from the "closed" event.
    closed = LedgerEntry.objects.get(chain=published.chain, seq=ballot.heads_at_close[published.chain]["seq"])
    box = json.loads(closed.payload)["box"]
    assert box["papers"] == 3 and f'data-box-list="{box["list"]}"' in html
    assert page.context["results"]["payload"]["turnout"]["voices"] == 3 and 'data-testid="counts"' in html
    svg = re.search(r'data-testid="notice-qr">(<svg.*?</svg>)', html, re.S).group(1)
    assert _decode_svg_qr(svg) == f"https://sanhui.example.org/ballots/{ballot.pk}/"


def test_the_notice_shows_each_steps_time_stamp(client, settings, django_capture_on_commit_callbacks):
    settings.TSA_URL = "http://tsa.invalid/"  # asked after each commit; not run here, so pending
    s = _scene()
    ballot = s["ballot"]
    services.ballot_open(ballot=ballot, by=s["organizer"])
    services.ballot_close(ballot=ballot, by=s["organizer"])
    stamped = timezone.now()
    Anchor.objects.filter(ballot=ballot, event="opened").update(token=b"\x30\x00", gen_time=stamped)
    page = _notice(client, s["organizer"], ballot)
    steps = {step["event"]: step for step in page.context["steps"]}
    assert steps["opened"]["anchor"].gen_time == stamped and steps["closed"]["anchor"].gen_time is None
    html = page.content.decode()
    assert timezone.localtime(stamped).strftime("%Y-%m-%d %H:%M:%S") in html


def test_the_notice_is_for_the_organizers_from_opening_and_for_every_viewer_once_published(client):
    s = _scene()
    ballot, organizer, voter = s["ballot"], s["organizer"], s["voters"][1]
    other = make_organizer(make_building_of_households(1)[0].compound.committee)
    assert _notice(client, organizer, ballot).status_code == 404  # a draft has no heads yet
    services.ballot_open(ballot=ballot, by=organizer)
    assert _notice(client, organizer, ballot).status_code == 200
    assert _notice(client, voter, ballot).status_code == 404
    assert _notice(client, other, ballot).status_code == 404
    for user in voter, s["voters"][2]:
        services.vote_cast(ballot=ballot, voter=user, choices=choices(ballot, "no"))
    close_count_publish(ballot, organizer)
    assert _notice(client, voter, ballot).status_code == 200
    assert _notice(client, s["officers"][0], ballot).status_code == 200
    assert _notice(client, other, ballot).status_code == 404
    assert _notice(client, s["elsewhere"], ballot).status_code == 404
    client.logout()
    assert client.get(reverse("decisions:ballot_notice", args=[ballot.pk])).status_code == 302


def test_a_ballot_cancelled_as_a_draft_has_no_notice_and_one_cancelled_while_open_prints_its_heads(client):
    s = _scene(secrecy=Ballot.Secrecy.NAMED)
    services.ballot_cancel(ballot=s["ballot"], by=s["organizer"], reason="重复")
    assert _notice(client, s["organizer"], s["ballot"]).status_code == 404
    manage = client.get(reverse("decisions:ballot_manage", args=[s["ballot"].pk])).content.decode()
    assert reverse("decisions:ballot_notice", args=[s["ballot"].pk]) not in manage
    s = _scene(secrecy=Ballot.Secrecy.NAMED)
    ballot = services.ballot_open(ballot=s["ballot"], by=s["organizer"])
    services.ballot_cancel(ballot=ballot, by=s["organizer"], reason="重复")
    page = _notice(client, s["organizer"], ballot)
    cancelled = ledger.head(ledger.ballot_chain(ballot.pk))
    assert [step["event"] for step in page.context["steps"]] == ["opened", "cancelled"]
    assert f'data-seq="{cancelled["seq"]}" data-hash="{cancelled["hash"]}"' in page.content.decode()


def test_the_manage_and_results_pages_link_to_the_notice(client):
    s = _published()
    url = reverse("decisions:ballot_notice", args=[s["ballot"].pk])
    client.force_login(s["organizer"])
    assert url in client.get(reverse("decisions:ballot_manage", args=[s["ballot"].pk])).content.decode()
    client.force_login(s["voters"][0])
    assert url in client.get(reverse("decisions:ballot_results", args=[s["ballot"].pk])).content.decode()


def test_an_evaluations_notice_prints_heads_and_no_counts(client):
    from tests.evaluations.factories import fill, make_open_campaign, make_world, publish

    world = make_world(committees=1, reps=5)
    committee = world.committees[0]
    campaign = make_open_campaign(world)
    for rep in world.reps[committee.pk]:
        fill(campaign, rep, level=1)
    campaign = publish(campaign, world.officer)
    ballot = Ballot.objects.get(pk=campaign.ballot_id)
    for user in world.organizers[committee.pk], world.officer:
        page = _notice(client, user, ballot)
        assert page.status_code == 200
        html = page.content.decode()
        assert page.context.get("results") is None and page.context.get("facts") is None
        assert 'data-testid="counts"' not in html and 'data-testid="turnout"' not in html
        assert 'data-testid="counts-elsewhere"' in html
        for head in ballot.heads_at_close.values():
            assert f'data-hash="{head["hash"]}"' in html


# --- Query count ------------------------------------------------------------------------------------

def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("secrecy", [Ballot.Secrecy.SECRET, Ballot.Secrecy.NAMED])
def test_the_notice_runs_the_same_queries_with_few_and_many_voters_and_options(
        client, secrecy, django_assert_max_num_queries):
    building, reps = make_building_of_households(60)
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballots = []
    for n, extra_options in ((4, 2), (60, 12)):
        ballot = services.ballot_create(committee=committee, by=organizer, title=f"B{n}", secrecy=secrecy,
                                        electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
        services.question_add(ballot=ballot, by=organizer, text="哪种方案", kind="single",
                              options=[services.OptionSpec(f"方案{i}") for i in range(extra_options)])
        services.ballot_open(ballot=ballot, by=organizer)
        ballot.refresh_from_db()
        yes = choices(ballot, "yes")
        second = ballot.questions.order_by("position")[1].options.order_by("position")
        for i, voter in enumerate(reps[:n]):
            services.vote_cast(ballot=ballot, voter=voter,
                               choices={**yes, second[0].question_id: [second[i % len(second)].pk]})
        close_count_publish(ballot, organizer)
        ballots.append(ballot)
    client.force_login(reps[0])
    few, many = (_count(client, reverse("decisions:ballot_notice", args=[b.pk])) for b in ballots)
    assert few == many
    with django_assert_max_num_queries(14):
        response = client.get(reverse("decisions:ballot_notice", args=[ballots[1].pk]))
    assert response.context["results"]["payload"]["turnout"]["voices"] == 60
