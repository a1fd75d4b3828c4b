"""Django admin for e-mail: the quarantine of received mail, sent mail, templates, ticket patterns, sender domains."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from esm.accounts.models import Role, User
from esm.core.errors import DomainError
from esm.mail import outbound, queries, services
from esm.mail.models import (
    InboundMessage,
    InboundState,
    MailTemplate,
    OutboundMessage,
    SenderDomain,
    SupplierTicketPattern,
)
from esm.mail.views import raw_response


def _may_decide(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (getattr(user, "role", None) == Role.ADMINISTRATOR or user.is_superuser))


INBOUND_FIELDS: tuple[str, ...] = (
    "received_at",
    "state",
    "reason",
    "from_address",
    "subject",
    "message_id",
    "key",
    "kind",
    "source",
    "source_ref",
    "size",
    "sha256",
    "case",
    "event",
    "processed_at",
    "handled_by",
    "raw_link",
)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    list_display = ["received_at", "state", "from_address", "subject", "short_reason", "case_link", "raw_link"]
    list_filter = ["state", "kind", "source"]
    search_fields = ["subject", "from_address", "key"]
    date_hierarchy = "received_at"
    list_select_related = ["case"]
    actions = ["release", "dismiss"]
    fields = INBOUND_FIELDS
    readonly_fields = INBOUND_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        return super().get_queryset(request).defer("raw")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return _may_decide(request)

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, obj: InboundMessage) -> str:
        return obj.reason if len(obj.reason) <= 120 else obj.reason[:119] + "…"

    @admin.display(description=gettext_lazy("case"))
    def case_link(self, obj: InboundMessage) -> str:
        return obj.case.number if obj.case else "–"

    @admin.display(description=gettext_lazy("original message"))
    def raw_link(self, obj: InboundMessage) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("admin:mail_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download .eml"))

    def get_urls(self) -> list[URLPattern]:
        raw = path("<int:pk>/raw/", self.admin_site.admin_view(self.raw_view), name="mail_inboundmessage_raw")
        return [raw, *super().get_urls()]

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404("No such message")
        message = InboundMessage.objects.filter(pk=pk).first()
        if message is None:
            raise Http404("No such message")
        return raw_response(message.raw, queries.raw_filename(message))

    @admin.action(
        description=gettext_lazy("Release as a new case (unknown senders become tenants)"), permissions=["decide"]
    )
    def release(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        done, held = [], []
        for pk in queryset.filter(state=InboundState.QUARANTINED).order_by("pk").values_list("pk", flat=True):
            try:
                result = services.release_quarantined(actor, inbound_id=pk)
            except DomainError as error:
                held.append(f"#{pk}: {error.message}")
                continue
            if result.case_number:
                done.append(result.case_number)
            else:
                held.append(f"#{pk}: {result.reason}")
        if done:
            self.message_user(request, _("Released onto: %(cases)s") % {"cases": ", ".join(done)}, messages.SUCCESS)
        if held:
            self.message_user(request, _("Still held: %(items)s") % {"items": "; ".join(held)}, messages.WARNING)
        if not done and not held:
            self.message_user(request, _("Select messages held in quarantine."), messages.WARNING)

    @admin.action(description=gettext_lazy("Dismiss (nothing to do)"), permissions=["decide"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        actor: User = request.user  # type: ignore[assignment]
        count = 0
        for pk in queryset.filter(state=InboundState.QUARANTINED).order_by("pk").values_list("pk", flat=True):
            try:
                services.dismiss_quarantined(actor, inbound_id=pk)
            except DomainError:
                continue
            count += 1
        self.message_user(request, _("%(count)d message(s) dismissed.") % {"count": count}, messages.SUCCESS)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin[OutboundMessage]):
    list_display = ["created_at", "state", "kind", "recipient", "subject", "case", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["recipient", "subject", "message_id", "case__number"]
    date_hierarchy = "created_at"
    list_select_related = ["case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboundMessage | None = None) -> bool:
        return False

    actions = ["send_again"]

    @admin.action(description=gettext_lazy("Send again (failed or bounced e-mails)"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        sent, refused = 0, []
        for message in queryset:
            try:
                outbound.resend_message(request.user, outbound_id=message.pk)  # type: ignore[arg-type]
                sent += 1
            except DomainError as error:
                refused.append(f"{message.recipient}: {error.message}")
        if sent:
            self.message_user(request, _("%(count)d e-mail(s) queued again.") % {"count": sent})
        if refused:
            self.message_user(request, "; ".join(refused), level=messages.WARNING)


class MailTemplateForm(forms.ModelForm[MailTemplate]):
    class Meta:
        model = MailTemplate
        fields = ["kind", "language", "subject", "text", "html"]
        help_texts = {
            "text": format_lazy(
                gettext_lazy("Placeholders, written as {{{{ name }}}}: {names}."),
                names=", ".join(outbound.PLACEHOLDERS),
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = outbound.template_errors(
            subject=str(data.get("subject") or ""), text=str(data.get("text") or ""), html=str(data.get("html") or "")
        )
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin[MailTemplate]):
    form = MailTemplateForm
    list_display = ["kind", "language", "subject", "updated_at"]
    list_filter = ["kind", "language"]


class SupplierTicketPatternForm(forms.ModelForm[SupplierTicketPattern]):
    class Meta:
        model = SupplierTicketPattern
        fields = ["name", "sender_domain", "pattern"]

    def clean_sender_domain(self) -> str:
        return str(self.cleaned_data["sender_domain"]).strip().lower().lstrip("@")

    def clean_pattern(self) -> str:
        pattern = str(self.cleaned_data["pattern"])
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise forms.ValidationError(_("Not a valid regular expression: %(error)s") % {"error": error}) from error
        if compiled.search(""):
            raise forms.ValidationError(_("The pattern must not match empty text."))
        return pattern


@admin.register(SupplierTicketPattern)
class SupplierTicketPatternAdmin(admin.ModelAdmin[SupplierTicketPattern]):
    form = SupplierTicketPatternForm
    list_display = ["name", "sender_domain", "pattern"]
    search_fields = ["name", "sender_domain"]


class SenderDomainForm(forms.ModelForm[SenderDomain]):
    class Meta:
        model = SenderDomain
        fields = ["domain", "organisation"]

    def clean_domain(self) -> str:
        return str(self.cleaned_data["domain"]).strip().lower().lstrip("@")


@admin.register(SenderDomain)
class SenderDomainAdmin(admin.ModelAdmin[SenderDomain]):
    form = SenderDomainForm
    list_display = ["domain", "organisation"]
    search_fields = ["domain", "organisation__name"]
    list_select_related = ["organisation"]
