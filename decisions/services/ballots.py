"""Create, set up and move ballots through draft → open → closed → published (or cancelled)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, Model, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from decisions import ledger, rules, subjects
from decisions.models import (
    Ballot,
    LedgerEntry,
    Option,
    PaperBatch,
    Participation,
    Question,
    SecretChoice,
    SecretContent,
    Voice,
    VoiceHolder,
)
from members.models import Committee, Household, Membership, Notification, Role, User
from members.notifications import notify
from members.services import require_organizer_or_system as _require_organizer
from members.services import stamp as _stamp


@dataclass(frozen=True)
class OptionSpec:
    label: str
    meaning: str = Option.Meaning.OTHER
    weight: Decimal | None = None
    excluded: bool = False


def default_options(kind: str) -> list[OptionSpec]:
    """同意 / 反对 / 弃权 for a choice; 满意 / 基本满意 / 不满意 / 不了解 (100 / 60 / 0 / excluded) for a rating."""
    if kind == Question.Kind.RATING:
        return [OptionSpec("满意", weight=Decimal(100)), OptionSpec("基本满意", weight=Decimal(60)),
                OptionSpec("不满意", weight=Decimal(0)), OptionSpec("不了解", excluded=True)]
    return [OptionSpec("同意", Option.Meaning.YES), OptionSpec("反对", Option.Meaning.NO),
            OptionSpec("弃权", Option.Meaning.ABSTAIN)]


def _locked(ballot: Ballot) -> Ballot:
    """Lock the ballot row: casting, closing and publishing are serialised per ballot."""
    return Ballot.objects.select_for_update(of=("self",)).select_related("committee").get(pk=ballot.pk)


def _require_draft(ballot: Ballot) -> None:
    if ballot.status != Ballot.Status.DRAFT:
        raise ValidationError(_("Questions, options, electorate, secrecy and rules are frozen once a "
                                "ballot is open."), code="frozen")


# --- Drafting ------------------------------------------------------------------------

def quorum_check(*, rule: str, quorum: Decimal | None, reason: str = "") -> tuple[Decimal, bool, str]:
    """The quorum a new ballot gets: (share, whether turnout must exceed it, the reason kept).

    No quorum given means the rule's default. A share below the default needs a reason. Turnout must
    exceed any share below 100% ("more than half"); a 100% quorum is reached when everyone takes part.
    """
    default = Ballot.default_quorum(rule)
    try:
        quorum = default if quorum is None else Decimal(quorum).quantize(Decimal("0.0001"))
    except ArithmeticError:
        raise ValidationError(_("The quorum is a share between 0 and 100%."), code="invalid_quorum") from None
    if not (Decimal(0) <= quorum <= Decimal(1)):
        raise ValidationError(_("The quorum is a share between 0 and 100%."), code="invalid_quorum")
    reason = " ".join((reason or "").split())[:300]
    if quorum >= default:
        reason = ""
    elif not reason:
        raise ValidationError(
            _("A quorum lower than the default (%(q)s of the voices) needs a reason; it is shown with the ballot and "
              "its result.")
            % {"q": rules.quorum_text(default, more_than=True)}, code="quorum_reason_required")
    return quorum, Decimal(0) < quorum < Decimal(1), reason


@transaction.atomic
def ballot_create(*, committee: Committee, by: User | None, title: str, description: str = "",
                  secrecy: str = Ballot.Secrecy.SECRET, electorate: str = Ballot.Electorate.RESIDENT_REPS,
                  household_voice: str = Ballot.HouseholdVoice.REPRESENTATIVE, compound=None, building=None,
                  rule: str = Ballot.Rule.SIMPLE_MAJORITY, quorum: Decimal | None = None,
                  quorum_reason: str = "", allow_change: bool = True, opens_at=None, closes_at=None,
                  subject: Model | None = None, question: str | None = None,
                  question_kind: str = Question.Kind.SINGLE) -> Ballot:
    """Draft a ballot with one question (the title, unless ``question`` is given).

    ``quorum`` defaults to the rule's (``Ballot.default_quorum``); a lower one needs ``quorum_reason``,
    which the ballot's pages and its result show.
    """
    _require_organizer(by, committee)
    if not (title or "").strip():
        raise ValidationError(_("Give the ballot a title."), code="title_required")
    # An unknown secrecy would otherwise make a named ballot (is_secret is False) without a word.
    if secrecy not in Ballot.Secrecy.values or electorate not in Ballot.Electorate.values or (
            household_voice not in Ballot.HouseholdVoice.values or rule not in Ballot.Rule.values):
        raise ValidationError(_("Choose the secrecy, electorate and rule among those offered."),
                              code="invalid_choice")
    if building is not None and building.compound.committee_id != committee.pk or (
            compound is not None and compound.committee_id != committee.pk) or (
            compound is not None and building is not None and building.compound_id != compound.pk):
        raise ValidationError(_("The compound or building must belong to this committee."), code="foreign_place")
    if rule in Ballot.AREA_RULES and electorate != Ballot.Electorate.HOUSEHOLDS:
        raise ValidationError(_("Civil Code art. 278 counts floor area: choose one voice per household."),
                              code="art278_needs_households")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError(_("The ballot must close after it opens."), code="closes_before_opening")
    quorum, more_than, quorum_reason = quorum_check(rule=rule, quorum=quorum, reason=quorum_reason)
    ballot = Ballot(committee=committee, title=title.strip(), description=description, secrecy=secrecy,
                    electorate=electorate, household_voice=household_voice, compound=compound,
                    building=building, rule=rule, quorum=quorum, quorum_more_than=more_than,
                    quorum_reason=quorum_reason, allow_change=allow_change,
                    opens_at=opens_at, closes_at=closes_at, created_by=by)
    if subject is not None:
        ballot.subject = subject
    _stamp(ballot, by).save()
    question_add(ballot=ballot, by=by, text=question or ballot.title, kind=question_kind)
    return ballot


@transaction.atomic
def question_add(*, ballot: Ballot, by: User | None, text: str, kind: str = Question.Kind.SINGLE,
                 max_choices: int = 1, options: list[OptionSpec] | None = None) -> Question:
    """Add a question (with default options for its kind unless ``options`` are given)."""
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    _require_draft(ballot)
    options = options if options is not None else default_options(kind)
    if len(options) < 2:
        raise ValidationError(_("A question needs at least two options."), code="too_few_options")
    if kind == Question.Kind.MULTIPLE and not (1 <= max_choices <= len(options)):
        raise ValidationError(_("The maximum number of choices must be between 1 and the number of options."),
                              code="invalid_max_choices")
    if kind == Question.Kind.MULTIPLE and max_choices > 1 and any(
            spec.meaning != Option.Meaning.OTHER for spec in options):
        # Ticking "for" and "against" together would count one voice twice in the decision rule.
        raise ValidationError(_("Only one of for, against and abstain can be chosen: give a multiple-choice "
                                "question its own options."), code="multiple_for_against")
    position = (ballot.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    question = _stamp(Question(ballot=ballot, position=position, text=text.strip(), kind=kind,
                               max_choices=max_choices if kind == Question.Kind.MULTIPLE else 1), by)
    question.save()
    for i, spec in enumerate(options, start=1):
        _stamp(Option(question=question, position=i, label=spec.label, meaning=spec.meaning,
                      weight=spec.weight, excluded=spec.excluded), by).save()
    return question


@transaction.atomic
def question_remove(*, question: Question, by: User | None) -> None:
    """Remove a question (and its options) from a draft, e.g. to fix a typo; a ballot keeps one at least."""
    ballot = _locked(question.ballot)
    _require_organizer(by, ballot.committee)
    _require_draft(ballot)
    if ballot.questions.count() <= 1:
        raise ValidationError(_("A ballot needs at least one question: add the corrected one first."),
                              code="last_question")
    question = Question.objects.get(pk=question.pk)
    for option in question.options.all():
        _stamp(option, by).delete()
    _stamp(question, by).delete()


@transaction.atomic
def ballot_set_named_voters(*, ballot: Ballot, by: User | None, users: list[User]) -> Ballot:
    """Choose the people of a named-list electorate (draft only)."""
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    _require_draft(ballot)
    # The m2m history row takes its user from the instance whose manager is changed.
    _stamp(ballot, by).named_voters.set(users)
    return ballot


# --- Electorate snapshot -------------------------------------------------------------------

def _households(ballot: Ballot):
    qs = Household.objects.filter(building__compound__committee=ballot.committee)
    if ballot.building_id:
        qs = qs.filter(building_id=ballot.building_id)
    elif ballot.compound_id:
        qs = qs.filter(building__compound_id=ballot.compound_id)
    return qs


def _electorate(ballot: Ballot) -> list[tuple[str, Household | None, list[int]]]:
    """(voice key, household, holder user ids) for everyone entitled right now."""
    E = Ballot.Electorate
    verified = Membership.objects.filter(status=Membership.Status.VERIFIED,
                                         household__in=_households(ballot))
    if ballot.electorate == E.HOUSEHOLDS:
        holders: dict[int, list[int]] = {}
        members = verified
        if ballot.household_voice == Ballot.HouseholdVoice.REPRESENTATIVE:
            members = members.filter(is_representative=True)
        for household_id, user_id in members.values_list("household_id", "user_id"):
            holders.setdefault(household_id, []).append(user_id)
        households = Household.objects.in_bulk(list(holders))
        return [(f"h{hid}", households[hid], sorted(uids)) for hid, uids in holders.items()]
    if ballot.electorate == E.RESIDENTS:
        user_ids = set(verified.values_list("user_id", flat=True))
    elif ballot.electorate == E.NAMED_LIST:
        user_ids = set(ballot.named_voters.values_list("pk", flat=True))
    else:
        kind = Ballot.ELECTORATE_ROLES[ballot.electorate]
        user_ids = set(Role.objects.filter(kind=kind, committee=ballot.committee).values_list("user_id", flat=True))
    return [(f"u{uid}", None, [uid]) for uid in user_ids]


def snapshot_text(rows: list[tuple[str, str | None, list[int]]]) -> str:
    """The canonical text hashed for the snapshot: one line per voice, sorted."""
    return "\n".join(f"{key};{area or ''};{','.join(map(str, holders))}" for key, area, holders in sorted(rows))


def _take_snapshot(ballot: Ballot) -> None:
    electorate = _electorate(ballot)
    if not electorate:
        raise ValidationError(_("Nobody is entitled to vote on this ballot yet."), code="empty_electorate")
    rows = []
    for key, household, holder_ids in sorted(electorate, key=lambda row: row[0]):
        area = household.floor_area if household is not None else None
        voice = Voice.objects.create(ballot=ballot, key=key, household=household, floor_area=area)
        VoiceHolder.objects.bulk_create([VoiceHolder(voice=voice, user_id=uid) for uid in holder_ids])
        rows.append((key, f"{area:.2f}" if area is not None else None, holder_ids))
    ballot.electorate_size = len(rows)
    areas = [household.floor_area for _k, household, _h in electorate if household is not None]
    ballot.electorate_area = sum(areas, Decimal(0)) if areas else None
    ballot.snapshot_hash = hashlib.sha256(snapshot_text(rows).encode()).hexdigest()


# --- Lifecycle ---------------------------------------------------------------------------

def seal_contents(ballot: Ballot) -> None:
    """Chain every paper of a secret ballot, in the order of their random ids (at close or cancel).

    Appending at cast time would put the contents chain in the register's order, which lines the
    two up; sorted by random id, the chain says nothing about who cast which paper.
    """
    chain = ledger.ballot_chain(ballot.pk, "contents")
    if not ballot.is_secret or ballot.is_sealed or LedgerEntry.objects.filter(chain=chain).exists():
        return
    for content in (SecretContent.objects.filter(ballot=ballot).order_by("id")
                    .prefetch_related(Prefetch("choices", queryset=SecretChoice.objects.order_by("option_id")))):
        ledger.append(chain=chain, payload={
            "content": str(content.pk), "version": content.version, "tag": content.voice_tag,
            "day": content.cast_on.isoformat(),
            "area": str(content.floor_area) if content.floor_area is not None else None,
            "choices": [choice.option_id for choice in content.choices.all()]})


def chain_heads(ballot: Ballot) -> dict:
    chains = [ledger.ballot_chain(ballot.pk), ledger.ballot_chain(ballot.pk, "register")]
    if ballot.is_secret and not ballot.is_sealed:
        chains.append(ledger.ballot_chain(ballot.pk, "contents"))
    return {chain: ledger.head(chain) for chain in chains}


def _event(ballot: Ballot, event: str, by: User | None, **extra) -> LedgerEntry:
    from decisions import anchoring

    entry = ledger.append(chain=ledger.ballot_chain(ballot.pk), payload={
        "event": event, "ballot": ballot.pk, "by": by.pk if by else None,
        "at": timezone.now().isoformat(), **extra})
    anchoring.anchor_event(ballot, entry)  # time-stamped outside the database after the commit
    return entry


def _send_heads(ballot: Ballot, event: str) -> None:
    """After the commit, send the chain heads as they stand after ``event`` to the scrutineers and the
    street office (call right after the event is appended)."""
    from decisions import notice

    notice.heads_send(ballot=ballot, event=event, heads=chain_heads(ballot))


@transaction.atomic
def ballot_open(*, ballot: Ballot, by: User | None) -> Ballot:
    """Open voting: freeze questions, electorate (snapshot and its hash), secrecy and rules."""
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    guard_move(ballot, Ballot.Status.OPEN)
    questions = list(ballot.questions.prefetch_related("options"))
    if not questions:
        raise ValidationError(_("Add at least one question before opening."), code="no_questions")
    if ballot.rule not in (Ballot.Rule.NONE,) and not any(
            o.meaning == Option.Meaning.YES for q in questions for o in q.options.all()):
        raise ValidationError(_("The decision rule needs a question with a “for” option."), code="no_yes_option")
    _take_snapshot(ballot)
    new_cards = {}
    if ballot.is_secret:
        from decisions.services.box import box_seal

        new_cards = box_seal(ballot, by)
    ballot.status = Ballot.Status.OPEN
    ballot.opened_at = timezone.now()
    _event(ballot, "opened", by, snapshot=ballot.snapshot_hash, voices=ballot.electorate_size,
           area=str(ballot.electorate_area) if ballot.electorate_area is not None else None,
           secrecy=ballot.secrecy, rule=ballot.rule, quorum=str(ballot.quorum), allow_change=ballot.allow_change,
           # Written only when set, so the opening entries of older ballots keep their exact form.
           **({"quorum_more_than": True} if ballot.quorum_more_than else {}),
           **({"quorum_reason": ballot.quorum_reason} if ballot.quorum_reason else {}),
           box={"key": ballot.box_key, "threshold": ballot.box_threshold, "paper_size": ballot.box_paper_size,
                "scrutineers": list(ballot.scrutineers.order_by("position").values_list("user_id", "card_key"))}
           if ballot.is_sealed else None,
           questions=[{"id": q.pk, "text": q.text, "kind": q.kind, "max": q.max_choices,
                       "options": [{"id": o.pk, "label": o.label, "meaning": o.meaning,
                                    "weight": str(o.weight) if o.weight is not None else None,
                                    "excluded": o.excluded} for o in q.options.all()]} for q in questions])
    _send_heads(ballot, "opened")
    ballot.heads_at_open = chain_heads(ballot)
    _stamp(ballot, by).save(update_fields=["status", "opened_at", "electorate_size", "electorate_area",
                                           "snapshot_hash", "heads_at_open", "box_key", "box_threshold",
                                           "box_paper_size"])
    _tell(ballot, VoiceHolder.objects.filter(voice__ballot=ballot).values_list("user_id", flat=True),
          kind=Notification.Kind.OPENING, message="ballot_open_until" if ballot.closes_at else "ballot_open")
    # The cards made now for an organizer who opened with no scrutineer named: shown to them once.
    ballot.new_cards = new_cards
    return ballot


@transaction.atomic
def ballot_close(*, ballot: Ballot, by: User | None) -> Ballot:
    """Stop voting; record the ledger heads as they stand at close."""
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    guard_move(ballot, Ballot.Status.CLOSED)
    seal_contents(ballot)
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_at = timezone.now()
    # The vote chains end here; their heads go into the lifecycle chain too, not only the ballot row.
    vote_heads = {chain: head for chain, head in chain_heads(ballot).items() if chain != ledger.ballot_chain(ballot.pk)}
    extra = {}
    if ballot.is_sealed:
        from decisions.services.box import box_deadline, box_summary, box_tell_closed

        extra["box"] = box_summary(ballot)
        ballot.box_expires_at = box_deadline(ballot.closed_at)
        box_tell_closed(ballot)
    _event(ballot, "closed", by, heads=vote_heads, **extra)
    _send_heads(ballot, "closed")
    ballot.heads_at_close = chain_heads(ballot)
    _stamp(ballot, by).save(update_fields=["status", "closed_at", "heads_at_close", "box_expires_at"])
    return ballot


@transaction.atomic
def ballot_publish(*, ballot: Ballot, by: User | None) -> Ballot:
    """Publish the result, counted from the stored ballots and kept for verify_audit."""
    from decisions.selectors import result_payload

    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    guard_move(ballot, Ballot.Status.PUBLISHED)
    if ballot.is_sealed and ballot.box_opened_at is None:
        raise ValidationError(_("The scrutineers have not opened the ballot box yet: there is nothing to publish."),
                              code="box_not_opened")
    ballot.result = result_payload(ballot)
    ballot.status = Ballot.Status.PUBLISHED
    ballot.published_at = timezone.now()
    if ballot.is_sealed:
        # A recount stays possible until the period for objections ends; then the box shuts for ever.
        from decisions.services.box import box_deadline

        ballot.box_expires_at = box_deadline(ballot.published_at)
    _event(ballot, "published", by, result=ballot.result, heads_at_close=ballot.heads_at_close)
    _send_heads(ballot, "published")
    _stamp(ballot, by).save(update_fields=["status", "published_at", "result", "box_expires_at"])
    _tell(ballot, VoiceHolder.objects.filter(voice__ballot=ballot).values_list("user_id", flat=True),
          kind=Notification.Kind.RESULT, message="ballot_result",
          url=reverse("decisions:ballot_results", args=[ballot.pk]))
    return ballot


@transaction.atomic
def ballot_cancel(*, ballot: Ballot, by: User | None, reason: str) -> Ballot:
    """Cancel a ballot that has not been published, with a reason everyone sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for cancelling."), code="reason_required")
    ballot = _locked(ballot)
    _require_organizer(by, ballot.committee)
    guard_move(ballot, Ballot.Status.CANCELLED)
    seal_contents(ballot)  # a cancelled ballot's papers are kept and chained too
    if ballot.is_sealed:
        from decisions.services.box import box_drop_shares

        box_drop_shares(ballot)  # a cancelled ballot's box is never opened
    ballot.status = Ballot.Status.CANCELLED
    ballot.cancelled_at = timezone.now()
    ballot.cancel_reason = reason[:300]
    _event(ballot, "cancelled", by, reason=ballot.cancel_reason)
    _stamp(ballot, by).save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return ballot


# --- Notifications -------------------------------------------------------------------------
REMINDER_BEFORE = timedelta(hours=24)


def presented_by_subject(ballot: Ballot) -> bool:
    """True when the ballot's subject (a party topic, a floor consultation, an evaluation campaign)
    presents the vote through its own pages and notices, so the core must not announce it again."""
    return subjects.of(ballot).presents_its_own_ballot


def _tell(ballot: Ballot, user_ids, *, kind: str, message: str, url: str = "") -> list[Notification]:
    """Notify these people about ``ballot`` (``message`` of ``members.notification_texts``); once per person,
    kind and ballot (the key).

    A ballot presented by its subject gets only the closing reminder from here, pointing at the
    subject's own voting page (``voting_url``) when it has one.
    """
    if presented_by_subject(ballot):
        if kind != Notification.Kind.REMINDER:
            return []
        url = url or subjects.of(ballot).voting_url(ballot)
    closes = timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M") if ballot.closes_at else ""
    params = {"title": ballot.title, "committee": ballot.committee.name, "closes": closes}
    return notify(users=list(user_ids), kind=kind, message=message, params=params,
                  url=url or ballot.get_absolute_url(), dedupe_key=f"{kind}:ballot:{ballot.pk}",
                  committee=ballot.committee_id)


def not_voted_user_ids(ballot: Ballot) -> set[int]:
    """The people holding a voice that has not taken part in any channel (from the register only).

    A voice used by another member of the household counts as taken part; so does a voice whose
    holder handed in a paper sheet that waits in a batch for its second organizer.
    """
    took_part = Participation.objects.filter(voice=OuterRef("voice"))
    rows = list(VoiceHolder.objects.filter(voice__ballot=ballot).exclude(Exists(took_part))
                .values_list("voice_id", "user_id"))
    handed_in = set(PaperBatch.voters.through.objects.filter(
        paperbatch__ballot=ballot, paperbatch__status=PaperBatch.Status.PENDING).values_list("user_id", flat=True))
    in_batch = {voice_id for voice_id, user_id in rows if user_id in handed_in}
    return {user_id for voice_id, user_id in rows if voice_id not in in_batch}


@transaction.atomic
def ballot_remind(*, ballot: Ballot) -> list[Notification]:
    """Remind everyone who has not voted on an open ballot; each person once, however often it runs."""
    ballot = _locked(ballot)  # two runs of the job queue here; the second finds everyone told
    if ballot.status != Ballot.Status.OPEN:
        raise ValidationError(_("Only an open ballot has voters to remind; this one is %(s)s.")
                              % {"s": ballot.get_status_display()}, code="not_open")
    return _tell(ballot, not_voted_user_ids(ballot), kind=Notification.Kind.REMINDER, message="ballot_reminder")


def ballots_send_reminders(*, now=None) -> list[tuple[Ballot, int]]:
    """Remind the non-voters of every open ballot closing within 24 hours (run with the schedule).

    A ballot opened less than 24 hours before its close gets no reminder: the opening notice,
    which says when it closes, went out moments before.
    """
    now = now or timezone.now()
    reminded = []
    for ballot in Ballot.objects.filter(status=Ballot.Status.OPEN, closes_at__gt=now,
                                        closes_at__lte=now + REMINDER_BEFORE,
                                        opened_at__lt=F("closes_at") - REMINDER_BEFORE).order_by("closes_at", "pk"):
        try:
            reminded.append((ballot, len(ballot_remind(ballot=ballot))))
        except ValidationError:  # closed or cancelled since it was listed
            continue
    return reminded


def ballots_run_schedule(*, now=None) -> list[Ballot]:
    """Open and close ballots whose scheduled time has come (run every minute from cron)."""
    now = now or timezone.now()
    moved = []
    for ballot in Ballot.objects.filter(status=Ballot.Status.DRAFT, opens_at__lte=now):
        try:
            moved.append(ballot_open(ballot=ballot, by=None))
        except ValidationError:
            continue
    for ballot in Ballot.objects.filter(status=Ballot.Status.OPEN, closes_at__lte=now):
        try:
            moved.append(ballot_close(ballot=ballot, by=None))
        except ValidationError:  # cancelled since it was listed: one ballot must not stop the rest
            continue
    from decisions.services.box import boxes_expire

    moved += boxes_expire(now=now)
    return moved
