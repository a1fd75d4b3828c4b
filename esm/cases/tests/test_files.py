"""Attachments are served only through a permission check; anything else is 404, never 403."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from esm.cases.models import Attachment
from esm.cases.services import add_internal_note, reply_to_case

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def photo(name: str = "IMG_0042.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "firebrick").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def read(response) -> bytes:
    return b"".join(response.streaming_content)


def file_url(attachment: Attachment) -> str:
    return reverse("files:attachment", args=[attachment.key])


def thumbnail_url(attachment: Attachment) -> str:
    return reverse("files:thumbnail", args=[attachment.key])


def test_the_reporter_gets_her_photo_with_its_name_and_safe_headers(client, make_case, customer):
    case = make_case(uploads=[photo("Knust rude.jpg")])
    attachment = case.attachments.get()
    client.force_login(customer)

    response = client.get(file_url(attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="Knust rude.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert "Cookie" in response["Vary"]
    with attachment.file.open("rb") as stored:
        assert read(response) == stored.read()


def test_a_download_link_saves_the_file_instead_of_showing_it(client, make_case, customer):
    case = make_case(uploads=[photo()])
    client.force_login(customer)

    response = client.get(file_url(case.attachments.get()), {"download": "1"})

    assert response["Content-Disposition"] == 'attachment; filename="IMG_0042.jpg"'


def test_a_file_with_a_danish_name_keeps_its_name(client, make_case, customer):
    case = make_case(uploads=[SimpleUploadedFile("Tilbud på rude.pdf", PDF)])
    client.force_login(customer)

    response = client.get(file_url(case.attachments.get()))

    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''Tilbud%20p%C3%A5%20rude.pdf" in response["Content-Disposition"]


def test_files_that_a_browser_should_not_show_are_always_downloads(client, make_case, customer):
    case = make_case(uploads=[SimpleUploadedFile("måling.txt", b"Radiatoren er kold\n")])
    client.force_login(customer)

    response = client.get(file_url(case.attachments.get()))

    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_thumbnail_is_a_small_jpeg(client, make_case, customer):
    case = make_case(uploads=[photo()])
    client.force_login(customer)

    response = client.get(thumbnail_url(case.attachments.get()))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    with Image.open(io.BytesIO(read(response))) as image:
        assert max(image.size) <= 400


def test_a_file_without_a_thumbnail_has_no_thumbnail_url(client, make_case, customer):
    case = make_case(uploads=[SimpleUploadedFile("tegning.pdf", PDF)])
    client.force_login(customer)

    assert client.get(thumbnail_url(case.attachments.get())).status_code == 404


def test_a_colleague_in_the_same_organisation_gets_the_file(client, make_case, customer, colleague):
    case = make_case(reporter=customer, uploads=[photo()])
    client.force_login(colleague)

    assert client.get(file_url(case.attachments.get())).status_code == 200


def test_a_customer_of_another_institution_gets_not_found(client, make_case, customer, outsider):
    case = make_case(reporter=customer, uploads=[photo()])
    attachment = case.attachments.get()
    client.force_login(outsider)

    assert client.get(file_url(attachment)).status_code == 404
    assert client.get(thumbnail_url(attachment)).status_code == 404


def test_a_tenant_gets_not_found_for_another_tenants_file(client, make_case, tenant, other_tenant, building):
    case = make_case(reporter=other_tenant)
    reply_to_case(other_tenant, case=case, body="Billede af skaden", uploads=[photo()])
    attachment = case.attachments.get()
    client.force_login(tenant)

    assert client.get(file_url(attachment)).status_code == 404
    assert client.get(thumbnail_url(attachment)).status_code == 404


def test_a_reporter_gets_not_found_for_an_internal_attachment_the_desk_gets_it(client, make_case, customer, technician):
    case = make_case()
    add_internal_note(technician, case=case, body="Skitse af låsen", uploads=[photo("intern.jpg")])
    attachment = Attachment.objects.get(filename="intern.jpg")
    assert not attachment.is_public

    client.force_login(customer)
    reporter_file, reporter_thumbnail = client.get(file_url(attachment)), client.get(thumbnail_url(attachment))
    client.force_login(technician)
    desk_file = client.get(file_url(attachment))

    assert reporter_file.status_code == 404
    assert reporter_thumbnail.status_code == 404
    assert desk_file.status_code == 200


def test_an_unknown_or_malformed_key_is_not_found(client, customer):
    client.force_login(customer)

    assert client.get(reverse("files:attachment", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/files/not-a-key/").status_code == 404
    assert client.get("/files/../../etc/passwd").status_code == 404


def test_a_file_missing_from_the_storage_is_not_found_rather_than_an_error(client, make_case, customer):
    case = make_case(uploads=[photo()])
    attachment = case.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(customer)

    assert client.get(file_url(attachment)).status_code == 404


def test_signing_in_comes_first(client, make_case):
    case = make_case(uploads=[photo()])

    response = client.get(file_url(case.attachments.get()))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_files_are_only_read_not_written(client, make_case, customer):
    case = make_case(uploads=[photo()])
    client.force_login(customer)

    assert client.post(file_url(case.attachments.get())).status_code == 405
    assert client.head(file_url(case.attachments.get())).status_code == 200
