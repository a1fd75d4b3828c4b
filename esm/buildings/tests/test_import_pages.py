"""The desk's import page: administrators only, upload → dry run → progress → run for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from esm.accounts.models import Organisation, User
from esm.buildings.imports import ensure_builtin_mappings
from esm.buildings.models import Building, ImportRun

DATA = Path(__file__).parent / "data"
PAGE = "/desk/buildings/import/"


def upload(name: str = "standard.csv", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes(), "text/csv")


@pytest.fixture
def admin_client(client: Client, administrator: User) -> Client:
    administrator.language = "en"
    administrator.save()
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(
    ("persona", "status"), [("technician", 403), ("team_lead", 403), ("customer", 404), ("tenant", 404)]
)
def test_only_administrators_see_the_import_pages(
    request: pytest.FixtureRequest, client: Client, persona: str, status: int, building: Building
) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    ensure_builtin_mappings()
    run = ImportRun.objects.create(mapping_name="standard", filename="x.csv", created_at="2026-01-01T00:00Z")

    assert client.get(PAGE).status_code == status
    assert client.post(PAGE, {"file": upload(), "mapping": "standard", "dry_run": "on"}).status_code == status
    assert client.get(f"{PAGE}runs/{run.key}/").status_code == status
    assert client.post(f"{PAGE}runs/{run.key}/run/").status_code == status
    assert ImportRun.objects.count() == 1
    assert Building.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]


def test_the_page_offers_the_built_in_mappings_and_says_imports_are_all_or_nothing(admin_client: Client) -> None:
    response = admin_client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-mapping="standard"' in html and 'data-mapping="bbr"' in html
    assert "all or nothing" in html
    assert 'enctype="multipart/form-data"' in html


def test_a_dry_run_from_the_page_then_run_for_real(
    admin_client: Client,
    building: Building,
    other_institution: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE, {"file": upload(), "mapping": "standard", "dry_run": "on"})

    assert response.status_code == 302
    dry_run = ImportRun.objects.get()
    assert response["Location"] == f"{PAGE}runs/{dry_run.key}/"
    assert dry_run.dry_run and dry_run.state == "done"
    assert not Building.objects.filter(property_number="E-3001").exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert 'data-count="created">2<' in page and 'data-count="updated">1<' in page
    assert 'data-change-row="3" data-action="create"' in page
    assert "<strong>year built</strong>: — → 1898" in page  # E-1001 gets its year
    assert "solsikken, vesterbro-ny-skole" in page
    assert "data-run-for-real" in page
    assert "hx-trigger" not in page  # finished: no more polling

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{PAGE}runs/{dry_run.key}/run/")

    real = ImportRun.objects.exclude(pk=dry_run.pk).get()
    assert response["Location"] == f"{PAGE}runs/{real.key}/"
    assert not real.dry_run and real.state == "done" and real.file.name == dry_run.file.name
    assert Building.objects.filter(property_number__in=["E-3001", "E-3002"]).count() == 2
    assert real.started_by is not None and real.started_by.username == "admin"
    assert "data-run-for-real" not in admin_client.get(response["Location"]).content.decode()


def test_a_dry_run_with_errors_shows_them_and_cannot_be_run_for_real(
    admin_client: Client, department: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(PAGE, {"file": upload("bad_values.csv"), "mapping": "standard", "dry_run": "on"})
    run = ImportRun.objects.get()

    page = admin_client.get(response["Location"]).content.decode()

    assert 'data-count="errors">4<' in page
    assert 'data-error-row="2"' in page and 'data-error-row="5"' in page
    assert "12345" in page
    assert "all or nothing" in page
    assert "data-run-for-real" not in page
    response = admin_client.post(f"{PAGE}runs/{run.key}/run/", follow=True)
    assert ImportRun.objects.count() == 1
    assert "without errors" in response.content.decode()


def test_the_run_page_polls_its_progress_every_second_while_the_worker_runs(
    admin_client: Client, department: Organisation
) -> None:
    ensure_builtin_mappings()
    response = admin_client.post(
        PAGE, {"file": upload(), "mapping": "standard", "dry_run": "on"}
    )  # on_commit not run: queued
    run = ImportRun.objects.get()
    assert run.state == "queued"
    ImportRun.objects.filter(pk=run.pk).update(state="running", total_rows=200, processed_rows=80)

    partial = admin_client.get(response["Location"], headers={"HX-Request": "true"})

    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html and "80 of 200 rows" in html
    assert partial["Vary"].count("HX-Request") == 1

    ImportRun.objects.filter(pk=run.pk).update(state="queued")
    from esm.buildings.imports import execute_import

    execute_import(run.pk)
    done = admin_client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert 'data-state="done"' in done and 'value="100"' in done


def test_an_unknown_file_type_is_a_form_error(admin_client: Client) -> None:
    ensure_builtin_mappings()

    response = admin_client.post(PAGE, {"file": upload("notes.docx", b"PK-but-not-ours"), "mapping": "standard"})

    assert response.status_code == 400
    assert "CSV, XLSX or JSON" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_the_admin_form_refuses_a_mapping_with_unknown_fields_or_without_its_key(db: None) -> None:
    from esm.buildings.admin_imports import ImportMappingForm

    good = ImportMappingForm(
        {"name": "fm", "key": "property_number", "columns": '{"property_number": "Nr", "name": "Navn"}'}
    )
    bad = ImportMappingForm({"name": "fm2", "key": "bbr_id", "columns": '{"property_number": "Nr", "colour": "Farve"}'})

    assert good.is_valid(), good.errors
    assert not bad.is_valid()
    messages = " ".join(bad.errors["columns"])
    assert "colour" in messages and "bbr_id" in messages
