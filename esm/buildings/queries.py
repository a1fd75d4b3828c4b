"""Reads of the building registry shared by portal, desk and API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from esm.accounts.models import User
from esm.buildings.models import Building


def buildings_for_reporter(user: User) -> QuerySet[Building]:
    """The buildings a reporter's organisation uses (none for a private tenant)."""
    if user.organisation_id is None:
        return Building.objects.none()
    return Building.objects.filter(organisations=user.organisation_id).distinct()


def search_buildings(query: str, *, limit: int = 20) -> QuerySet[Building]:
    """Buildings whose name, address, postcode or property number contains every word."""
    qs = Building.objects.all()
    for word in query.lower().split()[:8]:
        qs = qs.filter(Q(search_text__contains=word))
    return qs.order_by("street", "house_number")[:limit]
