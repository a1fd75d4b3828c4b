"""Writes to the building registry: buildings and their facts, units, installations, documents, access reads."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import Organisation, Team, User
from esm.buildings.models import (
    AccessInfoRead,
    Building,
    BuildingDocument,
    DocumentKind,
    Installation,
    InstallationKind,
    Unit,
    UnitKind,
)
from esm.core.errors import DomainError, ErrorCode

#: Registry facts a building has besides its address; `fact_sources` records where each came from.
FACT_FIELDS = (
    "name",
    "street",
    "house_number",
    "floor",
    "door",
    "postcode",
    "city",
    "bbr_id",
    "latitude",
    "longitude",
    "year_built",
    "gross_area_m2",
    "bbr_use_code",
    "department",
    "responsible_team",
    "responsible_technician",
    "opening_hours",
    "key_info",
    "alarm_info",
    "notes",
)
ACCESS_FIELDS = ("opening_hours", "key_info", "alarm_info")
TEXT_LIMITS = {"name": 200, "street": 200, "house_number": 20, "floor": 10, "door": 10, "city": 100, "postcode": 4}
LONG_TEXT = ("opening_hours", "key_info", "alarm_info", "notes")
LONG_TEXT_MAX = 5_000
YEAR_MIN, YEAR_MAX = 1000, 2100
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "image/vnd.dwg": "dwg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/plain": "txt",
}


class Upload(Protocol):
    """An uploaded file: Django's `UploadedFile` or anything with a name and `read()`."""

    name: str | None

    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class AccessInfo:
    """A building's access information as read (and logged) by one technician."""

    opening_hours: str
    key_info: str
    alarm_info: str
    read_at: datetime


# --- search text -----------------------------------------------------------------------

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "ü": "u", "ö": "o", "ä": "a"})


def fold(text: str) -> str:
    """Lower case, Danish letters spelled in ASCII (ø → o, æ → ae, å → a), punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w.-]+", " ", text).split())


def building_search_text(building: Building) -> str:
    """What the address search matches: property number, name, address, postcode, city — as written and folded."""
    written = " ".join(
        part
        for part in (
            building.property_number,
            building.name,
            building.street,
            building.house_number,
            building.postcode,
            building.city,
        )
        if part
    ).lower()
    folded = fold(written)
    return written if folded == written else f"{written} {folded}"


# --- validation helpers ----------------------------------------------------------------


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION, message, field=field)


def _text(field: str, value: object) -> str:
    text = str(value if value is not None else "").replace("\x00", "").strip()
    limit = LONG_TEXT_MAX if field in LONG_TEXT else TEXT_LIMITS.get(field, 200)
    if len(text) > limit:
        raise _invalid(field, _("At most %(max)d characters.") % {"max": limit})
    return text


def _integer(field: str, value: object, *, low: int, high: int, message: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except ValueError:
        raise _invalid(field, message) from None
    if isinstance(number, bool) or not low <= number <= high:
        raise _invalid(field, message)
    return number


def _coordinate(field: str, value: object, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _invalid(field, _("Not a coordinate.")) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise _invalid(field, _("Not a coordinate."))
    return number.quantize(Decimal("0.000001"))


def _bbr_id(value: object) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise _invalid("bbr_id", _("A BBR building id is a UUID, e.g. 0a3f50a0-75eb-32b8-e044-0003ba298018.")) from None


def _organisation(field: str, value: object) -> Organisation | None:
    if value is None or value == "":
        return None
    if isinstance(value, Organisation):
        return value
    found = Organisation.objects.filter(code=str(value)[:100]).first()
    if found is None:
        raise _invalid(field, _("Unknown organisation “%(code)s”.") % {"code": value})
    return found


def _team(value: object) -> Team | None:
    if value is None or value == "":
        return None
    if isinstance(value, Team):
        return value
    found = Team.objects.filter(code=str(value)[:100]).first()
    if found is None:
        raise _invalid("responsible_team", _("Unknown team “%(team)s”.") % {"team": value})
    return found


def _technician(value: object) -> User | None:
    if value is None or value == "":
        return None
    found = value if isinstance(value, User) else User.objects.filter(username=str(value)[:150]).first()
    if found is None or not found.is_handler:
        raise _invalid("responsible_technician", _("“%(user)s” is not a technician.") % {"user": value})
    return found


def clean_fact(field: str, value: object) -> object:
    """One registry fact as the model stores it, or a `validation_error` on that field."""
    if field == "bbr_id":
        return _bbr_id(value)
    if field == "year_built":
        message = _("The year built must be between %(low)d and %(high)d.") % {"low": YEAR_MIN, "high": YEAR_MAX}
        return _integer(field, value, low=YEAR_MIN, high=YEAR_MAX, message=message)
    if field == "gross_area_m2":
        return _integer(field, value, low=0, high=10_000_000, message=_("The area is a whole number of m²."))
    if field == "latitude":
        return _coordinate(field, value, 90)
    if field == "longitude":
        return _coordinate(field, value, 180)
    if field == "department":
        return _organisation(field, value)
    if field == "responsible_team":
        return _team(value)
    if field == "responsible_technician":
        return _technician(value)
    text = _text(field, value)
    if field == "postcode" and not re.fullmatch(r"[0-9]{4}", text):
        raise _invalid(field, _("A Danish postcode has four digits."))
    if field == "bbr_use_code" and text and not re.fullmatch(r"[0-9]{3}", text):
        raise _invalid(field, _("A BBR use code has three digits."))
    return text


def _clean_facts(values: Mapping[str, object]) -> dict[str, object]:
    """Every given fact cleaned; all problems at once, per field."""
    unknown = sorted(set(values) - set(FACT_FIELDS))
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION, _("Unknown building facts: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    cleaned: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        try:
            cleaned[field] = clean_fact(field, value)
        except DomainError as error:
            errors.setdefault(field, []).append(error.message)
    for required in ("name", "street", "house_number", "city"):
        if required in cleaned and not cleaned[required]:
            errors.setdefault(required, []).append(_("This fact is required."))
    if errors:
        _raise(errors)
    return cleaned


def _raise(errors: dict[str, list[str]]) -> None:
    first = next(iter(errors.values()))[0]
    message = first if len(errors) == 1 else _("Please correct the errors.")
    raise DomainError(ErrorCode.VALIDATION, message, errors=errors)


def _full_clean(instance: Model, *, validate_constraints: bool = True) -> None:
    try:
        instance.full_clean(validate_constraints=validate_constraints)
    except ValidationError as error:
        _raise({field: [str(m) for m in messages] for field, messages in error.message_dict.items()})


def _require_staff(actor: User | None) -> None:
    if actor is not None and not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can change the registry."))


def _fact_value(value: object) -> object:
    """Comparable form of a fact (related objects by pk)."""
    if isinstance(value, Model):
        return value.pk
    return value


def _source(source: str, actor: User | None, at: datetime) -> dict[str, str]:
    entry = {"source": source or "manual", "at": at.isoformat()}
    if actor is not None:
        entry["by"] = actor.username
    return entry


# --- buildings -------------------------------------------------------------------------


@transaction.atomic
def register_building(
    *,
    property_number: str,
    name: str,
    street: str,
    house_number: str,
    postcode: str,
    city: str,
    organisations: Iterable[Organisation | str] = (),
    facts: Mapping[str, object] | None = None,
    source: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> Building:
    """Add a building to the registry, with its address, further `facts` and the organisations using it.

    `source` names where the facts came from (e.g. "BBR", "import:ejendomme.csv"); each fact given is
    recorded in `fact_sources` with that source and the time. `actor` None is the system (an import).
    """
    _require_staff(actor)
    now = now or timezone.now()
    number = str(property_number or "").replace("\x00", "").strip()
    if not number or len(number) > 20:
        raise _invalid("property_number", _("A property number has 1 to 20 characters."))
    values = _clean_facts(
        {"name": name, "street": street, "house_number": house_number, "postcode": postcode, "city": city}
        | dict(facts or {})
    )
    users = _organisations(organisations)
    building = Building(property_number=number, updated_at=now, **values)  # type: ignore[arg-type]
    building.fact_sources = {
        field: _source(source, actor, now) for field, value in values.items() if value not in (None, "")
    }
    building.search_text = building_search_text(building)
    _full_clean(building)
    try:
        with transaction.atomic():
            building.save()
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise DomainError(
            ErrorCode.CONFLICT, _("A building with this property number exists already."), field="property_number"
        ) from exc
    building.organisations.set(users)
    return building


def _organisations(values: Iterable[Organisation | str]) -> list[Organisation]:
    result = []
    for value in values:
        organisation = _organisation("organisations", value)
        if organisation is not None:
            result.append(organisation)
    return result


def update_building(
    actor: User | None,
    *,
    building: Building,
    changes: Mapping[str, object],
    organisations: Iterable[Organisation | str] | None = None,
    source: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Change registry facts (and, if given, the organisations using the building).

    Returns the names of the facts that really changed (empty: nothing to do, nothing written);
    each changed fact gets `source` and the time in `fact_sources`.
    """
    _require_staff(actor)
    now = now or timezone.now()
    cleaned = _clean_facts(changes)
    users = _organisations(organisations) if organisations is not None else None
    with transaction.atomic():
        locked = Building.objects.select_for_update().get(pk=building.pk)
        changed = [
            field for field, value in cleaned.items() if _fact_value(getattr(locked, field)) != _fact_value(value)
        ]
        for field in changed:
            setattr(locked, field, cleaned[field])
            locked.fact_sources = {**locked.fact_sources, field: _source(source, actor, now)}
        organisations_changed = False
        if users is not None:
            before = set(locked.organisations.values_list("pk", flat=True))
            organisations_changed = before != {o.pk for o in users}
        if not changed and not organisations_changed:
            return []
        if changed:
            locked.search_text = building_search_text(locked)
            locked.updated_at = now
            _full_clean(locked)
            locked.save()
        if organisations_changed and users is not None:
            locked.organisations.set(users)
            changed.append("organisations")
            Building.objects.filter(pk=locked.pk).update(updated_at=now)
            locked.updated_at = now
    for field in [*(f for f in changed if f != "organisations"), "search_text", "fact_sources", "updated_at"]:
        setattr(building, field, getattr(locked, field))
    return changed


def read_access_info(actor: User, *, building: Building, context: str = "", now: datetime | None = None) -> AccessInfo:
    """The building's keys, alarm and opening hours — technicians, team leads and administrators only.

    Every read is logged (`AccessInfoRead`: who, when, and the context, e.g. a case number).
    """
    if not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians can read the access information."))
    now = now or timezone.now()
    AccessInfoRead.objects.create(building=building, user=actor, read_at=now, context=str(context)[:100])
    return AccessInfo(
        opening_hours=building.opening_hours, key_info=building.key_info, alarm_info=building.alarm_info, read_at=now
    )


# --- units and installations -------------------------------------------------------------


def add_unit(
    actor: User | None,
    *,
    building: Building,
    code: str,
    name: str,
    kind: str = UnitKind.ROOM,
    parent: Unit | None = None,
) -> Unit:
    """Add a floor, room or area to a building; a room may sit on a floor of the same building."""
    _require_staff(actor)
    code_text = str(code or "").replace("\x00", "").strip()
    errors: dict[str, list[str]] = {}
    if not code_text or len(code_text) > 30:
        errors["code"] = [_("A unit code has 1 to 30 characters.")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("Choose floor, room or area.")]
    if parent is not None and parent.building_id != building.pk:
        errors["parent"] = [_("The floor is not in this building.")]
    if errors:
        _raise(errors)
    if Unit.objects.filter(building=building, code=code_text).exists():
        raise _invalid("code", _("The building has a unit with this code already."))
    unit = Unit(building=building, code=code_text, name=_text("name", name) or code_text, kind=kind, parent=parent)
    _full_clean(unit, validate_constraints=False)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise _invalid("code", _("The building has a unit with this code already.")) from exc
    return unit


def add_installation(
    actor: User | None,
    *,
    building: Building,
    kind: str,
    name: str,
    unit: Unit | None = None,
    make: str = "",
    model: str = "",
    year_installed: int | str | None = None,
    service_contract: str = "",
    contract_expires: date | None = None,
    supplier: str = "",
    notes: str = "",
) -> Installation:
    """Register a technical installation (boiler, ventilation, fire alarm, roof …) with its contract and supplier."""
    _require_staff(actor)
    errors: dict[str, list[str]] = {}
    if kind not in InstallationKind.values:
        errors["kind"] = [_("Unknown type of installation.")]
    if unit is not None and unit.building_id != building.pk:
        errors["unit"] = [_("The room or floor is not in this building.")]
    year: int | None = None
    try:
        year = _integer(
            "year_installed", year_installed, low=1800, high=YEAR_MAX, message=_("The year must be 1800–2100.")
        )
    except DomainError as error:
        errors["year_installed"] = [error.message]
    if not str(name or "").strip():
        errors["name"] = [_("Give the installation a name.")]
    if errors:
        _raise(errors)
    installation = Installation(
        building=building,
        unit=unit,
        kind=kind,
        name=_text("name", name),
        make=_text("make", make)[:100],
        model=_text("model", model)[:100],
        year_installed=year,
        service_contract=_text("service_contract", service_contract)[:100],
        contract_expires=contract_expires,
        supplier=_text("supplier", supplier),
        notes=_text("notes", notes),
    )
    _full_clean(installation)
    installation.save()
    return installation


# --- documents ---------------------------------------------------------------------------


def detect_document_type(data: bytes, filename: str) -> str | None:
    """The document's MIME type judged by its content (a key of DOCUMENT_TYPES), or None when not allowed."""
    head = data[:8192]
    guessed = filetype.guess_mime(head)
    if guessed in DOCUMENT_TYPES:
        return str(guessed)
    if head.startswith(b"AC10"):
        return "image/vnd.dwg"
    if guessed is None and b"\x00" not in head:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def _document_filename(filename: str, content_type: str) -> str:
    name = unicodedata.normalize("NFC", str(filename or "")).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{(stem or 'document')[:190]}.{DOCUMENT_TYPES[content_type]}"


def add_document(
    actor: User,
    *,
    building: Building,
    upload: Upload,
    title: str = "",
    kind: str = DocumentKind.OTHER,
    now: datetime | None = None,
) -> BuildingDocument:
    """Store a drawing, report or photo of a building; its type is decided by the content, not the name."""
    if not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can add documents."))
    now = now or timezone.now()
    if kind not in DocumentKind.values:
        raise _invalid("kind", _("Choose drawing, report, photo or other."))
    max_bytes = settings.ESM_ATTACHMENT_MAX_BYTES
    raw = upload.read(max_bytes + 1)
    name = str(upload.name or "document")
    if len(raw) > max_bytes:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    if not raw:
        raise DomainError(ErrorCode.FILE_UNREADABLE, _("“%(name)s” is empty.") % {"name": name}, field="file")
    content_type = detect_document_type(raw, name)
    if content_type is None:
        raise DomainError(
            ErrorCode.FILE_TYPE_NOT_ALLOWED,
            _("“%(name)s” is not an allowed document type (PDF, images, drawings, Office files, text).")
            % {"name": name},
            field="file",
        )
    filename = _document_filename(name, content_type)
    document = BuildingDocument(
        building=building,
        kind=kind,
        title=_text("title", title) or filename,
        filename=filename,
        content_type=content_type,
        size=len(raw),
        uploaded_by=actor,
        uploaded_at=now,
    )
    with transaction.atomic():
        document.file.save(filename, ContentFile(raw), save=False)
        document.save()
    return document


__all__ = [
    "ACCESS_FIELDS",
    "FACT_FIELDS",
    "AccessInfo",
    "add_document",
    "add_installation",
    "add_unit",
    "building_search_text",
    "clean_fact",
    "detect_document_type",
    "fold",
    "read_access_info",
    "register_building",
    "update_building",
]
