"""The acceptance test of the sealed ballot box: play the attacker who holds everything but the cards.

A secret art. 278 ballot is voted through the real pages — online, changed, assisted, a paper batch
typed in by one organizer and confirmed by another — with known choices. Then the attacker takes
what a stolen server gives: every table read raw (in physical order: SQLite rowid, PostgreSQL
ctid), ``SECRET_KEY``, an access log (time, page, status, response size of every request) and the
application log at DEBUG (SQL at INFO, as in production). Each attack guesses every voter's choice;
its score is the fraction it gets right. The choices are balanced over three tickets, so chance is
1/3, and no attack may beat it by more than one voter in fifteen. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``), like the rest of the suite.

The attacker is strong: in each group of voters (online, changed, assisted, paper) three
accomplices vote one ticket each and say which, so any size, length or column that follows the
choice shows in their rows and is looked up for everybody else (a codebook). The attacks are shown
to find planted leaks; the box is shown to hold the choices by opening it with two of the three
scrutineers' cards and counting.
"""

import logging
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from decisions import box, selectors, services
from decisions.models import Ballot
from evaluations import selectors as evaluation_selectors
from evaluations import services as evaluation_services
from evaluations.models import Comment
from tests.decisions.factories import open_box
from tests.security.attacker_attacks import (
    Reader,
    _windows,
    attack_logs,
    attack_response_sizes,
    attack_stored_bytes,
    run_attacks,
    score,
    scoreboard,
    sightings,
)
from tests.security.attacker_election import (
    TICKETS,
    AccessLog,
    Election,
    Voter,
    World,
    _client,
    _election,
    _form,
    _register,
    _vote,
    dump_database,
    new_rows,
)

pytestmark = pytest.mark.django_db


# --- The tests ---------------------------------------------------------------------------------------------------

@pytest.fixture
def stolen(caplog, settings):
    """Vote, close, and hand the attacker the database, SECRET_KEY, the access log and the application log."""
    settings.VOTE_THROTTLE = "1000/60"  # the whole building votes from one test process
    caplog.set_level(logging.DEBUG)
    for name in ("django", "decisions", "deliberation", "members", "evaluations"):
        caplog.set_level(logging.DEBUG, logger=name)
    assert logging.getLogger("django.db.backends").getEffectiveLevel() == logging.INFO  # as in production
    election, staff = _election()
    before = dump_database()
    log = AccessLog()
    _vote(election, staff, log)
    services.ballot_close(ballot=election.ballot, by=staff["organizer"])
    election.ballot.refresh_from_db()
    logging.getLogger("decisions").debug("capture-probe")
    tables = dump_database()
    world = World(tables, new_rows(before, tables), log.lines, caplog.get_records("setup"), settings.SECRET_KEY)
    return election, world, staff


def test_an_attacker_holding_the_database_and_the_logs_guesses_no_choice_better_than_chance(stolen, capsys):
    election, world, _staff = stolen
    scored = election.scored()
    baseline = max(Counter(v.ticket for v in scored).values()) / len(scored)
    assert len(scored) == 15 and baseline == pytest.approx(1 / 3)
    # The attacker holds it all: every cast in the register, the sheets in the box, the requests, the log.
    assert len(_register(world, election.ballot)) == 27 + 6  # six voters changed their vote
    assert len(world.tables["deliberation_sealedsheet"]["rows"]) == 6
    assert len(world.access) > 100 and {line["status"] for line in world.access} == {200, 302}
    assert "capture-probe" in [r.getMessage() for r in world.logs]
    assert sum(map(len, world.new.values())) > 100

    # No choice in the clear anywhere: not in a row written since voting began, not in a log record.
    assert sightings(world, Reader(election, world)) == []
    scores = run_attacks(world, election)
    with capsys.disabled():
        print(f"\n{connection.vendor}: chance {baseline:.2f}\n{scoreboard(scores)}")
    assert len(scores) > 25
    assert max(scores.values()) <= baseline + 1 / len(scored) + 1e-9, scoreboard(scores)


def test_the_attacks_find_a_leak_when_there_is_one(stolen):
    """Planted leaks: a table of choices in cast order, a log line naming the voter, pages whose size
    follows the labels chosen (as the confirmation page's did before it was made one size)."""
    election, world, _staff = stolen
    reader = Reader(election, world)
    options = world.tables["deliberation_option"]
    assert {t for row in options["rows"] for t in reader.tickets_in_row(options, row)} == set(TICKETS)

    planted = [{"id": row["id"], "content": box.paper_text(
        sorted(sum(election.tickets[election.ticket_at(row["user_id"], row["version"])].values(), [])), None,
        None).decode()} for row in _register(world, election.ballot)]
    leaky = world.but(tables={**world.tables, "planted": {"rows": planted, "relations": {}}},
                      new={**world.new, "planted": planted})
    assert len(sightings(leaky, reader)) == len(planted)
    assert score(election, attack_stored_bytes(leaky, election, reader)["stored bytes: physical order"]) == 1

    first_question = min(election.tickets[0])  # its three options tell the tickets apart
    said = [logging.LogRecord("deliberation", logging.INFO, __file__, 1, "%s chose %s",
                              (v.user.username, election.labels[election.tickets[v.ticket][first_question][0]]), None)
            for v in election.voters]
    leaky = world.but(logs=world.logs + said)
    assert score(election, attack_logs(leaky, election, reader)["log: a voter in the same record"]) == 1

    lengths = [len("".join(election.labels[pk] for pk in sum(ticket.values(), [])).encode())
               for ticket in election.tickets]
    grown = {id(line): lengths[election.ticket_at(uid, version)]
             for (uid, version), lines in _windows(world, election).items() for line in lines
             if line["method"] == "POST" and line["status"] == 200}  # the pages that show the choice back
    leaky = world.but(access=[{**line, "size": line["size"] + grown.get(id(line), 0)} for line in world.access])
    guesses = attack_response_sizes(leaky, election)["sizes: whichever step guesses"]
    # Every online and assisted vote found (the paper sheets' pages are the organizer's, not a voter's).
    assert {uid for uid, t in guesses.items() if t == election.truth()[uid]} == {
        v.user.pk for v in election.scored() if v.group != "paper"}


def test_two_scrutineer_cards_open_the_box_and_it_holds_exactly_the_choices_cast(stolen):
    election, _world, staff = stolen
    ballot = election.ballot
    assert ballot.status == Ballot.Status.CLOSED and ballot.box_tally is None
    open_box(ballot, election.scrutineers[2], election.scrutineers[1])
    tally = ballot.box_tally
    assert tally["papers"] == 27 and tally["invalid"] == 0
    expected = {pk: [0, Decimal(0)] for pk in election.labels}
    for voter in election.voters:
        for pk in sum(election.tickets[voter.ticket].values(), []):
            expected[pk][0] += 1
            expected[pk][1] += Decimal(voter.area)
    assert {int(pk): [n, Decimal(area)] for pk, (n, area) in tally["options"].items()} == expected
    services.ballot_publish(ballot=ballot, by=staff["second"])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED and ballot.result["turnout"]["voices"] == 27


# --- Evaluation sheets: ratings and comments sealed together ----------------------------------------------------

def _evaluation() -> tuple[Election, object, object]:
    """An open evaluation of a committee's agencies by 15 resident representatives (9 scored, 6 accomplices)."""
    from tests.evaluations import factories as evaluation

    world = evaluation.make_world(reps=15)
    committee = world.committees[0]
    reps = world.reps[committee.pk]
    for n, user in enumerate(reps):  # names and usernames of one length: pages show them
        user.full_name, user.username = f"Rep {n:02d}", f"rep{n:02d}"
        user.save(update_fields=["full_name", "username"])
    campaign = evaluation.make_open_campaign(world)
    blocks = evaluation_selectors.sheet_blocks(campaign)
    questions = [item.question for block in blocks for item in block.items]
    # Ticket t rates every line at level t + 1 (满意, 基本满意, 不满意) and comments more and more.
    tickets = [{q.pk: [q.options.get(position=t + 1).pk] for q in questions} for t in TICKETS]
    comments = {0: {}, 1: {blocks[0].evaluatee.pk: "评议意见一：楼道灯坏了三个月没人修"},
                2: {block.evaluatee.pk: f"评议意见二：{block.evaluatee.name}的服务态度需要改进，" * 8
                    for block in blocks}}
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    voters = []
    for group, scored in (("sheet", 6), ("changed sheet", 3)):
        for ticket, accomplice in [(i % 3, False) for i in range(scored)] + [(t, True) for t in TICKETS]:
            voters.append(Voter(reps[len(voters)], group, ticket, accomplice,
                                first=(ticket + 1) % 3 if group == "changed sheet" else None))
    election = Election(campaign.ballot, voters, tickets, labels, [world.organizers[committee.pk]],
                        comments=comments)
    return election, campaign, world.organizers[committee.pk]


def _fill_sheet(log: AccessLog, election: Election, campaign, voter: Voter, ticket: int) -> None:
    """The evaluation's page, the sheet, send it, back on the evaluation's page."""
    client = _client(voter.user)
    versions = selectors.voice_history(election.ballot, voter.user)[1]
    log(client, "get", campaign.get_absolute_url())
    path = reverse("evaluations:sheet_fill", args=[campaign.pk])
    log(client, "get", path)
    form = {**_form(election.tickets[ticket]), "after": versions[0].version if versions else 0,
            **{f"c{pk}": text for pk, text in election.comments[ticket].items()}}
    done = log(client, "post", path, form)
    assert done.status_code == 302, done.content[:500]
    assert log(client, "get", done["Location"]).status_code == 200


def test_evaluation_sheets_give_neither_ratings_nor_comments_away_and_the_box_gives_back_the_counted_ones(
        caplog, settings, capsys):
    settings.VOTE_THROTTLE = "1000/60"
    caplog.set_level(logging.DEBUG)
    election, campaign, organizer = _evaluation()
    before = dump_database()
    log = AccessLog()
    for voter in election.voters:
        _fill_sheet(log, election, campaign, voter, voter.first if voter.first is not None else voter.ticket)
    for voter in election.voters:
        if voter.first is not None:
            _fill_sheet(log, election, campaign, voter, voter.ticket)
    evaluation_services.campaign_close(campaign=campaign, by=organizer)
    tables = dump_database()
    world = World(tables, new_rows(before, tables), log.lines, caplog.records, settings.SECRET_KEY)

    assert len(_register(world, election.ballot)) == 15 + 6
    assert world.tables["evaluations_comment"]["rows"] == []  # sealed in the papers until the box is opened
    assert sightings(world, Reader(election, world)) == []
    scores = run_attacks(world, election)
    with capsys.disabled():
        print(f"\n{connection.vendor}, evaluation sheets: chance 0.33\n{scoreboard(scores)}")
    assert max(scores.values()) <= 1 / 3 + 1 / 9 + 1e-9, scoreboard(scores)

    open_box(election.ballot)
    counted = sorted(text for v in election.voters for text in election.comments[v.ticket].values())
    written = list(Comment.objects.filter(campaign=campaign).values_list("text", "cast_on"))
    assert sorted(text for text, _day in written) == counted  # a changed sheet's first comments are gone
    assert {day for _text, day in written} == {None}
    opened = dump_database()  # the search does see comments, once they are there
    assert len(sightings(world.but(tables=opened, new=new_rows(tables, opened)), Reader(election, world))) >= len(
        counted)
    options = election.ballot.box_tally["options"]
    for t, ticket in enumerate(election.tickets):
        assert {options[str(pk)][0] for pks in ticket.values() for pk in pks} == {5}, t
