from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

postcode_validator = RegexValidator(r"^[0-9]{4}$", _("A Danish postcode has four digits."))


class Building(models.Model):
    """A property the agency looks after, with the organisations that use it."""

    property_number = models.CharField(_("property number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200)
    house_number = models.CharField(_("house number"), max_length=20)
    postcode = models.CharField(_("postcode"), max_length=4, validators=[postcode_validator])
    city = models.CharField(_("city"), max_length=100)
    organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("used by"), related_name="buildings", blank=True
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["street", "house_number"]

    @property
    def address(self) -> str:
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}"

    def __str__(self) -> str:
        return f"{self.name} – {self.address}"
