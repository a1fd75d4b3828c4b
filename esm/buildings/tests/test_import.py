"""Building imports: dry runs, idempotent upserts, all-or-nothing, bad input of every kind, all three formats."""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from esm.accounts.models import Organisation
from esm.buildings.imports import create_run, ensure_builtin_mappings, execute_import
from esm.buildings.models import Building, ImportMapping, ImportRun

DATA = Path(__file__).parent / "data"
E1001_BBR = uuid.UUID("0a3f507a-b2e6-32b8-e044-0003ba298018")


@pytest.fixture
def mappings(db: None) -> None:
    ensure_builtin_mappings()


def run_file(
    content: bytes | Path, filename: str | None = None, *, mapping: str = "standard", dry_run: bool = False
) -> ImportRun:
    if isinstance(content, Path):
        filename = filename or content.name
        content = content.read_bytes()
    run = create_run(
        None,
        content=content,
        filename=filename or "import.csv",
        mapping=ImportMapping.objects.get(name=mapping),
        dry_run=dry_run,
    )
    return execute_import(run.pk)


def zip_with(name: str, content: bytes) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Building.objects.order_by("property_number").values_list(
            "property_number",
            "bbr_id",
            "name",
            "street",
            "postcode",
            "year_built",
            "gross_area_m2",
            "latitude",
            "updated_at",
        )
    )


def errors_by_row(run: ImportRun) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for error in run.errors:
        found.setdefault(error["row"], set()).add(error["field"])
    return found


# --- dry run and real run ------------------------------------------------------------------


def test_a_dry_run_writes_nothing_and_lists_what_would_be_created_and_changed(
    mappings: None, building: Building, other_institution: Organisation
) -> None:
    before = snapshot()

    run = run_file(DATA / "standard.csv", dry_run=True)

    assert run.state == "done"
    assert (run.created_count, run.updated_count, run.unchanged_count, run.error_count) == (2, 1, 0, 0)
    assert snapshot() == before
    by_key = {change["key"]: change for change in run.changes}
    assert by_key["E-3001"]["action"] == "create"
    assert by_key["E-3001"]["changes"]["organisations"] == [None, ["solsikken", "vesterbro-ny-skole"]]
    update = by_key["E-1001"]
    assert update["action"] == "update"
    assert update["changes"]["year_built"] == [None, 1898]
    assert update["changes"]["gross_area_m2"] == [None, 4250]
    assert update["changes"]["bbr_id"] == [None, str(E1001_BBR)]
    assert "name" not in update["changes"]  # same name: not a change
    assert "organisations" not in update["changes"]  # same school
    assert "would create 2, changed 1, unchanged 0" in run.log


def test_a_real_run_creates_and_updates_and_a_second_run_finds_everything_unchanged(
    mappings: None, building: Building, other_institution: Organisation
) -> None:
    first = run_file(DATA / "standard.csv")

    assert first.state == "done"
    assert (first.created_count, first.updated_count, first.error_count) == (2, 1, 0)
    school = Building.objects.get(property_number="E-3001")
    assert school.name == "Søndermarkskolen"
    assert school.street == "Sønder Allé"
    assert school.latitude == Decimal("55.667012")
    assert school.department.code == "buf"
    assert sorted(school.organisations.values_list("code", flat=True)) == ["solsikken", "vesterbro-ny-skole"]
    assert "søndermarkskolen" in school.search_text
    assert school.fact_sources["year_built"]["source"] == "import standard (standard.csv)"
    assert school.fact_sources["street"]["source"] == "import standard (standard.csv)"  # the address too
    daycare = Building.objects.get(property_number="E-3002")
    assert (daycare.floor, daycare.door, daycare.bbr_id, daycare.latitude) == ("st.", "tv.", None, None)
    building.refresh_from_db()
    assert building.bbr_id == E1001_BBR
    assert building.gross_area_m2 == 4250  # "4.250": Danish thousands separator
    assert building.fact_sources["bbr_id"]["source"] == "import standard (standard.csv)"
    before = snapshot()

    second = run_file(DATA / "standard.csv")

    assert (second.created_count, second.updated_count, second.unchanged_count, second.error_count) == (0, 0, 3, 0)
    assert second.changes == []
    assert snapshot() == before  # not even updated_at moved


def test_a_changed_row_changes_only_that_building_and_what_changed(
    mappings: None, building: Building, other_institution: Organisation
) -> None:
    run_file(DATA / "standard.csv")
    text = (
        (DATA / "standard.csv")
        .read_text(encoding="utf-8")
        .replace("Børnehuset Åen;Åboulevarden;7", "Børnehuset Åen;Åboulevarden;9")
    )
    text = text.replace('"vesterbro-ny-skole;solsikken"', "solsikken")

    run = run_file(text.encode(), "changed.csv")

    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 2, 1)
    changes = {change["key"]: change["changes"] for change in run.changes}
    assert changes == {
        "E-3001": {"organisations": [["solsikken", "vesterbro-ny-skole"], ["solsikken"]]},
        "E-3002": {"house_number": ["7", "9"]},
    }
    assert list(Building.objects.get(property_number="E-3001").organisations.values_list("code", flat=True)) == [
        "solsikken"
    ]


def test_any_row_error_in_a_real_run_writes_nothing(mappings: None, building: Building) -> None:
    before = snapshot()

    run = run_file(DATA / "bad_values.csv")

    assert run.state == "failed"
    assert run.created_count == run.updated_count == 0
    assert run.error_count == 4  # rows 2–5; row 6 is fine but is not written either
    assert snapshot() == before
    assert not Building.objects.filter(property_number="E-4005").exists()
    assert "nothing was written" in run.log


# --- bad values, row by row ----------------------------------------------------------------


def test_a_dry_run_reports_every_bad_value_by_row_and_field(mappings: None, department: Organisation) -> None:
    run = run_file(DATA / "bad_values.csv", dry_run=True)

    assert run.state == "done"
    assert errors_by_row(run) == {
        2: {"bbr_id", "postcode"},
        3: {"year_built", "gross_area_m2", "bbr_use_code", "latitude"},
        4: {"department", "organisations"},
        5: {"name"},
    }
    messages = {(e["row"], e["field"]): e["message"] for e in run.errors}
    assert "12345" in messages[(2, "postcode")]
    assert "not-a-uuid" in messages[(2, "bbr_id")]
    assert "tyve" in messages[(3, "year_built")]
    assert "ukendt" in messages[(4, "organisations")]
    assert run.created_count == 0
    assert Building.objects.count() == 0


def test_duplicate_keys_in_a_file_report_both_rows(mappings: None) -> None:
    run = run_file(DATA / "duplicate_keys.csv", dry_run=True)

    assert errors_by_row(run) == {2: {"property_number"}, 4: {"property_number"}}
    assert all("2, 4" in error["message"] for error in run.errors)


def test_a_bbr_id_of_another_building_is_refused(mappings: None, building: Building, other_building: Building) -> None:
    other_building.bbr_id = E1001_BBR
    other_building.save()

    run = run_file(DATA / "standard.csv", dry_run=True)

    assert errors_by_row(run)[2] == {"bbr_id"}
    assert "E-2002" in run.errors[0]["message"]


def test_year_out_of_range_and_numbers_with_decimals(mappings: None) -> None:
    header = (DATA / "standard.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = [
        "E-1;;Hus;Vej;1;;;2200;By;999;12,0;;;;;",
        "E-2;;Hus;Vej;2;;;2200;By;2101;-5;;;;;",
        "E-3;;Hus;Vej;3;;;2200;By;1950;1.250,5;;91;;;",
    ]
    run = run_file(("\n".join([header, *rows]) + "\n").encode(), dry_run=True)

    assert errors_by_row(run) == {
        2: {"year_built"},
        3: {"year_built", "gross_area_m2"},
        4: {"gross_area_m2", "latitude"},
    }


# --- files that can't be imported at all ---------------------------------------------------


def test_a_mapping_naming_columns_the_file_lacks_fails_before_any_row(mappings: None) -> None:
    run = run_file(DATA / "missing_columns.csv")

    assert run.state == "failed"
    assert run.processed_rows == 0
    assert len(run.errors) == 1
    message = run.errors[0]["message"]
    assert "“BBR-id”" in message and "“Bredde”" in message and "“Institutioner”" in message
    assert run.errors[0]["field"] == "mapping"
    assert Building.objects.count() == 0


def test_a_malformed_csv_file_is_refused_with_its_line(mappings: None) -> None:
    run = run_file(DATA / "malformed.csv")

    assert run.state == "failed"
    assert run.errors[0]["field"] == "file"
    assert "linje 2" in run.errors[0]["message"]


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"", "empty.csv"),
        (b"\x00\x01\x02 binary", "junk.csv"),
        (b"PK\x03\x04 not really a workbook", "junk.xlsx"),
        (zip_with("hello.txt", b"hi"), "other.xlsx"),
        (b'{"buildings": [1, 2', "cut.json"),
        (b'"just a string"', "string.json"),
    ],
)
def test_unreadable_files_fail_with_a_clear_message_and_write_nothing(
    mappings: None, content: bytes, filename: str
) -> None:
    run = run_file(content, filename)

    assert run.state == "failed"
    assert run.errors[0]["message"]
    assert "Traceback" not in run.log
    assert Building.objects.count() == 0


def test_a_row_with_too_many_cells_is_a_row_error(mappings: None) -> None:
    header = (DATA / "standard.csv").read_text(encoding="utf-8").splitlines()[0]
    text = header + "\nE-1;;Hus;Vej;1;;;2200;By;;;;;;;;extra\nE-2;;Hus;Vej;2;;;2200;By;;;;;;;\n"

    run = run_file(text.encode(), dry_run=True)

    assert errors_by_row(run) == {2: {""}}
    assert run.total_rows == 2


# --- encodings, delimiters, formats --------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "encoding"),
    [("standard.csv", "UTF-8"), ("standard_bom.csv", "UTF-8 with BOM"), ("standard_cp1252.csv", "Windows-1252")],
)
def test_every_encoding_gives_the_right_danish_letters(
    mappings: None, building: Building, other_institution: Organisation, filename: str, encoding: str
) -> None:
    run = run_file(DATA / filename)

    assert run.state == "done", run.errors
    assert f"encoding {encoding}," in run.log
    daycare = Building.objects.get(property_number="E-3002")
    assert (daycare.name, daycare.street, daycare.city) == ("Børnehuset Åen", "Åboulevarden", "København N")
    assert Building.objects.get(property_number="E-3001").street == "Sønder Allé"


def test_a_file_mixing_utf8_and_windows_1252_lines_is_read_line_by_line(
    mappings: None, department: Organisation
) -> None:
    header = (DATA / "standard.csv").read_text(encoding="utf-8").splitlines()[0].encode("utf-8")
    utf8 = "E-1;;Ærøskøbing Hus;Vej;1;;;2200;By;;;;;;;".encode()
    legacy = "E-2;;Østergård;Vej;2;;;2200;By;;;;;;;".encode("cp1252")

    run = run_file(header + b"\n" + utf8 + b"\n" + legacy + b"\n")

    assert run.state == "done"
    assert "Windows-1252 on lines 3" in run.log
    assert Building.objects.get(property_number="E-1").name == "Ærøskøbing Hus"
    assert Building.objects.get(property_number="E-2").name == "Østergård"


def test_xlsx_with_numbers_in_cells(mappings: None, building: Building, other_institution: Organisation) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Bygninger"
    header = (DATA / "standard.csv").read_text(encoding="utf-8").splitlines()[0].split(";")
    sheet.append(header)
    sheet.append(["E-3001", "", "Søndermarkskolen", "Sønder Allé", 12, None, None, 2500, "Valby", 1932, 3120.0, 421,
                  55.667012, 12.512345, "buf", "vesterbro-ny-skole;solsikken"])  # fmt: skip
    sheet.append([])
    sheet.append(["E-3002", None, "Børnehuset Åen", "Åboulevarden", "7", "st.", "tv.", "2200", "København N", 1974, 640,
                  "441", None, None, "buf", "solsikken"])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)

    run = run_file(buffer.getvalue(), "bygninger.xlsx")

    assert run.state == "done", run.errors
    assert run.created_count == 2
    school = Building.objects.get(property_number="E-3001")
    assert (school.house_number, school.postcode, school.year_built, school.gross_area_m2) == ("12", "2500", 1932, 3120)
    assert school.bbr_use_code == "421"
    assert school.latitude == Decimal("55.667012")
    assert "sheet 'Bygninger'" in run.log
    assert {change["row"] for change in run.changes} == {2, 4}  # spreadsheet rows, blank row skipped


def test_json_with_lists_and_numbers(mappings: None, building: Building, other_institution: Organisation) -> None:
    run = run_file(DATA / "standard.json")

    assert run.state == "done", run.errors
    assert (run.created_count, run.updated_count) == (2, 1)
    school = Building.objects.get(property_number="E-3001")
    assert sorted(school.organisations.values_list("code", flat=True)) == ["solsikken", "vesterbro-ny-skole"]
    assert school.longitude == Decimal("12.512345")


def test_a_bbr_extract_updates_facts_by_bbr_id(mappings: None, building: Building) -> None:
    building.bbr_id = E1001_BBR
    building.save()

    run = run_file(DATA / "bbr_extract.json", mapping="bbr", dry_run=False)

    # The second building in the extract is unknown here, and a BBR extract can't create one.
    assert run.state == "failed"
    assert errors_by_row(run) == {2: {"property_number", "name", "street", "house_number", "postcode", "city"}}
    extract = json.loads((DATA / "bbr_extract.json").read_text(encoding="utf-8"))
    extract["bygninger"] = extract["bygninger"][:1]

    run = run_file(json.dumps(extract).encode(), "bbr.json", mapping="bbr")

    assert run.state == "done", run.errors
    building.refresh_from_db()
    assert (building.year_built, building.gross_area_m2, building.bbr_use_code) == (1898, 4312, "421")
    assert (building.latitude, building.longitude) == (Decimal("55.666521"), Decimal("12.525247"))  # from EPSG:25832
    assert building.fact_sources["latitude"]["source"] == "import bbr (bbr.json)"
    assert building.name == "Vesterbro Ny Skole, hovedbygning"  # not in the mapping: untouched


def test_an_unknown_file_type_is_refused_before_a_run_exists(mappings: None) -> None:
    from esm.core.errors import DomainError

    with pytest.raises(DomainError) as raised:
        create_run(
            None,
            content=b"hello",
            filename="notes.docx",
            mapping=ImportMapping.objects.get(name="standard"),
            dry_run=True,
        )
    assert raised.value.code == "file_type_not_allowed"
    assert ImportRun.objects.count() == 0


# --- the command line ----------------------------------------------------------------------


def test_the_command_imports_and_prints_a_summary(
    building: Building, other_institution: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_buildings", str(DATA / "standard.csv"))

    out = capsys.readouterr().out
    assert "2 created, 1 changed, 0 unchanged, 0 with errors" in out
    assert Building.objects.filter(property_number__in=["E-3001", "E-3002"]).count() == 2

    call_command("import_buildings", str(DATA / "standard.csv"), "--dry-run")

    assert "0 would be created, 0 would be changed, 3 unchanged" in capsys.readouterr().out


def test_the_command_exits_non_zero_on_row_errors_and_lists_them(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("import_buildings", str(DATA / "bad_values.csv"))

    assert raised.value.returncode == 1
    assert "nothing was written" in str(raised.value)
    err = capsys.readouterr().err
    assert "row 2 [postcode]" in err
    assert Building.objects.count() == 0


def test_the_command_refuses_an_unknown_mapping_and_a_missing_file(db: None) -> None:
    with pytest.raises(CommandError, match="No mapping named 'nope'"):
        call_command("import_buildings", str(DATA / "standard.csv"), "--mapping", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_buildings", str(DATA / "does-not-exist.csv"))


def test_matching_on_bbr_id_refuses_a_property_number_another_building_has(mappings: None, building: Building) -> None:
    ImportMapping.objects.create(
        name="fm-by-bbr",
        key="bbr_id",
        columns={
            "bbr_id": "BBR-id",
            "property_number": "Ejendomsnr",
            "name": "Navn",
            "street": "Vejnavn",
            "house_number": "Husnr",
            "postcode": "Postnr",
            "city": "By",
        },
    )

    run = run_file(DATA / "standard.csv", mapping="fm-by-bbr")  # E-1001 exists without a BBR id

    assert run.state == "failed"
    assert errors_by_row(run) == {2: {"property_number"}, 4: {"bbr_id"}}  # row 4 has no BBR id: no key
    assert "(E-1001)" in run.errors[0]["message"]
    assert Building.objects.count() == 1


def test_a_row_reports_all_its_errors_at_once(mappings: None) -> None:
    header = (DATA / "standard.csv").read_text(encoding="utf-8").splitlines()[0]

    run = run_file(f"{header}\nE-1;;;;1;;;99;;;;;;;;\n".encode(), dry_run=True)

    assert errors_by_row(run) == {2: {"name", "street", "postcode", "city"}}


def test_the_progress_bar_draws_on_a_terminal_only() -> None:
    from esm.buildings.management.commands.import_buildings import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = ProgressBar(stream, width=10)
        bar(5, 10)
        bar(10, 10)
        bar.close()

    assert terminal.getvalue() == "\r[#####.....] 5/10 rows\r[##########] 10/10 rows\n"
    assert pipe.getvalue() == ""


def test_an_import_whose_worker_died_is_marked_failed_and_wrote_nothing(mappings: None, building: Building) -> None:
    """A run left "running" by a dead worker does not keep the administrator waiting."""
    from datetime import timedelta

    from django.utils import timezone

    from esm.buildings.imports import fail_stalled_runs

    before = snapshot()
    run = create_run(
        None,
        content=(DATA / "standard.csv").read_bytes(),
        filename="standard.csv",
        mapping=ImportMapping.objects.get(name="standard"),
        dry_run=False,
    )
    ImportRun.objects.filter(pk=run.pk).update(state="running")  # the worker claimed it, then died
    fresh = create_run(
        None,
        content=(DATA / "standard.csv").read_bytes(),
        filename="standard.csv",
        mapping=ImportMapping.objects.get(name="standard"),
        dry_run=True,
    )
    ImportRun.objects.filter(pk=fresh.pk).update(state="running")

    assert fail_stalled_runs(now=timezone.now() + timedelta(minutes=30)) == 0
    assert fail_stalled_runs(now=timezone.now() + timedelta(hours=2), after=timedelta(hours=1)) == 2

    run.refresh_from_db()
    assert run.state == "failed" and run.error_count == 1 and run.finished_at is not None
    assert snapshot() == before
    assert execute_import(run.pk).state == "failed"  # a late redelivery does nothing
