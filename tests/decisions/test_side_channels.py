"""A secret vote's pages have one size whatever was chosen, are never compressed, and log no choice.

Whoever sees the traffic (its sizes survive TLS) or an access log learns the size of every response.
So each step of a cast — the confirmation page, the ballot page showing the choices again ("change
my choices", a refused form), the redirect after confirming, the receipt — must have the same
size, for a given ballot and voter, whatever was chosen. The ballot below has options of very
different lengths (and one that HTML escaping lengthens) and a multiple-choice question, so that
the number of options ticked differs too.
"""

import logging
import re
from itertools import combinations
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from decisions import services
from decisions.models import Ballot, Participation, Question
from decisions.services import OptionSpec
from tests.decisions.factories import make_building_of_households
from tests.factories import make_organizer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LONG = "反对现在的方案，并要求设计单位重新出具加装电梯的全部图纸，经全体业主再次讨论后再表决"
SHORT_MARK = "甲"
ESCAPED = 'A&B <"ok">'  # a label that HTML escaping makes longer than it is


def url(name: str, *args) -> str:
    return reverse(f"decisions:{name}", args=args)


@pytest.fixture
def ballot_and_voters(settings):
    """An open secret ballot with three questions of unequal option labels; six voters with names of one length."""
    settings.VOTE_THROTTLE = "1000/60"  # one voter tries every way of filling the ballot in
    building, voters = make_building_of_households(6)
    for i, voter in enumerate(voters):  # the page greets the voter: names of one length
        voter.full_name = f"Voter {i}"
        voter.save(update_fields=["full_name"])
    committee = building.compound.committee
    organizer = make_organizer(committee)
    ballot = services.ballot_create(committee=committee, by=organizer, title="加装电梯",
                                    electorate=Ballot.Electorate.HOUSEHOLDS, building=building)
    services.question_add(ballot=ballot, by=organizer, text="选哪个方案",
                          options=[OptionSpec(SHORT_MARK), OptionSpec(LONG), OptionSpec(ESCAPED)])
    services.question_add(ballot=ballot, by=organizer, text="哪些时间可以施工（最多两项）",
                          kind=Question.Kind.MULTIPLE, max_choices=2,
                          options=[OptionSpec("周末"), OptionSpec("工作日上午八点到十一点半之间"), OptionSpec("夜")])
    ballot = services.ballot_open(ballot=ballot, by=organizer)
    return ballot, voters


def tickets(ballot) -> list[dict[str, list[int]]]:
    """Every valid way of filling in the ballot: one option for each single question, one or two for the other."""
    ways = [{}]
    for question in ballot.questions.order_by("position").prefetch_related("options"):
        ids = [o.pk for o in question.options.order_by("position")]
        picks = ([[i] for i in ids] if question.kind != Question.Kind.MULTIPLE
                 else [list(c) for n in range(1, question.max_choices + 1) for c in combinations(ids, n)])
        ways = [{**way, f"q{question.pk}": pick} for way in ways for pick in picks]
    return ways


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sizes(responses) -> set[int]:
    return {len(r.content) for r in responses}


def hidden_fields(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page)


def test_the_confirmation_page_has_one_size_whatever_was_chosen(ballot_and_voters):
    ballot, voters = ballot_and_voters
    client = client_for(voters[0])
    ways = tickets(ballot)
    assert len(ways) == 3 * 3 * 6
    pages = [client.post(url("ballot_vote", ballot.pk), way) for way in ways]
    assert {p.status_code for p in pages} == {200}
    assert {p.templates[0].name for p in pages} == {"decisions/vote_confirm.html"}
    assert len(sizes(pages)) == 1
    # What the confirmation page posts on (its hidden fields) has one size too, and carries the choice.
    bodies = {len(urlencode(hidden_fields(p.text) + [("action", "confirm")])) for p in pages}
    assert len(bodies) == 1
    for way, page in zip(ways, pages, strict=True):
        carried = {}
        for name, value in hidden_fields(page.text):
            if name.startswith("q"):
                carried.setdefault(name, []).append(int(value))
        assert carried == {name: sorted(ids) for name, ids in way.items()}
    assert not Participation.objects.exists()


def test_the_confirmation_page_still_shows_only_what_was_chosen(ballot_and_voters):
    ballot, voters = ballot_and_voters
    client = client_for(voters[0])
    way = tickets(ballot)[-1]
    page = client.post(url("ballot_vote", ballot.pk), way).text
    shown = re.findall(r'<dd class="chosen">(.*?)</dd>', page)
    labels = {o.pk: o.label for q in ballot.questions.all() for o in q.options.all()}
    assert shown == ["、".join(escape(labels[pk]) for pk in ids) for ids in way.values()]


def test_the_ballot_page_showing_the_choices_again_has_one_size_whatever_they_are(ballot_and_voters):
    ballot, voters = ballot_and_voters
    client = client_for(voters[0])
    pages = [client.post(url("ballot_vote", ballot.pk), {**way, "action": "change", "after": "0"})
             for way in tickets(ballot)]
    assert {p.templates[0].name for p in pages} == {"decisions/ballot_detail.html"}
    assert len(sizes(pages)) == 1


def test_a_refused_form_has_one_size_whatever_else_was_chosen_and_whatever_was_sent(ballot_and_voters):
    """An invalid answer to one question: the same page whatever the other answers and the bad value."""
    ballot, voters = ballot_and_voters
    client = client_for(voters[0])
    first, second, third = ballot.questions.order_by("position")
    foreign = first.options.first().pk  # an option of another question
    pages = []
    for way in tickets(ballot)[::5]:
        for bad in ("999999999", "1", str(foreign), "x" * 40):
            pages.append(client.post(url("ballot_vote", ballot.pk), {**way, f"q{second.pk}": bad}))
    assert {p.status_code for p in pages} == {200}
    assert {p.templates[0].name for p in pages} == {"decisions/ballot_detail.html"}
    assert len(sizes(pages)) == 1
    # Too many options ticked: one page whatever the other answers.
    every = [o.pk for o in third.options.all()]
    pages = [client.post(url("ballot_vote", ballot.pk), {**way, f"q{third.pk}": every}) for way in tickets(ballot)]
    assert len(sizes(pages)) == 1


def test_the_redirect_and_the_receipt_have_one_size_whatever_was_chosen(ballot_and_voters):
    """Six voters in the same state cast six different ballots; then each changes to another one."""
    ballot, voters = ballot_and_voters
    ways = tickets(ballot)
    for version, pick in ((0, lambda i: ways[i * 9]), (1, lambda i: ways[-1 - i * 7])):
        redirects, receipts = [], []
        for i, voter in enumerate(voters):
            client = client_for(voter)
            confirmed = client.post(url("ballot_vote", ballot.pk),
                                    {**pick(i), "action": "confirm", "after": str(version)})
            assert confirmed.status_code == 302
            redirects.append(confirmed)
            receipts.append(client.get(confirmed["Location"]))
        assert len(sizes(redirects)) == 1 and len({len(r["Location"]) for r in redirects}) == 1
        assert {r.status_code for r in receipts} == {200}
        assert len(sizes(receipts)) == 1
    assert Participation.objects.filter(ballot=ballot).count() == 12


def test_no_cast_page_is_compressed_by_the_application_or_the_example_proxy(ballot_and_voters):
    ballot, voters = ballot_and_voters
    assert not any("gzip" in m.lower() for m in settings.MIDDLEWARE)
    client = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    client.force_login(voters[0])
    way = tickets(ballot)[0]
    for response in (client.post(url("ballot_vote", ballot.pk), way),
                     client.post(url("ballot_vote", ballot.pk), {**way, "action": "change"})):
        assert "Content-Encoding" not in response
    # The example nginx front: compression off for everything it proxies (Debian's nginx.conf turns it on).
    conf = (ROOT / "deploy" / "nginx" / "sanhui.conf").read_text()
    proxied = conf[conf.index("location / {"):]
    assert re.search(r"^\s*gzip off;", proxied[:proxied.index("}")], re.MULTILINE)


def test_no_log_record_of_a_cast_mentions_what_was_chosen(ballot_and_voters, caplog):
    ballot, voters = ballot_and_voters
    caplog.set_level(logging.DEBUG)
    way = tickets(ballot)[-1]
    second = ballot.questions.get(position=2)
    client = client_for(voters[0])
    client.post(url("ballot_vote", ballot.pk), way)
    client.post(url("ballot_vote", ballot.pk), {**way, "action": "change"})
    client.post(url("ballot_vote", ballot.pk), {**way, f"q{second.pk}": "999"})
    receipt = client.post(url("ballot_vote", ballot.pk), {**way, "action": "confirm", "after": "0"})
    client.get(receipt["Location"])
    logging.getLogger("decisions").debug("capture-probe")
    assert "capture-probe" in caplog.text  # records at DEBUG were captured …
    labels = [o.label for q in ballot.questions.all() for o in q.options.all()]
    for record in caplog.records:  # … and none holds a label, a form field or a paper's option list
        text = f"{record.getMessage()} {record.args!r}"
        assert not any(label in text for label in labels), text
        assert not any(name in text for name in way), text
        assert '"o":' not in text, text
