"""Casting votes: online, assisted, and (in paper.py) paper sheets. One voice, whatever the channel."""

import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from decisions import box, cast_sql, ledger
from decisions.models import Ballot, Channel, NamedChoice, Option, Participation, Question, SealedSheet, Voice
from members.models import Membership, Role, User
from members.permissions import can_manage_committee, roles_of

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def receipt_code() -> str:
    """A random receipt like K7QX-3MPA-9RTW: 60 random bits, five to each of its 12 characters."""
    bits = secrets.randbits(60)
    raw = "".join(RECEIPT_ALPHABET[(bits >> shift) & 31] for shift in range(0, 60, 5))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def voices_of(ballot: Ballot, user: User) -> list[Voice]:
    return list(Voice.objects.filter(ballot=ballot, holders__user=user).order_by("key"))


def choose_options(ballot: Ballot, choices: dict[int, Iterable[int]],
                   options: list[tuple[Question, Option]] | None = None) -> list[tuple[Question, Option]]:
    """Check that every question is answered with allowed options; return (question, option) pairs.

    ``options``: the ballot's (question, option) pairs, frozen since opening, if already read;
    otherwise one query reads them.
    """
    options_of: dict[int, dict[int, Option]] = {}
    questions: dict[int, Question] = {}
    for question, option in cast_sql.options_of(ballot.pk) if options is None else options:
        questions.setdefault(question.pk, question)
        options_of.setdefault(question.pk, {})[option.pk] = option
    pairs: list[tuple[Question, Option]] = []
    for question in questions.values():
        wanted = {int(o) for o in choices.get(question.pk, ()) if str(o).strip().isdigit()}
        options = options_of[question.pk]
        if not wanted:
            raise ValidationError(_("Answer the question “%(q)s”.") % {"q": question.text}, code="unanswered")
        if not wanted <= options.keys():
            raise ValidationError(_("Choose among the options given."), code="invalid_option")
        if len(wanted) > question.max_choices:
            raise ValidationError(_("Choose at most %(n)s options for “%(q)s”.")
                                  % {"n": question.max_choices, "q": question.text}, code="too_many_options")
        pairs += [(question, options[pk]) for pk in sorted(wanted)]
    return pairs


def _may_assist(by: User, ballot: Ballot, voice: Voice) -> bool:
    if can_manage_committee(by, ballot.committee):
        return True
    building_id = voice.household.building_id if voice.household_id else None
    if building_id is None:
        # Only where the voter lives now, in this committee: not a request, a past or another home.
        homes = Membership.objects.filter(user__in=voice.holders.values("user"),
                                          status=Membership.Status.VERIFIED,
                                          household__building__compound__committee=ballot.committee)
        building_ids = set(homes.values_list("household__building_id", flat=True))
    else:
        building_ids = {building_id}
    return any(r.kind == Role.Kind.FLOOR_LEADER and r.building_id in building_ids for r in roles_of(by))


def vote_cast(*, ballot: Ballot, voter: User, choices: dict[int, Iterable[int]], channel: str = Channel.ONLINE,
              entered_by: User | None = None, consent_note: str = "", voice: Voice | None = None,
              expected_version: int | None = None, extra=None) -> Participation:
    """Cast (or change) ``voter``'s vote; return the participation, whose receipt the voter keeps.

    ``expected_version`` is the version the voter saw when confirming (0: none yet). If a vote was
    recorded since, nothing is cast: a double submit of the confirmation page records one vote.
    ``extra``: what the ballot's subject seals into the paper beside the choices (an evaluation
    sheet's comments), JSON-serialisable; secret ballots only.

    A secret ballot's choices are sealed to its box (``box.paper_seal``) before anything is written:
    the register row carries the sealed paper, and the receipt is the first bits of its hash.

    Fast on purpose: the checks read what is frozen at opening (the voice, its holders,
    the ballot's settings, the options) and the voice's latest version before any transaction. Then
    one transaction (``cast_sql.write``) keeps the ballot open (a shared lock), writes the register row
    and the choices, and only at its end locks the ballot row and appends to the register chain. So
    casts to one ballot wait for each other only for that last step (the chain is one line per
    ballot); a close waits for the casts under way, and a cast that comes after it is refused. The
    unique constraint on (voice, version) catches another version cast for the same voice while the
    checks ran: nothing is written, and the cast is checked again against that newer version.
    """
    consent_note = (consent_note or "").strip()
    pairs = None
    for _attempt in range(MAX_ATTEMPTS):
        found = _voice_for(ballot, voter, voice)
        latest = _checked_latest(found, voter, channel=channel, entered_by=entered_by, consent_note=consent_note,
                                 expected_version=expected_version)
        if pairs is None:
            pairs = choose_options(found.ballot, choices, found.options)
        assisted_by = entered_by if channel == Channel.ASSISTED else None
        participation = Participation(ballot=found.ballot, voice=found, version=(latest.version + 1) if latest else 1,
                                      user=voter, channel=channel, entered_by=assisted_by, consent_note=consent_note,
                                      batch=None, cast_at=timezone.now(), receipt="", paper=None)
        _seal(found.ballot, participation, pairs, found, extra)
        try:
            _write(found.ballot, participation, pairs)
        except IntegrityError:
            newest = Participation.objects.filter(voice=found).aggregate(m=Max("version"))["m"] or 0
            if newest == found.latest_version:  # not a newer version: a conflict of another kind
                break
            continue
        return participation
    raise ValidationError(_("Your vote has already been recorded."), code="already_voted")


# Each failed attempt means another version of the voice was stored meanwhile: a bound, not a wait.
MAX_ATTEMPTS = 100


def _checked_latest(voice: Voice, voter: User, *, channel: str, entered_by: User | None, consent_note: str,
                    expected_version: int | None) -> Participation | None:
    """Who may cast through which channel, and whether a vote may follow the voice's latest one (returned)."""
    ballot = voice.ballot
    if channel == Channel.ASSISTED:
        if entered_by is None or not _may_assist(entered_by, ballot, voice):
            raise PermissionDenied(_("Only an organizer or the floor leader may enter an assisted vote."))
        if not consent_note:
            raise ValidationError(_("Write down how the resident agreed to this assisted vote."),
                                  code="consent_required")
    elif channel != Channel.ONLINE:
        raise ValidationError(_("Paper sheets are entered in batches."), code="invalid_channel")
    latest = None
    if voice.latest_version:  # a change: the version it replaces
        latest = (Participation.objects.filter(voice=voice, version=voice.latest_version)
                  .only("version", "user_id", "channel", "receipt").first())
    if expected_version is not None and (latest.version if latest else 0) != expected_version:
        if latest is not None and latest.user_id == voter.pk:
            raise ValidationError(_("Your vote was already recorded (receipt %(r)s); nothing was changed.")
                                  % {"r": latest.receipt}, code="already_submitted")
        raise ValidationError(_("A vote was recorded for this voice in the meantime; nothing was changed. "
                                "Look at the ballot again before voting."), code="already_submitted")
    refusal = change_refusal(ballot, latest, voter_id=voter.pk, channel=channel) if latest is not None else None
    if refusal is not None:
        raise refusal
    return latest


def _voice_for(ballot: Ballot, voter: User, voice: Voice | None) -> Voice:
    """The voice ``voter`` holds on ``ballot`` (``voice`` if given and held), with the ballot as stored now.

    One query (``cast_sql.voice_for``), which also reads the ballot's options (``voice.options``).
    ``voice.latest_version`` is the newest version cast with it (0: none yet);
    ``voice.still_entitled``, whether the holder still has, now, what put them on the electorate
    at opening. The electorate is frozen at opening (who counts, and the denominator,
    never change), but a holder who has left the household or lost the role since cannot use the
    voice: rights lost end at once, even in a session opened before.
    """
    found, options = cast_sql.voice_for(ballot.pk, voter.pk, voice.pk if voice is not None else None)
    status = found.ballot.status if found else Ballot.objects.filter(pk=ballot.pk).values_list(
        "status", flat=True).first()
    if status != Ballot.Status.OPEN:
        raise ValidationError(_("This ballot is not open for voting."), code="not_open")
    if found is None:
        raise ValidationError(_("You are not on the electorate of this ballot."), code="not_entitled")
    if not found.still_entitled:
        raise ValidationError(_("You no longer hold the membership or role this ballot was opened for, so you "
                                "cannot vote on it."), code="no_longer_entitled")
    found.options = options
    return found


def _seal(ballot: Ballot, participation: Participation, pairs: list[tuple[Question, Option]], voice: Voice,
          extra) -> None:
    """Seal a secret ballot's paper into the register row, and take the receipt from its hash.

    The paper holds the choices, the floor area where the rule weighs it (so that the count never
    needs a per-paper weight outside the box) and the subject's ``extra``; every paper of the ballot
    is padded to the same size. A named ballot's receipt is random.
    """
    if not ballot.is_secret:
        participation.receipt = receipt_code()
        return
    area = f"{voice.floor_area:.2f}" if ballot.rule in Ballot.AREA_RULES and voice.floor_area is not None else None
    try:
        participation.paper = box.paper_seal(ballot.box_key, ballot.box_paper_size, [o.pk for _q, o in pairs],
                                             area, extra)
    except box.BoxError:
        raise ValidationError(_("What you wrote is too long for this ballot's paper."),
                              code="paper_too_large") from None
    participation.receipt = box.receipt_of(box.digest(participation.paper))


def _write(ballot: Ballot, participation: Participation, pairs: list[tuple[Question, Option]]) -> None:
    """Write the cast, all or nothing (``cast_sql.write``): the register row, a named ballot's choices,
    and last, the ballot row locked, the register chain entry.

    What does not depend on the register chain's head — the sealed paper, the register entry's
    text — is built first, so the transaction only runs statements.
    """
    payload = ledger.canonical(_register_entry(participation, pairs, named=not ballot.is_secret))
    choices = None if ballot.is_secret else (lambda: _named_choices_add(participation, pairs))
    try:
        cast_sql.write(participation, chain=ledger.ballot_chain(ballot.pk, "register"), payload=payload,
                       then=choices)
    except cast_sql.NotOpen:
        raise ValidationError(_("This ballot is not open for voting."), code="not_open") from None


def change_refusal(ballot: Ballot, latest: Participation, *, voter_id: int, channel: str) -> ValidationError | None:
    """Why a vote by ``voter_id`` through ``channel`` may not follow ``latest``, the voice's newest
    version, or None when it may. The one rule: the casting service raises it, and the ballot page
    asks it before showing the form (``views.voting.vote_state``)."""
    # The resident may override an assisted vote online even on a one-shot ballot.
    overrides_assisted = latest.channel == Channel.ASSISTED and channel == Channel.ONLINE
    if not ballot.allow_change and not overrides_assisted:
        return ValidationError(_("Your vote has already been recorded; this ballot does not allow changes."),
                               code="already_voted")
    if latest.channel == Channel.PAPER:
        return ValidationError(_("A paper ballot has been counted for you; it cannot be changed online."),
                               code="paper_is_final")
    if ballot.household_voice == Ballot.HouseholdVoice.FIRST_MEMBER and latest.user_id != voter_id:
        return ValidationError(_("Another member of your household has already voted; the first vote counts."),
                               code="household_voted")
    if channel == Channel.ASSISTED and latest.channel == Channel.ONLINE:
        return ValidationError(_("The resident has voted themselves; an assisted vote cannot replace it."),
                               code="voter_voted")
    return None


def _register_entry(participation: Participation, pairs: list[tuple[Question, Option]], *, named: bool) -> dict:
    register = {"voice": participation.voice.key, "version": participation.version,
                "user": participation.user_id, "channel": participation.channel,
                "entered_by": participation.entered_by_id, "consent_note": participation.consent_note,
                "batch": participation.batch_id,
                "at": participation.cast_at.isoformat(), "receipt": participation.receipt}
    if named:
        register["choices"] = [o.pk for _q, o in pairs]
    elif participation.paper is not None:
        register["paper"] = box.digest(participation.paper)
    return register


def _named_choices_add(participation: Participation, pairs: list[tuple[Question, Option]]) -> None:
    bulk_create_with_history([NamedChoice(participation=participation, question=q, option=o) for q, o in pairs],
                             NamedChoice, default_user=participation.entered_by or participation.user)


def record_contents(ballot: Ballot, participation: Participation, pairs: list[tuple[Question, Option]]) -> None:
    """Write what was voted and append it to the register chain, in the caller's transaction (paper batches).

    Named: choices hang on the participation. Secret: the register row only; the batch's sheets
    go into the box apart (``sheets_seal``), so that no row ties a sheet to a voter.
    """
    if not ballot.is_secret:
        _named_choices_add(participation, pairs)
    ledger.append(chain=ledger.ballot_chain(ballot.pk, "register"),
                  payload=_register_entry(participation, pairs, named=not ballot.is_secret))


def sheets_seal(ballot: Ballot, batch, sheets: list[tuple[list[tuple[Question, Option]], object]]) -> list[str]:
    """Seal a confirmed batch's sheets into the box, in a random order, in one statement; their hashes, sorted.

    ``sheets``: (pairs, floor area) of each sheet.
    """
    sealed = []
    for pairs, area in sheets:
        text_area = f"{area:.2f}" if ballot.rule in Ballot.AREA_RULES and area is not None else None
        sealed.append(box.paper_seal(ballot.box_key, ballot.box_paper_size, [o.pk for _q, o in pairs], text_area))
    secrets.SystemRandom().shuffle(sealed)
    SealedSheet.objects.bulk_create([SealedSheet(ballot=ballot, batch=batch, paper=paper) for paper in sealed])
    return sorted(box.digest(paper) for paper in sealed)
