from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """A counter row per (name, year); numbers are drawn under a row lock."""

    name = models.CharField(_("name"), max_length=40)
    year = models.PositiveIntegerField(_("year"))
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="core_numbersequence_name_year_unique")]

    def __str__(self) -> str:
        return f"{self.name}-{self.year}: {self.last_value}"
