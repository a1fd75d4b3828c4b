from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for customer")
    WAITING_SUPPLIER = "waiting_supplier", _("Waiting for supplier")
    WAITING_APPROVAL = "waiting_approval", _("Waiting for approval")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.TRIAGED,
        Status.IN_PROGRESS,
        Status.WAITING_CUSTOMER,
        Status.WAITING_SUPPLIER,
        Status.WAITING_APPROVAL,
    }
)
WAITING_STATUSES = frozenset({Status.WAITING_CUSTOMER, Status.WAITING_SUPPLIER, Status.WAITING_APPROVAL})
# The SLA clock stops while the case waits for the customer and once it is resolved.
SLA_PAUSED_STATUSES = frozenset({Status.WAITING_CUSTOMER})
SLA_STOPPED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.CANCELLED})


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_ORDER: dict[str, int] = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Complexity(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    COMPLEX = "complex", _("Complex")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    PLANNED = "planned", _("Planned maintenance")


class CustomerType(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal staff")
    TENANT = "tenant", _("Private tenant")


class Category(models.Model):
    """A node of the editable category tree; `code` is stable and used by the API."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_da = models.CharField(_("name (Danish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def name_in(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_da

    def __str__(self) -> str:
        return self.name_da


class SlaTarget(models.Model):
    """Business minutes allowed per priority until first response and until resolution."""

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    # Team leads' "unattended" view: no handler has acted on an open case for this long (blank: the default).
    unattended_after_hours = models.PositiveSmallIntegerField(
        _("unattended after (business hours)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["priority"]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.first_response_minutes}/{self.resolution_minutes} min"


class BusinessHours(models.Model):
    """Opening hours per weekday that the SLA clocks count; a weekday without a row is closed."""

    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        unique=True,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="cases_hours_open_before_close"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


OPEN_CASE = models.Q(
    status__in=["new", "triaged", "in_progress", "waiting_customer", "waiting_supplier", "waiting_approval"]
)


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), on_delete=models.PROTECT, related_name="reported_cases"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("reporter's organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    # Unknown until a handler sets it for cases that arrive by e-mail; required in the portal.
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(
        "buildings.Unit",
        verbose_name=_("room or floor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    installation = models.ForeignKey(
        "buildings.Installation",
        verbose_name=_("installation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    location = models.CharField(_("location in the building"), max_length=200, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    # urgent 0 … low 3, kept beside `priority` by the services so queues sort on an index
    priority_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    complexity = models.CharField(_("complexity"), max_length=10, choices=Complexity.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("watchers"), blank=True, related_name="watched_cases"
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # SLA clocks, computed from the timeline by `esm.cases.sla` (never edited by hand).
    # "warn" is when 80 % of the target has elapsed (breach soon), "due" is the breach.
    first_response_warn_at = models.DateTimeField(_("first response breach soon"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(_("resolution breach soon"), null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_paused = models.BooleanField(_("SLA paused"), default=False)
    sla_remaining_seconds = models.IntegerField(_("SLA business seconds left when paused"), null=True, blank=True)
    # Full-text search: plain text of number, title, description and messages;
    # on PostgreSQL also a tsvector (Danish configuration) with a GIN index.
    search_text = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["team", "status"], name="case_team_status"),
            models.Index(fields=["organisation", "-created_at"], name="case_org_created"),
            models.Index(fields=["reporter", "-created_at"], name="case_reporter_created"),
            models.Index(fields=["building", "-created_at"], name="case_building_created"),
            models.Index(fields=["priority", "status"], name="case_priority_status"),
            models.Index(fields=["category", "status"], name="case_category_status"),
            models.Index(fields=["resolution_due_at", "id"], name="case_open_due", condition=OPEN_CASE),
            models.Index(fields=["-updated_at", "-id"], name="case_open_updated", condition=OPEN_CASE),
            models.Index(
                fields=["priority_rank", "-created_at", "-id"], name="case_open_priority", condition=OPEN_CASE
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Case reported")
    STATUS_CHANGED = "status_changed", _("Status changed")
    FIELD_CHANGED = "field_changed", _("Field changed")
    ASSIGNED = "assigned", _("Assigned")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    PHONE_NOTE = "phone_note", _("Phone call")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    WATCHER_REMOVED = "watcher_removed", _("Watcher removed")
    TIME_CORRECTED = "time_corrected", _("Handling time corrected")
    SLA_RECOMPUTED = "sla_recomputed", _("SLA recomputed")
    EMAIL_SENT = "email_sent", _("E-mail sent")
    EMAIL_FAILED = "email_failed", _("E-mail not delivered")
    MACRO_APPLIED = "macro_applied", _("Macro applied")
    ARTICLE_LINKED = "article_linked", _("Knowledge article linked")
    ARTICLE_UNLINKED = "article_unlinked", _("Knowledge article unlinked")


class CaseEvent(models.Model):
    """One thing that happened to a case: append-only, the single audit trail."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="case_events"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    is_public = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    # Set by a client that may send the same message twice (the phone's offline outbox): unique, so it lands once.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_created")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{instance.key}"


def thumbnail_path(instance: Attachment, filename: str) -> str:
    return f"thumbnails/{instance.created_at:%Y/%m}/{instance.key}.jpg"


class Attachment(models.Model):
    """A file on a case; stored under a random key, served only through a permission check."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def __str__(self) -> str:
        return self.filename


class TimeSource(models.TextChoices):
    DESK = "desk", _("Case page open and active")
    PHONE = "phone", _("Phone call")
    MANUAL = "manual", _("Manual correction")


class TimeEntry(models.Model):
    """Active handling time of one user on one case: the raw data for benefit measurement.

    Desk sessions are upserted by `session_key` (one row per open case page), so a
    repeated heartbeat never counts twice. Manual corrections may be negative.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    source = models.CharField(max_length=10, choices=TimeSource.choices)
    session_key = models.UUIDField(null=True, blank=True, unique=True)
    seconds = models.IntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [models.Index(fields=["case", "user"], name="timeentry_case_user")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id} {self.source} {self.seconds}s"


class MaintenanceOccurrence(models.Model):
    """The case opened for one due date of a maintenance plan: unique, so each occurrence opens once."""

    plan = models.ForeignKey("buildings.MaintenancePlan", on_delete=models.CASCADE, related_name="occurrences")
    due_date = models.DateField()
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="maintenance_occurrence")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("maintenance occurrence")
        verbose_name_plural = _("maintenance occurrences")
        ordering = ["due_date"]
        constraints = [models.UniqueConstraint(fields=["plan", "due_date"], name="one_case_per_plan_occurrence")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.due_date}"


class AssignmentStrategy(models.TextChoices):
    BUILDING_TECHNICIAN = "building_technician", _("The building's responsible technician")
    BUILDING_TEAM = "building_team", _("The building's responsible team")
    CATEGORY_TEAM = "category_team", _("The category's team")
    TEAM = "team", _("A fixed team")
    PERSON = "person", _("A fixed person")


class AssignmentRule(models.Model):
    """Who gets a new case: administrators edit these rows; `esm.cases.assignment` walks them in order.

    A rule matches when every condition it sets holds (an empty condition matches anything); the
    first matching rule whose strategy finds a team or a person decides.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_rules",
    )
    include_subcategories = models.BooleanField(_("also its subcategories"), default=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("reporter's organisation (or its department)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_rules",
    )
    building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_rules",
    )
    strategy = models.CharField(_("assign to"), max_length=30, choices=AssignmentStrategy.choices)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_rules",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_rules",
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(strategy="team") | models.Q(team__isnull=False), name="assignment_rule_team_given"
            ),
            models.CheckConstraint(
                condition=~models.Q(strategy="person") | models.Q(person__isnull=False),
                name="assignment_rule_person_given",
            ),
        ]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.strategy == AssignmentStrategy.TEAM and self.team_id is None:
            raise ValidationError({"team": _("Choose the team.")})
        if self.strategy == AssignmentStrategy.PERSON and self.person_id is None:
            raise ValidationError({"person": _("Choose the person.")})

    def __str__(self) -> str:
        return self.name
