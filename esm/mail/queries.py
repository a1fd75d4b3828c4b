"""Reads about received mail shared by the desk, the admin and the ingest services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from esm.accounts.models import Role, User
from esm.buildings.models import Building
from esm.core.errors import DomainError, ErrorCode
from esm.mail.models import InboundMessage


def only_building_of(user: User) -> Building | None:
    """The building a customer's organisation uses, when it uses exactly one; otherwise None."""
    if user.role != Role.CUSTOMER or not user.organisation_id:
        return None
    buildings = list(Building.objects.filter(organisations=user.organisation_id).order_by("pk")[:2])
    return buildings[0] if len(buildings) == 1 else None


def raw_message_for(user: User, pk: int) -> InboundMessage:
    """A received message with its original bytes, for the desk only (404 for anybody else)."""
    if not user.is_authenticated or not user.is_handler:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such message."))
    found = InboundMessage.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such message."))
    return found


def raw_filename(message: InboundMessage) -> str:
    return f"message-{message.pk}.eml"
