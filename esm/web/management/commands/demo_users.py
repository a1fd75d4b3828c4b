"""Print the demo sign-ins (one or two per role) from var/demo-users.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

HEADING = "Demo sign-ins (demo only — never use these passwords in production)"
ROLES = ["customer", "tenant", "technician", "team_lead", "administrator"]
PER_ROLE = {"customer": 2, "tenant": 2, "technician": 2, "team_lead": 2, "administrator": 1}


class Command(BaseCommand):
    help = "Print the demo sign-ins per role from var/demo-users.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="print every demo user, not one or two per role")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(settings.VAR_DIR) / "demo-users.json"
        try:
            users = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.stdout.write(f"No demo sign-ins yet: {path} is missing.")
            self.stdout.write("Create them with `make run` (or `make demo`, or `python manage.py seed_demo`).")
            return
        except (OSError, ValueError) as error:
            self.stderr.write(f"Cannot read {path}: {error}")
            self.stdout.write("Delete it and run `python manage.py seed_demo` to write it again.")
            return
        shown = [
            user
            for role in ROLES
            for user in [u for u in users if u.get("role") == role][: None if options["all"] else PER_ROLE[role]]
        ]
        header = ("role", "username", "password", "organisation")
        rows = [(u["role"], u["username"], u["password"], u.get("organisation") or "—") for u in shown]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

        def line(row: tuple[str, ...]) -> str:
            return "  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(HEADING)
        self.stdout.write("")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        if not options["all"]:
            self.stdout.write(f"All {len(users)} demo users: {path} (or `python manage.py demo_users --all`)")
        self.stdout.write("")
