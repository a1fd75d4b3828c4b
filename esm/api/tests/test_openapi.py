"""The OpenAPI schema: loads, is well-formed, lists every path and describes bearer auth."""

from __future__ import annotations

from typing import Any, get_args

from esm.cases import queries
from esm.cases.api import QueueName, SortName

EXPECTED = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/absences": {"get", "post"},
    "/api/v1/absences/{absence_id}": {"delete"},
    "/api/v1/knowledge/suggestions": {"get"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{number}": {"get", "patch"},
    "/api/v1/cases/{number}/actions": {"get", "post"},
    "/api/v1/cases/{number}/timeline": {"get", "post"},
    "/api/v1/cases/{number}/attachments": {"get", "post"},
    "/api/v1/cases/{number}/attachments/{key}": {"get"},
    "/api/v1/buildings": {"get"},
    "/api/v1/buildings/{property_number}": {"get"},
    "/api/v1/categories": {"get"},
    "/api/v1/cases/{number}/watchers": {"get", "post"},
    "/api/v1/cases/{number}/watchers/{username}": {"delete"},
    "/api/v1/mail/inbound": {"post"},
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []


def resolve(schema: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = schema
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_openapi_schema_loads_and_lists_every_path(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] and schema["info"]["version"]
    assert {path: set(operations) & METHODS for path, operations in schema["paths"].items()} == EXPECTED


def test_the_openapi_schema_is_well_formed(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation_ids = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert method in METHODS
            operation_ids.append(operation["operationId"])
            assert operation["responses"], (path, method)
            for status in operation["responses"]:
                assert status in {"4XX", "5XX"} or 100 <= int(status) < 600
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in {"query", "path", "header", "cookie"}
                if parameter["in"] == "path":
                    assert parameter["required"] is True
                    assert "{" + parameter["name"] + "}" in path
    assert len(operation_ids) == len(set(operation_ids))
    for ref in refs(schema):
        assert resolve(schema, ref) is not None


def test_the_openapi_schema_describes_bearer_auth_and_problem_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]

    bearer = [name for name, scheme in schemes.items() if scheme == {"type": "http", "scheme": "bearer"}]
    assert bearer
    cases = schema["paths"]["/api/v1/cases"]["post"]
    assert {bearer[0]: []} in cases["security"]
    assert "security" not in schema["paths"]["/api/v1/auth/token"]["post"]
    problem = cases["responses"]["4XX"]["content"]["application/problem+json"]["schema"]
    assert resolve(schema, problem["$ref"])["required"] == ["type", "title", "status", "detail", "code"]
    assert set(cases["responses"]) >= {"201", "4XX"}


def test_the_api_offers_exactly_the_queues_and_sorts_of_the_desk():
    assert set(get_args(QueueName)) == set(queries.QUEUES)
    assert set(get_args(SortName)) == set(queries.SORTS)


def test_the_interactive_api_documentation_uses_no_cdn(client, technician):
    client.force_login(technician)
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page
