"""Shared fixtures: the personas every test speaks of, and a case factory.

Personas: a municipal customer (Lise, teacher at a school), her colleague at the same
school, an outsider customer at another institution, two private tenants, two
technicians in two teams, a team lead and an administrator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from esm.accounts.models import Organisation, OrganisationKind, Role, Team, User
from esm.buildings.models import Building
from esm.buildings.services import register_building
from esm.cases.models import Case, Category


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    media = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = str(media)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from esm.celery import app

    app.conf.task_always_eager = True
    # Every test starts in the default language: a request by an English-speaking user leaves
    # its language active in the thread, which would otherwise leak into the next test.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def department(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Børne- og Ungdomsforvaltningen", kind=OrganisationKind.DEPARTMENT, code="buf"
    )


@pytest.fixture
def school(department: Organisation) -> Organisation:
    return Organisation.objects.create(
        name="Vesterbro Ny Skole", kind=OrganisationKind.INSTITUTION, parent=department, code="vesterbro-ny-skole"
    )


@pytest.fixture
def other_institution(department: Organisation) -> Organisation:
    return Organisation.objects.create(
        name="Børnehuset Solsikken", kind=OrganisationKind.INSTITUTION, parent=department, code="solsikken"
    )


@pytest.fixture
def building(school: Organisation) -> Building:
    return register_building(
        property_number="E-1001",
        name="Vesterbro Ny Skole, hovedbygning",
        street="Absalonsgade",
        house_number="8",
        postcode="1658",
        city="København V",
        organisations=[school],
    )


@pytest.fixture
def other_building(other_institution: Organisation) -> Building:
    return register_building(
        property_number="E-2002",
        name="Børnehuset Solsikken",
        street="Tagensvej",
        house_number="120",
        postcode="2200",
        city="København N",
        organisations=[other_institution],
    )


@pytest.fixture
def teams(db: None) -> dict[str, Team]:
    return {
        "north": Team.objects.create(name="Team Nord", code="nord"),
        "south": Team.objects.create(name="Team Syd", code="syd"),
    }


CATEGORY_CODES = [
    ("glass", "Glas og ruder", "Glass and windows"),
    ("locks", "Låse og nøgler", "Locks and keys"),
    ("plumbing", "VVS", "Plumbing"),
    ("electrical", "El", "Electrical"),
    ("heating", "Varme og ventilation", "Heating and ventilation"),
    ("roof", "Tag og facade", "Roof and facade"),
    ("outdoor", "Udearealer", "Outdoor areas"),
    ("cleaning", "Rengøring", "Cleaning"),
    ("pests", "Skadedyr", "Pests"),
    ("other", "Andet", "Other"),
]


@pytest.fixture
def categories(teams: dict[str, Team]) -> dict[str, Category]:
    result = {}
    for i, (code, da, en) in enumerate(CATEGORY_CODES):
        category, _ = Category.objects.update_or_create(
            code=code, defaults={"name_da": da, "name_en": en, "team": teams["north"], "position": i}
        )
        result[code] = category
    return result


def make_user(username: str, role: Role, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password="test-password-123", role=role, **extra)
    return user


@pytest.fixture
def customer(school: Organisation) -> User:
    return make_user("lise", Role.CUSTOMER, organisation=school, first_name="Lise", last_name="Holm")


@pytest.fixture
def colleague(school: Organisation) -> User:
    return make_user("peter", Role.CUSTOMER, organisation=school, first_name="Peter", last_name="Dahl")


@pytest.fixture
def outsider(other_institution: Organisation) -> User:
    return make_user("mette", Role.CUSTOMER, organisation=other_institution, first_name="Mette", last_name="Berg")


@pytest.fixture
def tenant(db: None) -> User:
    return make_user("jonas", Role.TENANT, first_name="Jonas", last_name="Krogh", email="jonas@example.org")


@pytest.fixture
def other_tenant(db: None) -> User:
    return make_user("amira", Role.TENANT, first_name="Amira", last_name="Haddad")


@pytest.fixture
def technician(teams: dict[str, Team]) -> User:
    return make_user("tekniker", Role.TECHNICIAN, team=teams["north"], first_name="Ole", last_name="Madsen")


@pytest.fixture
def other_technician(teams: dict[str, Team]) -> User:
    return make_user("tekniker2", Role.TECHNICIAN, team=teams["south"], first_name="Sara", last_name="Nielsen")


@pytest.fixture
def team_lead(teams: dict[str, Team]) -> User:
    return make_user("teamleder", Role.TEAM_LEAD, team=teams["north"], first_name="Hanne", last_name="Lund")


@pytest.fixture
def administrator(db: None) -> User:
    return make_user(
        "admin", Role.ADMINISTRATOR, is_staff=True, is_superuser=True, first_name="Anders", last_name="Admin"
    )


@pytest.fixture
def make_case(building: Building, categories: dict[str, Category], customer: User) -> Any:
    """Open a case through the service, as the portal would."""
    from esm.cases.services import open_case

    def factory(reporter: User | None = None, **fields: Any) -> Case:
        values: dict[str, Any] = {
            "title": "Knust rude i klasselokale 2.B",
            "description": "Ruden i vinduet ud mod gården er knust. Der er glasskår på gulvet.",
            "building": building,
            "category": "glass",
            "priority": "normal",
        }
        values.update(fields)
        actor = reporter or customer
        return open_case(actor, **values)

    return factory


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Say plainly when the browser tests did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = {str(getattr(report, "longrepr", ""))[:300] for report in skipped}
    if any("chromium is not installed" in reason for reason in reasons):
        terminalreporter.write_line(
            "NOTE: the browser tests were skipped because chromium is not installed (apt-get install chromium).",
            yellow=True,
        )
