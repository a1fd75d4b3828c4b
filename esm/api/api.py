"""The REST API under /api/v1: one NinjaAPI, one router module per domain.

Authentication: a bearer token (`POST /api/v1/auth/token`) or the session with CSRF.
Errors: always `application/problem+json` with a stable `code` (see `esm.api.problems`).
The OpenAPI schema is at /api/v1/openapi.json.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Router

from esm.accounts.api import router as accounts_router
from esm.api.auth import AUTH
from esm.api.problems import add_problem_responses, install_problem_handlers
from esm.buildings.api import router as buildings_router
from esm.cases.api import categories_router
from esm.cases.api import router as cases_router
from esm.knowledge.api import router as knowledge_router
from esm.mail.api import router as mail_router


class EsmApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return add_problem_responses(super().get_openapi_schema(*args, **kwargs))


api = EsmApi(
    title="ESM API",
    version="1",
    description="Cases, their timelines and attachments, buildings and categories of the property agency.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Swagger UI at /api/v1/docs, served from Ninja's own static files ("ninja" is an installed app).
    docs_url="/docs",
    auth=AUTH,
)
install_problem_handlers(api)

api.add_router("", accounts_router)
api.add_router("/cases", cases_router)
api.add_router("/categories", categories_router)
api.add_router("/buildings", buildings_router)
api.add_router("/mail", mail_router)
api.add_router("/knowledge", knowledge_router)

# Last: the root lists where to start; any other path is a 404 problem, not Django's HTML page.
unknown_router = Router()


@unknown_router.get("", auth=None, include_in_schema=False)
def index(request: HttpRequest) -> dict[str, str]:
    root = request.build_absolute_uri(reverse("api:api-root"))
    return {
        "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
        "token": f"{root}auth/token",
        "cases": f"{root}cases",
        "buildings": f"{root}buildings",
        "categories": f"{root}categories",
    }


@unknown_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise Http404


api.add_router("", unknown_router)
