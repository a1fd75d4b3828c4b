"""Reads of the building registry shared by portal, desk and API: visibility, typo-tolerant search, repeat failures."""

from __future__ import annotations

import difflib
import re
from datetime import datetime, timedelta

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import User
from esm.buildings.models import Building, Installation
from esm.buildings.services import fold
from esm.core.errors import DomainError, ErrorCode

SEARCH_MAX_WORDS = 8
SEARCH_MAX_LENGTH = 200
#: SQLite: how many rows passing the cheap n-gram test are scored in Python.
FUZZY_CANDIDATES = 5000
#: SQLite: the mean best word ratio (difflib) a building needs to count as a match, and each word's least.
FUZZY_THRESHOLD = 0.75
FUZZY_WORD_MINIMUM = 0.7
#: Repeat failures: this many cases on one installation within REPEAT_WINDOW.
REPEAT_CASES = 3
REPEAT_WINDOW = timedelta(days=365)


# --- visibility ------------------------------------------------------------------------


def buildings_for_reporter(user: User) -> QuerySet[Building]:
    """The buildings a reporter's organisation uses (none for a private tenant)."""
    if user.organisation_id is None:
        return Building.objects.none()
    return Building.objects.filter(organisations=user.organisation_id).distinct()


def buildings_visible_to(user: User) -> QuerySet[Building]:
    """Whose building pages `user` may open: the desk sees every building, a customer their organisation's."""
    if not user.is_authenticated or not user.is_active:
        return Building.objects.none()
    if user.is_handler:
        return Building.objects.all()
    return buildings_for_reporter(user)


def get_building_for(user: User, property_number: str) -> Building:
    """The building with this property number if `user` may see it; otherwise `not_found` (never a 403)."""
    found = (
        buildings_visible_to(user)
        .select_related("department", "responsible_team", "responsible_technician")
        .filter(property_number=str(property_number)[:20])
        .first()
    )
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such building."))
    return found


def building_by_property_number(property_number: str) -> Building:
    """The building with this property number (never a primary key), or `unknown_building`; with who answers
    for it (technician and team), which automatic assignment of a new case reads."""
    found = (
        Building.objects.select_related("responsible_team", "responsible_technician__team")
        .filter(property_number=property_number)
        .first()
    )
    if found is None:
        message = _("Unknown building “%(building)s”.") % {"building": property_number}
        raise DomainError(ErrorCode.UNKNOWN_BUILDING, message, field="building")
    return found


# --- search ------------------------------------------------------------------------------


def _words(query: str) -> list[str]:
    return fold(query[:SEARCH_MAX_LENGTH]).split()[:SEARCH_MAX_WORDS]


def search_buildings(query: str, *, limit: int = 20) -> list[Building]:
    """Buildings matching an address, name, postcode or property number, tolerant of typos and of
    Danish letters typed without (“Norrebrogade”); best match first.

    PostgreSQL: pg_trgm word similarity over the search text (GIN index, migration 0004).
    SQLite: rows containing every word first, then a difflib score over rows that share a trigram.
    An empty query lists the registry by address.
    """
    words = _words(query)
    if not words:
        return list(Building.objects.order_by("street", "house_number", "pk")[:limit])
    if connection.vendor == "postgresql":
        return _search_postgresql(words, limit)
    return _search_python(words, limit)


def _contains_all(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return condition


def _is_key(word: str) -> bool:
    """House numbers, postcodes and property numbers match exactly (as typed), never "nearly"."""
    return any(ch.isdigit() for ch in word)


def _search_postgresql(words: list[str], limit: int) -> list[Building]:
    text = " ".join(words)
    # Each word: contained, or (for words, not numbers) a word of the text is similar to it — `%>`,
    # word similarity above pg_trgm.word_similarity_threshold (0.6). LIKE and `%>` both use the trigram index.
    condition = Q()
    for word in words:
        near = Q(search_text__contains=word)
        if not _is_key(word):
            near |= Q(TrigramWordSimilar(F("search_text"), Value(word)))
        condition &= near
    rows = (
        Building.objects.filter(condition)
        .annotate(similarity=TrigramWordSimilarity(text, "search_text"))
        .order_by("-similarity", "street", "house_number", "pk")
    )
    return list(rows[:limit])


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _word_score(word: str, targets: list[str]) -> float:
    """How well one typed word matches the best word of the building's text (1.0 the same, 0.95 a prefix)."""
    best = 0.0
    for target in targets:
        if target == word:
            return 1.0
        if target.startswith(word):
            best = max(best, 0.95)
            continue
        if _is_key(word) or _is_key(target):
            continue  # numbers match exactly (as a prefix), never "nearly"
        best = max(best, difflib.SequenceMatcher(None, word, target, autojunk=False).ratio())
    return best


def _search_python(words: list[str], limit: int) -> list[Building]:
    exact = list(Building.objects.filter(_contains_all(words)).order_by("street", "house_number", "pk")[: limit + 1])
    if len(exact) >= limit:
        return exact[:limit]
    # Candidates: rows sharing at least one inner trigram with a typed word (a cheap SQL test).
    grams = sorted({g for w in words if len(w) >= 3 and not _is_key(w) for g in _trigrams(w) if " " not in g})
    if not grams:
        return exact
    cheap = Q()
    for gram in grams[:24]:
        cheap |= Q(search_text__contains=gram)
    seen = {b.pk for b in exact}
    candidates = Building.objects.filter(cheap).exclude(pk__in=seen).values_list("pk", "search_text")
    scored: list[tuple[float, int]] = []
    for pk, search_text in candidates[:FUZZY_CANDIDATES]:
        targets = re.split(r"[\s,]+", search_text)
        scores = [_word_score(word, targets) for word in words]
        score = sum(scores) / len(scores)
        if score >= FUZZY_THRESHOLD and min(scores) >= FUZZY_WORD_MINIMUM:
            scored.append((score, pk))
    scored.sort(key=lambda row: (-row[0], row[1]))
    chosen = [pk for _score, pk in scored[: limit - len(exact)]]
    by_pk = Building.objects.in_bulk(chosen)
    return exact + [by_pk[pk] for pk in chosen if pk in by_pk]


# --- installations -----------------------------------------------------------------------


def installations_with_case_counts(building: Building, *, now: datetime | None = None) -> QuerySet[Installation]:
    """The building's installations, each with `recent_cases` (reported within the last twelve months)
    and `total_cases`; `is_repeat_failure` is computed by `is_repeat_failure`."""
    since = (now or timezone.now()) - REPEAT_WINDOW
    return (
        Installation.objects.filter(building=building)
        .select_related("unit")
        .annotate(
            recent_cases=Count("cases", filter=Q(cases__created_at__gte=since), distinct=True),
            total_cases=Count("cases", distinct=True),
        )
        .order_by("kind", "name", "pk")
    )


def is_repeat_failure(installation: Installation) -> bool:
    """Three or more cases within the last twelve months (needs `installations_with_case_counts`)."""
    return int(getattr(installation, "recent_cases", 0)) >= REPEAT_CASES


def repeat_failures(*, building: Building | None = None, now: datetime | None = None) -> QuerySet[Installation]:
    """Installations with three or more cases reported within the last twelve months (of one building or all)."""
    since = (now or timezone.now()) - REPEAT_WINDOW
    rows = Installation.objects.all() if building is None else Installation.objects.filter(building=building)
    return (
        rows.annotate(recent_cases=Count("cases", filter=Q(cases__created_at__gte=since), distinct=True))
        .filter(recent_cases__gte=REPEAT_CASES)
        .select_related("building")
        .order_by("-recent_cases", "pk")
    )


__all__ = [
    "building_by_property_number",
    "buildings_for_reporter",
    "buildings_visible_to",
    "get_building_for",
    "installations_with_case_counts",
    "is_repeat_failure",
    "repeat_failures",
    "search_buildings",
]
