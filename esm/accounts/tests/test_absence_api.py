"""The absence API: list, record and cancel; who may; validation answers as problem+json."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from esm.accounts.models import Absence
from esm.accounts.services import record_absence
from esm.api.tests.helpers import ApiCaller, assert_problem

pytestmark = pytest.mark.django_db


def day(offset: int) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


@pytest.fixture
def api_as(client: Any) -> Any:
    return lambda user: ApiCaller(client, user)


def test_a_technician_records_her_own_absence_with_a_substitute(api_as, technician, other_technician):
    response = api_as(technician).post(
        "/absences",
        {"user": "tekniker", "starts": day(3), "ends": day(5), "substitute": "tekniker2", "reason": "Ferie"},
    )

    assert response.status_code == 201, response.content
    absence = Absence.objects.get()
    assert response.json() == {
        "id": absence.pk,
        "user": "tekniker",
        "starts": day(3),
        "ends": day(5),
        "substitute": "tekniker2",
        "reason": "Ferie",
        "created_by": "tekniker",
    }
    assert (absence.user, absence.substitute, absence.created_by) == (technician, other_technician, technician)


def test_a_team_lead_records_absence_for_a_member_of_her_team(api_as, team_lead, technician):
    response = api_as(team_lead).post("/absences", {"user": "tekniker", "starts": day(0), "ends": day(1)})

    assert response.status_code == 201, response.content
    assert Absence.objects.get().created_by == team_lead


def test_a_technician_cannot_record_absence_for_someone_else(api_as, technician, other_technician):
    response = api_as(technician).post("/absences", {"user": "tekniker2", "starts": day(1), "ends": day(2)})

    assert_problem(response, 403, "permission_denied")
    assert not Absence.objects.exists()


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_customers_and_tenants_are_refused_everything(request, api_as, persona, technician):
    absence = record_absence(technician, user=technician, starts=timezone.localdate(), ends=timezone.localdate())
    caller = api_as(request.getfixturevalue(persona))

    assert_problem(caller.get("/absences", {"user": "tekniker"}), 403, "permission_denied")
    assert_problem(
        caller.post("/absences", {"user": "tekniker", "starts": day(1), "ends": day(2)}), 403, "permission_denied"
    )
    assert_problem(caller.delete(f"/absences/{absence.pk}"), 403, "permission_denied")
    assert list(Absence.objects.values_list("pk", "ends")) == [(absence.pk, absence.ends)]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"user": "tekniker", "starts": "2026-13-01", "ends": day(2)}, 422, "validation_error", "starts"),
        ({"user": "tekniker", "starts": day(1)}, 422, "validation_error", "ends"),
        ({"user": "tekniker", "starts": day(3), "ends": day(1)}, 400, "validation_error", "ends"),
        ({"user": "ingen", "starts": day(1), "ends": day(2)}, 400, "unknown_user", "user"),
        (
            {"user": "tekniker", "starts": day(1), "ends": day(2), "substitute": "ingen"},
            400,
            "unknown_user",
            "substitute",
        ),
        ({"user": "tekniker", "starts": day(1), "ends": day(2), "colour": "red"}, 422, "validation_error", "colour"),
    ],
)
def test_invalid_absences_are_problems_naming_the_field(api_as, technician, body, status, code, field):
    response = api_as(technician).post("/absences", body)

    assert response["Content-Type"] == "application/problem+json", response.content
    problem = assert_problem(response, status, code)
    assert field in problem["errors"], problem
    assert not Absence.objects.exists()


def test_the_list_shows_coming_and_current_absences_only(api_as, technician, team_lead, other_technician):
    today = timezone.localdate()
    now = timezone.now()
    past = Absence.objects.create(
        user=technician, starts=today - timedelta(days=9), ends=today - timedelta(days=8), created_at=now
    )
    current = record_absence(team_lead, user=technician, starts=today - timedelta(days=1), ends=today)
    coming = record_absence(
        technician, user=technician, starts=today + timedelta(days=7), ends=today + timedelta(days=8)
    )
    record_absence(other_technician, user=other_technician, starts=today, ends=today)

    listed = api_as(other_technician).get("/absences", {"user": "tekniker"})
    now_only = api_as(other_technician).get("/absences", {"user": "tekniker", "current": "true"})

    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()] == [current.pk, coming.pk]
    assert past.pk not in [row["id"] for row in listed.json()]
    assert [row["id"] for row in now_only.json()] == [current.pk]
    assert now_only.json()[0]["created_by"] == "teamleder"


def test_without_a_user_the_list_is_your_own_or_your_teams(api_as, technician, team_lead, other_technician):
    today = timezone.localdate()
    mine = record_absence(technician, user=technician, starts=today, ends=today)
    record_absence(other_technician, user=other_technician, starts=today, ends=today)

    assert [row["id"] for row in api_as(technician).get("/absences").json()] == [mine.pk]
    assert [row["id"] for row in api_as(team_lead).get("/absences").json()] == [mine.pk]
    assert api_as(other_technician).get("/absences").json()[0]["user"] == "tekniker2"


def test_an_unknown_user_in_the_list_is_a_problem(api_as, technician):
    problem = assert_problem(api_as(technician).get("/absences", {"user": "ingen"}), 400, "unknown_user")

    assert "user" in problem["errors"]


def test_cancelling_a_coming_absence_removes_it(api_as, technician):
    absence = record_absence(
        technician,
        user=technician,
        starts=timezone.localdate() + timedelta(days=2),
        ends=timezone.localdate() + timedelta(days=3),
    )

    response = api_as(technician).delete(f"/absences/{absence.pk}")

    assert response.status_code == 204, response.content
    assert not Absence.objects.exists()


def test_cancelling_an_absence_under_way_ends_it_yesterday(api_as, team_lead, technician):
    today = timezone.localdate()
    absence = record_absence(
        technician, user=technician, starts=today - timedelta(days=2), ends=today + timedelta(days=2)
    )

    assert api_as(team_lead).delete(f"/absences/{absence.pk}").status_code == 204

    absence.refresh_from_db()
    assert absence.ends == today - timedelta(days=1)


def test_only_those_who_may_cancel_an_absence(api_as, technician, other_technician):
    absence = record_absence(technician, user=technician, starts=timezone.localdate(), ends=timezone.localdate())

    assert_problem(api_as(other_technician).delete(f"/absences/{absence.pk}"), 403, "permission_denied")
    assert_problem(api_as(technician).delete("/absences/999999"), 404, "not_found")
    assert Absence.objects.filter(pk=absence.pk, ends=absence.ends).exists()


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/absences").status_code == 401


def test_the_openapi_schema_lists_the_absence_and_knowledge_endpoints(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/absences"]) >= {"get", "post"}
    assert "delete" in paths["/api/v1/absences/{absence_id}"]
    assert "get" in paths["/api/v1/knowledge/suggestions"]
