"""Every error is an application/problem+json body with a stable code, even off the map."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from esm.api.tests.helpers import API, assert_problem
from esm.cases.models import Case


def test_an_unknown_path_under_the_api_is_a_404_problem(api_as, customer, client):
    assert_problem(api_as(customer).get("/nowhere"), 404, "not_found")
    assert_problem(api_as(customer).post("/cases/S-2026-000001/escalate", {}), 404, "not_found")
    assert_problem(client.get(f"{API}/cases/"), 404, "not_found")


def test_the_api_root_points_to_the_schema(client):
    response = client.get(f"{API}/")

    assert response.status_code == 200
    assert response.json()["openapi"] == "http://testserver/api/v1/openapi.json"


def test_a_body_over_the_size_limit_is_a_413_problem(api_as, customer, building, categories, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"title": "Stor", "description": "x" * 20_000, "building": "E-1001", "category": "glass"}

    response = api_as(customer).post("/cases", body)

    assert_problem(response, 413, "request_too_large")
    assert not Case.objects.exists()


def test_too_many_files_at_once_is_a_problem_and_writes_nothing(api_as, customer, make_case, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    case = make_case()
    files = [SimpleUploadedFile(f"{i}.txt", b"hello") for i in range(4)]

    response = api_as(customer).upload(f"/cases/{case.number}/attachments", files)

    assert_problem(response, 400, "validation_error")
    assert not case.attachments.exists()


def test_a_domain_error_keeps_its_code_status_and_field_errors(api_as, customer, building, categories):
    body = {"title": "Rude", "description": "Knust", "building": "E-1001", "category": "glass", "priority": "normal"}
    response = api_as(customer).post("/cases", {**body, "building": "E-9999"})

    problem = assert_problem(response, 400, "unknown_building")
    assert problem["errors"] == {"building": [problem["detail"]]}


def test_a_wrong_method_is_answered_with_a_problem_body(client):
    response = client.put("/api/v1/auth/token", "{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "method_not_allowed"
