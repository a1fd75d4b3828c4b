"""The admin: administrators edit categories, SLA targets, business hours, teams and users."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from esm.cases.models import Category, SlaTarget

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    "page",
    [
        "/admin/cases/category/",
        "/admin/cases/slatarget/",
        "/admin/cases/businesshours/",
        "/admin/accounts/team/",
        "/admin/accounts/user/",
        "/admin/accounts/organisation/",
        "/admin/buildings/building/",
        "/admin/cases/case/",
    ],
)
def test_an_administrator_opens_every_admin_list(client, administrator, page):
    client.force_login(administrator)
    assert client.get(page).status_code == 200


def test_a_technician_has_no_admin(client, technician):
    client.force_login(technician)
    response = client.get("/admin/cases/category/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_adds_a_category_to_the_tree(client, administrator, categories):
    client.force_login(administrator)

    response = client.post(
        "/admin/cases/category/add/",
        {
            "code": "graffiti",
            "name_da": "Graffiti",
            "name_en": "Graffiti",
            "parent": categories["outdoor"].pk,
            "is_active": "on",
            "position": 20,
        },
    )

    assert response.status_code == 302
    assert Category.objects.get(code="graffiti").parent == categories["outdoor"]


def test_changing_an_sla_target_in_the_admin_recomputes_open_cases(
    client, administrator, make_case, django_capture_on_commit_callbacks
):
    case = make_case(priority="high", now=datetime(2026, 11, 23, 8, 0, tzinfo=CPH))
    target = SlaTarget.objects.get(priority="high")
    client.force_login(administrator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/cases/slatarget/{target.pk}/change/",
            {"priority": "high", "first_response_minutes": 30, "resolution_minutes": 120},
        )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.first_response_due_at == datetime(2026, 11, 23, 8, 30, tzinfo=CPH)
    assert case.resolution_due_at == datetime(2026, 11, 23, 10, 0, tzinfo=CPH)
