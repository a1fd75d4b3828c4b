"""Background work for e-mail; each task takes ids (or nothing) and calls one service."""

from __future__ import annotations

from celery import shared_task

from esm.mail import notify, outbound


@shared_task(acks_late=True, ignore_result=True)
def dispatch_mail() -> int:
    """Turn new case events into e-mails to send (beat, every 10 seconds)."""
    return notify.dispatch_notifications()


@shared_task(acks_late=True, ignore_result=True)
def send_mail(outbound_id: int) -> str:
    """One attempt to send one e-mail; failures are retried by `send_due_mail`, not by Celery."""
    return outbound.send_outbound(outbound_id)


@shared_task(acks_late=True, ignore_result=True)
def send_due_mail() -> int:
    """Schedule retries that are due and queued e-mails whose task got lost (beat, every minute)."""
    return outbound.send_due_messages()


@shared_task(acks_late=True, ignore_result=True)
def poll_mailboxes() -> object:
    """Fetch new mail from the configured mailboxes and store it raw."""
    from esm.mail import services

    return services.poll_mailboxes()


@shared_task(acks_late=True, ignore_result=True)
def process_pending_mail() -> object:
    """Process stored mail that has not been processed yet (opens or continues cases)."""
    from esm.mail import services

    return services.process_pending()
