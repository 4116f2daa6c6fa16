"""Party pages: 404 for every non-member, the full flow through the pages, inert discussion text,
and query counts with 50+ rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from deliberation.models import Topic, TopicComment
from deliberation.services import followups
from deliberation.services import party as party_services
from members.models import Role
from tests.decisions.factories import make_committee_role
from tests.deliberation.party_factories import make_agenda_topic, make_party, yes_option
from tests.factories import make_resident, make_site_admin, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages in English, so the assertions below read like the page."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _decided_topic(committee, secretary, reps):
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary), by=secretary)
    party_services.topic_vote_cast(topic=topic, by=reps[0], option_id=yes_option(topic.ballot))
    party_services.topic_vote_close(topic=topic, by=secretary)
    topic = party_services.topic_resolve(topic=topic, by=secretary, resolution="通过")
    followups.follow_up_add(parent=topic, by=secretary, what="公告", owner="党总支", due_on=datetime.date(2026, 12, 1))
    return topic


def _party_urls(committee, topic, comment, meeting, follow_up) -> list[str]:
    urls = [reverse("deliberation:party_index")]
    for name in ("party_agenda", "party_topic_propose", "party_settings", "party_meetings", "party_meeting_create"):
        urls.append(reverse(f"deliberation:{name}", args=[committee.pk]))
    for name in ("party_topic", "party_topic_second", "party_topic_comment", "party_topic_vote",
                 "party_topic_vote_open", "party_topic_vote_close", "party_topic_resolve", "party_topic_withdraw",
                 "party_follow_up_add"):
        urls.append(reverse(f"deliberation:{name}", args=[topic.pk]))
    urls += [reverse("deliberation:party_comment_edit", args=[comment.pk]),
             reverse("deliberation:party_meeting", args=[meeting.pk]),
             reverse("deliberation:follow_up_note", args=[follow_up.pk]),
             reverse("decisions:ballot_detail", args=[topic.ballot.pk]),
             reverse("decisions:ballot_results", args=[topic.ballot.pk])]
    return urls


def test_every_party_page_is_404_for_non_members(client):
    committee, secretary, members, reps = make_party()
    topic = _decided_topic(committee, secretary, reps)
    comment = party_services.topic_comment_add(topic=topic, by=members[0], body="x")
    meeting = party_services.meeting_create(committee=committee, by=secretary, title="会议",
                                            starts_at=timezone.now(), topics=[topic])
    urls = _party_urls(committee, topic, comment, meeting, topic.follow_ups.get())
    resident = make_resident()
    organizer = make_committee_role(committee, Role.Kind.ORGANIZER)
    other_party = make_committee_role(make_party()[0], Role.Kind.PARTY_MEMBER)
    admin = make_site_admin()
    for outsider in (resident, organizer, other_party, admin):
        client.force_login(outsider)
        for url in urls:
            if outsider is other_party and url == reverse("deliberation:party_index"):
                continue  # their own neighbourhood's agenda
            assert client.get(url).status_code == 404, (outsider, url)
            # GET-only pages answer 405 to a POST, which leaks nothing either.
            assert client.post(url, {"body": "x", "reason": "x", "resolution": "x"}).status_code in (404, 405), url
    assert TopicComment.objects.count() == 1


def test_a_member_sees_the_pages_and_secretary_pages_are_404_for_ordinary_members(client):
    committee, secretary, members, reps = make_party()
    topic = _decided_topic(committee, secretary, reps)
    client.force_login(members[0])
    assert client.get(reverse("deliberation:party_index")).status_code == 302
    assert client.get(reverse("deliberation:party_agenda", args=[committee.pk])).status_code == 200
    page = client.get(topic.get_absolute_url())
    assert page.status_code == 200 and "通过" in page.content.decode()
    assert "Rep 0" in page.content.decode()  # who voted how, on the topic page
    for name in ("party_topic_vote_open", "party_topic_resolve", "party_follow_up_add"):
        assert client.get(reverse(f"deliberation:{name}", args=[topic.pk])).status_code == 404
    assert client.get(reverse("deliberation:party_settings", args=[committee.pk])).status_code == 404


def test_propose_second_and_comment_through_the_pages(client):
    committee, secretary, members, reps = make_party(seconds_needed=2)
    client.force_login(members[0])
    response = client.post(reverse("deliberation:party_topic_propose", args=[committee.pk]),
                           {"title": "增设楼道扶手", "material": "材料"})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    for member in members[1:3]:
        client.force_login(member)
        assert client.get(reverse("deliberation:party_topic_second", args=[topic.pk])).status_code == 200
        client.post(reverse("deliberation:party_topic_second", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.status == Topic.Status.AGENDA
    response = client.post(reverse("deliberation:party_topic_comment", args=[topic.pk]), {"body": ""})
    assert response.status_code == 200 and TopicComment.objects.count() == 0
    client.post(reverse("deliberation:party_topic_comment", args=[topic.pk]), {"body": "支持"})
    comment = TopicComment.objects.get()
    client.post(reverse("deliberation:party_topic_comment", args=[topic.pk]), {"body": "回复", "parent": comment.pk})
    assert TopicComment.objects.filter(parent=comment).count() == 1
    # A comment id of another topic is refused.
    other = make_agenda_topic(committee, secretary, "B")
    response = client.get(reverse("deliberation:party_topic_comment", args=[other.pk]) + f"?parent={comment.pk}")
    assert response.status_code == 404


SCRIPT_PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
]


def test_discussion_and_material_payloads_come_out_inert(client):
    committee, secretary, members, reps = make_party()
    topic = party_services.topic_propose(committee=committee, by=secretary, title="T", as_organization=True,
                                         material="**粗体** " + " ".join(SCRIPT_PAYLOADS))
    for payload in SCRIPT_PAYLOADS:
        party_services.topic_comment_add(topic=topic, by=members[0], body=f"- item\n\n{payload}")
    client.force_login(members[1])
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "<strong>粗体</strong>" in html
    tags = _tags(html.split('id="main"', 1)[1])
    assert not [t for t, _attrs in tags if t in ("script", "iframe", "svg", "img")]
    assert not [(t, k) for t, attrs in tags for k, _v in attrs if k.startswith("on")]
    assert not [v for _t, attrs in tags for k, v in attrs if k == "href" and "javascript" in (v or "").lower()]
    assert "&lt;script&gt;alert" in html  # shown as text


def _tags(html: str) -> list[tuple[str, list]]:
    """Every start tag of ``html`` with its attributes, as a browser's parser would see them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_agenda_and_topic_pages_keep_their_queries_with_many_rows(client, django_assert_max_num_queries):
    committee, secretary, members, reps = make_party(members=3, reps=3)
    for i in range(55):
        topic = party_services.topic_propose(committee=committee, by=members[i % 3], title=f"议题 {i}")
        party_services.topic_second(topic=topic, by=reps[0])
        party_services.topic_comment_add(topic=topic, by=reps[1], body="意见")
    topic = _decided_topic(committee, secretary, reps)
    for i in range(55):
        parent = party_services.topic_comment_add(topic=topic, by=members[i % 3], body=f"意见 {i}")
        party_services.topic_comment_add(topic=topic, by=reps[i % 3], body="回复", parent=parent)
    for i in range(55):
        followups.follow_up_add(parent=topic, by=secretary, what=f"事项 {i}", owner="党总支",
                                due_on=datetime.date(2026, 12, 1))
    client.force_login(members[0])
    with django_assert_max_num_queries(15):
        assert client.get(reverse("deliberation:party_agenda", args=[committee.pk])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(topic.get_absolute_url()).status_code == 200


def test_meeting_pages_keep_their_queries_with_many_rows(client, django_assert_max_num_queries):
    committee, secretary, members, reps = make_party(members=55, reps=3)
    topics = [make_agenda_topic(committee, secretary, f"议题 {i}") for i in range(5)]
    for i in range(55):
        meeting = party_services.meeting_create(committee=committee, by=secretary, title=f"会议 {i}",
                                                starts_at=timezone.now(), topics=topics)
    party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=members)
    client.force_login(secretary)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("deliberation:party_meetings", args=[committee.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        page = client.get(reverse("deliberation:party_meeting", args=[meeting.pk]))
    assert page.status_code == 200
    client.post(reverse("deliberation:party_meeting", args=[meeting.pk]), {"present": [members[0].pk]})
    assert meeting.attendance.count() == 1


def test_the_organizers_committee_menu_links_the_agenda_only_for_party_members(client):
    committee, secretary, members, reps = make_party()
    client.force_login(secretary)
    url = reverse("members:committee_detail", args=[committee.pk])
    assert reverse("deliberation:party_agenda", args=[committee.pk]) in client.get(url).content.decode()
    organizer = make_committee_role(committee, Role.Kind.ORGANIZER, make_user())
    client.force_login(organizer)
    assert reverse("deliberation:party_agenda", args=[committee.pk]) not in client.get(url).content.decode()


def test_the_admin_lists_party_and_floor_records_read_only(client):
    committee, secretary, members, reps = make_party()
    make_agenda_topic(committee, secretary)
    client.force_login(make_site_admin(make_user(username="root")))
    from members.models import User
    User.objects.filter(username="root").update(is_staff=True, is_superuser=True)
    for name in ("topic", "topiccomment", "partymeeting", "consultation", "conventionversion", "followup"):
        assert client.get(reverse(f"admin:deliberation_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:deliberation_topic_add")).status_code == 403


def test_the_organizers_ballot_list_does_not_show_party_votes(client):
    committee, secretary, members, reps = make_party()
    topic = party_services.topic_vote_open(topic=make_agenda_topic(committee, secretary, "党内议题"), by=secretary)
    organizer = make_committee_role(committee, Role.Kind.ORGANIZER, make_user())
    client.force_login(organizer)
    page = client.get(reverse("decisions:committee_ballots", args=[committee.pk])).content.decode()
    assert "党内议题" not in page
    assert client.get(reverse("decisions:ballot_manage", args=[topic.ballot.pk])).status_code == 404


def test_settings_withdraw_and_comment_edit_pages(client):
    committee, secretary, members, reps = make_party(seconds_needed=2)
    client.force_login(secretary)
    response = client.post(reverse("deliberation:party_settings", args=[committee.pk]),
                           {"seconds_needed": 3, "electorate": "party_members", "quorum_percent": 60})
    assert response.status_code == 302
    assert party_services.settings_for(committee).seconds_needed == 3
    response = client.post(reverse("deliberation:party_settings", args=[committee.pk]),
                           {"seconds_needed": -1, "electorate": "nobody", "quorum_percent": 500})
    assert response.status_code == 200 and party_services.settings_for(committee).seconds_needed == 3
    topic = party_services.topic_propose(committee=committee, by=members[0], title="A")
    comment = party_services.topic_comment_add(topic=topic, by=members[0], body="原文")
    client.force_login(members[1])
    assert client.get(reverse("deliberation:party_comment_edit", args=[comment.pk])).status_code == 404
    response = client.post(reverse("deliberation:party_topic_withdraw", args=[topic.pk]), {"reason": "x"})
    assert response.status_code == 200  # the domain error is shown, nothing changes
    topic.refresh_from_db()
    assert topic.status == Topic.Status.SECONDING
    client.force_login(members[0])
    client.post(reverse("deliberation:party_comment_edit", args=[comment.pk]), {"body": "修改后"})
    assert [h.body for h in TopicComment.objects.get().history.order_by("history_date")] == ["原文", "修改后"]
    client.post(reverse("deliberation:party_topic_withdraw", args=[topic.pk]), {"reason": "情况变化"})
    topic.refresh_from_db()
    assert topic.status == Topic.Status.WITHDRAWN


def test_an_overdue_follow_up_is_marked_on_the_topic_page(client):
    import time_machine

    committee, secretary, members, reps = make_party()
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC), tick=False):
        topic = _decided_topic(committee, secretary, reps)  # its item is due 2026-12-01
        client.force_login(members[0])
        assert "overdue" not in client.get(topic.get_absolute_url()).content.decode()
    with time_machine.travel(datetime.datetime(2026, 12, 5, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(members[0])  # the session of a month ago has expired
        assert "overdue" in client.get(topic.get_absolute_url()).content.decode()
