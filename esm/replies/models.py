"""Canned replies and macros for the desk.

A `ReplyTemplate` is a reply text in Danish and English with whitelisted placeholders
(`{{case_number}}` …, see `esm.replies.placeholders`). A `Macro` applies, in one click,
a reply, a category, a team and a lifecycle action to a case. Both are shared (no owner:
kept by team leads and administrators) or personal (one technician's own).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReplyTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100)
    body_da = models.TextField(_("text (Danish)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
        help_text=_("Empty: shared with the whole desk."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(body_da="", body_en=""), name="replytemplate_has_body"),
            models.UniqueConstraint(fields=["owner", "name"], name="replytemplate_unique_personal_name"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="replytemplate_unique_shared_name"
            ),
        ]

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def body_for(self, language: str) -> str:
        """The text in `language` ("da"/"en"), or the other one when that is empty."""
        first, second = (self.body_en, self.body_da) if language == "en" else (self.body_da, self.body_en)
        return first if first.strip() else second

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text=_("Empty: shared with the whole desk."),
    )
    reply_template = models.ForeignKey(
        ReplyTemplate,
        verbose_name=_("reply"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="macros",
    )
    # A lifecycle action of `esm.cases.lifecycle.TRANSITIONS` a handler takes without a reason
    # (checked by the service, so the table can change without a migration here).
    action = models.CharField(_("status action"), max_length=30, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="macro_unique_personal_name"),
            models.UniqueConstraint(fields=["name"], condition=Q(owner__isnull=True), name="macro_unique_shared_name"),
        ]

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None

    def __str__(self) -> str:
        return self.name
