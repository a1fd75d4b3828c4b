"""The desk: queues and the case page for technicians and team leads.

Thin views: parse the input, fetch with permission (`queries`), call one service, render.
A DomainError becomes a message beside the form that caused it, with the typed text kept.
htmx requests get partials of the same templates (`cases/desk/queue.html#results`,
`cases/desk/case.html#updated`); without JavaScript every form is a plain POST and redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from esm.accounts.decorators import handler_required
from esm.accounts.models import Absence, Team, User
from esm.accounts.queries import active_user, current_absence, people_substituted_by
from esm.buildings.models import Installation, Unit
from esm.buildings.queries import repeat_failures
from esm.cases import queries, services
from esm.cases.desk_forms import (
    PAGE_SIZE,
    ActionForm,
    AssignForm,
    BulkAssignForm,
    HeartbeatForm,
    NoteForm,
    PhoneNoteForm,
    QueueFilterForm,
    ReplyForm,
    TimeCorrectionForm,
    UpdateCaseForm,
    WatcherForm,
    absence_warning,
    category_choices,
    handlers,
)
from esm.cases.lifecycle import available_actions
from esm.cases.models import Case
from esm.core.errors import DomainError
from esm.core.forms import add_domain_error
from esm.core.http import is_htmx

View = Callable[..., HttpResponse]

DEFAULT_QUEUE = "open"
TABS = (
    ("unassigned", gettext_lazy("Unassigned"), "g u"),
    ("mine", gettext_lazy("Mine"), "g m"),
    ("team", gettext_lazy("My team"), "g t"),
    ("waiting", gettext_lazy("Waiting"), "g w"),
    ("sla_risk", gettext_lazy("SLA at risk"), "g s"),
    ("open", gettext_lazy("All open"), "g o"),
    ("closed", gettext_lazy("Closed"), "g c"),
)
# The queue table reads only these columns (no description, no search document).
ROW_FIELDS = (
    "number",
    "title",
    "status",
    "priority",
    "complexity",
    "channel",
    "created_at",
    "updated_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "first_response_warn_at",
    "first_response_due_at",
    "resolution_warn_at",
    "resolution_due_at",
    "sla_paused",
    "building",
    "building__property_number",
    "building__name",
    "category",
    "category__code",
    "category__name_da",
    "category__name_en",
    "assignee",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "team",
    "team__code",
    "team__name",
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _get_case(request: HttpRequest, number: str, action: str = "cases.view_case") -> Case:
    try:
        return queries.get_case_for(_user(request), number, action=action)
    except DomainError as error:
        raise PermissionDenied(error.message) from error


def _clean_params(params: QueryDict) -> QueryDict:
    """The query without empty values (for links and the pushed URL)."""
    clean = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [v for v in values if v.strip()]
        if kept and key != "csrfmiddlewaretoken":
            clean.setlist(key, kept)
    return clean


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return reverse("desk:queue")


# --- the queue -------------------------------------------------------------------------


@handler_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _render_queue(request, request.GET)


def _render_queue(
    request: HttpRequest,
    params: QueryDict,
    *,
    bulk_form: BulkAssignForm | None = None,
    selected: Iterable[str] = (),
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    people = list(handlers())
    form = QueueFilterForm(
        params,
        category_choices=category_choices(get_language() or "da"),
        team_choices=list(Team.objects.order_by("name").only("code", "name")),
        people=people,
    )
    name = form.value("queue", DEFAULT_QUEUE)
    page = form.value("page", 1)
    cases = (
        queries.apply_filters(queries.queue(user, name), form.to_filters())
        .select_related("building", "category", "assignee", "team")
        .only(*ROW_FIELDS)
    )
    start = (page - 1) * PAGE_SIZE
    rows = list(cases[start : start + PAGE_SIZE + 1])  # one more than shown tells if there is a next page
    clean = _clean_params(params)
    context = {
        "form": form,
        "queue": name,
        "tabs": [{"name": n, "label": label, "shortcut": key} for n, label, key in TABS],
        "cases": rows[:PAGE_SIZE],
        "page": page,
        "has_previous": page > 1,
        "has_next": len(rows) > PAGE_SIZE,
        "first_row": start + 1,
        "last_row": start + min(len(rows), PAGE_SIZE),
        "params": clean,
        "people": people,
        "bulk_form": bulk_form or BulkAssignForm(initial={"next": request.get_full_path()}),
        "selected": set(selected),
        "now": timezone.now(),
        # "Mine" also holds the cases of the people the user stands in for: say whose.
        "standing_in_for": list(people_substituted_by(user, timezone.now())) if name == "mine" else [],
    }
    template = "cases/desk/queue.html#results" if is_htmx(request) else "cases/desk/queue.html"
    response = render(request, template, context, status=status)
    if is_htmx(request):
        response["HX-Push-Url"] = request.path + (f"?{clean.urlencode()}" if clean else "")
    patch_vary_headers(response, ("HX-Request",))
    return response


@handler_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the selected cases to one technician: all of them, or (on any problem) none."""
    user = _user(request)
    numbers = list(dict.fromkeys(n.strip() for n in request.POST.getlist("cases") if n.strip()))[:500]
    form = BulkAssignForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not numbers:
        form.add_error(None, _("Select at least one case."))
    elif form.is_valid():
        assignee = User.objects.filter(username=form.cleaned_data["assignee"], is_active=True).first()
        cases = list(queries.cases_visible_to(user).filter(number__in=numbers))
        if assignee is None:
            form.add_error("assignee", _("Unknown technician."))
        elif len(cases) != len(numbers):
            form.add_error(None, _("Some of the selected cases could not be found. Nothing was changed."))
        else:
            try:
                count = services.bulk_assign_cases(user, cases=cases, assignee=assignee)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d case assigned to %(name)s.", "%(count)d cases assigned to %(name)s.", count)
                    % {"count": count, "name": assignee},
                )
                return redirect(next_url)
    params = QueryDict(urlsplit(next_url).query)
    return _render_queue(request, params, bulk_form=form, selected=numbers, status=400)


# --- the case page -----------------------------------------------------------------------

FORM_PARTIALS = {
    "reply_form": "#reply-form",
    "note_form": "#note-form",
    "phone_form": "#phone-form",
    "header": "#case-header",
    "assign_form": "#assign-form",
    "update_form": "#update-form",
    "time_form": "#time-form",
    "watch_form": "#watch-form",
}


def _case_context(request: HttpRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    user = _user(request)
    people = list(handlers())
    language = get_language() or "da"
    handling = queries.handling_seconds(case)
    may_correct_others = user.has_perm("cases.correct_time")
    context: dict[str, Any] = {
        "case": case,
        "now": timezone.now(),
        "events": list(queries.timeline_for(user, case)),
        "actions": available_actions(case, user),
        "history": list(queries.building_history(user, case)),
        "organisations": list(case.building.organisations.all()) if case.building else [],
        "watchers": list(case.watchers.all()),
        "handling": handling,
        "handling_total": sum(int(row["seconds"]) for row in handling),  # type: ignore[call-overload]
        "people": people,
        "may_correct_others": may_correct_others,
        "reply_form": ReplyForm(),
        "note_form": NoteForm(),
        "phone_form": PhoneNoteForm(),
        "action_form": ActionForm(),
        "assign_form": AssignForm(initial={"assignee": case.assignee.username if case.assignee else ""}, people=people),
        "assignee_absence": _assignee_absence(case, people),
        "update_form": UpdateCaseForm(
            initial={
                "priority": case.priority,
                "category": case.category.code,
                "complexity": case.complexity,
                "building": case.building.property_number if case.building else "",
                "unit": case.unit_id or "",
                "installation": case.installation_id or "",
            },
            category_choices=category_choices(language),
            **_building_parts(case),
        ),
        "repeat_failure": bool(
            case.installation_id and any(i.pk == case.installation_id for i in repeat_failures(building=case.building))
        ),
        "watch_form": WatcherForm(),
        "is_watching": any(watcher.pk == user.pk for watcher in case.watchers.all()),
        "time_form": TimeCorrectionForm(
            initial={"user": user.username}, people=people if may_correct_others else [user]
        ),
        "may_read_access": user.has_perm("buildings.read_access_info"),
        "map_url": _map_url(case),
        "oob": set(),
    }
    context.update(overrides)
    return context


def _map_url(case: Case) -> str:
    """A maps link for the building (a phone opens its map app): by coordinates, else by address."""
    building = case.building
    if building is None:
        return ""
    if building.latitude is not None and building.longitude is not None:
        query = f"{building.latitude},{building.longitude}"
    else:
        query = building.address
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": query})


def _assignee_absence(case: Case, people: list[User]) -> Absence | None:
    """The assignee's current absence; looked up only when the picker's people say they are away."""
    if case.assignee is None or not any(p.pk == case.assignee_id and getattr(p, "away_until", None) for p in people):
        return None
    return current_absence(case.assignee, timezone.now())


def _building_parts(case: Case) -> dict[str, Any]:
    """The case building's rooms/floors and installations, for the update form's pickers."""
    if case.building is None:
        return {"units": [], "installations": [], "current_building": ""}
    return {
        "units": list(Unit.objects.filter(building=case.building).order_by("code")[:500]),
        "installations": list(Installation.objects.filter(building=case.building).order_by("kind", "name")[:200]),
        "current_building": case.building.property_number,
    }


@handler_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _get_case(request, number)
    return render(request, "cases/desk/case.html", _case_context(request, case))


def _done(request: HttpRequest, number: str, message: str, *, fresh: str = "") -> HttpResponse:
    """After a successful change: htmx gets the new timeline and panels, a browser a redirect."""
    if is_htmx(request):
        case = _get_case(request, number)
        oob = {"header", "facts", "handling", "building"}
        if fresh:
            oob.add(fresh)
        return render(request, "cases/desk/case.html#updated", _case_context(request, case, oob=oob))
    messages.success(request, message)
    return redirect("desk:case", number=number)


def _failed(request: HttpRequest, case: Case, partial: str, **overrides: Any) -> HttpResponse:
    """After a refusal: the form again, with the message and what was typed."""
    context = _case_context(request, case, **overrides)
    if is_htmx(request):
        response = render(request, f"cases/desk/case.html#{partial}", context)
        response["HX-Retarget"] = FORM_PARTIALS[partial]
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "cases/desk/case.html", context, status=400)


@handler_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    case = _get_case(request, number, "cases.reply_case")
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_to_case(
                _user(request),
                case=case,
                body=form.cleaned_data["body"],
                uploads=request.FILES.getlist("files"),
                client_key=form.cleaned_data["client_key"],
            )
        except DomainError as error:
            add_domain_error(form, error, {"client_key": ""})
        else:
            return _done(request, number, _("Reply sent."), fresh="reply_form")
    return _failed(request, case, "reply_form", reply_form=form)


@handler_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    case = _get_case(request, number, "cases.note_case")
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_internal_note(
                _user(request),
                case=case,
                body=form.cleaned_data["body"],
                uploads=request.FILES.getlist("files"),
                client_key=form.cleaned_data["client_key"],
            )
        except DomainError as error:
            add_domain_error(form, error, {"client_key": ""})
        else:
            return _done(request, number, _("Note added."), fresh="note_form")
    return _failed(request, case, "note_form", note_form=form)


@handler_required
@require_POST
def phone_note(request: HttpRequest, number: str) -> HttpResponse:
    case = _get_case(request, number, "cases.note_case")
    form = PhoneNoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_phone_note(
                _user(request),
                case=case,
                body=form.cleaned_data["body"],
                duration_seconds=form.cleaned_data["minutes"] * 60,
                client_key=form.cleaned_data["client_key"],
            )
        except DomainError as error:
            add_domain_error(form, error, {"duration": "minutes", "client_key": ""})
        else:
            return _done(request, number, _("Phone call noted."), fresh="phone_form")
    return _failed(request, case, "phone_form", phone_form=form)


@handler_required
@require_POST
def action(request: HttpRequest, number: str) -> HttpResponse:
    """A lifecycle action (`action` = start, resolve, cancel …), with a reason where needed."""
    case = _get_case(request, number, "cases.change_case")
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.transition_case(
                _user(request), case=case, action=form.cleaned_data["action"], reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, number, _("Status changed."))
    return _failed(request, case, "header", action_form=form)


@handler_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    """Assign to a technician (by username), or to nobody (the team stays)."""
    case = _get_case(request, number, "cases.assign_case")
    form = AssignForm(request.POST, people=list(handlers()))
    if form.is_valid():
        username = form.cleaned_data["assignee"]
        try:
            assignee = active_user(username, field="assignee") if username else None
            services.assign_case(_user(request), case=case, assignee=assignee)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            away = current_absence(assignee, timezone.now()) if assignee is not None else None
            if away is not None and not is_htmx(request):  # htmx: the assign form's warning says it
                messages.warning(request, absence_warning(away))
            return _done(request, number, _("Assignment saved."))
    return _failed(request, case, "assign_form", assign_form=form)


@handler_required
@require_POST
def watch(request: HttpRequest, number: str) -> HttpResponse:
    """Add or remove a watcher (yourself by default)."""
    case = _get_case(request, number, "cases.change_case")
    form = WatcherForm(request.POST)
    if form.is_valid():
        try:
            watcher = active_user(form.cleaned_data["username"])
            change = services.remove_watcher if form.cleaned_data["remove"] else services.add_watcher
            change(_user(request), case=case, watcher=watcher)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, number, _("Watchers saved."))
    return _failed(request, case, "watch_form", watch_form=form)


@handler_required
@require_POST
def update(request: HttpRequest, number: str) -> HttpResponse:
    """Priority, category, complexity, building, room or floor and installation."""
    case = _get_case(request, number, "cases.change_case")
    form = UpdateCaseForm(
        request.POST, category_choices=category_choices(get_language() or "da"), **_building_parts(case)
    )
    if form.is_valid():
        try:
            services.update_case(_user(request), case=case, changes=dict(form.cleaned_data))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, number, _("Case updated."))
    return _failed(request, case, "update_form", update_form=form)


@handler_required
@require_POST
def correct_time(request: HttpRequest, number: str) -> HttpResponse:
    """A manual correction of handling time (minutes, may be negative) with a reason."""
    user = _user(request)
    case = _get_case(request, number, "cases.note_case")
    people = list(handlers()) if user.has_perm("cases.correct_time") else [user]
    form = TimeCorrectionForm(request.POST, people=people)
    if form.is_valid():
        username = form.cleaned_data["user"] or user.username
        whose = next((p for p in people if p.username == username), user)
        try:
            services.correct_handling_time(
                user, case=case, user=whose, seconds=form.cleaned_data["minutes"] * 60, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, number, _("Handling time corrected."))
    return _failed(request, case, "time_form", time_form=form)


@handler_required
@require_POST
def heartbeat(request: HttpRequest, number: str) -> HttpResponse:
    """The case page's running total of active seconds (see desk.js); 204 when stored."""
    case = _get_case(request, number)
    form = HeartbeatForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    try:
        services.record_active_time(
            _user(request),
            case=case,
            session_key=form.cleaned_data["session"],
            active_seconds=form.cleaned_data["seconds"],
        )
    except DomainError as error:
        return HttpResponse(status=error.http_status)
    return HttpResponse(status=204)
