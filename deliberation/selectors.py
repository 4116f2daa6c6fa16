"""Reads of party deliberation and floor consultations, with everything the pages show loaded."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from decisions import selectors as core
from decisions.models import Ballot, NamedChoice, Option, Participation, Voice
from deliberation.models import (
    Consultation,
    ConventionVersion,
    FollowUp,
    FollowUpNote,
    HouseholdComment,
    MeetingAttendance,
    PartyMeeting,
    Topic,
    TopicComment,
    TopicSecond,
)
from deliberation.permissions import PARTY_KINDS
from members.models import Building, Committee, Household, Membership, Role, User
from members.permissions import roles_of

# --- Party ---------------------------------------------------------------------------------


def party_topics(committee: Committee, *, status: str = "") -> QuerySet[Topic]:
    qs = (Topic.objects.filter(committee=committee).select_related("proposed_by", "ballot")
          .annotate(second_count=Count("seconds", distinct=True), comment_count=Count("comments", distinct=True))
          .order_by("-created_at", "-pk"))
    return qs.filter(status=status) if status else qs


def party_members(committee: Committee) -> list[User]:
    """The party members of ``committee``, each once, with whether they are representatives."""
    rows = (Role.objects.filter(committee=committee, kind__in=PARTY_KINDS).select_related("user")
            .order_by("user__full_name", "user_id"))
    people: dict[int, User] = {}
    for role in rows:
        user = people.setdefault(role.user_id, role.user)
        user.is_party_rep = getattr(user, "is_party_rep", False) or role.kind == Role.Kind.PARTY_REPRESENTATIVE
    return list(people.values())


def _follow_ups() -> Prefetch:
    return Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due_on", "pk").prefetch_related(
        Prefetch("notes", queryset=FollowUpNote.objects.select_related("written_by").order_by("written_at", "pk"))))


def topic_comments(topic: Topic) -> list[TopicComment]:
    """Top-level comments in order, each with ``thread_replies`` (replies to it and to its replies)."""
    comments = list(topic.comments.select_related("author").order_by("created_at", "pk"))
    by_id = {c.pk: c for c in comments}
    roots = []
    for comment in comments:
        comment.thread_replies = []
    for comment in comments:
        root = comment
        while root.parent_id and root.parent_id in by_id:
            root = by_id[root.parent_id]
        if root is comment:
            roots.append(comment)
        else:
            comment.reply_to = by_id[comment.parent_id]
            root.thread_replies.append(comment)
    return roots


@dataclass
class VoteState:
    options: list[Option]
    voice: Voice | None
    mine: Participation | None
    my_choice: str


def vote_state(ballot: Ballot | None, user: User) -> VoteState | None:
    """The first question's options, ``user``'s voice and latest vote on ``ballot``."""
    if ballot is None:
        return None
    question = ballot.questions.order_by("position").prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("position", "pk"))).first()
    voice, versions = core.voice_history(ballot, user)
    mine = versions[0] if versions else None
    choice = ""
    if mine is not None and not ballot.is_secret:
        choice = ", ".join(c.option.label for c in NamedChoice.objects.filter(participation=mine)
                           .select_related("option"))
    return VoteState(options=list(question.options.all()) if question else [], voice=voice, mine=mine,
                     my_choice=choice)


def topic_page(topic: Topic) -> dict:
    """Everything the topic page shows besides the viewer's own state."""
    topic = (Topic.objects.filter(pk=topic.pk).select_related("committee", "proposed_by", "ballot")
             .prefetch_related(Prefetch("seconds", queryset=TopicSecond.objects.select_related("member")),
                               Prefetch("meetings", queryset=PartyMeeting.objects.order_by("-starts_at")),
                               _follow_ups())
             .get())
    return {"topic": topic, "comments": topic_comments(topic)}


def party_meetings(committee: Committee) -> QuerySet[PartyMeeting]:
    return (PartyMeeting.objects.filter(committee=committee).select_related("created_by")
            .annotate(present_count=Count("attendance", distinct=True), topic_count=Count("topics", distinct=True))
            .order_by("-starts_at", "-pk"))


def meeting_page(meeting: PartyMeeting) -> PartyMeeting:
    return (PartyMeeting.objects.filter(pk=meeting.pk).select_related("committee", "created_by")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("created_at")),
                              Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("member")
                                       .order_by("member__full_name", "pk")))
            .get())


def agenda_topics(committee: Committee) -> list[Topic]:
    """Topics a meeting can discuss: on the agenda or being voted on."""
    return list(Topic.objects.filter(committee=committee, status__in=[Topic.Status.AGENDA, Topic.Status.VOTING])
                .order_by("created_at"))


# --- Floor ---------------------------------------------------------------------------------


def floor_buildings(user: User) -> list[Building]:
    """Buildings whose consultations ``user`` sees: where they live, lead the floor or organize."""
    ids = set(Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
              .values_list("household__building_id", flat=True))
    ids |= {r.building_id for r in roles_of(user) if r.kind == Role.Kind.FLOOR_LEADER}
    organized = [r.committee_id for r in roles_of(user) if r.kind == Role.Kind.ORGANIZER]
    return list(Building.objects.filter(Q(pk__in=ids) | Q(compound__committee_id__in=organized))
                .select_related("compound__committee")
                .annotate(open_count=Count("consultations", filter=Q(consultations__status=Consultation.Status.OPEN)))
                .order_by("compound__committee__name", "compound__name", "name"))


def building_consultations(building: Building) -> QuerySet[Consultation]:
    took_part = Participation.objects.filter(voice=OuterRef("pk"))
    answered = (Voice.objects.filter(ballot=OuterRef("ballot")).filter(Exists(took_part))
                .values("ballot").annotate(n=Count("pk")).values("n"))
    return (Consultation.objects.filter(building=building).select_related("ballot", "created_by")
            .annotate(answered=Subquery(answered[:1]), comment_count=Count("comments", distinct=True))
            .order_by("-opened_at", "-pk"))


def convention_versions(building: Building) -> list[ConventionVersion]:
    return list(ConventionVersion.objects.filter(building=building)
                .select_related("adopted_by", "consultation").order_by("-number"))


def consultation_page(consultation: Consultation) -> Consultation:
    return (Consultation.objects.filter(pk=consultation.pk)
            .select_related("building__compound__committee", "ballot", "created_by", "convention_version")
            .prefetch_related(Prefetch("comments", queryset=HouseholdComment.objects
                                       .select_related("household", "author").order_by("household__door_number")),
                              _follow_ups())
            .get())


def consultation_box(consultation: Consultation, user: User) -> dict | None:
    """What a secret consultation's page says of its sealed ballot box (None for a named one).

    ``may_visit``: whether ``user`` may go to the core's box page (its scrutineer, or an organizer);
    ``step``: "sealed" while open, "to_open" once closed, "counted" when opened but not published,
    "published", or "uncounted" when the box was not opened in time.
    """
    from decisions.services.box import may_open_box

    ballot = consultation.ballot
    if ballot is None or not ballot.is_sealed:
        return None
    scrutineers = [s.user for s in ballot.scrutineers.select_related("user").order_by("position")]
    step = {Ballot.Status.OPEN: "sealed", Ballot.Status.PUBLISHED: "published",
            Ballot.Status.UNCOUNTED: "uncounted"}.get(ballot.status, "")
    if ballot.status == Ballot.Status.CLOSED:
        step = "counted" if ballot.box_opened_at else "to_open"
    return {"scrutineers": scrutineers, "mine": any(u.pk == user.pk for u in scrutineers), "step": step,
            "may_visit": user.is_authenticated and may_open_box(user, ballot), "expires_at": ballot.box_expires_at}


def household_comment(consultation: Consultation, voice: Voice | None) -> HouseholdComment | None:
    if voice is None or voice.household_id is None:
        return None
    return HouseholdComment.objects.filter(consultation=consultation, household_id=voice.household_id).first()


def household_rows(consultation: Consultation) -> list[Household]:
    """The building's households with ``answered`` (any channel) and ``channel`` of the latest opinion.

    For the floor leader; only called for named consultations.
    """
    latest = (Participation.objects.filter(ballot=consultation.ballot, voice__household=OuterRef("pk"))
              .order_by("-version"))
    return list(Household.objects.filter(building=consultation.building)
                .annotate(answered=Exists(latest), channel=Subquery(latest.values("channel")[:1]),
                          has_voice=Exists(Voice.objects.filter(ballot=consultation.ballot,
                                                                household=OuterRef("pk"))))
                .prefetch_related(Prefetch("memberships", queryset=Membership.objects
                                           .filter(status=Membership.Status.VERIFIED).select_related("user"),
                                           to_attr="residents"))
                .order_by("door_number"))


def assistable_households(consultation: Consultation) -> list[Household]:
    """Households with a voice in the consultation, for the assisted-opinion form."""
    return list(Household.objects.filter(building=consultation.building,
                                         pk__in=Voice.objects.filter(ballot=consultation.ballot)
                                         .values("household_id")).order_by("door_number"))


def who_agreed(consultation: Consultation) -> list[Participation]:
    """Households whose counted opinion was “for” (named and published consultations only)."""
    ballot = consultation.ballot
    if ballot.is_secret or ballot.status != Ballot.Status.PUBLISHED:
        return []
    yes = NamedChoice.objects.filter(participation=OuterRef("pk"), option__meaning=Option.Meaning.YES)
    return list(core.latest_participations(ballot).filter(Exists(yes))
                .select_related("voice__household", "user", "entered_by").order_by("voice__household__door_number"))
