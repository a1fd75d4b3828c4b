"""Signing in to the API: tokens, the session with CSRF, rate limiting, the user's language."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from esm.accounts.models import ApiToken, User
from esm.api.tests.helpers import API, assert_problem
from esm.cases.models import Case

PASSWORD = "test-password-123"
CASE = {"title": "Utæt tagrende", "description": "Det drypper ved indgangen.", "building": "E-1001", "category": "roof"}


def request_token(client: Client, username: str, password: str) -> Any:
    body = json.dumps({"username": username, "password": password})
    return client.post(f"{API}/auth/token", body, content_type="application/json")


def test_a_user_exchanges_username_and_password_for_a_token_that_opens_the_api(client, customer):
    response = request_token(client, "lise", PASSWORD)

    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.filter(user=customer).count() == 1
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "lise"
    assert me.json()["organisation"] == "Vesterbro Ny Skole"


def test_a_wrong_password_is_an_invalid_credentials_problem_and_gives_no_token(client, customer):
    response = request_token(client, "lise", "not-the-password")

    assert_problem(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_token_requests_are_rate_limited_even_with_the_right_password(client, customer, settings):
    settings.ESM_LOGIN_MAX_ATTEMPTS = 3
    for _attempt in range(3):
        assert_problem(request_token(client, "lise", "guess"), 401, "invalid_credentials")

    response = request_token(client, "lise", PASSWORD)

    assert_problem(response, 429, "rate_limited")
    assert not ApiToken.objects.exists()


def test_a_malformed_token_request_is_a_problem_not_a_crash(client, customer):
    lone_surrogate = json.dumps({"username": "lise", "password": "\ud800"})
    for body in (b"{", b"", b"[]", b'{"username": 5, "password": null}', lone_surrogate.encode()):
        response = client.post(f"{API}/auth/token", body, content_type="application/json")
        assert 400 <= response.status_code < 500
        assert response["Content-Type"] == "application/problem+json"
    with_nul = json.dumps({"username": "li\x00se", "password": "wrong"})
    response = client.post(f"{API}/auth/token", with_nul, content_type="application/json")
    assert_problem(response, 401, "invalid_credentials")


def test_a_request_without_credentials_is_refused_with_a_401_problem_and_writes_nothing(client, building, categories):
    assert_problem(client.get(f"{API}/cases"), 401, "not_authenticated")
    response = client.post(f"{API}/cases", json.dumps(CASE), content_type="application/json")

    body = assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in body["detail"]
    assert not Case.objects.exists()


def test_an_unknown_or_expired_token_is_refused(client, customer):
    assert_problem(client.get(f"{API}/cases", headers={"Authorization": "Bearer nonsense"}), 401, "not_authenticated")
    assert_problem(
        client.get(f"{API}/cases", headers={"Authorization": "Bearer " + "x" * 5000}), 401, "not_authenticated"
    )
    assert_problem(client.get(f"{API}/cases", headers={"Authorization": "Basic bGlzZTp4"}), 401, "not_authenticated")
    token = request_token(client, "lise", PASSWORD).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(f"{API}/cases", headers={"Authorization": f"Bearer {token}"})

    assert_problem(response, 401, "not_authenticated")


def test_a_deactivated_users_token_stops_working(client, customer):
    token = request_token(client, "lise", PASSWORD).json()["token"]
    User.objects.filter(pk=customer.pk).update(is_active=False)

    assert_problem(client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}), 401, "not_authenticated")


def test_the_session_reads_freely_but_writes_only_with_the_csrf_token(customer, building, categories):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    assert browser.get(f"{API}/cases").status_code == 200

    refused = browser.post(f"{API}/cases", json.dumps(CASE), content_type="application/json")

    assert_problem(refused, 403, "csrf_failed")
    assert not Case.objects.exists()
    browser.get("/accounts/login/")  # any page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"{API}/cases", json.dumps(CASE), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    assert Case.objects.get().reporter == customer


def test_a_bearer_token_needs_no_csrf_token(client, customer, building, categories):
    token = request_token(client, "lise", PASSWORD).json()["token"]
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        f"{API}/cases", json.dumps(CASE), content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201


def test_answers_come_in_the_users_own_language(api_as, customer, categories):
    assert api_as(customer).get("/categories").json()[0]["name"] == "Glas og ruder"
    User.objects.filter(pk=customer.pk).update(language="en")
    customer.refresh_from_db()

    english = api_as(customer).get("/categories").json()

    assert english[0] == {
        "code": "glass",
        "name": "Glass and windows",
        "name_da": "Glas og ruder",
        "name_en": "Glass and windows",
        "parent": None,
    }
