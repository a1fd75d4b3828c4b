"""The case services: reporting, conversation, assignment, handling time."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from esm.cases.models import Attachment, Case, CaseEvent, EventKind, Status, TimeEntry, TimeSource
from esm.cases.services import (
    add_internal_note,
    add_phone_note,
    bulk_assign_cases,
    correct_handling_time,
    open_case,
    record_active_time,
    reply_to_case,
)
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (55.0, 40.0, 12.0), 3: "E", 4: (12.0, 34.0, 5.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_reported_case_gets_a_readable_number_and_a_created_event(make_case, customer, school):
    case = make_case()

    assert case.number == f"S-{timezone.now().year}-000001"
    assert case.organisation == school
    assert case.customer_type == "municipal"
    assert case.status == Status.NEW
    created = case.events.get()
    assert created.kind == EventKind.CREATED and created.is_public and created.actor == customer


def test_case_numbers_continue_in_sequence(make_case):
    numbers = [make_case().number for _ in range(3)]
    assert [n[-6:] for n in numbers] == ["000001", "000002", "000003"]


def test_a_tenants_case_belongs_to_no_organisation(make_case, tenant):
    case = make_case(reporter=tenant)
    assert case.organisation is None
    assert case.customer_type == "tenant"


def test_a_report_with_several_errors_names_each_and_writes_nothing(customer, building, categories):
    with pytest.raises(DomainError) as refused:
        open_case(customer, title="", description="x", building="NOPE", category="unicorns")

    assert set(refused.value.errors) == {"title", "building", "category"}
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_an_unknown_category_is_refused_with_its_code(customer, building, categories):
    with pytest.raises(DomainError) as refused:
        open_case(customer, title="Utæt tag", description="Det drypper", building=building, category="unicorns")
    assert refused.value.code == ErrorCode.UNKNOWN_CATEGORY


def test_location_is_stripped_from_a_customers_photo(make_case):
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")

    case = make_case(uploads=[photo])

    attachment = case.attachments.get()
    with attachment.file.open("rb") as stored:
        assert 0x8825 not in Image.open(stored).getexif()
    assert attachment.thumbnail
    assert attachment.is_public


def test_a_disguised_upload_refuses_the_whole_report(customer, building, categories):
    fake = SimpleUploadedFile("billede.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")

    with pytest.raises(DomainError) as refused:
        open_case(customer, title="Rude", description="Knust", building=building, category="glass", uploads=[fake])

    assert refused.value.code == ErrorCode.FILE_TYPE_NOT_ALLOWED
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_an_oversized_upload_is_refused(customer, building, categories, settings):
    settings.ESM_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("foto.jpg", jpeg_with_gps() + b"\x00" * 2048)

    with pytest.raises(DomainError) as refused:
        open_case(customer, title="Rude", description="Knust", building=building, category="glass", uploads=[big])

    assert refused.value.code == ErrorCode.FILE_TOO_LARGE
    assert Case.objects.count() == 0


def test_the_customer_never_sees_internal_notes(make_case, customer, technician):
    from esm.cases.queries import timeline_for

    case = make_case()
    add_internal_note(technician, case=case, body="Kunden har ringet tre gange før.")
    reply_to_case(technician, case=case, body="Vi sender en glarmester i morgen.")

    customer_sees = [e.kind for e in timeline_for(customer, case)]
    desk_sees = [e.kind for e in timeline_for(technician, case)]

    assert EventKind.NOTE not in customer_sees
    assert EventKind.REPLY in customer_sees
    assert EventKind.NOTE in desk_sees


def test_a_customer_cannot_write_an_internal_note(make_case, customer):
    case = make_case()
    with pytest.raises(DomainError) as refused:
        add_internal_note(customer, case=case, body="Hemmeligt")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not case.events.filter(kind=EventKind.NOTE).exists()


def test_a_phone_note_counts_its_duration_as_handling_time(make_case, technician):
    case = make_case()

    add_phone_note(technician, case=case, body="Talt med pedellen om adgang.", duration_seconds=420)

    entry = TimeEntry.objects.get(case=case)
    assert (entry.source, entry.seconds, entry.user) == (TimeSource.PHONE, 420, technician)
    case.refresh_from_db()
    assert case.first_responded_at is not None


def test_repeated_heartbeats_of_one_page_never_count_twice(make_case, technician):
    case = make_case()
    session = uuid.uuid4()
    opened = timezone.now()

    record_active_time(
        technician, case=case, session_key=session, active_seconds=30, now=opened + timedelta(seconds=30)
    )
    record_active_time(
        technician, case=case, session_key=session, active_seconds=60, now=opened + timedelta(seconds=61)
    )
    record_active_time(
        technician, case=case, session_key=session, active_seconds=60, now=opened + timedelta(seconds=62)
    )

    assert TimeEntry.objects.get(session_key=session).seconds == 60


def test_a_heartbeat_cannot_claim_more_time_than_has_passed(make_case, technician):
    case = make_case()
    session = uuid.uuid4()
    start = timezone.now()
    record_active_time(technician, case=case, session_key=session, active_seconds=0, started_at=start, now=start)

    record_active_time(
        technician, case=case, session_key=session, active_seconds=5000, now=start + timedelta(seconds=60)
    )

    assert TimeEntry.objects.get(session_key=session).seconds <= 65


def test_a_technician_cannot_correct_a_colleagues_time_but_a_team_lead_can(
    make_case, technician, other_technician, team_lead
):
    case = make_case()
    with pytest.raises(DomainError):
        correct_handling_time(technician, case=case, user=other_technician, seconds=600, note="Glemt")

    correct_handling_time(team_lead, case=case, user=other_technician, seconds=600, note="Glemt at starte siden")

    assert TimeEntry.objects.get(case=case).seconds == 600
    assert case.events.filter(kind=EventKind.TIME_CORRECTED).exists()


def test_bulk_assign_is_all_or_nothing(make_case, technician, customer):
    cases = [make_case(), make_case()]

    with pytest.raises(DomainError):
        bulk_assign_cases(technician, cases=cases, assignee=customer)

    assert not Case.objects.filter(assignee__isnull=False).exists()
    assert bulk_assign_cases(technician, cases=cases, assignee=technician) == 2
    assert Case.objects.filter(assignee=technician).count() == 2


def test_a_reply_is_found_by_full_text_search(make_case, technician):
    from esm.cases.queries import cases_visible_to, search

    case = make_case()
    reply_to_case(technician, case=case, body="Glarmesteren kommer torsdag med en termorude.")

    found = search(cases_visible_to(technician), "termorude")

    assert list(found) == [case]


def test_search_finds_a_case_by_its_number(make_case, technician):
    from esm.cases.queries import cases_visible_to, search

    case = make_case()
    make_case(title="Noget andet")
    assert list(search(cases_visible_to(technician), case.number)) == [case]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Danish stemming needs PostgreSQL")
def test_danish_stemming_finds_inflected_words(make_case, technician):
    from esm.cases.queries import cases_visible_to, search

    case = make_case(title="Knuste ruder i gymnastiksalen")
    assert case in search(cases_visible_to(technician), "rude")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs a server database")
def test_concurrent_reports_never_get_the_same_number(building, categories, customer):
    numbers: list[str] = []
    errors: list[BaseException] = []

    def report() -> None:
        try:
            for _ in range(5):
                numbers.append(
                    open_case(customer, title="Rude", description="Knust", building=building, category="glass").number
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(numbers) == len(set(numbers)) == 20


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.one_of(text, st.none(), st.integers()),
    description=st.one_of(text, st.none()),
    building_ref=st.one_of(st.just("E-1001"), text, st.integers(), st.integers(min_value=2**63), st.none()),
    category=st.one_of(st.sampled_from(["glass", "pests", "other"]), text, st.integers(), st.none()),
    priority=st.one_of(st.sampled_from(["urgent", "high", "normal", "low"]), text),
    location=st.one_of(text, st.text(min_size=201, max_size=400)),
)
def test_generated_reports_either_open_a_case_or_are_refused_cleanly(
    customer, building, categories, title, description, building_ref, category, priority, location
):
    before = Case.objects.count()
    try:
        case = open_case(
            customer,
            title=title,
            description=description,
            building=building_ref,
            category=category,
            priority=priority,
            location=location,
        )
    except DomainError as refused:
        assert refused.code in set(ErrorCode)
        assert refused.errors or refused.message
        assert Case.objects.count() == before
    else:
        assert Case.objects.count() == before + 1
        assert case.title.strip() and case.description.strip()
