"""Desk pages for canned replies and macros.

Thin views: parse, fetch with permission (`queries`), call one service, render. The case
page's reply box asks `pick` for templates rendered for the case (an htmx fragment, or
without JavaScript a page to copy from); the case page's macro buttons post to `apply`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esm.accounts.decorators import handler_required
from esm.accounts.models import User
from esm.cases import queries as case_queries
from esm.cases.models import Case
from esm.core.errors import DomainError
from esm.core.forms import add_domain_error
from esm.core.http import is_htmx
from esm.replies import placeholders, queries, services
from esm.replies.forms import MacroForm, TemplateForm
from esm.replies.models import Macro, ReplyTemplate
from esm.replies.rules import may_edit, may_keep_shared


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _get_case(request: HttpRequest, number: str, action: str = "cases.view_case") -> Case:
    try:
        return case_queries.get_case_for(_user(request), number, action=action)
    except DomainError as error:
        raise PermissionDenied(error.message) from error


def _placeholder_help() -> list[dict[str, str]]:
    aliases = {canonical: alias for alias, canonical in placeholders.ALIASES.items()}
    return [
        {"name": f"{{{{{name}}}}}", "alias": f"{{{{{aliases[name]}}}}}" if name in aliases else "", "text": str(text)}
        for name, text in placeholders.PLACEHOLDERS.items()
    ]


# --- the management page ---------------------------------------------------------------


@handler_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    templates = list(queries.templates_visible_to(user, include_inactive=True).order_by("name", "pk"))
    macros = list(queries.macros_visible_to(user, include_inactive=True).order_by("name", "pk"))
    labels = {t.action: t.label for t in services.macro_actions()}
    context = {
        "templates": [{"item": t, "editable": may_edit(user, t)} for t in templates],
        "macros": [
            {"item": m, "editable": may_edit(user, m), "action_label": labels.get(m.action, m.action)} for m in macros
        ],
        "may_keep_shared": may_keep_shared(user),
        "placeholders": _placeholder_help(),
    }
    return render(request, "replies/manage.html", context)


def _save(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    *,
    saved: str,
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """Validate the form and call the service; back to the list when saved, else the form with why."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, saved)
            return redirect("replies:manage")
    return page()


def _template_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {f: data[f] for f in ("name", "body_da", "body_en", "is_active")}


def _template_page(
    request: HttpRequest, form: TemplateForm, template: ReplyTemplate | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "template": template, "placeholders": _placeholder_help()}
    return render(request, "replies/template_form.html", context, status=status)


@handler_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "GET":
        return _template_page(request, TemplateForm(user=user, creating=True), None)
    form = TemplateForm(request.POST, user=user, creating=True)
    return _save(
        request,
        form,
        lambda data: services.create_template(user, shared=bool(data.get("shared")), **_template_fields(data)),
        saved=_("Reply template saved."),
        page=lambda: _template_page(request, form, None, status=400),
    )


@handler_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    template = queries.get_template_for(user, pk)
    if not may_edit(user, template):
        raise PermissionDenied(_("Only team leads and administrators can change shared ones."))
    if request.method == "GET":
        initial = {f: getattr(template, f) for f in ("name", "body_da", "body_en", "is_active")}
        return _template_page(request, TemplateForm(initial=initial, user=user, creating=False), template)
    form = TemplateForm(request.POST, user=user, creating=False)
    return _save(
        request,
        form,
        lambda data: services.update_template(user, template=template, **_template_fields(data)),
        saved=_("Reply template saved."),
        page=lambda: _template_page(request, form, template, status=400),
    )


@handler_required
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    template = queries.get_template_for(user, pk)
    try:
        services.delete_template(user, template=template)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reply template deleted."))
    return redirect("replies:manage")


def _macro_page(request: HttpRequest, form: MacroForm, macro: Macro | None, status: int = 200) -> HttpResponse:
    return render(request, "replies/macro_form.html", {"form": form, "macro": macro}, status=status)


def _macro_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "reply_template": data.get("reply_template"),
        "action": data.get("action") or "",
        "category": data.get("category"),
        "team": data.get("team"),
        "is_active": data["is_active"],
    }


@handler_required
@require_http_methods(["GET", "POST"])
def macro_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "GET":
        return _macro_page(request, MacroForm(user=user, creating=True), None)
    form = MacroForm(request.POST, user=user, creating=True)
    return _save(
        request,
        form,
        lambda data: services.create_macro(user, shared=bool(data.get("shared")), **_macro_fields(data)),
        saved=_("Macro saved."),
        page=lambda: _macro_page(request, form, None, status=400),
    )


@handler_required
@require_http_methods(["GET", "POST"])
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    macro = queries.get_macro_for(user, pk)
    if not may_edit(user, macro):
        raise PermissionDenied(_("Only team leads and administrators can change shared ones."))
    if request.method == "GET":
        initial = {
            "name": macro.name,
            "reply_template": macro.reply_template_id,
            "action": macro.action,
            "category": macro.category_id,
            "team": macro.team_id,
            "is_active": macro.is_active,
        }
        return _macro_page(request, MacroForm(initial=initial, user=user, creating=False), macro)
    form = MacroForm(request.POST, user=user, creating=False)
    return _save(
        request,
        form,
        lambda data: services.update_macro(user, macro=macro, **_macro_fields(data)),
        saved=_("Macro saved."),
        page=lambda: _macro_page(request, form, macro, status=400),
    )


@handler_required
@require_POST
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    macro = queries.get_macro_for(user, pk)
    try:
        services.delete_macro(user, macro=macro)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Macro deleted."))
    return redirect("replies:manage")


# --- on the case page ------------------------------------------------------------------


@handler_required
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """Templates matching `q`, rendered for the case `case`: an htmx list of buttons, or a page to copy from."""
    user = _user(request)
    case = _get_case(request, str(request.GET.get("case", ""))[:40])
    q = str(request.GET.get("q", ""))[:200]
    limit = 10 if is_htmx(request) else 200
    results = [
        {"template": t, "text": services.render_template(t, case=case, actor=user)}
        for t in queries.search_templates(user, q, limit=limit)
    ]
    context = {"case": case, "q": q, "results": results}
    template = "replies/pick.html#results" if is_htmx(request) else "replies/pick.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    response["Cache-Control"] = "private, no-store"
    return response


@handler_required
@require_GET
def macros(request: HttpRequest, number: str) -> HttpResponse:
    """The case page's macro panel again (after another change on the page)."""
    case = _get_case(request, number)
    response = render(request, "replies/_macros.html", {"case": case})
    response["Cache-Control"] = "private, no-store"
    return response


@handler_required
@require_POST
def apply(request: HttpRequest, number: str) -> HttpResponse:
    """Apply a macro to the case; back to the case page with what happened as a message."""
    user = _user(request)
    case = _get_case(request, number, "cases.change_case")
    macro = queries.get_macro_for(user, str(request.POST.get("macro", "")), include_inactive=False)
    try:
        services.apply_macro(user, case=case, macro=macro)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Macro “%(name)s” applied.") % {"name": macro.name})
    url = reverse("desk:case", args=[number])
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
