"""Who may see which building and who may read its access information (keys, alarm)."""

from __future__ import annotations

import rules

from esm.accounts.models import Role, User
from esm.buildings.models import Building


@rules.predicate
def is_handler(user: User) -> bool:
    return bool(getattr(user, "is_handler", False))


@rules.predicate
def uses_building(user: User, building: Building | None) -> bool:
    """A customer whose organisation uses the building."""
    if building is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role != Role.CUSTOMER or user.organisation_id is None:
        return False
    return building.organisations.filter(pk=user.organisation_id).exists()


rules.add_perm("buildings.view_building", is_handler | uses_building)
rules.add_perm("buildings.view_building_page", is_handler)
rules.add_perm("buildings.read_access_info", is_handler)
rules.add_perm("buildings.change_building", is_handler)
