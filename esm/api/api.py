"""The REST API under /api/v1: one NinjaAPI, one router module per domain."""

from ninja import NinjaAPI

api = NinjaAPI(title="ESM API", version="1", urls_namespace="api", openapi_url="/openapi.json")
