"""Desk pages for building imports (administrators) and the "fetch facts from the register" button.

Thin views: parse, permit, call one service in `esm.buildings.imports` / `register`, render. The run
page polls itself with htmx every second while the worker runs and gets the `#run` partial.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from esm.accounts.decorators import handler_required
from esm.accounts.models import User
from esm.buildings import imports
from esm.buildings.models import Building, ImportMapping, ImportRun, ImportState
from esm.buildings.register import refresh_from_register
from esm.core.errors import DomainError
from esm.core.http import is_htmx

View = Callable[..., HttpResponse]
SHOWN_ROWS = 500


def administrator_required(view: View) -> View:
    """Administrators only: other desk users get 403, everyone else 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not getattr(user, "is_handler", False) and not getattr(user, "is_superuser", False):
            raise Http404("Not found")
        if not imports.is_import_administrator(user):
            raise PermissionDenied(_("Only administrators import buildings."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (semicolon or comma), XLSX or JSON.")
    )
    mapping = forms.ModelChoiceField(
        label=gettext_lazy("Column mapping"), queryset=ImportMapping.objects.all(), to_field_name="name"
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: show what would change, write nothing"), required=False, initial=True
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    imports.ensure_builtin_mappings()
    form = ImportForm(request.POST or None, request.FILES or None, initial={"mapping": "standard"})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = imports.start_import(
                _user(request),
                content=upload.read(),
                filename=upload.name,
                mapping=form.cleaned_data["mapping"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
        else:
            return redirect("buildings:import_run", key=run.key)
    runs = ImportRun.objects.defer("errors", "changes", "log")[:20]
    return render(
        request,
        "buildings/imports/index.html",
        {"form": form, "runs": runs, "mappings": ImportMapping.objects.all()},
        status=400 if form.errors else 200,
    )


@administrator_required
def run_detail(request: HttpRequest, key: str) -> HttpResponse:
    running = ImportRun.objects.filter(key=key, state__in=[ImportState.QUEUED, ImportState.RUNNING])
    if is_htmx(request) and running.exists():
        run = get_object_or_404(ImportRun.objects.defer("errors", "changes", "log"), key=key)
    else:
        run = get_object_or_404(ImportRun, key=key)
    finished = run.state in (ImportState.DONE, ImportState.FAILED)
    context = {
        "run": run,
        "finished": finished,
        "shown": SHOWN_ROWS,
        "errors": _labelled_errors(run.errors[:SHOWN_ROWS]) if finished else [],
        "changes": _labelled_changes(run.changes[:SHOWN_ROWS]) if finished else [],
        "can_run_for_real": run.dry_run
        and run.state == ImportState.DONE
        and not run.error_count
        and run.mapping_id is not None
        and bool(run.created_count or run.updated_count),
    }
    template = "buildings/imports/run.html#run" if is_htmx(request) else "buildings/imports/run.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _label(name: str) -> str:
    return str(imports.FIELD_LABELS.get(name, name))


def _labelled_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**error, "label": _label(error.get("field", ""))} for error in errors]


def _labelled_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**change, "fields": [(_label(name), _text(old), _text(new)) for name, (old, new) in change["changes"].items()]}
        for change in changes
    ]


def _text(value: Any) -> Any:
    return ", ".join(str(part) for part in value) if isinstance(value, list) else value


@administrator_required
@require_POST
def run_for_real(request: HttpRequest, key: str) -> HttpResponse:
    dry_run = get_object_or_404(ImportRun, key=key)
    try:
        run = imports.start_real_run(_user(request), dry_run=dry_run)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("buildings:import_run", key=dry_run.key)
    return redirect("buildings:import_run", key=run.key)


@handler_required
@require_POST
def refresh(request: HttpRequest, property_number: str) -> HttpResponse:
    """Fetch the building's facts from the register now; say what changed, or why nothing did."""
    building = get_object_or_404(Building, property_number=property_number)
    try:
        changed = refresh_from_register(building)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if changed:
            labels = ", ".join(str(imports.FIELD_LABELS[name]) for name in changed)
            messages.success(request, _("Updated from the building register: %(fields)s.") % {"fields": labels})
        else:
            messages.success(request, _("The building register confirms the facts; nothing changed."))
    return redirect(_next(request, building))


def _next(request: HttpRequest, building: Building) -> str:
    value = request.POST.get("next")
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    try:
        return reverse("buildings:detail", kwargs={"property_number": building.property_number})
    except NoReverseMatch:
        return reverse("desk:queue")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
