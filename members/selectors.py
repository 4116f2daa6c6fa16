"""Reads of the members directory, with the joins done so templates cannot cause N+1 queries."""

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from members import tallies
from members.models import Building, Committee, Compound, Household, Membership, Role, Street, User


def joinable_committees() -> QuerySet[Committee]:
    return Committee.objects.select_related("street").order_by("street__name", "name")


def committee_compounds(committee: Committee) -> QuerySet[Compound]:
    return committee.compounds.order_by("name")


def compound_buildings(compound: Compound) -> QuerySet[Building]:
    return compound.buildings.order_by("name")


def user_memberships(user: User) -> QuerySet[Membership]:
    return (Membership.objects.filter(user=user)
            .select_related("household__building__compound__committee__street")
            .order_by("-requested_at"))


def committee_residents(committee: Committee, *, q: str = "", building: Building | None = None
                        ) -> QuerySet[Membership]:
    """Verified residents of ``committee``, newest first, filtered by search and building."""
    qs = (Membership.objects
          .filter(household__building__compound__committee=committee,
                  status=Membership.Status.VERIFIED)
          .select_related("user", "household__building__compound")
          .order_by("household__building__compound__name", "household__building__name",
                    "household__door_number", "user__full_name"))
    if building is not None:
        qs = qs.filter(household__building=building)
    q = (q or "").strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        cond = Q(user__full_name__icontains=q) | Q(household__door_number=q)
        if len(digits) >= 4:
            cond |= Q(user__phone__contains=digits)
        qs = qs.filter(cond)
    return qs


def committee_households(committee: Committee, *, q: str = "", building: Building | None = None
                         ) -> QuerySet[Household]:
    """Households of ``committee`` with their verified residents prefetched."""
    verified = (Membership.objects.filter(status=Membership.Status.VERIFIED)
                .select_related("user").order_by("-is_representative", "user__full_name"))
    qs = (Household.objects.filter(building__compound__committee=committee)
          .select_related("building__compound")
          .prefetch_related(Prefetch("memberships", queryset=verified, to_attr="residents"))
          .order_by("building__compound__name", "building__name", "door_number"))
    if building is not None:
        qs = qs.filter(building=building)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(door_number__icontains=q)
                       | Q(memberships__user__full_name__icontains=q,
                           memberships__status=Membership.Status.VERIFIED)).distinct()
    return qs


def committee_pending_requests(committee: Committee) -> QuerySet[Membership]:
    return (Membership.objects
            .filter(household__building__compound__committee=committee,
                    status=Membership.Status.PENDING)
            .select_related("user", "household__building__compound")
            .order_by("requested_at"))


def committee_request(committee: Committee, pk: int) -> Membership | None:
    """A membership request of this committee only (None for another committee's)."""
    return (Membership.objects
            .filter(pk=pk, household__building__compound__committee=committee)
            .select_related("user", "household__building__compound__committee")
            .first())


def committee_roles(committee: Committee) -> QuerySet[Role]:
    """Roles held in ``committee`` or in one of its buildings."""
    return (Role.objects
            .filter(Q(committee=committee) | Q(building__compound__committee=committee))
            .select_related("user", "committee", "building__compound", "granted_by")
            .order_by("kind", "user__full_name"))


def committee_role(committee: Committee, pk: int) -> Role | None:
    return committee_roles(committee).filter(pk=pk).first()


def committee_summary(committee: Committee) -> dict:
    members = Membership.objects.filter(household__building__compound__committee=committee)
    return {
        "compounds": committee.compounds.count(),
        "households": Household.objects.filter(building__compound__committee=committee).count(),
        "residents": members.filter(status=Membership.Status.VERIFIED).count(),
        "pending": members.filter(status=Membership.Status.PENDING).count(),
    }


def with_counts(committees: QuerySet[Committee]) -> QuerySet[Committee]:
    """``committees`` with their stored ``household_count``, ``resident_count``, ``pending_count``
    and ``compound_count`` (``CommitteeTally``, kept by database triggers: ``members/tallies.py``).

    One LEFT JOIN, no scan of the memberships; a committee without a tally row shows zeros.
    """
    return committees.annotate(**{column: Coalesce(F(f"tally__{column}"), 0) for column in tallies.COLUMNS})


def street_committees(street: Street) -> QuerySet[Committee]:
    """Committees of ``street`` with their stored households, residents, pending requests and compounds."""
    return with_counts(street.committees.all()).order_by("name")


def street_agencies(street: Street) -> QuerySet:
    return street.agencies.prefetch_related("committees", "compounds").order_by("kind", "name")


def find_user_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone=phone).first()


def is_verified_resident(user: User, *, committee: Committee | None = None,
                         building: Building | None = None) -> bool:
    qs = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
    if committee is not None:
        qs = qs.filter(household__building__compound__committee=committee)
    if building is not None:
        qs = qs.filter(household__building=building)
    return qs.exists()
