"""The external building register (BBR or a stand-in) behind one small interface, chosen by settings.

`get_register()` returns the configured `BuildingRegister`: the local JSON file (the default, works
with nothing installed) or the HTTP/JSON service. Both speak BBR's field names; `record_from_bbr`
turns one BBR building object into a `RegisterRecord`.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIX_PLACES = Decimal("0.000001")
POINT = re.compile(r"^\s*POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE)


class RegisterError(Exception):
    """The register could not answer (down, slow, refused or sent nonsense); nothing was learnt."""


@dataclass(frozen=True)
class RegisterRecord:
    """The facts the register holds about one building; None where it holds nothing."""

    bbr_id: uuid.UUID
    year_built: int | None
    gross_area_m2: int | None
    bbr_use_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    source: str
    fetched_at: datetime


class BuildingRegister(Protocol):
    """A register of buildings keyed by BBR id."""

    source: str

    def fetch(self, bbr_id: uuid.UUID) -> RegisterRecord | None:
        """The register's facts about this building, None if it does not know it; RegisterError if it can't say."""
        ...


def get_register() -> BuildingRegister:
    """The register configured by ESM_BUILDING_REGISTER ("local" or "http")."""
    kind = settings.ESM_BUILDING_REGISTER
    if kind == "local":
        from esm.buildings.adapters.local import LocalFileRegister

        return LocalFileRegister(settings.ESM_BUILDING_REGISTER_FILE)
    if kind == "http":
        from esm.buildings.adapters.http import HttpRegister

        if not settings.ESM_BUILDING_REGISTER_URL:
            raise ImproperlyConfigured("ESM_BUILDING_REGISTER=http needs ESM_BUILDING_REGISTER_URL")
        return HttpRegister(settings.ESM_BUILDING_REGISTER_URL, timeout=settings.ESM_BUILDING_REGISTER_TIMEOUT)
    raise ImproperlyConfigured(f"ESM_BUILDING_REGISTER must be 'local' or 'http', got {kind!r}")


# --- BBR's building object ----------------------------------------------------------------


def record_from_bbr(data: Any, *, source: str, fetched_at: datetime) -> RegisterRecord:
    """One BBR building object (id_lokalId, byg021…, byg026…, byg038…, byg404Koordinat) as a record.

    Coordinates come as BBR gives them, a WKT point in EPSG:25832 (UTM zone 32, ETRS89), and are
    stored as latitude/longitude. Anything malformed raises RegisterError naming the field.
    """
    if not isinstance(data, dict):
        raise RegisterError(f"expected a building object, got {type(data).__name__}")
    try:
        bbr_id = uuid.UUID(str(data.get("id_lokalId", "")))
    except ValueError as exc:
        raise RegisterError(f"id_lokalId is not a UUID: {data.get('id_lokalId')!r}") from exc
    latitude = longitude = None
    point = data.get("byg404Koordinat")
    if point not in (None, ""):
        match = POINT.match(str(point))
        if not match:
            raise RegisterError(f"byg404Koordinat is not a WKT point: {point!r}")
        latitude, longitude = utm32_to_wgs84(float(match.group(1)), float(match.group(2)))
    use_code = _text(data.get("byg021BygningensAnvendelse"))
    if use_code and not re.fullmatch(r"[0-9]{3}", use_code):
        raise RegisterError(f"byg021BygningensAnvendelse is not a three-digit code: {use_code!r}")
    return RegisterRecord(
        bbr_id=bbr_id,
        year_built=_integer(data, "byg026Opførelsesår", 1000, 2100),
        gross_area_m2=_integer(data, "byg038SamletBygningsareal", 0, 2_000_000_000),
        bbr_use_code=use_code,
        latitude=latitude,
        longitude=longitude,
        source=source,
        fetched_at=fetched_at,
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _integer(data: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = _text(data.get(name))
    if not value:
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise RegisterError(f"{name} is not a whole number: {value!r}") from exc
    if not low <= number <= high:
        raise RegisterError(f"{name} is out of range: {number}")
    return number


# --- EPSG:25832 (UTM zone 32 on GRS80) to latitude/longitude --------------------------------
# Krüger's series to the third order in n, accurate to well under a millimetre in Denmark.

_A = 6378137.0
_F = 1 / 298.257222101
_N = _F / (2 - _F)
_RECTIFYING_RADIUS = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_K0 = 0.9996
_FALSE_EASTING = 500_000.0
_CENTRAL_MERIDIAN = math.radians(9.0)
_BETA = (_N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96, _N**2 / 48 + _N**3 / 15, 17 * _N**3 / 480)
_DELTA = (2 * _N - 2 * _N**2 / 3 - 2 * _N**3, 7 * _N**2 / 3 - 8 * _N**3 / 5, 56 * _N**3 / 15)
_ALPHA = (_N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16, 13 * _N**2 / 48 - 3 * _N**3 / 5, 61 * _N**3 / 240)


def utm32_to_wgs84(easting: float, northing: float) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) in degrees, six decimals, of a point in EPSG:25832."""
    xi = northing / (_K0 * _RECTIFYING_RADIUS)
    eta = (easting - _FALSE_EASTING) / (_K0 * _RECTIFYING_RADIUS)
    xi_prime = xi - sum(b * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    eta_prime = eta - sum(b * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, b in enumerate(_BETA, 1))
    chi = math.asin(math.sin(xi_prime) / math.cosh(eta_prime))
    latitude = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_DELTA, 1))
    longitude = _CENTRAL_MERIDIAN + math.atan2(math.sinh(eta_prime), math.cos(xi_prime))
    if not (-90 <= math.degrees(latitude) <= 90 and -180 <= math.degrees(longitude) <= 180):
        raise RegisterError(f"coordinates out of range: {easting} {northing}")
    return (
        Decimal(repr(math.degrees(latitude))).quantize(SIX_PLACES),
        Decimal(repr(math.degrees(longitude))).quantize(SIX_PLACES),
    )


def wgs84_to_utm32(latitude: float, longitude: float) -> tuple[float, float]:
    """(easting, northing) in EPSG:25832 of a latitude/longitude in degrees (for sample data and tests)."""
    phi = math.radians(latitude)
    lam = math.radians(longitude) - _CENTRAL_MERIDIAN
    root = 2 * math.sqrt(_N) / (1 + _N)
    t = math.sinh(math.atanh(math.sin(phi)) - root * math.atanh(root * math.sin(phi)))
    xi_prime = math.atan2(t, math.cos(lam))
    eta_prime = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    easting = _FALSE_EASTING + _K0 * _RECTIFYING_RADIUS * (
        eta_prime + sum(a * math.cos(2 * j * xi_prime) * math.sinh(2 * j * eta_prime) for j, a in enumerate(_ALPHA, 1))
    )
    northing = (
        _K0
        * _RECTIFYING_RADIUS
        * (
            xi_prime
            + sum(a * math.sin(2 * j * xi_prime) * math.cosh(2 * j * eta_prime) for j, a in enumerate(_ALPHA, 1))
        )
    )
    return easting, northing
