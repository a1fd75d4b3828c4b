"""The knowledge base: articles written in the desk, their history, and how often they help.

An article has a Danish text and (optionally) an English one; reporters see it in their
language, falling back to Danish. Every save through `esm.knowledge.services` writes an
`ArticleRevision`, so the desk can show who changed what and when.

`Deflection` rows count what the portal's suggestions achieve (see `DeflectionKind`):
at most one row per article, kind and browser session (a unique constraint), so a
reporter who types, opens the same article twice or presses "solved" twice counts once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (desk only)")
    PUBLIC = "public", _("Public (portal)")


class Article(models.Model):
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    title_da = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_da = models.TextField(_("text (Danish)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    is_published = models.BooleanField(_("published"), default=False)
    categories = models.ManyToManyField(
        "cases.Category", verbose_name=_("categories"), blank=True, related_name="articles"
    )
    buildings = models.ManyToManyField(
        "buildings.Building", verbose_name=_("buildings"), blank=True, related_name="articles"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    # Titles and texts in both languages, lower case with Danish letters folded to ASCII
    # (" varmen er slukket …"), kept by the services; the suggestions match words in it.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title_da"]
        indexes = [models.Index(fields=["visibility", "is_published"], name="article_visible")]

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.is_published

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_da

    def body_in(self, language: str) -> str:
        return self.body_en if language == "en" and self.body_en else self.body_da

    def __str__(self) -> str:
        return self.title_da


class ArticleRevision(models.Model):
    """The article as one save left it: numbered 1, 2, 3 … per article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title_da = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    body_da = models.TextField()
    body_en = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    is_published = models.BooleanField(default=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField()

    class Meta:
        verbose_name = _("article revision")
        verbose_name_plural = _("article revisions")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="one_revision_number_per_article")]

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_da

    def body_in(self, language: str) -> str:
        return self.body_en if language == "en" and self.body_en else self.body_da

    def __str__(self) -> str:
        return f"{self.article_id} #{self.number}"


class DeflectionKind(models.TextChoices):
    # Shown among the suggestions under the report form's title: once per article per session.
    SUGGESTED = "suggested", _("Suggested")
    # Opened from the suggestions: once per article per session.
    OPENED = "opened", _("Opened")
    # "This solved my problem — I don't need to report": once per article per session.
    DEFLECTED = "deflected", _("Solved without a case")


class Deflection(models.Model):
    """One thing a portal user did with a suggested article (see `DeflectionKind`).

    `session` is a hash of the browser session (never the session key itself): it makes
    the counts "per reporting session" without storing anything that could sign in.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=DeflectionKind.choices)
    session = models.CharField(max_length=64)
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "session"], name="one_deflection_per_session")
        ]
        indexes = [models.Index(fields=["kind", "created_at"], name="deflection_kind_created")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind} {self.created_at:%Y-%m-%d}"


class CaseArticleLink(models.Model):
    """A knowledge article a technician linked to a case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="case_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("linked article")
        verbose_name_plural = _("linked articles")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "article"], name="one_link_per_case_article")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.article_id}"
