"""Casting votes: online, assisted, and (in paper.py) paper sheets. One voice, whatever the channel."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from deliberation import ledger
from deliberation.models import (
    Ballot,
    Channel,
    NamedChoice,
    Option,
    Participation,
    Question,
    SecretChoice,
    SecretContent,
    Voice,
)
from deliberation.services.ballots import _locked
from members.models import Membership, Role, User
from members.permissions import can_manage_committee, roles_of

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def receipt_code() -> str:
    """A random receipt like K7QX-3MPA-9RTW (60 bits)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def voice_tag(ballot: Ballot, voice_key: str) -> str:
    """Ties a voice's secret ballot papers together without naming it (HMAC under SECRET_KEY)."""
    message = f"sanhui-voice:{ballot.pk}:{voice_key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def voices_of(ballot: Ballot, user: User) -> list[Voice]:
    return list(Voice.objects.filter(ballot=ballot, holders__user=user).order_by("key"))


def choose_options(ballot: Ballot, choices: dict[int, Iterable[int]]) -> list[tuple[Question, Option]]:
    """Check that every question is answered with allowed options; return (question, option) pairs."""
    questions = list(ballot.questions.prefetch_related("options"))
    pairs: list[tuple[Question, Option]] = []
    for question in questions:
        wanted = {int(o) for o in choices.get(question.pk, ()) if str(o).strip().isdigit()}
        options = {o.pk: o for o in question.options.all()}
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


@transaction.atomic
def vote_cast(*, ballot: Ballot, voter: User, choices: dict[int, Iterable[int]], channel: str = Channel.ONLINE,
              entered_by: User | None = None, consent_note: str = "", voice: Voice | None = None,
              expected_version: int | None = None) -> Participation:
    """Cast (or change) ``voter``'s vote; return the participation, whose receipt the voter keeps.

    ``expected_version`` is the version the voter saw when confirming (0: none yet). If a vote was
    recorded since, nothing is cast: a double submit of the confirmation page records one vote.
    """
    ballot = _locked(ballot)
    if ballot.status != Ballot.Status.OPEN:
        raise ValidationError(_("This ballot is not open for voting."), code="not_open")
    if voice is None:  # the voter's own voice: voices_of already finds only voices they hold
        voices = voices_of(ballot, voter)
        voice = voices[0] if voices else None
    elif voice.ballot_id != ballot.pk or not voice_held_by(voice, voter):
        voice = None
    if voice is None:
        raise ValidationError(_("You are not on the electorate of this ballot."), code="not_entitled")
    consent_note = (consent_note or "").strip()
    if channel == Channel.ASSISTED:
        if entered_by is None or not _may_assist(entered_by, ballot, voice):
            raise PermissionDenied(_("Only an organizer or the floor leader may enter an assisted vote."))
        if not consent_note:
            raise ValidationError(_("Write down how the resident agreed to this assisted vote."),
                                  code="consent_required")
    elif channel != Channel.ONLINE:
        raise ValidationError(_("Paper sheets are entered in batches."), code="invalid_channel")
    latest = Participation.objects.filter(voice=voice).order_by("-version").first()
    if expected_version is not None and (latest.version if latest else 0) != expected_version:
        if latest is not None and latest.user_id == voter.pk:
            raise ValidationError(_("Your vote was already recorded (receipt %(r)s); nothing was changed.")
                                  % {"r": latest.receipt}, code="already_submitted")
        raise ValidationError(_("A vote was recorded for this voice in the meantime; nothing was changed. "
                                "Look at the ballot again before voting."), code="already_submitted")
    if latest is not None:
        _guard_change(ballot, latest, voter, channel)
    pairs = choose_options(ballot, choices)
    now = timezone.now()
    participation = Participation(
        ballot=ballot, voice=voice, version=(latest.version + 1) if latest else 1, user=voter, channel=channel,
        entered_by=entered_by if channel == Channel.ASSISTED else None, consent_note=consent_note,
        cast_at=now, receipt=receipt_code())
    try:
        with transaction.atomic():
            participation.save()
    except IntegrityError:
        raise ValidationError(_("Your vote has already been recorded."), code="already_voted") from None
    record_contents(ballot, participation, pairs, tag=voice_tag(ballot, voice.key), floor_area=voice.floor_area)
    return participation


def voice_held_by(voice: Voice, user: User) -> bool:
    return voice.holders.filter(user=user).exists()


def _guard_change(ballot: Ballot, latest: Participation, voter: User, channel: str) -> None:
    # The resident may override an assisted vote online even on a one-shot ballot.
    overrides_assisted = latest.channel == Channel.ASSISTED and channel == Channel.ONLINE
    if not ballot.allow_change and not overrides_assisted:
        raise ValidationError(_("Your vote has already been recorded; this ballot does not allow changes."),
                              code="already_voted")
    if latest.channel == Channel.PAPER:
        raise ValidationError(_("A paper ballot has been counted for you; it cannot be changed online."),
                              code="paper_is_final")
    if ballot.household_voice == Ballot.HouseholdVoice.FIRST_MEMBER and latest.user_id != voter.pk:
        raise ValidationError(_("Another member of your household has already voted; the first vote counts."),
                              code="household_voted")
    if channel == Channel.ASSISTED and latest.channel == Channel.ONLINE:
        raise ValidationError(_("The resident has voted themselves; an assisted vote cannot replace it."),
                              code="voter_voted")


def record_contents(ballot: Ballot, participation: Participation, pairs: list[tuple[Question, Option]], *,
                    tag: str, floor_area) -> None:
    """Write what was voted and append it to the ledger, in the caller's transaction.

    Named: choices hang on the participation. Secret: an anonymous paper (random id, the day only)
    in its own table and its own chain; nothing links it to the register.
    """
    register = {"voice": participation.voice.key, "version": participation.version,
                "user": participation.user_id, "channel": participation.channel,
                "entered_by": participation.entered_by_id, "consent_note": participation.consent_note,
                "batch": participation.batch_id,
                "at": participation.cast_at.isoformat(), "receipt": participation.receipt}
    if not ballot.is_secret:
        bulk_create_with_history([NamedChoice(participation=participation, question=q, option=o)
                                  for q, o in pairs], NamedChoice,
                                 default_user=participation.entered_by or participation.user)
        register["choices"] = [o.pk for _q, o in pairs]
        ledger.append(chain=ledger.ballot_chain(ballot.pk, "register"), payload=register)
        return
    ledger.append(chain=ledger.ballot_chain(ballot.pk, "register"), payload=register)
    if pairs:
        secret_content_add(ballot, pairs, tag=tag, floor_area=floor_area)


def secret_content_add(ballot: Ballot, pairs: list[tuple[Question, Option]], *, tag: str, floor_area) -> None:
    """Write one anonymous paper. It joins the contents chain at close (``seal_contents``), not now."""
    version = (SecretContent.objects.filter(ballot=ballot, voice_tag=tag).aggregate(m=Max("version"))["m"] or 0) + 1
    area = floor_area if ballot.rule in Ballot.AREA_RULES else None
    content = SecretContent.objects.create(ballot=ballot, version=version, voice_tag=tag,
                                           cast_on=timezone.localdate(), floor_area=area)
    SecretChoice.objects.bulk_create([SecretChoice(content=content, question=q, option=o) for q, o in pairs])
