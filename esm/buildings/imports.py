"""Building imports: read a CSV, XLSX or JSON export, map its columns, check every row, then upsert all or nothing.

The steps of one `ImportRun`:

1. `read_table` reads the file: CSV in UTF-8 (with or without BOM) or Windows-1252, line by line,
   delimiter ``;`` ``,`` or tab taken from the header; XLSX (first sheet) with openpyxl; JSON (a list
   of objects, nested objects flattened to dotted names).
2. `resolve_columns` checks that the file has every column the mapping names — before any row.
3. `check_row` turns each row's cells into building values in Python (no queries per row): every
   bad value is an error for that row and field.
4. `plan` matches rows to existing buildings by the mapping's key (one query per 2,000 keys),
   reports duplicate keys and BBR ids / property numbers that belong to another building, and
   computes what each row would create or change; unchanged rows are only counted.
5. A dry run stops there. A real run with any row error writes nothing; otherwise `write` does
   bulk inserts and updates in batches inside one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from esm.accounts.models import STAFF_ROLES, Organisation, Role, Team, User
from esm.buildings.adapters import RegisterError, utm32_to_wgs84
from esm.buildings.models import Building, ImportMapping, ImportRun, ImportState
from esm.buildings.services import building_search_text
from esm.core.errors import DomainError, ErrorCode

logger = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}
BATCH = 1000
LOOKUP_CHUNK = 2000
SIX_PLACES = Decimal("0.000001")

# --- the fields an import may set ----------------------------------------------------------

FIELD_LABELS: dict[str, Any] = {
    "property_number": gettext_lazy("property number"),
    "bbr_id": gettext_lazy("BBR building id"),
    "name": gettext_lazy("name"),
    "street": gettext_lazy("street"),
    "house_number": gettext_lazy("house number"),
    "floor": gettext_lazy("floor"),
    "door": gettext_lazy("door"),
    "postcode": gettext_lazy("postcode"),
    "city": gettext_lazy("city"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "coordinates": gettext_lazy("coordinates (EPSG:25832 point)"),
    "year_built": gettext_lazy("year built"),
    "gross_area_m2": gettext_lazy("gross floor area (m²)"),
    "bbr_use_code": gettext_lazy("BBR use code"),
    "department": gettext_lazy("using department (organisation code)"),
    "organisations": gettext_lazy("used by (organisation codes)"),
    "responsible_team": gettext_lazy("responsible team (team code)"),
    "responsible_technician": gettext_lazy("responsible technician (username)"),
    "opening_hours": gettext_lazy("opening hours"),
    "key_info": gettext_lazy("keys"),
    "alarm_info": gettext_lazy("alarm"),
    "notes": gettext_lazy("notes"),
}
IMPORTABLE_FIELDS = tuple(FIELD_LABELS)
REQUIRED_FOR_CREATE = ("property_number", "name", "street", "house_number", "postcode", "city")
# Address and registry facts whose source is recorded in Building.fact_sources when an import sets them.
FACT_FIELDS = frozenset(
    {"street", "house_number", "floor", "door", "postcode", "city"}
    | {"bbr_id", "year_built", "gross_area_m2", "bbr_use_code", "latitude", "longitude"}
)
TEXT_LIMITS = {
    "property_number": 20,
    "name": 200,
    "street": 200,
    "house_number": 20,
    "floor": 10,
    "door": 10,
    "city": 100,
    "opening_hours": 0,
    "key_info": 0,
    "alarm_info": 0,
    "notes": 0,
}
FOREIGN_KEYS = {"department": "department_id", "responsible_team": "responsible_team_id"}
FOREIGN_KEYS["responsible_technician"] = "responsible_technician_id"

# The built-in mappings: "standard" is the layout in docs/building-import.md, "bbr" a BBR extract.
BUILTIN_MAPPINGS: dict[str, dict[str, Any]] = {
    "standard": {
        "description": "Standardlayout (docs/building-import.md): Ejendomsnr, BBR-id, Navn, Vejnavn …",
        "key": "property_number",
        "columns": {
            "property_number": "Ejendomsnr",
            "bbr_id": "BBR-id",
            "name": "Navn",
            "street": "Vejnavn",
            "house_number": "Husnr",
            "floor": "Etage",
            "door": "Dør",
            "postcode": "Postnr",
            "city": "By",
            "year_built": "Opførelsesår",
            "gross_area_m2": "Bruttoareal",
            "bbr_use_code": "Anvendelseskode",
            "latitude": "Bredde",
            "longitude": "Længde",
            "department": "Afdeling",
            "organisations": "Institutioner",
        },
    },
    "bbr": {
        "description": "BBR-udtræk (JSON): id_lokalId, byg021, byg026, byg038, byg404Koordinat",
        "key": "bbr_id",
        "columns": {
            "bbr_id": "id_lokalId",
            "bbr_use_code": "byg021BygningensAnvendelse",
            "year_built": "byg026Opførelsesår",
            "gross_area_m2": "byg038SamletBygningsareal",
            "coordinates": "byg404Koordinat",
        },
    },
}


def ensure_builtin_mappings() -> None:
    """Create the built-in mappings if missing; an administrator's edits to them are kept."""
    for name, spec in BUILTIN_MAPPINGS.items():
        ImportMapping.objects.get_or_create(name=name, defaults=spec)


def check_mapping(columns: Any, key: str) -> list[str]:
    """What is wrong with a mapping's `columns` ({building field: source column}) and key, as messages."""
    if not isinstance(columns, dict) or not columns:
        return [_("The columns must be an object of building field → column in the file.")]
    problems = []
    unknown = sorted(name for name in columns if name not in IMPORTABLE_FIELDS)
    if unknown:
        problems.append(
            _("Unknown building fields: %(fields)s. Known fields: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(IMPORTABLE_FIELDS)}
        )
    if any(not isinstance(column, str) or not column.strip() for column in columns.values()):
        problems.append(_("Every field must name a column (a non-empty text)."))
    if key not in ("property_number", "bbr_id"):
        problems.append(_("The key must be property_number or bbr_id."))
    elif key not in columns:
        problems.append(_("The mapping must name a column for its key, %(key)s.") % {"key": key})
    if "coordinates" in columns and ({"latitude", "longitude"} & set(columns)):
        problems.append(_("Map either coordinates or latitude and longitude, not both."))
    return problems


# --- reading files -------------------------------------------------------------------------


@dataclass
class Table:
    """A file's header and rows as text cells, with what was learnt reading it."""

    format: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, cells by column)
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def unreadable(message: str) -> DomainError:
    return DomainError(ErrorCode.FILE_UNREADABLE, message, field="file")


def file_format(filename: str, data: bytes) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip()[:1] in (b"[", b"{"):
        return "json"
    raise DomainError(
        ErrorCode.FILE_TYPE_NOT_ALLOWED,
        _("Import a CSV, XLSX or JSON file (not “%(name)s”).") % {"name": filename},
        field="file",
    )


def read_table(data: bytes, filename: str) -> Table:
    """The file as a table of text cells; a file that can't be read at all raises `file_unreadable`."""
    kind = file_format(filename, data)
    if not data.strip():
        raise unreadable(_("The file is empty."))
    if kind == "xlsx":
        return _read_xlsx(data)
    if kind == "json":
        return _read_json(data)
    return _read_csv(data)


def decode_lines(data: bytes) -> tuple[list[str], str]:
    """Lines of text and the encoding used: UTF-8 (BOM or not) or Windows-1252, decided line by line."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    lines = []
    fallback = []
    for number, raw in enumerate(data.splitlines(keepends=True), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise unreadable(_("Line %(line)s is neither UTF-8 nor Windows-1252 text.") % {"line": number}) from exc
            fallback.append(number)
    if not fallback:
        return lines, "UTF-8 with BOM" if bom else "UTF-8"
    if len(fallback) == len(lines) or all(line.isascii() for i, line in enumerate(lines, 1) if i not in fallback):
        return lines, "Windows-1252"
    shown = ", ".join(str(n) for n in fallback[:10]) + (" …" if len(fallback) > 10 else "")
    return lines, f"mixed: UTF-8, and Windows-1252 on lines {shown}"


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data:
        raise unreadable(_("The file is not a text file (it contains NUL bytes)."))
    lines, encoding = decode_lines(data)
    header_line = next((line for line in lines if line.strip()), "")
    delimiter = max(";,\t", key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ";"
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise unreadable(
            _("The CSV file is malformed at line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    records = [(line, record) for line, record in records if any(cell.strip() for cell in record)]
    if not records:
        raise unreadable(_("The file has no header row."))
    columns = [cell.strip() for cell in records[0][1]]
    table = Table("csv", columns, [])
    table.notes.append(f"encoding {encoding}, delimiter {delimiter!r}")
    for line, record in records[1:]:
        if len(record) != len(columns):
            table.row_errors.append(
                (
                    line,
                    _("The row has %(cells)s cells, the header %(columns)s.")
                    % {"cells": len(record), "columns": len(columns)},
                )
            )
            continue
        table.rows.append((line, dict(zip(columns, record, strict=True))))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise unreadable(_("The file is not a readable XLSX workbook: %(error)s") % {"error": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        columns: list[str] | None = None
        table = Table("xlsx", [], [])
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [_cell(value) for value in values]
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = [cell.strip() for cell in cells]
                while columns and not columns[-1]:
                    columns.pop()
                continue
            if any(cell.strip() for cell in cells[len(columns) :]):
                table.row_errors.append(
                    (
                        number,
                        _("The row has cells beyond the header's %(columns)s columns.") % {"columns": len(columns)},
                    )
                )
                continue
            cells += [""] * (len(columns) - len(cells))
            table.rows.append((number, dict(zip(columns, cells[: len(columns)], strict=True))))
        if columns is None:
            raise unreadable(_("The file has no header row."))
        table.columns = columns
        table.notes.append(f"sheet {sheet.title!r}")
        return table
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as exc:  # a damaged sheet
        raise unreadable(_("The file is not a readable XLSX workbook: %(error)s") % {"error": exc}) from exc
    finally:
        workbook.close()


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            cells.update(_flatten(item, f"{name}."))
        elif isinstance(item, list):
            cells[name] = ";".join(_cell(part) for part in item)
        else:
            cells[name] = _cell(item)
    return cells


def _read_json(data: bytes) -> Table:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise unreadable(_("The file is not valid JSON: %(error)s") % {"error": exc}) from exc
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise unreadable(_("The JSON file must be a list of buildings, or an object holding one such list."))
        document = lists[0]
    if not isinstance(document, list):
        raise unreadable(_("The JSON file must be a list of buildings, or an object holding one such list."))
    table = Table("json", [], [])
    seen: dict[str, None] = {}
    for number, item in enumerate(document, 1):
        if not isinstance(item, dict):
            table.row_errors.append((number, _("Item %(number)s is not an object.") % {"number": number}))
            continue
        cells = _flatten(item)
        seen.update(dict.fromkeys(cells))
        table.rows.append((number, cells))
    table.columns = list(seen)
    return table


def resolve_columns(mapping: ImportMapping, table: Table) -> dict[str, str]:
    """{building field: the file's column} — or `validation_error` naming every column the file lacks."""
    problems = check_mapping(mapping.columns, mapping.key)
    if problems:
        raise DomainError(ErrorCode.VALIDATION, " ".join(problems), field="mapping")
    present = {column.strip().casefold(): column for column in table.columns}
    resolved: dict[str, str] = {}
    missing = []
    for building_field, column in mapping.columns.items():
        found = present.get(column.strip().casefold())
        if found is None:
            missing.append(column)
        else:
            resolved[building_field] = found
    if missing:
        message = _(
            "The file lacks the columns %(missing)s that the mapping “%(mapping)s” names. Its columns are: %(columns)s."
        )
        raise DomainError(
            ErrorCode.VALIDATION,
            message
            % {
                "missing": ", ".join(f"“{name}”" for name in missing),
                "mapping": mapping.name,
                "columns": ", ".join(f"“{name}”" for name in table.columns) or "—",
            },
            field="mapping",
        )
    return resolved


# --- checking rows -------------------------------------------------------------------------


class CellError(Exception):
    pass


@dataclass
class References:
    """Codes an import may name, looked up once per import."""

    organisations: dict[str, int]
    teams: dict[str, int]
    technicians: dict[str, int]

    @classmethod
    def load(cls) -> References:
        return cls(
            organisations=dict(Organisation.objects.values_list("code", "pk")),
            teams=dict(Team.objects.values_list("code", "pk")),
            technicians=dict(User.objects.filter(is_active=True, role__in=STAFF_ROLES).values_list("username", "pk")),
        )

    def names(self) -> dict[str, dict[int, str]]:
        return {
            "department": {pk: code for code, pk in self.organisations.items()},
            "organisations": {pk: code for code, pk in self.organisations.items()},
            "responsible_team": {pk: code for code, pk in self.teams.items()},
            "responsible_technician": {pk: name for name, pk in self.technicians.items()},
        }


def _integer(text: str, low: int, high: int) -> int:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", compact):  # Danish thousands: 1.250
        compact = compact.replace(".", "")
    compact = re.sub(r"[.,]0+$", "", compact)
    if not re.fullmatch(r"-?[0-9]+", compact):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    number = int(compact)
    if not low <= number <= high:
        raise CellError(_("%(value)s is outside %(low)s–%(high)s.") % {"value": number, "low": low, "high": high})
    return number


def _decimal(text: str, low: int, high: int) -> Decimal:
    try:
        number = Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from exc
    if not number.is_finite() or not low <= number <= high:
        raise CellError(_("%(value)s is outside %(low)s–%(high)s.") % {"value": text, "low": low, "high": high})
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def parse_cell(name: str, text: str, refs: References) -> Any:
    """The value of one building field from one cell's text; CellError says what is wrong with it."""
    text = text.strip()
    if name in TEXT_LIMITS:
        limit = TEXT_LIMITS[name]
        if limit and len(text) > limit:
            raise CellError(
                _("At most %(limit)s characters (it has %(length)s).") % {"limit": limit, "length": len(text)}
            )
        return text
    if name == "bbr_id":
        if not text:
            return None
        try:
            return uuid.UUID(text.strip("{}"))
        except ValueError as exc:
            raise CellError(
                _("“%(value)s” is not a BBR id (a UUID such as 0a3f507a-b2e6-32b8-e044-0003ba298018).")
                % {"value": text}
            ) from exc
    if name == "postcode":
        if not re.fullmatch(r"[0-9]{4}", text):
            raise CellError(_("“%(value)s” is not a Danish postcode (four digits).") % {"value": text})
        return text
    if name == "bbr_use_code":
        if text and not re.fullmatch(r"[0-9]{3}", text):
            raise CellError(_("“%(value)s” is not a BBR use code (three digits).") % {"value": text})
        return text
    if not text:
        return set() if name == "organisations" else None
    if name == "year_built":
        return _integer(text, 1000, 2100)
    if name == "gross_area_m2":
        return _integer(text, 0, 2_000_000_000)
    if name == "latitude":
        return _decimal(text, -90, 90)
    if name == "longitude":
        return _decimal(text, -180, 180)
    if name == "coordinates":
        match = re.fullmatch(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", text, re.IGNORECASE)
        if not match:
            raise CellError(_("“%(value)s” is not a point such as POINT(724351.9 6175804.0).") % {"value": text})
        try:
            return utm32_to_wgs84(float(match.group(1)), float(match.group(2)))
        except (RegisterError, ValueError) as exc:
            raise CellError(_("“%(value)s” is not a point in Denmark.") % {"value": text}) from exc
    if name == "organisations":
        codes = [code.strip() for code in re.split(r"[;,|]", text) if code.strip()]
        unknown = [code for code in codes if code not in refs.organisations]
        if unknown:
            raise CellError(_("Unknown organisation codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return {refs.organisations[code] for code in codes}
    lookup = {
        "department": refs.organisations,
        "responsible_team": refs.teams,
        "responsible_technician": refs.technicians,
    }
    if text not in lookup[name]:
        messages = {
            "department": _("No organisation has the code “%(value)s”."),
            "responsible_team": _("No team has the code “%(value)s”."),
            "responsible_technician": _("No active technician has the username “%(value)s”."),
        }
        raise CellError(messages[name] % {"value": text})
    return lookup[name][text]


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> str:
        for name in ("property_number", "bbr_id"):
            if self.values.get(name):
                return str(self.values[name])
        return ""


def check_row(number: int, cells: dict[str, str], columns: dict[str, str], refs: References) -> Row:
    row = Row(number, {})
    for name, column in columns.items():
        try:
            value = parse_cell(name, cells.get(column, ""), refs)
        except CellError as error:
            row.errors.append((name, str(error)))
            continue
        if name == "coordinates":
            row.values["latitude"], row.values["longitude"] = value if value else (None, None)
        else:
            row.values[name] = value
    return row


# --- planning: match rows to buildings and compute changes --------------------------------


@dataclass
class Plan:
    rows: list[Row]
    creates: list[Row] = field(default_factory=list)
    updates: list[tuple[Row, Building, dict[str, list[Any]]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def error_rows(self) -> list[Row]:
        return [row for row in self.rows if row.errors]


def _chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _duplicates(rows: Iterable[Row], name: str, label: str) -> None:
    seen: dict[Any, list[Row]] = {}
    for row in rows:
        value = row.values.get(name)
        if value:
            seen.setdefault(value, []).append(row)
    for value, group in seen.items():
        if len(group) > 1:
            numbers = ", ".join(str(row.number) for row in group)
            for row in group:
                row.errors.append(
                    (
                        name,
                        _("%(label)s %(value)s appears in rows %(rows)s.")
                        % {"label": label, "value": value, "rows": numbers},
                    )
                )


def _current(building: Building, name: str, organisation_ids: dict[int, set[int]]) -> Any:
    if name == "organisations":
        return organisation_ids.get(building.pk, set())
    if name in FOREIGN_KEYS:
        return getattr(building, FOREIGN_KEYS[name])
    return getattr(building, name)


def _shown(name: str, value: Any, names: dict[str, dict[int, str]]) -> Any:
    """A value as the run's changes show it (JSON): codes for organisations, texts for ids and decimals."""
    if value is None or value == "":
        return None if value is None else ""
    if name == "organisations":
        return sorted(names["organisations"].get(pk, str(pk)) for pk in value)
    if name in names:
        return names[name].get(value, str(value))
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def plan(rows: list[Row], columns: dict[str, str], key: str, refs: References) -> Plan:
    """Match rows to existing buildings by key and work out creates, changes and conflicts."""
    result = Plan(rows)
    for name, label in (("property_number", _("Property number")), ("bbr_id", _("BBR id"))):
        if name in columns:
            _duplicates(rows, name, label)
    for row in rows:
        if not row.values:
            continue  # a row that could not be read at all has its error already
        failed = {name for name, _message in row.errors}
        for name in dict.fromkeys((key, *REQUIRED_FOR_CREATE)):
            if name not in columns or name in failed:
                continue
            if not row.values.get(name):
                row.errors.append((name, _("The %(field)s is missing.") % {"field": FIELD_LABELS[name]}))
    candidates = [row for row in rows if not row.errors]
    existing: dict[Any, Building] = {}
    keys = [row.values[key] for row in candidates]
    for chunk in _chunks(keys):
        existing.update((getattr(b, key), b) for b in Building.objects.filter(**{f"{key}__in": chunk}))
    # The other unique field must not belong to another building.
    other = "bbr_id" if key == "property_number" else "property_number"
    owners: dict[Any, Any] = {}
    if other in columns:
        values = [row.values[other] for row in candidates if row.values.get(other)]
        for chunk in _chunks(values):
            found = Building.objects.filter(**{f"{other}__in": chunk}).values_list(other, key, "property_number")
            owners.update((value, (owner_key, number)) for value, owner_key, number in found)
    organisation_ids: dict[int, set[int]] = {}
    if "organisations" in columns:
        through = Building.organisations.through
        ids = [b.pk for b in existing.values()]
        for chunk in _chunks(ids):
            for building_id, organisation_id in through.objects.filter(building_id__in=chunk).values_list(
                "building_id", "organisation_id"
            ):
                organisation_ids.setdefault(building_id, set()).add(organisation_id)
    names = refs.names()
    fields = [name for name in columns if name != "coordinates"]
    if "coordinates" in columns:
        fields += ["latitude", "longitude"]
    missing_for_create = [name for name in REQUIRED_FOR_CREATE if name not in columns]
    for row in candidates:
        owner_key, owner = owners.get(row.values.get(other), (row.values[key], ""))
        if owner_key != row.values[key]:
            row.errors.append(
                (
                    other,
                    _("%(field)s %(value)s belongs to another building (%(owner)s).")
                    % {"field": FIELD_LABELS[other], "value": row.values[other], "owner": owner},
                )
            )
            continue
        building = existing.get(row.values[key])
        if building is None:
            for name in missing_for_create:
                row.errors.append(
                    (
                        name,
                        _("No building has %(key)s %(value)s, and creating one needs a column for the %(field)s.")
                        % {"key": FIELD_LABELS[key], "value": row.values[key], "field": FIELD_LABELS[name]},
                    )
                )
            if not row.errors:
                result.creates.append(row)
            continue
        changes = {}
        for name in fields:
            old, new = _current(building, name, organisation_ids), row.values[name]
            if old != new:
                changes[name] = [_shown(name, old, names), _shown(name, new, names)]
        if changes:
            result.updates.append((row, building, changes))
        else:
            result.unchanged += 1
    return result


# --- writing -------------------------------------------------------------------------------


def write(result: Plan, *, source: str) -> None:
    """Insert and update in batches (call inside a transaction)."""
    now = timezone.now()
    stamp = {"source": source, "at": now.isoformat()}
    through = Building.organisations.through
    links: list[Any] = []
    new_buildings: list[tuple[Building, set[int] | None]] = []
    for row in result.creates:
        values = dict(row.values)
        organisations = values.pop("organisations", None)
        building = Building(**{FOREIGN_KEYS.get(name, name): value for name, value in values.items()})
        building.search_text = building_search_text(building)
        building.updated_at = now
        building.fact_sources = {name: stamp for name in FACT_FIELDS if values.get(name) not in (None, "")}
        new_buildings.append((building, organisations))
    Building.objects.bulk_create([b for b, _orgs in new_buildings], batch_size=BATCH)
    for building, organisations in new_buildings:
        links += [through(building_id=building.pk, organisation_id=pk) for pk in organisations or ()]
    changed_fields: set[str] = set()
    relinked: list[int] = []
    for row, building, changes in result.updates:
        for name in changes:
            if name == "organisations":
                relinked.append(building.pk)
                links += [through(building_id=building.pk, organisation_id=pk) for pk in row.values[name]]
                continue
            setattr(building, FOREIGN_KEYS.get(name, name), row.values[name])
            changed_fields.add(FOREIGN_KEYS.get(name, name))
            if name in FACT_FIELDS:
                building.fact_sources = {**building.fact_sources, name: stamp}
        building.search_text = building_search_text(building)
        building.updated_at = now
    if result.updates:
        fields = sorted(changed_fields | {"search_text", "updated_at", "fact_sources"})
        Building.objects.bulk_update([b for _row, b, _c in result.updates], fields, batch_size=BATCH // 2)
    for chunk in _chunks(relinked):
        through.objects.filter(building_id__in=chunk).delete()
    through.objects.bulk_create(links, batch_size=BATCH)


# --- the run -------------------------------------------------------------------------------


def is_import_administrator(user: Any) -> bool:
    return bool(user and user.is_active and (user.role == Role.ADMINISTRATOR or user.is_superuser))


def create_run(
    actor: User | None, *, content: bytes, filename: str, mapping: ImportMapping, dry_run: bool
) -> ImportRun:
    """Store the file as a queued run (actor None: the command line). Refuses files too large or of another type."""
    if actor is not None and not is_import_administrator(actor):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators import buildings."))
    limit = settings.ESM_BUILDING_IMPORT_MAX_MB * 1024 * 1024
    if len(content) > limit:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            _("The file is larger than %(limit)s MB.") % {"limit": settings.ESM_BUILDING_IMPORT_MAX_MB},
            field="file",
        )
    file_format(filename, content)
    name = PurePath(filename).name[:255] or "import"
    run = ImportRun(
        mapping=mapping,
        mapping_name=mapping.name,
        filename=name,
        dry_run=dry_run,
        started_by=actor,
        created_at=timezone.now(),
    )
    run.file.save(name, ContentFile(content), save=False)
    run.save()
    return run


def start_import(actor: User, *, content: bytes, filename: str, mapping: ImportMapping, dry_run: bool) -> ImportRun:
    """Queue an import for the worker (after commit)."""
    with transaction.atomic():
        run = create_run(actor, content=content, filename=filename, mapping=mapping, dry_run=dry_run)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def start_real_run(actor: User, *, dry_run: ImportRun) -> ImportRun:
    """Import for real the file of a finished dry run that had no errors (same file, same mapping)."""
    if not is_import_administrator(actor):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators import buildings."))
    if not dry_run.dry_run or dry_run.state != ImportState.DONE or dry_run.error_count or dry_run.mapping is None:
        raise DomainError(ErrorCode.CONFLICT, _("Only a finished dry run without errors can be run for real."))
    with transaction.atomic():
        run = ImportRun(
            mapping=dry_run.mapping,
            mapping_name=dry_run.mapping.name,
            filename=dry_run.filename,
            dry_run=False,
            started_by=actor,
            created_at=timezone.now(),
        )
        run.file.name = dry_run.file.name
        run.save()
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_pk: int) -> None:
    from esm.buildings.tasks import run_import

    run_import.delay(run_pk)


Progress = Callable[[int, int], None]


class _Log:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.lines: list[str] = [run.log] if run.log else []

    def __call__(self, message: str) -> None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        self.lines.append(f"{stamp} {message}")
        logger.info("import %s: %s", self.run.key, message)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


STALLED_AFTER = timedelta(hours=1)


def fail_stalled_runs(*, now: datetime | None = None, after: timedelta = STALLED_AFTER) -> int:
    """Mark runs whose worker died as failed (scheduled): a real run writes in one transaction, so nothing was written.

    A run is stalled when it has been running for longer than `after`; 10,000 rows take seconds.
    """
    now = now or timezone.now()
    message = _("The worker stopped during the import; nothing was written. Upload the file again.")
    stalled = ImportRun.objects.filter(state=ImportState.RUNNING, created_at__lt=now - after)
    return stalled.update(
        state=ImportState.FAILED,
        finished_at=now,
        error_count=1,
        errors=[{"row": 0, "field": "", "message": message}],
    )


def execute_import(run_pk: int, *, progress: Progress | None = None) -> ImportRun:
    """Do a queued run: read, check, plan and (unless a dry run or any row has an error) write.

    Claims the run (queued → running) so a redelivered task does nothing. Ends in `done`, or in
    `failed` with the reason in the run's errors and log — for a real run, with nothing written.
    """
    if not ImportRun.objects.filter(pk=run_pk, state=ImportState.QUEUED).update(state=ImportState.RUNNING):
        return ImportRun.objects.get(pk=run_pk)
    run = ImportRun.objects.select_related("mapping").get(pk=run_pk)
    log = _Log(run)
    started = time.monotonic()
    try:
        _execute(run, log, progress)
    except DomainError as error:
        run.state = ImportState.FAILED
        run.errors = [{"row": 0, "field": error.field or "", "message": error.message}]
        run.error_count = max(run.error_count, 1)
        log(f"Failed: {error.message}")
    except Exception as exc:
        logger.exception("import %s failed", run.key)
        run.state = ImportState.FAILED
        run.errors = run.errors or [{"row": 0, "field": "", "message": _("The import stopped on an unexpected error.")}]
        run.error_count = max(run.error_count, 1)
        log(f"Failed on an unexpected error, nothing was written: {exc!r}")
    log(f"Finished in {time.monotonic() - started:.1f} s")
    run.finished_at = timezone.now()
    run.log = log.text
    run.save()
    return run


def _execute(run: ImportRun, log: _Log, progress: Progress | None) -> None:
    mode = "dry run" if run.dry_run else "import"
    log(f"Started {mode} of {run.filename} with mapping {run.mapping_name}")
    if run.mapping is None:
        raise DomainError(ErrorCode.VALIDATION, _("The run's mapping has been deleted."), field="mapping")
    with run.file.open("rb") as handle:
        content = handle.read()
    table = read_table(content, run.filename)
    log(f"Read {len(table.rows) + len(table.row_errors)} rows ({table.format}, {', '.join(table.notes) or '-'})")
    columns = resolve_columns(run.mapping, table)
    ignored = [c for c in table.columns if c not in set(columns.values())]
    if ignored:
        log("Columns not in the mapping (ignored): " + ", ".join(ignored))
    total = len(table.rows) + len(table.row_errors)
    ImportRun.objects.filter(pk=run.pk).update(total_rows=total)
    run.total_rows = total
    refs = References.load()
    rows: list[Row] = [Row(number, {}, [("", message)]) for number, message in table.row_errors]
    step = max(1, total // 50)
    last = time.monotonic()
    for done, (number, cells) in enumerate(table.rows, len(table.row_errors) + 1):
        rows.append(check_row(number, cells, columns, refs))
        if done % step == 0 and time.monotonic() - last > 0.2:
            last = time.monotonic()
            ImportRun.objects.filter(pk=run.pk).update(processed_rows=done)
            if progress:
                progress(done, total)
    rows.sort(key=lambda row: row.number)
    source = f"import {run.mapping_name} ({run.filename})"
    if run.dry_run:
        result = plan(rows, columns, run.mapping.key, refs)
    else:
        try:
            with transaction.atomic():
                result = plan(rows, columns, run.mapping.key, refs)
                if not result.error_rows:
                    log(f"Writing {len(result.creates)} new and {len(result.updates)} changed buildings")
                    write(result, source=source)
        except IntegrityError as exc:
            raise DomainError(
                ErrorCode.CONFLICT,
                _("Another change to the same buildings got in first; nothing was written. Run the import again."),
            ) from exc
    run.processed_rows = total
    if progress:
        progress(total, total)
    _record(run, result, refs, log)


def _record(run: ImportRun, result: Plan, refs: References, log: _Log) -> None:
    error_rows = result.error_rows
    run.errors = [
        {"row": row.number, "field": name, "message": message} for row in error_rows for name, message in row.errors
    ]
    run.error_count = len(error_rows)
    run.changes = [
        {"row": row.number, "key": row.key, "action": "create", "changes": _create_changes(row, refs)}
        for row in result.creates
    ] + [
        {"row": row.number, "key": row.key, "action": "update", "changes": changes}
        for row, _b, changes in result.updates
    ]
    run.changes.sort(key=lambda change: change["row"])
    if error_rows:
        run.created_count = run.updated_count = run.unchanged_count = 0
        if run.dry_run:
            run.state = ImportState.DONE
            log(f"Dry run: {len(error_rows)} rows have errors; a real import would write nothing")
        else:
            run.state = ImportState.FAILED
            log(f"{len(error_rows)} rows have errors: nothing was written")
        return
    run.created_count, run.updated_count, run.unchanged_count = (
        len(result.creates),
        len(result.updates),
        result.unchanged,
    )
    run.state = ImportState.DONE
    verb = "would create" if run.dry_run else "created"
    log(f"{verb} {run.created_count}, changed {run.updated_count}, unchanged {run.unchanged_count}")


def _create_changes(row: Row, refs: References) -> dict[str, list[Any]]:
    names = refs.names()
    return {
        name: [None, _shown(name, value, names)] for name, value in row.values.items() if value not in (None, "", set())
    }
