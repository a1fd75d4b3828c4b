"""Import 10,000 buildings from a CSV file and measure it (target: under 60 seconds).

    .venv/bin/python bench/buildings.py [--rows 10000] [--database-url postgres://postgres@127.0.0.1:5432/esm_bench]
        [--keep] [--seed 2026]

Uses the configured database (DATABASE_URL, else the SQLite file under var/; it must be migrated),
or --database-url (a PostgreSQL database is created if missing and migrated). Then:

1. writes a CSV file in the standard layout (docs/building-import.md) with N buildings numbered
   BENCH-00001 …, Danish names and addresses, BBR ids, facts and institutions;
2. imports it for real (every row a new building), then again (every row unchanged), then a file
   with every tenth row changed, and a dry run of that file — each through the same code the
   worker and `manage.py import_buildings` run;
3. prints rows per second and elapsed time for each, and deletes the BENCH buildings, their
   organisations and the runs unless --keep.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
PREFIX = "BENCH-"
HEADER = [
    "Ejendomsnr", "BBR-id", "Navn", "Vejnavn", "Husnr", "Etage", "Dør", "Postnr", "By", "Opførelsesår",
    "Bruttoareal", "Anvendelseskode", "Bredde", "Længde", "Afdeling", "Institutioner",
]  # fmt: skip
STREETS = [
    ("Absalonsgade", "1658", "København V"), ("Tagensvej", "2200", "København N"),
    ("Jagtvej", "2200", "København N"), ("Østerbrogade", "2100", "København Ø"),
    ("Amagerbrogade", "2300", "København S"), ("Valby Langgade", "2500", "Valby"),
    ("Frederikssundsvej", "2400", "København NV"), ("Sønder Boulevard", "1720", "København V"),
    ("Ålholmvej", "2500", "Valby"), ("Strandvejen", "2100", "København Ø"), ("Gammel Køge Landevej", "2500", "Valby"),
]  # fmt: skip
KINDS = [("Skole", "421"), ("Børnehuset", "441"), ("Bibliotek", "413"), ("Idrætshal", "533"), ("Plejecenter", "449")]
PLACES = ["Vesterbro", "Nørrebro", "Østerbro", "Amager", "Valby", "Vanløse", "Brønshøj", "Sundby", "Sydhavn", "Ørestad"]


def setup_django(url: str | None) -> None:
    if url:
        os.environ["DATABASE_URL"] = url
        if url.startswith("postgres"):
            create_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esm.settings")
    os.environ.setdefault("ESM_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if url:
        call_command("migrate", verbosity=0)  # a bench database of its own
    elif MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
        raise SystemExit("The configured database is not migrated: run `make setup` (or pass --database-url).")


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))


def organisations() -> tuple[str, list[str]]:
    from esm.accounts.models import Organisation, OrganisationKind

    department, _created = Organisation.objects.get_or_create(
        code="bench-forvaltning", defaults={"name": "Bench-forvaltningen", "kind": OrganisationKind.DEPARTMENT}
    )
    codes = []
    for number in range(1, 51):
        code = f"bench-institution-{number:02d}"
        Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Bench-institution {number}",
                "kind": OrganisationKind.INSTITUTION,
                "parent": department,
            },
        )
        codes.append(code)
    return department.code, codes


def rows(count: int, seed: int, department: str, institutions: list[str]) -> list[list[str]]:
    rng = random.Random(seed)
    result = []
    for number in range(1, count + 1):
        street, postcode, city = rng.choice(STREETS)
        kind, use_code = rng.choice(KINDS)
        place = rng.choice(PLACES)
        result.append(
            [
                f"{PREFIX}{number:05d}",
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                f"{place} {kind} {number}" if kind != "Børnehuset" else f"{kind} {place} {number}",
                street,
                str(rng.randint(1, 250)),
                rng.choice(["", "", "st.", "1.", "2."]),
                rng.choice(["", "", "tv.", "th."]),
                postcode,
                city,
                str(rng.randint(1850, 2024)),
                f"{rng.randint(200, 12000):,}".replace(",", "."),
                use_code,
                f"{rng.uniform(55.61, 55.73):.6f}".replace(".", ","),
                f"{rng.uniform(12.45, 12.65):.6f}".replace(".", ","),
                department,
                ";".join(sorted(rng.sample(institutions, rng.randint(1, 2)))),
            ]
        )
    return result


def as_csv(table: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def measure(label: str, content: bytes, *, dry_run: bool = False) -> tuple[Any, float]:
    from esm.buildings.imports import create_run, execute_import
    from esm.buildings.models import ImportMapping

    run = create_run(
        None,
        content=content,
        filename=f"bench-{label}.csv",
        mapping=ImportMapping.objects.get(name="standard"),
        dry_run=dry_run,
    )
    started = time.perf_counter()
    run = execute_import(run.pk)
    elapsed = time.perf_counter() - started
    if run.state != "done" or run.error_count:
        raise SystemExit(f"{label}: the import did not succeed: {run.state}, {run.errors[:3]}")
    rate = run.total_rows / elapsed if elapsed else 0.0
    print(
        f"{label:<26} {run.total_rows:>6} rows {elapsed:7.2f} s {rate:9.0f} rows/s   "
        f"created {run.created_count}, changed {run.updated_count}, unchanged {run.unchanged_count}"
    )
    return run, elapsed


def clean_up() -> None:
    from esm.accounts.models import Organisation
    from esm.buildings.models import Building, ImportRun

    Building.objects.filter(property_number__startswith=PREFIX).delete()
    for run in ImportRun.objects.filter(filename__startswith="bench-"):
        run.file.delete(save=False)
        run.delete()
    Organisation.objects.filter(code__startswith="bench-institution-").delete()
    Organisation.objects.filter(code="bench-forvaltning").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the BENCH buildings afterwards")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.db import connection

    from esm.buildings.imports import ensure_builtin_mappings
    from esm.buildings.models import Building

    ensure_builtin_mappings()
    clean_up()
    department, institutions = organisations()
    table = rows(args.rows, args.seed, department, institutions)
    first = as_csv(table)
    changed = [list(row) for row in table]
    for row in changed[::10]:
        row[2] += " (ombygget)"
        row[9] = str(int(row[9]) + 1)
    second = as_csv(changed)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; file {len(first) / 1e6:.1f} MB")
    try:
        _run, elapsed = measure("import (all new)", first)
        measure("import again (unchanged)", first)
        measure("import (every 10th changed)", second)
        measure("dry run (nothing to do)", second, dry_run=True)
        assert Building.objects.filter(property_number__startswith=PREFIX).count() == args.rows
        verdict = "OK" if elapsed < TARGET_SECONDS else "TOO SLOW"
        print(f"{args.rows} new buildings in {elapsed:.1f} s (target < {TARGET_SECONDS:.0f} s): {verdict}")
    finally:
        if not args.keep:
            clean_up()


if __name__ == "__main__":
    main()
