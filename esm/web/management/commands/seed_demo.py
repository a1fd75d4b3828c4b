"""Load the demo data once: `make run` and `make demo` call this; a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from esm.web.demo import HISTORICAL_CASES, DemoConflict, load_demo


class Command(BaseCommand):
    help = "Load the deterministic Danish demo data (once) and write var/demo-users.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument(
            "--cases", type=int, default=HISTORICAL_CASES, help="historical cases to create (default 500)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo(seed=options["seed"], historical_cases=options["cases"], progress=self.stdout.write)
        except DemoConflict as conflict:
            raise CommandError(str(conflict)) from conflict
        if not summary.created:
            self.stdout.write("Demo data already loaded — nothing changed.")
            self.stdout.write(f"Demo sign-ins: {summary.users_file} (`manage.py demo_users` prints them)")
            return
        users = summary.users
        classified = sum(summary.complexity.values()) or 1
        mix = ", ".join(f"{count / classified:.0%} {level}" for level, count in summary.complexity.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {summary.seconds:.1f} s (seed {summary.seed}):"))
        self.stdout.write(
            f"  {summary.departments} departments, {summary.institutions} institutions, {summary.buildings} buildings"
        )
        self.stdout.write(
            f"  {sum(users.values())} people: {users['customer']} customers, {users['tenant']} tenants, "
            f"{users['technician']} technicians, {users['team_lead']} team leads, "
            f"{users['administrator']} administrator"
        )
        self.stdout.write(
            f"  {summary.historical_cases + summary.live_cases} cases: {summary.historical_cases} from the last "
            f"twelve months, {summary.live_cases} from the last two weeks; complexity {mix}"
        )
        self.stdout.write(f"  {summary.events} timeline events, {summary.time_entries} handling-time entries")
        self.stdout.write(f"Demo sign-ins: {summary.users_file} (`manage.py demo_users` prints them)")
