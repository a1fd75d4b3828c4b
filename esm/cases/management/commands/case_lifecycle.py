"""Print the case lifecycle table as a Mermaid state diagram (or as a plain table)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from esm.cases.lifecycle import TRANSITIONS, always, diagram


class Command(BaseCommand):
    help = "Print the case lifecycle as a Mermaid state diagram (--table for a plain table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", action="store_true", help="print the rows as a table instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["table"]:
            self.stdout.write(diagram())
            return
        self.stdout.write(f"{'action':<20} {'from':<58} {'to':<18} {'who':<20} guard")
        for t in TRANSITIONS:
            sources = ",".join(sorted(t.sources))
            guard = "" if t.guard is always else t.guard.__name__
            self.stdout.write(f"{t.action:<20} {sources:<58} {t.target:<18} {t.who.__name__:<20} {guard}")
