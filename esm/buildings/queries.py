"""Reads of the building registry shared by portal, desk and API."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from esm.accounts.models import User
from esm.buildings.models import Building
from esm.core.errors import DomainError, ErrorCode


def buildings_for_reporter(user: User) -> QuerySet[Building]:
    """The buildings a reporter's organisation uses (none for a private tenant)."""
    if user.organisation_id is None:
        return Building.objects.none()
    return Building.objects.filter(organisations=user.organisation_id).distinct()


def building_by_property_number(property_number: str) -> Building:
    """The building with this property number (never a primary key), or `unknown_building`."""
    found = Building.objects.filter(property_number=property_number).first()
    if found is None:
        message = _("Unknown building “%(building)s”.") % {"building": property_number}
        raise DomainError(ErrorCode.UNKNOWN_BUILDING, message, field="building")
    return found


def search_buildings(query: str, *, limit: int = 20) -> QuerySet[Building]:
    """Buildings whose name, address, postcode or property number contains every word."""
    qs = Building.objects.all()
    for word in query.lower().split()[:8]:
        qs = qs.filter(Q(search_text__contains=word))
    return qs.order_by("street", "house_number")[:limit]
