"""Seed 100,000 cases on PostgreSQL and measure the desk and the API.

    .venv/bin/python bench/cases.py [--cases 100000] \
        [--database-url postgres://postgres@127.0.0.1:5432/esm_bench] [--seconds 15] [--keep]
        [--concurrency 12] [--requests 200] [--quiet-wait 120] [--seed 2026] [--assignment-rules]

1. Drops and creates the bench database, migrates it and creates the cache table.
2. Seeds organisations, ~60 buildings, teams, technicians, customers and N cases with
   their timelines (bulk inserts), the Danish full-text vectors and fresh statistics.
3. Times the desk queue page and the desk's full-text search in-process with Django's
   test client (server time without network): p50/p95 and SQL queries per request; also a
   team lead's unattended view (no target of its own; the queue's is the yardstick).
4. Starts gunicorn (4 workers) on a free loopback port and POSTs /api/v1/cases from a
   pool of concurrent clients for --seconds seconds: cases created per second.
5. Prints a summary against the targets and drops the database unless --keep.

The machine may be shared with other work: before each measurement the bench waits
(at most --quiet-wait seconds) for it to be nearly idle, and it reports the CPU time
used per request or case by Django, by PostgreSQL and by everything else meanwhile.
Only ever talks to 127.0.0.1; every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/esm_bench"
PASSWORD = "bench-password-123"
PERSONA = "tekniker"
API_USER = "api-bench"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
BATCH = 5_000

TARGET_QUEUE_P95_MS = 150.0
TARGET_SEARCH_P95_MS = 200.0
TARGET_CREATE_PER_SECOND = 150.0


# --- realistic Danish data -----------------------------------------------------------------

INSTITUTION_KINDS = [
    ("buf", "{} Skole"),
    ("buf", "Børnehuset {}"),
    ("buf", "Vuggestuen {}"),
    ("kff", "{} Bibliotek"),
    ("kff", "{} Idrætshal"),
    ("sof", "Bostedet {}"),
    ("suf", "Plejecenter {}"),
    ("bif", "Jobcenter {}"),
    ("tmf", "Materielgården {}"),
    ("okf", "Borgerservice {}"),
]
PLACE_NAMES = [
    "Vesterbro", "Nørrebro", "Østerbro", "Amager", "Valby", "Vanløse", "Brønshøj", "Bispebjerg",
    "Sundby", "Christianshavn", "Sydhavn", "Husum", "Tingbjerg", "Emdrup", "Ørestad", "Islands Brygge",
    "Kongens Enghave", "Frederiksberg", "Utterslev", "Bellahøj",
]  # fmt: skip
STREETS = [
    ("Absalonsgade", "1658", "København V"), ("Tagensvej", "2200", "København N"),
    ("Jagtvej", "2200", "København N"), ("Nørre Allé", "2200", "København N"),
    ("Strandboulevarden", "2100", "København Ø"), ("Østerbrogade", "2100", "København Ø"),
    ("Amagerbrogade", "2300", "København S"), ("Englandsvej", "2300", "København S"),
    ("Valby Langgade", "2500", "Valby"), ("Toftegårds Allé", "2500", "Valby"),
    ("Jyllingevej", "2720", "Vanløse"), ("Frederikssundsvej", "2700", "Brønshøj"),
    ("Tomsgårdsvej", "2400", "København NV"), ("Frederiksborgvej", "2400", "København NV"),
    ("Vesterbrogade", "1620", "København V"), ("Enghavevej", "2450", "København SV"),
    ("Sønder Boulevard", "1720", "København V"), ("Dronning Louises Bro", "2200", "København N"),
    ("Islands Brygge", "2300", "København S"), ("Ørestads Boulevard", "2300", "København S"),
]  # fmt: skip
FIRST_NAMES = [
    "Anne", "Peter", "Mette", "Lars", "Hanne", "Jens", "Louise", "Mads", "Camilla", "Søren", "Line",
    "Henrik", "Sofie", "Niels", "Ida", "Morten", "Karen", "Rasmus", "Julie", "Thomas", "Amira", "Ahmed",
]  # fmt: skip
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Holm", "Haddad",
]  # fmt: skip
ROOMS = [
    "klasselokale 2.B", "klasselokale 4.A", "personalerummet", "køkkenet", "gymnastiksalen", "kontor 1.12",
    "mødelokale 3", "indgangen", "trappeopgangen", "kælderen", "garderoben", "toiletterne i stueetagen",
    "lærerværelset", "puderummet", "SFO'en", "biblioteket", "kantinen", "omklædningsrummet", "fællesstuen",
]  # fmt: skip
# category -> (titles with {room}, first sentences of the description, technicians' answers)
CATEGORY_TEXTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "glass": (
        ["Knust rude i {room}", "Revnet rude i {room}", "Dugget termorude i {room}", "Vindue kan ikke lukkes i {room}"],
        [
            "Ruden i vinduet ud mod gården er knust, og der ligger glasskår på gulvet.",
            "Der er kommet en lang revne i ruden ved siden af døren.",
            "Termoruden er dugget indvendigt, så man ikke kan se ud.",
            "Vinduet kan ikke lukkes helt, og det trækker koldt ind.",
        ],
        ["Ruden er skiftet, og glasskårene er fjernet.", "Glarmester har målt op; ny rude er bestilt."],
    ),
    "locks": (
        ["Dør kan ikke låses i {room}", "Nøgle knækket i låsen til {room}", "Kodelås virker ikke ved {room}"],
        [
            "Døren kan ikke låses, og cylinderen drejer rundt uden at gribe.",
            "En nøgle er knækket i låsen, og stykket sidder fast.",
            "Kodelåsen reagerer ikke, selvom batteriet er skiftet.",
        ],
        ["Cylinderen er udskiftet, og nye nøgler ligger på kontoret.", "Låsesmed har fjernet den knækkede nøgle."],
    ),
    "plumbing": (
        [
            "Lækage under vask i {room}",
            "Stoppet toilet i {room}",
            "Toilet løber konstant i {room}",
            "Dryppende vandhane i {room}",
        ],
        [
            "Der er lækage fra røret under vasken, og vandet løber ud på gulvet.",
            "Toilettet er stoppet og kan ikke skylles ud.",
            "Toilettet løber hele tiden, og cisternen fylder aldrig op.",
            "Vandhanen drypper, selvom den er skruet helt i.",
        ],
        ["Lækagen er tætnet, og røret er skiftet.", "Toilettet er renset og virker igen.", "Pakningen er skiftet."],
    ),
    "electrical": (
        ["Lys virker ikke i {room}", "Løs stikkontakt i {room}", "HFI-relæet slår fra i {room}"],
        [
            "Lyset i loftet virker ikke, selvom pærerne er skiftet.",
            "Stikkontakten sidder løst i væggen, og der er sorte mærker omkring den.",
            "HFI-relæet slår fra flere gange om dagen.",
        ],
        ["Elektrikeren har skiftet armaturet.", "Stikkontakten er skiftet og fastgjort."],
    ),
    "heating": (
        [
            "Radiator bliver ikke varm i {room}",
            "Radiator lækker i {room}",
            "Ventilationen larmer i {room}",
            "For koldt i {room}",
        ],
        [
            "Radiatoren er kold, selvom termostaten står på 5.",
            "Der drypper vand fra radiatorens ventil ned på gulvet.",
            "Ventilationsanlægget larmer meget, især om morgenen.",
            "Der er kun 16 grader i lokalet, og børnene fryser.",
        ],
        ["Radiatoren er udluftet og bliver varm igen.", "Ventilen på radiatoren er skiftet.", "Filteret er skiftet."],
    ),
    "roof": (
        ["Utæt tag over {room}", "Tagrenden løber over ved {room}", "Revne i facaden ved {room}"],
        [
            "Det drypper fra loftet, når det regner, og der er en plet på loftspladerne.",
            "Tagrenden er fyldt med blade og løber over ved kraftig regn.",
            "Der er en revne i facaden, og pudsen falder af.",
        ],
        ["Taget er tætnet, og loftspladerne er skiftet.", "Tagrenden er renset."],
    ),
    "outdoor": (
        ["Ødelagt gynge på legepladsen", "Hul i fliserne ved {room}", "Væltet hegn ved {room}"],
        [
            "Gyngen på legepladsen er ødelagt, og kæden er knækket.",
            "Der er et hul i fliserne, som man kan falde i.",
            "Hegnet er væltet efter stormen.",
        ],
        ["Gyngen er repareret og sikkerhedsgodkendt.", "Fliserne er lagt om."],
    ),
    "cleaning": (
        [
            "Graffiti på facaden ved {room}",
            "Vandskade efter lækage i {room} skal tørres",
            "Manglende rengøring i {room}",
        ],
        [
            "Der er malet graffiti på facaden i løbet af natten.",
            "Efter lækagen i sidste uge er gulvtæppet stadig vådt og lugter.",
            "Der er ikke gjort rent i flere dage.",
        ],
        ["Graffitien er fjernet.", "Affugter er sat op, og tæppet er renset."],
    ),
    "pests": (
        ["Rotter set ved {room}", "Mus i {room}", "Hvepsebo ved {room}"],
        [
            "Personalet har set rotter ved affaldsspandene flere gange.",
            "Der er museklatter i skabene og gnavemærker på posen med mel.",
            "Der er et stort hvepsebo under tagudhænget.",
        ],
        ["Skadedyrsfirmaet har sat fælder op.", "Hvepseboet er fjernet."],
    ),
    "other": (
        ["Skilt faldet ned ved {room}", "Ønske om hylder i {room}", "Dørhåndtag løst i {room}"],
        [
            "Skiltet ved indgangen er faldet ned.",
            "Vi vil gerne have sat to hylder op til bøger.",
            "Dørhåndtaget er løst og falder af.",
        ],
        ["Skiltet er sat op igen.", "Hylderne er sat op."],
    ),
}
EXTRA_SENTENCES = [
    "Det er sket i løbet af weekenden.",
    "Problemet har stået på i flere dage.",
    "Det haster, da lokalet skal bruges i morgen.",
    "Kontakt venligst pedellen på telefon 33 66 12 34.",
    "Der er ingen personskade.",
    "Nøglen kan hentes på kontoret.",
    "Vi har sat en spand under.",
    "Børnene må ikke komme ind i lokalet, før det er ordnet.",
    "Det er tredje gang i år.",
    "Lokalet er lukket indtil videre.",
]
ACKNOWLEDGEMENTS = [
    "Tak for henvendelsen. Vi kommer forbi i morgen formiddag.",
    "Tak for besked. En tekniker kigger på det i løbet af ugen.",
    "Vi har bestilt reservedele hos leverandøren og vender tilbage.",
    "Kan I sende et billede, så vi kan tage de rigtige dele med?",
]
TEAM_OF_CATEGORY = {
    "glass": "nord", "locks": "nord", "roof": "nord", "outdoor": "nord", "other": "nord",
    "plumbing": "syd", "electrical": "syd", "heating": "syd", "cleaning": "syd", "pests": "syd",
}  # fmt: skip
OPEN_MIX = [
    ("new", 25), ("triaged", 15), ("in_progress", 35),
    ("waiting_customer", 10), ("waiting_supplier", 10), ("waiting_approval", 5),
]  # fmt: skip
DONE_MIX = [("closed", 85), ("resolved", 7), ("cancelled", 8)]
PRIORITY_MIX = [("urgent", 5), ("high", 15), ("normal", 65), ("low", 15)]
COMPLEXITY_MIX = [("easy", 35), ("medium", 50), ("complex", 15)]
CHANNEL_MIX = [("portal", 60), ("email", 20), ("phone", 15), ("api", 5)]


def weighted(rng: random.Random, mix: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


# --- database and Django -------------------------------------------------------------------


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or "/" in name:
        raise SystemExit(f"--database-url needs a database name: {url}")
    return name


def maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "esm.settings"
    os.environ["ESM_DB_CONN_MAX_AGE"] = "600"
    os.environ["ESM_LOG_LEVEL"] = "WARNING"
    os.environ["ESM_MANIFEST_STATIC"] = "false"  # no collectstatic needed for the bench
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


# --- seeding ---------------------------------------------------------------------------------


@dataclass
class Seeded:
    persona_id: int
    api_user_id: int
    api_buildings: list[str]
    cases: int
    events: int
    seconds: float
    open_cases: int


def progress(message: str, started: float) -> None:
    print(f"  [{time.perf_counter() - started:6.1f}s] {message}", flush=True)


def business_instant(rng: random.Random, now: datetime, max_days: float) -> datetime:
    """A moment in the last `max_days` days, mostly on weekdays between 07 and 16 local time."""
    for _ in range(6):
        at = now - timedelta(days=rng.uniform(0, max_days))
        local = at.astimezone(COPENHAGEN)
        if local.weekday() < 5 and 7 <= local.hour < 16:
            return at
    return at


def later(rng: random.Random, start: datetime, now: datetime, low_minutes: float, high_minutes: float) -> datetime:
    """A moment some minutes after `start`, never in the future."""
    at = start + timedelta(minutes=rng.uniform(low_minutes, high_minutes))
    if at >= now:
        at = start + (now - start) * rng.uniform(0.2, 0.9)
    return at


class Timeline:
    """A case's events from report to its final status, in the shape the services record them."""

    def __init__(self, rng: random.Random, now: datetime, created: datetime, reporter: Any, assignee: Any) -> None:
        self.rng, self.now, self.reporter, self.assignee = rng, now, reporter, assignee
        self.at = created
        self.events: list[dict[str, Any]] = []
        self.history: list[tuple[datetime, str]] = [(created, "new")]
        self.first_response: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None

    def add(self, kind: str, actor: Any, *, body: str = "", payload: dict[str, Any]) -> None:
        self.events.append(
            {"kind": kind, "actor": actor, "public": True, "body": body, "at": self.at, "payload": payload}
        )

    def wait(self, low_minutes: float, high_minutes: float) -> None:
        self.at = later(self.rng, self.at, self.now, low_minutes, high_minutes)

    def change(self, to: str, action: str, actor: Any) -> None:
        previous = self.history[-1][1]
        self.add("status_changed", actor, payload={"from": previous, "to": to, "action": action, "automatic": False})
        self.history.append((self.at, to))

    def reply(self, text: str) -> None:
        self.add("reply", self.assignee, body=text, payload={"from_desk": True})
        self.first_response = self.first_response or self.at

    def play(self, status: str, *, triager: Any, answers: list[str]) -> None:
        rng = self.rng
        if status == "cancelled":
            self.wait(30, 3 * 24 * 60)
            self.change("cancelled", "cancel", self.reporter)
        elif status == "triaged":
            self.wait(5, 8 * 60)
            self.change("triaged", "triage", triager)
        elif status != "new":
            closing = status in ("resolved", "closed")
            if closing or rng.random() < 0.6:
                self.wait(10, 2 * 24 * 60)
                self.reply(rng.choice(ACKNOWLEDGEMENTS))
            self.wait(10, 24 * 60)
            self.change("in_progress", "start", self.assignee)
            if status.startswith("waiting_"):
                self.wait(30, 3 * 24 * 60)
                self.change(status, f"wait_for_{status.removeprefix('waiting_')}", self.assignee)
            if closing:
                self.wait(60, 10 * 24 * 60)
                self.reply(rng.choice(answers))
                self.change("resolved", "resolve", self.assignee)
                self.resolved_at = self.at
            if status == "closed":
                self.wait(60, 14 * 24 * 60)
                self.change("closed", "close", self.reporter)
                self.closed_at = self.at


def seed(n: int, rng: random.Random) -> Seeded:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from esm.accounts.models import Organisation, OrganisationKind, Role, Team, User
    from esm.buildings.models import Building
    from esm.buildings.services import building_search_text
    from esm.cases import sla
    from esm.cases.models import PRIORITY_ORDER, Case, CaseEvent, Category, EventKind, Status
    from esm.core.models import NumberSequence
    from esm.core.numbering import format_number
    from esm.web.demo import DEPARTMENTS

    started = time.perf_counter()
    now = datetime.now(UTC)
    password_hash = make_password(PASSWORD)  # hashed once, shared by every seeded user
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")  # seeding only; reset below

    # Organisations, buildings, teams, people.
    with transaction.atomic():
        agency = Organisation.objects.create(name="Ejendomsservice", kind=OrganisationKind.AGENCY, code="agency")
        departments = {
            code: Organisation.objects.create(name=name, kind=OrganisationKind.DEPARTMENT, code=code)
            for code, name in DEPARTMENTS
        }
        institutions = []
        for index in range(40):
            department_code, pattern = INSTITUTION_KINDS[index % len(INSTITUTION_KINDS)]
            place = PLACE_NAMES[(index * 7) % len(PLACE_NAMES)]
            institutions.append(
                Organisation(
                    name=pattern.format(place),
                    kind=OrganisationKind.INSTITUTION,
                    parent=departments[department_code],
                    code=f"inst-{index + 1:02d}",
                )
            )
        institutions = Organisation.objects.bulk_create(institutions)
        buildings = []
        for index in range(60):
            street, postcode, city = STREETS[index % len(STREETS)]
            owner = institutions[index % len(institutions)]
            building = Building(
                property_number=f"E-{1001 + index}",
                name=owner.name if index < len(institutions) else f"{owner.name}, bygning {index // 40 + 1}",
                street=street,
                house_number=str(3 + (index * 13) % 140),
                postcode=postcode,
                city=city,
            )
            building.search_text = building_search_text(building)
            buildings.append(building)
        buildings = Building.objects.bulk_create(buildings)
        Through = Building.organisations.through
        Through.objects.bulk_create(
            [
                Through(building_id=b.pk, organisation_id=institutions[i % len(institutions)].pk)
                for i, b in enumerate(buildings)
            ]
        )
        buildings_of = {
            inst.pk: [b for i, b in enumerate(buildings) if i % len(institutions) == k]
            for k, inst in enumerate(institutions)
        }
        teams = {
            "nord": Team.objects.create(name="Team Nord", code="nord"),
            "syd": Team.objects.create(name="Team Syd", code="syd"),
        }
        categories = {c.code: c for c in Category.objects.all()}
        for code, category in categories.items():
            category.team = teams[TEAM_OF_CATEGORY.get(code, "nord")]
        Category.objects.bulk_update(list(categories.values()), ["team"])

        def person(username: str, role: str, index: int, **extra: Any) -> User:
            return User(
                username=username,
                password=password_hash,
                role=role,
                first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(index * 5) % len(LAST_NAMES)],
                email=f"{username}@example.org",
                **extra,
            )

        staff = [person(PERSONA, Role.TECHNICIAN, 0, team=teams["nord"], organisation=agency)]
        staff += [
            person(f"tekniker{i}", Role.TECHNICIAN, i, team=teams["nord" if i % 2 else "syd"], organisation=agency)
            for i in range(2, 11)
        ]
        staff += [
            person("teamleder-nord", Role.TEAM_LEAD, 11, team=teams["nord"], organisation=agency),
            person("teamleder-syd", Role.TEAM_LEAD, 12, team=teams["syd"], organisation=agency),
            person("admin", Role.ADMINISTRATOR, 13, organisation=agency, is_staff=True, is_superuser=True),
        ]
        customers = [
            person(f"kunde{i + 1:03d}", Role.CUSTOMER, i + 3, organisation=institutions[i % len(institutions)])
            for i in range(80)
        ]
        tenants = [person(f"lejer{i + 1:02d}", Role.TENANT, i + 7) for i in range(10)]
        api_user = person(API_USER, Role.CUSTOMER, 20, organisation=institutions[0])
        users = User.objects.bulk_create([*staff, *customers, *tenants, api_user])
        staff, customers, tenants = users[: len(staff)], users[len(staff) : len(staff) + 80], users[-11:-1]
        api_user = users[-1]
        technicians = [u for u in staff if u.role == Role.TECHNICIAN]
    progress(f"{len(institutions)} institutions, {len(buildings)} buildings, {len(users)} users", started)

    # Case specs, oldest first so numbers rise with time.
    n_open = round(n * 0.10)
    specs: list[dict[str, Any]] = []
    for index in range(n):
        is_open = index < n_open
        status = weighted(rng, OPEN_MIX if is_open else DONE_MIX)
        if status in ("new", "triaged"):
            created = business_instant(rng, now, min(60.0, rng.expovariate(1 / 6)) + 0.02)
        elif is_open:
            created = business_instant(rng, now, min(120.0, rng.expovariate(1 / 20)) + 0.1)
        elif status == "resolved":
            created = business_instant(rng, now, 30.0)
        else:
            created = business_instant(rng, now, 365.0)
        specs.append({"status": status, "created_at": created})
    specs.sort(key=lambda spec: spec["created_at"])

    calendar = sla.business_calendar()
    targets = {priority: sla.targets_for(priority) for priority, _ in PRIORITY_MIX}
    counters: Counter[int] = Counter()
    weights = [3.0, *[1.0] * (len(technicians) - 1)]  # the persona carries a bit more
    total_events = 0
    category_codes = list(CATEGORY_TEXTS)
    for batch_start in range(0, n, BATCH):
        batch = specs[batch_start : batch_start + BATCH]
        cases: list[Case] = []
        timelines: list[list[dict[str, Any]]] = []
        for spec in batch:
            status, created = spec["status"], spec["created_at"]
            code = rng.choice(category_codes)
            titles, sentences, answers = CATEGORY_TEXTS[code]
            room = rng.choice(ROOMS)
            title = rng.choice(titles).format(room=room)
            description = " ".join([rng.choice(sentences), *rng.sample(EXTRA_SENTENCES, rng.randint(1, 3))])
            if rng.random() < 0.08:
                reporter = rng.choice(tenants)
                building = rng.choice(buildings)
            else:
                reporter = rng.choice(customers)
                building = rng.choice(buildings_of[reporter.organisation_id])
            priority = weighted(rng, PRIORITY_MIX)
            year = created.year
            counters[year] += 1
            number = format_number(settings.ESM_CASE_NUMBER_PREFIX, year, counters[year])
            category = categories[code]
            assignee = None
            if status not in ("new", "cancelled") and not (status == "triaged" and rng.random() < 0.5):
                assignee = rng.choices(technicians, weights=weights)[0]
            channel = weighted(rng, CHANNEL_MIX)
            payload = {
                "status": Status.NEW,
                "title": title,
                "priority": priority,
                "category": code,
                "building": building.property_number,
                "channel": channel,
                "reporter": reporter.username,
            }
            story = Timeline(rng, now, created, reporter, assignee)
            story.add(EventKind.CREATED, reporter, body=description, payload=payload)
            story.play(status, triager=staff[-3], answers=answers)
            events = story.events
            replies = [e["body"] for e in events if e["kind"] == "reply"]
            case = Case(
                number=number,
                title=title,
                description=description,
                reporter=reporter,
                organisation_id=reporter.organisation_id,
                customer_type="tenant" if reporter.role == Role.TENANT else "municipal",
                building=building,
                location=room[:1].upper() + room[1:],
                category=category,
                priority=priority,
                priority_rank=PRIORITY_ORDER[priority],
                complexity="" if status == "new" else weighted(rng, COMPLEXITY_MIX),
                channel=channel,
                status=status,
                team_id=category.team_id,
                assignee=assignee,
                created_at=created,
                updated_at=story.at,
                first_responded_at=story.first_response,
                resolved_at=story.resolved_at,
                closed_at=story.closed_at,
                cancel_reason="Fejlmeldt – problemet er løst af pedellen." if status == "cancelled" else "",
                search_text="\n".join([number, title, description, *replies]).lower(),
            )
            clocks = sla.compute_clocks(case, history=story.history, calendar=calendar, targets=targets[priority])
            for name, value in clocks.__dict__.items():
                setattr(case, name, value)
            cases.append(case)
            timelines.append(events)
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=1_000)
            rows = [
                CaseEvent(
                    case_id=case.pk,
                    actor=event["actor"],
                    kind=event["kind"],
                    is_public=event["public"],
                    body=event["body"],
                    payload=event["payload"],
                    created_at=event["at"],
                )
                for case, events in zip(cases, timelines, strict=True)
                for event in events
            ]
            CaseEvent.objects.bulk_create(rows, batch_size=2_000)
        total_events += len(rows)
        done = batch_start + len(batch)
        if done % 20_000 == 0 or done == n:
            progress(f"{done:,} cases, {total_events:,} events", started)

    for year, last in counters.items():
        NumberSequence.objects.update_or_create(name="case", year=year, defaults={"last_value": last})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET search_vector = to_tsvector('danish', search_text)")
        progress("search vectors", started)
        cursor.execute("RESET synchronous_commit")
        cursor.execute("VACUUM (ANALYZE) cases_case")
        cursor.execute("VACUUM (ANALYZE) cases_caseevent")
        cursor.execute("ANALYZE")
    progress("vacuum and analyze", started)
    api_buildings = [b.property_number for b in buildings_of[institutions[0].pk]]
    return Seeded(
        persona_id=staff[0].pk,
        api_user_id=api_user.pk,
        api_buildings=api_buildings,
        cases=n,
        events=total_events,
        seconds=time.perf_counter() - started,
        open_cases=n_open,
    )


# --- CPU accounting (the machine is shared: say how much of it others used) -------------------

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Cpu:
    """CPU seconds used during a measurement, by whom."""

    wall: float = 0.0
    app: float = 0.0  # the Django processes (gunicorn, or this process in-process)
    db: float = 0.0  # PostgreSQL backends serving the bench database
    client: float = 0.0  # the load generator (this process) when the app runs in gunicorn
    machine: float = 0.0  # every CPU of the machine, busy time

    def others_share(self) -> float:
        """Share of the machine's capacity used by processes outside the bench."""
        cores = os.cpu_count() or 1
        others = max(0.0, self.machine - self.app - self.db - self.client)
        return others / (self.wall * cores) if self.wall else 0.0


def _process_table() -> list[tuple[int, int, float, bytes]]:
    """(pid, parent pid, CPU seconds, command line) of every process we can read."""
    table = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table.append((int(entry), int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmdline))
    return table


def cpu_snapshot(*, database: str, app_pid: int | None) -> Cpu:
    """Cumulative CPU so far; subtract two snapshots for a measurement.

    app_pid: the gunicorn master (its workers count as the app); None means this process is the app.
    """
    snap = Cpu(wall=time.perf_counter())
    own = time.process_time()
    marker = f" {database} ".encode()
    for pid, parent, seconds, cmdline in _process_table():
        if app_pid is not None and app_pid in (pid, parent):
            snap.app += seconds
        elif cmdline.startswith(b"postgres: ") and marker in cmdline:
            snap.db += seconds
    if app_pid is None:
        snap.app = own
    else:
        snap.client = own
    with contextlib.suppress(OSError, ValueError):
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        snap.machine = (sum(values[:8]) - idle) / TICK
    return snap


def machine_busy(seconds: float) -> float:
    """Share of the machine's CPU capacity in use over the next `seconds`."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values[:8]), values[3] + values[4]

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def wait_for_quiet(limit: float, *, threshold: float = 0.15) -> None:
    """The machine may be shared: wait (at most `limit` seconds) until it is nearly idle."""
    deadline = time.monotonic() + limit
    busy = machine_busy(3)
    while busy > threshold and time.monotonic() < deadline:
        print(f"  machine {busy:.0%} busy with other work; waiting for it to calm down", flush=True)
        busy = machine_busy(5)
    if busy > threshold:
        print(f"  machine still {busy:.0%} busy after {limit:.0f} s; measuring anyway", flush=True)


def cpu_used(before: Cpu, after: Cpu) -> Cpu:
    return Cpu(
        wall=after.wall - before.wall,
        app=after.app - before.app,
        db=after.db - before.db,
        client=after.client - before.client,
        machine=after.machine - before.machine,
    )


# --- in-process timing of the desk ------------------------------------------------------------


@dataclass
class Timing:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)  # url -> queries per request
    sql_ms: dict[str, float] = field(default_factory=dict)  # url -> SQL time of one request
    per_url_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    missing: str = ""
    cpu: Cpu = field(default_factory=Cpu)

    def pct(self, p: float) -> float:
        return percentile(self.samples_ms, p)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) + 1)) - 1))
    return ordered[rank]


def time_urls(
    client: Any, name: str, urls: list[str], *, runs: int, warmup: int, headers: dict[str, str], database: str
) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timing = Timing(name)
    for i in range(warmup):
        client.get(urls[i % len(urls)], headers=headers)
    for url in urls:  # one counted pass per URL: queries and their time
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=headers)
        timing.queries[url] = len(captured.captured_queries)
        timing.sql_ms[url] = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        if response.status_code != 200:
            timing.errors[f"{response.status_code} {url}"] += 1
    before = cpu_snapshot(database=database, app_pid=None)
    for i in range(runs):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            timing.errors[f"{response.status_code} {url}"] += 1
            continue
        timing.samples_ms.append(elapsed)
        timing.per_url_ms.setdefault(url, []).append(elapsed)
    timing.cpu = cpu_used(before, cpu_snapshot(database=database, app_pid=None))
    return timing


def measure_desk(seeded: Seeded, *, runs: int, warmup: int, database: str) -> dict[str, Timing]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from esm.accounts.models import User
    from esm.accounts.services import issue_api_token
    from esm.cases.models import Case

    persona = User.objects.get(pk=seeded.persona_id)
    client = Client()
    client.force_login(persona)
    results: dict[str, Timing] = {}
    try:
        desk = reverse("desk:queue")
    except NoReverseMatch:
        desk = ""
    if desk:
        queue_params = [
            {"queue": "unassigned"},
            {"queue": "mine"},
            {"queue": "team"},
            {"queue": "open"},
            {"queue": "sla_risk"},
            {"queue": "waiting"},
            {"queue": "open", "priority": "high"},
            {"queue": "open", "sort": "due"},
            {"queue": "team", "sort": "priority"},
            {"queue": "open", "category": "plumbing", "sort": "updated"},
            {"queue": "mine", "status": "in_progress"},
            {"queue": "all", "building": "E-1007"},
            {"queue": "open", "page": "2"},
            {"queue": "all"},
        ]
        closed_numbers = Case.objects.filter(status="closed").order_by("-created_at").values_list("number", flat=True)
        known = closed_numbers[min(2000, max(closed_numbers.count() - 1, 0))]  # an older case, not the newest
        search_params = [
            {"queue": "all", "q": "rude"},
            {"queue": "all", "q": "radiator"},
            {"queue": "all", "q": "toilet"},
            {"queue": "all", "q": "lækage"},
            {"queue": "all", "q": "knust rude"},
            {"queue": "all", "q": "stoppet toilet"},
            {"queue": "open", "q": "radiator"},
            {"queue": "all", "q": "tagrenden"},
            {"queue": "all", "q": "hvepsebo"},
            {"queue": "all", "q": known},
        ]
        queue_urls = [f"{desk}?{urlencode(p)}" for p in queue_params]
        search_urls = [f"{desk}?{urlencode(p)}" for p in search_params]
        results["queue"] = time_urls(
            client, "desk queue", queue_urls, runs=runs, warmup=warmup, headers={}, database=database
        )
        results["search"] = time_urls(
            client, "desk search", search_urls, runs=runs, warmup=warmup, headers={}, database=database
        )
    else:
        results["queue"] = Timing("desk queue", missing="desk:queue is not routed yet")
        results["search"] = Timing("desk search", missing="desk:queue is not routed yet")

    # A team lead's unattended view: every open case's last handler action, against the thresholds.
    lead = User.objects.filter(username="teamleder-nord").first()
    try:
        unattended = reverse("desk:unattended")
    except NoReverseMatch:
        unattended = ""
    if lead and unattended:
        lead_client = Client()
        lead_client.force_login(lead)
        results["unattended"] = time_urls(
            lead_client,
            "desk unattended",
            [unattended, f"{unattended}?scope=all"],
            runs=max(runs // 4, 10),
            warmup=2,
            headers={},
            database=database,
        )
    else:
        results["unattended"] = Timing("desk unattended", missing="no team lead or desk:unattended not routed")

    token = issue_api_token(persona)
    headers = {"Authorization": f"Bearer {token}"}
    api_client = Client()  # a token only, no session: as an integration calls it
    probe = api_client.get("/api/v1/cases?search=rude", headers=headers)
    if probe.status_code == 200:
        api_urls = ["/api/v1/cases?search=rude", "/api/v1/cases?search=radiator", "/api/v1/cases"]
        results["api_list"] = time_urls(
            api_client, "API list", api_urls, runs=runs, warmup=warmup, headers=headers, database=database
        )
    else:
        results["api_list"] = Timing("API list", missing=f"GET /api/v1/cases answered {probe.status_code}")
    return results


# --- the API under gunicorn -----------------------------------------------------------------------


@dataclass
class LoadResult:
    created: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    in_database: int = 0
    missing: str = ""
    concurrency: int = 0
    cpu: Cpu = field(default_factory=Cpu)

    @property
    def rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for_health(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            status, _ = request(port, "GET", "/healthz", timeout=2)
            if status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def post_cases(
    port: int, token: str, buildings: list[str], *, seconds: float, concurrency: int, result: LoadResult | None
) -> None:
    """POST /api/v1/cases from `concurrency` threads until the time is up.

    Each thread keeps its connection open while the server does; gunicorn's sync workers
    close it after every response, so then each request opens a new one.
    """
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def worker(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        created = 0
        while time.perf_counter() < deadline:
            code = rng.choice(list(CATEGORY_TEXTS))
            titles, sentences, _ = CATEGORY_TEXTS[code]
            room = rng.choice(ROOMS)
            body = json.dumps(
                {
                    "title": rng.choice(titles).format(room=room),
                    "description": " ".join([rng.choice(sentences), rng.choice(EXTRA_SENTENCES)]),
                    "building": rng.choice(buildings),
                    "category": "glass",
                    "priority": "normal",
                }
            ).encode()
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/cases", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if response.status == 201 and b'"number"' in data:
                created += 1
                latencies.append(elapsed)
            else:
                errors[f"HTTP {response.status}"] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()
        if result is not None:
            with lock:
                result.created += created
                result.latencies_ms.extend(latencies)
                result.errors.update(errors)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    if result is not None:
        result.seconds = time.perf_counter() - started


def measure_api_create(url: str, seeded: Seeded, *, seconds: float, concurrency: int) -> LoadResult:
    from esm.cases.models import Case

    result = LoadResult(concurrency=concurrency)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ESM_DB_CONN_MAX_AGE": "600",
        "ESM_LOG_LEVEL": "WARNING",
        "ESM_MANIFEST_STATIC": "false",
    }
    command = [sys.executable, "-m", "gunicorn", "esm.wsgi", "--workers", "4", "--bind", f"127.0.0.1:{port}"]
    log = tempfile.NamedTemporaryFile(prefix="esm-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    print(f"  gunicorn on 127.0.0.1:{port} (log {log.name})", flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_health(port, process)
        status, body = request(port, "POST", "/api/v1/auth/token", {"username": API_USER, "password": PASSWORD})
        if status != 200:
            result.missing = f"POST /api/v1/auth/token answered {status}: {body[:200]!r}"
            return result
        token = json.loads(body)["token"]
        status, body = request(
            port,
            "POST",
            "/api/v1/cases",
            {
                "title": "Prøve",
                "description": "Første sag fra benchmark.",
                "building": seeded.api_buildings[0],
                "category": "glass",
                "priority": "normal",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        if status != 201:
            result.missing = f"POST /api/v1/cases answered {status}: {body[:300]!r}"
            return result
        count_before = Case.objects.count()
        post_cases(port, token, seeded.api_buildings, seconds=2, concurrency=concurrency, result=None)  # warm-up
        after_warmup = Case.objects.count()
        database = database_name(url)
        before = cpu_snapshot(database=database, app_pid=process.pid)
        post_cases(port, token, seeded.api_buildings, seconds=seconds, concurrency=concurrency, result=result)
        result.cpu = cpu_used(before, cpu_snapshot(database=database, app_pid=process.pid))
        result.in_database = Case.objects.count() - after_warmup
        print(f"  warm-up created {after_warmup - count_before} cases", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        tail = Path(log.name).read_text(errors="replace").strip().splitlines()[-15:]
        if result.missing or result.errors:
            print("  gunicorn log (tail):\n    " + "\n    ".join(tail), flush=True)
        Path(log.name).unlink(missing_ok=True)
    return result


# --- report -------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from django.db import connection

    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "postgresql": version,
        "python": sys.version.split()[0],
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def print_timing(timing: Timing) -> None:
    if timing.missing:
        print(f"\n{timing.name}: NOT MEASURED ({timing.missing})")
        return
    print(
        f"\n{timing.name}: {len(timing.samples_ms)} requests  p50 {timing.pct(50):.1f} ms  p95 {timing.pct(95):.1f} ms"
        f"  max {max(timing.samples_ms, default=float('nan')):.1f} ms"
    )
    n = len(timing.samples_ms) + sum(timing.errors.values())
    if n and timing.cpu.wall:
        print(
            f"  CPU per request: Django {timing.cpu.app / n * 1000:.1f} ms,"
            f" PostgreSQL {timing.cpu.db / n * 1000:.1f} ms;"
            f" other processes used {timing.cpu.others_share():.0%} of the machine meanwhile"
        )
    print(f"  {'p50 ms':>7} {'queries':>7} {'SQL ms':>7}  URL")
    for url, samples in timing.per_url_ms.items():
        queries, sql_ms = timing.queries.get(url, 0), timing.sql_ms.get(url, 0.0)
        print(f"  {statistics.median(samples):7.1f} {queries:7d} {sql_ms:7.1f}  {url}")
    for error, count in timing.errors.items():
        print(f"  ERROR {count}x {error}")


def verdict(value: float, target: float, *, at_most: bool, measured: bool) -> str:
    if not measured or value != value:  # NaN: nothing measured
        return "NOT MEASURED"
    ok = value <= target if at_most else value >= target
    return "PASS" if ok else "FAIL"


def summary(seeded: Seeded, desk: dict[str, Timing], load: LoadResult, info: dict[str, str]) -> bool:
    queue, search, api_list = desk["queue"], desk["search"], desk["api_list"]
    rows = [
        ("desk queue p95", queue.pct(95), TARGET_QUEUE_P95_MS, True, not queue.missing, queue.errors, "ms"),
        ("desk search p95", search.pct(95), TARGET_SEARCH_P95_MS, True, not search.missing, search.errors, "ms"),
        ("API cases created", load.rate, TARGET_CREATE_PER_SECOND, False, not load.missing, load.errors, "/s"),
    ]
    print("\n" + "=" * 78)
    print(f"SUMMARY  {datetime.now(COPENHAGEN):%Y-%m-%d %H:%M %Z}")
    print(f"  machine: {info['cores']} cores, {info['cpu']}, {info['memory']} RAM")
    print(f"  PostgreSQL {info['postgresql']}, Python {info['python']}")
    print(f"  data: {seeded.cases:,} cases ({seeded.open_cases:,} open), {seeded.events:,} events")
    print(f"  seeding took {seeded.seconds:.0f} s; load average {info['load']}")
    for timing in (queue, search, api_list, *([desk["unattended"]] if "unattended" in desk else [])):
        if timing.missing:
            print(f"  {timing.name:<22} NOT MEASURED ({timing.missing})")
        else:
            queries = sorted(set(timing.queries.values()))
            span = f"{queries[0]}–{queries[-1]}" if len(queries) > 1 else str(queries[0])
            print(
                f"  {timing.name:<22} p50 {timing.pct(50):7.1f} ms   p95 {timing.pct(95):7.1f} ms"
                f"   SQL queries/request {span}   (others used {timing.cpu.others_share():.0%} of the machine)"
            )
    if load.missing:
        print(f"  {'API create':<22} NOT MEASURED ({load.missing})")
    else:
        errors = sum(load.errors.values())
        print(
            f"  {'API create':<22} {load.rate:7.1f} cases/s   p50 {percentile(load.latencies_ms, 50):.1f} ms"
            f"   p95 {percentile(load.latencies_ms, 95):.1f} ms   {load.created} × 201 in {load.seconds:.1f} s,"
            f" {errors} errors, concurrency {load.concurrency}, {load.in_database} new rows in the database"
        )
        for error, count in load.errors.items():
            print(f"    error {error}: {count}")
        if load.created:
            cpu = load.cpu
            per_case = (cpu.app + cpu.db + cpu.client) / load.created * 1000
            print(
                f"  {'':<22} CPU per case: Django {cpu.app / load.created * 1000:.1f} ms,"
                f" PostgreSQL {cpu.db / load.created * 1000:.1f} ms,"
                f" load client {cpu.client / load.created * 1000:.1f} ms"
                f" → CPU ceiling ~{(os.cpu_count() or 1) * 1000 / per_case:.0f} cases/s on {os.cpu_count()} idle cores;"
                f" others used {cpu.others_share():.0%} of the machine"
            )
    all_pass = True
    print("  targets:")
    for label, value, target, at_most, measured, errors, unit in rows:
        mark = "FAIL" if errors else verdict(value, target, at_most=at_most, measured=measured)
        all_pass = all_pass and mark == "PASS"
        sign = "≤" if at_most else "≥"
        shown = f"{value:.1f} {unit}" if measured else "-"
        print(f"    {mark:<12} {label:<20} {shown:>12}  (target {sign} {target:g} {unit})")
    print(f"  command: {shlex.join(sys.orig_argv)}")
    print("=" * 78)
    return all_pass


def use_assignment_rules() -> None:
    """The demo's rules (building's technician, building's team, category's team), each building's team
    responsible: every new case is then given to the least busy available member of a team."""
    from esm.accounts.models import Team
    from esm.buildings.models import Building
    from esm.cases.demo_assignment import seed_rules

    seed_rules()
    teams = list(Team.objects.order_by("pk"))
    for index, pk in enumerate(Building.objects.order_by("pk").values_list("pk", flat=True)):
        Building.objects.filter(pk=pk).update(responsible_team=teams[index % len(teams)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed (default 100000)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"PostgreSQL URL (default {DEFAULT_URL})")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the API load (default 15)")
    parser.add_argument("--concurrency", type=int, default=12, help="concurrent API clients (default 12)")
    parser.add_argument("--requests", type=int, default=200, help="timed desk requests per kind (default 200)")
    parser.add_argument(
        "--quiet-wait", type=float, default=120.0, help="wait up to this long for an idle machine (default 120 s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--assignment-rules",
        action="store_true",
        help="create cases under the default automatic-assignment rules (each building's team responsible)",
    )
    args = parser.parse_args()
    if not urlsplit(args.database_url).scheme.startswith("postgres"):
        raise SystemExit("the bench runs on PostgreSQL only")
    host = urlsplit(args.database_url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1", ""):
        raise SystemExit("the bench drops and creates its database: point it at a local PostgreSQL only")

    print(f"Database {database_name(args.database_url)}: drop, create, migrate", flush=True)
    recreate_database(args.database_url)
    try:
        setup_django(args.database_url)
        print(f"Seeding {args.cases:,} cases", flush=True)
        seeded = seed(args.cases, random.Random(args.seed))
        print("Timing the desk in-process", flush=True)
        wait_for_quiet(args.quiet_wait)
        desk = measure_desk(seeded, runs=args.requests, warmup=10, database=database_name(args.database_url))
        for timing in desk.values():
            print_timing(timing)
        if args.assignment_rules:
            use_assignment_rules()
        rules = " under the default assignment rules" if args.assignment_rules else ""
        print(f"\nAPI case creation{rules} under gunicorn for {args.seconds:g} s", flush=True)
        wait_for_quiet(args.quiet_wait)
        load = measure_api_create(args.database_url, seeded, seconds=args.seconds, concurrency=args.concurrency)
        all_pass = summary(seeded, desk, load, machine())
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept database {database_name(args.database_url)}")
        else:
            recreate_database(args.database_url, drop_only=True)
            print(f"Dropped database {database_name(args.database_url)}")
    return 0 if all_pass else 1


if __name__ == "__main__":
    sys.exit(main())
