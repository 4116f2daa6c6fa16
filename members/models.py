"""People, places, roles, households and agencies (see ../shared/DOMAIN.md)."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from config.lifecycle import Lifecycle


class User(AbstractUser):
    """A person with an account. Residents sign in by phone, staff by username."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, null=True, blank=True, unique=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    # Large print ("A+"): every page is drawn with larger text and buttons for this person.
    large_print = models.BooleanField(_("large print"), default=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Street(models.Model):
    """A street office (街道办事处) over several residents' committees."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    district = models.CharField(_("district"), max_length=80, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:street_detail", args=[self.pk])


class Committee(models.Model):
    """A residents' committee (居委会); the unit that runs meetings."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="committees",
                               verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=80)
    address = models.CharField(_("address"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["street__name", "name"]
        verbose_name = _("residents' committee")
        verbose_name_plural = _("residents' committees")
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="committee_unique_name_in_street"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:committee_detail", args=[self.pk])


class Agency(models.Model):
    """An organisation that serves the neighbourhood and is evaluated every year."""

    class Kind(models.TextChoices):
        POLICE = "police", _("police station")
        MARKET = "market", _("market regulation office")
        CITY_MANAGEMENT = "city_management", _("city management squad")
        HOUSING = "housing", _("housing management office")
        HEALTH = "health", _("community health centre")
        PROPERTY_FIRM = "property_firm", _("property firm")
        WORK_STATION = "work_station", _("community work station")

    STATIONED_KINDS = (Kind.POLICE, Kind.MARKET, Kind.CITY_MANAGEMENT, Kind.HOUSING, Kind.HEALTH)

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="agencies",
                               verbose_name=_("street"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    supervising_department = models.CharField(_("supervising department"), max_length=120, blank=True)
    committees = models.ManyToManyField(Committee, blank=True, related_name="agencies",
                                        verbose_name=_("committees served"))

    history = HistoricalRecords(m2m_fields=[committees])

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["street", "kind", "name"], name="agency_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """A residential compound (小区), managed by one property firm."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="compounds",
                                  verbose_name=_("residents' committee"))
    name = models.CharField(_("name"), max_length=80)
    property_firm = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="compounds",
        limit_choices_to={"kind": Agency.Kind.PROPERTY_FIRM}, verbose_name=_("property firm"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="compound_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """A building or stairwell group (楼组); the unit of floor consultations."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings",
                                 verbose_name=_("compound"))
    name = models.CharField(_("name"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        ordering = ["compound__name", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.name}"


class Household(models.Model):
    """A flat (户): the unit of 'one voice per household' and of floor-area rules."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households",
                                 verbose_name=_("building"))
    door_number = models.CharField(_("door number"), max_length=20)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2)
    owner_occupied = models.BooleanField(_("owner-occupied"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["building__compound__name", "building__name", "door_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["building", "door_number"], name="household_unique_door"),
            models.CheckConstraint(
                condition=Q(floor_area__gt=Decimal("0")) & Q(floor_area__lt=Decimal("10000")),
                name="household_floor_area_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.door_number}"


class Membership(Lifecycle):
    """A person's membership of a household: what makes them a resident (居民)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        LEFT = "left", _("left")

    TRANSITIONS = {
        Status.PENDING: {Status.VERIFIED, Status.REJECTED},
        Status.VERIFIED: {Status.LEFT},
        Status.REJECTED: set(),
        Status.LEFT: set(),
    }
    REFUSED_MOVE = _("A %(s)s membership cannot become %(t)s.")
    ACTIVE = (Status.PENDING, Status.VERIFIED)

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("person"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships",
                                  verbose_name=_("household"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    is_representative = models.BooleanField(_("household representative"), default=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "household"], condition=Q(status__in=["pending", "verified"]),
                name="membership_one_active_per_household",
            ),
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_representative=True, status="verified"),
                name="membership_one_representative",
            ),
            models.CheckConstraint(
                condition=Q(is_representative=False) | Q(status="verified"),
                name="membership_representative_is_verified",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="membership_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.household}"


class CommitteeTally(models.Model):
    """A committee's households, residents, pending requests and compounds, counted.

    Kept by database triggers on the compound, building, household and membership tables
    (``members/tallies.py``), so no write path can skip it; ``tallies.recount`` rebuilds it from
    the rows. Derived data: no history, never written by Python code.
    """

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, primary_key=True,
                                     related_name="tally", verbose_name=_("residents' committee"))
    household_count = models.PositiveIntegerField(_("households"), default=0)
    resident_count = models.PositiveIntegerField(_("residents"), default=0)
    pending_count = models.PositiveIntegerField(_("pending requests"), default=0)
    compound_count = models.PositiveIntegerField(_("compounds"), default=0)

    class Meta:
        verbose_name = _("committee tally")
        verbose_name_plural = _("committee tallies")

    def __str__(self) -> str:
        return str(self.committee_id)


class Role(models.Model):
    """A role held by a person in one place; it grants nothing anywhere else."""

    class Kind(models.TextChoices):
        RESIDENT_REPRESENTATIVE = "resident_rep", _("resident representative")
        FLOOR_LEADER = "floor_leader", _("floor leader")
        PARTY_MEMBER = "party_member", _("party member")
        PARTY_REPRESENTATIVE = "party_rep", _("party-member representative")
        ORGANIZER = "organizer", _("committee organizer")
        STREET_OFFICER = "street_officer", _("street officer")
        AGENCY_CONTACT = "agency_contact", _("agency contact")
        SITE_ADMIN = "site_admin", _("site admin")

    COMMITTEE_KINDS = (Kind.RESIDENT_REPRESENTATIVE, Kind.PARTY_MEMBER,
                       Kind.PARTY_REPRESENTATIVE, Kind.ORGANIZER)
    # Which place each kind is scoped to; the check constraint below enforces it.
    SCOPE = {
        **{kind: "committee" for kind in COMMITTEE_KINDS},
        Kind.FLOOR_LEADER: "building",
        Kind.STREET_OFFICER: "street",
        Kind.AGENCY_CONTACT: "agency",
        Kind.SITE_ADMIN: None,
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles",
                             verbose_name=_("person"))
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    street = models.ForeignKey(Street, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="roles", verbose_name=_("street"))
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="roles", verbose_name=_("residents' committee"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="roles", verbose_name=_("building"))
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="roles", verbose_name=_("agency"))
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("granted by"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["resident_rep", "party_member", "party_rep", "organizer"],
                      committee__isnull=False, street__isnull=True, building__isnull=True,
                      agency__isnull=True)
                    | Q(kind="floor_leader", building__isnull=False, committee__isnull=True,
                        street__isnull=True, agency__isnull=True)
                    | Q(kind="street_officer", street__isnull=False, committee__isnull=True,
                        building__isnull=True, agency__isnull=True)
                    | Q(kind="agency_contact", agency__isnull=False, committee__isnull=True,
                        street__isnull=True, building__isnull=True)
                    | Q(kind="site_admin", agency__isnull=True, committee__isnull=True,
                        street__isnull=True, building__isnull=True)
                ),
                name="role_scope_matches_kind",
            ),
            models.UniqueConstraint(fields=["user", "kind", "committee"],
                                    condition=Q(committee__isnull=False), name="role_unique_committee"),
            models.UniqueConstraint(fields=["user", "kind", "building"],
                                    condition=Q(building__isnull=False), name="role_unique_building"),
            models.UniqueConstraint(fields=["user", "kind", "street"],
                                    condition=Q(street__isnull=False), name="role_unique_street"),
            models.UniqueConstraint(fields=["user", "kind", "agency"],
                                    condition=Q(agency__isnull=False), name="role_unique_agency"),
            models.UniqueConstraint(fields=["user"], condition=Q(kind="site_admin"),
                                    name="role_unique_site_admin"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.place}"

    @property
    def place(self):
        return self.committee or self.building or self.street or self.agency or _("whole site")


class Holiday(models.Model):
    """A day off on a weekday (法定节假日), or a weekend day worked to make up for one (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday (no work)")
        WORKDAY = "workday", _("make-up working day (调休)")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=60, blank=True)

    # The table keeps the name it had when the calendar lived in evaluations: its rows never moved.
    history = HistoricalRecords(table_name="evaluations_historicalholiday")

    class Meta:
        db_table = "evaluations_holiday"
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Notification(models.Model):
    """One message to one person: shown in the site's list, and e-mailed after commit."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("announcements of meetings")
        OPENING = "opening", _("voting and opinion windows opening")
        REMINDER = "reminder", _("reminders before voting closes")
        RESULT = "result", _("published results and outcomes")
        OBJECTION_ANSWERED = "objection_answered", _("answers to objections")
        ACTION = "action", _("agreed actions due or changed")
        SCRUTINY = "scrutiny", _("duties as a scrutineer of a ballot box")
        CASE_NEW = "case_new", _("residents' requests given to me to handle")
        CASE_DUE = "case_due", _("residents' requests due, overdue or escalated")
        CASE_ANSWERED = "case_answered", _("answers to my requests")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What happened, named within its kind, and its facts: the title and text are rendered from
    # them in the reader's language (members.notification_texts).
    message = models.CharField(_("message"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Words stored as written: the title of a notification without a message (demo data, rows
    # written before messages were stored) and a message's free text (an answer, a reason).
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Set by callers that may run twice (scheduled jobs): one notification per person and key.
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            # Opening a page marks read the person's unread notifications about it (members.notifications).
            models.Index(fields=["user", "url"], condition=Q(read_at__isnull=True), name="notification_unread_about"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="notification_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the active language."""
        from members.notification_texts import rendered_title

        return rendered_title(self)

    @property
    def shown_body(self) -> str:
        """The text in the active language."""
        from members.notification_texts import rendered_body

        return rendered_body(self)


class NotificationOptOut(models.Model):
    """A kind of notification this person has turned off (in the site and by e-mail)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_opt_outs",
                             verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=Notification.Kind.choices)

    class Meta:
        verbose_name = _("notification turned off")
        verbose_name_plural = _("notifications turned off")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} − {self.kind}"


class Session(AbstractBaseSession):
    """A browser's session (Django's session row), with the person it is signed in as, if anyone.

    ``user`` is written from the session's own data at every save (``members.sessions``), so that a
    request reads its session and its user in one statement, and a person's sessions can be found
    (and go when the person is deleted). The session data stays the authority: the user read with
    the row is used only if the data names the same person.
    """

    # No database constraint: the column is a hint for reading, derived from the session data, and a
    # session saved for someone deleted meanwhile must not fail. Deleting a person through the
    # application deletes their sessions (CASCADE); a row naming no one reads as signed out.
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_constraint=False, verbose_name=_("signed in as"))

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from members.sessions import SessionStore

        return SessionStore


# The SMS outbox and the contact channels live in their own module (members/messaging/models.py),
# the WeChat outbox beside the rest of WeChat (members/wechat/models.py).
from members.messaging.models import ContactChoice, SmsMessage  # noqa: E402,F401
from members.wechat.models import WeChatMessage  # noqa: E402,F401
