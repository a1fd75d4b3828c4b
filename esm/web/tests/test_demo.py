"""The demo data: loaded once, deterministic, realistic, and shaped like what the services write."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Sum

from esm.accounts.models import SYSTEM_USERNAMES, Absence, Organisation, OrganisationKind, Role, Team, User
from esm.buildings.models import Building
from esm.cases import sla
from esm.cases.lifecycle import BY_ACTION
from esm.cases.models import (
    PRIORITY_ORDER,
    AssignmentRule,
    Case,
    CaseEvent,
    Category,
    EventKind,
    Status,
    TimeEntry,
    TimeSource,
)
from esm.cases.queries import queue
from esm.cases.services import open_case
from esm.core.models import NumberSequence
from esm.knowledge.models import Article
from esm.mail.models import InboundMessage
from esm.replies.models import Macro, ReplyTemplate
from esm.web.demo import (
    DEPARTMENTS,
    HANDLING_SECONDS,
    LIVE_CASES,
    PASSWORDS,
    city_for,
    demo_digest,
    load_demo,
    seeded_cases,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 16, 10, 30, tzinfo=UTC)  # a Monday morning in Copenhagen
ROLES = {"customer", "tenant", "technician", "team_lead", "administrator"}


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def load(historical_cases: int = 40, **options: Any) -> Any:
    return load_demo(now=NOW, historical_cases=historical_cases, **options)


def snapshot() -> dict[str, Any]:
    return {
        "organisations": Organisation.objects.count(),
        "buildings": Building.objects.count(),
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "time": TimeEntry.objects.count(),
        "sequences": sorted(NumberSequence.objects.values_list("name", "year", "last_value")),
    }


def wipe() -> None:
    """Remove everything the demo wrote, so it can be loaded again in the same test."""
    Case.objects.all().delete()
    InboundMessage.objects.all().delete()
    for model in (Macro, ReplyTemplate, Article, AssignmentRule, Absence):
        model.objects.all().delete()
    User.objects.all().delete()
    Building.objects.all().delete()
    Organisation.objects.filter(kind=OrganisationKind.INSTITUTION).delete()
    Organisation.objects.all().delete()
    Team.objects.all().delete()
    NumberSequence.objects.all().delete()


def live_numbers() -> set[str]:
    return set(seeded_cases().filter(created_at__gt=NOW - timedelta(days=15)).values_list("number", flat=True))


def test_seeding_twice_loads_the_demo_once(var_dir: Path) -> None:
    first = load()
    before = snapshot()

    second = load()

    assert first.created and not second.created
    assert snapshot() == before
    assert second.digest == first.digest


def test_the_municipality_has_seven_departments_the_agency_and_about_forty_institutions(var_dir: Path) -> None:
    load()

    departments = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT)
    assert sorted(departments.values_list("name", flat=True)) == sorted(name for _code, name in DEPARTMENTS)
    assert Organisation.objects.get(kind=OrganisationKind.AGENCY).name == "Københavns Ejendomme"
    institutions = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION)
    assert 35 <= institutions.count() <= 45
    assert not institutions.filter(parent__isnull=True).exists()
    assert set(institutions.values_list("parent__kind", flat=True)) == {OrganisationKind.DEPARTMENT}


def test_buildings_have_copenhagen_addresses_and_some_institutions_use_several(var_dir: Path) -> None:
    load()

    buildings = list(Building.objects.prefetch_related("organisations"))
    assert 55 <= len(buildings) <= 65
    for building in buildings:
        assert re.fullmatch(r"KEJD-\d{4}", building.property_number)
        assert building.city == city_for(building.postcode)
        assert not 1800 <= int(building.postcode) <= 2099  # Frederiksberg is another municipality
    per_institution = Counter(org.code for b in buildings for org in b.organisations.all())
    assert max(per_institution.values()) >= 2
    assert sum(1 for b in buildings if not b.organisations.all()) >= 5  # flats let to private tenants
    with pytest.raises(ValueError):
        city_for("2000")


def test_every_role_is_there_in_its_place(var_dir: Path) -> None:
    load()

    tenants = User.objects.filter(role=Role.TENANT)
    assert tenants.count() >= 5 and not tenants.filter(organisation__isnull=False).exists()
    customers = User.objects.filter(role=Role.CUSTOMER)
    assert set(customers.values_list("organisation__kind", flat=True)) == {OrganisationKind.INSTITUTION}
    institutions = Organisation.objects.filter(kind=OrganisationKind.INSTITUTION).count()
    assert customers.count() >= institutions / 5
    teams = {team.name: team for team in Team.objects.all()}
    assert set(teams) == {"Team Nord", "Team Syd"}
    for team in teams.values():
        assert team.members.filter(role=Role.TECHNICIAN).count() >= 3
        assert team.members.filter(role=Role.TEAM_LEAD).count() == 1
    administrator = User.objects.exclude(username__in=SYSTEM_USERNAMES).get(role=Role.ADMINISTRATOR)
    assert administrator.is_staff and administrator.is_superuser
    assert not Category.objects.filter(team__isnull=True).exists()


def test_demo_users_file_lists_every_user_by_role_and_the_passwords_sign_in(var_dir: Path) -> None:
    summary = load()

    rows = json.loads((var_dir / "demo-users.json").read_text(encoding="utf-8"))
    assert summary.users_file == var_dir / "demo-users.json"
    assert {row["role"] for row in rows} == ROLES
    assert sorted(row["username"] for row in rows) == sorted(
        User.objects.exclude(username__in=SYSTEM_USERNAMES).values_list("username", flat=True)
    )
    for row in rows:
        assert set(row) == {"role", "username", "password", "organisation"}
        user = authenticate(username=row["username"], password=row["password"])
        assert user is not None, row["username"]
        assert user.role == row["role"]
        assert row["password"] == PASSWORDS[user.role]
        assert row["organisation"] == (user.organisation.name if user.organisation else None)


def test_a_missing_users_file_is_written_again_without_loading_twice(var_dir: Path) -> None:
    load()
    (var_dir / "demo-users.json").unlink()
    before = snapshot()

    summary = load()

    assert not summary.created and snapshot() == before
    assert (
        len(json.loads((var_dir / "demo-users.json").read_text(encoding="utf-8")))
        == User.objects.exclude(username__in=SYSTEM_USERNAMES).count()
    )


def test_the_same_seed_and_time_give_the_same_cases_and_another_seed_other_cases(var_dir: Path) -> None:
    first = load()
    titles = dict(Case.objects.values_list("number", "title"))
    wipe()

    second = load()

    assert second.digest == first.digest == demo_digest()
    assert dict(Case.objects.values_list("number", "title")) == titles
    wipe()
    assert load(seed=7).digest != first.digest


def test_new_cases_continue_after_the_demos_highest_number(var_dir: Path) -> None:
    load()
    year_numbers = Case.objects.filter(number__startswith=f"S-{NOW.year}-").values_list("number", flat=True)
    highest = max(int(number[-6:]) for number in year_numbers)

    case = open_case(
        User.objects.get(username="lise"),
        title="Knust rude i klasselokale 3.A",
        description="En bold har ramt ruden.",
        building=Building.objects.filter(organisations__code="vesterbro-ny-skole").first(),
        category="glass",
        now=NOW,
    )

    assert case.number == f"S-{NOW.year}-{highest + 1:06d}"


def test_historical_cases_look_exactly_like_what_the_services_write(var_dir: Path) -> None:
    load(historical_cases=80)
    calendar, live = sla.business_calendar(), live_numbers()
    historical = seeded_cases().exclude(number__in=live).select_related("reporter").prefetch_related("events")

    assert historical.count() == 80
    for case in historical:
        assert re.fullmatch(rf"S-{case.created_at.year}-\d{{6}}", case.number)
        assert NOW - timedelta(days=366) <= case.created_at <= NOW - timedelta(days=14)
        events = list(case.events.all())
        created = events[0]
        assert created.kind == EventKind.CREATED and created.is_public and created.created_at == case.created_at
        assert created.payload["status"] == Status.NEW and created.payload["reporter"] == case.reporter.username
        assert created.body == case.description and created.payload["title"] == case.title
        status, first_response, replies = Status.NEW.value, None, []
        for event in events[1:]:
            assert event.created_at <= NOW
            if event.kind == EventKind.STATUS_CHANGED:
                assert set(event.payload) == {"from", "to", "action", "automatic"}
                transition = BY_ACTION[event.payload["action"]]
                assert event.payload["from"] == status and status in transition.sources
                assert event.payload["to"] == transition.target
                assert event.payload["automatic"] == (event.payload["action"] in ("customer_replied", "auto_close"))
                status = event.payload["to"]
            if event.kind in (EventKind.REPLY, EventKind.NOTE, EventKind.PHONE_NOTE):
                replies.append(event.body.lower())
            desk = event.actor is not None and event.actor.is_handler
            if first_response is None and desk and event.kind in (EventKind.REPLY, EventKind.PHONE_NOTE):
                first_response = event.created_at
        assert case.status == status
        assert case.priority_rank == PRIORITY_ORDER[case.priority]
        assert case.updated_at == events[-1].created_at
        assert case.first_responded_at == first_response
        assert case.search_text.split("\n")[:2] == [case.number.lower(), case.title.lower()]
        assert all(text in case.search_text for text in replies)
        if case.status == Status.CLOSED:
            assert case.closed_at and case.resolved_at and case.resolved_at <= case.closed_at
        if case.status == Status.CANCELLED:
            assert case.cancel_reason and case.closed_at
        clocks = sla.compute_clocks(case, calendar=calendar)  # from the stored timeline
        assert clocks.resolution_due_at == case.resolution_due_at
        assert clocks.first_response_due_at == case.first_response_due_at
        assert clocks.sla_paused == case.sla_paused
        phone_calls = sorted(e.payload["duration_seconds"] for e in events if e.kind == EventKind.PHONE_NOTE)
        phone_time = case.time_entries.filter(source=TimeSource.PHONE).order_by("seconds")
        assert list(phone_time.values_list("seconds", flat=True)) == phone_calls
        for entry in case.time_entries.all():
            assert entry.user.is_handler and entry.started_at <= entry.ended_at <= NOW
            assert 0 < entry.seconds <= (entry.ended_at - entry.started_at).total_seconds()


def test_live_cases_are_opened_through_the_services_and_fill_every_desk_queue(var_dir: Path) -> None:
    load(historical_cases=0)
    technician = User.objects.get(username="ole")

    assert seeded_cases().count() == len(LIVE_CASES)
    assert Case.objects.filter(status=Status.NEW, assignee__isnull=True).exists()
    for name in ("unassigned", "mine", "team", "waiting", "sla_risk"):
        assert queue(technician, name, now=NOW).exists(), name
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.WAITING_CUSTOMER, Status.WAITING_SUPPLIER, Status.WAITING_APPROVAL, Status.RESOLVED} <= statuses
    states = [sla.state(case, NOW) for case in Case.objects.all()]
    assert any("breached" in (state.first_response, state.resolution) for state in states)
    broken_window = Case.objects.get(title="Knust rude i klasselokale 2.B")
    photo = broken_window.attachments.get()
    assert photo.is_image and photo.thumbnail
    assert TimeEntry.objects.filter(source=TimeSource.DESK).exists()


def test_the_full_demo_is_a_year_of_about_500_cases_with_the_seed_mix(var_dir: Path) -> None:
    summary = load_demo(now=NOW)

    historical = seeded_cases().exclude(number__in=live_numbers())
    assert 450 <= historical.count() <= 550
    assert summary.historical_cases == historical.count() and summary.live_cases == len(LIVE_CASES)
    mix = Counter(Case.objects.exclude(complexity="").values_list("complexity", flat=True))
    classified = sum(mix.values())
    for level, share in {"easy": 0.35, "medium": 0.50, "complex": 0.15}.items():
        assert abs(mix[level] / classified - share) <= 0.03, (level, mix)
    months = {case.created_at.strftime("%Y-%m") for case in historical.only("created_at")}
    assert len(months) >= 12
    statuses = Counter(historical.values_list("status", flat=True))
    assert statuses[Status.CLOSED] / historical.count() >= 0.75
    assert 0.03 <= statuses[Status.CANCELLED] / historical.count() <= 0.12
    channels = Counter(historical.values_list("channel", flat=True))
    assert set(channels) == {"portal", "email", "phone", "api"}
    priorities = Counter(Case.objects.values_list("priority", flat=True))
    assert 0 < priorities["urgent"] / Case.objects.count() <= 0.06
    assert Case.objects.filter(customer_type="tenant").count() >= 25
    closed = historical.filter(status=Status.CLOSED).annotate(seconds=Sum("time_entries__seconds"))
    for case in closed:
        low, high = HANDLING_SECONDS[case.complexity]
        assert low * 0.8 <= case.seconds <= high * 1.35, (case.number, case.complexity, case.seconds)
    met = Counter(sla.state(case, NOW).resolution for case in closed)
    assert met["met"] / (met["met"] + met["missed"]) >= 0.8


def test_seed_demo_reports_progress_then_leaves_a_loaded_demo_alone(var_dir: Path) -> None:
    out = io.StringIO()
    call_command("seed_demo", "--cases", "20", stdout=out)
    assert "Creating 20 historical cases… 20/20" in out.getvalue()
    assert "Demo data loaded" in out.getvalue()
    before = snapshot()

    again = io.StringIO()
    call_command("seed_demo", stdout=again)

    assert "Demo data already loaded" in again.getvalue()
    assert snapshot() == before


def test_demo_users_prints_sign_ins_per_role_or_says_how_to_create_them(var_dir: Path) -> None:
    missing = io.StringIO()
    call_command("demo_users", stdout=missing)
    assert "make run" in missing.getvalue() and "seed_demo" in missing.getvalue()

    load(historical_cases=0)
    out = io.StringIO()
    call_command("demo_users", stdout=out)

    text = out.getvalue()
    assert "Demo sign-ins (demo only — never use these passwords in production)" in text
    for role in ROLES:
        assert re.search(rf"^\s+{role}\s+\S+\s+{re.escape(PASSWORDS[role])}\s", text, re.MULTILINE), role
    assert "Vesterbro Ny Skole" in text


def test_seeding_refuses_a_database_that_already_has_the_demos_people(var_dir: Path) -> None:
    User.objects.create_user(username="admin", password="someone-elses-password-1")

    with pytest.raises(CommandError, match="users admin"):
        call_command("seed_demo", "--cases", "5", stdout=io.StringIO())

    assert not Organisation.objects.exists() and not Case.objects.exists()
    assert not (var_dir / "demo-users.json").exists()
