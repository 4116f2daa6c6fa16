"""decisions.cast_sql: the cast's statements, written as SQL, agree with the models and the rules."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions import cast_sql, frozen, services
from decisions.models import Ballot, LedgerEntry, Participation
from members import services as member_services
from members.models import Membership, Role
from tests.decisions.factories import choices, make_committee_role, make_open_ballot, option
from tests.decisions.helpers import open_draft

pytestmark = pytest.mark.django_db
E = Ballot.Electorate


def test_the_sql_names_only_tables_the_models_have():
    with open(cast_sql.__file__, encoding="utf-8") as source:
        named = set(re.findall(r"\b(?:FROM|JOIN|INTO)\s+([a-z_]+)\b", source.read()))
    named -= {"the"}  # prose in docstrings ("from the ...") is lower-case words, not table names
    real = set(connection.introspection.table_names())
    assert named and named <= cast_sql.TABLES | {"deliberation_voiceholder", "members_household",
                                                "members_building", "members_compound"}
    assert named <= real, named - real


@pytest.mark.parametrize("electorate, kind", [(E.RESIDENT_REPS, Role.Kind.RESIDENT_REPRESENTATIVE),
                                              (E.PARTY_MEMBERS, Role.Kind.PARTY_MEMBER),
                                              (E.PARTY_REPS, Role.Kind.PARTY_REPRESENTATIVE)])
def test_a_role_electorate_is_checked_against_the_role_held_now(place, electorate, kind):  # noqa: F811
    holder, keeper = make_committee_role(place.committee, kind), make_committee_role(place.committee, kind)
    ballot = open_draft(place.committee, place.organizer, electorate=electorate)
    member_services.role_revoke(role=Role.objects.get(user=holder, kind=kind), by=place.organizer)
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=holder, choices=choices(ballot, "yes"))
    assert error.value.code == "no_longer_entitled"
    services.vote_cast(ballot=ballot, voter=keeper, choices=choices(ballot, "yes"))
    assert list(Participation.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == [keeper.pk]


def test_a_residents_electorate_needs_a_verified_home_in_the_committee_now(place):  # noqa: F811
    ballot = open_draft(place.committee, place.organizer, electorate=E.RESIDENTS)
    member_services.membership_leave(membership=Membership.objects.get(user=place.m3), by=place.organizer)
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=place.m3, choices=choices(ballot, "yes"))
    assert error.value.code == "no_longer_entitled"
    services.vote_cast(ballot=ballot, voter=place.r4, choices=choices(ballot, "yes"))
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=place.stranger, choices=choices(ballot, "yes"))
    assert error.value.code == "not_entitled"
    assert Participation.objects.filter(ballot=ballot).count() == 1


def test_the_voice_row_carries_the_ballot_as_stored(place):  # noqa: F811
    ballot = open_draft(place.committee, place.organizer, electorate=E.HOUSEHOLDS, building=place.a1)
    voice, options = cast_sql.voice_for(ballot.pk, place.r1.pk)
    assert [(q.pk, o.pk) for q, o in options] == [(q.pk, o.pk) for q, o in cast_sql.options_of(ballot.pk)]
    assert [o.meaning for _q, o in options] == list(
        ballot.questions.get().options.order_by("position", "pk").values_list("meaning", flat=True))
    assert voice.key == f"h{place.h1.pk}" and str(voice.floor_area) == "80.00"
    assert (voice.latest_version, voice.still_entitled) == (0, True)
    assert (voice.ballot.status, voice.ballot.electorate, voice.ballot.committee_id) == (
        Ballot.Status.OPEN, E.HOUSEHOLDS, place.committee.pk)
    assert voice.ballot.allow_change is ballot.allow_change
    services.vote_cast(ballot=ballot, voter=place.r1, choices=choices(ballot, "yes"))
    assert cast_sql.voice_for(ballot.pk, place.r1.pk)[0].latest_version == 1
    voice, options = cast_sql.voice_for(ballot.pk, place.r4.pk)  # another building: no voice
    assert voice is None and len(options) == 3


def test_the_options_are_read_once_per_opening_and_again_for_another(place):  # noqa: F811
    """The options are frozen at opening: kept in memory after the first cast's read, keyed by the opening."""
    ballot = open_draft(place.committee, place.organizer, electorate=E.HOUSEHOLDS, building=place.a1)
    first = cast_sql.voice_for(ballot.pk, place.r1.pk)[1]
    with CaptureQueriesContext(connection) as ctx:
        voice, kept = cast_sql.voice_for(ballot.pk, place.r2.pk)
    assert voice is not None and [o.pk for _q, o in kept] == [o.pk for _q, o in first]
    assert len(ctx.captured_queries) == 1 and "deliberation_option" not in ctx.captured_queries[0]["sql"]
    # What another opening under this id left (a ballot opened again, an id SQLite handed out again):
    # not trusted, the options are read afresh and kept for this opening.
    cast_sql._options.put(ballot.pk, ((ballot.pk, "another opening", ""), []))
    voice, options = cast_sql.voice_for(ballot.pk, place.r1.pk)
    assert [(q.pk, o.pk) for q, o in options] == [(q.pk, o.pk) for q, o in cast_sql.options_of(ballot.pk)]
    assert cast_sql._options.get(ballot.pk)[1] == options
    # A ballot no longer open keeps nothing new.
    frozen.clear_all()
    services.ballot_close(ballot=ballot, by=place.organizer)
    cast_sql.voice_for(ballot.pk, place.r1.pk)
    assert cast_sql._options.get(ballot.pk) is None


def test_receipt_codes_use_every_character_of_their_alphabet_and_do_not_repeat():
    from collections import Counter

    from decisions.services.casting import RECEIPT_ALPHABET, receipt_code

    assert len(set(RECEIPT_ALPHABET)) == 32  # five random bits to a character
    codes = [receipt_code() for _ in range(4000)]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 14 and code[4] == code[9] == "-" for code in codes)
    counts = Counter(char for code in codes for char in code.replace("-", ""))
    assert set(counts) == set(RECEIPT_ALPHABET)
    # 48,000 characters: about 1,500 each; a skewed or stuck position would be far off.
    assert min(counts.values()) > 1200 and max(counts.values()) < 1800
    for position in range(12):
        assert len({code.replace("-", "")[position] for code in codes}) == 32


def test_the_voice_statement_binds_only_the_ballot_and_the_user():
    """The choice values are written into the statement (they decide which partial indexes a plan
    may use; SQLite recompiled the statement at every vote while they were bound)."""
    assert cast_sql._VOICE.count("%s") == 2
    for value in (E.HOUSEHOLDS, E.RESIDENTS, E.PARTY_REPS, Membership.Status.VERIFIED, Role.Kind.PARTY_MEMBER):
        assert f"'{value}'" in cast_sql._VOICE


@pytest.mark.parametrize("value", ["verified'; DROP TABLE members_user; --", "a b", "", "已核实"])
def test_only_plain_choice_values_become_literals(value):
    with pytest.raises(ValueError):
        cast_sql._literal(value)


# --- Who the voice statement admits: every electorate kind, and a kind it does not know ------------

def _electorate_case(place, electorate):  # noqa: F811
    """An open ballot of this kind, the voter it admits, and one it refuses with the code it refuses with."""
    p = place
    if electorate in Ballot.ELECTORATE_ROLES:
        kind = Ballot.ELECTORATE_ROLES[electorate]
        right, wrong = make_committee_role(p.committee, kind), make_committee_role(p.committee, kind)
        ballot = open_draft(p.committee, p.organizer, electorate=electorate)
        member_services.role_revoke(role=Role.objects.get(user=wrong, kind=kind), by=p.organizer)
        return ballot, right, wrong, "no_longer_entitled"
    if electorate == E.NAMED_LIST:  # frozen at opening: whoever is not on the list holds no voice
        ballot = services.ballot_create(committee=p.committee, by=p.organizer, title="议题", electorate=electorate)
        services.ballot_set_named_voters(ballot=ballot, by=p.organizer, users=[p.r1])
        return services.ballot_open(ballot=ballot, by=p.organizer), p.r1, p.r2, "not_entitled"
    where = {"building": p.a1} if electorate == E.HOUSEHOLDS else {}
    ballot = open_draft(p.committee, p.organizer, electorate=electorate, **where)
    right, wrong = (p.r1, p.r2) if electorate == E.HOUSEHOLDS else (p.r4, p.m3)
    member_services.membership_leave(membership=Membership.objects.get(user=wrong), by=p.organizer)
    return ballot, right, wrong, "no_longer_entitled"


@pytest.mark.parametrize("electorate", list(E))
def test_every_electorate_kind_admits_its_voter_and_refuses_a_wrong_one(place, electorate):  # noqa: F811
    ballot, right, wrong, code = _electorate_case(place, electorate)
    assert cast_sql.voice_for(ballot.pk, right.pk)[0].still_entitled is True
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=wrong, choices=choices(ballot, "yes"))
    assert error.value.code == code
    services.vote_cast(ballot=ballot, voter=right, choices=choices(ballot, "yes"))
    assert list(Participation.objects.filter(ballot=ballot).values_list("user_id", flat=True)) == [right.pk]


def test_an_electorate_kind_the_voice_statement_does_not_know_is_refused(place):  # noqa: F811
    ballot = open_draft(place.committee, place.organizer, electorate=E.HOUSEHOLDS, building=place.a1)
    Ballot.objects.filter(pk=ballot.pk).update(electorate="martians")  # a kind added without its check
    assert cast_sql.voice_for(ballot.pk, place.r1.pk)[0].still_entitled is False
    with pytest.raises(ValidationError) as error:
        services.vote_cast(ballot=ballot, voter=place.r1, choices=choices(ballot, "yes"))
    assert error.value.code == "no_longer_entitled"
    assert not Participation.objects.filter(ballot=ballot).exists()


# --- The ledger's hash rule, in Python and in the database function --------------------------------

def test_the_fast_write_hashes_its_chain_entry_by_the_ledgers_rule():
    """``ledger.link_hash`` is the rule; the PostgreSQL function computes it in SQL too (and SQLite's
    path calls ``link_hash``): the same hash for a payload beyond ASCII, and the chain verifies."""
    from django.utils import timezone

    from decisions import box, ledger

    ballot, _organizer, voters = make_open_ballot()
    voice, _options = cast_sql.voice_for(ballot.pk, voters[0].pk)
    paper = box.paper_seal(ballot.box_key, ballot.box_paper_size, [option(ballot, "yes").pk], None)
    participation = Participation(ballot=ballot, voice=voice, version=1, user=voters[0], channel="online",
                                  consent_note="", cast_at=timezone.now(), receipt="TEST-HASH-0001", paper=paper)
    chain = ledger.ballot_chain(ballot.pk, "register")
    payload = ledger.canonical({"说明": "加装电梯 — 同意", "n": 1})
    cast_sql.write(participation, chain=chain, payload=payload)
    entry = LedgerEntry.objects.get(chain=chain)
    assert (entry.seq, entry.prev_hash, entry.payload) == (1, ledger.GENESIS, payload)
    assert entry.hash == ledger.link_hash(ledger.GENESIS, payload)
    assert participation.pk == Participation.objects.get(ballot=ballot).pk
    assert ledger.verify_chain(chain) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database function is PostgreSQL's")
def test_the_installed_function_is_the_text_of_its_version():
    with open(Path(__file__).resolve().parents[2] / "decisions" / "migrations" / "sql" / f"{cast_sql.FUNCTION}.sql",
              encoding="utf-8") as source:
        body = source.read().split("$$")[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [cast_sql.FUNCTION])
        assert [row[0] for row in cursor.fetchall()] == [body]
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'sanhui_cast_sealed'")
        assert cursor.fetchone()[0] == 0  # the unversioned one is gone
