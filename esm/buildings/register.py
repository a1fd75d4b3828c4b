"""Keep a building's facts (year built, area, use code, coordinates) in step with the building register.

`refresh_from_register` fetches one building's record on demand and records where each fact came
from in `Building.fact_sources`; `refresh_stale_buildings` does the same on a schedule for buildings
whose facts are older than ESM_BUILDING_REGISTER_MAX_AGE_DAYS, in batches, and leaves an `ImportRun`
(mapping "register") with its counts and every building's error for a person to see.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from esm.buildings.adapters import BuildingRegister, RegisterError, get_register
from esm.buildings.models import Building, ImportRun, ImportState
from esm.buildings.services import building_search_text
from esm.core.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

REGISTER_FIELDS = ("year_built", "gross_area_m2", "bbr_use_code", "latitude", "longitude")
REGISTER_RUN = "register"
# Until the lead adds ErrorCode.REGISTER_UNAVAILABLE (HTTP 502), a register outage is a conflict.
REGISTER_UNAVAILABLE = ErrorCode.REGISTER_UNAVAILABLE


def refresh_from_register(building: Building, *, register: BuildingRegister | None = None) -> list[str]:
    """Update the building's registry facts from the register; the names of the fields that changed.

    Every fact the register holds gets a source ``{"source": "BBR (…)", "at": <when fetched>}``, changed
    or not (so the schedule knows it is fresh). A fact the register lacks is left as it is. Raises
    `validation_error` (no BBR id), `not_found` (the register doesn't know the id) or a register-unavailable
    error (down, slow, nonsense) — and then nothing is changed.
    """
    if building.bbr_id is None:
        raise DomainError(
            ErrorCode.VALIDATION, _("The building has no BBR id, so the register can't be asked."), field="bbr_id"
        )
    register = register or get_register()
    try:
        record = register.fetch(building.bbr_id)
    except RegisterError as error:
        logger.warning("register %s failed for %s: %s", register.source, building.property_number, error)
        raise DomainError(
            REGISTER_UNAVAILABLE,
            _("The building register (%(source)s) did not answer: %(error)s. Nothing was changed.")
            % {"source": register.source, "error": error},
        ) from error
    if record is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("The building register (%(source)s) has no building with BBR id %(id)s.")
            % {"source": register.source, "id": building.bbr_id},
            field="bbr_id",
        )
    stamp = {"source": record.source, "at": record.fetched_at.isoformat()}
    with transaction.atomic():
        current = Building.objects.select_for_update().get(pk=building.pk)
        changed = []
        sources = dict(current.fact_sources or {})
        for name in REGISTER_FIELDS:
            value = getattr(record, name)
            if value in (None, ""):
                continue
            sources[name] = stamp
            if getattr(current, name) != value:
                setattr(current, name, value)
                changed.append(name)
        current.fact_sources = sources
        fields = ["fact_sources"]
        if changed:
            current.updated_at = timezone.now()
            current.search_text = building_search_text(current)
            fields += [*changed, "updated_at", "search_text"]
        current.save(update_fields=fields)
    for name in (*changed, "fact_sources", "updated_at", "search_text"):
        setattr(building, name, getattr(current, name))
    return changed


def checked_at(fact_sources: dict[str, Any]) -> datetime | None:
    """When the register last confirmed any of the building's facts (None: never)."""
    moments = []
    for name in REGISTER_FIELDS:
        entry = (fact_sources or {}).get(name)
        if isinstance(entry, dict) and str(entry.get("source", "")).startswith("BBR"):
            moment = parse_datetime(str(entry.get("at", "")))
            if moment is not None:
                moments.append(moment)
    return max(moments) if moments else None


def stale_buildings(*, max_age_days: int, limit: int) -> list[Building]:
    """Buildings with a BBR id whose facts the register confirmed longest ago (never first), at most `limit`."""
    cutoff = timezone.now() - timedelta(days=max_age_days)
    never = datetime(1970, 1, 1, tzinfo=UTC)
    stale: list[tuple[datetime, int]] = []
    for pk, sources in Building.objects.filter(bbr_id__isnull=False).values_list("pk", "fact_sources").iterator():
        moment = checked_at(sources)
        if moment is None or moment < cutoff:
            stale.append((moment or never, pk))
    stale.sort()
    chosen = [pk for _moment, pk in stale[:limit]]
    by_pk = Building.objects.in_bulk(chosen)
    return [by_pk[pk] for pk in chosen if pk in by_pk]


def refresh_stale_buildings(
    *, register: BuildingRegister | None = None, max_age_days: int | None = None, limit: int | None = None
) -> ImportRun | None:
    """Refresh one batch of stale buildings; the run that records it (None when nothing was stale)."""
    max_age = settings.ESM_BUILDING_REGISTER_MAX_AGE_DAYS if max_age_days is None else max_age_days
    buildings = stale_buildings(max_age_days=max_age, limit=limit or settings.ESM_BUILDING_REGISTER_BATCH)
    if not buildings:
        return None
    register = register or get_register()
    run = ImportRun.objects.create(
        mapping_name=REGISTER_RUN,
        filename=register.source,
        dry_run=False,
        state=ImportState.RUNNING,
        total_rows=len(buildings),
        created_at=timezone.now(),
        log=f"{timezone.localtime():%Y-%m-%d %H:%M:%S} Refreshing {len(buildings)} buildings older than {max_age} days",
    )
    errors: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    updated = unchanged = 0
    for number, building in enumerate(buildings, 1):
        before = {name: getattr(building, name) for name in REGISTER_FIELDS}
        try:
            changed = refresh_from_register(building, register=register)
        except DomainError as error:
            errors.append({"row": number, "key": building.property_number, "field": "bbr_id", "message": error.message})
            continue
        if changed:
            updated += 1
            changes.append(
                {
                    "row": number,
                    "key": building.property_number,
                    "action": "update",
                    "changes": {name: [_json(before[name]), _json(getattr(building, name))] for name in changed},
                }
            )
        else:
            unchanged += 1
        if number % 20 == 0:
            ImportRun.objects.filter(pk=run.pk).update(processed_rows=number)
    run.processed_rows = len(buildings)
    run.updated_count, run.unchanged_count, run.error_count = updated, unchanged, len(errors)
    run.errors, run.changes = errors, changes
    run.state = ImportState.FAILED if errors and not (updated or unchanged) else ImportState.DONE
    run.finished_at = timezone.now()
    run.log += (
        f"\n{timezone.localtime():%Y-%m-%d %H:%M:%S} changed {updated}, unchanged {unchanged}, errors {len(errors)}"
    )
    run.save()
    return run


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, int | str) else str(value)
