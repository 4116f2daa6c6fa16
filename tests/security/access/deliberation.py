"""Expected answers of party deliberation's and floor consultations' URLs (format:
tests/security/access/__init__.py)."""

# Party pages (deliberation/permissions.py): only the party members of the topic's own
# neighbourhood; everyone else — organizers and site admins included — gets 404. The party
# organization's pages (settings, meetings, votes, resolutions, follow-ups) are for a party member
# who also organizes the committee: no role of the world is both (the builder's secretary is not a
# role), so they are 404 for every role. Floor consultations: the verified residents of the
# building, its floor leaders and the committee's organizers (and site admins); residents of other
# buildings 404, street officers and agency contacts too.

from datetime import date, timedelta

from decisions.models import VoiceHolder
from deliberation.services import floor as floor_services
from deliberation.services import followups
from deliberation.services import party as party_services
from members import services as members
from members.models import Role
from tests.factories import make_user
from tests.security.access import REDIRECT, Entry, everyone, scoped
from tests.security.world import register_builder


def _yes(ballot) -> int:
    return ballot.questions.order_by("position").first().options.get(meaning="yes").pk


def build_party_and_floor(world, side) -> None:
    committee, name = side.committee, side.committee.name
    own = side is world.own
    secretary = make_user(name=f"Party secretary {name}")
    members.role_grant(user=secretary, kind=Role.Kind.ORGANIZER, committee=committee, by=None)
    members.role_grant(user=secretary, kind=Role.Kind.PARTY_MEMBER, committee=committee, by=None)
    member = world.user("party_member") if own else make_user(name=f"Party member {name}")
    if not own:
        members.role_grant(user=member, kind=Role.Kind.PARTY_MEMBER, committee=committee, by=None)
    party_services.party_settings_update(committee=committee, by=secretary, seconds_needed=2,
                                         electorate="party_members", quorum=0)
    seconding = party_services.topic_propose(committee=committee, by=member, title=f"Proposal {name}",
                                             material=f"**Material** of the proposal {name}")
    voting = party_services.topic_propose(committee=committee, by=secretary, title=f"Voting {name}",
                                          material=f"Material {name}", as_organization=True)
    party_services.topic_vote_open(topic=voting, by=secretary, question=f"Question {name}")
    decided = party_services.topic_propose(committee=committee, by=secretary, title=f"Decided {name}",
                                           material=f"Material {name}", as_organization=True)
    comment = party_services.topic_comment_add(topic=decided, by=member, body=f"Comment {name}")
    party_services.topic_comment_add(topic=decided, by=secretary, body=f"Reply {name}", parent=comment)
    meeting = party_services.meeting_create(committee=committee, by=secretary, title=f"Meeting {name}",
                                            starts_at=world_time(), place=f"Room {name}", topics=[decided])
    party_services.meeting_record_attendance(meeting=meeting, by=secretary, present=[secretary, member])
    decided = party_services.topic_vote_open(topic=decided, by=secretary)
    party_services.topic_vote_cast(topic=decided, by=member, option_id=_yes(decided.ballot))
    party_services.topic_vote_close(topic=decided, by=secretary)
    decided = party_services.topic_resolve(topic=decided, by=secretary, resolution=f"Resolution {name}")
    party_follow_up = followups.follow_up_add(parent=decided, by=secretary, what=f"Party task {name}",
                                              owner=f"Owner {name}", due_on=date.today() + timedelta(days=30))
    followups.follow_up_note_add(follow_up=party_follow_up, by=secretary, text=f"Party note {name}",
                                 status="in_progress")
    side.extra.update(party_secretary=secretary, party_member=member, topic_seconding=seconding,
                      topic_voting=voting, topic_decided=decided, party_comment=comment, party_meeting=meeting,
                      party_follow_up=party_follow_up)

    # Floor: an open consultation (the resident's household has answered, with a comment) and a
    # convention consultation the households agreed on, with a follow-up item and its progress.
    runner = world.user("floor_leader") if own else side.organizer
    opened = floor_services.consultation_open(building=side.building, by=runner, title=f"Repairs {name}",
                                              matter="repair_costs", description=f"Roof {name}")
    floor_services.consultation_answer(consultation=opened, by=side.resident, option_id=_yes(opened.ballot),
                                       comment=f"Household comment {name}")
    agreed = floor_services.consultation_open(building=side.building, by=runner, title=f"Convention {name}",
                                              matter="convention", proposed_convention=f"Convention text {name}")
    # More than half of the building's households answer (the default quorum): the two named here,
    # then one member of each household still silent until more than half have spoken.
    voters = [side.resident, side.extra["paper_voter"]]
    holders = VoiceHolder.objects.filter(voice__ballot=agreed.ballot).order_by("voice__key", "user_id")
    first_holder = {}
    for holder in holders.select_related("user"):
        first_holder.setdefault(holder.voice_id, holder.user)
    spoken = {h.voice_id for h in holders if h.user_id in {v.pk for v in voters}}
    for voice_id, user in first_holder.items():
        if 2 * (len(spoken)) > len(first_holder):
            break
        if voice_id not in spoken:
            voters.append(user)
            spoken.add(voice_id)
    for voter in voters:
        floor_services.consultation_answer(consultation=agreed, by=voter, option_id=_yes(agreed.ballot),
                                           comment=f"Agreed comment {name}")
    floor_services.consultation_close(consultation=agreed, by=runner)
    agreed = floor_services.consultation_agree(consultation=agreed, by=runner, opinion=f"Agreed opinion {name}")
    floor_follow_up = followups.follow_up_add(parent=agreed, by=runner, what=f"Floor task {name}",
                                              owner=f"Owner {name}", due_on=date.today() + timedelta(days=30))
    followups.follow_up_note_add(follow_up=floor_follow_up, by=runner, text=f"Floor note {name}",
                                 status="in_progress")
    side.extra.update(consultation_open=opened, consultation_agreed=agreed, floor_follow_up=floor_follow_up)


def world_time():
    from django.utils import timezone

    return timezone.now() + timedelta(days=7)


register_builder(build_party_and_floor)


def extra(key, **more):
    return lambda w, s: {"pk": s.extra[key].pk, **more}


def committee(w, s):
    return {"pk": s.committee.pk}


def building(w, s):
    return {"pk": s.building.pk}


PARTY = {"party_member": 200}
NOBODY = scoped({})                                    # the party organization's pages: no role of the world
FLOOR_VIEWERS = "resident party_member floor_leader organizer admin"
FLOOR_RUNNERS = {"floor_leader organizer admin": 200}

EXPECTATIONS = {
    # Party: a member of one neighbourhood is sent to its agenda; others have no party pages.
    "deliberation:party_index": Entry(get=everyone(404, party_member=REDIRECT), sides=("own",)),
    "deliberation:party_agenda": Entry(kwargs=committee, get=scoped(PARTY)),
    "deliberation:party_topic_propose": Entry(kwargs=committee, get=scoped(PARTY)),
    "deliberation:party_settings": Entry(kwargs=committee, get=NOBODY),
    "deliberation:party_meetings": Entry(kwargs=committee, get=scoped(PARTY)),
    "deliberation:party_meeting_create": Entry(kwargs=committee, get=NOBODY),
    # A member sees the meeting; only the organization records attendance (a member's POST: 404).
    "deliberation:party_meeting": Entry(kwargs=extra("party_meeting"), get=scoped(PARTY),
                                        post=scoped({})),
    "deliberation:party_topic": Entry(kwargs=extra("topic_decided"), get=scoped(PARTY)),
    "deliberation:party_topic_second": Entry(kwargs=extra("topic_seconding"), get=scoped(PARTY)),
    "deliberation:party_topic_comment": Entry(kwargs=extra("topic_decided"), get=scoped(PARTY)),
    "deliberation:party_topic_vote": Entry(kwargs=extra("topic_voting"), get=scoped(PARTY)),
    "deliberation:party_topic_vote_open": Entry(kwargs=extra("topic_seconding"), get=NOBODY),
    "deliberation:party_topic_vote_close": Entry(kwargs=extra("topic_voting"), get=NOBODY),
    "deliberation:party_topic_resolve": Entry(kwargs=extra("topic_voting"), get=NOBODY),
    # Withdrawing: the proposer (here the member) or the organization.
    "deliberation:party_topic_withdraw": Entry(kwargs=extra("topic_seconding"), get=scoped(PARTY)),
    "deliberation:party_follow_up_add": Entry(kwargs=extra("topic_decided"), get=NOBODY),
    # Only the comment's author.
    "deliberation:party_comment_edit": Entry(kwargs=extra("party_comment"), get=scoped(PARTY)),
    # Progress on a follow-up item: those who run the floor (the party's item: the organization only).
    "deliberation:follow_up_note": Entry(kwargs=extra("floor_follow_up"), get=scoped(FLOOR_RUNNERS)),
    # Floor consultations.
    # Someone with one building (where they live, lead the floor or organize) is sent to it.
    "deliberation:floor_index": Entry(get=everyone(REDIRECT, officer=200, officer_other=200, agency=200, admin=200),
                                      sides=("own",)),
    "deliberation:floor_building": Entry(kwargs=building, get=scoped({FLOOR_VIEWERS: 200})),
    "deliberation:floor_convention": Entry(kwargs=building, get=scoped({FLOOR_VIEWERS: 200})),
    "deliberation:floor_consultation_open": Entry(kwargs=building, get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_consultation": Entry(kwargs=extra("consultation_agreed"), get=scoped({FLOOR_VIEWERS: 200})),
    # One opinion per household: those who hold a household's voice in the building.
    "deliberation:floor_answer": Entry(kwargs=extra("consultation_open"),
                                       get=scoped({"resident party_member floor_leader": 200})),
    "deliberation:floor_households": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_assist": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_close": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_agree": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_cancel": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    # Publishing a secret consultation's count once its box is opened: those who run the floor.
    "deliberation:floor_count_publish": Entry(kwargs=extra("consultation_open"), get=scoped(FLOOR_RUNNERS)),
    "deliberation:floor_follow_up_add": Entry(kwargs=extra("consultation_agreed"), get=scoped(FLOOR_RUNNERS)),
}

# The party organization's endpoints are fuzzed as the builder's secretary (tests/security/test_fuzz.py).
FUZZ_ACTORS = {name: "party_secretary" for name in (
    "deliberation:party_settings", "deliberation:party_meeting_create", "deliberation:party_meeting",
    "deliberation:party_topic_vote_open", "deliberation:party_topic_vote_close", "deliberation:party_topic_resolve",
    "deliberation:party_follow_up_add")}
