"""Create campaigns (one committee, or a whole street at once) and move them through their lifecycle.

A campaign's sheets are one secret ballot of the decision core: one rating question per
evaluatee × dimension, the campaign's scale as options. The ballot is built as a draft when the
campaign's scrutineers are named (or when it opens): its papers are sealed in a ballot box that
only the scrutineers (监票人) can open together, after the sheets close. If nobody was named, the
person who opens the sheets becomes the only scrutineer, and their card is shown to them once.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from config.lifecycle import guard_move
from decisions import services as core
from decisions.models import Ballot, Question, Scrutineer, VoiceHolder
from evaluations.models import Campaign, Dimension, Evaluatee, EvaluateeKind, Launch, Level, SheetItem
from evaluations.permissions import can_run
from members.models import Agency, Committee, Notification, Role, Street, User
from members.notifications import notify
from members.permissions import can_manage_committee, can_view_street
from members.services import stamp as _stamp

# Defaults shown in the form; the campaign keeps its own copy, editable per campaign.
DEFAULT_DIMENSIONS = [pgettext_lazy("evaluation dimension", "Service attitude"),
                      pgettext_lazy("evaluation dimension", "Efficiency"),
                      pgettext_lazy("evaluation dimension", "Integrity"),
                      pgettext_lazy("evaluation dimension", "Results")]


@dataclass(frozen=True)
class LevelSpec:
    label: str
    weight: Decimal | None
    excluded: bool = False


DEFAULT_LEVELS = [LevelSpec("满意", Decimal(100)), LevelSpec("基本满意", Decimal(60)),
                  LevelSpec("不满意", Decimal(0)), LevelSpec("不了解", None, excluded=True)]


@dataclass
class CampaignSettings:
    """What the campaign form sets; the same for one committee or a whole street."""

    year: int
    title: str
    evaluators: str = Campaign.Evaluators.RESIDENT_REPS
    include_committee: bool = False
    allow_change: bool = True
    quorum: Decimal = Decimal("0.5")
    rate_formula: str = Campaign.RateFormula.SATISFIED_AND_BASIC
    rectification_threshold: Decimal = Decimal("20")
    rectify_all: bool = False
    session_at: object = None
    session_place: str = ""
    opens_at: object = None
    closes_at: object = None
    dimensions: dict[str, list[str]] = field(default_factory=dict)
    levels: list[LevelSpec] = field(default_factory=lambda: list(DEFAULT_LEVELS))


def _core_by(by: User | None, committee: Committee) -> User | None:
    """The acting user for the core, which checks organizers; a street officer acts through us (checked)."""
    return by if by is not None and can_manage_committee(by, committee) else None


def _require_runner(by: User | None, committee: Committee) -> None:
    if by is not None and not can_run(by, committee):
        raise PermissionDenied(_("Only organizers of %(c)s or officers of its street may do this.")
                               % {"c": committee})


def _check_settings(s: CampaignSettings) -> None:
    if not (s.title or "").strip():
        raise ValidationError(_("Give the campaign a title."), code="title_required")
    if not (2000 <= int(s.year) <= 2100):
        raise ValidationError(_("Give a year between 2000 and 2100."), code="invalid_year")
    if s.evaluators not in Campaign.Evaluators.values or s.rate_formula not in Campaign.RateFormula.values:
        raise ValidationError(_("Choose the evaluators and the rate among those offered."), code="invalid_choice")
    if not (Decimal(0) <= Decimal(s.quorum) < Decimal(1)):
        raise ValidationError(_("The quorum is a share from 0 to under 100%."), code="invalid_quorum")
    if not (Decimal(0) <= Decimal(s.rectification_threshold) <= Decimal(100)):
        raise ValidationError(_("The threshold is a percentage from 0 to 100."), code="invalid_threshold")
    if s.opens_at and s.closes_at and s.closes_at <= s.opens_at:
        raise ValidationError(_("The online window must close after it opens."), code="closes_before_opening")
    levels = s.levels
    if len(levels) < 2 or not any(not lv.excluded for lv in levels):
        raise ValidationError(_("The scale needs at least two levels, one of them counted."), code="invalid_scale")
    if any(not lv.excluded and lv.weight is None for lv in levels) or len({lv.label for lv in levels}) != len(levels):
        raise ValidationError(_("Every counted level needs a weight, and labels must differ."), code="invalid_scale")
    for kind, names in s.dimensions.items():
        if kind not in EvaluateeKind.values or not names or len(set(names)) != len(names):
            raise ValidationError(_("Every kind of evaluatee needs at least one dimension, without repeats."),
                                  code="invalid_dimensions")


def evaluatees_of(committee: Committee, include_committee: bool) -> list[tuple[str, Agency | None, str]]:
    """(kind, agency, name) of who serves the committee: stationed agencies, property firms, the work station."""
    serving = list(Agency.objects.filter(committees=committee).order_by("kind", "name"))
    firms = list(Agency.objects.filter(compounds__committee=committee, kind=Agency.Kind.PROPERTY_FIRM)
                 .distinct().order_by("name"))
    rows = [(EvaluateeKind.STATIONED, a, a.name) for a in serving if a.kind in Agency.STATIONED_KINDS]
    rows += [(EvaluateeKind.PROPERTY_FIRM, a, a.name) for a in firms]
    rows += [(EvaluateeKind.WORK_STATION, a, a.name) for a in serving if a.kind == Agency.Kind.WORK_STATION]
    if include_committee:
        rows.append((EvaluateeKind.COMMITTEE, None, committee.name))
    return rows


def _create_one(committee: Committee, by: User, s: CampaignSettings, launch: Launch | None) -> Campaign:
    if Campaign.objects.filter(committee=committee, year=s.year).exclude(status=Campaign.Status.CANCELLED).exists():
        raise ValidationError(_("%(c)s already has an evaluation for %(y)s.") % {"c": committee, "y": s.year},
                              code="campaign_exists")
    evaluatees = evaluatees_of(committee, s.include_committee)
    if not evaluatees:
        raise ValidationError(_("No agency, property firm or work station serves %(c)s: there is nobody to "
                                "evaluate.") % {"c": committee}, code="no_evaluatees")
    campaign = _stamp(Campaign(
        committee=committee, year=s.year, title=s.title.strip(), launch=launch, evaluators=s.evaluators,
        allow_change=s.allow_change, quorum=s.quorum, rate_formula=s.rate_formula,
        rectification_threshold=s.rectification_threshold, rectify_all=s.rectify_all, session_at=s.session_at,
        session_place=(s.session_place or "").strip(), opens_at=s.opens_at, closes_at=s.closes_at,
        created_by=by), by)
    campaign.save()
    for i, (kind, agency, name) in enumerate(evaluatees, start=1):
        _stamp(Evaluatee(campaign=campaign, kind=kind, agency=agency, name=name, position=i), by).save()
    kinds = {kind for kind, _a, _n in evaluatees}
    for kind in sorted(kinds):
        names = s.dimensions.get(kind) or [str(d) for d in DEFAULT_DIMENSIONS]
        for i, name in enumerate(names, start=1):
            _stamp(Dimension(campaign=campaign, kind=kind, name=name.strip(), position=i), by).save()
    for i, spec in enumerate(s.levels, start=1):
        _stamp(Level(campaign=campaign, label=spec.label, weight=None if spec.excluded else spec.weight,
                     excluded=spec.excluded, position=i), by).save()
    return campaign


@transaction.atomic
def campaign_create(*, committee: Committee, by: User, settings: CampaignSettings) -> Campaign:
    """Draft a campaign for one committee with its evaluatees, dimensions and scale."""
    _require_runner(by, committee)
    _check_settings(settings)
    return _create_one(committee, by, settings, None)


@transaction.atomic
def campaign_launch(*, street: Street, by: User, settings: CampaignSettings, open_now: bool = False) -> Launch:
    """Create the same campaign for every committee of the street (those without one this year).

    ``open_now`` opens every one at once, with the officer as the only scrutineer of each (their cards
    in ``launch.new_cards``); otherwise each committee names its scrutineers, then opens.
    """
    if not can_view_street(by, street):
        raise PermissionDenied(_("Only officers of %(s)s may launch its evaluations.") % {"s": street})
    _check_settings(settings)
    committees = list(Committee.objects.filter(street=street).select_related("street").order_by("name"))
    taken = set(Campaign.objects.filter(committee__in=committees, year=settings.year)
                .exclude(status=Campaign.Status.CANCELLED).values_list("committee_id", flat=True))
    todo = [c for c in committees if c.pk not in taken]
    if not todo:
        raise ValidationError(_("Every committee of %(s)s already has an evaluation for %(y)s.")
                              % {"s": street, "y": settings.year}, code="campaign_exists")
    launch = _stamp(Launch(street=street, year=settings.year, launched_by=by), by)
    launch.save()
    # Opened now, no campaign has scrutineers: the officer is the only one of each, with one card per
    # committee ({campaign id: code}), for the launch page to show once.
    launch.new_cards = {}
    for committee in todo:
        try:
            campaign = _create_one(committee, by, settings, launch)
            if open_now:
                campaign = campaign_open(campaign=campaign, by=by)
                if campaign.new_card:
                    launch.new_cards[campaign.pk] = campaign.new_card
        except ValidationError as error:
            # Nothing is launched (the transaction rolls back); say which committee stopped it.
            raise ValidationError(_("%(c)s: %(e)s Nothing was launched.") % {"c": committee,
                                                                              "e": " ".join(error.messages)},
                                  code=getattr(error, "code", None) or "launch_failed") from error
    return launch


def _ballot_build(campaign: Campaign, by: User | None) -> Ballot:
    """The campaign's secret ballot in draft (evaluatee × dimension questions), built once (campaign locked)."""
    if campaign.ballot_id is not None:
        return campaign.ballot
    core_by = _core_by(by, campaign.committee)
    levels = list(campaign.levels.order_by("position"))
    options = [core.OptionSpec(lv.label, weight=lv.weight, excluded=lv.excluded) for lv in levels]
    dimensions: dict[str, list[Dimension]] = {}
    for dimension in campaign.dimensions.order_by("kind", "position"):
        dimensions.setdefault(dimension.kind, []).append(dimension)
    ballot = core.ballot_create(
        committee=campaign.committee, by=core_by, title=campaign.title, secrecy=Ballot.Secrecy.SECRET,
        electorate=Campaign.ELECTORATE[campaign.evaluators], rule=Ballot.Rule.NONE, quorum=campaign.quorum,
        allow_change=campaign.allow_change, subject=campaign, question_kind=Question.Kind.RATING,
        description=_("Year-end evaluation sheet (secret)."))
    placeholder = ballot.questions.get()
    for evaluatee in campaign.evaluatees.order_by("position"):
        for dimension in dimensions.get(evaluatee.kind, []):
            question = core.question_add(ballot=ballot, by=core_by, text=f"{evaluatee.name} · {dimension.name}",
                                         kind=Question.Kind.RATING, options=options)
            SheetItem.objects.create(campaign=campaign, question=question, evaluatee=evaluatee, dimension=dimension)
    core.question_remove(question=placeholder, by=core_by)
    campaign.ballot = ballot
    _stamp(campaign, by).save(update_fields=["ballot"])
    return ballot


@transaction.atomic
def campaign_scrutineers_set(*, campaign: Campaign, by: User, users: list[User], threshold: int
                             ) -> list[Scrutineer]:
    """Name the scrutineers of the campaign's ballot box before the sheets open, and how many open it together."""
    campaign = Campaign.objects.select_for_update().select_related("committee__street").get(pk=campaign.pk)
    _require_runner(by, campaign.committee)
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("Scrutineers are named before the sheets open; this evaluation is %(s)s.")
                              % {"s": campaign.get_status_display()}, code="not_draft")
    ballot = _ballot_build(campaign, by)
    return core.scrutineers_set(ballot=ballot, by=_core_by(by, campaign.committee), users=users,
                                threshold=threshold)


def _officer_card(ballot: Ballot, by: User) -> str | None:
    """A street officer opening: the core makes the opener's card only for an organizer, so it is made here.

    With no scrutineer named, the officer becomes the only one (1 of 1); named without a card, they take it.
    """
    if not ballot.scrutineers.exists():
        core.scrutineers_set(ballot=ballot, by=None, users=[by], threshold=1)
    mine = ballot.scrutineers.filter(user=by).first()
    if mine is None or mine.has_card:
        return None
    return core.scrutineer_take_card(ballot=ballot, user=by)


@transaction.atomic
def campaign_open(*, campaign: Campaign, by: User | None) -> Campaign:
    """Open the sheets: seal the ballot box to its scrutineers, freeze the evaluators and tell them.

    With no scrutineer named, whoever opens is the only one: ``campaign.new_card`` is their card's
    code, to be shown to them once (None otherwise). Without an opener (``by`` None), the
    scrutineers must be named and hold their cards.
    """
    campaign = Campaign.objects.select_for_update().select_related("committee__street").get(pk=campaign.pk)
    _require_runner(by, campaign.committee)
    guard_move(campaign, Campaign.Status.OPEN)
    core_by = _core_by(by, campaign.committee)
    ballot = _ballot_build(campaign, by)
    code = _officer_card(ballot, by) if by is not None and core_by is None else None
    ballot = core.ballot_open(ballot=ballot, by=core_by)
    campaign.ballot = ballot
    campaign.status = Campaign.Status.OPEN
    campaign.opened_at = timezone.now()
    _stamp(campaign, by).save(update_fields=["status", "opened_at"])
    evaluators = VoiceHolder.objects.filter(voice__ballot=ballot).values_list("user_id", flat=True)
    notify(users=list(evaluators), kind=Notification.Kind.OPENING,
           message="evaluation_open", params={"t": campaign.title}, url=campaign.get_absolute_url(),
           dedupe_key=f"evaluation-open:{campaign.pk}")
    campaign.new_card = code or (ballot.new_cards.get(by.pk) if by is not None else None)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, by: User | None) -> Campaign:
    """Stop taking sheets; the scrutineers are asked to open the ballot box (the core tells them)."""
    campaign = Campaign.objects.select_for_update().select_related("committee__street").get(pk=campaign.pk)
    _require_runner(by, campaign.committee)
    guard_move(campaign, Campaign.Status.CLOSED)
    campaign.ballot = core.ballot_close(ballot=campaign.ballot, by=_core_by(by, campaign.committee))
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    _stamp(campaign, by).save(update_fields=["status", "closed_at"])
    return campaign


@transaction.atomic
def campaign_publish(*, campaign: Campaign, by: User | None) -> Campaign:
    """Publish what the scrutineers counted when they opened the box; results, plans due and notices follow."""
    from evaluations.services.rectification import rectifications_create
    from evaluations.services.results import results_compute

    campaign = Campaign.objects.select_for_update().select_related("committee__street").get(pk=campaign.pk)
    _require_runner(by, campaign.committee)
    guard_move(campaign, Campaign.Status.PUBLISHED)
    _require_box_opened(campaign.ballot)
    ballot = core.ballot_publish(ballot=campaign.ballot, by=_core_by(by, campaign.committee))
    campaign.ballot = ballot
    took, entitled = ballot.result["turnout"]["voices"], ballot.result["electorate"]["voices"]
    campaign.turnout_voices, campaign.electorate_voices = took, entitled
    # "More than half" by default: the quorum share must be exceeded, not merely reached.
    campaign.valid = bool(entitled) and Decimal(took) / Decimal(entitled) > campaign.quorum
    campaign.status = Campaign.Status.PUBLISHED
    campaign.published_at = timezone.now()
    _stamp(campaign, by).save(update_fields=["ballot", "turnout_voices", "electorate_voices", "valid", "status",
                                             "published_at"])
    results_compute(campaign=campaign)
    tasks = rectifications_create(campaign=campaign, by=by) if campaign.valid else []
    _notify_published(campaign, tasks)
    return campaign


def _require_box_opened(ballot: Ballot) -> None:
    if not ballot.is_sealed or ballot.box_opened_at is not None:
        return
    presented = ballot.scrutineers.filter(presented_at__isnull=False).count()
    still = max(1, (ballot.box_threshold or 1) - presented)
    raise ValidationError(
        ngettext("The scrutineers have not opened the ballot box yet, so there is nothing to publish: %(n)s more "
                 "scrutineer must present their card on the ballot box page.",
                 "The scrutineers have not opened the ballot box yet, so there is nothing to publish: %(n)s more "
                 "scrutineers must present their cards on the ballot box page.", still) % {"n": still},
        code="box_not_opened")


def _notify_published(campaign: Campaign, tasks: list) -> None:
    agency_ids = list(campaign.evaluatees.exclude(agency=None).values_list("agency_id", flat=True))
    contacts = Role.objects.filter(kind=Role.Kind.AGENCY_CONTACT, agency_id__in=agency_ids)
    street = Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street_id=campaign.committee.street_id)
    message = "evaluation_published_plans" if tasks else "evaluation_published"
    params = {"t": campaign.title, "n": len(tasks)}
    notify(users=list(contacts.values_list("user_id", flat=True)), kind=Notification.Kind.RESULT, message=message,
           params=params, url=reverse("evaluations:agency_home"), dedupe_key=f"evaluation-published:{campaign.pk}")
    notify(users=list(street.values_list("user_id", flat=True)), kind=Notification.Kind.RESULT, message=message,
           params=params, url=reverse("evaluations:campaign_results", args=[campaign.pk]),
           dedupe_key=f"evaluation-published:{campaign.pk}")


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, by: User | None, reason: str) -> Campaign:
    """Cancel a campaign not yet published, with a reason (its ballot is cancelled too)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for cancelling."), code="reason_required")
    campaign = Campaign.objects.select_for_update().select_related("committee__street").get(pk=campaign.pk)
    _require_runner(by, campaign.committee)
    guard_move(campaign, Campaign.Status.CANCELLED)
    if campaign.ballot_id:
        core.ballot_cancel(ballot=campaign.ballot, by=_core_by(by, campaign.committee), reason=reason)
    campaign.status = Campaign.Status.CANCELLED
    campaign.cancelled_at = timezone.now()
    campaign.cancel_reason = reason[:300]
    _stamp(campaign, by).save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return campaign
