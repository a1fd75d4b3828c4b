"""The desk's maintenance calendar: week and month, the case link, overdue flags, team filter, who may see it."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from esm.buildings.models import Installation, InstallationKind, MaintenancePlan
from esm.cases.maintenance import generate_due_cases
from esm.cases.models import Case
from esm.cases.services import assign_case, transition_case

pytestmark = pytest.mark.django_db

URL = "/desk/maintenance/"


@pytest.fixture
def desk(client, technician):
    client.force_login(technician)
    return client


@pytest.fixture
def make_plan(building, categories, teams):
    def factory(**fields: object) -> MaintenancePlan:
        values: dict[str, object] = {
            "building": building,
            "task": "Eftersyn",
            "first_due": date(2026, 4, 15),
            "interval_months": 12,
            "lead_days": 14,
            "category_code": "heating",
            "team": teams["north"],
        }
        values.update(fields)
        return MaintenancePlan.objects.create(**values)

    return factory


def entries(response) -> list[tuple[str, str]]:
    """(plan pk, due date) of every entry in the period's list (the overdue box left out)."""
    html = response.content.decode()
    period = html.split("data-groups", 1)[1]
    return re.findall(r'data-entry data-plan="(\d+)" data-due="([\d-]+)"', period)


def overdue_entries(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    return re.findall(r'data-entry data-plan="(\d+)" data-due="([\d-]+)" data-overdue', html)


def link(response, nav: str) -> str:
    html = response.content.decode()
    match = re.search(r'href="([^"]+)"[^>]*data-nav="' + nav + '"', html)
    assert match, nav
    return match.group(1).replace("&amp;", "&")


def test_the_week_view_lists_what_is_due_that_week(desk, make_plan):
    boiler = make_plan(task="Service af fyr", first_due=date(2026, 4, 15))  # a Wednesday
    gutters = make_plan(task="Rens tagrender", interval_months=None, season_months=[4, 10], first_due=date(2026, 4, 20))
    alarm = make_plan(task="Brandalarm", interval_months=3, first_due=date(2026, 1, 13))  # 13 Apr: Monday

    response = desk.get(URL, {"date": "2026-04-16"})

    assert response.status_code == 200
    assert 'data-view="week"' in response.content.decode()
    assert 'data-start="2026-04-13"' in response.content.decode()
    assert entries(response) == [(str(alarm.pk), "2026-04-13"), (str(boiler.pk), "2026-04-15")]
    assert str(gutters.pk) not in dict(entries(response))  # due the Monday after


def test_the_month_view_lists_the_whole_month_grouped_by_week(desk, make_plan):
    boiler = make_plan(task="Service af fyr", first_due=date(2026, 4, 15))
    gutters = make_plan(task="Rens tagrender", interval_months=None, season_months=[4, 10], first_due=date(2026, 4, 20))
    make_plan(task="Næste år", first_due=date(2027, 4, 1))

    response = desk.get(URL, {"view": "month", "date": "2026-04-16"})
    html = response.content.decode()

    assert 'data-view="month"' in html
    assert 'data-start="2026-04-01"' in html and 'data-end="2026-04-30"' in html
    assert entries(response) == [(str(boiler.pk), "2026-04-15"), (str(gutters.pk), "2026-04-20")]
    assert html.count("data-group=") == 5  # weeks starting 1, 6, 13, 20 and 27 April


def test_previous_and_next_move_by_a_week_or_a_month_and_keep_the_filter(desk, teams):
    week = desk.get(URL, {"date": "2026-04-16", "team": "syd"})
    month = desk.get(URL, {"view": "month", "date": "2026-01-31"})

    assert "date=2026-04-06" in link(week, "previous") and "team=syd" in link(week, "previous")
    assert "date=2026-04-20" in link(week, "next")
    assert "date=2025-12-01" in link(month, "previous") and "view=month" in link(month, "previous")
    assert "date=2026-02-01" in link(month, "next")
    assert 'data-start="2026-04-20"' in desk.get(link(week, "next")).content.decode()


def test_an_entry_links_the_case_once_it_is_opened(desk, make_plan, building):
    boiler = Installation.objects.create(building=building, kind=InstallationKind.BOILER, name="Gasfyr")
    make_plan(first_due=date(2026, 4, 15), installation=boiler)
    generate_due_cases(today=date(2026, 4, 1))
    case = Case.objects.get()

    html = desk.get(URL, {"date": "2026-04-15"}).content.decode()

    assert f'href="{reverse("desk:case", args=[case.number])}"' in html
    assert "Gasfyr" in html and building.property_number in html and "Team Nord" in html


def test_a_passed_occurrence_with_an_open_case_is_flagged_overdue_until_resolved(desk, make_plan, technician):
    today = timezone.localdate()
    due = today - timedelta(days=3)
    plan = make_plan(first_due=due, lead_days=14)
    generate_due_cases(today=due - timedelta(days=7))
    case = Case.objects.get()
    week = {"date": due.isoformat()}

    flagged = desk.get(URL, week)
    in_the_future = desk.get(URL, {"date": (today + timedelta(days=60)).isoformat()})

    assert overdue_entries(flagged).count((str(plan.pk), due.isoformat())) == 2  # in its week and in the box
    assert overdue_entries(in_the_future) == [(str(plan.pk), due.isoformat())]  # the box shows it whatever the period

    assign_case(technician, case=case, assignee=technician)
    transition_case(technician, case=case, action="resolve")

    resolved = desk.get(URL, week)
    assert overdue_entries(resolved) == []
    assert entries(resolved) == [(str(plan.pk), due.isoformat())]


def test_a_future_occurrence_and_a_past_date_without_a_case_are_not_overdue(desk, make_plan):
    today = timezone.localdate()
    make_plan(first_due=today + timedelta(days=2), interval_months=1)
    make_plan(first_due=today - timedelta(days=2), interval_months=1)  # never opened: no case to be late with

    response = desk.get(URL, {"view": "month"})

    assert overdue_entries(response) == []


def test_the_team_filter_keeps_that_teams_plans(desk, make_plan, teams):
    north = make_plan(task="Nord", team=teams["north"])
    south = make_plan(task="Syd", team=teams["south"])

    all_teams = desk.get(URL, {"date": "2026-04-15"})
    only_south = desk.get(URL, {"date": "2026-04-15", "team": "syd"})

    assert {pk for pk, _ in entries(all_teams)} == {str(north.pk), str(south.pk)}
    assert entries(only_south) == [(str(south.pk), "2026-04-15")]


def test_nonsense_parameters_fall_back_to_this_week(desk):
    response = desk.get(URL, {"view": "year", "date": "2026-13-45", "team": "nobody"})
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    assert response.status_code == 200
    assert f'data-start="{monday.isoformat()}"' in response.content.decode()
    assert desk.get(URL, {"date": "0001-01-01"}).status_code == 200
    assert desk.get(URL, {"view": "month", "date": "9999-12-31"}).status_code == 200


def test_the_calendar_is_a_list_not_a_wide_table(desk, make_plan):
    make_plan()

    html = desk.get(URL, {"date": "2026-04-15"}).content.decode()

    assert "<table" not in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'data-shortcut="n"' in html and 'data-shortcut="p"' in html


@pytest.mark.parametrize("role", ["team_lead", "administrator"])
def test_team_leads_and_administrators_see_the_calendar(client, role, request):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_a_customer_or_tenant_gets_404(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


# --- in a real browser: a phone, and the keyboard -----------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_calendar_fits_and_works_by_keyboard(live_server, make_plan, technician):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.e2e.conftest import CHROMIUM, PHONE, sign_in

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    today = timezone.localdate()
    make_plan(task="Service af fyr med et meget langt navn der skal ombrydes pænt på en telefon", first_due=today)
    make_plan(task="Brandalarm", first_due=today + timedelta(days=7), interval_months=3)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_context(**PHONE).new_page()
            sign_in(page, live_server.url, "tekniker")
            page.goto(f"{live_server.url}{URL}")
            page.locator("[data-entry]").first.wait_for()

            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            page.keyboard.press("n")  # next week
            page.wait_for_url(re.compile(r"date="))
            assert page.locator("[data-entry]").count() == 1
            page.keyboard.press("m")  # month view
            page.wait_for_url(re.compile(r"view=month"))
            assert page.locator("[data-desk]").get_attribute("data-view") == "month"
            page.focus("#id_team")
            page.keyboard.press("Escape")
            page.keyboard.press("t")  # back to today
            page.wait_for_url(re.compile(r"^(?!.*date=).*$"))
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()
