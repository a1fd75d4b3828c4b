from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    INSTITUTION = "institution", _("Institution")
    AGENCY = "agency", _("Property agency")


class Organisation(models.Model):
    """A department (forvaltning), an institution under it, or the property agency itself."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Municipal customer")
    TENANT = "tenant", _("Private tenant")
    TECHNICIAN = "technician", _("Technician")
    TEAM_LEAD = "team_lead", _("Team lead")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset({Role.TECHNICIAN, Role.TEAM_LEAD, Role.ADMINISTRATOR})
REPORTER_ROLES = frozenset({Role.CUSTOMER, Role.TENANT})
# Accounts the system acts as (mail it could not attribute, planned maintenance): never assignable, never sign in.
SYSTEM_USERNAMES = frozenset({"helpdesk-mail", "planlagt-vedligehold"})


class Team(models.Model):
    """A group of technicians with a lead; cases are routed to teams."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=[("da", _("Danish")), ("en", _("English"))], default="da"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        swappable = "AUTH_USER_MODEL"
        # Mail is matched to its sender by a case-insensitive lookup on the address.
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    @property
    def is_handler(self) -> bool:
        """Technicians, team leads and administrators work cases in the desk."""
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_reporter(self) -> bool:
        return self.role in REPORTER_ROLES

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token for {self.user} until {self.expires_at:%Y-%m-%d}"


class Absence(models.Model):
    """A period (whole days, inclusive, Copenhagen dates) a handler is away, with an optional substitute.

    While it lasts, automatic assignment passes the person by, and the substitute sees their open
    cases in "my queue" and gets a copy of their assignment notices.
    """

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="absences")
    starts = models.DateField(_("first day"))
    ends = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    substitute = models.ForeignKey(
        User,
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitutions",
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("registered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts", "pk"]
        indexes = [
            models.Index(fields=["user", "ends"], name="absence_user_ends"),
            models.Index(fields=["substitute", "ends"], name="absence_substitute_ends"),
            models.Index(fields=["ends", "starts"], name="absence_ends_starts"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gte=models.F("starts")), name="absence_ends_after_starts"),
            models.CheckConstraint(
                condition=models.Q(substitute__isnull=True) | ~models.Q(substitute=models.F("user")),
                name="absence_substitute_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"
