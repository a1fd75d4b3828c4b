"""The knowledge API: article suggestions for a title, for a chatbot or another portal.

Only public, published articles are ever returned (`esm.knowledge.queries.suggest`), whoever asks.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from esm.api.auth import current_user
from esm.api.problems import Text
from esm.cases.models import Category
from esm.core.errors import DomainError, ErrorCode
from esm.knowledge import queries

router = Router(tags=["knowledge"])


class SuggestionQuery(Schema):
    title: Text = Field(..., max_length=200, description="What the reporter typed as the title")
    category: Text = Field("", max_length=50, description="Category code: its articles rank higher")
    language: Literal["da", "en"] | None = Field(None, description="Language of title and excerpt; default yours")


class SuggestionOut(Schema):
    slug: str
    title: str
    excerpt: str
    url: str = Field(..., description="Absolute path of the article's help page", examples=["/help/varme/"])


def _category(code: str) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code, is_active=True).first()
    if found is None:
        message = _("Unknown category “%(category)s”.") % {"category": code}
        raise DomainError(ErrorCode.UNKNOWN_CATEGORY, message, field="category")
    return found


@router.get("/suggestions", response=list[SuggestionOut], summary="Suggest help articles")
def suggestions(request: HttpRequest, filters: Query[SuggestionQuery]) -> list[dict[str, Any]]:
    """Public, published articles matching the words of `title`, best first (at most 5)."""
    user = current_user(request)
    language = filters.language or ("en" if (get_language() or "da").startswith("en") else "da")
    found = queries.suggest(user, filters.title, category=_category(filters.category), language=language)
    return [
        {
            "slug": suggestion.article.slug,
            "title": suggestion.title,
            "excerpt": suggestion.excerpt,
            "url": reverse("help:article", args=[suggestion.article.slug]),
        }
        for suggestion in found
    ]
