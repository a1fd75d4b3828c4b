"""Planned maintenance: due-date arithmetic, one case per occurrence (also under racing workers), overdue plans."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from esm.accounts.models import Role
from esm.buildings.models import Installation, InstallationKind, MaintenancePlan
from esm.cases import maintenance
from esm.cases.maintenance import add_months, due_dates, generate_due_cases, open_occurrence, system_user
from esm.cases.maintenance_queries import overdue_occurrences, overdue_plans
from esm.cases.models import Case, Channel, EventKind, MaintenanceOccurrence, Status
from esm.cases.services import assign_case, transition_case

pytestmark = pytest.mark.django_db


def plan_of(**fields: object) -> MaintenancePlan:
    """An unsaved plan, enough for the pure date arithmetic."""
    values: dict[str, object] = {"task": "Eftersyn", "first_due": date(2026, 1, 31)}
    values.update(fields)
    return MaintenancePlan(**values)


@pytest.fixture
def make_plan(building, categories, teams):
    def factory(**fields: object) -> MaintenancePlan:
        values: dict[str, object] = {
            "building": building,
            "task": "Årligt eftersyn af gasfyr",
            "description": "Eftersyn efter leverandørens serviceaftale.",
            "first_due": date(2026, 4, 15),
            "interval_months": 12,
            "lead_days": 14,
            "category_code": "heating",
            "supplier": "Varmeservice A/S (rammeaftale 2025-17)",
        }
        values.update(fields)
        return MaintenancePlan.objects.create(**values)

    return factory


def occurrences(plan: MaintenancePlan) -> list[date]:
    return list(MaintenanceOccurrence.objects.filter(plan=plan).order_by("due_date").values_list("due_date", flat=True))


# --- due dates ------------------------------------------------------------------------------


def test_monthly_dates_clamp_to_the_month_end_and_come_back_to_the_first_due_day():
    plan = plan_of(first_due=date(2026, 1, 31), interval_months=1)

    assert due_dates(plan, start=date(2026, 1, 1), end=date(2026, 6, 30)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]


def test_a_leap_year_gives_the_29th_of_february():
    monthly = plan_of(first_due=date(2028, 1, 30), interval_months=1)
    yearly = plan_of(first_due=date(2024, 2, 29), interval_months=12)

    assert due_dates(monthly, start=date(2028, 2, 1), end=date(2028, 3, 31)) == [date(2028, 2, 29), date(2028, 3, 30)]
    assert due_dates(yearly, start=date(2024, 1, 1), end=date(2028, 12, 31)) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_every_three_months_from_a_first_due_long_ago():
    plan = plan_of(first_due=date(2019, 11, 30), interval_months=3)

    assert due_dates(plan, start=date(2026, 1, 1), end=date(2026, 12, 31)) == [
        date(2026, 2, 28),
        date(2026, 5, 30),
        date(2026, 8, 30),
        date(2026, 11, 30),
    ]


def test_seasonal_months_each_year_on_the_first_due_day_from_the_first_due_date_on():
    gutters = plan_of(first_due=date(2026, 4, 15), interval_months=None, season_months=[10, 4])
    month_end = plan_of(first_due=date(2026, 5, 31), interval_months=None, season_months=[2, 6])

    assert due_dates(gutters, start=date(2025, 1, 1), end=date(2027, 12, 31)) == [
        date(2026, 4, 15),
        date(2026, 10, 15),
        date(2027, 4, 15),
        date(2027, 10, 15),
    ]
    assert due_dates(month_end, start=date(2026, 1, 1), end=date(2028, 12, 31)) == [
        date(2026, 6, 30),
        date(2027, 2, 28),
        date(2027, 6, 30),
        date(2028, 2, 29),
        date(2028, 6, 30),
    ]


def test_nonsense_season_months_are_ignored_and_a_plan_without_a_rhythm_is_due_once():
    odd = plan_of(first_due=date(2026, 1, 10), interval_months=None, season_months=[0, 13, "x", True, "3"])
    once = plan_of(first_due=date(2026, 1, 10), interval_months=None, season_months=[])

    assert due_dates(odd, start=date(2026, 1, 1), end=date(2026, 12, 31)) == [date(2026, 3, 10)]
    assert due_dates(once, start=date(2025, 1, 1), end=date(2030, 1, 1)) == [date(2026, 1, 10)]


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    interval=st.integers(min_value=1, max_value=120),
    start=st.dates(min_value=date(1999, 1, 1), max_value=date(2040, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
)
def test_a_window_of_due_dates_is_exactly_the_matching_part_of_the_whole_series(first, interval, start, length):
    plan = plan_of(first_due=first, interval_months=interval)
    end = start + timedelta(days=length)
    series = [add_months(first, k * interval) for k in range(0, 12 * 45 // interval + 2)]

    assert due_dates(plan, start=start, end=end) == [d for d in series if start <= d <= end]


# --- opening cases ----------------------------------------------------------------------------


def test_the_case_opens_lead_days_before_the_due_date_and_not_before(make_plan, teams, categories):
    plan = make_plan(lead_days=14, team=teams["south"])

    assert generate_due_cases(today=date(2026, 3, 31)) == 0
    assert generate_due_cases(today=date(2026, 4, 1)) == 1

    occurrence = MaintenanceOccurrence.objects.select_related("case").get(plan=plan)
    case = occurrence.case
    assert occurrence.due_date == date(2026, 4, 15)
    assert case.channel == Channel.PLANNED
    assert case.title == "Årligt eftersyn af gasfyr"
    assert case.building == plan.building
    assert case.category == categories["heating"]
    assert case.team == teams["south"]  # the plan's team, not the category's default team
    assert case.status == Status.NEW
    assert "Eftersyn efter leverandørens serviceaftale." in case.description
    assert "Varmeservice A/S (rammeaftale 2025-17)" in case.description
    assert "15.04.2026" in case.description
    assert case.events.filter(kind=EventKind.ASSIGNED).exists()


def test_cases_are_opened_by_a_system_user_nobody_can_sign_in_as(make_plan):
    make_plan(first_due=date(2026, 4, 10))
    generate_due_cases(today=date(2026, 4, 1))

    case = Case.objects.get()
    assert case.reporter.username == maintenance.SYSTEM_USERNAME
    assert case.reporter.role == Role.ADMINISTRATOR
    assert not case.reporter.has_usable_password()
    assert case.events.get(kind=EventKind.CREATED).actor == case.reporter
    assert system_user() == case.reporter  # the same user every time


def test_an_installation_plan_names_the_installation_on_the_case(make_plan, building):
    boiler = Installation.objects.create(building=building, kind=InstallationKind.BOILER, name="Gasfyr, kælderen")
    make_plan(installation=boiler, first_due=date(2026, 4, 10))

    generate_due_cases(today=date(2026, 4, 1))

    case = Case.objects.get()
    assert case.installation == boiler
    assert "Gasfyr, kælderen" in case.description


def test_each_occurrence_opens_exactly_once_however_often_the_worker_runs(make_plan):
    plan = make_plan(first_due=date(2026, 4, 15), interval_months=1, lead_days=45)

    first = generate_due_cases(today=date(2026, 4, 1))
    again = generate_due_cases(today=date(2026, 4, 1))
    later = generate_due_cases(today=date(2026, 5, 5))

    assert (first, again, later) == (2, 0, 1)  # 15 Apr and 15 May; then 15 Jun comes within the lead time
    assert occurrences(plan) == [date(2026, 4, 15), date(2026, 5, 15), date(2026, 6, 15)]
    assert Case.objects.filter(channel=Channel.PLANNED).count() == 3


def test_an_inactive_plan_opens_nothing(make_plan):
    make_plan(is_active=False, first_due=date(2026, 4, 10))

    assert generate_due_cases(today=date(2026, 4, 10)) == 0
    assert not Case.objects.exists()


def test_a_plan_with_an_old_first_due_date_opens_only_its_latest_occurrence_not_its_history(make_plan):
    monthly = make_plan(task="Månedlig kontrol", first_due=date(2019, 1, 10), interval_months=1, lead_days=14)
    yearly = make_plan(task="Årligt eftersyn", first_due=date(2012, 6, 1), interval_months=12, lead_days=14)
    seasonal = make_plan(
        task="Rens tagrender", first_due=date(2015, 4, 1), interval_months=None, season_months=[4, 10], lead_days=14
    )

    generate_due_cases(today=date(2026, 4, 20))

    assert occurrences(monthly) == [date(2026, 4, 10)]  # 10 May is beyond the lead time
    assert occurrences(yearly) == [date(2025, 6, 1)]
    assert occurrences(seasonal) == [date(2026, 4, 1)]
    assert Case.objects.count() == 3


def test_an_unknown_category_code_falls_back_to_other(make_plan, categories):
    make_plan(category_code="no-such-category", first_due=date(2026, 4, 10))

    generate_due_cases(today=date(2026, 4, 1))

    assert Case.objects.get().category == categories["other"]


def test_opening_an_occurrence_someone_else_already_opened_leaves_no_second_case(make_plan):
    plan = make_plan(first_due=date(2026, 4, 10))
    generate_due_cases(today=date(2026, 4, 1))

    assert open_occurrence(plan, date(2026, 4, 10), actor=system_user()) is None
    assert Case.objects.count() == 1  # the second case was rolled back with its refused occurrence


def test_the_beat_task_runs_through_celery(make_plan):
    from esm.cases.tasks import generate_maintenance_cases
    from esm.celery import app

    today = timezone.localdate()
    plan = make_plan(first_due=today + timedelta(days=3), lead_days=7)

    result = generate_maintenance_cases.delay()

    assert result.get() == 1
    assert occurrences(plan) == [today + timedelta(days=3)]
    entry = settings.CELERY_BEAT_SCHEDULE["generate-maintenance-cases"]
    assert entry["task"] == generate_maintenance_cases.name
    assert entry["task"] in app.tasks


# --- overdue ---------------------------------------------------------------------------------


def test_a_plan_is_overdue_while_its_passed_occurrence_has_an_open_case(make_plan, technician):
    plan = make_plan(first_due=date(2026, 4, 15))
    generate_due_cases(today=date(2026, 4, 10))
    case = Case.objects.get()

    assert not overdue_occurrences(today=date(2026, 4, 15)).exists()  # due today is not overdue yet
    assert list(overdue_occurrences(today=date(2026, 4, 16))) == [case.maintenance_occurrence]
    assert list(overdue_plans(today=date(2026, 4, 16))) == [plan]

    assign_case(technician, case=case, assignee=technician)
    transition_case(technician, case=case, action="resolve")

    assert not overdue_occurrences(today=date(2026, 4, 16)).exists()
    assert not overdue_plans(today=date(2026, 4, 16)).exists()


# --- racing workers (PostgreSQL) ----------------------------------------------------------------


def _race(target, count: int) -> list[BaseException]:
    """Run `target` in `count` threads released at the same moment; return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # pragma: no cover - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing workers need a server database (PostgreSQL)")
def test_workers_racing_on_the_same_plans_open_one_case_per_occurrence(make_plan, teams):
    plans = [
        make_plan(task=f"Eftersyn {i}", first_due=date(2026, 4, 10 + i), interval_months=1, lead_days=45)
        for i in range(6)
    ]
    results: list[int] = []
    system_user()

    errors = _race(lambda: results.append(generate_due_cases(today=date(2026, 4, 1))), 4)

    assert not errors
    assert sum(results) == 12  # two occurrences per plan in all, however the workers shared them
    for plan in plans:
        assert len(occurrences(plan)) == 2
    assert Case.objects.count() == MaintenanceOccurrence.objects.count() == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing workers need a server database (PostgreSQL)")
def test_racing_openings_of_one_occurrence_are_settled_by_the_unique_constraint(make_plan):
    """Without the plan lock (as if two workers read the plan at once): still one case."""
    plan = make_plan(first_due=date(2026, 4, 10))
    actor = system_user()
    opened: list[object] = []

    errors = _race(lambda: opened.append(open_occurrence(plan, date(2026, 4, 10), actor=actor)), 4)

    assert not errors
    assert len([o for o in opened if o is not None]) == 1
    assert Case.objects.count() == MaintenanceOccurrence.objects.count() == 1
