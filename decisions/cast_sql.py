"""The fast path of a cast: its statements written as SQL, behind this one module.

A cast is the one request a whole district makes within minutes. Building its statements through the
ORM cost about three times what the database spent running them, so the statements of one online
cast are written here once, portable between PostgreSQL and SQLite, and run through Django's cursor
(its transaction, its parameter quoting, its type adaptation). What they read and write, and every
check made on it, is what the models and ``decisions.services.casting`` say: the service keeps the
rules and calls ``voice_for``, ``options_of`` and ``write``; this module alone knows the database's
vendor and chooses how to write on it. ``tests/decisions`` runs the same suite against both.

On PostgreSQL a sealed cast is one statement, the database function ``FUNCTION``. Its text is
``decisions/migrations/sql/<FUNCTION>.sql``, installed by the migration of that version; a change
to it is a new file under a new name and a new migration, and this module names the version it calls.
"""

from contextlib import nullcontext
from decimal import Decimal
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from decisions import frozen, ledger
from decisions.models import Ballot, LedgerEntry, Option, Participation, Question, Voice
from members.models import Membership, Role

# The database function a sealed cast calls on PostgreSQL (decisions/migrations/sql/<FUNCTION>.sql).
FUNCTION = "sanhui_cast_sealed_v1"

E = Ballot.Electorate

def _literal(value: str) -> str:
    """A constant of the code (a choice's value) as an SQL string literal; nothing a user typed."""
    if not value.replace("_", "").isalnum() or not value.isascii():
        raise ValueError(f"not a plain choice value: {value!r}")
    return f"'{value}'"


# A role holder's voice: they still hold the role the electorate was drawn from.
_ROLE_BRANCH = """
         WHEN {electorate} THEN EXISTS (
                SELECT 1 FROM members_role r
                 WHERE r.user_id = vh.user_id AND r.kind = {kind} AND r.committee_id = b.committee_id)"""
_ROLE_BRANCHES = "".join(_ROLE_BRANCH.format(electorate=_literal(electorate), kind=_literal(kind))
                         for electorate, kind in Ballot.ELECTORATE_ROLES.items())

# Each electorate kind has its branch below; a kind added to the model without one would be refused
# by ``ELSE FALSE`` (no one still entitled): say so at import rather than at the first vote.
_CHECKED_KINDS = {E.HOUSEHOLDS, E.RESIDENTS, *Ballot.ELECTORATE_ROLES, E.NAMED_LIST}
if set(E.values) != {str(kind) for kind in _CHECKED_KINDS}:
    raise ImproperlyConfigured(f"the voice statement has no branch for {set(E.values) - set(_CHECKED_KINDS)}")

# The voice the user holds on the ballot, the ballot's settings (frozen at opening; the status is
# re-read under the lock), the newest version cast with the voice, and whether the holder still has,
# now, what put them on the electorate (a household membership, a home in the committee, a role; a
# named list is frozen at opening, so holding the voice is enough). A kind the statement does not
# know is refused: a voice that nothing checks is no voice.
#
# The choice values are written into the statement, not bound: they decide which partial indexes
# (membership and role) a plan may use. SQLite reads a bound value it planned with, and then
# recompiles the statement each time the value is bound again, that is at every vote;
# PostgreSQL's generic plan cannot use those indexes at all.
_VOICE = f"""
SELECT v.id, v.key, v.household_id, v.floor_area,
       b.status, b.secrecy, b.allow_change, b.household_voice, b.rule, b.committee_id, b.electorate,
       b.box_key, b.box_paper_size,
       COALESCE((SELECT MAX(p.version) FROM deliberation_participation p WHERE p.voice_id = v.id), 0),
       CASE b.electorate
         WHEN {_literal(E.HOUSEHOLDS)} THEN EXISTS (
                SELECT 1 FROM members_membership m
                 WHERE m.user_id = vh.user_id AND m.status = {_literal(Membership.Status.VERIFIED)}
                   AND m.household_id = v.household_id)
         WHEN {_literal(E.RESIDENTS)} THEN EXISTS (
                SELECT 1 FROM members_membership m
                  JOIN members_household h ON h.id = m.household_id
                  JOIN members_building bu ON bu.id = h.building_id
                  JOIN members_compound c ON c.id = bu.compound_id
                 WHERE m.user_id = vh.user_id AND m.status = {_literal(Membership.Status.VERIFIED)}
                   AND c.committee_id = b.committee_id)
{_ROLE_BRANCHES}
         WHEN {_literal(E.NAMED_LIST)} THEN TRUE
         ELSE FALSE END,
       b.opened_at
  FROM deliberation_voice v
  JOIN deliberation_voiceholder vh ON vh.voice_id = v.id
  JOIN deliberation_ballot b ON b.id = v.ballot_id
 WHERE v.ballot_id = %s AND vh.user_id = %s"""  # noqa: S608 - code constants only (_literal)


BALLOT_FIELDS = ("status", "secrecy", "allow_change", "household_voice", "rule", "committee_id", "electorate",
                 "box_key", "box_paper_size")


def voice_for(ballot_id: int, user_id: int, voice_id: int | None = None) -> tuple[Voice | None, list]:
    """The voice (first by key) ``user_id`` holds on the ballot, with ``ballot``, ``latest_version`` and
    ``still_entitled`` set (None if they hold none, or not ``voice_id``), and the ballot's options
    (``options_of``).

    One statement. The options are frozen at opening: the first cast a process takes on a ballot
    reads them with the voice (each option row carrying the voice's columns) and keeps them
    (``frozen``); every later one reads the voice's row alone.
    """
    voice_sql, params = _VOICE, [ballot_id, user_id]
    if voice_id is not None:
        voice_sql, params = f"{voice_sql} AND v.id = %s", [*params, voice_id]
    known = _options.get(ballot_id)
    with connection.cursor() as cursor:
        if known is None:
            cursor.execute(f"{_OPTIONS_SELECT}, voice.* {_OPTIONS_FROM} "  # noqa: S608 - no value in the text
                           f"LEFT JOIN ({voice_sql} ORDER BY v.key LIMIT 1) voice ON TRUE "
                           f"WHERE q.ballot_id = %s {_OPTIONS_ORDER}", [*params, ballot_id])
            rows = cursor.fetchall()
            pairs = _pairs(ballot_id, [row[:9] for row in rows])
            row = rows[0][9:] if rows else None
        else:
            cursor.execute(f"{voice_sql} ORDER BY v.key LIMIT 1", params)
            row = cursor.fetchone()
            pairs = known[1]
    if row is None or row[0] is None:
        return None, pairs
    ballot = _loaded(Ballot, id=ballot_id, **dict(zip(BALLOT_FIELDS, row[4:13], strict=True)))
    ballot.allow_change = bool(ballot.allow_change)
    area = _decimal(Voice._meta.get_field("floor_area"), row[3])
    voice = _loaded(Voice, id=row[0], ballot_id=ballot_id, key=row[1], household_id=row[2], floor_area=area)
    voice.ballot = ballot  # the ballot as just read, cached on the voice as the ORM does
    voice.latest_version, voice.still_entitled = int(row[13]), bool(row[14])
    opened = frozen.opening(ballot_id, row[15], ballot.box_key) if ballot.status == Ballot.Status.OPEN else None
    if known is not None and known[0] != opened:  # opened again since, or another ballot under this id
        pairs = options_of(ballot_id)
    if opened is not None and (known is None or known[0] != opened):
        _options.put(ballot_id, (opened, pairs))
    return voice, pairs


# The options of the ballots this process has taken casts on, by ballot id: (opening, pairs).
_options = frozen.Frozen()


def _decimal(field, value) -> Decimal | None:
    """A decimal column as the ORM gives it (SQLite hands back 80 for 80.00)."""
    if value is None:
        return None
    return field.to_python(value).quantize(Decimal(1).scaleb(-field.decimal_places))


_OPTIONS_SELECT = "SELECT q.id, q.position, q.text, q.kind, q.max_choices, o.id, o.position, o.label, o.meaning"
_OPTIONS_FROM = "FROM deliberation_option o JOIN deliberation_question q ON q.id = o.question_id"
_OPTIONS_ORDER = "ORDER BY q.position, q.id, o.position, o.id"


def options_of(ballot_id: int) -> list[tuple[Question, Option]]:
    """The ballot's questions and options, in order: what a cast is checked against."""
    with connection.cursor() as cursor:
        cursor.execute(f"{_OPTIONS_SELECT} {_OPTIONS_FROM} WHERE q.ballot_id = %s {_OPTIONS_ORDER}",  # noqa: S608
                       [ballot_id])
        return _pairs(ballot_id, cursor.fetchall())


def _pairs(ballot_id: int, rows) -> list[tuple[Question, Option]]:
    questions: dict[int, Question] = {}
    pairs = []
    for qid, qpos, text, kind, max_choices, oid, opos, label, meaning in rows:
        question = questions.get(qid)
        if question is None:
            question = questions[qid] = _loaded(Question, id=qid, ballot_id=ballot_id, position=qpos, text=text,
                                                kind=kind, max_choices=max_choices)
        option = _loaded(Option, id=oid, question_id=qid, position=opos, label=label, meaning=meaning)
        option.question = question
        pairs.append((question, option))
    return pairs


def _loaded(model, **values):
    """An instance with these fields (by attname), as the ORM loads a row of them (``Model.from_db``).

    The fields not given are deferred: reading one costs a query, which the cast's query-count tests
    would see. About three times cheaper than ``model(**values)``, which looks up every field's default.
    """
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


class NotOpen(Exception):
    """The ballot was not open when the cast was written (nothing was written)."""


def write(participation: Participation, *, chain: str, payload: str, then=None) -> None:
    """Write one cast, all or nothing: the register row, then its entry in the register ``chain``.

    ``participation``: unsaved, every field set (its ``pk`` is set here). ``payload``: the entry's
    canonical text, built before the write so that the transaction only runs statements (on SQLite
    it holds the whole database, and every other writer waits for it). ``then``: called once the
    register row is written, in the same transaction (a named ballot's choices). Raises ``NotOpen``
    if the ballot is no longer open, and ``IntegrityError`` as the ORM would (another version of the
    voice stored meanwhile).

    PostgreSQL, a sealed paper: one statement, the database function ``FUNCTION``, which takes the
    steps of ``_write_statements`` in the same order. Otherwise those statements, in a transaction.
    """
    if connection.vendor == "postgresql" and participation.paper is not None and then is None:
        # One statement is its own transaction; inside the caller's, a savepoint keeps theirs usable.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _cast_sealed(participation, chain=chain, payload=payload)
        return
    with transaction.atomic():
        _write_statements(participation, chain=chain, payload=payload, then=then)


def _write_statements(participation: Participation, *, chain: str, payload: str, then) -> None:
    """The register row, then — ballot row locked, last — the chain entry.

    PostgreSQL: first a key-share lock on the ballot row, which casts share and a close or a paper
    batch's confirmation (FOR UPDATE) waits for. Taken before anything is written, so that a cast
    never holds a (voice, version) index entry while it waits for such a writer, which may be about
    to insert the same entry itself (a paper batch does): that order would deadlock. At the end,
    FOR NO KEY UPDATE, not FOR UPDATE: the rows this cast just wrote hold key-share locks on the
    ballot row, as do those of the casts beside it, and FOR UPDATE would wait for them; it still
    excludes a close. The chain head is read after that lock, by a statement that starts after it.

    SQLite: the IMMEDIATE transaction holds the whole database, so no row locks, and the ballot's
    status and the chain's head are read in one statement.
    """
    ballot_id, sqlite = participation.ballot_id, connection.vendor == "sqlite"
    if not sqlite and _ballot_status(ballot_id, "FOR KEY SHARE") != Ballot.Status.OPEN:
        raise NotOpen
    _insert(participation)
    if then is not None:
        then()
    if sqlite:
        status, head = _status_and_head(ballot_id, chain)
    else:
        status, head = _ballot_status(ballot_id, "FOR NO KEY UPDATE"), _chain_head(chain)
    if status != Ballot.Status.OPEN:  # closed while this cast was checked and written
        raise NotOpen
    _append(chain, head or (0, ledger.GENESIS), payload)


def _ballot_status(ballot_id: int, lock: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM deliberation_ballot WHERE id = %s {lock}", [ballot_id])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


_LAST_ENTRY = "FROM deliberation_ledgerentry WHERE chain = %s ORDER BY seq DESC LIMIT 1"


def _status_and_head(ballot_id: int, chain: str) -> tuple[str | None, tuple[int, str] | None]:
    """SQLite: the ballot's status and the chain's last (seq, hash), in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT b.status, (SELECT seq {_LAST_ENTRY}), (SELECT hash {_LAST_ENTRY}) "  # noqa: S608
                       "FROM deliberation_ballot b WHERE b.id = %s", [chain, chain, ballot_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return row[0], ((row[1], row[2]) if row[1] is not None else None)


def _chain_head(chain: str) -> tuple[int, str] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash {_LAST_ENTRY}", [chain])  # noqa: S608
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def _append(chain: str, head: tuple[int, str], payload: str) -> None:
    """The chain's next entry after ``head``, hashed by the ledger's one rule (``ledger.link_hash``)."""
    seq, prev = head
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_ENTRY, [chain, seq + 1, prev, payload, ledger.link_hash(prev, payload)])


_INSERT_ENTRY = ("INSERT INTO deliberation_ledgerentry (chain, seq, prev_hash, payload, hash) "
                 "VALUES (%s, %s, %s, %s, %s)")


@cache
def _insert_sql(model, alias: str) -> tuple[str, list]:
    """The INSERT of one row of ``model`` (every concrete field but the auto primary key, whose new
    value it returns), and those fields: written once per model, not for every vote."""
    meta, quote = model._meta, connections[alias].ops.quote_name
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(meta.pk.column)}")
    return sql, fields


def _insert(obj) -> None:
    """INSERT one model instance, as ``save(force_insert=True)`` would for these append-only rows (no
    signals, no history, no defaults computed at save), and set its new id."""
    sql, fields = _insert_sql(type(obj), DEFAULT_DB_ALIAS)
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])
        obj.pk = cursor.fetchone()[0]
    _mark_saved(obj)


def _mark_saved(obj) -> None:
    # ModelState, as the documentation's ``Model.from_db`` example sets it: a row now in the database.
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


def _cast_sealed(participation: Participation, *, chain: str, payload: str) -> None:
    """PostgreSQL: the register row with its sealed paper and its chain entry, by the function ``FUNCTION``."""
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                f"SELECT {FUNCTION}(%s::integer, %s::integer, %s::integer, %s::integer, %s::varchar, "
                "%s::integer, %s::varchar, %s::timestamptz, %s::varchar, %s::bytea, %s::varchar, %s::text)",
                [participation.ballot_id, participation.voice_id, participation.version, participation.user_id,
                 participation.channel, participation.entered_by_id, participation.consent_note,
                 participation.cast_at, participation.receipt, participation.paper, chain, payload])
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) == "SH001":  # closed after the row was written
                raise NotOpen from error
            raise
        participation.pk = cursor.fetchone()[0]
    if participation.pk is None:  # not open when the cast began
        raise NotOpen
    _mark_saved(participation)


# The models whose tables are named above, for the test that checks the SQL names their real tables.
TABLES = {m._meta.db_table for m in (Ballot, LedgerEntry, Option, Participation, Question, Voice, Membership,
                                     Role)}
