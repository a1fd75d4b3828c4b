"""Human-readable numbers drawn from the database, safe under concurrency."""

from __future__ import annotations

from django.db import connection

from esm.core.models import NumberSequence


def next_value(name: str, year: int) -> int:
    """Return the next value of the (name, year) sequence, in one statement.

    `INSERT … ON CONFLICT DO UPDATE … RETURNING` creates the counter row or increments
    it under the row's lock, so concurrent callers never get the same value; within the
    caller's transaction the value is given back if that transaction rolls back.
    """
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, year, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (name, year) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [name, year],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def format_number(prefix: str, year: int, value: int) -> str:
    """`S-2026-000123`."""
    return f"{prefix}-{year}-{value:06d}"
