"""Who may open a page: the guard every desk view shares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def handler_required(view: View) -> View:
    """Signed-in technicians, team leads and administrators only; anyone else gets a 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_handler", False):
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return login_required(wrapped)
