"""Background work for cases; each task takes ids and calls a service."""

from __future__ import annotations

from celery import shared_task

from esm.cases import services


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def recompute_sla(self: object, priority: str | None = None) -> int:
    """Recompute the SLA clocks of open cases after targets or opening hours changed."""
    return services.recompute_open_cases(priority=priority)


@shared_task(acks_late=True)
def close_resolved_cases() -> int:
    """Close resolved cases whose reopen window has passed (scheduled hourly)."""
    return services.auto_close_resolved_cases()


@shared_task(acks_late=True)
def generate_maintenance_cases() -> int:
    """Open the cases of planned maintenance that falls due within its lead time (scheduled hourly; idempotent)."""
    from esm.cases import maintenance

    return maintenance.generate_due_cases()
