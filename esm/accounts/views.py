"""Sign-in (rate-limited), sign-out, the language switch and the absence page."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from esm.accounts import queries, services
from esm.accounts.decorators import handler_required
from esm.accounts.models import STAFF_ROLES, SYSTEM_USERNAMES, Absence, Role, User
from esm.core.errors import DomainError, ErrorCode
from esm.core.forms import add_domain_error


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_in(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=client_address(request),
                request=request,
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.http_status if error.http_status == 429 else 200
        else:
            login(request, user)
            response = redirect(_safe_next(request) or "web:home")
            response.set_cookie("esm_language", user.language, samesite="Lax", max_age=365 * 24 * 3600)
            return response
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request) or ""}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "da")
    if language not in ("da", "en"):
        language = "da"
    if request.user.is_authenticated:
        with contextlib.suppress(DomainError):
            services.set_language(request.user, language=language)  # type: ignore[arg-type]
    response = redirect(_safe_next(request) or "web:home")
    response.set_cookie("esm_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


# --- absence -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class AbsenceForm(forms.Form):
    """Whole days, both included. `user` is offered to team leads (their team) and administrators."""

    user = forms.ChoiceField(label=_("Who is away"))
    starts = forms.DateField(label=_("First day"), widget=DateInput)
    ends = forms.DateField(label=_("Last day"), widget=DateInput)
    substitute = forms.ChoiceField(label=_("Substitute"), required=False)
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=services.REASON_MAX)

    def __init__(self, *args: object, people: list[User], handlers: list[User], **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "id_absence_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].choices = [(u.username, str(u)) for u in people]  # type: ignore[attr-defined]
        self.fields["substitute"].choices = [("", _("Nobody"))] + [  # type: ignore[attr-defined]
            (u.username, str(u)) for u in handlers
        ]


def _manageable_people(actor: User) -> list[User]:
    """Whose absence the actor may register: themself, their team (a lead), every handler (an administrator)."""
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).exclude(username__in=SYSTEM_USERNAMES)
    if queries.is_administrator(actor):
        people = staff
    elif actor.role == Role.TEAM_LEAD and actor.team_id:
        people = staff.filter(Q(team_id=actor.team_id) | Q(pk=actor.pk))
    else:
        people = staff.filter(pk=actor.pk)
    return sorted(people, key=lambda u: (u.pk != actor.pk, str(u).lower()))


def _absence_page(request: HttpRequest, form: AbsenceForm | None = None, status: int = 200) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    people = _manageable_people(actor)
    handlers = list(
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(username__in=SYSTEM_USERNAMES)
        .order_by("first_name", "last_name", "username")
    )
    form = form or AbsenceForm(initial={"user": actor.username}, people=people, handlers=handlers)
    is_lead = queries.is_administrator(actor) or actor.role == Role.TEAM_LEAD
    context = {
        "form": form,
        "mine": list(queries.absences_for(actor, at=now)),
        "team": [a for a in queries.team_absences(actor, at=now) if a.user_id != actor.pk] if is_lead else [],
        "is_lead": is_lead,
        "choose_person": len(people) > 1,
        "standing_in_for": list(queries.people_substituted_by(actor, now)),
        "today": queries.local_day(now),
    }
    return render(request, "accounts/absence.html", context, status=status)


@handler_required
def absence_view(request: HttpRequest) -> HttpResponse:
    """Register your own absence (a team lead also their team's); GET lists current and coming absences."""
    if request.method != "POST":
        return _absence_page(request)
    actor: User = request.user  # type: ignore[assignment]
    people = _manageable_people(actor)
    handlers = list(User.objects.filter(role__in=STAFF_ROLES, is_active=True).exclude(username__in=SYSTEM_USERNAMES))
    data = request.POST.copy()
    data.setdefault("user", actor.username)
    form = AbsenceForm(data, people=people, handlers=handlers)
    if form.is_valid():
        by_name = {u.username: u for u in handlers}
        user = by_name.get(form.cleaned_data["user"])
        substitute = by_name.get(form.cleaned_data["substitute"]) if form.cleaned_data["substitute"] else None
        try:
            if user is None:
                raise DomainError(ErrorCode.VALIDATION, gettext("Unknown person."), field="user")
            services.record_absence(
                actor,
                user=user,
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                substitute=substitute,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, gettext("The absence is registered."))
            return redirect("accounts:absence")
    return _absence_page(request, form, status=400)


@handler_required
@require_POST
def cancel_absence_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    absence = Absence.objects.select_related("user").filter(pk=pk).first()
    if absence is None or not services.may_manage_absence(actor, absence.user):
        raise Http404("No such absence")
    try:
        services.cancel_absence(actor, absence=absence)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("The absence is cancelled."))
    return redirect("accounts:absence")
