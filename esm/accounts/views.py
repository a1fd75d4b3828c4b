"""Sign-in (rate-limited), sign-out and the language switch."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from esm.accounts import services
from esm.core.errors import DomainError


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
