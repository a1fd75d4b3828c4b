"""Answers the API framework produces itself (a wrong method) as problem bodies too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from esm.api.problems import PROBLEM_CONTENT_TYPE, problem

API_PREFIX = "/api/"


class MethodNotAllowedProblemMiddleware:
    """A 405 under /api/ becomes `application/problem+json` with code `method_not_allowed`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        ):
            allowed = response.get("Allow", "")
            detail = _("This address does not take %(method)s.") % {"method": request.method}
            return problem(405, "method_not_allowed", detail, headers={"Allow": allowed} if allowed else None)
        return response
