"""Exactly once: a reply or note the phone sends again with the same client key lands once.

The phone's outbox sends each message with a key it made when the message was written; when
the answer is lost (the connection drops after the server wrote it) the outbox sends it again.
"""

from __future__ import annotations

import io
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from esm.cases.models import Attachment, CaseEvent, EventKind, TimeEntry
from esm.cases.services import add_internal_note, add_phone_note, reply_to_case
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def photo(name: str = "IMG_0042.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "firebrick").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_reply_sent_twice_with_the_same_key_is_one_event_with_one_set_of_attachments(technician, make_case):
    case = make_case()
    key = uuid.uuid4()

    first = reply_to_case(technician, case=case, body="Vi kommer kl. 9.", uploads=[photo()], client_key=key)
    again = reply_to_case(technician, case=case, body="Vi kommer kl. 9.", uploads=[photo()], client_key=str(key))

    assert again.pk == first.pk
    assert case.events.filter(kind=EventKind.REPLY).count() == 1
    assert Attachment.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.get(client_key=key).body == "Vi kommer kl. 9."


def test_replies_without_a_key_are_separate_messages(technician, make_case):
    case = make_case()

    reply_to_case(technician, case=case, body="Samme tekst")
    reply_to_case(technician, case=case, body="Samme tekst")

    assert case.events.filter(kind=EventKind.REPLY).count() == 2


def test_a_note_sent_twice_is_one_note(technician, make_case):
    case = make_case()
    key = uuid.uuid4()

    add_internal_note(technician, case=case, body="Kræver lift.", uploads=[photo()], client_key=key)
    add_internal_note(technician, case=case, body="Kræver lift.", uploads=[photo()], client_key=key)

    assert case.events.filter(kind=EventKind.NOTE).count() == 1
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_phone_note_sent_twice_counts_its_time_once(technician, make_case):
    case = make_case()
    key = uuid.uuid4()

    add_phone_note(technician, case=case, body="Aftalt besøg.", duration_seconds=300, client_key=key)
    add_phone_note(technician, case=case, body="Aftalt besøg.", duration_seconds=300, client_key=key)

    assert case.events.filter(kind=EventKind.PHONE_NOTE).count() == 1
    assert TimeEntry.objects.filter(case=case).count() == 1


def test_a_resend_lands_even_after_the_case_was_closed_meanwhile(technician, make_case):
    case = make_case()
    key = uuid.uuid4()
    first = reply_to_case(technician, case=case, body="Færdig.", client_key=key)
    case.status = "closed"
    case.save(update_fields=["status"])

    assert reply_to_case(technician, case=case, body="Færdig.", client_key=key).pk == first.pk


def test_the_same_key_on_another_case_is_refused_clearly(technician, make_case):
    case, other = make_case(), make_case(title="Dør klemmer")
    key = uuid.uuid4()
    reply_to_case(technician, case=case, body="Første", client_key=key)

    with pytest.raises(DomainError) as refused:
        reply_to_case(technician, case=other, body="Første", client_key=key)

    assert refused.value.code == ErrorCode.CONFLICT
    assert other.events.filter(kind=EventKind.REPLY).count() == 0


def test_the_same_key_as_another_kind_of_message_is_refused(technician, make_case):
    case = make_case()
    key = uuid.uuid4()
    reply_to_case(technician, case=case, body="Svar", client_key=key)

    with pytest.raises(DomainError) as refused:
        add_internal_note(technician, case=case, body="Note", client_key=key)

    assert refused.value.code == ErrorCode.CONFLICT
    assert not case.events.filter(kind=EventKind.NOTE).exists()


def test_a_malformed_key_is_a_validation_error(technician, make_case):
    case = make_case()

    with pytest.raises(DomainError) as refused:
        reply_to_case(technician, case=case, body="Svar", client_key="not-a-key")

    assert refused.value.code == ErrorCode.VALIDATION
    assert not case.events.filter(kind=EventKind.REPLY).exists()


# --- the desk's forms carry the key -------------------------------------------------------


@pytest.fixture
def desk(client, technician):
    client.force_login(technician)
    return client


@pytest.mark.parametrize(
    ("url_name", "data", "kind"),
    [
        ("desk:reply", {"body": "Vi kommer i morgen."}, EventKind.REPLY),
        ("desk:note", {"body": "Kræver lift."}, EventKind.NOTE),
        ("desk:phone_note", {"body": "Aftalt besøg.", "minutes": "5"}, EventKind.PHONE_NOTE),
    ],
)
def test_a_form_posted_twice_with_the_same_key_lands_once(desk, make_case, url_name, data, kind):
    case = make_case()
    key = str(uuid.uuid4())
    url = reverse(url_name, args=[case.number])

    first = desk.post(url, {**data, "client_key": key})
    second = desk.post(url, {**data, "client_key": key})

    assert first.status_code == second.status_code == 302
    assert case.events.filter(kind=kind).count() == 1
    assert str(case.events.get(kind=kind).client_key) == key


def test_a_reply_with_a_photo_posted_twice_keeps_one_photo(desk, make_case):
    case = make_case()
    key = str(uuid.uuid4())
    url = reverse("desk:reply", args=[case.number])

    desk.post(url, {"body": "Se billedet.", "files": [photo()], "client_key": key})
    desk.post(url, {"body": "Se billedet.", "files": [photo()], "client_key": key})

    assert Attachment.objects.filter(case=case).count() == 1


def test_a_key_used_on_another_case_is_shown_beside_the_form(desk, make_case):
    case, other = make_case(), make_case(title="Dør klemmer")
    key = str(uuid.uuid4())
    desk.post(reverse("desk:reply", args=[case.number]), {"body": "Første", "client_key": key})

    response = desk.post(reverse("desk:reply", args=[other.number]), {"body": "Første", "client_key": key})

    assert response.status_code == 400
    assert response.context["reply_form"].non_field_errors()
    assert not other.events.filter(kind=EventKind.REPLY).exists()


# --- two requests at the same time (PostgreSQL: real concurrent transactions) --------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_with_the_same_key_write_one_event(technician, make_case):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    case = make_case()
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(reply_to_case(technician, case=case, body="Samtidig", client_key=key).pk)
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and all(isinstance(pk, int) for pk in results), results
    assert results[0] == results[1]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REPLY).count() == 1
