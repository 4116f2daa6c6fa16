"""Who may see and act on evaluations, decided on the object's own committee, street or agency.

Views fetch by id and check the user against the object's own places, answering 404 (never 403)
so foreign ids leak nothing. Agency contacts never reach a campaign page: only their own
agency's published aggregates and their own rectification tasks.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from evaluations.models import Campaign, Rectification
from members.models import Agency, Committee, Role, User
from members.permissions import can_manage_committee, can_view_street, is_site_admin, roles_of


def can_run(user: User, committee: Committee) -> bool:
    """Organizers of the committee, officers of its street, site admins."""
    return can_manage_committee(user, committee) or can_view_street(user, committee.street)


def is_resident_of(user: User, committee: Committee) -> bool:
    return user.is_authenticated and user.memberships.filter(
        status="verified", household__building__compound__committee=committee).exists()


def contact_agency_ids(user: User) -> set[int]:
    return {r.agency_id for r in roles_of(user) if r.kind == Role.Kind.AGENCY_CONTACT}


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("committee__street", "ballot", "launch"), pk=pk)


def campaign_for_runner_or_404(user: User, pk: int) -> Campaign:
    campaign = _campaign(pk)
    if not can_run(user, campaign.committee):
        raise Http404
    return campaign


def campaign_for_viewer_or_404(user: User, pk: int) -> Campaign:
    """Runners always; the committee's residents once the campaign is open."""
    campaign = _campaign(pk)
    if can_run(user, campaign.committee):
        return campaign
    if campaign.status in (Campaign.Status.DRAFT, Campaign.Status.CANCELLED) or not is_resident_of(
            user, campaign.committee) and not _holds_voice(user, campaign):
        raise Http404
    return campaign


def _holds_voice(user: User, campaign: Campaign) -> bool:
    return campaign.ballot_id is not None and campaign.ballot.voices.filter(holders__user=user).exists()


def committee_for_runner_or_404(user: User, pk: int) -> Committee:
    committee = get_object_or_404(Committee.objects.select_related("street"), pk=pk)
    if not can_run(user, committee):
        raise Http404
    return committee


def rectification_for_viewer_or_404(user: User, pk: int) -> Rectification:
    """Its agency's contacts, the committee's organizers and the street's officers."""
    task = get_object_or_404(Rectification.objects.select_related(
        "campaign__committee__street", "evaluatee", "agency", "filed_by", "confirmed_by"), pk=pk)
    if task.agency_id in contact_agency_ids(user) or can_run(user, task.campaign.committee):
        return task
    raise Http404


def is_contact_of(user: User, agency: Agency) -> bool:
    return agency.pk in contact_agency_ids(user) or is_site_admin(user)
