"""Party-member deliberation (党员代表议事): the agenda, topics, seconds, discussion and meetings."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle
from decisions.models.ballots import Ballot
from members.models import Committee


class PartySettings(models.Model):
    """How the neighbourhood's party organization decides: seconds needed, who votes, quorum."""

    class Electorate(models.TextChoices):
        PARTY_REPS = Ballot.Electorate.PARTY_REPS.value, _("party-member representatives")
        PARTY_MEMBERS = Ballot.Electorate.PARTY_MEMBERS.value, _("all party members")

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="party_settings",
                                     verbose_name=_("residents' committee"))
    seconds_needed = models.PositiveSmallIntegerField(
        _("seconds a member's proposal needs"), default=2,
        help_text=_("How many other party members must second a member's topic before it goes on the agenda."))
    electorate = models.CharField(_("who votes on topics"), max_length=20, choices=Electorate.choices,
                                  default=Electorate.PARTY_REPS)
    quorum = models.DecimalField(_("quorum (share of those entitled)"), max_digits=5, decimal_places=4,
                                 default=Decimal("0.5"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party deliberation settings")
        verbose_name_plural = _("party deliberation settings")
        constraints = [
            models.CheckConstraint(condition=Q(quorum__gte=0) & Q(quorum__lte=1), name="party_settings_quorum"),
            models.CheckConstraint(condition=Q(seconds_needed__lte=50), name="party_settings_seconds_max"),
        ]

    def __str__(self) -> str:
        return str(self.committee)


class Topic(Lifecycle):
    """A topic (议题) on the party agenda of one neighbourhood."""

    class Status(models.TextChoices):
        SECONDING = "seconding", _("awaiting seconds")
        AGENDA = "agenda", _("on the agenda")
        VOTING = "voting", _("being voted on")
        DECIDED = "decided", _("resolution published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    TRANSITIONS = {
        Status.SECONDING: {Status.AGENDA, Status.WITHDRAWN},
        Status.AGENDA: {Status.VOTING, Status.WITHDRAWN},
        Status.VOTING: {Status.DECIDED},
        Status.DECIDED: set(),
        Status.WITHDRAWN: set(),
    }
    REFUSED_MOVE = _("A topic that is %(s)s cannot become %(t)s.")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="party_topics",
                                  verbose_name=_("residents' committee"))
    title = models.CharField(_("title"), max_length=200)
    material = models.TextField(_("material"), blank=True,
                                help_text=_("Plain text or Markdown (lists, **bold**, links); no HTML."))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    by_organization = models.BooleanField(_("proposed by the party organization"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SECONDING)
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="party_topic", verbose_name=_("vote"))
    resolution = models.TextField(_("resolution"), blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    agenda_at = models.DateTimeField(_("put on the agenda at"), null=True, blank=True)
    voting_at = models.DateTimeField(_("vote opened at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("resolution published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("party topic")
        verbose_name_plural = _("party topics")
        constraints = [
            models.CheckConstraint(condition=~Q(status="decided") | ~Q(resolution=""),
                                   name="party_topic_decided_has_resolution"),
            models.CheckConstraint(condition=~Q(status="withdrawn") | ~Q(withdraw_reason=""),
                                   name="party_topic_withdrawn_has_reason"),
            models.CheckConstraint(condition=~Q(status__in=["voting", "decided"]) | Q(ballot__isnull=False),
                                   name="party_topic_vote_has_ballot"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deliberation:party_topic", args=[self.pk])


class TopicSecond(models.Model):
    """A party member's seconding of a topic; once per member."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="seconds")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    created_at = models.DateTimeField(_("seconded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("second")
        verbose_name_plural = _("seconds")
        constraints = [models.UniqueConstraint(fields=["topic", "member"], name="topic_second_once")]

    def __str__(self) -> str:
        return f"{self.member} → {self.topic}"


class TopicComment(models.Model):
    """A comment or reply in a topic's discussion; every edit is kept in its history."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies",
                               verbose_name=_("in reply to"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    body = models.TextField(_("comment"), help_text=_("Plain text or Markdown; no HTML."))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="topic_comment_not_empty")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class PartyMeeting(models.Model):
    """A meeting of the party-member representatives, with the topics discussed and who attended."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="party_meetings",
                                  verbose_name=_("residents' committee"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="meetings", verbose_name=_("topics"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("convened by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[topics])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("party-member representatives' meeting")
        verbose_name_plural = _("party-member representatives' meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("deliberation:party_meeting", args=[self.pk])


class MeetingAttendance(models.Model):
    """A party member recorded as present at a meeting."""

    meeting = models.ForeignKey(PartyMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party member"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meeting_attendance_once")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.meeting}"
