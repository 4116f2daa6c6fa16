"""What was cast: a register of who took part, and the choices — named, or anonymous for secret ballots.

All of these tables are append-only: database triggers (migration 0002) refuse UPDATE and DELETE.
A changed vote is a new version; the latest counts and every earlier one is kept.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from decisions.models.ballots import Ballot, Option, Question, Voice


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("paper ballot")
    ASSISTED = "assisted", _("assisted")


class PaperBatch(models.Model):
    """Paper sheets entered by one organizer, counted in only when a second one confirms them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="paper_batches")
    issued = models.PositiveIntegerField(_("sheets issued"))
    returned = models.PositiveIntegerField(_("sheets returned"))
    void = models.PositiveIntegerField(_("void sheets"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("confirmed by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Who handed in a sheet: registered as having taken part (one voice across all channels).
    voters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                    verbose_name=_("voters who returned a sheet"))

    class Meta:
        db_table = "deliberation_paperbatch"  # created by the migrations of deliberation
        ordering = ["ballot", "created_at"]
        verbose_name = _("paper batch")
        verbose_name_plural = _("paper batches")
        constraints = [
            models.CheckConstraint(condition=Q(returned__lte=F("issued")), name="paperbatch_returned_le_issued"),
            models.CheckConstraint(condition=Q(void__lte=F("returned")), name="paperbatch_void_le_returned"),
            models.CheckConstraint(condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
                                   name="paperbatch_confirmed_by_another"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot} · {self.created_at:%Y-%m-%d}"


class PaperSheet(models.Model):
    """One valid paper sheet as typed in, before its batch is confirmed."""

    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="sheets")
    # Named ballots: whose sheet it is. Secret ballots: never set.
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    options = models.ManyToManyField(Option, related_name="+")
    # Area-weighted secret ballots (art. 278): the floor area printed on the household's sheet.
    floor_area = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "deliberation_papersheet"  # created by the migrations of deliberation
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return f"sheet {self.pk}"


class Participation(models.Model):
    """The register: this voice took part (version n), by this person, through this channel, then."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="participations")
    # No index of its own: the unique (voice, version) index below serves lookups by voice (one
    # index fewer to write with every vote).
    voice = models.ForeignKey(Voice, on_delete=models.PROTECT, related_name="participations", db_index=False)
    version = models.PositiveIntegerField(default=1)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    # Set only for assisted votes and paper sheets: indexed where set (Meta.indexes), so that an
    # online vote writes no index entry for them.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", db_index=False)
    consent_note = models.CharField(max_length=300, blank=True)
    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              db_index=False)
    cast_at = models.DateTimeField()
    # Unique by the constraint in Meta, not ``unique=True``, which on PostgreSQL adds a second index
    # for LIKE searches that nothing makes: one index entry fewer with every vote.
    receipt = models.CharField(max_length=20)
    # A sealed ballot's paper, sealed to the box's public key when it was cast (decisions.box):
    # who voted is public in the register, what they chose only the scrutineers together can open.
    # Its hash is in the register chain entry and the receipt is its first 60 bits.
    paper = models.BinaryField(null=True, blank=True)

    class Meta:
        db_table = "deliberation_participation"  # created by the migrations of deliberation
        ordering = ["ballot", "voice", "version"]
        indexes = [
            models.Index(fields=["entered_by"], condition=Q(entered_by__isnull=False), name="participation_entered_by"),
            models.Index(fields=["batch"], condition=Q(batch__isnull=False), name="participation_batch"),
        ]
        constraints = [
            # The guarantee against double votes: one row per voice and version, whatever the channel.
            models.UniqueConstraint(fields=["voice", "version"], name="participation_one_per_version"),
            models.UniqueConstraint(fields=["receipt"], name="participation_unique_receipt"),
            models.CheckConstraint(condition=Q(version__gte=1), name="participation_version_positive"),
            models.CheckConstraint(condition=~Q(channel="assisted") | (Q(entered_by__isnull=False)
                                                                       & ~Q(consent_note="")),
                                   name="participation_assisted_has_consent"),
        ]

    def __str__(self) -> str:
        return self.receipt


class NamedChoice(models.Model):
    """A choice of a named ballot, with its participation (and so its voter)."""

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="choices")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")

    # Named votes are history-tracked like every other non-secret record (append-only, so the
    # history holds their creation with its acting user). Secret papers never are.
    history = HistoricalRecords(table_name="deliberation_historicalnamedchoice")

    class Meta:
        db_table = "deliberation_namedchoice"  # created by the migrations of deliberation
        constraints = [
            models.UniqueConstraint(fields=["participation", "option"], name="namedchoice_unique_option"),
        ]

    def __str__(self) -> str:
        return f"{self.participation_id}:{self.option_id}"


class SecretContent(models.Model):
    """An anonymous ballot paper: no person, no time finer than the day, no order, no history.

    ``voice_tag`` is an HMAC of the voice under the site's secret key: it lets a changed vote
    (``version`` 2, 3 …) replace the earlier one, yet cannot be linked to a person from the
    database alone. Papers carry no sequence number: they are chained only at close, in the
    order of their random ids, so the contents chain cannot be lined up with the register.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Served by the unique (ballot, voice_tag, version) index: no index of its own.
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="secret_contents", db_index=False)
    version = models.PositiveIntegerField(default=1)
    voice_tag = models.CharField(max_length=64)
    cast_on = models.DateField()
    # Area-weighted ballots (art. 278) need the household's floor area to weigh the choice.
    floor_area = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "deliberation_secretcontent"  # created by the migrations of deliberation
        ordering = ["ballot", "id"]
        constraints = [models.UniqueConstraint(fields=["ballot", "voice_tag", "version"],
                                               name="secretcontent_unique_version")]

    def __str__(self) -> str:
        return str(self.pk)


class SecretChoice(models.Model):
    # Served by the unique (content, option) index: no index of its own.
    content = models.ForeignKey(SecretContent, on_delete=models.PROTECT, related_name="choices", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "deliberation_secretchoice"  # created by the migrations of deliberation
        constraints = [
            models.UniqueConstraint(fields=["content", "option"], name="secretchoice_unique_option"),
        ]

    def __str__(self) -> str:
        return f"{self.content_id}:{self.option_id}"


class SealedSheet(models.Model):
    """A paper sheet of a confirmed batch, sealed into the ballot box (no voter, no order, no time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="sealed_sheets")
    batch = models.ForeignKey(PaperBatch, on_delete=models.PROTECT, related_name="sealed_sheets", db_index=False)
    paper = models.BinaryField()

    class Meta:
        db_table = "deliberation_sealedsheet"  # created by the migrations of deliberation
        ordering = ["ballot", "id"]
        indexes = [models.Index(fields=["batch"], name="sealedsheet_batch")]

    def __str__(self) -> str:
        return str(self.pk)
