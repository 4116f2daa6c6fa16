"""Who may see and act on the party agenda and on floor consultations.

Party pages: only the party members (Role party_member or party_rep) of the topic's own
neighbourhood; everyone else, organizers and site admins included, gets 404. The party
organization (who puts topics to the vote and records resolutions) is a party member who also
organizes the committee. Floor consultations: the verified residents of the building, its floor
leaders and the committee's organizers; a resident of another building gets 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from deliberation.models import Consultation, FollowUp, PartyMeeting, Topic, TopicComment
from members.models import Building, Committee, Membership, Role, User
from members.permissions import can_manage_committee, has_committee_role, roles_of

PARTY_KINDS = (Role.Kind.PARTY_MEMBER, Role.Kind.PARTY_REPRESENTATIVE)


# --- Party ---------------------------------------------------------------------------------

def is_party_member(user: User, committee: Committee | int) -> bool:
    committee_id = committee if isinstance(committee, int) else committee.pk
    return any(r.kind in PARTY_KINDS and r.committee_id == committee_id for r in roles_of(user))


def is_party_representative(user: User, committee: Committee) -> bool:
    return has_committee_role(user, committee, Role.Kind.PARTY_REPRESENTATIVE)


def is_party_secretary(user: User, committee: Committee) -> bool:
    """A party member who organizes the committee acts for the party organization."""
    return is_party_member(user, committee) and has_committee_role(user, committee, Role.Kind.ORGANIZER)


def party_committees(user: User) -> list[Committee]:
    """The neighbourhoods where ``user`` is a party member, each once."""
    seen: dict[int, Committee] = {}
    for role in roles_of(user):
        if role.kind in PARTY_KINDS and role.committee is not None:
            seen.setdefault(role.committee_id, role.committee)
    return sorted(seen.values(), key=lambda c: c.name)


def party_committee_or_404(user: User, pk: int) -> Committee:
    committee = get_object_or_404(Committee.objects.select_related("street"), pk=pk)
    if not is_party_member(user, committee):
        raise Http404
    return committee


def topic_for_member_or_404(user: User, pk: int) -> Topic:
    topic = get_object_or_404(Topic.objects.select_related("committee", "proposed_by", "ballot"), pk=pk)
    if not is_party_member(user, topic.committee_id):
        raise Http404
    return topic


def meeting_for_member_or_404(user: User, pk: int) -> PartyMeeting:
    meeting = get_object_or_404(PartyMeeting.objects.select_related("committee", "created_by"), pk=pk)
    if not is_party_member(user, meeting.committee_id):
        raise Http404
    return meeting


def comment_for_author_or_404(user: User, pk: int) -> TopicComment:
    comment = get_object_or_404(TopicComment.objects.select_related("topic__committee"), pk=pk)
    if not is_party_member(user, comment.topic.committee_id) or comment.author_id != user.pk:
        raise Http404
    return comment


# --- Floor ---------------------------------------------------------------------------------

def lives_in(user: User, building: Building | int) -> bool:
    building_id = building if isinstance(building, int) else building.pk
    return user.is_authenticated and Membership.objects.filter(
        user=user, status=Membership.Status.VERIFIED, household__building_id=building_id).exists()


def is_floor_leader(user: User, building: Building | int) -> bool:
    building_id = building if isinstance(building, int) else building.pk
    return any(r.kind == Role.Kind.FLOOR_LEADER and r.building_id == building_id for r in roles_of(user))


def can_run_floor(user: User, building: Building) -> bool:
    """The building's floor leaders and the committee's organizers open and conclude consultations."""
    return is_floor_leader(user, building) or can_manage_committee(user, building.compound.committee)


def can_see_floor(user: User, building: Building) -> bool:
    return can_run_floor(user, building) or lives_in(user, building)


def building_for_floor_or_404(user: User, pk: int) -> Building:
    building = get_object_or_404(Building.objects.select_related("compound__committee"), pk=pk)
    if not can_see_floor(user, building):
        raise Http404
    return building


def consultation_for_viewer_or_404(user: User, pk: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.select_related("building__compound__committee", "committee", "ballot", "created_by"),
        pk=pk)
    if not can_see_floor(user, consultation.building):
        raise Http404
    return consultation


def consultation_for_runner_or_404(user: User, pk: int) -> Consultation:
    consultation = consultation_for_viewer_or_404(user, pk)
    if not can_run_floor(user, consultation.building):
        raise Http404
    return consultation


# --- Shared --------------------------------------------------------------------------------

def follow_up_for_viewer_or_404(user: User, pk: int) -> FollowUp:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("topic__committee", "consultation__building__compound__committee"), pk=pk)
    if follow_up.topic_id and not is_party_member(user, follow_up.topic.committee_id):
        raise Http404
    if follow_up.consultation_id and not can_see_floor(user, follow_up.consultation.building):
        raise Http404
    return follow_up


def can_update_follow_up(user: User, follow_up: FollowUp) -> bool:
    if follow_up.topic_id:
        return is_party_secretary(user, follow_up.topic.committee)
    return can_run_floor(user, follow_up.consultation.building)
