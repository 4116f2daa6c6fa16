"""Party deliberation services: proposing, seconding thresholds, discussion, vote, resolution."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from decisions.models import Ballot
from deliberation.models import FollowUp, MeetingAttendance, Topic, TopicComment
from deliberation.services import followups
from deliberation.services import party as party_services
from members.models import Notification, Role
from tests.decisions.factories import make_committee_role
from tests.deliberation.party_factories import make_agenda_topic, make_party, no_option, yes_option
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _code(excinfo) -> str:
    return excinfo.value.code


def test_member_proposal_waits_for_the_configured_number_of_seconds():
    committee, secretary, members, reps = make_party(seconds_needed=2)
    topic = party_services.topic_propose(committee=committee, by=members[0], title="增设楼道扶手")
    assert topic.status == Topic.Status.SECONDING
    party_services.topic_second(topic=topic, by=members[1])
    topic.refresh_from_db()
    assert topic.status == Topic.Status.SECONDING
    party_services.topic_second(topic=topic, by=reps[0])
    topic.refresh_from_db()
    assert topic.status == Topic.Status.AGENDA and topic.agenda_at is not None


def test_seconding_threshold_is_per_committee():
    committee, secretary, members, _reps = make_party(seconds_needed=3)
    topic = party_services.topic_propose(committee=committee, by=members[0], title="A")
    for member in members[1:]:
        party_services.topic_second(topic=topic, by=member)
    topic.refresh_from_db()
    assert topic.status == Topic.Status.SECONDING  # 2 of 3
    other, other_secretary, other_members, _ = make_party(seconds_needed=0)
    topic2 = party_services.topic_propose(committee=other, by=other_members[0], title="B")
    assert topic2.status == Topic.Status.AGENDA


def test_a_proposer_cannot_second_their_own_topic_and_a_member_seconds_once():
    committee, secretary, members, _ = make_party(seconds_needed=3)
    topic = party_services.topic_propose(committee=committee, by=members[0], title="A")
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_second(topic=topic, by=members[0])
    assert _code(excinfo) == "own_topic"
    party_services.topic_second(topic=topic, by=members[1])
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_second(topic=topic, by=members[1])
    assert _code(excinfo) == "already_seconded"


def test_a_non_member_cannot_propose_second_or_comment():
    committee, secretary, members, _ = make_party()
    topic = make_agenda_topic(committee, secretary)
    resident = make_user()
    organizer_only = make_committee_role(committee, Role.Kind.ORGANIZER)
    other_party_member = make_committee_role(make_party()[0], Role.Kind.PARTY_MEMBER)
    for outsider in (resident, organizer_only, other_party_member):
        with pytest.raises(PermissionDenied):
            party_services.topic_propose(committee=committee, by=outsider, title="X")
        with pytest.raises(PermissionDenied):
            party_services.topic_comment_add(topic=topic, by=outsider, body="hi")


def test_only_the_party_organization_proposes_as_the_organization_and_opens_votes():
    committee, secretary, members, _ = make_party()
    with pytest.raises(PermissionDenied):
        party_services.topic_propose(committee=committee, by=members[0], title="X", as_organization=True)
    topic = make_agenda_topic(committee, secretary)
    assert topic.status == Topic.Status.AGENDA
    with pytest.raises(PermissionDenied):
        party_services.topic_vote_open(topic=topic, by=members[0])


def test_new_agenda_topic_notifies_every_member_once():
    committee, secretary, members, reps = make_party()
    topic = make_agenda_topic(committee, secretary)
    notified = set(Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT, url=topic.get_absolute_url())
                   .values_list("user_id", flat=True))
    assert notified == {secretary.pk, *(m.pk for m in members), *(r.pk for r in reps)}


def test_comment_edits_are_kept_in_history_and_only_the_author_edits():
    committee, secretary, members, _ = make_party()
    topic = make_agenda_topic(committee, secretary)
    comment = party_services.topic_comment_add(topic=topic, by=members[0], body="first text")
    reply = party_services.topic_comment_add(topic=topic, by=members[1], body="a reply", parent=comment)
    assert reply.parent_id == comment.pk
    party_services.topic_comment_edit(comment=comment, by=members[0], body="corrected text")
    comment.refresh_from_db()
    assert comment.body == "corrected text" and comment.edited_at is not None
    assert [h.body for h in comment.history.order_by("history_date")] == ["first text", "corrected text"]
    assert comment.history.first().history_user_id == members[0].pk
    with pytest.raises(PermissionDenied):
        party_services.topic_comment_edit(comment=comment, by=members[1], body="not mine")
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_comment_edit(comment=comment, by=members[0], body="   ")
    assert _code(excinfo) == "empty"


def test_a_reply_must_be_on_the_same_topic():
    committee, secretary, members, _ = make_party()
    a = make_agenda_topic(committee, secretary, "A")
    b = make_agenda_topic(committee, secretary, "B")
    comment = party_services.topic_comment_add(topic=a, by=members[0], body="x")
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_comment_add(topic=b, by=members[0], body="y", parent=comment)
    assert _code(excinfo) == "foreign_parent"
    assert TopicComment.objects.count() == 1


def test_representatives_vote_by_name_with_quorum_and_the_resolution_is_published():
    committee, secretary, members, reps = make_party(reps=4, quorum=Decimal("0.5"))
    topic = make_agenda_topic(committee, secretary)
    topic = party_services.topic_vote_open(topic=topic, by=secretary)
    ballot = topic.ballot
    assert topic.status == Topic.Status.VOTING
    assert ballot.secrecy == Ballot.Secrecy.NAMED and ballot.electorate == Ballot.Electorate.PARTY_REPS
    assert ballot.quorum == Decimal("0.5") and ballot.electorate_size == 4 and ballot.subject == topic
    # An ordinary member (not a representative) has no voice.
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_vote_cast(topic=topic, by=members[0], option_id=yes_option(ballot))
    assert _code(excinfo) == "not_entitled"
    party_services.topic_vote_cast(topic=topic, by=reps[0], option_id=yes_option(ballot))
    party_services.topic_vote_cast(topic=topic, by=reps[1], option_id=yes_option(ballot))
    party_services.topic_vote_cast(topic=topic, by=reps[2], option_id=no_option(ballot))
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_resolve(topic=topic, by=secretary, resolution="通过")
    assert _code(excinfo) == "vote_not_published"
    ballot = party_services.topic_vote_close(topic=topic, by=secretary)
    assert ballot.status == Ballot.Status.PUBLISHED and ballot.result["verdict"] == "passed"
    topic = party_services.topic_resolve(topic=topic, by=secretary, resolution="同意延长开放时间至晚上八点。")
    assert topic.status == Topic.Status.DECIDED
    notified = set(Notification.objects.filter(kind=Notification.Kind.RESULT).values_list("user_id", flat=True))
    assert reps[0].pk in notified and members[0].pk in notified


def test_all_members_vote_when_so_configured_and_quorum_makes_a_vote_invalid():
    committee, secretary, members, reps = make_party(electorate=Ballot.Electorate.PARTY_MEMBERS,
                                                     quorum=Decimal("0.5"))
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary), by=secretary)
    assert topic.ballot.electorate_size == 1 + len(members) + len(reps)
    party_services.topic_vote_cast(topic=topic, by=members[0], option_id=yes_option(topic.ballot))
    ballot = party_services.topic_vote_close(topic=topic, by=secretary)
    assert ballot.result["verdict"] == "invalid"


def test_follow_ups_of_a_resolution_are_tracked_to_done():
    committee, secretary, members, reps = make_party()
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary), by=secretary)
    with pytest.raises(ValidationError):
        followups.follow_up_add(parent=topic, by=secretary, what="x", owner="y", due_on=None)
    party_services.topic_vote_cast(topic=topic, by=reps[0], option_id=yes_option(topic.ballot))
    party_services.topic_vote_cast(topic=topic, by=reps[1], option_id=yes_option(topic.ballot))
    party_services.topic_vote_close(topic=topic, by=secretary)
    topic = party_services.topic_resolve(topic=topic, by=secretary, resolution="通过")
    import datetime
    item = followups.follow_up_add(parent=topic, by=secretary, what="调整开放时间公告", owner="党总支",
                                   due_on=datetime.date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        followups.follow_up_note_add(follow_up=item, by=members[0], text="x", status="done")
    followups.follow_up_note_add(follow_up=item, by=secretary, text="已张贴", status=FollowUp.Status.IN_PROGRESS)
    followups.follow_up_note_add(follow_up=item, by=secretary, text="已完成", status=FollowUp.Status.DONE)
    item.refresh_from_db()
    assert item.status == FollowUp.Status.DONE and item.done_at is not None and item.notes.count() == 2
    with pytest.raises(ValidationError) as excinfo:
        followups.follow_up_note_add(follow_up=item, by=secretary, text="重开", status=FollowUp.Status.OPEN)
    assert _code(excinfo) == "invalid_transition"


def test_withdrawn_topics_cannot_be_voted_on_and_need_a_reason():
    committee, secretary, members, _ = make_party()
    topic = party_services.topic_propose(committee=committee, by=members[0], title="A")
    with pytest.raises(ValidationError):
        party_services.topic_withdraw(topic=topic, by=members[0], reason=" ")
    with pytest.raises(PermissionDenied):
        party_services.topic_withdraw(topic=topic, by=members[1], reason="no")
    party_services.topic_withdraw(topic=topic, by=members[0], reason="情况已变化")
    with pytest.raises(ValidationError) as excinfo:
        party_services.topic_vote_open(topic=topic, by=secretary)
    assert _code(excinfo) == "invalid_transition"


def test_meeting_attendance_is_recorded_for_members_only():
    import datetime

    from django.utils import timezone
    committee, secretary, members, reps = make_party()
    topic = make_agenda_topic(committee, secretary)
    meeting = party_services.meeting_create(committee=committee, by=secretary, title="党员代表会议",
                                            starts_at=timezone.now() + datetime.timedelta(days=2), topics=[topic])
    party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=reps[:2])
    party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=reps[1:])
    assert set(MeetingAttendance.objects.values_list("member_id", flat=True)) == {r.pk for r in reps[1:]}
    with pytest.raises(ValidationError) as excinfo:
        party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=[make_user()])
    assert _code(excinfo) == "not_member"
