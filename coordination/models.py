"""Coordination meetings (协调会): parties, notice, session, record and agreement, actions, escalation.

The tables keep the names they had when these models lived in the hearings app (``db_table`` and the
history's ``table_name``): the move to this app changed no table, so no row was copied.

A meeting is visible only to its parties, its other participants, the committee's organizers
and, once escalated, the street officers of the committee's street (``selectors.coordination``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from config.records import FollowUpItem, HashedVersion
from members.models import Agency, Committee, Household

__all__ = [
    "CoordinationSettings",
    "CoordinationMeeting",
    "CoordinationParticipant",
    "CoordinationNotice",
    "CoordinationStatement",
    "CoordinationDocument",
    "CoordinationConfirmation",
    "CoordinationAction",
    "CoordinationProgress",
]

DEFAULT_NOTICE_DAYS = 7


class CoordinationSettings(models.Model):
    """A committee's own rules for coordination meetings."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="coordination_settings",
                                     verbose_name=_("residents' committee"))
    notice_days = models.PositiveSmallIntegerField(_("minimum notice to parties (days)"),
                                                   default=DEFAULT_NOTICE_DAYS)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationsettings")

    class Meta:
        db_table = "hearings_coordinationsettings"
        verbose_name = _("coordination settings")
        verbose_name_plural = _("coordination settings")
        constraints = [
            models.CheckConstraint(condition=Q(notice_days__gte=1) & Q(notice_days__lte=60),
                                   name="coordination_notice_days_range"),
        ]

    def __str__(self) -> str:
        return str(self.committee)


class CoordinationMeeting(Lifecycle):
    """A coordination meeting between several parties, from request to follow-up."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        DECLINED = "declined", _("declined")
        SCHEDULING = "scheduling", _("being prepared")
        NOTICED = "noticed", _("parties noticed")
        IN_SESSION = "in_session", _("in session")
        CONCLUDING = "concluding", _("record and agreement")
        FOLLOW_UP = "follow_up", _("follow-up")
        ESCALATED = "escalated", _("escalated to the street")
        CLOSED = "closed", pgettext_lazy("coordination meeting", "closed")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.REQUESTED: {Status.SCHEDULING, Status.DECLINED},
        Status.SCHEDULING: {Status.NOTICED, Status.CANCELLED},
        Status.NOTICED: {Status.IN_SESSION, Status.CANCELLED},
        Status.IN_SESSION: {Status.CONCLUDING},
        Status.CONCLUDING: {Status.FOLLOW_UP, Status.ESCALATED, Status.CLOSED},
        Status.FOLLOW_UP: {Status.ESCALATED, Status.CLOSED},
        Status.ESCALATED: {Status.CLOSED},
        Status.DECLINED: set(),
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    REFUSED_MOVE = _("A coordination meeting that is %(s)s cannot become %(t)s.")
    # Statuses in which the list of participants may still change.
    OPEN_FOR_PARTICIPANTS = (Status.SCHEDULING, Status.NOTICED, Status.IN_SESSION)
    # Statuses in which the agreed actions are followed up (progress reported, reminders sent).
    FOLLOWED_UP = (Status.FOLLOW_UP, Status.ESCALATED)

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="coordination_meetings",
                                  verbose_name=_("residents' committee"))
    subject = models.CharField(_("subject"), max_length=200)
    request_text = models.TextField(_("what is asked for"), blank=True)
    other_parties_text = models.CharField(_("other parties (as the requester named them)"), max_length=300,
                                          blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="coordination_requests", verbose_name=_("requested by"))
    requested_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("requested with"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULING)

    scheduled_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    place = models.CharField(_("meeting place"), max_length=200, blank=True)
    agreement_reached = models.BooleanField(_("agreement reached"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("request decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("request decided by"))
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    noticed_at = models.DateTimeField(_("notice given at"), null=True, blank=True)
    session_started_at = models.DateTimeField(_("session started at"), null=True, blank=True)
    # Set only when the session started before its noticed time allows, or ended before the noticed day.
    early_start_reason = models.CharField(_("reason for starting early"), max_length=500, blank=True)
    concluded_at = models.DateTimeField(_("session ended at"), null=True, blank=True)
    early_conclusion_reason = models.CharField(_("reason for concluding before the noticed day"), max_length=500,
                                               blank=True)
    follow_up_at = models.DateTimeField(_("follow-up started at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("escalated by"))
    escalation_reason = models.TextField(_("why it is escalated"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationmeeting")

    class Meta:
        db_table = "hearings_coordinationmeeting"
        ordering = ["-created_at", "-id"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="coordination_decline_has_reason"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="coordination_cancel_has_reason"),
            models.CheckConstraint(condition=Q(escalated_at__isnull=True) | ~Q(escalation_reason=""),
                                   name="coordination_escalation_has_reason"),
            models.CheckConstraint(
                condition=~Q(status__in=["noticed", "in_session", "concluding", "follow_up"])
                | Q(scheduled_at__isnull=False, noticed_at__isnull=False),
                name="coordination_held_after_notice"),
        ]
        indexes = [models.Index(fields=["committee", "status"], name="coordination_committee_status")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("coordination:coordination_detail", args=[self.pk])

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class CoordinationParticipant(models.Model):
    """A party to the meeting (who confirms the agreement) or another participant (who confirms the record)."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("resident")
        HOUSEHOLD = "household", _("household")
        PROPERTY_FIRM = "property_firm", _("property firm")
        AGENCY = "agency", _("agency")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        MEDIATOR = "mediator", _("mediation committee member")
        POLICE = "police", _("community police officer")
        LEGAL_ADVISER = "legal_adviser", _("legal adviser")
        OTHER = "other", _("other participant")

    PARTY_KINDS = (Kind.RESIDENT, Kind.HOUSEHOLD, Kind.PROPERTY_FIRM, Kind.AGENCY, Kind.OWNERS_COMMITTEE)
    AGENCY_KINDS = (Kind.PROPERTY_FIRM, Kind.AGENCY)

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("coordination meeting"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_party = models.BooleanField(_("party"), default=True)
    # Who speaks and confirms for this row: a person, every verified resident of a household, or
    # every agency contact of an agency (a named person of an agency is allowed too).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="coordination_participations", verbose_name=_("person"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("household"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="coordination_participations", verbose_name=_("agency"))
    # The name shown; for a person without an account, their name (with organisation and phone below).
    label = models.CharField(_("name shown"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    phone = models.CharField(_("phone (organizers only)"), max_length=30, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationparticipant")

    class Meta:
        db_table = "hearings_coordinationparticipant"
        ordering = ["-is_party", "id"]
        verbose_name = _("coordination participant")
        verbose_name_plural = _("coordination participants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["property_firm", "agency"], agency__isnull=False, household__isnull=True)
                           | Q(kind="household", household__isnull=False, agency__isnull=True)
                           | (Q(kind__in=["resident", "owners_committee", "mediator", "police", "legal_adviser",
                                          "other"], household__isnull=True, agency__isnull=True)
                              & (Q(user__isnull=False) | ~Q(label="")))),
                name="coordination_participant_kind_matches"),
            models.CheckConstraint(
                condition=Q(is_party=True, kind__in=["resident", "household", "property_firm", "agency",
                                                     "owners_committee"])
                | Q(is_party=False, kind__in=["mediator", "police", "legal_adviser", "other"]),
                name="coordination_participant_party_kind"),
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False, agency__isnull=True),
                                    name="coordination_participant_once_person"),
            models.UniqueConstraint(fields=["meeting", "household"], condition=Q(household__isnull=False),
                                    name="coordination_participant_once_household"),
            models.UniqueConstraint(fields=["meeting", "agency"], condition=Q(agency__isnull=False),
                                    name="coordination_participant_once_agency"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_account(self) -> bool:
        """False for a person without an account: told and asked to confirm on paper by the organizer."""
        return bool(self.user_id or self.household_id or self.agency_id)

    @property
    def name(self) -> str:
        if self.label:
            return f"{self.label}（{self.organisation}）" if self.organisation else self.label
        if self.agency_id:
            return self.agency.name
        if self.household_id:
            return str(self.household)
        return self.user.display_name if self.user_id else "?"


class CoordinationNotice(models.Model):
    """The written notice given to one participant, with how many days ahead it was."""

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="notices",
                                verbose_name=_("coordination meeting"))
    participant = models.OneToOneField(CoordinationParticipant, on_delete=models.CASCADE, related_name="notice",
                                       verbose_name=_("participant"))
    sent_at = models.DateTimeField(_("notice given at"), default=timezone.now)
    days_ahead = models.PositiveSmallIntegerField(_("days ahead of the meeting"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("given by"))

    history = HistoricalRecords(table_name="hearings_historicalcoordinationnotice")

    class Meta:
        db_table = "hearings_coordinationnotice"
        ordering = ["sent_at", "id"]
        verbose_name = _("coordination notice")
        verbose_name_plural = _("coordination notices")

    def __str__(self) -> str:
        return f"{self.participant} · {self.sent_at:%Y-%m-%d}"


class CoordinationStatement(models.Model):
    """A party's statement at the session, as recorded by the organizer."""

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="statements",
                                verbose_name=_("coordination meeting"))
    participant = models.ForeignKey(CoordinationParticipant, on_delete=models.PROTECT, related_name="statements",
                                    verbose_name=_("who"))
    text = models.TextField(_("statement"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationstatement")

    class Meta:
        db_table = "hearings_coordinationstatement"
        ordering = ["recorded_at", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self) -> str:
        return f"{self.participant}: {self.text[:40]}"


class CoordinationDocument(HashedVersion):
    """One version of the record (协调记录) or of the agreement (协调意见).

    A draft is edited by the organizer, then submitted: its content is frozen into ``content``
    with a SHA-256 hash and people confirm it. When all who must have confirmed it is final.
    A correction is a new version with a reason; earlier versions stay as they were.
    """

    class Kind(models.TextChoices):
        RECORD = "record", _("record")
        AGREEMENT = "agreement", _("agreement")

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("coordination meeting"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    points_in_dispute = models.TextField(_("points in dispute"), blank=True)
    body = models.TextField(_("text"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("written by"))
    submitted_at = models.DateTimeField(_("submitted for confirmation at"), null=True, blank=True)
    content = models.JSONField(_("content as submitted"), null=True, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    finalized_at = models.DateTimeField(_("final at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationdocument")

    class Meta:
        db_table = "hearings_coordinationdocument"
        ordering = ["kind", "-version"]
        verbose_name = _("record or agreement")
        verbose_name_plural = _("records and agreements")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "version"], name="coordination_document_version"),
            models.UniqueConstraint(fields=["meeting", "kind"], condition=Q(superseded_at__isnull=True),
                                    name="coordination_document_one_current"),
            models.CheckConstraint(condition=Q(version=1) | ~Q(correction_reason=""),
                                   name="coordination_correction_has_reason"),
            models.CheckConstraint(condition=Q(finalized_at__isnull=True) | Q(submitted_at__isnull=False),
                                   name="coordination_final_after_submitted"),
            models.CheckConstraint(condition=Q(submitted_at__isnull=True) | ~Q(content_hash=""),
                                   name="coordination_submitted_has_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None

    @property
    def is_final(self) -> bool:
        return self.finalized_at is not None

    @property
    def is_frozen(self) -> bool:
        return not self.is_draft

    def hashed_content(self) -> dict:
        """The content frozen at submission, with the text as the page shows it (the columns people read)."""
        shown = {"text": self.body}
        if self.kind == self.Kind.RECORD:
            shown["points_in_dispute"] = self.points_in_dispute
        return {**(self.content or {}), **shown}

    @property
    def awaiting(self) -> bool:
        """Submitted, current and not yet confirmed by all: the version people are asked to confirm."""
        return not self.is_draft and not self.is_final and self.superseded_at is None


class CoordinationConfirmation(models.Model):
    """A participant's confirmation of a submitted document: the name and time are the signature."""

    document = models.ForeignKey(CoordinationDocument, on_delete=models.CASCADE, related_name="confirmations",
                                 verbose_name=_("record or agreement"))
    participant = models.ForeignKey(CoordinationParticipant, on_delete=models.PROTECT,
                                    related_name="confirmations", verbose_name=_("participant"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("confirmed by"))
    on_paper = models.BooleanField(_("signed on paper"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("paper signature recorded by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationconfirmation")

    class Meta:
        db_table = "hearings_coordinationconfirmation"
        ordering = ["confirmed_at", "id"]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.UniqueConstraint(fields=["document", "participant"], name="coordination_confirm_once"),
            models.CheckConstraint(condition=Q(on_paper=True, recorded_by__isnull=False)
                                   | Q(on_paper=False, user__isnull=False),
                                   name="coordination_confirmation_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.confirmed_at:%Y-%m-%d %H:%M}"


class CoordinationAction(FollowUpItem):
    """One action of the agreement: who does what by when, followed until done."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("coordination action", "open")
        DONE = "done", _("done")

    TRANSITIONS = {Status.OPEN: {Status.DONE}, Status.DONE: {Status.OPEN}}
    REFUSED_MOVE = _("An item that is %(s)s cannot become %(t)s.")
    DUE_FIELD = "due_date"

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="actions",
                                verbose_name=_("coordination meeting"))
    number = models.PositiveSmallIntegerField(_("number"))
    description = models.TextField(_("what is to be done"))
    owner_participant = models.ForeignKey(CoordinationParticipant, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="actions", verbose_name=_("owner (party)"))
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="coordination_actions", verbose_name=_("owner (agency)"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationaction")

    class Meta:
        db_table = "hearings_coordinationaction"
        ordering = ["number"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="coordination_action_number"),
            models.CheckConstraint(condition=Q(owner_participant__isnull=True) ^ Q(owner_agency__isnull=True),
                                   name="coordination_action_one_owner"),
            models.CheckConstraint(condition=Q(status="open", done_at__isnull=True)
                                   | Q(status="done", done_at__isnull=False),
                                   name="coordination_action_done_at"),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="coordination_action_due")]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:60]}"

    @property
    def owner_name(self) -> str:
        return self.owner_participant.name if self.owner_participant_id else self.owner_agency.name


def _progress_path(instance: "CoordinationProgress", filename: str) -> str:
    from members.uploads import attachment_path

    return attachment_path("coordination", filename)


class CoordinationProgress(models.Model):
    """A progress note on an action, with an optional attachment (photo or PDF)."""

    action = models.ForeignKey(CoordinationAction, on_delete=models.CASCADE, related_name="progress",
                               verbose_name=_("agreed action"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("written by"))
    text = models.TextField(_("progress"))
    marks_done = models.BooleanField(_("marks the action done"), default=False)
    attachment = models.FileField(_("attachment"), upload_to=_progress_path, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    history = HistoricalRecords(table_name="hearings_historicalcoordinationprogress")

    class Meta:
        db_table = "hearings_coordinationprogress"
        ordering = ["created_at", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return self.text[:60]
