"""Floor consultations: a building's households give their opinion, one voice per household,
through the decision core; the floor leader concludes with an agreed opinion and, for a
convention matter, a new version of the building convention.

A secret consultation's opinions are sealed in the core's ballot box. Whoever opens it is its one
scrutineer (监票人) and is shown their card once; after closing they open the box with it on the
core's box page, and the count is published from here (``consultation_count_publish``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from decisions import rules, selectors
from decisions import services as core
from decisions.models import Ballot, Channel, Voice
from deliberation.models import Consultation, ConventionVersion, HouseholdComment
from deliberation.permissions import can_run_floor
from members.models import Building, Household, Membership, Notification, User
from members.notifications import notify
from members.permissions import can_manage_committee
from members.services import stamp as _stamp

MAX_TEXT = 20000


def _core_by(by: User, building: Building) -> User | None:
    """The decision core checks organizers; a floor leader acts for the building, recorded here."""
    return by if can_manage_committee(by, building.compound.committee) else None


def _require_runner(by: User, building: Building) -> None:
    if not can_run_floor(by, building):
        raise PermissionDenied(_("Only the floor leader of %(b)s or the committee may do this.") % {"b": building})


def _locked(consultation: Consultation) -> Consultation:
    return (Consultation.objects.select_for_update(of=("self",))
            .select_related("building__compound__committee", "ballot").get(pk=consultation.pk))


def _clean(value: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError(_("The text is too long (at most %(n)s characters).") % {"n": limit}, code="too_long")
    return value


def building_resident_ids(building: Building) -> list[int]:
    return sorted(set(Membership.objects.filter(status=Membership.Status.VERIFIED, household__building=building)
                      .values_list("user_id", flat=True)))


@transaction.atomic
def consultation_open(*, building: Building, by: User, title: str, matter: str, description: str = "",
                      rule: str = Ballot.Rule.SIMPLE_MAJORITY, secrecy: str = Ballot.Secrecy.NAMED,
                      proposed_convention: str = "", question: str = "") -> Consultation:
    """Open a consultation of the building's households (one voice each) and tell them."""
    _require_runner(by, building)
    title = _clean(title, limit=200)
    if not title:
        raise ValidationError(_("Give the consultation a title."), code="title_required")
    if matter not in Consultation.Matter.values or rule not in Consultation.RULES or (
            secrecy not in Ballot.Secrecy.values):
        raise ValidationError(_("Choose the matter, rule and secrecy among those offered."), code="invalid_choice")
    proposed_convention = _clean(proposed_convention)
    if matter == Consultation.Matter.CONVENTION and not proposed_convention:
        raise ValidationError(_("Write the proposed text of the building convention."), code="convention_required")
    committee = building.compound.committee
    consultation = _stamp(Consultation(
        committee=committee, building=building, title=title, matter=matter, description=_clean(description),
        proposed_convention=proposed_convention, created_by=by), by)
    consultation.save()
    core_by = _core_by(by, building)
    ballot = core.ballot_create(
        committee=committee, by=core_by, title=title, description=consultation.description, secrecy=secrecy,
        electorate=Ballot.Electorate.HOUSEHOLDS, household_voice=Ballot.HouseholdVoice.FIRST_MEMBER,
        building=building, rule=rule, subject=consultation,
        question=_clean(question, limit=300) or _("Do you agree with “%(t)s”?") % {"t": title})
    card = _name_opener_scrutineer(ballot, by, core_by) if ballot.is_secret else None
    ballot = core.ballot_open(ballot=ballot, by=core_by)
    consultation.ballot = ballot
    _stamp(consultation, by).save(update_fields=["ballot"])
    notify(users=building_resident_ids(building), kind=Notification.Kind.OPENING,
           message="floor_open", params={"b": str(building), "t": title}, url=consultation.get_absolute_url(),
           dedupe_key=f"floor-open:{consultation.pk}")
    # The opener's scrutineer card (secret consultations): the page shows it to them once.
    consultation.new_card = card
    return consultation


def _name_opener_scrutineer(ballot: Ballot, by: User, core_by: User | None) -> str:
    """Make the opener the one scrutineer of the secret ballot (1 of 1) and return their card's code.

    A floor leader opens the core ballot as the system (``core_by`` is None), and the core names no
    scrutineer for the system: so the floor names the opener itself, organizer or floor leader alike.
    """
    core.scrutineers_set(ballot=ballot, by=core_by, users=[by], threshold=1)
    return core.scrutineer_take_card(ballot=ballot, user=by)


def _comment(consultation: Consultation, household: Household, author: User, text: str) -> None:
    text = _clean(text, limit=2000)
    if not text:
        return
    comment = HouseholdComment.objects.select_for_update().filter(consultation=consultation,
                                                                  household=household).first()
    if comment is None:
        comment = HouseholdComment(consultation=consultation, household=household)
    comment.author, comment.body = author, text
    _stamp(comment, author).save()


def _choices(ballot: Ballot, option_id) -> dict[int, list]:
    question = ballot.questions.order_by("position").first()
    return {question.pk: [option_id]}


@transaction.atomic
def consultation_answer(*, consultation: Consultation, by: User, option_id: int, comment: str = ""):
    """Give (or change) the household's opinion, and its comment; returns the participation."""
    consultation = _locked(consultation)
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("This consultation is %(s)s: opinions are no longer taken.")
                              % {"s": consultation.get_status_display()}, code="not_open")
    voice = Voice.objects.filter(ballot=consultation.ballot, holders__user=by).select_related("household").first()
    if voice is None:
        raise ValidationError(_("Only the households of %(b)s give an opinion here.") % {"b": consultation.building},
                              code="not_entitled")
    participation = core.vote_cast(ballot=consultation.ballot, voter=by, choices=_choices(consultation.ballot,
                                                                                           option_id))
    _comment(consultation, voice.household, by, comment)
    return participation


@transaction.atomic
def consultation_comment(*, consultation: Consultation, by: User, text: str) -> None:
    """Write or correct the household's comment without changing its opinion."""
    consultation = _locked(consultation)
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("This consultation is %(s)s: opinions are no longer taken.")
                              % {"s": consultation.get_status_display()}, code="not_open")
    voice = Voice.objects.filter(ballot=consultation.ballot, holders__user=by).select_related("household").first()
    if voice is None:
        raise ValidationError(_("Only the households of %(b)s give an opinion here.") % {"b": consultation.building},
                              code="not_entitled")
    if not (text or "").strip():
        raise ValidationError(_("Write something first."), code="empty")
    _comment(consultation, voice.household, by, text)


@transaction.atomic
def consultation_assist(*, consultation: Consultation, by: User, household: Household, option_id: int,
                        consent_note: str, comment: str = ""):
    """Record a household's opinion for a resident who cannot use the site (an assisted opinion)."""
    consultation = _locked(consultation)
    _require_runner(by, consultation.building)
    if consultation.status != Consultation.Status.OPEN:
        raise ValidationError(_("This consultation is %(s)s: opinions are no longer taken.")
                              % {"s": consultation.get_status_display()}, code="not_open")
    voice = (Voice.objects.filter(ballot=consultation.ballot, household=household)
             .prefetch_related("holders").first())
    if voice is None:
        raise ValidationError(_("This household has no voice in this consultation."), code="not_entitled")
    holder = voice.holders.order_by("user_id").first()
    participation = core.vote_cast(ballot=consultation.ballot, voter=holder.user, channel=Channel.ASSISTED,
                                   entered_by=by, consent_note=consent_note, voice=voice,
                                   choices=_choices(consultation.ballot, option_id))
    _comment(consultation, household, by, comment)
    return participation


@transaction.atomic
def consultation_close(*, consultation: Consultation, by: User) -> Consultation:
    """Stop taking opinions and publish the count (a secret one: once its scrutineer has opened the box)."""
    consultation = _locked(consultation)
    _require_runner(by, consultation.building)
    guard_move(consultation, Consultation.Status.CLOSED)
    core_by = _core_by(by, consultation.building)
    ballot = core.ballot_close(ballot=consultation.ballot, by=core_by)
    if not ballot.is_sealed:
        consultation.ballot = core.ballot_publish(ballot=ballot, by=core_by)
    else:
        consultation.ballot = ballot
    consultation.status, consultation.closed_at = Consultation.Status.CLOSED, timezone.now()
    _stamp(consultation, by).save(update_fields=["status", "closed_at"])
    return consultation


@transaction.atomic
def consultation_count_publish(*, consultation: Consultation, by: User) -> Consultation:
    """Publish the count of a closed secret consultation once its scrutineer has opened the ballot box."""
    consultation = _locked(consultation)
    _require_runner(by, consultation.building)
    ballot = consultation.ballot
    if consultation.status != Consultation.Status.CLOSED or ballot.status != Ballot.Status.CLOSED:
        raise ValidationError(_("The count is published after the consultation closes, once; this consultation "
                                "is %(s)s.") % {"s": consultation.get_status_display()}, code="not_awaiting_count")
    consultation.ballot = core.ballot_publish(ballot=ballot, by=_core_by(by, consultation.building))
    return consultation


@transaction.atomic
def consultation_agree(*, consultation: Consultation, by: User, opinion: str) -> Consultation:
    """Publish the agreed opinion (一致贯彻意见); a convention matter adopts a new convention version."""
    consultation = _locked(consultation)
    _require_runner(by, consultation.building)
    guard_move(consultation, Consultation.Status.AGREED)
    opinion = _clean(opinion)
    if not opinion:
        raise ValidationError(_("Write the agreed opinion."), code="opinion_required")
    ballot = consultation.ballot
    if ballot.status != Ballot.Status.PUBLISHED:
        raise ValidationError(_("Publish the count first: the scrutineer opens the ballot box with their card, "
                                "then the count is published."), code="count_not_published")
    if selectors.verdict(ballot, ballot.result).outcome != rules.Outcome.PASSED:
        raise ValidationError(_("The households did not agree under the consultation's rule; no agreed opinion "
                                "can be published. Cancel it or open a new consultation."), code="not_passed")
    consultation.agreed_opinion, consultation.status = opinion, Consultation.Status.AGREED
    consultation.agreed_at = timezone.now()
    _stamp(consultation, by).save(update_fields=["agreed_opinion", "status", "agreed_at"])
    if consultation.matter == Consultation.Matter.CONVENTION and consultation.proposed_convention:
        building = consultation.building
        number = (ConventionVersion.objects.filter(building=building).aggregate(n=Max("number"))["n"] or 0) + 1
        _stamp(ConventionVersion(building=building, number=number, text=consultation.proposed_convention,
                                 consultation=consultation, adopted_by=by), by).save()
    notify(users=building_resident_ids(consultation.building), kind=Notification.Kind.RESULT,
           message="floor_agreed", params={"b": str(consultation.building), "t": consultation.title},
           body=opinion[:500], url=consultation.get_absolute_url(), dedupe_key=f"floor-agreed:{consultation.pk}")
    return consultation


@transaction.atomic
def consultation_cancel(*, consultation: Consultation, by: User, reason: str) -> Consultation:
    """Cancel a consultation that has no agreed opinion, with a reason the households see."""
    consultation = _locked(consultation)
    _require_runner(by, consultation.building)
    guard_move(consultation, Consultation.Status.CANCELLED)
    reason = _clean(reason, limit=300)
    if not reason:
        raise ValidationError(_("Give a reason for cancelling."), code="reason_required")
    if consultation.ballot.status in (Ballot.Status.OPEN, Ballot.Status.CLOSED):
        core.ballot_cancel(ballot=consultation.ballot, by=_core_by(by, consultation.building), reason=reason)
    consultation.status, consultation.cancelled_at, consultation.cancel_reason = (
        Consultation.Status.CANCELLED, timezone.now(), reason)
    _stamp(consultation, by).save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return consultation
