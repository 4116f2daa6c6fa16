"""The statements of one online cast, written as SQL.

A cast is the one request a whole district makes within minutes. Building its statements through the
ORM costs several times what the database spends running them: most of a cast's time would go into
compiling queries and building model instances (figures in docs/PERFORMANCE.md). The
statements here are the same ones, written once, portable between PostgreSQL and SQLite, and run
through Django's cursor (its transaction, its parameter quoting, its type adaptation). What they
read and write, and every check made on it, is unchanged: ``casting`` keeps the rules;
``tests/decisions`` runs the same suite against both databases.
"""

from decimal import Decimal
from functools import cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.models.base import DEFERRED

from config.db import prepared_cursor
from decisions import frozen
from decisions.models import Ballot, LedgerEntry, Option, Participation, Question, Voice
from members.models import Membership, Role

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

# The voice the user holds on the ballot, the ballot's settings (frozen at opening; the status is
# re-read under the lock), the newest version cast with the voice, and whether the holder still has,
# now, what put them on the electorate (a household membership, a home in the committee, a role).
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
         ELSE TRUE END,
       b.opened_at
  FROM deliberation_voice v
  JOIN deliberation_voiceholder vh ON vh.voice_id = v.id
  JOIN deliberation_ballot b ON b.id = v.ballot_id
 WHERE v.ballot_id = %s AND vh.user_id = %s"""  # noqa: S608 - code constants only (_literal)


def _cursor():
    """Django's cursor, binding on the server on PostgreSQL (``config.db.prepared_cursor``).

    Planning the voice query costs far more than running it, so it is planned once per connection.
    """
    return prepared_cursor(connections[DEFAULT_DB_ALIAS])  # the connection itself, not the proxy


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
    with _cursor() as cursor:
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
    Voice.ballot.field.set_cached_value(voice, ballot)
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
    with _cursor() as cursor:
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
        Option.question.field.set_cached_value(option, question)
        pairs.append((question, option))
    return pairs


def _loaded(model, **values):
    """An instance with these fields, as the ORM loads one (``Model.from_db``); the others are deferred.

    Cheaper than ``model(**values)``, which looks up every field's default; a
    field read that was not loaded here costs a query, which the cast's query-count tests would see.
    """
    return model.from_db(DEFAULT_DB_ALIAS, None,
                         [values.get(field.attname, DEFERRED) for field in model._meta.concrete_fields])


def new(model, *, related: dict | None = None, **values):
    """An unsaved ``model`` instance with exactly these field values, built as ``Model.from_db`` builds one.

    ``values`` are by attname (``ballot_id``) and must name every concrete field but an automatic
    primary key: nothing is left to a default. ``related``: objects already at hand for its foreign
    keys (``{"voice": voice}``), cached as the ORM caches them. Cheaper than
    ``model(**values)``, which looks up every field's default and runs every field's descriptor.
    """
    meta = model._meta
    auto = meta.auto_field
    row = [None if field is auto and field.attname not in values else values.pop(field.attname)
           for field in meta.concrete_fields]
    if values:
        raise TypeError(f"{model.__name__} has no fields {sorted(values)}")
    obj = model.from_db(None, None, row)
    obj._state.adding, obj._state.db = True, None
    for name, value in (related or {}).items():
        meta.get_field(name).set_cached_value(obj, value)
    return obj


def hold_open(ballot_id: int) -> str | None:
    """Key-share lock on the ballot row (PostgreSQL; see ``casting._hold_open``); its status."""
    with _cursor() as cursor:
        cursor.execute("SELECT status FROM deliberation_ballot WHERE id = %s FOR KEY SHARE", [ballot_id])
        row = cursor.fetchone()
    return row[0] if row else None


def locked_status(ballot_id: int) -> str | None:
    """Lock the ballot row for the register chain (FOR NO KEY UPDATE; see ``casting._locked``); its status."""
    lock = " FOR NO KEY UPDATE" if connection.features.has_select_for_update else ""
    with _cursor() as cursor:
        cursor.execute(f"SELECT status FROM deliberation_ballot WHERE id = %s{lock}", [ballot_id])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


@cache
def _insert_sql(model, alias: str, rows: int, returning_pk: bool) -> tuple[str, list]:
    """The INSERT of ``rows`` rows of ``model`` (every concrete field but an auto primary key), and
    those fields: written once per model and shape, not for every vote."""
    meta, quote = model._meta, connections[alias].ops.quote_name
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES {', '.join([row] * rows)}")
    return (f"{sql} RETURNING {quote(meta.pk.column)}" if returning_pk else sql), fields


def insert(obj, *, returning_pk: bool = False) -> None:
    """INSERT one model instance, as ``save(force_insert=True)`` would for these append-only rows (no
    signals, no history, no defaults computed at save); with ``returning_pk``, set its new id."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_sql(type(obj), DEFAULT_DB_ALIAS, 1, returning_pk)
    with _cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, add=True), conn) for f in fields])
        if returning_pk:
            obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


def insert_many(objs: list) -> None:
    """INSERT several instances of one model with an auto primary key, in one statement."""
    if not objs:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_sql(type(objs[0]), DEFAULT_DB_ALIAS, len(objs), False)
    with _cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, add=True), conn) for obj in objs for f in fields])


class NotOpen(Exception):
    """The ballot was not open when the cast was written (nothing was written)."""


def cast_sealed(participation: Participation, *, chain: str, payload: str) -> None:
    """PostgreSQL: write one sealed online cast with one statement (``sanhui_cast_sealed``, migration
    0009): the register row with its sealed paper, then the register chain entry. Its own
    transaction unless the caller has one. Raises ``NotOpen``; an ``IntegrityError`` as the
    ORM would (another version of the voice stored meanwhile).
    """
    with _cursor() as cursor:
        try:
            cursor.execute(
                "SELECT sanhui_cast_sealed(%s::integer, %s::integer, %s::integer, %s::integer, %s::varchar, "
                "%s::integer, %s::varchar, %s::timestamptz, %s::varchar, %s::bytea, %s::varchar, %s::text)",
                [participation.ballot_id, participation.voice_id, participation.version, participation.user_id,
                 participation.channel, participation.entered_by_id, participation.consent_note,
                 participation.cast_at, participation.receipt, participation.paper, chain, payload])
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) == "SH001":
                raise NotOpen from error
            raise
        participation.pk = cursor.fetchone()[0]
    if participation.pk is None:
        raise NotOpen
    participation._state.adding, participation._state.db = False, connection.alias


def status_and_head(ballot_id: int, chain: str) -> tuple[str | None, tuple[int, str] | None]:
    """SQLite, inside the cast's IMMEDIATE transaction (which holds the whole database): the ballot's
    status and the chain's head in one statement. Not on PostgreSQL, where the head must be read
    after the ballot row's lock is taken, by a statement that starts after it (``casting._write_cast``).
    """
    if connection.vendor != "sqlite":
        raise NotImplementedError("status_and_head is for SQLite's serialised writers only")
    last = "FROM deliberation_ledgerentry WHERE chain = %s ORDER BY seq DESC LIMIT 1"
    with _cursor() as cursor:
        cursor.execute(f"SELECT b.status, (SELECT seq {last}), (SELECT hash {last}) "  # noqa: S608
                       "FROM deliberation_ballot b WHERE b.id = %s", [chain, chain, ballot_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return row[0], ((row[1], row[2]) if row[1] is not None else None)


def chain_head(chain: str) -> tuple[int, str] | None:
    """The last (seq, hash) of a ledger chain; call under the lock that serialises its writers."""
    with _cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM deliberation_ledgerentry WHERE chain = %s ORDER BY seq DESC LIMIT 1",
                       [chain])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


# The models whose tables are written above, for the test that checks the SQL names their real tables.
TABLES = {m._meta.db_table for m in (Ballot, LedgerEntry, Option, Participation, Question, Voice, Membership,
                                     Role)}
