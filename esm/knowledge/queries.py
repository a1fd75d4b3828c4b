"""Reads of the knowledge base shared by desk, portal and reports.

Visibility is defined once (`articles_visible_to`): handlers read every article, everybody
else public, published ones only. Suggestions and searches match word stems (see
`esm.knowledge.text`) in the folded search text: the database narrows the candidates with
`LIKE '%stem%'` (a trigram index on PostgreSQL), Python ranks the few that remain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from esm.accounts.models import User
from esm.buildings.models import Building
from esm.cases.models import Case, Category
from esm.knowledge.models import Article, ArticleRevision, CaseArticleLink, Deflection, DeflectionKind, Visibility
from esm.knowledge.text import query_stems, search_document

CANDIDATES = 200
EXCERPT = 140
PUBLIC = Q(visibility=Visibility.PUBLIC, is_published=True)


def articles_visible_to(user: User | None) -> QuerySet[Article]:
    """Every article `user` may read. Every list, page, suggestion and search starts here."""
    if user is not None and getattr(user, "is_handler", False):
        return Article.objects.all()
    return Article.objects.filter(PUBLIC)


def get_article_for(user: User | None, slug: str) -> Article:
    """The article with this address if `user` may read it, else 404."""
    article = articles_visible_to(user).filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    return article


def excerpt(text: str, length: int = EXCERPT) -> str:
    """The first paragraph on one line, cut at a word near `length` characters."""
    first = next((part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()), "")
    line = " ".join(first.replace("- ", " ").split())
    if len(line) <= length:
        return line
    return line[:length].rsplit(" ", 1)[0].rstrip(",.;:–-") + " …"


@dataclass(frozen=True)
class Suggestion:
    article: Article
    title: str
    excerpt: str
    score: float


def _score(article: Article, stems: list[str]) -> tuple[int, float]:
    """(matched words, score): a word counts at a word's start or, for 4+ letters, inside a
    compound ("brik" in "nøglebrikker"); matches in the title weigh more."""
    text = article.search_text
    title = search_document(article.title_da, article.title_en)
    matched, score = 0, 0.0
    for word in stems:
        if f" {word}" in text:
            matched += 1
            score += 2.0
        elif len(word) >= 4 and word in text:
            matched += 1
            score += 1.0
        else:
            continue
        if f" {word}" in title:
            score += 1.5
        elif word in title:
            score += 0.75
    return matched, score


FIELDS = ("pk", "slug", "title_da", "title_en", "body_da", "body_en", "search_text", "visibility", "is_published")


def _boosts(qs: QuerySet[Article], category: Category | None, building: Building | None) -> QuerySet[Article]:
    """Annotate `in_category` / `in_building` (EXISTS subqueries: still one query)."""
    through_categories = Article.categories.through.objects.filter(article_id=OuterRef("pk"))
    through_buildings = Article.buildings.through.objects.filter(article_id=OuterRef("pk"))
    return qs.annotate(
        in_category=Exists(through_categories.filter(category_id=category.pk)) if category else Value(False),
        in_building=Exists(through_buildings.filter(building_id=building.pk)) if building else Value(False),
    )


def _matching(stems: list[str]) -> Q:
    condition = Q()
    for word in stems:
        condition |= Q(search_text__contains=word)
    return condition


def _ranked(candidates: Sequence[Article], stems: list[str], *, language: str, limit: int) -> list[Suggestion]:
    ranked: list[tuple[int, float, Article]] = []
    for article in candidates:
        matched, score = _score(article, stems)
        if not matched:
            continue
        if getattr(article, "in_category", False):
            score += 1.5
        if getattr(article, "in_building", False):
            score += 2.0
        ranked.append((matched, score, article))
    ranked.sort(key=lambda row: (-row[0], -row[1], row[2].title_in(language)))
    return [
        Suggestion(
            article=article,
            title=article.title_in(language),
            excerpt=excerpt(article.body_in(language)),
            score=score,
        )
        for _, score, article in ranked[:limit]
    ]


def suggest(
    user: User | None,
    title: str,
    *,
    category: Category | None = None,
    building: Building | None = None,
    language: str = "da",
    limit: int = 5,
) -> list[Suggestion]:
    """Public, published articles matching the words a reporter typed as the title, best first
    (most words matched, then title matches, then the chosen category and building). One query."""
    stems = query_stems(title)
    if not stems:
        return []
    qs = _boosts(Article.objects.filter(PUBLIC).filter(_matching(stems)), category, building)
    candidates = list(qs.only(*FIELDS).order_by("-updated_at", "pk")[:CANDIDATES])
    return _ranked(candidates, stems, language=language, limit=limit)


@dataclass(frozen=True)
class CasePanel:
    linked: list[Article]
    suggestions: list[Suggestion]


def case_panel(user: User, case: Case, *, language: str = "da", limit: int = 5) -> CasePanel:
    """The desk case page's knowledge panel in one query: the articles linked to the case, and
    published ones (internal too) matching its title, boosted by its category and building."""
    stems = query_stems(case.title)
    is_linked = Exists(CaseArticleLink.objects.filter(case_id=case.pk, article_id=OuterRef("pk")))
    qs = _boosts(articles_visible_to(user), case.category if case.category_id else None, case.building)
    qs = qs.annotate(is_linked=is_linked)
    condition = Q(is_linked=True)
    if stems:
        condition |= Q(is_published=True) & _matching(stems)
    rows: list[Article] = list(qs.filter(condition).only(*FIELDS).order_by("-updated_at", "pk")[:CANDIDATES])
    linked = sorted((a for a in rows if getattr(a, "is_linked", False)), key=lambda a: a.title_in(language))
    others = [a for a in rows if not getattr(a, "is_linked", False)]
    return CasePanel(linked=linked, suggestions=_ranked(others, stems, language=language, limit=limit))


def search(user: User | None, q: str, *, visibility: str = "") -> QuerySet[Article]:
    """Articles `user` may read whose text holds every typed word (stemmed), newest first."""
    qs = articles_visible_to(user)
    if visibility in Visibility.values:
        qs = qs.filter(visibility=visibility)
    for word in query_stems(q):
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-updated_at", "pk")


def with_counts(qs: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate `suggested`, `opened` and `deflected` (one join, counted in the database)."""
    return qs.annotate(
        suggested=Count("deflections", filter=Q(deflections__kind=DeflectionKind.SUGGESTED)),
        opened=Count("deflections", filter=Q(deflections__kind=DeflectionKind.OPENED)),
        deflected=Count("deflections", filter=Q(deflections__kind=DeflectionKind.DEFLECTED)),
    )


def rate(deflected: int, base: int) -> float | None:
    """Deflected per shown (or opened), 0–1; None when nothing was shown."""
    return deflected / base if base else None


def deflection_stats() -> list[dict[str, Any]]:
    """Per article: how often it was suggested, opened and solved the problem, and the rates
    (deflected / suggested and deflected / opened). Articles never suggested are left out."""
    rows = (
        Article.objects.filter(pk__in=Deflection.objects.values("article_id"))
        .annotate(
            suggested=Count("deflections", filter=Q(deflections__kind=DeflectionKind.SUGGESTED)),
            opened=Count("deflections", filter=Q(deflections__kind=DeflectionKind.OPENED)),
            deflected=Count("deflections", filter=Q(deflections__kind=DeflectionKind.DEFLECTED)),
        )
        .values("pk", "slug", "title_da", "suggested", "opened", "deflected")
        .order_by("-deflected", "title_da")
    )
    return [
        {
            **row,
            "rate_suggested": rate(row["deflected"], row["suggested"]),
            "rate_opened": rate(row["deflected"], row["opened"]),
        }
        for row in rows
    ]


def counts_for(article: Article) -> dict[str, int]:
    rows = dict(article.deflections.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    return {kind: int(rows.get(kind, 0)) for kind in DeflectionKind.values}


def revisions(article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("edited_by").order_by("-number")


def linked_articles(case: Case) -> QuerySet[CaseArticleLink]:
    return CaseArticleLink.objects.filter(case=case).select_related("article", "linked_by").order_by("created_at")


def linked_cases(article: Article, *, limit: int = 20) -> QuerySet[CaseArticleLink]:
    return (
        CaseArticleLink.objects.filter(article=article)
        .select_related("case")
        .only("pk", "created_at", "case__number", "case__title", "case__status")
        .order_by("-created_at")[:limit]
    )
