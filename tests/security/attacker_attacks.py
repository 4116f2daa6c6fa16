"""The attacker test's attacks (tests/security/test_attacker.py): reading a choice, and a voter, out
of stored bytes, sizes, orders and logs; each attack guesses every voter's ticket."""

import hashlib
import hmac
import json
import re
from collections import Counter, defaultdict

from django.utils.html import escape

from decisions import box
from tests.security.attacker_election import (
    AREA,
    FALLBACK,
    UNIQUE_AREA,
    Election,
    World,
    _latest,
    _moment,
    _register,
    _text,
)

# --- Reading a choice, and a voter, out of bytes ----------------------------------------------------------------

def _stored_forms(label: str) -> set[str]:
    """A label as it may be stored: plain, JSON-escaped, HTML-escaped."""
    return {label, json.dumps(label)[1:-1], escape(label)}


class Reader:
    """Recognises a choice (a ticket) and a voter in any stored or logged value."""

    def __init__(self, election: Election, world: World) -> None:
        owners = defaultdict(set)
        for t, ticket in enumerate(election.tickets):
            for pk in sum(ticket.values(), []):
                owners[pk].add(t)
        # An option of one ticket only gives that ticket away: by its id, its label, or in a paper's text.
        self.telling = {pk: min(ts) for pk, ts in owners.items() if len(ts) == 1}
        self.labels = {form: t for pk, t in self.telling.items()
                       for form in _stored_forms(election.labels[pk])}
        self.papers = {box.paper_text(sorted(sum(ticket.values(), [])), area, None).decode(): t
                       for t, ticket in enumerate(election.tickets) for area in (AREA, UNIQUE_AREA, None)}
        self.comments = {form: t for t, texts in election.comments.items() for text in texts.values()
                         for form in _stored_forms(text)}
        # A voter: their user id in a column that refers to users; in text, their username, name,
        # receipts, voice key, and the voice key's HMAC under SECRET_KEY (every tag the code has made).
        ballot = election.ballot
        voices = {r["id"]: r["key"] for r in world.tables["deliberation_voice"]["rows"] if r["ballot_id"] == ballot.pk}
        self.voters = {v.user.pk for v in election.voters}
        self.tokens = {**{v.user.username: v.user.pk for v in election.voters},
                       **{v.user.full_name: v.user.pk for v in election.voters}}
        self.tags = {}
        for row in _register(world, ballot):
            voice_key = voices[row["voice_id"]]
            self.tokens[row["receipt"]] = self.tokens[voice_key] = row["user_id"]
            for message in (f"sanhui-voice:{ballot.pk}:{voice_key}",
                            f"sanhui-evaluation-comment:{ballot.subject_id}:{voice_key}"):
                tag = hmac.new(world.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
                self.tags[tag] = row["user_id"]

    def tickets_in_text(self, text: str) -> set[int]:
        found = {t for form, t in {**self.labels, **self.comments}.items() if form in text}
        found |= {t for paper, t in self.papers.items() if paper in text}
        for ids in re.findall(r'"o":\s*\[([\d,\s]*)\]', text):  # a paper's option list
            found |= {self.telling[int(pk)] for pk in re.findall(r"\d+", ids) if int(pk) in self.telling}
        for pk in re.findall(r"\bq\d+=(\d+)", text):  # a vote form's field
            if int(pk) in self.telling:
                found.add(self.telling[int(pk)])
        return found

    def tickets_in_row(self, table: dict, row: dict) -> set[int]:
        found = set()
        for column, value in row.items():
            if table["relations"].get(column) == "deliberation_option" and value in self.telling:
                found.add(self.telling[value])
            elif isinstance(value, str | bytes | dict | list):
                found |= self.tickets_in_text(_text(value))
        return found

    def voters_in_text(self, text: str) -> set[int]:
        found = {uid for token, uid in self.tokens.items()
                 if re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text)}
        return found | {uid for tag, uid in self.tags.items() if tag in text}

    def voters_in_row(self, table: dict, row: dict) -> set[int]:
        found = set()
        for column, value in row.items():
            if table["relations"].get(column) == "members_user" and value in self.voters:
                found.add(value)
            elif isinstance(value, str | bytes | dict | list):
                found |= self.voters_in_text(_text(value))
        return found


def sightings(world: World, reader: Reader) -> list[str]:
    """Every row written since voting began and every log record that shows a choice in the clear."""
    found = [f"{name}: {row}"[:300] for name, rows in world.new.items() for row in rows
             if reader.tickets_in_row(world.tables.get(name, {"relations": {}}), row)]
    return found + [record.getMessage()[:300] for record in world.logs
                    if reader.tickets_in_text(f"{record.getMessage()} {record.args!r}")]


# --- The attacks: each returns {user id: guessed ticket} -------------------------------------------------------

def codebook(election: Election, feature: dict[int, object]) -> dict[int, int]:
    """Guess a voter's ticket from ``feature`` where the accomplices' values give one ticket only."""
    book = defaultdict(set)
    for voter in election.voters:
        if voter.accomplice and voter.user.pk in feature:
            book[feature[voter.user.pk]].add(voter.ticket)
    guesses = {}
    for voter in election.scored():
        tickets = book.get(feature.get(voter.user.pk), set())
        if len(tickets) == 1:
            guesses[voter.user.pk] = min(tickets)
    return guesses


# The page that casts → the pages of its flow: online votes, assisted votes, evaluation sheets.
FLOWS = {"ballot_vote": {"ballot_detail", "ballot_vote", "ballot_receipt"}, "assisted_vote": {"assisted_vote"},
         "sheet_fill": {"campaign_detail", "sheet_fill"}}


def _windows(world: World, election: Election) -> dict[tuple[int, int], list[dict]]:
    """The access-log lines of each online or assisted cast, found by time: (user, version) → lines.

    The register says when each cast was written (``cast_at``); the request that wrote it is the
    POST answered by a redirect around that moment, and the cast's own requests are those of the
    same pages since the cast before it, up to the page the redirect led to.
    """
    casts = sorted(((_moment(r["cast_at"]), r) for r in _register(world, election.ballot) if r["channel"] != "paper"),
                   key=lambda cast: cast[0])
    posts = [i for i, line in enumerate(world.access)
             if line["method"] == "POST" and line["status"] == 302 and line["view"] in FLOWS]
    windows, previous = {}, -1
    for moment, row in casts:
        anchor = next(i for i in posts if world.access[i]["start"] <= moment <= world.access[i]["end"])
        mine = FLOWS[world.access[anchor]["view"]]
        windows[(row["user_id"], row["version"])] = [line for line in world.access[previous + 1: anchor + 2]
                                                     if line["view"] in mine]
        previous = anchor + 1
    return windows


def attack_response_sizes(world: World, election: Election) -> dict[str, dict[int, int]]:
    """Sizes in the access log, joined to the register by time: the whole cast, each step alone, each step
    less the step before it (which takes away what changes with the hour, such as the turnout shown),
    and whichever of these guesses."""
    windows = _windows(world, election)
    attacks, steps, deltas = {}, defaultdict(dict), defaultdict(dict)
    whole = {}
    for uid, row in _latest(_register(world, election.ballot)).items():
        lines = windows.get((uid, row["version"]))
        if lines is None:
            continue
        state = (row["channel"], row["version"] > 1)
        whole[uid] = (state, tuple((line["view"], line["method"], line["status"], line["size"]) for line in lines))
        seen = Counter()
        for previous, line in zip([None, *lines], lines, strict=False):
            kind = (line["method"], line["view"], line["status"])
            step = (*kind, seen[kind])
            seen[kind] += 1
            steps[step][uid] = (state, line["size"])
            if previous is not None:
                deltas[step][uid] = (state, line["size"] - previous["size"])
    attacks["sizes: every request of the cast"] = codebook(election, whole)
    for suffix, features in (("", steps), (", less the step before", deltas)):
        for (method, view, status, n), feature in sorted(features.items()):
            attacks[f"sizes: {method} {view} → {status} (#{n + 1}){suffix}"] = codebook(election, feature)
    anything = {}
    for guesses in list(attacks.values()):
        for uid, ticket in guesses.items():
            anything.setdefault(uid, ticket)
    attacks["sizes: whichever step guesses"] = anything
    return attacks


def attack_paper_typing_order(world: World, election: Election) -> dict[str, dict[int, int]]:
    """The paper sheets in the order they were typed in (the organizer's page shows each), matched with
    the batch's list of voters as stored (the link table's physical order)."""
    if not election.sheet_order:
        return {}
    batches = {r["id"] for r in world.tables["deliberation_paperbatch"]["rows"] if r["ballot_id"] == election.ballot.pk}
    listed = [r["user_id"] for r in world.tables["deliberation_paperbatch_voters"]["rows"]
              if r["paperbatch_id"] in batches]
    return {"sizes: paper sheets in typing order, next to the batch's voters": dict(
        zip(listed, election.sheet_order, strict=True))}


def attack_register_columns(world: World, election: Election) -> dict[str, dict[int, int]]:
    """What the register says of each voter's latest vote, looked up in the accomplices' rows."""
    register = _register(world, election.ballot)
    latest = _latest(register)
    versions = Counter(r["user_id"] for r in register)
    voices = {r["id"]: r for r in world.tables["deliberation_voice"]["rows"]}
    features = {
        "number of versions": {uid: versions[uid] for uid in latest},
        "channel": {uid: r["channel"] for uid, r in latest.items()},
        "entered by": {uid: r["entered_by_id"] for uid, r in latest.items()},
        "sealed paper length": {uid: (r["channel"], len(r["paper"] or b"")) for uid, r in latest.items()},
        "floor area": {uid: str(voices[r["voice_id"]]["floor_area"]) for uid, r in latest.items()},
        "receipt's first letters": {uid: r["receipt"][:2] for uid, r in latest.items()},
    }
    return {f"register: {name}": codebook(election, feature) for name, feature in features.items()}


def attack_stored_bytes(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Every row written since voting began that shows a choice, tied to a voter by anything: a voter in the
    same row (user id, name, receipt, voice key, HMAC tag), or its place beside the register — physical
    order, id order, nearest timestamp — or beside the register chain (ledger order)."""
    register = _register(world, election.ballot)
    latest = _latest(register)
    versions = [(r["user_id"], r["version"]) for r in register]
    casts = [(_moment(r["cast_at"]), (r["user_id"], r["version"])) for r in register]
    showing = {name: [(row, ts) for row in rows if (ts := reader.tickets_in_row(world.tables[name], row))]
               for name, rows in world.new.items()}
    attacks = {name: {} for name in ("a voter in the same row", "physical order", "id order", "nearest timestamp",
                                     "ledger order")}

    def keep(name: str, by_version: dict) -> None:
        attacks[name].update({uid: by_version[(uid, row["version"])] for uid, row in latest.items()
                              if (uid, row["version"]) in by_version})

    for name, rows in showing.items():
        if not rows:
            continue
        for row, tickets in rows:
            for uid in reader.voters_in_row(world.tables[name], row):
                attacks["a voter in the same row"][uid] = min(tickets)
        keep("physical order", dict(zip(versions, [min(ts) for _r, ts in rows], strict=False)))
        if all("id" in row for row, _ts in rows):
            by_id = sorted(rows, key=lambda item: (isinstance(item[0]["id"], str), str(item[0]["id"]).zfill(20)))
            register_by_id = [(r["user_id"], r["version"]) for r in sorted(register, key=lambda r: r["id"])]
            keep("id order", dict(zip(register_by_id, [min(ts) for _r, ts in by_id], strict=False)))
        timed = {}
        for row, tickets in rows:
            moments = [m for m in map(_moment, row.values()) if m is not None]
            if moments:
                timed[min(casts, key=lambda c: min(abs(c[0] - m) for m in moments))[1]] = min(tickets)
        keep("nearest timestamp", timed)
    chain = f"b{election.ballot.pk}:register"
    entries = sorted((r for r in world.tables["deliberation_ledgerentry"]["rows"] if r["chain"] == chain),
                     key=lambda r: r["seq"])
    by_seq = [(json.loads(r["payload"])["user"], json.loads(r["payload"])["version"]) for r in entries]
    keep("ledger order", dict(zip(by_seq, [min(ts) for _r, ts in showing.get("deliberation_ledgerentry", [])],
                                  strict=False)))
    return {f"stored bytes: {name}": guesses for name, guesses in attacks.items()}


def attack_logs(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Every application log record that shows a choice: the voter it names, or the cast nearest in time."""
    register = _register(world, election.ballot)
    casts = [(_moment(r["cast_at"]), (r["user_id"], r["version"])) for r in register]
    direct, timed = {}, {}
    for record in world.logs:
        text = f"{record.getMessage()} {record.args!r}"
        tickets = reader.tickets_in_text(text)
        if tickets:
            direct.update(dict.fromkeys(reader.voters_in_text(text), min(tickets)))
            timed[min(casts, key=lambda c: abs(c[0] - record.created))[1]] = min(tickets)
    by_time = {uid: timed[(uid, r["version"])] for uid, r in _latest(register).items() if (uid, r["version"]) in timed}
    return {"log: a voter in the same record": direct, "log: the cast nearest in time": by_time}


def attack_voice_tags(world: World, election: Election, reader: Reader) -> dict[str, dict[int, int]]:
    """Each voice key's HMAC under SECRET_KEY (the tags the code has used), anywhere in the database next
    to a choice."""
    guesses = {}
    for table in world.tables.values():
        for row in table["rows"]:
            text = " ".join(_text(v) for v in row.values())
            holders = {uid for tag, uid in reader.tags.items() if tag in text}
            if holders and (tickets := reader.tickets_in_row(table, row)):
                guesses.update(dict.fromkeys(holders, min(tickets)))
    return {"HMAC of voice keys under SECRET_KEY": guesses}


def score(election: Election, guesses: dict[int, int]) -> float:
    """The fraction of scored voters whose final choice is guessed; no guess is the fallback ticket."""
    scored = election.scored()
    return sum(guesses.get(v.user.pk, FALLBACK) == v.ticket for v in scored) / len(scored)


def run_attacks(world: World, election: Election) -> dict[str, float]:
    reader = Reader(election, world)
    attacks = {**attack_response_sizes(world, election), **attack_paper_typing_order(world, election),
               **attack_register_columns(world, election), **attack_stored_bytes(world, election, reader),
               **attack_logs(world, election, reader), **attack_voice_tags(world, election, reader)}
    return {name: score(election, guesses) for name, guesses in attacks.items()}


def scoreboard(scores: dict[str, float]) -> str:
    return "\n".join(f"{value:5.2f}  {name}" for name, value in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
