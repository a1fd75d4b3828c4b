"""The desk's knowledge base (`/desk/kb/`): list and search with counts, write, edit, history,
and link an article to a case. Thin views: parse, call one service or query, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esm.accounts.decorators import handler_required
from esm.accounts.models import User
from esm.cases.models import Case, CaseEvent
from esm.cases.queries import categories, get_case_for
from esm.core.errors import DomainError
from esm.core.http import is_htmx
from esm.knowledge import queries, services
from esm.knowledge.forms import ArticleForm
from esm.knowledge.models import Article, Visibility

LIST_LIMIT = 100


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _language() -> str:
    return get_language() or "da"


def _case_from(user: User, number: str) -> Case | None:
    number = number.strip()[:30]
    return get_case_for(user, number) if number else None


@require_GET
@handler_required
def article_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "").strip()[:200]
    visibility = request.GET.get("visibility", "")
    case = _case_from(user, request.GET.get("case", ""))
    articles = list(
        queries.with_counts(queries.search(user, query, visibility=visibility)).prefetch_related("categories")[
            :LIST_LIMIT
        ]
    )
    linked: set[int] = set()
    if case is not None:
        linked = set(case.article_links.values_list("article_id", flat=True))
    context: dict[str, Any] = {
        "articles": articles,
        "query": query,
        "visibility": visibility,
        "visibilities": Visibility.choices,
        "case": case,
        "linked": linked,
        "limit": LIST_LIMIT,
    }
    if is_htmx(request) and case is not None:
        return render(request, "knowledge/_case_search_results.html", context)
    if is_htmx(request):
        return render(request, "knowledge/desk/list.html#results", context)
    return render(request, "knowledge/desk/list.html", context)


def _article_form(request: HttpRequest, **kwargs: Any) -> ArticleForm:
    return ArticleForm(categories=categories(), language=_language(), **kwargs)


def _source_event(user: User, value: object) -> CaseEvent | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise Http404("No such event")
    event = CaseEvent.objects.select_related("case", "case__building").filter(pk=int(text)).first()
    if event is None or not user.has_perm("cases.view_case", event.case):
        raise Http404("No such event")
    return event


@require_http_methods(["GET", "POST"])
@handler_required
def article_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = 200
    if request.method == "POST":
        form = _article_form(request, data=request.POST)
        event = _source_event(user, request.POST.get("source_event"))
        form.is_valid()
        try:
            article = services.create_article(user, **form.values(), source_event=event)
        except DomainError as error:
            form.add_service_error(error)
            status = 400
        else:
            if event is not None:
                messages.success(request, _("The article is saved and linked to the case."))
                return redirect("desk:case", number=event.case.number)
            messages.success(request, _("The article is saved."))
            return redirect("knowledge:detail", slug=article.slug)
    else:
        event = _source_event(user, request.GET.get("from_event"))
        initial: dict[str, Any] = {}
        if event is not None:
            try:
                initial = services.article_from_reply(user, event=event)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("desk:case", number=event.case.number)
            categories_by_pk = {c.pk: c.code for c in categories()}
            initial["categories"] = [categories_by_pk[pk] for pk in initial["categories"] if pk in categories_by_pk]
            initial["buildings"] = ", ".join(initial["buildings"])
        form = _article_form(request, initial=initial)
    context = {"form": form, "article": None, "source": event}
    return render(request, "knowledge/desk/edit.html", context, status=status)


def _article(user: User, slug: str) -> Article:
    return queries.get_article_for(user, slug)


@require_GET
@handler_required
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    article = _article(user, slug)
    counts = queries.counts_for(article)
    solved_rate = queries.rate(counts["deflected"], counts["opened"])
    context = {
        "article": article,
        "counts": counts,
        "solved_percent": None if solved_rate is None else round(solved_rate * 100),
        "cases": queries.linked_cases(article),
        "revision_count": article.revisions.count(),
        "article_categories": list(article.categories.all()),
        "article_buildings": list(article.buildings.all()),
    }
    return render(request, "knowledge/desk/detail.html", context)


@require_http_methods(["GET", "POST"])
@handler_required
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    article = _article(user, slug)
    status = 200
    if request.method == "POST":
        form = _article_form(request, data=request.POST)
        form.is_valid()
        try:
            services.update_article(user, article=article, **form.values())
        except DomainError as error:
            form.add_service_error(error)
            status = 400
        else:
            messages.success(request, _("The article is saved."))
            return redirect("knowledge:detail", slug=article.slug)
    else:
        form = _article_form(
            request,
            initial={
                "title_da": article.title_da,
                "title_en": article.title_en,
                "body_da": article.body_da,
                "body_en": article.body_en,
                "visibility": article.visibility,
                "is_published": article.is_published,
                "categories": list(article.categories.values_list("code", flat=True)),
                "buildings": ", ".join(article.buildings.values_list("property_number", flat=True)),
            },
        )
    return render(request, "knowledge/desk/edit.html", {"form": form, "article": article}, status=status)


@require_GET
@handler_required
def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(_user(request), slug)
    return render(request, "knowledge/desk/history.html", {"article": article, "revisions": queries.revisions(article)})


@require_GET
@handler_required
def article_revision(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _article(_user(request), slug)
    revision = queries.revisions(article).filter(number=number).first()
    if revision is None:
        raise Http404("No such revision")
    return render(request, "knowledge/desk/revision.html", {"article": article, "revision": revision})


def _change_case_link(request: HttpRequest, change: Any) -> HttpResponse:
    """Link or unlink (`change`, a service) the posted article and case, then back to the case."""
    user = _user(request)
    case = _case_from(user, request.POST.get("case", ""))
    if case is None:
        raise Http404("No such case")
    article = _article(user, request.POST.get("article", "").strip()[:80])
    try:
        change(user, case=case, article=article)
    except DomainError as error:
        messages.error(request, error.message)
    target = reverse("desk:case", kwargs={"number": case.number})
    if is_htmx(request):
        # The whole case page again (the timeline shows the new event); no fragment, which
        # would only scroll the page the request came from instead of loading it.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target + "#knowledge")


@require_POST
@handler_required
def link(request: HttpRequest) -> HttpResponse:
    """Link an article to a case (from the case page's knowledge panel)."""
    return _change_case_link(request, services.link_article)


@require_POST
@handler_required
def unlink(request: HttpRequest) -> HttpResponse:
    """Take a linked article off a case (from the case page's knowledge panel)."""
    return _change_case_link(request, services.unlink_article)
