"""The team leads' "unattended" view: open cases whose assignee is away, or that nobody has worked for too long.

Team leads and administrators only (technicians get a 403, everyone else a 404 like every desk
page). A team lead sees their team's cases (`?scope=all`: every case); an administrator every case.
50 cases a page, most urgent first. Each row has one reassign form: a person, or "auto" (the
assignment rules again, passing over the current assignee), posted to the `assign_case` service.
Without JavaScript it is a plain POST and a redirect; with htmx the list is swapped in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from esm.accounts.decorators import handler_required
from esm.accounts.models import Role, Team, User
from esm.accounts.queries import active_user
from esm.cases import assignment, queries, services
from esm.cases.desk_forms import handlers, person_label
from esm.cases.models import OPEN_STATUSES
from esm.cases.rules import is_team_lead_or_admin
from esm.core.errors import DomainError
from esm.core.http import is_htmx

AUTO = "auto"


def _lead(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_team_lead_or_admin(user):
        raise PermissionDenied(_("Only team leads and administrators see unattended cases."))
    return user


def _scope(request: HttpRequest, user: User) -> str:
    wanted = request.GET.get("scope") or request.POST.get("scope") or ""
    if wanted in ("team", "all"):
        return wanted if user.team_id else "all"
    return "team" if user.team_id and user.role == Role.TEAM_LEAD else "all"


def _page(request: HttpRequest) -> int:
    wanted = request.GET.get("page") or request.POST.get("page") or "1"
    return max(1, int(wanted)) if wanted.isascii() and wanted.isdigit() and len(wanted) <= 5 else 1


def _context(request: HttpRequest, user: User, scope: str, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    listed = (
        queries.unattended(user, now=now, team_only=scope == "team")
        .select_related("assignee", "team", "category")
        .only(
            "number",
            "title",
            "status",
            "priority",
            "priority_rank",
            "created_at",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "team__name",
            "team__code",
            "category__name_da",
            "category__name_en",
        )
    )
    page = _page(request)
    rows = list(listed[(page - 1) * queries.UNATTENDED_PAGE :][: queries.UNATTENDED_PAGE + 1])
    if not rows and page > 1:  # the page emptied (cases reassigned meanwhile): back to the first
        page = 1
        rows = list(listed[: queries.UNATTENDED_PAGE + 1])
    start = (page - 1) * queries.UNATTENDED_PAGE
    people = list(handlers())
    return {
        "rows": rows[: queries.UNATTENDED_PAGE],
        "page": page,
        "first": start + 1,
        "last": start + min(len(rows), queries.UNATTENDED_PAGE),
        "more": len(rows) > queries.UNATTENDED_PAGE,
        "people": [(person.username, person_label(person)) for person in people],
        "thresholds": queries.unattended_thresholds(),
        "scope": scope,
        "has_team": bool(user.team_id),
        "now": now,
        **extra,
    }


@handler_required
@require_GET
def unattended(request: HttpRequest) -> HttpResponse:
    user = _lead(request)
    scope = _scope(request, user)
    template = "cases/desk/unattended.html#list" if is_htmx(request) else "cases/desk/unattended.html"
    return render(request, template, _context(request, user, scope))


@handler_required
@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    """Give one listed case to a person, or `auto`: to whom the assignment rules say (not the current assignee)."""
    user = _lead(request)
    scope = _scope(request, user)
    number = request.POST.get("case", "").strip()[:40]
    choice = request.POST.get("assignee", "").strip()[:150]
    error = done = ""
    case = queries.cases_visible_to(user).filter(number=number, status__in=OPEN_STATUSES).first()
    if case is None:
        error = _("No such open case.")
    elif not choice:
        error = _("Choose a person or automatic assignment.")
    else:
        try:
            if choice == AUTO:
                decided = assignment.choose(
                    case, now=timezone.now(), exclude={case.assignee_id} if case.assignee_id else set()
                )
                if decided is None or (decided.assignee is None and decided.team is None):
                    error = _("The assignment rules found nobody for this case. Choose a person.")
                else:
                    team: Team | None = decided.team
                    services.assign_case(user, case=case, assignee=decided.assignee, team=team)
            else:
                services.assign_case(user, case=case, assignee=active_user(choice, field="assignee"))
        except DomainError as refused:
            error = refused.message
    if not error and case is not None:
        who = case.assignee or case.team
        done = _("%(number)s given to %(name)s.") % {"number": case.number, "name": who or _("nobody")}
    if is_htmx(request):
        context = _context(request, user, scope, error=error, error_case=number, done=done)
        return render(request, "cases/desk/unattended.html#list", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(reverse("desk:unattended") + f"?scope={scope}&page={_page(request)}")
