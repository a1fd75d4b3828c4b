"""The property registry: buildings, their units and installations, documents, imports and maintenance plans."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

postcode_validator = RegexValidator(r"^[0-9]{4}$", _("A Danish postcode has four digits."))
use_code_validator = RegexValidator(r"^[0-9]{3}$", _("A BBR use code has three digits."))


class Building(models.Model):
    """A property the agency looks after, with the organisations that use it.

    `fact_sources` says where each registry fact came from and when:
    ``{"year_built": {"source": "BBR", "at": "2026-11-25T10:00:00+00:00"}, ...}``.
    """

    property_number = models.CharField(_("property number"), max_length=20, unique=True)
    bbr_id = models.UUIDField(_("BBR building id"), null=True, blank=True, unique=True)
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    floor = models.CharField(_("floor"), max_length=10, blank=True)
    door = models.CharField(_("door"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, validators=[postcode_validator])
    city = models.CharField(_("city"), max_length=100)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    year_built = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    gross_area_m2 = models.PositiveIntegerField(_("gross floor area (m²)"), null=True, blank=True)
    bbr_use_code = models.CharField(_("BBR use code"), max_length=3, blank=True, validators=[use_code_validator])
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("using department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="department_buildings",
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("used by"), related_name="buildings", blank=True
    )
    responsible_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("responsible team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buildings",
    )
    responsible_technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_buildings",
    )
    # Access information: technicians only, and every read is logged (AccessInfoRead).
    opening_hours = models.TextField(_("opening hours"), blank=True)
    key_info = models.TextField(_("keys"), blank=True)
    alarm_info = models.TextField(_("alarm"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    fact_sources = models.JSONField(_("sources of facts"), default=dict, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["street", "house_number"]

    @property
    def address(self) -> str:
        line = f"{self.street} {self.house_number}"
        if self.floor or self.door:
            line += ", " + " ".join(part for part in (self.floor, self.door) if part)
        return f"{line}, {self.postcode} {self.city}"

    @property
    def has_access_info(self) -> bool:
        return bool(self.opening_hours or self.key_info or self.alarm_info)

    def __str__(self) -> str:
        return f"{self.name} – {self.address}"


class AccessInfoRead(models.Model):
    """One reading of a building's access information (keys, alarm): who and when."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="access_reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(db_index=True)
    context = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("access information read")
        verbose_name_plural = _("access information reads")
        ordering = ["-read_at"]

    def __str__(self) -> str:
        return f"{self.building_id} {self.user_id} {self.read_at:%Y-%m-%d %H:%M}"


class UnitKind(models.TextChoices):
    FLOOR = "floor", _("Floor")
    ROOM = "room", _("Room")
    AREA = "area", _("Area")


class Unit(models.Model):
    """A floor, room or area inside a building; rooms may sit on a floor."""

    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices, default=UnitKind.ROOM)
    code = models.CharField(_("code"), max_length=30, help_text=_("e.g. 1.12 or K"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "code"]
        constraints = [models.UniqueConstraint(fields=["building", "code"], name="unit_code_per_building")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InstallationKind(models.TextChoices):
    BOILER = "boiler", _("Boiler")
    HEATING = "heating", _("Heating system")
    VENTILATION = "ventilation", _("Ventilation unit")
    LIFT = "lift", _("Lift")
    FIRE_ALARM = "fire_alarm", _("Fire alarm")
    BURGLAR_ALARM = "burglar_alarm", _("Burglar alarm")
    ROOF = "roof", _("Roof")
    WINDOWS = "windows", _("Windows")
    PLUMBING = "plumbing", _("Plumbing")
    ELECTRICAL = "electrical", _("Electrical installation")
    PLAYGROUND = "playground", _("Playground equipment")
    OTHER = "other", _("Other")


class Installation(models.Model):
    """A technical installation in a building, with its service contract and supplier."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="installations"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="installations"
    )
    kind = models.CharField(_("type"), max_length=20, choices=InstallationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    make = models.CharField(_("make"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    year_installed = models.PositiveSmallIntegerField(
        _("year installed"), null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    service_contract = models.CharField(_("service contract"), max_length=100, blank=True)
    contract_expires = models.DateField(_("contract expires"), null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        ordering = ["building", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class DocumentKind(models.TextChoices):
    DRAWING = "drawing", _("Drawing")
    REPORT = "report", _("Report")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


def document_path(instance: BuildingDocument, filename: str) -> str:
    return f"buildings/{instance.key}"


class BuildingDocument(models.Model):
    """A drawing, report or photo of a building; served only through a permission check."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("building document")
        verbose_name_plural = _("building documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ImportMapping(models.Model):
    """How the columns of an export map to building fields; set once by an administrator.

    `columns` maps a building field to the source column: ``{"property_number": "Ejendomsnr", ...}``.
    """

    name = models.SlugField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    columns = models.JSONField(_("columns"), default=dict)
    key = models.CharField(
        _("match existing buildings on"),
        max_length=20,
        choices=[("property_number", _("property number")), ("bbr_id", _("BBR building id"))],
        default="property_number",
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def import_path(instance: ImportRun, filename: str) -> str:
    return f"imports/{instance.key}"


class ImportRun(models.Model):
    """One import (or dry run) of a building file: its progress, its counts, every row's error and its log."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mapping = models.ForeignKey(ImportMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    mapping_name = models.CharField(max_length=60)
    file = models.FileField(upload_to=import_path, max_length=200)
    filename = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # errors: [{"row": 7, "field": "postcode", "message": "..."}]
    # changes: [{"row": 3, "key": "E-1", "action": "create", "changes": {...}}]
    errors = models.JSONField(default=list, blank=True)
    changes = models.JSONField(default=list, blank=True)
    log = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("building import")
        verbose_name_plural = _("building imports")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"


class MaintenancePlan(models.Model):
    """A recurring maintenance task for a building or one of its installations.

    Due dates come from `first_due` and either every `interval_months` months or the
    listed `season_months` (1–12) each year; the worker opens a case `lead_days` before each.
    `category_code` names the case category (a code, since categories live in the cases app).
    """

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="maintenance_plans"
    )
    installation = models.ForeignKey(
        Installation,
        verbose_name=_("installation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="maintenance_plans",
    )
    task = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    first_due = models.DateField(_("first due date"))
    interval_months = models.PositiveSmallIntegerField(
        _("every N months"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    season_months = models.JSONField(_("in these months"), default=list, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=14)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supplier = models.CharField(_("supplier or framework agreement"), max_length=200, blank=True)
    category_code = models.SlugField(_("case category"), max_length=50, default="other")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["building", "task"]

    def clean(self) -> None:
        months = self.season_months or []
        if self.interval_months and months:
            raise ValidationError(_("Give either an interval in months or the months of the season, not both."))
        if not self.interval_months and not months:
            raise ValidationError(_("Give an interval in months or the months of the season."))
        if not isinstance(months, list) or any(
            isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12 for month in months
        ):
            raise ValidationError({"season_months": _("Months are numbers from 1 to 12.")})
        if self.installation_id and self.installation and self.installation.building_id != self.building_id:
            raise ValidationError({"installation": _("The installation is not in this building.")})

    def __str__(self) -> str:
        return self.task
