"""The portal's help pages (`/help/`): suggestions while a reporter types a title, the article
page with "this solved my problem", and a searchable list of public articles.

What is counted (see `esm.knowledge.services`): an article shown among the suggestions
("suggested"), opened from them ("opened", the article page with `?from=report`) and
"deflected" (the reporter pressed "This solved my problem"); each once per session.
"""

from __future__ import annotations

from contextlib import suppress
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from esm.accounts.models import User
from esm.buildings.models import Building
from esm.cases.models import Category
from esm.core.errors import DomainError
from esm.knowledge import queries, services
from esm.knowledge.models import DeflectionKind

LIST_LIMIT = 50
#: How many suggested article ids a session remembers, so showing them again writes nothing.
SHOWN_MEMORY = 200
SHOWN_KEY = "knowledge_shown"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _language() -> str:
    return get_language() or "da"


def _category(value: str) -> Category | None:
    value = value.strip()[:50]
    return Category.objects.filter(code=value, is_active=True).first() if value else None


def _building(values: list[str]) -> Building | None:
    chosen = [v.strip() for v in values if v.strip()]
    if not chosen or not chosen[-1].isascii() or not chosen[-1].isdigit() or len(chosen[-1]) > 12:
        return None
    return Building.objects.filter(pk=int(chosen[-1])).first()


def _session_key(request: HttpRequest) -> str | None:
    return request.session.session_key


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    articles = list(queries.search(_user(request), query).filter(is_published=True)[:LIST_LIMIT])
    return render(
        request, "knowledge/portal/index.html", {"articles": articles, "query": query, "language": _language()}
    )


@require_GET
@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions under the report form's title (an htmx fragment)."""
    user = _user(request)
    title = request.GET.get("title", "").strip()[:200]
    category = request.GET.get("category", "")
    suggestions = queries.suggest(
        user,
        title,
        category=_category(category),
        building=_building(request.GET.getlist("building")),
        language=_language(),
    )
    shown = set(request.session.get(SHOWN_KEY, []))
    new = [s.article for s in suggestions if s.article.pk not in shown]
    if new:
        services.record_suggestions(user, articles=new, query=title, session_key=_session_key(request))
        request.session[SHOWN_KEY] = [*shown, *(a.pk for a in new)][-SHOWN_MEMORY:]
    context = {
        "suggestions": suggestions,
        "title": title,
        "link_query": urlencode({"from": "report", "q": title, "category": category}),
    }
    return render(request, "knowledge/_suggestions.html#list", context)


def _report_url(request: HttpRequest) -> str:
    params = {k: request.GET.get(k, "").strip()[:200] for k in ("q", "category")}
    query = urlencode({"title": params["q"], "category": params["category"]})
    return f"{reverse('portal:report')}?{query}"


@require_GET
@login_required
def article(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    found = queries.get_article_for(user, slug)
    from_report = request.GET.get("from") == "report"
    query = request.GET.get("q", "").strip()[:200]
    if from_report and found.is_public:
        services.record_deflection(
            user, article=found, query=query, session_key=_session_key(request), kind=DeflectionKind.OPENED
        )
    context = {
        "article": found,
        "title": found.title_in(_language()),
        "body": found.body_in(_language()),
        "from_report": from_report,
        "query": query,
        "category": request.GET.get("category", "").strip()[:50],
        "report_url": _report_url(request),
    }
    return render(request, "knowledge/portal/article.html", context)


@require_POST
@login_required
def solved(request: HttpRequest, slug: str) -> HttpResponse:
    """ "This solved my problem — I don't need to report": count it, then say thank you."""
    user = _user(request)
    found = queries.get_article_for(user, slug)
    # an internal article (only handlers can open those) is not counted
    with suppress(DomainError):
        services.record_deflection(
            user, article=found, query=request.POST.get("q", ""), session_key=_session_key(request)
        )
    return redirect("help:thanks", slug=found.slug)


@require_GET
@login_required
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    found = queries.get_article_for(_user(request), slug)
    return render(request, "knowledge/portal/thanks.html", {"article": found, "title": found.title_in(_language())})
