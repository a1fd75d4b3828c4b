"""Who sees what: one role × action matrix over the UI and the API.

The subject is a case that Lise (a teacher) reported at her school, with one public and
one internal attachment. For every persona and every action we assert the answer, and
for every refused action that the case is exactly as it was.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from esm.accounts.models import Absence
from esm.accounts.services import issue_api_token, record_absence
from esm.cases.models import Attachment, Case
from esm.cases.services import add_attachments, add_internal_note

pytestmark = pytest.mark.django_db

PERSONAS = ["customer", "colleague", "outsider", "tenant", "technician", "team_lead", "administrator", "anonymous"]
HANDLERS = {"technician", "team_lead", "administrator"}
SAME_ORGANISATION = {"customer", "colleague"}
SEES_CASE = HANDLERS | SAME_ORGANISATION
SIGNED_IN = set(PERSONAS) - {"anonymous"}
# the technician's own absence: herself, her team lead (same team) and the administrator
MANAGES_TECHNICIAN = {"technician", "team_lead", "administrator"}
SOON = date.today() + timedelta(days=30)


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def subject(make_case, technician) -> dict[str, Any]:
    case = make_case()
    public = add_attachments(
        technician, case=case, uploads=[SimpleUploadedFile("foto.png", tiny_png())], is_public=True
    )[0]
    internal = add_attachments(
        technician, case=case, uploads=[SimpleUploadedFile("intern.png", tiny_png())], is_public=False
    )[0]
    add_internal_note(technician, case=case, body="Nøglen ligger hos pedellen.")
    absence = record_absence(
        technician, user=technician, starts=SOON - timedelta(days=10), ends=SOON - timedelta(days=9)
    )
    return {"case": case, "public": public, "internal": internal, "absence": absence}


@pytest.fixture
def people(customer, colleague, outsider, tenant, technician, team_lead, administrator) -> dict[str, Any]:
    return {
        "customer": customer,
        "colleague": colleague,
        "outsider": outsider,
        "tenant": tenant,
        "technician": technician,
        "team_lead": team_lead,
        "administrator": administrator,
        "anonymous": None,
    }


def snapshot(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.assignee_id,
        fresh.priority,
        fresh.updated_at,
        fresh.events.count(),
        Attachment.objects.count(),
        tuple(Absence.objects.order_by("pk").values_list("pk", "starts", "ends", "substitute_id")),
    )


def web_client(person: Any) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def api_client(person: Any) -> Client:
    if person is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(person)}")


# (name, surface, method, url template, data, who may)
ACTIONS: list[tuple[str, str, str, str, Any, set[str]]] = [
    ("view case", "ui", "get", "/portal/cases/{number}/", None, SEES_CASE),
    ("view case in desk", "ui", "get", "/desk/cases/{number}/", None, HANDLERS),
    ("reply from portal", "ui", "post", "/portal/cases/{number}/", {"body": "Hej"}, SEES_CASE),
    ("reply from desk", "ui", "post", "/desk/cases/{number}/reply/", {"body": "Hej"}, HANDLERS),
    ("internal note", "ui", "post", "/desk/cases/{number}/note/", {"body": "Intern"}, HANDLERS),
    ("start work", "ui", "post", "/desk/cases/{number}/action/", {"action": "start"}, HANDLERS),
    ("assign", "ui", "post", "/desk/cases/{number}/assign/", {"assignee": "tekniker"}, HANDLERS),
    ("download public file", "ui", "get", "/files/{public}/", None, SEES_CASE),
    ("download internal file", "ui", "get", "/files/{internal}/", None, HANDLERS),
    ("read case", "api", "get", "/api/v1/cases/{number}", None, SEES_CASE),
    ("read timeline", "api", "get", "/api/v1/cases/{number}/timeline", None, SEES_CASE),
    ("reply", "api", "post", "/api/v1/cases/{number}/timeline", {"kind": "reply", "body": "Hej"}, SEES_CASE),
    ("internal note", "api", "post", "/api/v1/cases/{number}/timeline", {"kind": "note", "body": "Intern"}, HANDLERS),
    ("start work", "api", "post", "/api/v1/cases/{number}/actions", {"action": "start"}, HANDLERS),
    ("change priority", "api", "patch", "/api/v1/cases/{number}", {"priority": "urgent"}, HANDLERS),
    ("assign", "api", "patch", "/api/v1/cases/{number}", {"assignee": "tekniker"}, HANDLERS),
    ("download public file", "api", "get", "/api/v1/cases/{number}/attachments/{public}", None, SEES_CASE),
    ("download internal file", "api", "get", "/api/v1/cases/{number}/attachments/{internal}", None, HANDLERS),
    ("list absences", "api", "get", "/api/v1/absences?user=tekniker", None, HANDLERS),
    (
        "record absence",
        "api",
        "post",
        "/api/v1/absences",
        {"user": "tekniker", "starts": SOON.isoformat(), "ends": SOON.isoformat()},
        MANAGES_TECHNICIAN,
    ),
    ("cancel absence", "api", "delete", "/api/v1/absences/{absence}", None, MANAGES_TECHNICIAN),
    ("knowledge suggestions", "api", "get", "/api/v1/knowledge/suggestions?title=varme", None, SIGNED_IN),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "surface", "method", "url", "data", "allowed"), ACTIONS, ids=[f"{a[1]}: {a[0]}" for a in ACTIONS]
)
def test_role_action_matrix(subject, people, persona, name, surface, method, url, data, allowed):
    cache.clear()
    case = subject["case"]
    target = url.format(
        number=case.number,
        public=subject["public"].key,
        internal=subject["internal"].key,
        absence=subject["absence"].pk,
    )
    person = people[persona]
    client = api_client(person) if surface == "api" else web_client(person)
    before = snapshot(case)

    if surface == "api" and data is not None:
        response = getattr(client, method)(target, data=json.dumps(data), content_type="application/json")
    elif data is not None:
        response = getattr(client, method)(target, data)
    else:
        response = getattr(client, method)(target)

    if persona in allowed:
        assert response.status_code in (200, 201, 204, 302), (persona, name, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"]
        return
    if persona == "anonymous":
        if surface == "api":
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif persona not in SEES_CASE and "/absences" not in url:
        # someone who cannot see the case learns nothing about it: 404, never 403
        assert response.status_code == 404, (persona, name, response.status_code)
    else:
        assert response.status_code in (403, 404, 409), (persona, name, response.status_code)
    assert snapshot(case) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_case_lists_show_only_what_each_person_may_see(subject, people, persona, make_case, other_building, outsider):
    cache.clear()
    theirs = make_case(reporter=outsider, building=other_building, title="Anden institutions sag")
    person = people[persona]
    response = api_client(person).get("/api/v1/cases?limit=100")
    if person is None:
        assert response.status_code == 401
        return
    numbers = {item["number"] for item in response.json()["items"]}
    assert (subject["case"].number in numbers) == (persona in SEES_CASE)
    assert (theirs.number in numbers) == (persona in HANDLERS | {"outsider"})
