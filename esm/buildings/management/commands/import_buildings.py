"""`manage.py import_buildings FILE [--mapping NAME] [--dry-run]`: import buildings now, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from esm.buildings import imports
from esm.buildings.models import ImportMapping, ImportState
from esm.core.errors import DomainError

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "Import buildings from a CSV, XLSX or JSON file through a column mapping (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", default="standard", help="the column mapping's name (default: standard)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        imports.ensure_builtin_mappings()
        mapping = ImportMapping.objects.filter(name=options["mapping"]).first()
        if mapping is None:
            names = ", ".join(ImportMapping.objects.values_list("name", flat=True))
            raise CommandError(f"No mapping named {options['mapping']!r}. Mappings: {names}")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        try:
            run = imports.create_run(
                None, content=content, filename=path.name, mapping=mapping, dry_run=options["dry_run"]
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        bar = ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        run = imports.execute_import(run.pk, progress=bar)
        bar.close()
        self._summary(run)
        if run.state == ImportState.FAILED or run.error_count:
            raise CommandError(f"{run.error_count} rows have errors; nothing was written.", returncode=1)

    def _summary(self, run: Any) -> None:
        verb = "would be " if run.dry_run else ""
        for error in run.errors[:SHOWN_ERRORS]:
            where = f"row {error['row']}" if error["row"] else "file"
            field = f" [{error['field']}]" if error["field"] else ""
            self.stderr.write(f"{where}{field}: {error['message']}")
        if len(run.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… and {len(run.errors) - SHOWN_ERRORS} more errors (see the run in the desk)")
        kind = "Dry run" if run.dry_run else "Import"
        self.stdout.write(
            f"{kind} of {run.filename} ({run.mapping_name}): {run.get_state_display()}. "
            f"{run.total_rows} rows: {run.created_count} {verb}created, {run.updated_count} {verb}changed, "
            f"{run.unchanged_count} unchanged, {run.error_count} with errors. Run {run.key}."
        )


class ProgressBar:
    """A one-line bar on a terminal; nothing when stderr is not a terminal."""

    def __init__(self, stream: Any, width: int = 40) -> None:
        self.stream = stream
        self.width = width
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        filled = self.width * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} rows")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
