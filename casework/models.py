"""Residents' requests (诉求) and the 流转单 that routes them: found — routed — handled — answered — rated.

A resident, a floor leader or the committee on a resident's behalf files a request; the committee
answers it at once or routes it to its handler (a property firm, a stationed agency, the work
station: a ``members.Agency``) with a due date in working days; the handler's contact accepts,
reports progress and answers; the requester rates the answer. A case moves along ``TRANSITIONS``
like every follow-up item (``config.records.follow_up_move``: ``done_at`` is when it closed) and
climbs the 三不 levels (``Level``) when it is late or reopened twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.records import FollowUpItem
from members.models import Agency, Building, Committee, Compound

# Working days allowed at each step; the committee may give another number when it routes a request.
DAYS_TO_ROUTE = 2        # the committee answers or routes a new request
DAYS_TO_HANDLE = 5       # the handler answers a routed request (the routing form's default)
DAYS_AFTER_RETURN = 3    # a handler answers again what the committee sent back or the requester reopened
DAYS_AT_LEVEL = {"committee": 3, "street": 5}   # after an escalation, the new level's time
# Calendar days after an answer without a rating before the committee may close it, saying why.
UNREACHABLE_DAYS = 7


class Category(models.TextChoices):
    LIFT = "lift", _("lift")
    LEAK = "leak", _("water leak or seepage")
    NOISE = "noise", _("noise")
    SANITATION = "sanitation", _("rubbish and cleanliness")
    PARKING = "parking", _("parking and traffic")
    GREENERY = "greenery", _("trees and greenery")
    SAFETY = "safety", _("safety and fire")
    FACILITIES = "facilities", _("shared facilities")
    NEIGHBOURS = "neighbours", _("dispute between neighbours")
    OTHER = "other", _("other")


class Case(FollowUpItem):
    """One resident's request and its 流转单: where it is, who handles it, by when, and how it ended."""

    class Status(models.TextChoices):
        NEW = "new", _("received")
        ROUTED = "routed", _("routed to the handler")
        ACCEPTED = "accepted", _("being handled")
        ANSWERED = "answered", _("answered, waiting for the rating")
        CLOSED = "closed", _("closed")

    class Level(models.TextChoices):
        # 浦东's 三不: each request is handled at the lowest level that can, and climbs one level
        # when that level is late or the requester was dissatisfied twice.
        HANDLER = "handler", _("with the handler")
        COMMITTEE = "committee", _("the committee (一般矛盾不出村居)")
        STREET = "street", _("the street office (疑难复杂矛盾不出街镇)")

    class Channel(models.TextChoices):
        ONLINE = "online", _("filed by the resident online")
        FLOOR_LEADER = "floor_leader", _("through the floor leader")
        PHONE = "phone", _("by telephone")
        VISIT = "visit", _("in person at the committee")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied (满意)")
        BASIC = "basic", _("basically satisfied (基本满意)")
        DISSATISFIED = "dissatisfied", _("dissatisfied (不满意)")

    S = Status
    TRANSITIONS = {
        S.NEW: {S.ROUTED, S.ANSWERED},
        S.ROUTED: {S.ACCEPTED, S.ANSWERED},
        # Back to the handler (sent back by the committee, or reopened after 不满意), or back to the
        # committee's desk when the committee or the street answered it themselves.
        S.ANSWERED: {S.ACCEPTED, S.NEW, S.CLOSED},
        S.ACCEPTED: {S.ANSWERED},
        S.CLOSED: set(),
    }
    REFUSED_MOVE = _("A request that is %(s)s cannot become %(t)s.")
    DONE = S.CLOSED
    LATE_IN = (S.NEW, S.ROUTED, S.ACCEPTED)
    LEVELS = (Level.HANDLER, Level.COMMITTEE, Level.STREET)
    SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)
    # Sent back by the committee at most once; reopened by the requester at most twice.
    MAX_RETURNS = 1
    MAX_REOPENS = 2

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("residents' committee"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("compound"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                                 verbose_name=_("building"))
    spot = models.CharField(_("room or common area"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what is the matter"))
    channel = models.CharField(_("received"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    # The requester: an account, or a name and phone typed by whoever took the call or the visit.
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="cases", verbose_name=_("requester"))
    requester_name = models.CharField(_("requester's name"), max_length=60, blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=20, blank=True)
    named_to_handler = models.BooleanField(_("the handler may see the requester's name"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.COMMITTEE)
    handler = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                                verbose_name=_("handler"))
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by_handler = models.BooleanField(_("answered by the handler"), default=False)
    # Kept with the latest answer, so the year's figures aggregate rows instead of replaying events.
    answer_days = models.PositiveIntegerField(_("days to answer"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rating = models.CharField(_("rating"), max_length=15, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    close_reason = models.CharField(_("why it closed without a rating"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("residents' request")
        verbose_name_plural = _("residents' requests")
        constraints = [
            # No request is closed without the requester's rating or a recorded reason.
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(rating="") | ~Q(close_reason=""),
                                   name="case_closed_rated_or_explained"),
            models.CheckConstraint(condition=Q(status="closed", done_at__isnull=False)
                                   | (~Q(status="closed") & Q(done_at__isnull=True)),
                                   name="case_done_at_when_closed"),
            models.CheckConstraint(condition=~Q(status__in=["answered", "closed"])
                                   | (Q(answered_at__isnull=False) & ~Q(answer="")),
                                   name="case_answered_has_answer"),
            models.CheckConstraint(condition=~Q(status__in=["routed", "accepted"]) | Q(handler__isnull=False),
                                   name="case_routed_has_handler"),
            models.CheckConstraint(condition=~Q(level="handler") | Q(handler__isnull=False),
                                   name="case_handler_level_has_handler"),
            models.CheckConstraint(condition=Q(returned_count__lte=1) & Q(reopen_count__lte=2),
                                   name="case_returns_and_reopens_bounded"),
            models.CheckConstraint(condition=Q(rating__in=["", "satisfied", "basic", "dissatisfied"]),
                                   name="case_rating_known"),
            models.CheckConstraint(condition=Q(requester__isnull=False) | ~Q(requester_name=""),
                                   name="case_requester_known"),
        ]
        indexes = [
            models.Index(fields=["committee", "status"], name="case_committee_status"),
            models.Index(fields=["handler", "answered_at"], name="case_handler_answered"),
            models.Index(fields=["status", "due_on"], name="case_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return reverse("casework:case_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The 流转单's number: year of receipt and the row's id."""
        return f"{timezone.localtime(self.created_at).year}-{self.pk:05d}"

    @property
    def requester_display(self) -> str:
        return self.requester.display_name if self.requester_id else self.requester_name

    @property
    def contact_phone(self) -> str:
        return self.requester_phone or (self.requester.phone if self.requester_id else "") or ""

    @property
    def place(self) -> str:
        parts = [self.compound.name, self.building.name if self.building_id else "", self.spot]
        return " ".join(p for p in parts if p)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def age_days(self, today=None) -> int:
        today = today or timezone.localdate()
        return (today - timezone.localtime(self.created_at).date()).days


class CaseEvent(models.Model):
    """One line of a request's record: what happened, by which side, with what words."""

    class Kind(models.TextChoices):
        FILED = "filed", _("received")
        ROUTED = "routed", _("routed")
        ACCEPTED = "accepted", _("accepted by the handler")
        PROGRESS = "progress", _("progress")
        ANSWERED = "answered", _("answered")
        RETURNED = "returned", _("sent back to the handler")
        RATED = "rated", _("rated")
        REOPENED = "reopened", _("reopened")
        ESCALATED = "escalated", _("escalated")
        CLOSED = "closed", _("closed without a rating")

    class Side(models.TextChoices):
        # Pages show the side, never the person, to whoever is not on the committee.
        REQUESTER = "requester", _("the requester")
        COMMITTEE = "committee", _("the committee")
        HANDLER = "handler", _("the handler")
        STREET = "street", _("the street office")
        SYSTEM = "system", _("the platform")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("request"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    side = models.CharField(_("by"), max_length=10, choices=Side.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("person"))
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


def _photo_path(instance: "CasePhoto", filename: str) -> str:
    from members.uploads import attachment_path

    return attachment_path("casework", filename)


class CasePhoto(models.Model):
    """A photo (or PDF) of the matter, the work or the result; served only after a permission check."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("request"))
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="photos",
                              verbose_name=_("event"))
    file = models.FileField(_("photo"), upload_to=_photo_path)
    name = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.name
