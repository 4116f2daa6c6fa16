"""Party-member deliberation: propose, second, discuss, vote (through the decision core), resolve.

Votes are ordinary named ballots of the decision core with the topic as their subject, so the
ledger, receipts and verify_audit cover them like every other vote.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.lifecycle import guard_move
from decisions import services as core
from decisions.models import Ballot
from deliberation.models import (
    MeetingAttendance,
    PartyMeeting,
    PartySettings,
    Topic,
    TopicComment,
    TopicSecond,
)
from deliberation.permissions import PARTY_KINDS, is_party_member, is_party_secretary
from members.models import Committee, Notification, Role, User
from members.notifications import notify
from members.services import stamp as _stamp

MAX_TEXT = 20000


def _require_member(by: User, committee: Committee) -> None:
    if not is_party_member(by, committee):
        raise PermissionDenied(_("Only party members of %(c)s may do this.") % {"c": committee})


def _require_secretary(by: User, committee: Committee) -> None:
    if not is_party_secretary(by, committee):
        raise PermissionDenied(_("Only the party organization of %(c)s may do this.") % {"c": committee})


def _locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("committee", "ballot").get(pk=topic.pk)


def _text(value: str, *, required_message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(required_message, code=code)
    if len(value) > MAX_TEXT:
        raise ValidationError(_("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT},
                              code="too_long")
    return value


def party_member_ids(committee: Committee) -> list[int]:
    return sorted(set(Role.objects.filter(committee=committee, kind__in=PARTY_KINDS)
                      .values_list("user_id", flat=True)))


def settings_for(committee: Committee) -> PartySettings:
    """The committee's settings, or the defaults (unsaved) if none were chosen."""
    return PartySettings.objects.filter(committee=committee).first() or PartySettings(committee=committee)


@transaction.atomic
def party_settings_update(*, committee: Committee, by: User, seconds_needed: int, electorate: str,
                          quorum: Decimal) -> PartySettings:
    """Change how many seconds a proposal needs, who votes and the quorum."""
    _require_secretary(by, committee)
    if electorate not in PartySettings.Electorate.values:
        raise ValidationError(_("Choose who votes among those offered."), code="invalid_choice")
    if not (0 <= int(seconds_needed) <= 50):
        raise ValidationError(_("The number of seconds must be between 0 and 50."), code="invalid_seconds")
    if not (Decimal(0) <= Decimal(quorum) <= Decimal(1)):
        raise ValidationError(_("The quorum is a share between 0 and 100%."), code="invalid_quorum")
    settings = PartySettings.objects.select_for_update().filter(committee=committee).first() \
        or PartySettings(committee=committee)
    settings.seconds_needed, settings.electorate, settings.quorum = int(seconds_needed), electorate, quorum
    _stamp(settings, by).save()
    return settings


def _put_on_agenda(topic: Topic, by: User | None) -> None:
    topic.status = Topic.Status.AGENDA
    topic.agenda_at = timezone.now()
    _stamp(topic, by).save(update_fields=["status", "agenda_at"])
    notify(users=party_member_ids(topic.committee), kind=Notification.Kind.ANNOUNCEMENT,
           message="party_topic_agenda", params={"t": topic.title}, url=topic.get_absolute_url(),
           dedupe_key=f"party-topic-agenda:{topic.pk}")


@transaction.atomic
def topic_propose(*, committee: Committee, by: User, title: str, material: str = "",
                  as_organization: bool = False) -> Topic:
    """Propose a topic: the organization's go straight on the agenda, a member's awaits seconds."""
    _require_member(by, committee)
    if as_organization:
        _require_secretary(by, committee)
    title = _text(title, required_message=_("Give the topic a title."), code="title_required")[:200]
    material = (material or "").strip()
    if len(material) > MAX_TEXT:
        raise ValidationError(_("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT},
                              code="too_long")
    topic = _stamp(Topic(committee=committee, title=title, material=material, proposed_by=by,
                         by_organization=as_organization), by)
    topic.save()
    if as_organization or settings_for(committee).seconds_needed == 0:
        _put_on_agenda(topic, by)
    return topic


@transaction.atomic
def topic_second(*, topic: Topic, by: User) -> TopicSecond:
    """Second a member's proposal; with enough seconds it goes on the agenda."""
    topic = _locked(topic)
    _require_member(by, topic.committee)
    if topic.status != Topic.Status.SECONDING:
        raise ValidationError(_("This topic is %(s)s: it no longer needs seconds.")
                              % {"s": topic.get_status_display()}, code="not_seconding")
    if topic.proposed_by_id == by.pk:
        raise ValidationError(_("You proposed this topic; other members must second it."), code="own_topic")
    try:
        with transaction.atomic():
            second = TopicSecond.objects.create(topic=topic, member=by)
    except IntegrityError:
        raise ValidationError(_("You have already seconded this topic."), code="already_seconded") from None
    if topic.seconds.count() >= settings_for(topic.committee).seconds_needed:
        _put_on_agenda(topic, by)
    return second


@transaction.atomic
def topic_withdraw(*, topic: Topic, by: User, reason: str) -> Topic:
    """Withdraw a topic that has not been put to the vote (its proposer or the organization)."""
    topic = _locked(topic)
    _require_member(by, topic.committee)
    if topic.proposed_by_id != by.pk and not is_party_secretary(by, topic.committee):
        raise PermissionDenied(_("Only the proposer or the party organization may withdraw a topic."))
    reason = _text(reason, required_message=_("Give a reason for withdrawing."), code="reason_required")
    guard_move(topic, Topic.Status.WITHDRAWN)
    topic.status, topic.withdrawn_at, topic.withdraw_reason = Topic.Status.WITHDRAWN, timezone.now(), reason[:300]
    _stamp(topic, by).save(update_fields=["status", "withdrawn_at", "withdraw_reason"])
    return topic


@transaction.atomic
def topic_comment_add(*, topic: Topic, by: User, body: str, parent: TopicComment | None = None) -> TopicComment:
    """Add a comment, or a reply to one, to the topic's discussion."""
    _require_member(by, topic.committee)
    if topic.status == Topic.Status.WITHDRAWN:
        raise ValidationError(_("This topic was withdrawn: its discussion is closed."), code="withdrawn")
    if parent is not None and parent.topic_id != topic.pk:
        raise ValidationError(_("You can only reply to a comment on the same topic."), code="foreign_parent")
    body = _text(body, required_message=_("Write something first."), code="empty")
    comment = _stamp(TopicComment(topic=topic, author=by, body=body, parent=parent), by)
    comment.save()
    return comment


@transaction.atomic
def topic_comment_edit(*, comment: TopicComment, by: User, body: str) -> TopicComment:
    """Correct one's own comment; the earlier text stays in its history."""
    comment = TopicComment.objects.select_for_update().select_related("topic__committee").get(pk=comment.pk)
    if comment.author_id != by.pk or not is_party_member(by, comment.topic.committee):
        raise PermissionDenied(_("Only the author may edit a comment."))
    comment.body = _text(body, required_message=_("Write something first."), code="empty")
    comment.edited_at = timezone.now()
    _stamp(comment, by).save(update_fields=["body", "edited_at"])
    return comment


@transaction.atomic
def topic_vote_open(*, topic: Topic, by: User, question: str = "", closes_at: datetime | None = None) -> Topic:
    """Put a topic on the agenda to a named vote of the representatives (or all members)."""
    topic = _locked(topic)
    _require_secretary(by, topic.committee)
    guard_move(topic, Topic.Status.VOTING)
    settings = settings_for(topic.committee)
    ballot = core.ballot_create(
        committee=topic.committee, by=by, title=topic.title, description=_("Party topic: %(t)s") % {"t": topic.title},
        secrecy=Ballot.Secrecy.NAMED, electorate=settings.electorate, rule=Ballot.Rule.SIMPLE_MAJORITY,
        quorum=settings.quorum, closes_at=closes_at, subject=topic,
        # The party organization's own settings are its rules: a lower quorum cites them as its reason.
        quorum_reason=_("Set in the party organization's deliberation settings."),
        question=(question or "").strip() or _("Do you agree with the topic “%(t)s”?") % {"t": topic.title})
    ballot = core.ballot_open(ballot=ballot, by=by)
    topic.ballot, topic.status, topic.voting_at = ballot, Topic.Status.VOTING, timezone.now()
    _stamp(topic, by).save(update_fields=["ballot", "status", "voting_at"])
    return topic


@transaction.atomic
def topic_vote_cast(*, topic: Topic, by: User, option_id: int):
    """Cast ``by``'s named vote on the topic (through the decision core); returns the participation."""
    _require_member(by, topic.committee)
    if topic.status != Topic.Status.VOTING or topic.ballot is None:
        raise ValidationError(_("This topic is %(s)s: there is no vote to take part in.")
                              % {"s": topic.get_status_display()}, code="not_voting")
    question = topic.ballot.questions.order_by("position").first()
    return core.vote_cast(ballot=topic.ballot, voter=by, choices={question.pk: [option_id]})


@transaction.atomic
def topic_vote_close(*, topic: Topic, by: User) -> Ballot:
    """Close the topic's vote and publish its result."""
    topic = _locked(topic)
    _require_secretary(by, topic.committee)
    if topic.status != Topic.Status.VOTING:
        raise ValidationError(_("This topic is %(s)s: there is no vote to close.")
                              % {"s": topic.get_status_display()}, code="not_voting")
    ballot = topic.ballot
    if ballot.status == Ballot.Status.OPEN:
        ballot = core.ballot_close(ballot=ballot, by=by)
    if ballot.status == Ballot.Status.CLOSED:
        ballot = core.ballot_publish(ballot=ballot, by=by)
    return ballot


@transaction.atomic
def topic_resolve(*, topic: Topic, by: User, resolution: str) -> Topic:
    """Record the resolution after the published vote and publish it to the members."""
    topic = _locked(topic)
    _require_secretary(by, topic.committee)
    guard_move(topic, Topic.Status.DECIDED)
    if topic.ballot.status != Ballot.Status.PUBLISHED:
        raise ValidationError(_("Close the vote and publish its result before recording the resolution."),
                              code="vote_not_published")
    topic.resolution = _text(resolution, required_message=_("Write the resolution."), code="resolution_required")
    topic.status, topic.decided_at = Topic.Status.DECIDED, timezone.now()
    _stamp(topic, by).save(update_fields=["resolution", "status", "decided_at"])
    notify(users=party_member_ids(topic.committee), kind=Notification.Kind.RESULT,
           message="party_resolution", params={"t": topic.title}, body=topic.resolution[:500],
           url=topic.get_absolute_url(), dedupe_key=f"party-topic-resolved:{topic.pk}")
    return topic


@transaction.atomic
def meeting_create(*, committee: Committee, by: User, title: str, starts_at: datetime, place: str = "",
                   topics: list[Topic] = ()) -> PartyMeeting:
    """Convene a meeting of the party-member representatives on some topics of the agenda."""
    _require_secretary(by, committee)
    title = _text(title, required_message=_("Give the meeting a title."), code="title_required")[:200]
    if starts_at is None:
        raise ValidationError(_("Give the date and time of the meeting."), code="starts_at_required")
    if any(t.committee_id != committee.pk for t in topics):
        raise ValidationError(_("A meeting can only discuss topics of its own neighbourhood."), code="foreign_topic")
    meeting = _stamp(PartyMeeting(committee=committee, title=title, starts_at=starts_at,
                                  place=(place or "").strip()[:200], created_by=by), by)
    meeting.save()
    meeting.topics.set(topics)
    return meeting


@transaction.atomic
def meeting_record_attendance(*, meeting: PartyMeeting, by: User, present: list[User]) -> list[MeetingAttendance]:
    """Record who attended (replaces the earlier record; every change stays in the history)."""
    meeting = PartyMeeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)
    _require_secretary(by, meeting.committee)
    members = set(party_member_ids(meeting.committee))
    wanted = {u.pk for u in present}
    if not wanted <= members:
        raise ValidationError(_("Only party members of this neighbourhood can be recorded as present."),
                              code="not_member")
    for row in meeting.attendance.exclude(member_id__in=wanted):
        _stamp(row, by).delete()
    have = set(meeting.attendance.values_list("member_id", flat=True))
    rows = []
    for member_id in sorted(wanted - have):
        row = _stamp(MeetingAttendance(meeting=meeting, member_id=member_id), by)
        row.save()
        rows.append(row)
    return rows
