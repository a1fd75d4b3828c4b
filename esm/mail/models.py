"""E-mail in and out: every raw message received, every message we send, and what threads mail onto cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Stored, not yet processed")
    CREATED = "created", _("Opened a case")
    THREADED = "threaded", _("Added to a case")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    QUARANTINED = "quarantined", _("Held for a person")
    RELEASED = "released", _("Released by a person")
    DISMISSED = "dismissed", _("Dismissed by a person")


class InboundMessage(models.Model):
    """One message as it arrived: the original bytes, stored before anything parses them.

    `key` is the Message-ID, or ``sha256:<digest>`` of the bytes where there is none, so
    the same message ingested twice is recognised. The outcome is written in the same
    transaction as the case it opened or continued.
    """

    key = models.CharField(max_length=255, unique=True)
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=100)  # "imap:helpdesk", "graph:helpdesk", "api", "file"
    source_ref = models.CharField(max_length=255, blank=True)  # IMAP UID, Graph id, file name
    received_at = models.DateTimeField(_("received"), db_index=True)
    state = models.CharField(_("state"), max_length=12, choices=InboundState.choices, default=InboundState.RECEIVED)
    reason = models.TextField(_("reason"), blank=True)  # why ignored or quarantined, parse defects
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Outlook's conversation: the first 22 bytes of Thread-Index, hex; replies in one conversation share it.
    conversation = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=20, blank=True)  # esm.mail.parsing.MessageKind
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "-received_at"], name="inbound_state_received")]

    def __str__(self) -> str:
        return f"{self.subject or self.key} ({self.get_state_display()})"


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    SUPPRESSED = "suppressed", _("Not sent (loop protection)")


class OutboundKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    REPLY = "reply", _("Reply")
    STATUS = "status", _("Status change")
    RESOLVED = "resolved", _("Resolution")
    ASSIGNED = "assigned", _("Assignment notice")
    CUSTOMER_REPLY = "customer_reply", _("Customer replied (to the assignee)")
    REFUSED_ATTACHMENT = "refused_attachment", _("Attachment refused")


class OutboundMessage(models.Model):
    """One message we send from a case: composed from a timeline event, sent by the worker with retries.

    Unique per (event, recipient, kind), so processing the timeline twice never sends twice.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="outbound_messages")
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_messages"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboundKind.choices)
    recipient = models.EmailField(_("to"), max_length=254)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, default="da")
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    state = models.CharField(_("state"), max_length=12, choices=OutboundState.choices, default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "kind"], name="one_mail_per_event_recipient_kind")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbound_state_next"),
            models.Index(fields=["recipient", "-created_at"], name="outbound_recipient_created"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.get_state_display()})"


class NotificationCursor(models.Model):
    """How far the notifier has read the case timeline (one row per reader, locked while it works)."""

    name = models.CharField(max_length=50, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_event_id}"


class MailTemplate(models.Model):
    """An administrator's version of a notification text; without one, the built-in default is used."""

    kind = models.CharField(_("kind"), max_length=20, choices=OutboundKind.choices)
    language = models.CharField(_("language"), max_length=5, choices=[("da", _("Danish")), ("en", _("English"))])
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="one_template_per_kind_language")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class SupplierTicketPattern(models.Model):
    """How a supplier numbers its own tickets, so its mail threads onto our case once the number was seen there."""

    name = models.CharField(_("supplier"), max_length=200)
    sender_domain = models.CharField(_("sender domain"), max_length=200, help_text=_("e.g. glarmester-hansen.dk"))
    pattern = models.CharField(_("ticket number pattern"), max_length=200, help_text=_("A regular expression"))

    class Meta:
        verbose_name = _("supplier ticket pattern")
        verbose_name_plural = _("supplier ticket patterns")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sender_domain})"


class SupplierTicketReference(models.Model):
    """A supplier's ticket number seen on one of our cases."""

    pattern = models.ForeignKey(SupplierTicketPattern, on_delete=models.CASCADE, related_name="references")
    reference = models.CharField(max_length=100)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="supplier_references")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pattern", "reference"], name="one_case_per_supplier_ticket")]

    def __str__(self) -> str:
        return f"{self.reference} → {self.case_id}"


class SenderDomain(models.Model):
    """Mail from this domain comes from this organisation: unknown senders there become its customers."""

    domain = models.CharField(_("domain"), max_length=200, unique=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("sender domain")
        verbose_name_plural = _("sender domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
