"""Every message in the corpus parses to the outcome its manifest (data/expected.json) asserts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from esm.mail.parsing import MessageKind, UnparseableMessage, case_numbers_in, parse_message
from esm.mail.quoting import split_quoted

DATA = Path(__file__).parent / "data"
EXPECTED: dict[str, dict[str, Any]] = json.loads((DATA / "expected.json").read_text("utf-8"))
FILES = sorted(path.name for path in DATA.glob("*.eml"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_corpus_is_large_and_every_message_has_an_expectation() -> None:
    assert len(FILES) >= 60
    assert sorted(EXPECTED) == FILES


def test_the_corpus_covers_every_kind_and_every_ingest_outcome() -> None:
    assert {entry.get("kind") for entry in EXPECTED.values()} >= set(MessageKind)
    assert {entry["ingest"] for entry in EXPECTED.values()} == {"created", "ignored", "quarantined"}


def expected_ingest(name: str) -> str:
    """The rule the ingestion service follows, derived from the parse: written here so the manifest can be checked."""
    try:
        parsed = parse_message((DATA / name).read_bytes())
    except UnparseableMessage:
        return "quarantined"
    if parsed.kind is not MessageKind.NORMAL:
        return "ignored"
    return "created" if parsed.from_address else "quarantined"


@pytest.mark.parametrize("name", FILES)
def test_corpus_message_parses_as_expected(name: str) -> None:
    expect = EXPECTED[name]
    raw = (DATA / name).read_bytes()
    if expect.get("unparseable"):
        with pytest.raises(UnparseableMessage):
            parse_message(raw)
        assert expect["ingest"] == "quarantined"
        return

    parsed = parse_message(raw)
    new_part = split_quoted(parsed.text)[0]
    checks: dict[str, Any] = {
        "kind": lambda v: parsed.kind == v,
        "kind_reason_contains": lambda v: v.lower() in parsed.kind_reason.lower(),
        "from": lambda v: parsed.from_address == v,
        "from_name": lambda v: parsed.from_name == v,
        "subject": lambda v: parsed.subject == v,
        "subject_contains": lambda v: all(part in parsed.subject for part in _list(v)),
        "subject_excludes": lambda v: not any(part in parsed.subject for part in _list(v)),
        "case_numbers": lambda v: case_numbers_in(parsed.subject) == v,
        "message_id": lambda v: parsed.message_id == v,
        "in_reply_to": lambda v: bool(parsed.in_reply_to) == v,
        "references": lambda v: len(parsed.references) == v,
        "date": lambda v: parsed.date == datetime.fromisoformat(v),
        "date_is_none": lambda v: (parsed.date is None) == v,
        "text": lambda v: parsed.text == v,
        "text_contains": lambda v: all(part in parsed.text for part in _list(v)),
        "text_excludes": lambda v: not any(part in parsed.text for part in _list(v)),
        "new_part_contains": lambda v: all(part in new_part for part in _list(v)),
        "new_part_excludes": lambda v: not any(part in new_part for part in _list(v)),
        "html_contains": lambda v: all(part in parsed.html for part in _list(v)),
        "html_excludes": lambda v: not any(part.lower() in parsed.html.lower() for part in _list(v)),
        "html_empty": lambda v: (parsed.html == "") == v,
        "attachments": lambda v: len(parsed.attachments) == v,
        "attachment_names": lambda v: [a.filename for a in parsed.attachments] == v,
        "inline_attachments": lambda v: sum(a.inline for a in parsed.attachments) == v,
        "tnef_attachments": lambda v: sum(a.from_tnef for a in parsed.attachments) == v,
        "message_attachments": lambda v: sum(a.is_message for a in parsed.attachments) == v,
        "min_attachment_bytes": lambda v: min(len(a.data) for a in parsed.attachments) >= v,
        "bounced_message_ids": lambda v: list(parsed.bounced_message_ids) == v,
        "bounced_recipients": lambda v: list(parsed.bounced_recipients) == v,
        "defects": lambda v: bool(parsed.defects) == v,
        "to_count": lambda v: len(parsed.to) == v,
        "cc_count": lambda v: len(parsed.cc) == v,
        "reply_to": lambda v: list(parsed.reply_to) == v,
        "auto_response_suppress": lambda v: parsed.auto_response_suppress == v,
        "ingest": lambda v: expected_ingest(name) == v,
    }
    unknown = set(expect) - set(checks) - {"unparseable"}
    assert not unknown, f"unknown manifest keys {unknown}"
    failures = [f"{key}: expected {value!r}" for key, value in expect.items() if not checks[key](value)]
    assert not failures, f"{name}: {failures}\nparsed: {parsed!r}"
