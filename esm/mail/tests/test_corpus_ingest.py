"""Every message of the real-world corpus (data/*.eml) ingests to the outcome its manifest names, and only once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from esm.accounts.models import Role, User
from esm.cases.models import Case, EventKind
from esm.mail.models import InboundMessage, InboundState
from esm.mail.services import ingest_raw

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
MANIFEST = DATA / "expected.json"
EXPECTED: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text("utf-8")) if MANIFEST.exists() else {}
FILES = sorted(EXPECTED)
KNOWN_SENDER = "lise.hansen@skole.kk.dk"


@pytest.fixture
def known_customer(mail_setup: User) -> User:
    """Lise's address in the corpus is known; every other sender is new and becomes a private tenant."""
    mail_setup.email = KNOWN_SENDER
    mail_setup.save(update_fields=["email"])
    return mail_setup


@pytest.mark.parametrize("name", FILES)
def test_corpus_message_ingests_as_its_manifest_says(name: str, known_customer: User) -> None:
    expect = EXPECTED[name]
    raw = (DATA / name).read_bytes()

    result = ingest_raw(raw, source="file", source_ref=name)

    assert result.outcome == expect["ingest"], result.reason
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert bytes(stored.raw) == raw
    assert stored.state == expect["ingest"]
    if result.outcome == "created":
        case = Case.objects.get(number=result.case_number)
        event = case.events.get(kind=EventKind.CREATED)
        assert event.payload["email"]["inbound_id"] == stored.pk
        if expect.get("from") == KNOWN_SENDER:
            assert case.reporter == known_customer
        else:
            assert case.reporter.role in (Role.TENANT, Role.CUSTOMER)
    else:
        assert result.case_number is None
        assert stored.reason
    assert ingest_raw(raw, source="file", source_ref=name).outcome == "duplicate"


def test_the_whole_corpus_through_one_mailbox_twice_makes_no_second_case(known_customer: User) -> None:
    if not FILES:
        pytest.skip("the corpus has no manifest yet")
    first = {name: ingest_raw((DATA / name).read_bytes(), source="file", source_ref=name) for name in FILES}
    for name, result in first.items():
        assert result.outcome in (EXPECTED[name]["ingest"], "threaded"), name  # later mail may answer earlier mail
    cases = Case.objects.count()
    assert cases == sum(1 for result in first.values() if result.outcome == "created")
    assert not InboundMessage.objects.filter(state=InboundState.RECEIVED).exists()

    second = {name: ingest_raw((DATA / name).read_bytes(), source="file", source_ref=name) for name in FILES}

    assert {result.outcome for result in second.values()} == {"duplicate"}
    assert Case.objects.count() == cases
