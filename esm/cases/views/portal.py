"""The customer portal: report a case from a phone, follow it, reply, confirm or reopen.

Thin views: parse with a form, find the case through `queries` (unknown or invisible is
404), call one service, render. A `DomainError` goes back onto the form with everything
the person typed kept. htmx requests get a template partial from the same view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from esm.accounts.models import Role, User
from esm.buildings.models import Building, Installation, Unit
from esm.buildings.queries import buildings_for_reporter, search_buildings
from esm.cases import queries, services
from esm.cases.forms import ACCEPTED_FILES, ActionForm, ReplyForm, ReportForm
from esm.cases.lifecycle import AvailableAction, available_actions
from esm.cases.models import Attachment, Case, CaseEvent, EventKind, Priority, Status
from esm.core.errors import DomainError

PAGE_SIZE = 20
MAX_PAGE = 500
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10
#: The lifecycle actions the portal offers; the desk has the others.
PORTAL_ACTIONS = ("confirm", "reopen", "cancel")
#: Closed for good: no replies, no actions.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _max_file_mb() -> int:
    return max(1, settings.ESM_ATTACHMENT_MAX_BYTES // (1024 * 1024))


def _uploads(request: HttpRequest) -> list[UploadedFile[bytes]]:
    """Photos taken with the camera and files chosen from the phone or computer."""
    return [*request.FILES.getlist("camera"), *request.FILES.getlist("files")]


# --- my cases ------------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tabs = [("mine", _("My cases"))]
    if user.role == Role.CUSTOMER and user.organisation_id:
        tabs.append(("organisation", _("My organisation's cases")))
    tab = request.GET.get("tab", "mine")
    if tab not in dict(tabs):
        tab = "mine"
    page = _page_number(request.GET.get("page"))

    cases = queries.cases_visible_to(user)
    if tab == "organisation" and user.organisation_id is not None:
        cases = cases.filter(organisation_id=user.organisation_id)
    else:
        cases = cases.filter(reporter=user)
    cases = (
        cases.select_related("building", "reporter")
        .defer("description", "search_text", "search_vector")
        .order_by("-created_at", "-pk")
    )
    offset = (page - 1) * PAGE_SIZE
    rows = list(cases[offset : offset + PAGE_SIZE + 1])  # one more than shown: is there a next page?
    return render(
        request,
        "cases/portal/home.html",
        {
            "tabs": tabs,
            "tab": tab,
            "cases": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "has_previous": page > 1,
        },
    )


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


# --- reporting -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def report(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        categories=queries.categories(),
        language=get_language() or "da",
    )
    had_files = False
    if request.method == "GET" and request.GET.get("parts"):
        # htmx: the rooms/floors and installations of the building just chosen
        building = _building_from(request.GET.getlist("building"))
        return render(
            request, "cases/portal/report.html#building_parts", {"form": form, **_parts_context(form, building)}
        )
    if request.method == "POST" and request.POST.get("step") != "parts":
        uploads = _uploads(request)
        had_files = bool(uploads)
        form.is_valid()  # parses only; the service validates
        data = form.cleaned_data
        try:
            case = services.open_case(
                user,
                title=data.get("title", ""),
                description=data.get("description", ""),
                building=form.building_ref(),
                unit=form.unit_ref(),
                installation=form.installation_ref(),
                category=data.get("category") or None,
                priority=form.priority,
                location=data.get("location", ""),
                channel="portal",
                uploads=uploads,
            )
        except DomainError as error:
            form.add_service_error(error)
        else:
            return redirect("portal:receipt", number=case.number)
    elif request.method == "POST":
        form.is_valid()  # without JavaScript: "show the rooms" sends the form back to choose a room

    query = request.GET.get("building_search", "").strip()
    choices = _building_choices(user, form)
    context = {
        "form": form,
        "had_files": had_files,
        "accepted_files": ACCEPTED_FILES,
        "max_file_mb": _max_file_mb(),
        **choices,
        **_search_context(query),
        **_parts_context(form, choices["chosen"]),
    }
    return render(request, "cases/portal/report.html", context, status=400 if form.has_errors else 200)


def _building_from(values: list[str]) -> Building | None:
    """The building of the last non-empty `building` value (the select or a search result)."""
    chosen = [value.strip() for value in values if value.strip()]
    if not chosen or not chosen[-1].isascii() or not chosen[-1].isdigit() or len(chosen[-1]) > 12:
        return None
    return Building.objects.filter(pk=int(chosen[-1])).first()


def _parts_context(form: ReportForm, building: Building | None) -> dict[str, Any]:
    """The chosen building's rooms/floors and installations, offered on the form."""
    units = list(Unit.objects.filter(building=building).order_by("code")[:500]) if building else []
    installations = (
        list(Installation.objects.filter(building=building).order_by("kind", "name")[:200]) if building else []
    )
    form.set_building_parts(units, installations)
    return {"parts_building": building, "units": units, "installations": installations}


def _building_choices(user: User, form: ReportForm) -> dict[str, Any]:
    """The organisation's buildings (a select) and, if another one was picked by search, that one."""
    buildings = list(buildings_for_reporter(user).order_by("name", "pk")[:500])
    picked = form.picked_building() if form.is_bound else None
    chosen = picked
    if not form.is_bound and len(buildings) == 1:
        chosen = buildings[0]  # one building: nothing to choose
    in_list = picked is None or any(b.pk == picked.pk for b in buildings)
    return {
        "buildings": buildings,
        "chosen": chosen,
        "chosen_building": str(chosen.pk) if chosen else "",
        "picked_elsewhere": None if in_list else picked,
    }


def _search_context(query: str) -> dict[str, Any]:
    searched = len(query) >= SEARCH_MIN_LENGTH
    return {
        "building_query": query,
        "searched": searched,
        "results": list(search_buildings(query, limit=SEARCH_LIMIT)) if searched else [],
    }


@require_GET
@login_required
def building_search(request: HttpRequest) -> HttpResponse:
    """The matches for an address fragment, as the report form's result list (an htmx fragment)."""
    query = (request.GET.get("building_search") or request.GET.get("q") or "").strip()[:200]
    return render(
        request,
        "cases/portal/report.html#building_results",
        {**_search_context(query), "chosen_building": "", "picked_elsewhere": None},
    )


@require_GET
@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = queries.get_case_for(_user(request), number)
    return render(request, "cases/portal/receipt.html", {"case": case})


# --- one case ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case as the reporter's side sees it; POST is a reply (htmx swaps the timeline)."""
    user = _user(request)
    case = queries.get_case_for(user, number)
    reply_form = ReplyForm(request.POST if request.method == "POST" else None)
    had_files = False
    sent = False
    if request.method == "POST":
        uploads = _uploads(request)
        had_files = bool(uploads)
        reply_form.is_valid()
        try:
            services.reply_to_case(user, case=case, body=reply_form.cleaned_data.get("body", ""), uploads=uploads)
        except DomainError as error:
            reply_form.add_service_error(error)
        else:
            if not _is_htmx(request):
                messages.success(request, _("Your message was sent."))
                return redirect(reverse("portal:case", args=[case.number]) + "#conversation")
            reply_form, had_files, sent = ReplyForm(), False, True

    context = _case_context(request, case, reply_form=reply_form, had_files=had_files, sent=sent)
    if _is_htmx(request):
        # The conversation, and the case's status and actions out of band (a reply can resume work).
        html = render_to_string("cases/portal/case.html#timeline", context, request=request)
        html += render_to_string("cases/portal/case.html#state", {**context, "oob": True}, request=request)
        return HttpResponse(html)
    status = 400 if reply_form.has_errors else 200
    return render(request, "cases/portal/case.html", context, status=status)


ACTION_DONE = {
    "confirm": _("Thank you. The case is closed."),
    "reopen": _("The case is open again. We will look at it."),
    "cancel": _("The case is cancelled."),
}


@require_POST
@login_required
def case_action(request: HttpRequest, number: str) -> HttpResponse:
    """Confirm solved, reopen or cancel: one lifecycle action through `transition_case`."""
    user = _user(request)
    case = queries.get_case_for(user, number)
    form = ActionForm(request.POST)
    form.is_valid()
    action = form.cleaned_data.get("action", "")
    try:
        services.transition_case(user, case=case, action=action, reason=form.cleaned_data.get("reason", ""))
    except DomainError as error:
        form.add_service_error(error)
        context = _case_context(request, case, reply_form=ReplyForm(), action_form=form, failed_action=action)
        return render(request, "cases/portal/case.html", context, status=400)
    messages.success(request, str(ACTION_DONE.get(action, _("Done."))))
    return redirect("portal:case", number=case.number)


# --- presenting a case ---------------------------------------------------------------


@dataclass
class Entry:
    """One public event of the timeline, in plain words."""

    event: CaseEvent
    who: str
    from_desk: bool
    text: str
    body: str
    at: datetime
    images: list[Attachment] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.event.kind


STATUS_WORDS = {
    "triage": _("The case has been received and sent to the right team."),
    "start": _("Work has started."),
    "wait_for_customer": _("We need an answer from you to continue."),
    "wait_for_supplier": _("We are waiting for a supplier."),
    "wait_for_approval": _("We are waiting for an approval."),
    "resume": _("Work has resumed."),
    "customer_replied": _("Work has resumed."),
    "resolve": _("The problem is solved. Please confirm, or reopen the case if it is not."),
    "confirm": _("Confirmed as solved. The case is closed."),
    "close": _("The case is closed."),
    "auto_close": _("The case was closed automatically."),
    "reopen": _("The case was reopened."),
    "cancel": _("The case was cancelled."),
}


def _describe(event: CaseEvent, category_names: dict[str, str]) -> str:
    payload = event.payload or {}
    if event.kind == EventKind.CREATED:
        return _("Reported the case.")
    if event.kind == EventKind.REPLY:
        return ""
    if event.kind == EventKind.ATTACHMENT_ADDED:
        return _("Added photos or files.")
    if event.kind == EventKind.STATUS_CHANGED:
        words = STATUS_WORDS.get(str(payload.get("action", "")))
        if words:
            return str(words)
        status = str(payload.get("to", ""))
        label = Status(status).label if status in Status.values else status
        return _("The status is now “%(status)s”.") % {"status": label}
    if event.kind == EventKind.FIELD_CHANGED:
        name, value = str(payload.get("field", "")), str(payload.get("to", ""))
        if name == "priority":
            label = Priority(value).label if value in Priority.values else value
            return _("The priority was changed to “%(priority)s”.") % {"priority": label}
        if name == "category":
            return _("The category was changed to “%(category)s”.") % {"category": category_names.get(value, value)}
        if name == "title":
            return _("The title was changed to “%(title)s”.") % {"title": value}
        if name == "location":
            return _("The location was changed to “%(location)s”.") % {"location": value}
        if name == "building":
            return _("The building was changed.")
        if name == "unit":
            return _("The room or floor was changed to “%(unit)s”.") % {"unit": value or "–"}
        return _("The case was changed.")
    return str(event.get_kind_display())


def _timeline(user: User, case: Case) -> list[Entry]:
    """The public events, whoever looks (a handler visiting the portal sees the customer's view)."""
    language = get_language() or "da"
    category_names = {c.code: c.name_in(language) for c in queries.categories()}
    entries = []
    for event in queries.timeline_for(user, case).filter(is_public=True):
        attachments = [a for a in event.attachments.all() if a.is_public]
        automatic = event.actor is None or bool((event.payload or {}).get("automatic"))
        entries.append(
            Entry(
                event=event,
                who=_("Service desk") if automatic else str(event.actor),
                from_desk=not automatic and bool(event.actor and event.actor.is_handler),
                text=_describe(event, category_names),
                body=event.body,
                at=event.created_at,
                images=[a for a in attachments if a.thumbnail],
                files=[a for a in attachments if not a.thumbnail],
            )
        )
    return entries


def _portal_actions(case: Case, user: User) -> list[AvailableAction]:
    return [a for a in available_actions(case, user) if a.action in PORTAL_ACTIONS]


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    reply_form: ReplyForm,
    had_files: bool = False,
    sent: bool = False,
    action_form: ActionForm | None = None,
    failed_action: str = "",
) -> dict[str, Any]:
    user = _user(request)
    language = get_language() or "da"
    return {
        "case": case,
        "category_name": case.category.name_in(language),
        "entries": _timeline(user, case),
        "actions": _portal_actions(case, user),
        "reply_form": reply_form,
        "can_reply": case.status not in FINAL_STATUSES,
        "had_files": had_files,
        "sent": sent,
        "action_form": action_form,
        "failed_action": failed_action,
        "accepted_files": ACCEPTED_FILES,
        "max_file_mb": _max_file_mb(),
    }


__all__ = ["building_search", "case_action", "case_detail", "home", "receipt", "report"]
