"""Attachments through the API: upload, list, download, and who may fetch which file."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from esm.api.tests.helpers import API, assert_problem
from esm.cases.models import Attachment, CaseEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WINDOWS_PROGRAM = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
)


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def download(caller, url: str):
    return caller.client.get(url.removeprefix("http://testserver"), headers=caller.headers)


def content_of(response) -> bytes:
    """The downloaded bytes; reading to the end closes the file (the test client's wrapper
    does, without closing the test's database connection as `response.close()` would)."""
    return b"".join(response.streaming_content)


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_customer_uploads_photos_and_a_pdf_and_downloads_them_again(api_as, customer, make_case):
    case = make_case()
    caller = api_as(customer)

    response = caller.upload(
        f"/cases/{case.number}/attachments",
        [SimpleUploadedFile("rude.jpg", photo()), SimpleUploadedFile("tilbud.pdf", PDF)],
    )

    assert response.status_code == 201, response.content
    uploaded = response.json()
    assert [(a["filename"], a["content_type"], a["is_public"]) for a in uploaded] == [
        ("rude.jpg", "image/jpeg", True),
        ("tilbud.pdf", "application/pdf", True),
    ]
    listed = caller.get(f"/cases/{case.number}/attachments").json()
    assert [a["key"] for a in listed] == [a["key"] for a in uploaded]
    pdf = download(caller, uploaded[1]["url"])
    assert pdf.status_code == 200
    assert content_of(pdf) == PDF
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert "tilbud.pdf" in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff"
    timeline = caller.get(f"/cases/{case.number}/timeline").json()["items"]
    assert timeline[-1]["kind"] == "attachment_added"
    assert [a["filename"] for a in timeline[-1]["attachments"]] == ["rude.jpg", "tilbud.pdf"]


def test_a_customer_can_neither_see_nor_download_an_internal_attachment(api_as, customer, technician, make_case):
    case = make_case()
    internal = api_as(technician).upload(
        f"/cases/{case.number}/attachments", [SimpleUploadedFile("tilbud.pdf", PDF)], is_public="false"
    )
    assert internal.status_code == 201, internal.content
    url = internal.json()[0]["url"]
    assert internal.json()[0]["is_public"] is False

    assert api_as(customer).get(f"/cases/{case.number}/attachments").json() == []
    assert_problem(download(api_as(customer), url), 404, "not_found")
    assert "tilbud.pdf" not in api_as(customer).get(f"/cases/{case.number}/timeline").content.decode()
    staff = download(api_as(technician), url)
    assert staff.status_code == 200
    assert content_of(staff) == PDF


def test_a_customer_cannot_make_an_attachment_internal(api_as, customer, make_case):
    case = make_case()

    response = api_as(customer).upload(
        f"/cases/{case.number}/attachments", [SimpleUploadedFile("a.pdf", PDF)], is_public="false"
    )

    assert response.status_code == 201
    assert response.json()[0]["is_public"] is True


def test_guessing_an_attachment_key_or_using_it_under_another_case_finds_nothing(
    api_as, customer, outsider, make_case, other_building
):
    case = make_case()
    mettes_case = make_case(reporter=outsider, building=other_building)
    url = (
        api_as(customer)
        .upload(f"/cases/{case.number}/attachments", [SimpleUploadedFile("a.pdf", PDF)])
        .json()[0]["url"]
    )
    key = url.rsplit("/", 1)[1]
    caller = api_as(customer)

    for path in (
        f"/cases/{case.number}/attachments/{uuid.uuid4()}",
        f"/cases/{case.number}/attachments/not-a-key",
        f"/cases/{case.number}/attachments/{key[:-1]}%00",
        f"/cases/{mettes_case.number}/attachments/{key}",
    ):
        assert_problem(caller.client.get(API + path, headers=caller.headers), 404, "not_found")
    assert_problem(download(api_as(outsider), url), 404, "not_found")
    assert_problem(
        api_as(outsider).client.get(
            f"{API}/cases/{mettes_case.number}/attachments/{key}", headers=api_as(outsider).headers
        ),
        404,
        "not_found",
    )


def test_a_program_disguised_as_a_photo_is_refused_with_415_and_nothing_is_written(
    api_as, customer, make_case, settings
):
    case = make_case()
    events = CaseEvent.objects.count()
    files_before = stored_files(settings)

    response = api_as(customer).upload(
        f"/cases/{case.number}/attachments",
        [SimpleUploadedFile("ferie.jpg", photo()), SimpleUploadedFile("rude.jpg", WINDOWS_PROGRAM, "image/jpeg")],
    )

    assert_problem(response, 415, "file_type_not_allowed")
    assert not Attachment.objects.exists()
    assert CaseEvent.objects.count() == events
    assert stored_files(settings) == files_before


def test_an_oversized_file_is_refused_with_413_and_nothing_is_written(api_as, customer, make_case, settings):
    settings.ESM_ATTACHMENT_MAX_BYTES = 1024
    case = make_case()
    events = CaseEvent.objects.count()

    response = api_as(customer).upload(
        f"/cases/{case.number}/attachments", [SimpleUploadedFile("stor.pdf", PDF + b"0" * 2048)]
    )

    assert_problem(response, 413, "file_too_large")
    assert not Attachment.objects.exists()
    assert CaseEvent.objects.count() == events


@pytest.mark.parametrize(
    ("send", "status"),
    [
        ({"is_public": "true"}, 422),  # no files at all
        ({"files": "not a file"}, 422),
        ({"files": [SimpleUploadedFile("a.pdf", PDF)], "is_public": "perhaps"}, 422),
        ({"files": [SimpleUploadedFile("empty.pdf", b"")]}, 400),
    ],
)
def test_a_bad_upload_is_a_4xx_problem(api_as, customer, make_case, send, status):
    case = make_case()
    caller = api_as(customer)

    response = caller.client.post(f"{API}/cases/{case.number}/attachments", send, headers=caller.headers)

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not Attachment.objects.exists()


def test_json_sent_to_the_upload_is_a_problem(api_as, customer, make_case):
    case = make_case()

    response = api_as(customer).post(f"/cases/{case.number}/attachments", {"files": ["a.jpg"]})

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
