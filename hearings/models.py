"""Hearings (听证会): notice, registration, opinions, session, minutes, outcome and public notice (公示)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from config.records import HashedVersion
from members.models import Agency, Building, Committee, Compound

__all__ = ["Hearing", "HearingAttachment", "HearingAttendance", "HearingMinutes", "HearingMinutesConfirmation",
           "HearingObjection", "HearingOpinion", "HearingPanelMember", "HearingRegistration", "HearingSettings",
           "HearingStatement"]

DEFAULT_NOTICE_DAYS = 10
DEFAULT_PUBLIC_NOTICE_DAYS = 7


class HearingSettings(models.Model):
    """A committee's notice periods for hearings (the defaults apply while it has none)."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="hearing_settings",
                                     verbose_name=_("residents' committee"))
    notice_days = models.PositiveSmallIntegerField(_("days of notice before a hearing"),
                                                   default=DEFAULT_NOTICE_DAYS)
    public_notice_days = models.PositiveSmallIntegerField(_("days of public notice of the outcome"),
                                                          default=DEFAULT_PUBLIC_NOTICE_DAYS)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hearing settings")
        verbose_name_plural = _("hearing settings")
        constraints = [
            models.CheckConstraint(condition=Q(notice_days__gte=1) & Q(notice_days__lte=90),
                                   name="hearingsettings_notice_days_range"),
            models.CheckConstraint(condition=Q(public_notice_days__gte=1) & Q(public_notice_days__lte=90),
                                   name="hearingsettings_public_notice_days_range"),
        ]

    def __str__(self) -> str:
        return str(self.committee)


class Hearing(Lifecycle):
    """A hearing on a matter that touches residents' shared interests."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        IN_SESSION = "in_session", _("in session")
        MINUTES = "minutes", _("minutes")
        PUBLIC_NOTICE = "public_notice", _("public notice")
        ARCHIVED = "archived", _("archived")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.ANNOUNCED, Status.CANCELLED},
        Status.ANNOUNCED: {Status.IN_SESSION, Status.CANCELLED},
        Status.IN_SESSION: {Status.MINUTES},
        Status.MINUTES: {Status.PUBLIC_NOTICE},
        Status.PUBLIC_NOTICE: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
        Status.CANCELLED: set(),
    }
    REFUSED_MOVE = _("A hearing that is %(s)s cannot become %(t)s.")

    class Scope(models.TextChoices):
        COMMITTEE = "committee", _("the whole committee")
        COMPOUNDS = "compounds", _("some compounds")
        BUILDINGS = "buildings", _("some buildings")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="hearings",
                                  verbose_name=_("residents' committee"))
    title = models.CharField(_("matter"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    scope = models.CharField(_("affected area"), max_length=10, choices=Scope.choices, default=Scope.COMMITTEE)
    compounds = models.ManyToManyField(Compound, blank=True, related_name="+", verbose_name=_("compounds"))
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("buildings"))
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    opinion_opens_at = models.DateTimeField(_("written opinions from"))
    opinion_closes_at = models.DateTimeField(_("written opinions until"))
    observer_quota = models.PositiveSmallIntegerField(_("observer places"), default=10)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="follow_ups", verbose_name=_("follow-up of"))

    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    notice_days_required = models.PositiveSmallIntegerField(_("days of notice required"), null=True, blank=True)
    announced_late = models.BooleanField(_("announced with less notice than required"), default=False)
    late_reason = models.CharField(_("reason for the short notice"), max_length=500, blank=True)
    session_started_at = models.DateTimeField(_("session opened at"), null=True, blank=True)
    # Set only when the session opened earlier than its announced time allows (settings.MEETING_START_GRACE).
    early_start_reason = models.CharField(_("reason for opening the session early"), max_length=500, blank=True)
    session_ended_at = models.DateTimeField(_("session closed at"), null=True, blank=True)
    decision = models.TextField(_("decision of the committee"), blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    notice_started_at = models.DateTimeField(_("public notice from"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("public notice until"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    history = HistoricalRecords(m2m_fields=[compounds, buildings])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(condition=Q(opinion_closes_at__gt=F("opinion_opens_at")),
                                   name="hearing_opinion_window_order"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="hearing_cancel_has_reason"),
            models.CheckConstraint(condition=Q(announced_late=False) | ~Q(late_reason=""),
                                   name="hearing_late_has_reason"),
            models.CheckConstraint(condition=~Q(status__in=["public_notice", "archived"]) | (
                ~Q(decision="") & Q(notice_ends_at__isnull=False)), name="hearing_notice_has_decision"),
            models.CheckConstraint(condition=Q(previous__isnull=True) | ~Q(previous=F("pk")),
                                   name="hearing_not_own_follow_up"),
        ]

    @property
    def outcome_public(self) -> bool:
        """The decision and its reasons are on public notice, and stay readable once archived."""
        return self.status in (self.Status.PUBLIC_NOTICE, self.Status.ARCHIVED)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hearings:hearing_detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    def opinion_window_open(self, now) -> bool:
        return (self.status in (self.Status.ANNOUNCED, self.Status.IN_SESSION)
                and self.opinion_opens_at <= now < self.opinion_closes_at)

    def registration_open(self, now) -> bool:
        return self.status == self.Status.ANNOUNCED and now < self.starts_at

    def objections_open(self, now) -> bool:
        return self.status == self.Status.PUBLIC_NOTICE and self.notice_ends_at is not None \
            and now < self.notice_ends_at

    def notice_deadline(self, notice_days: int):
        """The latest moment an announcement gives ``notice_days`` of notice."""
        return self.starts_at - timedelta(days=notice_days)


def hearing_attachment_path(instance, filename: str) -> str:
    from members.uploads import attachment_path

    return attachment_path(f"hearings/{instance.hearing_id}", filename)


class HearingAttachment(models.Model):
    """Material of a hearing (PDF or image), public with the hearing."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=hearing_attachment_path)
    name = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("description"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "uploaded_at", "pk"]
        verbose_name = _("hearing material")
        verbose_name_plural = _("hearing material")

    def __str__(self) -> str:
        return self.title or self.name


class HearingPanelMember(models.Model):
    """A seat on the hearing's panel: the chair, representatives, or a unit such as the property firm."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        AFFECTED = "affected", _("representative of affected residents")
        RESIDENT_REP = "resident_rep", _("resident representative")
        UNIT = "unit", _("unit")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="panel")
    role = models.CharField(_("role on the panel"), max_length=15, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("person"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "role", "pk"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [
            models.UniqueConstraint(fields=["hearing"], condition=Q(role="chair"), name="hearingpanel_one_chair"),
            models.UniqueConstraint(fields=["hearing", "user"], condition=Q(user__isnull=False),
                                    name="hearingpanel_person_once"),
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(agency__isnull=False) | ~Q(name=""),
                                   name="hearingpanel_names_someone"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.display_name
        return self.agency.name if self.agency_id else self.name


class HearingRegistration(models.Model):
    """A resident's request to speak (陈述人) or observe; the organizer confirms it."""

    class Kind(models.TextChoices):
        SPEAKER = "speaker", _("speaker")
        OBSERVER = "observer", _("observer")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    kind = models.CharField(_("taking part as"), max_length=10, choices=Kind.choices)
    # Organizers only: how to reach the person about their registration.
    contact = models.CharField(_("contact phone"), max_length=30, blank=True)
    topic = models.CharField(_("what you want to say"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "kind", "created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "user"], name="hearingregistration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class HearingOpinion(models.Model):
    """A resident's written opinion: one per resident, editable until the window closes."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="opinions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    text = models.TextField(_("opinion"))
    hide_name = models.BooleanField(_("show my name to the organizers only"), default=False)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "created_at"]
        verbose_name = _("written opinion")
        verbose_name_plural = _("written opinions")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "user"], name="hearingopinion_one_per_resident"),
            models.CheckConstraint(condition=~Q(text=""), name="hearingopinion_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.hearing} · {self.user_id}"


class HearingAttendance(models.Model):
    """Who was checked in at the session."""

    class Role(models.TextChoices):
        PANEL = "panel", _("panel")
        SPEAKER = "speaker", _("speaker")
        OBSERVER = "observer", _("observer")
        OTHER = "other", _("other")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("person"))
    name = models.CharField(_("name"), max_length=120)
    # For someone without an account (a lawyer, a police officer, a firm's representative): where they are
    # from, shown with their name; the phone is for the organizers only, never shown publicly.
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    phone = models.CharField(_("phone (organizers only)"), max_length=30, blank=True)
    role = models.CharField(_("present as"), max_length=10, choices=Role.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), auto_now_add=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "checked_in_at", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "user"], condition=Q(user__isnull=False),
                                    name="hearingattendance_once"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name


class HearingStatement(models.Model):
    """A statement, question or answer recorded during the session."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("statement")
        QUESTION = "question", _("question")
        ANSWER = "answer", _("answer")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="statements")
    speaker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("speaker"))
    speaker_name = models.CharField(_("speaker"), max_length=120)
    # The checked-in speaker, with or without an account.
    attendee = models.ForeignKey(HearingAttendance, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="statements", verbose_name=_("speaker checked in"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATEMENT)
    text = models.TextField(_("what was said"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "recorded_at", "pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return f"{self.speaker_name}: {self.text[:40]}"


class HearingMinutes(HashedVersion):
    """One version of the minutes (听证纪要). Draft → circulated for confirmation → final (frozen)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CIRCULATED = "circulated", _("sent to attendees for confirmation")
        FINAL = "final", _("final")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    record = models.TextField(pgettext_lazy("hearing minutes", "record"))
    summary = models.TextField(_("summary"))
    correction_reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    circulated_at = models.DateTimeField(_("sent for confirmation at"), null=True, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "version"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "version"], name="hearingminutes_version_once"),
            models.UniqueConstraint(fields=["hearing"], condition=Q(status__in=["draft", "circulated"]),
                                    name="hearingminutes_one_open_version"),
            models.CheckConstraint(condition=Q(version=1) | ~Q(correction_reason=""),
                                   name="hearingminutes_correction_has_reason"),
            models.CheckConstraint(condition=Q(status="draft") | ~Q(content_hash=""),
                                   name="hearingminutes_frozen_has_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.hearing} · v{self.version}"

    def hashed_content(self) -> str:
        """What attendees confirm: hearing, version, record and summary."""
        return f"hearing:{self.hearing_id}\nversion:{self.version}\nrecord:\n{self.record}\nsummary:\n{self.summary}"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class HearingMinutesConfirmation(models.Model):
    """An attendee's confirmation of the minutes: online (their name and the time are their signature),
    or their signature on the printed minutes, recorded by an organizer (someone without an account)."""

    minutes = models.ForeignKey(HearingMinutes, on_delete=models.PROTECT, related_name="confirmations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    attendee = models.ForeignKey(HearingAttendance, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="confirmations", verbose_name=_("attendee"))
    on_paper = models.BooleanField(_("signed on paper"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("paper signature recorded by"))
    content_hash = models.CharField(_("content hash confirmed"), max_length=64)
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["minutes", "confirmed_at"]
        verbose_name = _("confirmation of the minutes")
        verbose_name_plural = _("confirmations of the minutes")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "user"], name="hearingminutes_confirm_once"),
            models.UniqueConstraint(fields=["minutes", "attendee"], condition=Q(attendee__isnull=False),
                                    name="hearingminutes_confirm_once_attendee"),
            models.CheckConstraint(condition=Q(on_paper=False, user__isnull=False)
                                   | Q(on_paper=True, attendee__isnull=False, recorded_by__isnull=False),
                                   name="hearingminutes_confirm_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} · {self.user_id or self.attendee_id}"

    @property
    def signer_name(self) -> str:
        return self.attendee.display_name if self.attendee_id else self.user.display_name


class HearingObjection(models.Model):
    """An objection filed during the public notice, answered publicly by an organizer."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="objections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    text = models.TextField(_("objection"))
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["hearing", "created_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="hearingobjection_not_empty"),
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                                   name="hearingobjection_answer_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.hearing} · {self.created_at:%Y-%m-%d}"
