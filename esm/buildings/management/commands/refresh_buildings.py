"""`manage.py refresh_buildings [PROPERTY_NUMBER …]`: fetch facts from the register now (default: the stale ones)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from esm.buildings import register
from esm.buildings.models import Building
from esm.core.errors import DomainError


class Command(BaseCommand):
    help = "Refresh buildings' facts from the building register: the named ones, or one batch of stale ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("property_numbers", nargs="*")
        parser.add_argument("--max-age-days", type=int, default=None, help="stale after this many days")
        parser.add_argument("--limit", type=int, default=None, help="at most this many stale buildings")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers: list[str] = options["property_numbers"]
        if not numbers:
            run = register.refresh_stale_buildings(max_age_days=options["max_age_days"], limit=options["limit"])
            if run is None:
                self.stdout.write("No building's facts are stale.")
                return
            for error in run.errors:
                self.stderr.write(f"{error['key']}: {error['message']}")
            self.stdout.write(
                f"{run.total_rows} buildings: {run.updated_count} changed, {run.unchanged_count} unchanged, "
                f"{run.error_count} errors. Run {run.key}."
            )
            if run.error_count:
                raise CommandError(f"{run.error_count} buildings could not be refreshed.", returncode=1)
            return
        failed = 0
        for number in numbers:
            building = Building.objects.filter(property_number=number).first()
            if building is None:
                self.stderr.write(f"{number}: no such building")
                failed += 1
                continue
            try:
                changed = register.refresh_from_register(building)
            except DomainError as error:
                self.stderr.write(f"{number}: {error.message}")
                failed += 1
                continue
            self.stdout.write(f"{number}: {', '.join(changed) if changed else 'unchanged'}")
        if failed:
            raise CommandError(f"{failed} buildings could not be refreshed.", returncode=1)
