"""The desk's building pages: the registry list and search, and one building with its facts, access
information (shown on request, every read logged), cases, installations, units, documents and maintenance plans.

Thin views for technicians, team leads and administrators; anyone else gets a 404. A building's
cases are read through the `cases` reverse relation (this app never imports `esm.cases`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from esm.accounts.decorators import handler_required
from esm.accounts.models import User
from esm.buildings import queries, services
from esm.buildings.forms import BuildingForm, InstallationForm, UnitForm
from esm.buildings.models import Building, BuildingDocument, DocumentKind
from esm.core.errors import DomainError
from esm.core.http import is_htmx

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
LIST_LIMIT = 50
CASES_SHOWN = 100
CASES_PER_INSTALLATION = 5

#: The facts shown on the page, in order, with their labels; `fact_sources` gives source and date.
FACTS: tuple[tuple[str, Any], ...] = (
    ("property_number", gettext_lazy("Property number")),
    ("bbr_id", gettext_lazy("BBR building id")),
    ("year_built", gettext_lazy("Year built")),
    ("gross_area_m2", gettext_lazy("Gross floor area (m²)")),
    ("bbr_use_code", gettext_lazy("BBR use code")),
    ("department", gettext_lazy("Using department")),
    ("responsible_team", gettext_lazy("Responsible team")),
    ("responsible_technician", gettext_lazy("Responsible technician")),
    ("notes", gettext_lazy("Notes")),
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _building(request: HttpRequest, property_number: str) -> Building:
    try:
        return queries.get_building_for(_user(request), property_number)
    except DomainError as error:
        raise Http404(error.message) from error


def map_link(building: Building) -> str:
    """A link the phone opens in its map app: the coordinates on OpenStreetMap, else a geo: address search."""
    if building.latitude is not None and building.longitude is not None:
        lat, lon = building.latitude, building.longitude
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    return "geo:0,0?q=" + quote(building.address)


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_document_%s")
        super().__init__(*args, **kwargs)


# --- the list ----------------------------------------------------------------------------


@handler_required
@require_GET
def building_list(request: HttpRequest) -> HttpResponse:
    """The registry, or the buildings matching an address, name, postcode or property number (typos forgiven)."""
    query = request.GET.get("q", "").strip()[:200]
    rows = queries.search_buildings(query, limit=LIST_LIMIT)
    context = {"query": query, "buildings": rows, "limit": LIST_LIMIT}
    template = "buildings/list.html#results" if is_htmx(request) else "buildings/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- one building ------------------------------------------------------------------------


def _facts(building: Building) -> list[dict[str, Any]]:
    sources = building.fact_sources or {}
    rows = []
    for field, label in FACTS:
        value = getattr(building, field)
        source = sources.get(field) or {}
        rows.append(
            {
                "field": field,
                "label": label,
                "value": value if value not in (None, "") else None,
                "source": source.get("source", ""),
                "at": _parse_time(source.get("at")),
            }
        )
    return rows


def _parse_time(value: object) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _context(request: HttpRequest, building: Building, **extra: Any) -> dict[str, Any]:
    cases = list(
        building.cases.select_related("category", "unit", "installation", "assignee")  # type: ignore[attr-defined]
        .defer("description", "search_text", "search_vector")
        .order_by("-created_at", "-pk")[:CASES_SHOWN]
    )
    installations = list(queries.installations_with_case_counts(building))
    cases_of: dict[int, list[Any]] = {}
    for case in cases:
        if case.installation_id is not None:
            cases_of.setdefault(case.installation_id, []).append(case)
    for installation in installations:
        installation.repeat_failure = queries.is_repeat_failure(installation)
        installation.recent = cases_of.get(installation.pk, [])[:CASES_PER_INSTALLATION]
    sources = building.fact_sources or {}
    address_source = sources.get("street") or sources.get("postcode") or {}
    context = {
        "building": building,
        "facts": _facts(building),
        "address_source": {"source": address_source.get("source", ""), "at": _parse_time(address_source.get("at"))},
        "map_link": map_link(building),
        "organisations": list(building.organisations.order_by("name")),
        "open_cases": [c for c in cases if c.is_open],
        "past_cases": [c for c in cases if not c.is_open],
        "cases_truncated": len(cases) >= CASES_SHOWN,
        "installations": installations,
        "repeat_failures": [i for i in installations if i.repeat_failure],
        "units": list(building.units.select_related("parent").order_by("code")),
        "documents": list(building.documents.select_related("uploaded_by")),
        "plans": list(building.maintenance_plans.select_related("installation", "team").order_by("first_due", "task")),
        "document_form": DocumentForm(),
        "may_change": _user(request).has_perm("buildings.change_building", building),
        "unit_form": UnitForm(building=building),
        "installation_form": InstallationForm(building=building),
        "may_read_access": _user(request).has_perm("buildings.read_access_info"),
        "access": None,
        "now": timezone.now(),
    }
    context.update(extra)
    return context


@handler_required
@require_GET
def building_detail(request: HttpRequest, property_number: str) -> HttpResponse:
    building = _building(request, property_number)
    return render(request, "buildings/detail.html", _context(request, building))


@handler_required
@require_POST
def show_access_info(request: HttpRequest, property_number: str) -> HttpResponse:
    """Keys, alarm and opening hours: shown only when asked for, and the reading is logged."""
    building = _building(request, property_number)
    case_number = request.POST.get("case", "").strip()[:40]
    try:
        access = services.read_access_info(
            _user(request), building=building, context=f"desk {case_number}".strip() if case_number else "desk"
        )
    except DomainError as error:
        raise Http404(error.message) from error
    if is_htmx(request):
        return render(request, "buildings/detail.html#access", {"building": building, "access": access})
    return render(request, "buildings/detail.html", _context(request, building, access=access))


@handler_required
@require_POST
def add_document(request: HttpRequest, property_number: str) -> HttpResponse:
    building = _building(request, property_number)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                _user(request),
                building=building,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as error:
            form.add_error("file" if error.field in (None, "file") else None, error.message)
        else:
            messages.success(request, _("Document added."))
            return redirect("buildings:detail", property_number=building.property_number)
    return render(request, "buildings/detail.html", _context(request, building, document_form=form), status=400)


# --- changing the registry ---------------------------------------------------------------


def _changeable(request: HttpRequest, property_number: str) -> Building:
    building = _building(request, property_number)
    if not _user(request).has_perm("buildings.change_building", building):
        raise PermissionDenied
    return building


@handler_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_building(request: HttpRequest, property_number: str) -> HttpResponse:
    """The building's facts in a form; what the handler changed is saved with the desk as its source."""
    building = _changeable(request, property_number)
    if request.method != "POST":
        return render(request, "buildings/edit.html", {"building": building, "form": BuildingForm(building=building)})
    form = BuildingForm(request.POST, building=building)
    if form.is_valid():
        try:
            changed = services.update_building(_user(request), building=building, changes=form.changes(), source="desk")
        except DomainError as error:
            form.add_service_error(error)
        else:
            if changed:
                messages.success(request, _("The building's facts were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("buildings:detail", property_number=building.property_number)
    return render(request, "buildings/edit.html", {"building": building, "form": form}, status=400)


@handler_required
@require_POST
def add_unit(request: HttpRequest, property_number: str) -> HttpResponse:
    """A floor, room or area added to the building."""
    building = _changeable(request, property_number)
    form = UnitForm(request.POST, building=building)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_unit(
                _user(request),
                building=building,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Added %(code)s.") % {"code": data["code"]})
            return redirect("buildings:detail", property_number=building.property_number)
    return render(request, "buildings/detail.html", _context(request, building, unit_form=form), status=400)


@handler_required
@require_POST
def add_installation(request: HttpRequest, property_number: str) -> HttpResponse:
    """An installation (boiler, ventilation, roof …) registered on the building."""
    building = _changeable(request, property_number)
    form = InstallationForm(request.POST, building=building)
    if form.is_valid():
        try:
            services.add_installation(_user(request), building=building, **form.cleaned_data)
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": form.cleaned_data["name"]})
            return redirect("buildings:detail", property_number=building.property_number)
    return render(request, "buildings/detail.html", _context(request, building, installation_form=form), status=400)


@handler_required
@require_safe
def document(request: HttpRequest, property_number: str, key: UUID) -> FileResponse:
    """A document of a building the user may see; PDFs and images in the browser, the rest as a download."""
    building = _building(request, property_number)
    found = BuildingDocument.objects.filter(building=building, key=key).first()
    if found is None:
        raise Http404("No such document")
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        logger.error("building document missing: %s", found.file.name)
        raise Http404("No such document") from exc
    inline = found.content_type in {"application/pdf", "image/jpeg", "image/png"}
    response = FileResponse(handle, as_attachment=not inline, filename=found.filename, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if found.content_type != "application/pdf":
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    patch_vary_headers(response, ["Cookie"])
    return response


__all__ = [
    "add_document",
    "add_installation",
    "add_unit",
    "building_detail",
    "building_list",
    "document",
    "edit_building",
    "map_link",
    "show_access_info",
]
