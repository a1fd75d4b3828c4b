"""Human-readable numbers drawn from the database, safe under concurrency."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from esm.core.models import NumberSequence


def next_value(name: str, year: int) -> int:
    """Return the next value of the (name, year) sequence; call inside a transaction.

    The counter row is created once (a unique constraint settles a race) and then
    incremented with `UPDATE ... SET last_value = last_value + 1` under a row lock,
    so two concurrent callers never get the same value.
    """
    if not NumberSequence.objects.filter(name=name, year=year).exists():
        try:
            with transaction.atomic():
                NumberSequence.objects.create(name=name, year=year)
        except IntegrityError:
            pass  # somebody else created it first
    with transaction.atomic():
        NumberSequence.objects.filter(name=name, year=year).update(last_value=F("last_value") + 1)
        return NumberSequence.objects.select_for_update().values_list("last_value", flat=True).get(name=name, year=year)


def format_number(prefix: str, year: int, value: int) -> str:
    """`S-2026-000123`."""
    return f"{prefix}-{year}-{value:06d}"
