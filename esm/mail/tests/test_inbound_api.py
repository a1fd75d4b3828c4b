"""A mail gateway hands over raw messages: POST /api/v1/mail/inbound, administrators only, clear answers."""

from __future__ import annotations

from typing import Any

import pytest

from esm.accounts.models import User
from esm.api.tests.helpers import API, ApiCaller, assert_problem
from esm.cases.models import Case
from esm.mail.models import InboundMessage, InboundState
from esm.mail.tests.conftest import make_mail

pytestmark = pytest.mark.django_db

RFC822 = "message/rfc822"


@pytest.fixture
def api_as(client: Any) -> Any:
    """`api_as(user)`: the API as this persona, with a fresh bearer token."""
    return lambda user: ApiCaller(client, user)


def hand_over(caller: ApiCaller, raw: bytes, content_type: str = RFC822) -> Any:
    return caller.post_raw("/mail/inbound", raw, content_type)


def test_an_administrator_hands_over_a_message_and_learns_its_case(
    mail_setup: User, administrator: User, api_as: Any
) -> None:
    gateway = api_as(administrator)
    raw = make_mail(message_id="<gateway-1@skole.kk.dk>")

    answer = hand_over(gateway, raw)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["outcome"] == "created"
    case = Case.objects.get(number=body["case"])
    assert case.reporter == mail_setup
    stored = InboundMessage.objects.get()
    assert (stored.source, bytes(stored.raw)) == ("api", raw)

    again = hand_over(gateway, raw)
    assert again.json() == {"outcome": "duplicate", "case": case.number}
    assert Case.objects.count() == 1


def test_the_answer_says_threaded_ignored_or_quarantined(mail_setup: User, administrator: User, api_as: Any) -> None:
    gateway = api_as(administrator)
    created = hand_over(gateway, make_mail()).json()
    reply = make_mail(subject=f"SV: [{created['case']}] Knust rude")
    assert hand_over(gateway, reply).json() == {"outcome": "threaded", "case": created["case"]}
    auto = make_mail(subject="Fraværende", headers={"Auto-Submitted": "auto-replied"})
    assert hand_over(gateway, auto).json() == {"outcome": "ignored", "case": None}
    assert hand_over(gateway, b"\x00\x01\x02 not mail at all").json() == {"outcome": "quarantined", "case": None}


@pytest.mark.parametrize("persona", ["technician", "team_lead", "customer", "tenant"])
def test_only_administrators_may_hand_over_mail(
    mail_setup: User, persona: str, request: pytest.FixtureRequest, api_as: Any
) -> None:
    user = request.getfixturevalue(persona)
    assert_problem(hand_over(api_as(user), make_mail()), 403, "permission_denied")
    assert not InboundMessage.objects.exists()


def test_without_credentials_the_answer_is_401(mail_setup: User, client: Any) -> None:
    answer = client.post(f"{API}/mail/inbound", make_mail(), content_type=RFC822)
    assert_problem(answer, 401, "not_authenticated")
    assert not InboundMessage.objects.exists()


def test_another_content_type_is_refused(mail_setup: User, administrator: User, api_as: Any) -> None:
    assert_problem(hand_over(api_as(administrator), make_mail(), "application/json"), 415, "unsupported_media_type")
    assert_problem(hand_over(api_as(administrator), make_mail(), "text/plain"), 415, "unsupported_media_type")
    assert not InboundMessage.objects.exists()


def test_an_empty_body_is_refused(mail_setup: User, administrator: User, api_as: Any) -> None:
    body = assert_problem(hand_over(api_as(administrator), b""), 400, "validation_error")
    assert "body" in body["errors"]


def test_large_messages_are_stored_and_held_and_gigantic_ones_refused(
    mail_setup: User, administrator: User, api_as: Any, settings: Any
) -> None:
    settings.ESM_MAIL_MAX_BYTES = 20_000  # the API takes up to twice this
    gateway = api_as(administrator)

    large = hand_over(gateway, make_mail(body="x" * 30_000))
    assert large.json() == {"outcome": "quarantined", "case": None}
    assert InboundMessage.objects.get().state == InboundState.QUARANTINED

    assert_problem(hand_over(gateway, make_mail(body="x" * 50_000)), 413, "message_too_large")
    assert InboundMessage.objects.count() == 1


def test_a_message_bigger_than_djangos_form_limit_is_taken(
    mail_setup: User, administrator: User, api_as: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000  # the gateway's message is not a form: this limit does not apply
    answer = hand_over(api_as(administrator), make_mail(body="Lang tekst. " * 500))
    assert answer.json()["outcome"] == "created"


def test_the_endpoint_is_in_the_openapi_schema(client: Any) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    operation = schema["paths"]["/api/v1/mail/inbound"]["post"]
    assert RFC822 in operation["requestBody"]["content"]
