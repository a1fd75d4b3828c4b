"""Sign-in: rate-limited per username and address; Danish by default, English per user."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from esm.accounts.models import User
from esm.accounts.services import issue_api_token, sign_in, user_for_token
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_customer_signs_in_and_lands_on_the_portal(client, customer):
    response = client.post("/accounts/login/", {"username": "lise", "password": "test-password-123"})

    assert response.status_code == 302
    assert response.wsgi_request.user == customer


def test_a_wrong_password_is_refused_with_a_clear_message(client, customer):
    response = client.post("/accounts/login/", {"username": "lise", "password": "wrong"})

    assert response.status_code == 200
    assert "Brugernavnet eller adgangskoden er forkert." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_rate_limited_even_with_the_right_password(client, customer, settings):
    settings.ESM_LOGIN_MAX_ATTEMPTS = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "lise", "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "lise", "password": "test-password-123"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_rate_limit_counts_per_address_across_usernames(customer, colleague, settings):
    settings.ESM_LOGIN_MAX_ATTEMPTS = 2
    for name in ("lise", "peter"):
        with pytest.raises(DomainError):
            sign_in(username=name, password="wrong", address="10.0.0.7")

    with pytest.raises(DomainError) as refused:
        sign_in(username="peter", password="test-password-123", address="10.0.0.7")

    assert refused.value.code == ErrorCode.RATE_LIMITED
    assert sign_in(username="peter", password="test-password-123", address="10.0.0.8") == colleague


def test_an_api_token_identifies_its_user_and_is_stored_only_as_a_digest(customer):
    token = issue_api_token(customer)

    assert user_for_token(token) == customer
    assert user_for_token(token + "x") is None
    assert not customer.api_tokens.filter(digest=token).exists()


def test_a_deactivated_users_token_stops_working(customer):
    token = issue_api_token(customer)
    User.objects.filter(pk=customer.pk).update(is_active=False)

    assert user_for_token(token) is None


def test_the_login_page_is_danish_by_default_and_english_on_request(client):
    assert 'lang="da"' in client.get("/accounts/login/").content.decode()

    response = client.post("/accounts/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()


def test_a_users_language_choice_is_remembered_on_their_account(client, customer):
    client.force_login(customer)

    client.post("/accounts/language/", {"language": "en"})

    customer.refresh_from_db()
    assert customer.language == "en"


def test_a_redirect_after_sign_in_never_leaves_the_site(client, customer):
    response = client.post(
        "/accounts/login/", {"username": "lise", "password": "test-password-123", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
