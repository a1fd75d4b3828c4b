"""Background work for buildings; each task takes ids and calls a service."""

from __future__ import annotations

from celery import shared_task

from esm.buildings import imports, register


@shared_task(acks_late=True)
def run_import(run_pk: int) -> str:
    """Do a queued building import (or dry run); its state, counts, errors and log end on the run."""
    return str(imports.execute_import(run_pk).state)


@shared_task(acks_late=True)
def fail_stalled_imports() -> int:
    """Mark imports whose worker died as failed, so nobody waits on them (scheduled hourly)."""
    return imports.fail_stalled_runs()


@shared_task(acks_late=True)
def refresh_stale_buildings() -> int:
    """Refresh one batch of buildings whose register facts are older than the configured age (scheduled)."""
    run = register.refresh_stale_buildings()
    return run.total_rows if run else 0
