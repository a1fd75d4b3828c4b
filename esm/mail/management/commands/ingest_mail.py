"""`manage.py ingest_mail FILE...`: ingest .eml files and mbox files, one line per message and a summary."""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from esm.mail.services import ingest_raw


def messages_in(path: Path) -> Iterator[tuple[str, bytes]]:
    """(reference, raw bytes) of every message in an .eml file (one) or an mbox file (any number)."""
    with path.open("rb") as handle:
        start = handle.read(5)
    if start == b"From ":
        box = mailbox.mbox(str(path), create=False)
        try:
            for index, key in enumerate(box.keys(), start=1):
                yield f"{path.name}#{index}", box.get_bytes(key)
        finally:
            box.close()
    else:
        yield path.name, path.read_bytes()


class Command(BaseCommand):
    help = "Ingest received e-mail from .eml and mbox files (each message is stored, then opens or continues a case)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes: Counter[str] = Counter()
        unreadable = []
        for path in options["files"]:
            try:
                for ref, raw in messages_in(path):
                    result = ingest_raw(raw, source="file", source_ref=ref)
                    outcomes[result.outcome] += 1
                    line = f"{ref}: {result.outcome} {result.case_number or '-'}"
                    if result.reason and result.outcome in ("quarantined", "ignored"):
                        line += f" ({result.reason})"
                    self.stdout.write(line)
            except OSError as error:
                unreadable.append(str(path))
                self.stderr.write(f"{path}: cannot be read: {error.strerror or error}")
        total = sum(outcomes.values())
        parts = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"{total} message(s): {parts or 'none'}")
        if unreadable:
            raise CommandError(f"{len(unreadable)} file(s) could not be read")
