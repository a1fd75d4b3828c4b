"""Deterministic, realistic Danish demo data: what `manage.py seed_demo` loads, once.

The municipality's seven departments, the property agency, about forty institutions in
about sixty buildings with Copenhagen addresses, customers, private tenants, two teams
of technicians with their leads, an administrator, a year of historical cases and a
couple of dozen open cases from the last two weeks.

Every random choice comes from `random.Random(seed)` and every time is placed relative
to `now`, so two loads with the same seed and the same `now` give the same data (same
numbers, titles and timelines); the demo is always "the last twelve months".

Historical cases are fixture data, not user actions: they are written with
`bulk_create`, but shaped exactly like what `esm.cases.services` writes — numbers from
the case sequence (which is moved on so new cases continue after them), the same event
kinds and payloads, handling time entries, search text and SLA clocks computed by
`esm.cases.sla`. Their status changes follow the lifecycle table. The recent open cases
are created through the services themselves.

Demo passwords are printed and written to `var/demo-users.json`: demo only, never used
in production.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import json
import math
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from time import perf_counter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.postgres.search import SearchVector
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from esm.accounts.models import Organisation, OrganisationKind, Role, Team, User
from esm.buildings.adapters.local import sample_bbr_id
from esm.buildings.models import Building, Installation, MaintenancePlan, Unit
from esm.buildings.services import register_building, update_building
from esm.cases import services, sla
from esm.cases.lifecycle import BY_ACTION
from esm.cases.models import (
    PRIORITY_ORDER,
    Case,
    CaseEvent,
    Category,
    Channel,
    CustomerType,
    EventKind,
    Priority,
    Status,
    TimeEntry,
    TimeSource,
)
from esm.core.calendar import BusinessCalendar
from esm.core.models import NumberSequence
from esm.core.numbering import format_number

HISTORICAL_CASES = 500
COMPLEXITY_MIX = {"easy": 0.35, "medium": 0.50, "complex": 0.15}  # the business case's mix
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
HOUR = 3600
DAY = 8 * HOUR  # one business day

# --- organisations -------------------------------------------------------------------

AGENCY = ("kejd", "Københavns Ejendomme")  # its code marks the demo as loaded

DEPARTMENTS = [
    ("okf", "Økonomiforvaltningen"),
    ("sof", "Socialforvaltningen"),
    ("kff", "Kultur- og Fritidsforvaltningen"),
    ("tmf", "Teknik- og Miljøforvaltningen"),
    ("buf", "Børne- og Ungdomsforvaltningen"),
    ("bif", "Beskæftigelses- og Integrationsforvaltningen"),
    ("suf", "Sundheds- og Omsorgsforvaltningen"),
]


class Institution(NamedTuple):
    code: str
    name: str
    department: str
    kind: str  # decides the rooms a case names: school, daycare, library, sports, culture, office, ...
    places: tuple[tuple[str, str, str, str], ...]  # (label, street, number, postcode) per building


INSTITUTIONS = [
    # Børne- og Ungdomsforvaltningen: schools
    Institution(
        "vesterbro-ny-skole",
        "Vesterbro Ny Skole",
        "buf",
        "school",
        (("hovedbygning", "Absalonsgade", "8", "1658"), ("idrætsbygning", "Absalonsgade", "10", "1658")),
    ),
    Institution(
        "noerrebro-park-skole",
        "Nørrebro Park Skole",
        "buf",
        "school",
        (("hovedbygning", "Stevnsgade", "6", "2200"), ("SFO-pavillon", "Stevnsgade", "8", "2200")),
    ),
    Institution(
        "skolen-ved-sundet",
        "Skolen ved Sundet",
        "buf",
        "school",
        (
            ("hovedbygning", "Samosvej", "50", "2300"),
            ("gymnastiksal", "Samosvej", "52", "2300"),
            ("indskolingen", "Samosvej", "54", "2300"),
        ),
    ),
    Institution("valby-skole", "Valby Skole", "buf", "school", (("hovedbygning", "Vigerslev Allé", "102", "2500"),)),
    Institution(
        "katrinedals-skole",
        "Katrinedals Skole",
        "buf",
        "school",
        (("hovedbygning", "Sallingvej", "67", "2720"), ("idrætshal", "Sallingvej", "69", "2720")),
    ),
    Institution("tingbjerg-skole", "Tingbjerg Skole", "buf", "school", (("hovedbygning", "Ruten", "2", "2700"),)),
    Institution(
        "kildevaeldsskolen",
        "Kildevældsskolen",
        "buf",
        "school",
        (("hovedbygning", "Bryggervangen", "75", "2100"), ("gymnastiksal", "Bryggervangen", "77", "2100")),
    ),
    Institution(
        "lundehusskolen", "Lundehusskolen", "buf", "school", (("hovedbygning", "Rentemestervej", "14", "2400"),)
    ),
    Institution(
        "sydhavnens-skole", "Sydhavnens Skole", "buf", "school", (("hovedbygning", "Wagnersvej", "27", "2450"),)
    ),
    # Børne- og Ungdomsforvaltningen: day-care
    Institution(
        "boernehuset-maelkeboetten",
        "Børnehuset Mælkebøtten",
        "buf",
        "daycare",
        (("", "Dybbølsgade", "12", "1721"),),
    ),
    Institution("vuggestuen-myretuen", "Vuggestuen Myretuen", "buf", "daycare", (("", "Blågårdsgade", "23", "2200"),)),
    Institution(
        "boernehaven-regnbuen", "Børnehaven Regnbuen", "buf", "daycare", (("", "Holmbladsgade", "80", "2300"),)
    ),
    Institution(
        "soestjernen", "Integreret institution Søstjernen", "buf", "daycare", (("", "Sluseholmen", "22", "2450"),)
    ),
    Institution(
        "boernehaven-kastanjen", "Børnehaven Kastanjen", "buf", "daycare", (("", "Toftegårds Allé", "40", "2500"),)
    ),
    Institution(
        "vuggestuen-humlebien", "Vuggestuen Humlebien", "buf", "daycare", (("", "Classensgade", "30", "2100"),)
    ),
    Institution(
        "boernehuset-tumlepladsen",
        "Børnehuset Tumlepladsen",
        "buf",
        "daycare",
        (("", "Krabbesholmvej", "8", "2700"),),
    ),
    Institution(
        "boernehaven-troldehoej", "Børnehaven Troldehøj", "buf", "daycare", (("", "Grøndals Parkvej", "12", "2720"),)
    ),
    # Kultur- og Fritidsforvaltningen: libraries, sports halls, culture houses
    Institution("hovedbiblioteket", "Hovedbiblioteket", "kff", "library", (("", "Krystalgade", "15", "1172"),)),
    Institution("vesterbro-bibliotek", "Vesterbro Bibliotek", "kff", "library", (("", "Lyrskovgade", "4", "1758"),)),
    Institution("noerrebro-bibliotek", "Nørrebro Bibliotek", "kff", "library", (("", "Bragesgade", "8B", "2200"),)),
    Institution("sundby-bibliotek", "Sundby Bibliotek", "kff", "library", (("", "Jemtelandsgade", "3", "2300"),)),
    Institution(
        "valby-kulturhus",
        "Valby Kulturhus",
        "kff",
        "culture",
        (("kulturhus", "Valgårdsvej", "4", "2500"), ("bibliotek", "Valgårdsvej", "6", "2500")),
    ),
    Institution(
        "noerrebrohallen",
        "Nørrebrohallen",
        "kff",
        "sports",
        (("idrætshal", "Bragesgade", "5", "2200"), ("multisal", "Bragesgade", "7", "2200")),
    ),
    Institution(
        "valbyhallen",
        "Valbyhallen",
        "kff",
        "sports",
        (
            ("idrætshal", "Julius Andersens Vej", "1", "2450"),
            ("omklædningsbygning", "Julius Andersens Vej", "3", "2450"),
        ),
    ),
    Institution("groendal-multicenter", "Grøndal MultiCenter", "kff", "sports", (("", "Hvidkildevej", "64", "2400"),)),
    Institution(
        "broenshoej-idraetshal", "Brønshøj Idrætshal", "kff", "sports", (("", "Frederikssundsvej", "246", "2700"),)
    ),
    Institution(
        "kulturhuset-islands-brygge",
        "Kulturhuset Islands Brygge",
        "kff",
        "culture",
        (("", "Islands Brygge", "18", "2300"),),
    ),
    Institution(
        "kulturhuset-indre-by",
        "Kulturhuset Indre By",
        "kff",
        "culture",
        (("", "Charlotte Ammundsens Plads", "3", "1359"),),
    ),
    # Teknik- og Miljøforvaltningen
    Institution(
        "tmf-njalsgade",
        "Teknik- og Miljøforvaltningens administrationsbygning",
        "tmf",
        "office",
        (("Njalsgade 13", "Njalsgade", "13", "2300"), ("Njalsgade 21", "Njalsgade", "21", "2300")),
    ),
    Institution(
        "driftsgaarden-nordvest",
        "Park og Natur, Driftsgården Nordvest",
        "tmf",
        "depot",
        (("", "Tomsgårdsvej", "34", "2400"),),
    ),
    Institution(
        "materielgaarden-amager",
        "Vejdrift, Materielgården Amager",
        "tmf",
        "depot",
        (("", "Kongelundsvej", "208", "2300"),),
    ),
    # Økonomiforvaltningen
    Institution("raadhuset", "Københavns Rådhus", "okf", "office", (("", "Rådhuspladsen", "1", "1599"),)),
    Institution(
        "okf-kalvebod-brygge",
        "Økonomiforvaltningens administrationsbygning",
        "okf",
        "office",
        (("", "Kalvebod Brygge", "39", "1560"),),
    ),
    # Beskæftigelses- og Integrationsforvaltningen
    Institution(
        "jobcenter-koebenhavn",
        "Jobcenter København",
        "bif",
        "office",
        (("Gyldenløvesgade", "Gyldenløvesgade", "11", "1600"), ("afdeling Amager", "Amagerbrogade", "150", "2300")),
    ),
    Institution(
        "integrationscenter-noerrebro",
        "Integrationscenter Nørrebro",
        "bif",
        "office",
        (("", "Nørrebrogade", "52", "2200"),),
    ),
    Institution("ungeindsatsen", "Ungeindsatsen Vesterbro", "bif", "office", (("", "Enghavevej", "40", "1674"),)),
    # Socialforvaltningen
    Institution("familiehuset-vesterbro", "Familiehuset Vesterbro", "sof", "social", (("", "Saxogade", "12", "1662"),)),
    Institution(
        "bostedet-sundholm",
        "Bostedet Sundholm",
        "sof",
        "social",
        (("hus A", "Sundholmsvej", "36", "2300"), ("hus B", "Sundholmsvej", "38", "2300")),
    ),
    Institution(
        "socialcenter-noerrebro", "Socialcenter Nørrebro", "sof", "office", (("", "Nørrebrogade", "208", "2200"),)
    ),
    # Sundheds- og Omsorgsforvaltningen
    Institution(
        "plejehjemmet-soelund",
        "Plejehjemmet Sølund",
        "suf",
        "nursing",
        (("hovedbygning", "Ryesgade", "35", "2200"), ("havehuset", "Ryesgade", "37", "2200")),
    ),
    Institution("plejecenter-valby", "Plejecenter Valby", "suf", "nursing", (("", "Valby Langgade", "160", "2500"),)),
    Institution(
        "plejecenter-frederiksborgvej",
        "Plejecenter Frederiksborgvej",
        "suf",
        "nursing",
        (("", "Frederiksborgvej", "50", "2400"),),
    ),
    Institution("sundhedshuset-amager", "Sundhedshuset Amager", "suf", "office", (("", "Kastrupvej", "70", "2300"),)),
]

# Flats the agency lets to private tenants: no organisation uses these buildings.
HOUSING = [
    ("Saxogade", "80", "1662"),
    ("Rantzausgade", "40", "2200"),
    ("Strandboulevarden", "120", "2100"),
    ("Sundholmsvej", "60", "2300"),
    ("Valby Langgade", "80", "2500"),
    ("Bellahøjvej", "60", "2700"),
]


def city_for(postcode: str) -> str:
    """The postal district of a Copenhagen municipality postcode (Frederiksberg is not ours)."""
    number = int(postcode)
    if 1000 <= number <= 1499:
        return "København K"
    if 1500 <= number <= 1799:
        return "København V"
    districts = {
        2100: "København Ø",
        2200: "København N",
        2300: "København S",
        2400: "København NV",
        2450: "København SV",
        2500: "Valby",
        2700: "Brønshøj",
        2720: "Vanløse",
    }
    if number not in districts:
        raise ValueError(f"{postcode} is not a postcode in Copenhagen municipality")
    return districts[number]


# --- the registry: facts, rooms, installations and access of each building --------------

# Approximate centre of each postal district (latitude, longitude), for the map links.
DISTRICT_CENTRES = {
    "København K": (55.6794, 12.5770),
    "København V": (55.6710, 12.5500),
    "København Ø": (55.7060, 12.5800),
    "København N": (55.6960, 12.5450),
    "København S": (55.6600, 12.6000),
    "København NV": (55.7050, 12.5250),
    "København SV": (55.6500, 12.5400),
    "Valby": (55.6620, 12.5030),
    "Brønshøj": (55.7070, 12.4950),
    "Vanløse": (55.6870, 12.4900),
}
# BBR use codes by kind of institution: 421 primary school, 441 day-care, 416 library, 533 sports hall,
# 419 other culture, 321 office, 323 storage and depot, 160 residential institution, 140 blocks of flats.
USE_CODES = {
    "school": "421",
    "daycare": "441",
    "library": "416",
    "sports": "533",
    "culture": "419",
    "office": "321",
    "depot": "323",
    "social": "160",
    "nursing": "160",
    "housing": "140",
}
# (code, name, kind, code of the floor it is on) per kind of building
UNITS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "school": (
        ("K", "Kælder", "floor", ""),
        ("0", "Stueetage", "floor", ""),
        ("1", "1. sal", "floor", ""),
        ("2", "2. sal", "floor", ""),
        ("0.05", "Kontor", "room", "0"),
        ("0.10", "Gymnastiksal", "room", "0"),
        ("1.12", "Klasselokale 1.A", "room", "1"),
        ("1.20", "Faglokale natur/teknologi", "room", "1"),
        ("2.14", "Klasselokale 5.B", "room", "2"),
        ("UDE", "Skolegården", "area", ""),
    ),
    "daycare": (
        ("0", "Stueetage", "floor", ""),
        ("0.01", "Stue Sommerfuglene", "room", "0"),
        ("0.02", "Stue Mariehønerne", "room", "0"),
        ("0.05", "Køkken", "room", "0"),
        ("0.08", "Puslerum", "room", "0"),
        ("UDE", "Legepladsen", "area", ""),
    ),
    "library": (
        ("K", "Magasin", "floor", ""),
        ("0", "Stueetage", "floor", ""),
        ("0.01", "Udlån", "room", "0"),
        ("0.04", "Børnebibliotek", "room", "0"),
        ("1.02", "Læsesal", "room", ""),
    ),
    "sports": (
        ("0.01", "Hal A", "room", ""),
        ("0.02", "Omklædning herrer", "room", ""),
        ("0.03", "Omklædning damer", "room", ""),
        ("0.10", "Kiosk og cafe", "room", ""),
    ),
    "culture": (
        ("0.01", "Foyer", "room", ""),
        ("1.01", "Salen", "room", ""),
        ("1.05", "Værksted", "room", ""),
    ),
    "office": (
        ("0", "Stueetage", "floor", ""),
        ("1", "1. sal", "floor", ""),
        ("2", "2. sal", "floor", ""),
        ("0.02", "Reception", "room", "0"),
        ("1.10", "Mødelokale Søndermarken", "room", "1"),
        ("2.05", "Kantine", "room", "2"),
    ),
    "depot": (
        ("0.01", "Værksted", "room", ""),
        ("0.02", "Garage", "room", ""),
        ("0.03", "Mandskabsrum", "room", ""),
    ),
    "social": (
        ("0.01", "Fællesrum", "room", ""),
        ("0.05", "Køkken", "room", ""),
        ("1.01", "Bolig 1", "room", ""),
        ("1.02", "Bolig 2", "room", ""),
    ),
    "nursing": (
        ("0", "Stueetage", "floor", ""),
        ("1", "1. sal", "floor", ""),
        ("0.01", "Fællesstue", "room", "0"),
        ("0.06", "Produktionskøkken", "room", "0"),
        ("1.11", "Bolig 11", "room", "1"),
        ("1.12", "Bolig 12", "room", "1"),
    ),
    "housing": (
        ("K", "Kælder og vaskeri", "floor", ""),
        ("A", "Opgang A", "area", ""),
        ("B", "Opgang B", "area", ""),
        ("LOFT", "Loft", "floor", ""),
    ),
}
# (kind, name, makes, supplier, unit code or "") — the installations every building of a kind has
INSTALLATIONS: dict[str, tuple[tuple[str, str, tuple[str, ...], str, str], ...]] = {
    "common": (
        ("heating", "Fjernvarmeunit", ("Danfoss", "Gemina Termix"), "Varmeservice Hovedstaden ApS", "K"),
        ("ventilation", "Ventilationsanlæg", ("Nilan", "Systemair", "Exhausto"), "Ventilationsservice Øst A/S", ""),
        ("fire_alarm", "ABA-brandalarm", ("Siemens", "Schneider Electric"), "Brandteknik København ApS", ""),
        ("roof", "Tag og tagrender", ("",), "Dansk Tagdækning ApS", ""),
    ),
    "school": (("playground", "Legeplads i skolegården", ("Kompan",), "Kompan Service A/S", "UDE"),),
    "daycare": (("playground", "Legeplads", ("Kompan", "HAGS"), "Kompan Service A/S", "UDE"),),
    "office": (("lift", "Personelevator", ("KONE", "Schindler"), "KONE A/S", "0"),),
    "nursing": (("lift", "Sengeelevator", ("KONE",), "KONE A/S", "0"),),
    "sports": (("boiler", "Varmtvandsbeholder", ("Viessmann", "Vaillant"), "Kedelservice Hovedstaden ApS", ""),),
    "housing": (("boiler", "Gaskedel", ("Vaillant",), "Kedelservice Hovedstaden ApS", "K"),),
}
# Which installation a historical case of a category concerns, when its building has one.
CATEGORY_INSTALLATIONS = {"heating": ("heating", "ventilation", "boiler"), "roof": ("roof",), "electrical": ("lift",)}
OPENING_HOURS = {
    "school": "Man–fre 7.00–17.00. SFO til 17.00.",
    "daycare": "Man–fre 6.30–17.00.",
    "library": "Man–fre 10.00–19.00, lør 10.00–14.00. Selvbetjent 8.00–22.00.",
    "sports": "Alle dage 7.00–22.00.",
    "culture": "Man–tor 10.00–21.00, fre 10.00–16.00.",
    "office": "Man–fre 8.00–16.00.",
    "depot": "Man–fre 6.00–14.30.",
    "social": "Døgnbemandet.",
    "nursing": "Døgnbemandet. Henvendelse i receptionen.",
    "housing": "Kontakt viceværten man–fre 8.00–9.00.",
}


# --- people --------------------------------------------------------------------------

# Demo only: printed by `make run`, written to var/demo-users.json, never used in production.
PASSWORDS = {
    Role.CUSTOMER: "demo-kunde-2026",
    Role.TENANT: "demo-lejer-2026",
    Role.TECHNICIAN: "demo-tekniker-2026",
    Role.TEAM_LEAD: "demo-teamleder-2026",
    Role.ADMINISTRATOR: "demo-admin-2026",
}
ROLE_ORDER = [Role.CUSTOMER, Role.TENANT, Role.TECHNICIAN, Role.TEAM_LEAD, Role.ADMINISTRATOR]

TEAMS = [("nord", "Team Nord"), ("syd", "Team Syd")]
CATEGORY_TEAMS = {
    "glass": "nord",
    "locks": "nord",
    "electrical": "nord",
    "heating": "nord",
    "cleaning": "nord",
    "plumbing": "syd",
    "roof": "syd",
    "outdoor": "syd",
    "pests": "syd",
    "other": "syd",
}
CATEGORY_NAMES = {
    "glass": ("Glas og ruder", "Glass and windows"),
    "locks": ("Låse og nøgler", "Locks and keys"),
    "plumbing": ("VVS og afløb", "Plumbing"),
    "electrical": ("El og belysning", "Electrical"),
    "heating": ("Varme og ventilation", "Heating and ventilation"),
    "roof": ("Tag og facade", "Roof and facade"),
    "outdoor": ("Udearealer og legepladser", "Outdoor areas"),
    "cleaning": ("Rengøring", "Cleaning"),
    "pests": ("Skadedyr", "Pests"),
    "other": ("Andet", "Other"),
}

# (username, first name, last name, institution code, how often they report)
CUSTOMERS = [
    ("lise", "Lise", "Holm", "vesterbro-ny-skole", 1.2),
    ("peter", "Peter", "Dahl", "vesterbro-ny-skole", 0.8),
    ("karin", "Karin", "Sørensen", "skolen-ved-sundet", 1.4),
    ("jens", "Jens", "Pedersen", "valby-skole", 1.6),
    ("mette", "Mette", "Berg", "boernehuset-maelkeboetten", 0.9),
    ("camilla", "Camilla", "Andersen", "vuggestuen-myretuen", 0.9),
    ("ida", "Ida", "Møller", "boernehaven-kastanjen", 0.8),
    ("anne", "Anne", "Kristensen", "hovedbiblioteket", 1.0),
    ("bo", "Bo", "Rasmussen", "noerrebrohallen", 1.5),
    ("maja", "Maja", "Poulsen", "kulturhuset-islands-brygge", 0.8),
    ("henrik", "Henrik", "Larsen", "tmf-njalsgade", 1.1),
    ("lars", "Lars", "Johansen", "raadhuset", 1.0),
    ("thomas", "Thomas", "Christensen", "jobcenter-koebenhavn", 1.0),
    ("nadia", "Nadia", "Hansen", "familiehuset-vesterbro", 0.8),
    ("sofie", "Sofie", "Jørgensen", "plejehjemmet-soelund", 1.4),
    ("erik", "Erik", "Nielsen", "bostedet-sundholm", 1.0),
]
# (username, first name, last name, index into HOUSING, flat)
TENANTS = [
    ("jonas", "Jonas", "Krogh", 0, "2. th."),
    ("amira", "Amira", "Haddad", 1, "4. tv."),
    ("kirsten", "Kirsten", "Vestergaard", 2, "1. tv."),
    ("mohammad", "Mohammad", "Rahimi", 3, "st. th."),
    ("emma", "Emma", "Friis", 4, "3. mf."),
    ("niels", "Niels", "Bech", 5, "2. tv."),
]
# (username, first name, last name, team code)
TECHNICIANS = [
    ("ole", "Ole", "Madsen", "nord"),
    ("kim", "Kim", "Frandsen", "nord"),
    ("rasmus", "Rasmus", "Kjær", "nord"),
    ("mikkel", "Mikkel", "Bruun", "nord"),
    ("sara", "Sara", "Nielsen", "syd"),
    ("jesper", "Jesper", "Holt", "syd"),
    ("tobias", "Tobias", "Lauridsen", "syd"),
    ("louise", "Louise", "Winther", "syd"),
]
TEAM_LEADS = [("hanne", "Hanne", "Lund", "nord"), ("morten", "Morten", "Skov", "syd")]
ADMINISTRATOR = ("admin", "Anders", "Bjerre")

# --- what cases are about ------------------------------------------------------------

# Rooms per kind of building, phrased to follow "i" ("Knust rude i klasselokale 2.B").
ROOMS = {
    "school": [
        "klasselokale 2.B",
        "klasselokale 4.A",
        "klasselokale 7.C",
        "gymnastiksalen",
        "lærerværelset",
        "SFO'ens fællesrum",
        "musiklokalet",
        "natur/teknologi-lokalet",
        "skolekøkkenet",
        "biblioteket",
    ],
    "daycare": [
        "puderummet",
        "vuggestuegruppen Mariehønen",
        "børnehavegruppen Egernet",
        "personalerummet",
        "køkkenet",
        "garderoben",
        "krybberummet",
        "badeværelset ved stuerne",
    ],
    "library": ["udlånshallen", "børnebiblioteket", "læsesalen", "mødelokalet", "magasinet", "personalekøkkenet"],
    "sports": [
        "hal 1",
        "hal 2",
        "omklædningsrummet for damer",
        "omklædningsrummet for herrer",
        "styrketræningslokalet",
        "cafeteriet",
        "redskabsrummet",
    ],
    "culture": ["salen", "foyeren", "værkstedet", "mødelokale 2", "caféen", "øvelokalet"],
    "office": [
        "mødelokale 3.12",
        "kantinen",
        "kontor 2.07",
        "receptionen",
        "kopirummet",
        "storrumskontoret",
        "tekøkkenet",
    ],
    "nursing": [
        "fællesstuen i afsnit B",
        "beboerstuen",
        "produktionskøkkenet",
        "bolig 14",
        "bolig 21",
        "personalerummet",
        "vaskeriet",
    ],
    "social": ["fællesrummet", "samtalerummet", "køkkenet", "værelse 12", "kontoret", "vaskerummet"],
    "depot": ["værkstedet", "garagen", "mandskabsrummet", "kontoret", "vaskehallen"],
    "housing": ["køkkenet", "badeværelset", "stuen", "soveværelset", "entréen"],
}
# (phrase after the title's preposition, how the location names it)
FLOORS = [("i kælderen", "kælderen"), ("i stueetagen", "stueetagen"), ("på 1. sal", "1. sal"), ("på 2. sal", "2. sal")]
HOUSING_FLOORS = [("i lejligheden", "lejligheden")]

INSTITUTIONAL = frozenset({"school", "daycare", "library", "sports", "culture", "office", "nursing", "social", "depot"})
CHILDREN = frozenset({"school", "daycare"})
WITH_PLAYGROUND = frozenset({"school", "daycare", "housing"})


class Template(NamedTuple):
    title: str
    description: str
    finding: str  # the technician's internal note after looking at it
    fix: str  # the public reply when it is done
    hint: str = ""  # a priority this kind of report often gets
    kinds: frozenset[str] | None = None  # building kinds it fits (None: all)
    location: str = ""  # where, when neither {room} nor {on_floor} says it


T = Template
TEMPLATES: dict[str, dict[str, list[Template]]] = {
    "glass": {
        "easy": [
            T(
                "Knust rude i {room}",
                "Ruden i vinduet ud mod gården er knust. Der er glasskår i vindueskarmen og på gulvet, "
                "og vi har spærret af, indtil den er skiftet.",
                "Målt op: rude 84 × 112 cm, 4-12-4 termorude. Glarmester bestilt.",
                "Ruden er skiftet, og glasskårene er fjernet. Lokalet kan bruges igen.",
            ),
            T(
                "Revne i rude i {room}",
                "Der er kommet en lang revne i den nederste rude i {room}. Den er ikke gået i stykker endnu, "
                "men vi er bange for, at den falder ud.",
                "Revnen går fra hjørnet – sandsynligvis spænding i glasset. Ny rude bestilt.",
                "Den revnede rude er skiftet.",
                "low",
            ),
            T(
                "Vindue kan ikke lukkes i {room}",
                "Vinduet i {room} kan ikke lukkes helt – hængslet er skævt, og det trækker ind. "
                "Vi har sat tape for indtil videre.",
                "Hængslet er bøjet. Nyt hængsel monteret og vinduet justeret.",
                "Vinduet har fået nyt hængsel og lukker tæt igen.",
            ),
        ],
        "medium": [
            T(
                "Knust glas i hoveddøren",
                "Glasset i hoveddøren er smadret i nat – formentlig hærværk. Døren kan lukkes, men der er hul i ruden.",
                "Sat plade for døren midlertidigt. Sikkerhedsglas bestilt.",
                "Der er sat nyt sikkerhedsglas i hoveddøren.",
                "high",
                location="Hovedindgangen",
            ),
            T(
                "Dug mellem lagene i termoruderne i {room}",
                "Der er dug mellem glassene i flere af vinduerne i {room}, så man næsten ikke kan se ud. "
                "Det har været sådan siden efteråret.",
                "Fire termoruder er punkterede. Målt op og bestilt.",
                "De punkterede termoruder er skiftet, så der er frit udsyn igen.",
                "low",
            ),
            T(
                "Vindue hænger løst {on_floor}",
                "Et oplukkeligt vindue {on_floor} er gået løs i det øverste hængsel og hænger skævt. "
                "Vi har lukket lokalet af.",
                "Rammen er sikret midlertidigt. Nye hængsler og beslag bestilt.",
                "Vinduet er sat op med nye hængsler og beslag og lukker sikkert igen.",
                "high",
            ),
        ],
        "complex": [
            T(
                "Flere knuste ruder efter indbrud",
                "Der har været indbrud i nat. Tre ruder i {room} og glasdøren til gården er slået ind. "
                "Politiet har været her og har et journalnummer.",
                "Sat plader for alle huller. Forsikringssag oprettet med politiets journalnummer.",
                "Alle ruder og glasdøren er skiftet efter indbruddet, og pladerne er fjernet.",
                "urgent",
                INSTITUTIONAL,
            ),
            T(
                "Glasfacaden ved indgangen er revnet",
                "Den store glasfacade ved hovedindgangen har en revne på omkring en meter. "
                "Vi har stillet kegler op, så ingen går tæt på.",
                "Revnen skyldes sætning i facaden. Fagget skal skiftes med kran.",
                "Det revnede fag i glasfacaden er skiftet, og afspærringen er fjernet.",
                "high",
                INSTITUTIONAL,
                "Hovedindgangen",
            ),
        ],
    },
    "locks": {
        "easy": [
            T(
                "Nøglebrik virker ikke til hovedindgangen",
                "Min nøglebrik virker ikke længere ved hovedindgangen – lampen lyser rødt. "
                "Den virker fint ved personaleindgangen.",
                "Brikken var faldet ud af adgangssystemet efter en opdatering – genaktiveret.",
                "Brikken virker igen – prøv den gerne og giv besked, hvis der stadig er problemer.",
                "",
                INSTITUTIONAL,
                "Hovedindgangen",
            ),
            T(
                "Dørpumpe løs på døren til {room}",
                "Dørpumpen over døren til {room} er gået løs i den ene side, og døren smækker hårdt i.",
                "Skruerne var revet ud af karmen. Pumpen er monteret med nye beslag.",
                "Dørpumpen er skruet fast og justeret, så døren lukker roligt igen.",
                "low",
            ),
            T(
                "Låsen i døren til {room} driller",
                "Nøglen kan kun drejes med besvær i låsen til {room}. Det er blevet værre den seneste uge.",
                "Cylinderen var slidt. Ny cylinder monteret.",
                "Låsen har fået en ny cylinder, og de nye nøgler er afleveret.",
                "low",
            ),
            T(
                "Ekstra nøgle til {room}",
                "Vi mangler en ekstra nøgle til {room} til en ny medarbejder. Kan I bestille en?",
                "Nøgle bestilt på systemnøglekortet.",
                "Den ekstra nøgle er klar og kan hentes hos pedellen mod kvittering.",
                "low",
                INSTITUTIONAL,
            ),
        ],
        "medium": [
            T(
                "Hoveddøren kan ikke låses",
                "Hoveddøren kan ikke låses efter lukketid – låsen går ikke i indgreb. "
                "Vi har lavet en midlertidig løsning med en kæde.",
                "Fallen i låsekassen er knækket. Ny låsekasse bestilt.",
                "Der er monteret en ny låsekasse, og døren kan låses igen.",
                "high",
                location="Hovedindgangen",
            ),
            T(
                "Kortlæseren ved personaleindgangen er ude af drift",
                "Kortlæseren ved personaleindgangen reagerer ikke, så ingen kan komme ind med brik. "
                "Døren står åben med en kile indtil videre.",
                "Kortlæseren har fået overspænding. Ny læser bestilt.",
                "Kortlæseren er skiftet, og alle brikker virker igen.",
                "high",
                INSTITUTIONAL,
                "Personaleindgangen",
            ),
            T(
                "Nødudgangsdøren {on_floor} falder ikke i lås",
                "Panikbeslaget på nødudgangsdøren {on_floor} sidder fast, så døren ikke falder i lås.",
                "Panikbeslaget er slidt. Nyt beslag bestilt.",
                "Panikbeslaget er skiftet, og nødudgangsdøren falder i lås igen.",
                "high",
                INSTITUTIONAL,
            ),
        ],
        "complex": [
            T(
                "Omkodning af låse efter bortkomne hovednøgler",
                "Der er bortkommet et bundt hovednøgler. Vi har brug for at få omkodet låsene i alle yderdøre.",
                "23 cylindre skal omkodes. Nøglelisten er gennemgået med institutionen.",
                "Alle yderdøre er omkodet, og de nye nøgler er udleveret efter nøglelisten.",
                "high",
                INSTITUTIONAL,
                "Alle yderdøre",
            ),
            T(
                "Indbrud – døren til {room} er brudt op",
                "Døren til {room} er brudt op i nat, og karmen er flækket. Døren kan ikke lukkes.",
                "Døren er sikret midlertidigt. Karm og dør skal skiftes.",
                "Døren og karmen er skiftet efter indbruddet, og der er monteret en ny lås.",
                "urgent",
            ),
        ],
    },
    "plumbing": {
        "easy": [
            T(
                "Toilet løber konstant {on_floor}",
                "Toilettet {on_floor} løber hele tiden, også når det ikke er blevet brugt. "
                "Det har stået på siden i går.",
                "Skiftet pakning og flydeventil i cisternen.",
                "Toilettet er repareret – der var en defekt pakning i cisternen.",
            ),
            T(
                "Dryppende vandhane i {room}",
                "Vandhanen i {room} drypper konstant, selvom den er drejet helt i.",
                "Skiftet den keramiske indsats i armaturet.",
                "Vandhanen er repareret og drypper ikke længere.",
                "low",
            ),
            T(
                "Tilstoppet håndvask i {room}",
                "Håndvasken i {room} er stoppet til, og vandet løber meget langsomt ud.",
                "Vandlåsen var fuld af papir og hår – renset.",
                "Håndvasken er renset og løber normalt igen.",
            ),
        ],
        "medium": [
            T(
                "Stoppet afløb på toiletterne {on_floor}",
                "Gulvafløbet på toiletterne {on_floor} er stoppet, og det lugter. Vi har lukket toiletterne.",
                "Afløbet renset med spiral. Der sad papirhåndklæder i faldstammen.",
                "Afløbet er renset, og toiletterne kan bruges igen.",
                "high",
            ),
            T(
                "Intet varmt vand i {room}",
                "Der kommer kun koldt vand i {room}. Vi har ladet det løbe i ti minutter uden at det bliver varmt.",
                "Blandingsventilen til det varme vand er defekt. Ny ventil bestilt.",
                "Blandingsventilen er skiftet, og der er varmt vand igen.",
            ),
            T(
                "Utæt rør under køkkenvasken",
                "Der står vand i skabet under køkkenvasken, og bunden er ved at blive blød. Vi har sat en balje under.",
                "Samlingen på afløbsrøret er utæt. Ny samling og ny skabsbund bestilt.",
                "Røret under køkkenvasken er tætnet, og bunden i skabet er skiftet.",
                "high",
                location="Køkkenet",
            ),
        ],
        "complex": [
            T(
                "Vandskade: vand løber fra loftet i {room}",
                "Der løber vand ned fra loftet i {room} – det drypper fra lampen. "
                "Vi har slukket lyset og sat spande ud.",
                "Sprunget koldtvandsrør over loftet. Lukket for vandet og sat affugter op.",
                "Røret er skiftet, loftet er tørret og repareret, og lokalet kan bruges igen.",
                "urgent",
            ),
            T(
                "Kloakken stopper gentagne gange",
                "Kloakken i kælderen er stoppet for tredje gang på to måneder. "
                "Der kommer spildevand op gennem gulvafløbet.",
                "TV-inspektion af kloakken viser rødder og et knækket rør under gården.",
                "Det knækkede kloakrør er skiftet, og kloakken er spulet. Den løber normalt igen.",
                "high",
                None,
                "Kælderen",
            ),
            T(
                "Rustne og utætte vandrør i kælderen",
                "VVS-montøren, der var her sidst, sagde at rørene i kælderen er i meget dårlig stand. "
                "Der er rust og små utætheder flere steder.",
                "Rørene er gennemgået: ca. 30 meter vandrør bør udskiftes.",
                "Vandrørene i kælderen er udskiftet.",
                "",
                INSTITUTIONAL,
                "Kælderen",
            ),
        ],
    },
    "electrical": {
        "easy": [
            T(
                "Lysstofrør blinker i {room}",
                "Et lysstofrør i loftet i {room} blinker hele tiden. Det er meget generende at arbejde i.",
                "Skiftet rør og forkobling.",
                "Lysstofrøret er skiftet, og lyset er stabilt igen.",
                "low",
            ),
            T(
                "Stikkontakt løs i {room}",
                "Stikkontakten ved vinduet i {room} er gået løs fra væggen, og man kan se ledningerne.",
                "Stikkontakten afbrudt og sikret. Ny dåse monteret.",
                "Stikkontakten er monteret forsvarligt igen.",
                "high",
            ),
            T(
                "Udendørslampen ved indgangen virker ikke",
                "Lampen over hovedindgangen er gået ud. Det er mørkt om morgenen, når vi åbner.",
                "Pæren var sprunget, og skumringsrelæet var defekt. Begge er skiftet.",
                "Lampen ved indgangen virker igen.",
                "",
                None,
                "Hovedindgangen",
            ),
        ],
        "medium": [
            T(
                "HPFI-relæet slår fra {on_floor}",
                "Relæet slår fra flere gange om dagen, og så er der ingen strøm {on_floor}. "
                "Vi kan ikke se, hvad der udløser det.",
                "Fejlen fundet: fugt i en stikkontakt udløste relæet. Kontakten er skiftet.",
                "Fejlen er fundet og rettet. Relæet har ikke slået fra siden.",
                "high",
            ),
            T(
                "Nødbelysning slukket {on_floor}",
                "Flere af nødudgangsskiltene {on_floor} er slukkede. Brandsynet kommer om to uger.",
                "Batterierne i seks nødlysarmaturer er udtjente. Nye bestilt.",
                "Batterierne i nødbelysningen er skiftet, og alle skilte lyser igen.",
                "high",
                INSTITUTIONAL,
            ),
            T(
                "Ingen strøm i stikkontakterne i {room}",
                "Der er ingen strøm i stikkontakterne i {room}. Lyset virker, men ikke stikkene.",
                "En løs forbindelse i samledåsen. Rettet og målt igennem.",
                "Der er strøm i alle stikkontakter igen.",
            ),
        ],
        "complex": [
            T(
                "Brandalarmanlægget melder fejl",
                "Brandcentralen viser fejl i sløjfe 3 og bipper hele tiden. "
                "Alarmfirmaet siger, at det er en sag for ejendommen.",
                "Fejl i sløjfe 3: to røgdetektorer er defekte, og kablet er beskadiget.",
                "Detektorerne og kablet i sløjfe 3 er skiftet, og anlægget er afprøvet uden fejl.",
                "urgent",
                INSTITUTIONAL,
                "Brandcentralen ved hovedindgangen",
            ),
            T(
                "Ny belysning i {room}",
                "Belysningen i {room} er gammel, og flere armaturer er gået. Vi vil gerne have den skiftet til LED.",
                "Lysberegning lavet: 12 LED-armaturer med dagslysstyring.",
                "Belysningen er skiftet til LED med dagslysstyring.",
                "low",
                INSTITUTIONAL,
            ),
        ],
    },
    "heating": {
        "easy": [
            T(
                "Radiator kan ikke skrues ned i {room}",
                "Termostaten på radiatoren i {room} sidder fast, så der er over 26 grader.",
                "Ventilstiften sad fast. Løsnet, og termostaten er skiftet.",
                "Radiatoren kan reguleres igen – termostaten er skiftet.",
                "low",
            ),
            T(
                "Radiatoren larmer i {room}",
                "Radiatoren i {room} klukker og banker, især om morgenen.",
                "Luft i anlægget. Radiatorerne er udluftet, og trykket er justeret.",
                "Radiatoren er udluftet og er stille igen.",
                "low",
            ),
        ],
        "medium": [
            T(
                "Radiatorer kolde i {room}",
                "Radiatorerne i {room} er kolde, selvom termostaterne står på 5. Der er kun 16 grader.",
                "Fejl på shuntventilen i varmecentralen. Ny ventil bestilt.",
                "Shuntventilen er skiftet, og der er varme på radiatorerne igen.",
            ),
            T(
                "Ventilationen larmer {on_floor}",
                "Ventilationsanlægget {on_floor} larmer meget – en høj, hvinende lyd hele dagen.",
                "Lejet i ventilatoren er slidt. Nyt leje bestilt.",
                "Ventilatoren har fået nyt leje og kører stille igen.",
                "",
                INSTITUTIONAL,
            ),
            T(
                "Dårligt indeklima i {room}",
                "Luften i {room} er tung, og CO2-måleren viser over 1.500 ppm efter en time. "
                "Vi tror ikke, at ventilationen kører.",
                "Filtrene var helt tilstoppede, og et spjæld sad fast.",
                "Filtrene er skiftet, og spjældet er repareret. Luften skiftes nu, som den skal.",
                "",
                INSTITUTIONAL,
            ),
        ],
        "complex": [
            T(
                "Varmen er gået i hele bygningen",
                "Der er ingen varme nogen steder i bygningen i dag. Der er 14 grader i lokalerne.",
                "Cirkulationspumpen i varmecentralen er brændt af. Mobil varme stillet op; ny pumpe bestilt.",
                "Der er monteret en ny cirkulationspumpe, og varmen er tilbage i hele bygningen.",
                "urgent",
                None,
                "Hele bygningen",
            ),
            T(
                "Det lugter brændt fra ventilationen {on_floor}",
                "Det lugter brændt fra ventilationen {on_floor}. Vi har slukket anlægget på kontakten.",
                "Motoren i ventilationsaggregatet er brændt sammen. Anlægget er afbrudt.",
                "Ventilationsaggregatet har fået ny motor og er afprøvet.",
                "urgent",
                INSTITUTIONAL,
            ),
            T(
                "Fjernvarmeunitten er utæt",
                "Der drypper vand fra fjernvarmeunitten i teknikrummet, og manometeret viser lavt tryk.",
                "Varmeveksleren i fjernvarmeunitten er utæt. Unitten skal udskiftes.",
                "Fjernvarmeunitten er udskiftet, og trykket er normalt.",
                "high",
                None,
                "Teknikrummet",
            ),
        ],
    },
    "roof": {
        "easy": [
            T(
                "Tagrenden løber over ved indgangen",
                "Tagrenden over indgangen er stoppet med blade, og vandet løber ned ad facaden og ind under døren.",
                "Renset tagrender og nedløb.",
                "Tagrender og nedløb er renset, så vandet løber væk igen.",
                "",
                None,
                "Hovedindgangen",
            ),
            T(
                "Løs inddækning på taget",
                "Der klaprer noget metal på taget, når det blæser. Man kan se en løs plade fra gården.",
                "Inddækningen ved skorstenen var løs. Fastgjort med nye skruer.",
                "Inddækningen er skruet fast.",
                "",
                None,
                "Taget",
            ),
        ],
        "medium": [
            T(
                "Utæt tag – det drypper i {room}",
                "Når det regner, drypper det fra loftet i {room}. Der er kommet en brun plet på loftspladen.",
                "Revne i tagpappen over lokalet. Tagdækker bestilt.",
                "Taget er repareret, og loftspladen er skiftet.",
                "high",
            ),
            T(
                "Tagsten faldet ned i gården",
                "Der er faldet to tagsten ned i gården efter stormen i nat. Vi har spærret af.",
                "Flere tagsten er løse efter stormen. Området er spærret af.",
                "Der er lagt nye tagsten, og taget er gennemgået for flere løse sten.",
                "high",
                None,
                "Gården",
            ),
            T(
                "Løs puds på facaden",
                "Der falder puds ned fra facaden ud mod gaden, over vinduerne {on_floor}.",
                "Løs puds banket ned. Facaden skal repareres fra lift.",
                "Facaden er sikret, og den løse puds er repareret.",
                "high",
            ),
        ],
        "complex": [
            T(
                "Stormskade på taget",
                "Stormen har revet en del af tagpappet af over fløjen mod vest. Det regner ind {on_floor}.",
                "Ca. 40 m² tagpap er revet af. Presenning lagt over.",
                "Taget over vestfløjen er lagt om med ny tagpap, og loftet indvendigt er repareret.",
                "urgent",
            ),
            T(
                "Fugt og skimmel ved vinduerne {on_floor}",
                "Der er sorte pletter af skimmel omkring vinduerne {on_floor}, og pudsen smuldrer. "
                "Flere klager over hovedpine.",
                "Fugtmåling viser fugt i murværket under vinduerne. Skimmelrapport bestilt.",
                "Fugten er udbedret, og de skimmelramte vægge er renoveret.",
            ),
        ],
    },
    "outdoor": {
        "easy": [
            T(
                "Gyngen på legepladsen er i stykker",
                "Den ene kæde på den store gynge er knækket. Vi har bundet gyngen op, så børnene ikke bruger den.",
                "Ny kæde monteret på gyngen.",
                "Gyngen har fået ny kæde og kan bruges igen.",
                "",
                WITH_PLAYGROUND,
                "Legepladsen",
            ),
            T(
                "Væltet hegn ved cykelskuret",
                "Et stykke af hegnet ved cykelskuret er væltet og ligger ud over fortovet.",
                "Stolperne var rådne. Hegnet er rejst med nye stolper.",
                "Hegnet er sat op igen med nye stolper.",
                "",
                None,
                "Cykelskuret",
            ),
            T(
                "Løse fliser ved indgangen",
                "Flere fliser ved indgangen vipper, og man kan let falde over dem.",
                "Fliserne lagt om og fuget.",
                "Fliserne er lagt om, så der ikke længere er snublefare.",
                "",
                None,
                "Hovedindgangen",
            ),
        ],
        "medium": [
            T(
                "Glat og ikke saltet ved personaleindgangen",
                "Der er isglat ved personaleindgangen, og der er ikke saltet i morges. En kollega er faldet.",
                "Personaleindgangen manglede på glatførelisten. Tilføjet hos entreprenøren.",
                "Der er saltet, og indgangen er nu med på listen over steder, der bliver saltet.",
                "high",
                INSTITUTIONAL,
                "Personaleindgangen",
            ),
            T(
                "Nyt sand i sandkassen",
                "Sandet i sandkassen er beskidt og fyldt med blade og katteefterladenskaber. "
                "Vi vil gerne have det skiftet.",
                "Bestilt nyt sand og et net til at dække sandkassen.",
                "Sandkassen har fået nyt sand og et net, der holder kattene ude.",
                "low",
                CHILDREN,
                "Legepladsen",
            ),
            T(
                "Legehuset på legepladsen er rådnet",
                "Gulvet i legehuset er rådnet, og der er hul i et af brædderne. Vi har lukket legehuset.",
                "Gulvet og to bærebjælker er rådne. Tømrer bestilt.",
                "Legehuset har fået nyt gulv og nye bjælker og er åbnet igen.",
                "",
                CHILDREN,
                "Legepladsen",
            ),
        ],
        "complex": [
            T(
                "Legepladsinspektion: tre redskaber skal udskiftes",
                "Den årlige legepladsinspektion har givet anmærkninger på klatrestativet, rutsjebanen og vippen. "
                "Rapporten er sendt på mail.",
                "Inspektionsrapporten er gennemgået. De tre redskaber er spærret af.",
                "Klatrestativet, rutsjebanen og vippen er udskiftet og godkendt.",
                "",
                CHILDREN,
                "Legepladsen",
            ),
            T(
                "Træ væltet ind over hegnet",
                "Et stort træ er væltet ind over hegnet mod vejen efter stormen. Grenene hænger ud over fortovet.",
                "Fortovet er spærret af. Træet skal fældes og fjernes med kran.",
                "Træet er fjernet, og hegnet er sat op igen.",
                "urgent",
                None,
                "Gården",
            ),
        ],
    },
    "cleaning": {
        "easy": [
            T(
                "Graffiti på facaden",
                "Der er malet graffiti på facaden ved hovedindgangen i weekenden.",
                "Graffiti fjernet; overfladen er behandlet mod ny graffiti.",
                "Graffitien er fjernet.",
                "low",
                None,
                "Facaden ved hovedindgangen",
            ),
            T(
                "Manglende rengøring i {room}",
                "Der er ikke gjort rent i {room} i denne uge, og skraldespandene er fulde.",
                "Talt med rengøringsfirmaet – lokalet var faldet ud af planen.",
                "Der er gjort rent, og lokalet er med i rengøringsplanen igen.",
                "",
                INSTITUTIONAL,
            ),
        ],
        "medium": [
            T(
                "Vinduerne er ikke pudset",
                "Vinduerne er ikke blevet pudset siden foråret, selvom det står i aftalen.",
                "Vinduespudsning manglede i kontrakten for bygningen. Tilføjet.",
                "Vinduerne er pudset og er nu med i den faste aftale.",
                "low",
                INSTITUTIONAL,
                "Alle vinduer",
            ),
            T(
                "Ekstra rengøring efter vandskade i {room}",
                "Efter vandskaden skal {room} have en grundig rengøring, før vi kan tage det i brug igen.",
                "Aftalt ekstra rengøring med rengøringsfirmaet.",
                "Rengøringen er udført. Sig endelig til, hvis noget er overset.",
            ),
        ],
        "complex": [
            T(
                "Hovedrengøring efter ombygning {on_floor}",
                "Håndværkerne er færdige {on_floor}, men der er byggestøv overalt. "
                "Vi skal have en hovedrengøring, før vi flytter ind igen.",
                "Byggerengøring bestilt: gulve, vinduer, lamper og ventilationsriste.",
                "Hovedrengøringen er udført, og lokalerne er klar til brug.",
                "",
                INSTITUTIONAL,
            ),
        ],
    },
    "pests": {
        "easy": [
            T(
                "Myrer i {room}",
                "Der er kommet en del små myrer i {room} – de kommer ind langs vinduet.",
                "Sat gift op langs vinduet og fuget revnen.",
                "Myrerne er bekæmpet, og revnen ved vinduet er fuget.",
                "low",
            ),
            T(
                "Hvepsebo ved indgangen",
                "Der er et hvepsebo under tagudhænget ved indgangen. Folk er bange for at gå ind.",
                "Boet er fjernet.",
                "Hvepseboet er fjernet.",
                "high",
                None,
                "Hovedindgangen",
            ),
        ],
        "medium": [
            T(
                "Rotter ved skraldespandene",
                "Vi har set rotter ved skraldespandene i gården flere gange den seneste uge.",
                "Rottefængeren har sat sikrede fælder op og kommer igen om 14 dage.",
                "Rotterne er bekæmpet, og skraldespandene har fået nye låg.",
                "high",
                None,
                "Skraldespandene i gården",
            ),
            T(
                "Mus i {room}",
                "Der er museekskrementer i skufferne i {room}, og vi så en mus i går.",
                "Museindgange fundet ved rørgennemføringerne. Lukket med stålnet.",
                "Hullerne er lukket, og der er ikke set mus siden.",
            ),
        ],
        "complex": [
            T(
                "Rotter i kælderen – muligvis kloakbrud",
                "Der er rotter i kælderen igen, selvom der har været sat fælder op. "
                "Rottefængeren mener, at de kommer ind fra en utæt kloak.",
                "TV-inspektion viser et brud på stikledningen. Rottespærre og ny ledning skal på.",
                "Kloakbruddet er repareret, og der er sat rottespærre i. Bekæmpelsen er afsluttet.",
                "high",
                None,
                "Kælderen",
            ),
        ],
    },
    "other": {
        "easy": [
            T(
                "Opslagstavle skal sættes op i {room}",
                "Vi har købt en ny opslagstavle, som skal skrues op på væggen i {room}.",
                "Tavlen er sat op.",
                "Opslagstavlen hænger nu.",
                "low",
                INSTITUTIONAL,
            ),
            T(
                "Døren til {room} binder",
                "Døren til {room} binder mod karmen og er svær at lukke.",
                "Døren høvlet og hængslerne justeret.",
                "Døren er justeret og lukker let igen.",
                "low",
            ),
            T(
                "Hylder skal monteres i {room}",
                "Vi har brug for at få monteret tre hylder på væggen i {room}.",
                "Hylderne monteret.",
                "Hylderne er monteret.",
                "low",
            ),
        ],
        "medium": [
            T(
                "Elevatoren står stille",
                "Elevatoren står stille mellem stueetagen og 1. sal og viser fejl. Der er ingen i den.",
                "Elevatorfirmaet tilkaldt: defekt dørkontakt.",
                "Elevatoren er repareret og kører igen.",
                "high",
                frozenset({"school", "library", "culture", "office", "nursing", "social"}),
                "Elevatoren",
            ),
            T(
                "Gulvbelægningen er løs i {room}",
                "Linoleummet i {room} er gået løs ved døren og bobler op. Man kan falde over kanten.",
                "Linoleum limet, og kanten sikret med en skinne.",
                "Gulvbelægningen er limet fast.",
            ),
        ],
        "complex": [
            T(
                "Rampe og automatisk døråbner ved hovedindgangen",
                "Vi har fået en ny kollega i kørestol og har brug for en rampe ved hovedindgangen "
                "og en automatisk døråbner.",
                "Besigtiget med institutionen. Rampe og døråbner kræver tilbud og godkendelse.",
                "Rampen og den automatiske døråbner er monteret.",
                "low",
                INSTITUTIONAL,
                "Hovedindgangen",
            ),
            T(
                "Skimmelsvamp i {room} – undersøgelse ønskes",
                "Der er fundet skimmelsvamp bag et skab i {room}. Vi vil gerne have undersøgt, hvor udbredt det er.",
                "Skimmelundersøgelse bestilt.",
                "Skimmelsvampen er fjernet, og de berørte vægge er renoveret.",
                "high",
            ),
        ],
    },
}
del T

CATEGORY_WEIGHTS = {
    "plumbing": 18,
    "electrical": 15,
    "locks": 12,
    "heating": 12,
    "glass": 10,
    "outdoor": 8,
    "roof": 7,
    "other": 7,
    "cleaning": 6,
    "pests": 5,
}
# Seasons: cold radiators in winter, storms in autumn, rats when it gets cold, playgrounds in summer.
SEASONS: dict[str, dict[int, float]] = {
    "heating": {1: 2.5, 2: 2.2, 3: 1.5, 10: 1.6, 11: 2.2, 12: 2.5, 6: 0.3, 7: 0.3, 8: 0.4},
    "roof": {10: 1.6, 11: 1.6, 12: 1.5, 1: 1.4},
    "outdoor": {4: 1.5, 5: 1.6, 6: 1.6, 7: 1.3, 8: 1.5, 9: 1.4, 1: 1.3, 2: 1.3},
    "pests": {9: 1.6, 10: 1.8, 11: 1.5, 6: 1.3, 7: 1.4},
}
# Who reports how often: customers by their weight, each tenant a little, "@desk" the
# technicians reporting what they find on their rounds.
REPORTER_WEIGHTS: dict[str, float] = {
    **{row[0]: row[4] for row in CUSTOMERS},
    **{row[0]: 0.55 for row in TENANTS},
    "@desk": 0.9,
}
CHANNEL_WEIGHTS = {Channel.PORTAL: 50, Channel.EMAIL: 25, Channel.PHONE: 18, Channel.API: 7}
PRIORITY_WEIGHTS = {Priority.URGENT: 2, Priority.HIGH: 13, Priority.NORMAL: 68, Priority.LOW: 17}

SUPPLIERS = {
    "glass": "Glarmester Mogensen & Co.",
    "locks": "Amager Låseservice ApS",
    "plumbing": "VVS-Gruppen Øst A/S",
    "electrical": "Elektrikerne Nord ApS",
    "heating": "Varme & Ventilation Sjælland A/S",
    "roof": "Tagteam København ApS",
    "outdoor": "Grønne Arealer Drift ApS",
    "cleaning": "Renholdet ApS",
    "pests": "Skadedyrsservice Sjælland ApS",
    "other": "Tømrerfirmaet Holm & Søn ApS",
}

# --- what people write ---------------------------------------------------------------

WHEN = [
    "i morgen formiddag",
    "i løbet af dagen",
    "i eftermiddag",
    "i morgen tidlig",
    "på torsdag",
    "først i næste uge",
]
FIRST_REPLIES = [
    "Tak for din henvendelse. Jeg kommer forbi {when} og ser på det.",
    "Hej {first}. Tak for beskeden – vi har sagen og kigger på det {when}.",
    "Vi har modtaget sagen, og {tech} fra {team} kommer ud {when}.",
    "Tak for indmeldingen. Jeg har sat sagen i gang og vender tilbage, når jeg har været der.",
    "Hej {first}. Jeg har overtaget sagen og kommer {when}. Sørg gerne for, at der er adgang.",
]
QUESTIONS = [
    "Kan du sende et billede af skaden? Så kan vi tage de rigtige reservedele med.",
    "Hvornår kan vi komme ind i {room}? Vi skal bruge omkring en time.",
    "Vi skal have adgang til teknikrummet. Hvem har nøglen?",
    "Er det hele tiden, eller kun på bestemte tidspunkter? Det hjælper os med at finde fejlen.",
]
ANSWERS = [
    "Billedet kommer på mail om lidt. Skaden sidder nederst i venstre side.",
    "I kan komme mellem 8 og 12 – om eftermiddagen er lokalet i brug.",
    "Pedellen har nøglen og er her fra kl. 7.",
    "Det er mest om morgenen, men i dag har det været hele dagen.",
    "Der er adgang hele dagen. Spørg i receptionen, så låser de op.",
]
THANKS = ["Tak for hurtig hjælp!", "Super, tusind tak.", "Tak – det virker igen.", "Mange tak for det."]
REOPEN_REASONS = {
    "glass": "Vinduet kan stadig ikke lukkes helt.",
    "locks": "Brikken virker kun en gang imellem.",
    "plumbing": "Det løber igen fra i morges.",
    "electrical": "Lyset blinker igen.",
    "heating": "Radiatorerne er kolde igen.",
    "roof": "Det drypper stadig, når det regner.",
    "outdoor": "Det er desværre gået i stykker igen.",
    "cleaning": "Der er stadig ikke gjort rent i hjørnerne.",
    "pests": "Vi har set dem igen i går.",
    "other": "Det er desværre ikke helt i orden endnu.",
}
PHONE_NOTES = [
    "Ringede til {first} og aftalte besøg {when}.",
    "{first} ringede og spurgte til status. Fortalt at vi venter på leverandøren.",
    "Talt med pedellen om adgang til teknikrummet.",
    "Ringet til {supplier} – de kommer {when}.",
]
SUPPLIER_ORDERED = "Bestilt hos {supplier} via rammeaftalen. Forventet udført inden for {days} hverdage."
SUPPLIER_DONE = "{supplier} har meldt arbejdet udført. Tjekket på stedet – det ser fint ud."
EMERGENCY = "Akutopgave: {supplier} er kaldt ud via rammeaftalen."
QUOTE_REQUESTED = "Indhenter tilbud fra {supplier}."
QUOTE = "Tilbud fra {supplier}: {amount} kr. ekskl. moms. Over beløbsgrænsen – sendt til godkendelse hos {lead}."
APPROVED = "Godkendt. Arbejdet er bestilt hos {supplier}."
STATUS_UPDATE = (
    "Status: tilbuddet er godkendt, og {supplier} udfører arbejdet inden for et par uger. "
    "Vi giver besked, når det er gjort."
)
REVISIT = "Vi kigger på det igen – jeg kommer forbi {when}."
REVISIT_NOTE = "Fulgt op på stedet: justeret og afprøvet igen."
FOUND_ON_ROUND = "Fundet under runderingen i dag. Vi udbedrer det {when}."
PACE: dict[str, float] = {Priority.URGENT: 0.15, Priority.HIGH: 0.5, Priority.NORMAL: 1.0, Priority.LOW: 1.3}
# How often a report that usually gets a priority does get it (the rest follow the general mix).
HINT_TAKEN: dict[str, float] = {Priority.URGENT: 0.35, Priority.HIGH: 0.45, Priority.LOW: 0.7}
HANDLER_CANCEL_REASONS = [
    "Dobbeltregistrering – samme fejl er meldt i en anden sag.",
    "Hører under institutionens eget vedligehold.",
    "Fejlen skyldes IT-udstyr – henvist til KIT's servicedesk.",
]
TENANT_CANCEL_REASON = "Lejers eget vedligehold efter lejekontrakten."
REPORTER_CANCEL_REASONS = [
    "Problemet har løst sig selv.",
    "Pedellen har ordnet det.",
    "Fejlmeldt – det var den forkerte bygning.",
]

# Handling time per case in seconds (desk and phone together), by complexity.
HANDLING_SECONDS = {
    "easy": (10 * 60, 25 * 60),
    "medium": (30 * 60, 90 * 60),
    "complex": (2 * HOUR, 6 * HOUR),
    "cancelled": (2 * 60, 8 * 60),
}

# --- the open cases of the last two weeks (through the services) ---------------------


class LiveCase(NamedTuple):
    """An open case created through `esm.cases.services`, `age_hours` business hours ago.

    Steps: (business hours after the report, verb, acting username, *arguments), verbs
    assign (assignee), complexity (level), reply (body), note (body), phone (body, seconds)
    or a lifecycle action (optional reason).
    """

    reporter: str
    category: str
    title: str
    description: str
    location: str
    priority: str
    channel: str
    age_hours: float
    steps: tuple[tuple[Any, ...], ...] = ()
    taken_by: str = ""  # the handler who registered a phone call
    photo: str = ""  # "window" or "stain": a photo from the reporter's phone


L = LiveCase
LIVE_CASES = [
    # New and unassigned
    L(
        "lise",
        "glass",
        "Knust rude i klasselokale 2.B",
        "Ruden i vinduet ud mod skolegården er knust i frikvarteret – en fodbold. "
        "Der ligger glasskår på gulvet, og vi har flyttet klassen til biblioteket.",
        "Klasselokale 2.B, 1. sal",
        Priority.NORMAL,
        Channel.PORTAL,
        1.5,
        photo="window",
    ),
    L(
        "jonas",
        "plumbing",
        "Toilet løber konstant",
        "Toilettet i min lejlighed løber hele tiden, også om natten. "
        "Jeg har prøvet at lukke for vandet ved cisternen, men det hjælper ikke.",
        "2. th., badeværelset",
        Priority.NORMAL,
        Channel.PORTAL,
        3,
    ),
    L(
        "anne",
        "electrical",
        "Lysstofrør blinker på kontoret",
        "To lysstofrør i loftet på kontoret bag udlånsskranken blinker hele tiden. Det er meget generende.",
        "Kontoret bag udlånsskranken, stueetagen",
        Priority.LOW,
        Channel.EMAIL,
        5,
    ),
    L(
        "sofie",
        "heating",
        "Radiatorer kolde i fællesstuen",
        "Radiatorerne i fællesstuen i afsnit B er kolde, og beboerne sidder med tæpper. Termostaterne står på max.",
        "Fællesstuen i afsnit B, stueetagen",
        Priority.HIGH,
        Channel.PHONE,
        2,
        taken_by="ole",
    ),
    L(
        "henrik",
        "locks",
        "Nøglebrik virker ikke til hovedindgangen",
        "Min nøglebrik virker ikke længere ved hovedindgangen – lampen lyser rødt. Den virker ved cykelkælderen.",
        "Hovedindgangen, Njalsgade 13",
        Priority.LOW,
        Channel.API,
        6,
    ),
    L(
        "bo",
        "plumbing",
        "Vand fosser fra rør i omklædningsrummet",
        "Et rør under bænken i omklædningsrummet for herrer er sprunget, og vandet fosser ud. "
        "Vi kan ikke finde hovedhanen.",
        "Omklædningsrummet for herrer, kælderen",
        Priority.URGENT,
        Channel.PORTAL,
        1.5,
    ),
    # Triaged and assigned
    L(
        "karin",
        "outdoor",
        "Gyngen på legepladsen er i stykker",
        "Den ene kæde på den store gynge er knækket. Vi har bundet gyngen op, så børnene ikke bruger den.",
        "Legepladsen",
        Priority.NORMAL,
        Channel.PORTAL,
        10,
        (
            (1.0, "assign", "morten", "tobias"),
            (1.0, "complexity", "morten", "easy"),
            (1.0, "triage", "morten"),
            (1.5, "reply", "tobias", "Tak for beskeden. Vi har bestilt en ny kæde og monterer den i næste uge."),
        ),
    ),
    L(
        "camilla",
        "pests",
        "Mus i køkkenet",
        "Vi har fundet museekskrementer i skufferne i køkkenet og så en mus i går eftermiddags.",
        "Køkkenet",
        Priority.HIGH,
        Channel.EMAIL,
        14,
        (
            (0.5, "assign", "morten", "louise"),
            (0.5, "complexity", "morten", "medium"),
            (0.5, "triage", "morten"),
            (2.0, "phone", "louise", "Ringede til Camilla og aftalte, at rottefængeren kommer i morgen kl. 8.", 240),
        ),
    ),
    L(
        "thomas",
        "other",
        "Døren til mødelokale 3.12 binder",
        "Døren til mødelokale 3.12 binder mod karmen og er svær at lukke.",
        "Mødelokale 3.12, 3. sal",
        Priority.LOW,
        Channel.PORTAL,
        20,
        (
            (3.0, "assign", "morten", "jesper"),
            (3.0, "triage", "morten"),
            (4.0, "reply", "jesper", "Hej Thomas. Jeg tager høvlen med, når jeg er i huset på mandag."),
        ),
    ),
    # In progress
    L(
        "jens",
        "heating",
        "Radiatorer kolde i gymnastiksalen",
        "Radiatorerne i gymnastiksalen er kolde, og der er kun 15 grader. Vi har idræt hele dagen.",
        "Gymnastiksalen",
        Priority.HIGH,
        Channel.PORTAL,
        30,
        (
            (0.5, "assign", "hanne", "rasmus"),
            (0.5, "complexity", "hanne", "medium"),
            (1.0, "reply", "rasmus", "Tak for beskeden, Jens. Jeg kommer forbi i eftermiddag."),
            (1.0, "start", "rasmus"),
            (5.0, "note", "rasmus", "Fejl på shuntventilen i varmecentralen. Reservedel bestilt."),
            (20.0, "phone", "rasmus", "Ringet til grossisten – reservedelen er i restordre en uge endnu.", 180),
            (
                21.0,
                "reply",
                "rasmus",
                "Reservedelen er desværre forsinket. Vi sætter en mobil varmeblæser op i gymnastiksalen i morgen.",
            ),
        ),
    ),
    L(
        "mette",
        "plumbing",
        "Tilstoppet afløb i badeværelset ved stuerne",
        "Afløbet i gulvet i badeværelset ved stuerne er stoppet, og det lugter. Børnene må bruge toilettet ovenpå.",
        "Badeværelset ved stuerne, stueetagen",
        Priority.NORMAL,
        Channel.PORTAL,
        8,
        (
            (1.0, "assign", "sara", "sara"),
            (1.0, "complexity", "sara", "easy"),
            (1.5, "reply", "sara", "Hej Mette. Jeg kommer i morgen tidlig med spiralen."),
            (1.5, "start", "sara"),
        ),
    ),
    L(
        "lars",
        "electrical",
        "Stikkontakt løs i kantinen",
        "Stikkontakten ved kaffemaskinen i kantinen er gået løs fra væggen, og man kan se ledningerne.",
        "Kantinen, stueetagen",
        Priority.HIGH,
        Channel.PORTAL,
        4,
        (
            (0.3, "assign", "kim", "kim"),
            (0.3, "start", "kim"),
            (
                0.6,
                "reply",
                "kim",
                "Tak, Lars. Sæt venligst et skilt op, så ingen bruger kontakten. Jeg er der inden frokost.",
            ),
        ),
    ),
    L(
        "maja",
        "roof",
        "Tagrenden løber over ved indgangen",
        "Tagrenden over indgangen er stoppet, og vandet løber ned ad facaden og ind under døren, når det regner.",
        "Hovedindgangen",
        Priority.NORMAL,
        Channel.EMAIL,
        16,
        (
            (2.0, "assign", "tobias", "tobias"),
            (2.0, "complexity", "tobias", "easy"),
            (2.5, "reply", "tobias", "Tak for beskeden. Vi kommer med lift på torsdag og renser tagrenderne."),
            (2.5, "start", "tobias"),
        ),
    ),
    L(
        "amira",
        "heating",
        "Radiatoren i soveværelset bliver ikke varm",
        "Radiatoren i soveværelset er kold, selvom termostaten står på 5. De andre radiatorer virker.",
        "4. tv., soveværelset",
        Priority.NORMAL,
        Channel.PORTAL,
        12,
        (
            (1.0, "assign", "hanne", "mikkel"),
            (1.0, "complexity", "hanne", "easy"),
            (2.0, "reply", "mikkel", "Hej Amira. Jeg kan komme forbi på torsdag mellem 8 og 10. Passer det?"),
            (2.0, "start", "mikkel"),
            (6.0, "phone", "mikkel", "Talt med Amira – torsdag kl. 8 passer fint.", 120),
        ),
    ),
    L(
        "ida",
        "locks",
        "Hoveddøren kan ikke låses",
        "Hoveddøren kan ikke låses – nøglen kan drejes, men låsen går ikke i indgreb. Vi lukker kl. 17.",
        "Hovedindgangen",
        Priority.HIGH,
        Channel.PHONE,
        3,
        (
            (0.1, "assign", "kim", "kim"),
            (0.1, "start", "kim"),
            (0.2, "phone", "kim", "Aftalt med Ida, at låsesmeden kommer inden kl. 16.", 300),
            (0.4, "note", "kim", "Amager Låseservice bestilt til i dag – fallen i låsekassen er knækket."),
        ),
        taken_by="kim",
    ),
    # Waiting for the customer
    L(
        "peter",
        "electrical",
        "Ingen strøm i stikkontakterne i musiklokalet",
        "Der er ingen strøm i stikkontakterne i musiklokalet. Lyset virker, men ikke stikkene.",
        "Musiklokalet, 2. sal",
        Priority.NORMAL,
        Channel.PORTAL,
        18,
        (
            (1.0, "assign", "ole", "ole"),
            (1.0, "complexity", "ole", "medium"),
            (
                1.5,
                "reply",
                "ole",
                "Tak, Peter. Hvornår kan vi komme ind i musiklokalet? Vi skal bruge omkring en time.",
            ),
            (1.5, "start", "ole"),
            (1.5, "wait_for_customer", "ole"),
        ),
    ),
    L(
        "kirsten",
        "glass",
        "Vindue kan ikke lukkes i stuen",
        "Vinduet i stuen kan ikke lukkes helt – hængslet er skævt, og det trækker ind.",
        "1. tv., stuen",
        Priority.NORMAL,
        Channel.EMAIL,
        22,
        (
            (2.0, "assign", "hanne", "ole"),
            (2.0, "complexity", "hanne", "easy"),
            (
                3.0,
                "reply",
                "ole",
                "Hej Kirsten. Kan du sende et billede af hængslet? Så tager jeg den rigtige del med.",
            ),
            (3.0, "start", "ole"),
            (3.0, "wait_for_customer", "ole"),
        ),
    ),
    L(
        "nadia",
        "other",
        "Gulvbelægningen er løs i samtalerummet",
        "Linoleummet i samtalerummet er gået løs ved døren og bobler op. Man kan falde over kanten.",
        "Samtalerummet, 1. sal",
        Priority.LOW,
        Channel.PORTAL,
        25,
        (
            (4.0, "assign", "jesper", "jesper"),
            (4.0, "complexity", "jesper", "medium"),
            (4.5, "start", "jesper"),
            (
                4.5,
                "reply",
                "jesper",
                "Hej Nadia. Gulvet skal limes, og lokalet kan ikke bruges i et døgn bagefter. Hvilken dag passer?",
            ),
            (4.5, "wait_for_customer", "jesper"),
        ),
    ),
    # Waiting for a supplier
    L(
        "lise",
        "roof",
        "Utæt tag – det drypper i klasselokale 4.A",
        "Når det regner, drypper det fra loftet i klasselokale 4.A. Der er kommet en brun plet på loftspladen.",
        "Klasselokale 4.A, 2. sal",
        Priority.NORMAL,
        Channel.PORTAL,
        40,
        (
            (1.0, "assign", "morten", "tobias"),
            (1.0, "complexity", "morten", "medium"),
            (2.0, "reply", "tobias", "Tak for billedet. Jeg kigger på taget i morgen formiddag."),
            (2.0, "start", "tobias"),
            (9.0, "note", "tobias", "Revne i tagpappen over 4.A. Tagteam København bestilt via rammeaftalen."),
            (9.0, "wait_for_supplier", "tobias"),
            (9.5, "reply", "tobias", "Tagdækkeren kommer i næste uge. Indtil da har vi sat en spand op."),
        ),
        photo="stain",
    ),
    L(
        "henrik",
        "heating",
        "Ventilationen larmer på 2. sal",
        "Ventilationsanlægget på 2. sal larmer meget – en høj, hvinende lyd hele dagen.",
        "2. sal, Njalsgade 13",
        Priority.NORMAL,
        Channel.EMAIL,
        30,
        (
            (2.0, "assign", "rasmus", "rasmus"),
            (2.0, "complexity", "rasmus", "medium"),
            (2.0, "start", "rasmus"),
            (3.0, "reply", "rasmus", "Tak, Henrik. Lejet i ventilatoren er slidt. Vi har bestilt et nyt."),
            (3.0, "note", "rasmus", "Bestilt nyt leje hos Varme & Ventilation Sjælland. Levering 5-7 hverdage."),
            (3.0, "wait_for_supplier", "rasmus"),
        ),
    ),
    L(
        "sofie",
        "plumbing",
        "Intet varmt vand i beboerbadeværelserne",
        "Der kommer kun lunkent vand i beboerbadeværelserne i afsnit A. Vi kan ikke bade beboerne.",
        "Afsnit A, 1. sal",
        Priority.HIGH,
        Channel.PORTAL,
        20,
        (
            (0.5, "assign", "morten", "sara"),
            (0.5, "complexity", "morten", "complex"),
            (1.0, "reply", "sara", "Tak, Sofie. Jeg kommer med det samme og ser på varmtvandsbeholderen."),
            (1.0, "start", "sara"),
            (3.0, "phone", "sara", "Ringet til VVS-Gruppen Øst – ny varmeveksler kan leveres om tre dage.", 420),
            (3.5, "wait_for_supplier", "sara"),
        ),
    ),
    # Waiting for approval
    L(
        "bo",
        "other",
        "Skimmelsvamp i omklædningsrummet for damer – undersøgelse ønskes",
        "Der er fundet skimmelsvamp bag bænkene i omklædningsrummet for damer. Vi vil gerne have det undersøgt.",
        "Omklædningsrummet for damer, kælderen",
        Priority.NORMAL,
        Channel.PORTAL,
        50,
        (
            (1.0, "assign", "morten", "jesper"),
            (1.0, "complexity", "morten", "complex"),
            (2.0, "reply", "jesper", "Tak, Bo. Vi får lavet en skimmelundersøgelse i denne uge."),
            (2.0, "start", "jesper"),
            (4.0, "note", "jesper", "Skimmelundersøgelse bestilt hos Tømrerfirmaet Holm & Søn."),
            (4.0, "wait_for_supplier", "jesper"),
            (30.0, "resume", "jesper"),
            (30.0, "note", "jesper", "Tilbud på udskiftning af vægbeklædning: 148.500 kr. ekskl. moms."),
            (30.0, "wait_for_approval", "jesper"),
            (
                31.0,
                "reply",
                "jesper",
                "Undersøgelsen viser skimmel bag vægbeklædningen. Vi afventer godkendelse af udbedringen.",
            ),
        ),
    ),
    # Resolved, waiting for the reporter to confirm
    L(
        "thomas",
        "electrical",
        "Lysstofrør blinker i kantinen",
        "Et lysstofrør over salatbaren i kantinen blinker hele tiden.",
        "Kantinen, stueetagen",
        Priority.LOW,
        Channel.PORTAL,
        24,
        (
            (3.0, "assign", "kim", "kim"),
            (3.0, "complexity", "kim", "easy"),
            (4.0, "reply", "kim", "Tak, Thomas. Jeg skifter røret i morgen tidlig."),
            (4.0, "start", "kim"),
            (10.0, "note", "kim", "Skiftet armatur og rør."),
            (10.0, "reply", "kim", "Lyset er repareret, og armaturet er skiftet til LED."),
            (10.0, "resolve", "kim"),
        ),
    ),
    L(
        "jonas",
        "pests",
        "Myrer i køkkenet",
        "Der er kommet mange små myrer i køkkenet – de kommer ind langs vinduet.",
        "2. th., køkkenet",
        Priority.LOW,
        Channel.PORTAL,
        40,
        (
            (4.0, "assign", "louise", "louise"),
            (4.0, "complexity", "louise", "easy"),
            (5.0, "reply", "louise", "Hej Jonas. Skadedyrsservice kommer forbi på fredag."),
            (5.0, "start", "louise"),
            (30.0, "reply", "louise", "Myrerne er bekæmpet, og revnen ved vinduet er fuget."),
            (30.0, "resolve", "louise"),
        ),
    ),
    L(
        "camilla",
        "outdoor",
        "Løse fliser ved indgangen",
        "Flere fliser ved indgangen vipper, og en forælder er snublet.",
        "Hovedindgangen",
        Priority.NORMAL,
        Channel.PORTAL,
        35,
        (
            (2.0, "assign", "tobias", "tobias"),
            (2.0, "complexity", "tobias", "easy"),
            (2.0, "reply", "tobias", "Tak for beskeden. Vi lægger fliserne om i morgen."),
            (2.0, "start", "tobias"),
            (12.0, "note", "tobias", "Fliserne lagt om og fuget."),
            (12.0, "reply", "tobias", "Fliserne er lagt om, så der ikke længere er snublefare."),
            (12.0, "resolve", "tobias"),
        ),
    ),
]
del L


# --- the builder ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False when the demo was already loaded and nothing was written
    seed: int
    departments: int
    institutions: int
    buildings: int
    users: dict[str, int]  # per role
    historical_cases: int
    live_cases: int
    events: int
    time_entries: int
    complexity: dict[str, int]
    digest: str  # sha256 over every case's number, title, status, complexity, priority and report time
    users_file: Path
    seconds: float


def is_loaded() -> bool:
    return Organisation.objects.filter(code=AGENCY[0]).exists()


def demo_digest() -> str:
    """A fingerprint of all cases: equal for two loads with the same seed and `now`."""
    digest = hashlib.sha256()
    rows = Case.objects.order_by("number").values_list(
        "number", "title", "status", "complexity", "priority", "created_at"
    )
    for number, title, status, complexity, priority, created_at in rows.iterator():
        line = f"{number}|{title}|{status}|{complexity}|{priority}|{created_at.astimezone(UTC).isoformat()}\n"
        digest.update(line.encode())
    return digest.hexdigest()


def seeded_cases() -> QuerySet[Case]:
    """The demo's own cases: not those its sample mail opened or its maintenance plans generated."""
    from esm.mail.models import InboundMessage, InboundState

    by_mail = InboundMessage.objects.filter(state=InboundState.CREATED).values("case")
    return Case.objects.exclude(pk__in=by_mail).exclude(maintenance_occurrence__isnull=False)


def demo_user_rows() -> list[dict[str, Any]]:
    """Every demo user that exists: role, username, password, organisation (name or None)."""
    wanted = (
        [(Role.CUSTOMER, row[0]) for row in CUSTOMERS]
        + [(Role.TENANT, row[0]) for row in TENANTS]
        + [(Role.TECHNICIAN, row[0]) for row in TECHNICIANS]
        + [(Role.TEAM_LEAD, row[0]) for row in TEAM_LEADS]
        + [(Role.ADMINISTRATOR, ADMINISTRATOR[0])]
    )
    users = {
        u.username: u for u in User.objects.filter(username__in=[n for _, n in wanted]).select_related("organisation")
    }
    rows = []
    for role, username in wanted:
        user = users.get(username)
        if user is not None:
            organisation = user.organisation.name if user.organisation is not None else None
            rows.append(
                {"role": str(role), "username": username, "password": PASSWORDS[role], "organisation": organisation}
            )
    return rows


def write_users_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(demo_user_rows(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_demo(
    *,
    seed: int = 2026,
    now: datetime | None = None,
    historical_cases: int = HISTORICAL_CASES,
    progress: Callable[[str], None] | None = None,
    users_file: Path | None = None,
) -> DemoSummary:
    """Load the demo once (all or nothing); with the demo already there, write nothing.

    `users_file` (default `settings.VAR_DIR / "demo-users.json"`) receives every demo
    sign-in; it is rewritten from the database when the demo exists but the file is gone.
    """
    started = perf_counter()
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    path = users_file or Path(settings.VAR_DIR) / "demo-users.json"
    if is_loaded():
        if not path.exists():
            write_users_file(path)
        return _summary(created=False, seed=seed, now=now, path=path, started=started)
    conflicts = _conflicts()
    if conflicts:
        raise DemoConflict(
            "The database already holds data the demo would create ("
            + "; ".join(conflicts)
            + "). Load the demo into an empty database."
        )
    with transaction.atomic():
        _Builder(random.Random(seed), now, progress or (lambda message: None)).build(historical_cases)
    write_users_file(path)
    return _summary(created=True, seed=seed, now=now, path=path, started=started)


class DemoConflict(Exception):
    """The demo's people, organisations or buildings exist already (but the demo was never loaded)."""


def _conflicts() -> list[str]:
    usernames = [row[0] for row in (*CUSTOMERS, *TENANTS, *TECHNICIANS, *TEAM_LEADS)] + [ADMINISTRATOR[0]]
    codes = [code for code, _name in DEPARTMENTS] + [inst.code for inst in INSTITUTIONS]
    found = []
    users = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if users:
        found.append("users " + ", ".join(users))
    organisations = sorted(Organisation.objects.filter(code__in=codes).values_list("code", flat=True))
    if organisations:
        found.append("organisations " + ", ".join(organisations))
    if Building.objects.filter(property_number__startswith="KEJD-").exists():
        found.append("buildings numbered KEJD-…")
    return found


def _summary(*, created: bool, seed: int, now: datetime, path: Path, started: float) -> DemoSummary:
    """Counts from the database; "live" cases are those reported in the last two weeks (not by e-mail or plan)."""
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    roles = Counter(User.objects.values_list("role", flat=True))
    seeded = seeded_cases()
    live = seeded.filter(created_at__gt=now - timedelta(days=15)).count()
    total = seeded.count()
    complexity = Counter(Case.objects.exclude(complexity="").values_list("complexity", flat=True))
    return DemoSummary(
        created=created,
        seed=seed,
        departments=kinds[OrganisationKind.DEPARTMENT],
        institutions=kinds[OrganisationKind.INSTITUTION],
        buildings=Building.objects.count(),
        users={str(role): roles[role] for role in ROLE_ORDER},
        historical_cases=total - live,
        live_cases=live,
        events=CaseEvent.objects.count(),
        time_entries=TimeEntry.objects.count(),
        complexity={level: complexity[level] for level in COMPLEXITY_MIX},
        digest=demo_digest(),
        users_file=path,
        seconds=perf_counter() - started,
    )


@dataclass
class _Event:
    at: datetime
    actor: User | None
    kind: str
    is_public: bool
    body: str
    payload: dict[str, Any]


@dataclass
class _Spec:
    """Everything decided about a historical case before its story is told."""

    created_at: datetime
    channel: str
    reporter: User
    building: Building
    category: Category
    outcome: str = "done"  # done, reopened, cancelled (by the desk), withdrawn (by the reporter while new)
    complexity: str = ""
    template: Any = None
    values: dict[str, str] = field(default_factory=dict)
    priority: str = Priority.NORMAL


class _Story:
    """The timeline of one historical case, told forward in business time."""

    def __init__(self, calendar: BusinessCalendar, rng: random.Random, created_at: datetime) -> None:
        self.calendar = calendar
        self.rng = rng
        self.t = created_at
        self.status: str = Status.NEW.value
        self.events: list[_Event] = []
        self.pace = 1.0  # urgent work moves faster

    def later(self, low: float, high: float) -> None:
        """Let between `low` and `high` business seconds pass (times the pace)."""
        seconds = max(60, int(self.rng.uniform(low, high) * self.pace))
        self.t = self.calendar.add_business_seconds(self.t, seconds)

    def not_before(self, moment: datetime) -> None:
        self.t = max(self.t, moment)

    def add(
        self,
        actor: User | None,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        public: bool = False,
        body: str = "",
    ) -> None:
        self.events.append(_Event(self.t, actor, kind, public, body, payload or {}))
        self.t += timedelta(seconds=self.rng.randint(5, 40))

    def reply(self, actor: User, body: str) -> None:
        self.add(actor, EventKind.REPLY, {"from_desk": actor.is_handler}, public=True, body=body)

    def note(self, actor: User, body: str) -> None:
        self.add(actor, EventKind.NOTE, body=body)

    def phone(self, actor: User, body: str, low: int = 60, high: int = 540) -> None:
        self.add(actor, EventKind.PHONE_NOTE, {"duration_seconds": self.rng.randint(low, high)}, body=body)

    def act(self, actor: User | None, action: str, body: str = "", *, automatic: bool = False) -> None:
        """A status change by the lifecycle table (the same payload `transition_case` writes)."""
        transition = BY_ACTION[action]
        if self.status not in transition.sources:
            raise AssertionError(f"demo story: {action} is not possible from {self.status}")
        self.add(
            actor,
            EventKind.STATUS_CHANGED,
            {"from": self.status, "to": transition.target.value, "action": action, "automatic": automatic},
            public=transition.is_public,
            body=body,
        )
        self.status = transition.target.value


class _Builder:
    def __init__(self, rng: random.Random, now: datetime, say: Callable[[str], None]) -> None:
        self.rng = rng
        self.now = now
        self.say = say
        self.calendar = sla.business_calendar()
        self.targets = {p: sla.targets_for(p) for p in Priority.values}

    # -- the cast ----------------------------------------------------------------------

    def build(self, historical_cases: int) -> None:
        self.say("Creating organisations, buildings, teams and people…")
        self._organisations()
        self._buildings()
        self._teams_and_categories()
        self._people()
        self._registry()
        self._historical(historical_cases)
        self.say(f"Creating {len(LIVE_CASES)} open cases from the last two weeks…")
        self._live()
        self._mail()
        # What the hourly beat task would do: open the planned maintenance due within its lead time.
        from esm.cases.maintenance import generate_due_cases

        self.planned = generate_due_cases(today=timezone.localdate(self.now), now=self.now)
        # The technician's day: assignment rules and an absence (after the demo's own cases, so they keep
        # their handlers), reply templates and macros, knowledge articles with their deflection counts.
        from esm.cases import demo_assignment
        from esm.knowledge import demo as knowledge_demo
        from esm.replies import demo as replies_demo

        self.say("Creating assignment rules, reply templates, macros and knowledge articles…")
        for part in (demo_assignment, replies_demo, knowledge_demo):
            part.seed(self.now)
        if connection.vendor == "postgresql":
            Case.objects.filter(search_vector__isnull=True).update(
                search_vector=SearchVector("search_text", config="danish")
            )

    def _organisations(self) -> None:
        self.agency = Organisation.objects.create(name=AGENCY[1], kind=OrganisationKind.AGENCY, code=AGENCY[0])
        departments = {
            code: Organisation.objects.create(name=name, kind=OrganisationKind.DEPARTMENT, code=code)
            for code, name in DEPARTMENTS
        }
        self.institutions = {
            inst.code: Organisation.objects.create(
                name=inst.name, kind=OrganisationKind.INSTITUTION, parent=departments[inst.department], code=inst.code
            )
            for inst in INSTITUTIONS
        }

    def _buildings(self) -> None:
        self.buildings_of: dict[str, list[Building]] = {}
        self.kind_of: dict[int, str] = {}
        number = 0
        for inst in INSTITUTIONS:
            for label, street, house_number, postcode in inst.places:
                number += 1
                building = register_building(
                    property_number=f"KEJD-{number:04d}",
                    name=f"{inst.name}, {label}" if label else inst.name,
                    street=street,
                    house_number=house_number,
                    postcode=postcode,
                    city=city_for(postcode),
                    organisations=[self.institutions[inst.code]],
                    source="BBR",
                    now=self.now - timedelta(days=30),
                )
                self.buildings_of.setdefault(inst.code, []).append(building)
                self.kind_of[building.pk] = inst.kind
        self.homes: list[Building] = []
        for street, house_number, postcode in HOUSING:
            number += 1
            building = register_building(
                property_number=f"KEJD-{number:04d}",
                name=f"Boligejendommen {street} {house_number}",
                street=street,
                house_number=house_number,
                postcode=postcode,
                city=city_for(postcode),
                source="BBR",
                now=self.now - timedelta(days=30),
            )
            self.homes.append(building)
            self.kind_of[building.pk] = "housing"
        self.institution_buildings = [b for inst in INSTITUTIONS for b in self.buildings_of[inst.code]]

    def _teams_and_categories(self) -> None:
        self.teams = {code: Team.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in TEAMS}
        self.categories: dict[str, Category] = {}
        for position, (code, team_code) in enumerate(CATEGORY_TEAMS.items()):
            name_da, name_en = CATEGORY_NAMES[code]
            category, _created = Category.objects.get_or_create(
                code=code, defaults={"name_da": name_da, "name_en": name_en, "position": position}
            )
            category.team = self.teams[team_code]
            category.save(update_fields=["team"])
            self.categories[code] = category

    def _people(self) -> None:
        hashes = {role: make_password(password) for role, password in PASSWORDS.items()}
        joined = self.now - timedelta(days=400)

        def person(username: str, first: str, last: str, role: Role, **extra: Any) -> User:
            email = f"{first}.{last}@example.org".lower()
            for letter, spelled in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
                email = email.replace(letter, spelled)
            return User(
                username=username,
                first_name=first,
                last_name=last,
                email=email,
                role=role,
                password=hashes[role],
                date_joined=joined,
                **extra,
            )

        people = [
            person(u, f, la, Role.CUSTOMER, organisation=self.institutions[org]) for u, f, la, org, _w in CUSTOMERS
        ]
        people += [person(u, f, la, Role.TENANT) for u, f, la, _home, _flat in TENANTS]
        people += [
            person(u, f, la, Role.TECHNICIAN, organisation=self.agency, team=self.teams[t])
            for u, f, la, t in TECHNICIANS
        ]
        people += [
            person(u, f, la, Role.TEAM_LEAD, organisation=self.agency, team=self.teams[t]) for u, f, la, t in TEAM_LEADS
        ]
        username, first, last = ADMINISTRATOR
        people.append(
            person(
                username, first, last, Role.ADMINISTRATOR, organisation=self.agency, is_staff=True, is_superuser=True
            )
        )
        User.objects.bulk_create(people)
        self.users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
        self.technicians = {code: [self.users[u] for u, _f, _l, t in TECHNICIANS if t == code] for code, _name in TEAMS}
        self.leads = {t: self.users[u] for u, _f, _l, t in TEAM_LEADS}
        self.home_of = {u: (self.homes[home], flat) for u, _f, _l, home, flat in TENANTS}

    # -- the registry ------------------------------------------------------------------

    def _registry(self) -> None:
        """Facts from BBR, rooms, installations, access information and a few maintenance plans.

        Its own random stream, so the cases (and the demo digest) stay as they were.
        """
        rng = random.Random()
        rng.setstate(self.rng.getstate())  # a copy: the main stream is not consumed
        rng.seed(f"registry-{rng.random()}")
        self.parts_rng = random.Random(rng.random())
        self.say("Filling the building registry…")
        bbr_at = self.now - timedelta(days=30)
        units: list[Unit] = []
        team_codes = [code for code, _name in TEAMS]
        for building in Building.objects.order_by("pk"):
            kind = self.kind_of[building.pk]
            lat, lon = DISTRICT_CENTRES[building.city]
            team = rng.choice(team_codes)
            rng.getrandbits(128)  # was a random BBR id; drawn still, so the rest of the demo stays as it was
            update_building(
                None,
                building=building,
                changes={
                    "bbr_id": sample_bbr_id(building.property_number),  # the sample register knows it
                    "latitude": f"{lat + rng.uniform(-0.008, 0.008):.6f}",
                    "longitude": f"{lon + rng.uniform(-0.012, 0.012):.6f}",
                    "year_built": rng.choice([1898, 1904, 1911, 1925, 1932, 1938, 1954, 1962, 1971, 1988, 2004, 2016]),
                    "gross_area_m2": rng.randint(
                        *{"school": (3500, 9000), "housing": (1800, 4200)}.get(kind, (400, 2600))
                    ),
                    "bbr_use_code": USE_CODES[kind],
                    "responsible_team": self.teams[team],
                    "responsible_technician": rng.choice(self.technicians[team]),
                },
                source="BBR",
                now=bbr_at,
            )
            update_building(
                None,
                building=building,
                changes={
                    "opening_hours": OPENING_HOURS[kind],
                    "key_info": f"Nøgleboks ved hovedindgangen, kode {rng.randint(1000, 9999)}. "
                    "Hovednøgle nr. " + str(rng.randint(10, 99)) + " i nøgleskabet på driftskontoret.",
                    "alarm_info": "Alarmpanel i forgangen; frakobl med egen brugerkode. "
                    "Ved fejlalarm: ring til vagtcentralen og oplys ejendomsnummeret.",
                },
                source="Driften",
                now=bbr_at,
            )
            for code, name, unit_kind, _floor in UNITS[kind]:
                units.append(Unit(building=building, code=code, name=name, kind=unit_kind))
        Unit.objects.bulk_create(units, batch_size=500)
        self.units_of: dict[int, dict[str, Unit]] = {}
        for unit in Unit.objects.order_by("pk"):
            self.units_of.setdefault(unit.building_id, {})[unit.code] = unit
        rooms = []
        for building_pk, by_code in self.units_of.items():
            for code, _name, _kind, floor in UNITS[self.kind_of[building_pk]]:
                if floor:
                    by_code[code].parent = by_code[floor]
                    rooms.append(by_code[code])
        Unit.objects.bulk_update(rooms, ["parent"], batch_size=500)

        installations: list[Installation] = []
        for building_pk, by_code in self.units_of.items():
            kind = self.kind_of[building_pk]
            for inst_kind, name, makes, supplier, unit_code in INSTALLATIONS["common"] + INSTALLATIONS.get(kind, ()):
                installations.append(
                    Installation(
                        building_id=building_pk,
                        unit=by_code.get(unit_code),
                        kind=inst_kind,
                        name=name,
                        make=rng.choice(makes),
                        year_installed=rng.randint(1995, 2023),
                        service_contract=f"SA-{rng.randint(2021, 2025)}-{rng.randint(1, 400):03d}" if supplier else "",
                        contract_expires=(self.now + timedelta(days=rng.randint(30, 900))).date(),
                        supplier=supplier,
                    )
                )
        Installation.objects.bulk_create(installations, batch_size=500)
        self.installations_of: dict[int, dict[str, Installation]] = {}
        for installation in Installation.objects.order_by("pk"):
            self.installations_of.setdefault(installation.building_id, {})[installation.kind] = installation

        plans = []
        first_due = (self.now + timedelta(days=20)).date()
        for building_pk, by_kind in self.installations_of.items():
            if "heating" in by_kind:
                plans.append(
                    MaintenancePlan(
                        building_id=building_pk,
                        installation=by_kind["heating"],
                        task="Årligt eftersyn af fjernvarmeunit",
                        first_due=first_due + timedelta(days=rng.randint(0, 200)),
                        interval_months=12,
                        category_code="heating",
                        supplier=by_kind["heating"].supplier,
                    )
                )
            if "fire_alarm" in by_kind and self.kind_of[building_pk] in ("school", "daycare", "nursing"):
                plans.append(
                    MaintenancePlan(
                        building_id=building_pk,
                        installation=by_kind["fire_alarm"],
                        task="Kvartalsafprøvning af brandalarm",
                        # some fall due within the lead time, a few are overdue: the calendar has work
                        first_due=first_due - timedelta(days=rng.randint(30, 120) - 90),
                        interval_months=3,
                        category_code="electrical",
                        supplier=by_kind["fire_alarm"].supplier,
                    )
                )
            if "roof" in by_kind and self.kind_of[building_pk] == "school":
                plans.append(
                    MaintenancePlan(
                        building_id=building_pk,
                        installation=by_kind["roof"],
                        task="Rensning af tagrender",
                        first_due=first_due,
                        season_months=[10],
                        category_code="roof",
                        supplier=by_kind["roof"].supplier,
                    )
                )
        MaintenancePlan.objects.bulk_create(plans, batch_size=500)
        # The building's responsible team does its planned maintenance.
        MaintenancePlan.objects.update(
            team_id=Subquery(Building.objects.filter(pk=OuterRef("building_id")).values("responsible_team_id")[:1])
        )

    def _place(self, case: Case) -> None:
        """Point a historical case at a room of its building and, for its category, an installation."""
        rng = self.parts_rng
        building_pk = case.building.pk if case.building else None
        if building_pk is None:
            return
        rooms = [u for u in self.units_of.get(building_pk, {}).values() if u.kind != "floor"]
        if rooms and rng.random() < 0.6:
            case.unit = rng.choice(rooms)
        own = self.installations_of.get(building_pk, {})
        kinds = [k for k in CATEGORY_INSTALLATIONS.get(case.category.code, ()) if k in own]
        if kinds and rng.random() < 0.8:
            case.installation = own[rng.choice(kinds)]

    # -- historical cases --------------------------------------------------------------

    def _historical(self, count: int) -> None:
        rng = self.rng
        if count <= 0:
            return
        self.say(f"Creating {count} historical cases… 0/{count}")
        specs = sorted((self._spec() for _ in range(count)), key=lambda spec: spec.created_at)
        for spec in specs:
            spec.outcome = self._outcome(spec)
        # The business case's mix, exactly, over every case the desk has classified.
        classified = [spec for spec in specs if spec.outcome != "withdrawn"]
        easy = round(len(classified) * COMPLEXITY_MIX["easy"])
        medium = round(len(classified) * COMPLEXITY_MIX["medium"])
        levels = ["easy"] * easy + ["medium"] * medium + ["complex"] * (len(classified) - easy - medium)
        rng.shuffle(levels)
        for spec, level in zip(classified, levels, strict=True):
            spec.complexity = level

        sequences = {row.year: row for row in NumberSequence.objects.filter(name="case")}
        last_number: dict[int, int] = {}
        cases: list[Case] = []
        stories: list[list[_Event]] = []
        entries: list[list[TimeEntry]] = []
        for index, spec in enumerate(specs, start=1):
            self._dress(spec)
            year = spec.created_at.year
            if year not in last_number:
                last_number[year] = sequences[year].last_value if year in sequences else 0
            last_number[year] += 1
            number = format_number(settings.ESM_CASE_NUMBER_PREFIX, year, last_number[year])
            story = self._story(spec)
            kept = [event for event in story.events if event.at <= self.now]
            case = self._case(spec, number, kept)
            self._place(case)
            cases.append(case)
            stories.append(kept)
            entries.append(self._time_entries(spec, case, story.events))
            if index % 100 == 0 or index == count:
                self.say(f"Creating {count} historical cases… {index}/{count}")

        Case.objects.bulk_create(cases, batch_size=250)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case=case,
                    actor=event.actor,
                    kind=event.kind,
                    is_public=event.is_public,
                    body=event.body,
                    payload=event.payload,
                    created_at=event.at,
                )
                for case, kept in zip(cases, stories, strict=True)
                for event in kept
            ],
            batch_size=1000,
        )
        for case, rows in zip(cases, entries, strict=True):
            for entry in rows:
                entry.case = case
        TimeEntry.objects.bulk_create([entry for rows in entries for entry in rows], batch_size=1000)
        for year, value in last_number.items():
            NumberSequence.objects.update_or_create(name="case", year=year, defaults={"last_value": value})

    def _spec(self) -> _Spec:
        rng = self.rng
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        created_at = self._report_moment(channel)
        month = created_at.astimezone(COPENHAGEN).month
        weights = {code: w * SEASONS.get(code, {}).get(month, 1.0) for code, w in CATEGORY_WEIGHTS.items()}
        category = self.categories[_weighted(rng, weights)]
        who = _weighted(rng, REPORTER_WEIGHTS)
        if who == "@desk":
            reporter = rng.choice(self.technicians[rng.choice(["nord", "syd"])])
            building = rng.choice(self.institution_buildings)
            channel = Channel.PORTAL
        elif who in self.home_of:
            reporter = self.users[who]
            building = self.home_of[who][0]
            if channel == Channel.API:
                channel = Channel.PORTAL
        else:
            reporter = self.users[who]
            own = self.buildings_of[str(reporter.organisation.code)]  # type: ignore[union-attr]
            building = own[0] if len(own) == 1 or rng.random() < 0.6 else rng.choice(own[1:])
        return _Spec(created_at, channel, reporter, building, category)

    def _report_moment(self, channel: str) -> datetime:
        """A moment in the last year, on a weekday mostly, in working hours for phone and API."""
        rng = self.rng
        first = (self.now - timedelta(days=365)).astimezone(COPENHAGEN).date()
        span = (self.now - timedelta(days=15)).astimezone(COPENHAGEN).date() - first
        while True:
            day = first + timedelta(days=rng.randrange(span.days + 1))
            if day.weekday() < 5 or rng.random() < 0.12:
                break
        if channel in (Channel.PHONE, Channel.API) or rng.random() < 0.75:
            minutes = rng.randint(7 * 60 + 30, 15 * 60 + 45)
        else:
            minutes = rng.randint(16 * 60, 21 * 60 + 30)
        local = datetime.combine(day, time(minutes // 60, minutes % 60, rng.randrange(60)), tzinfo=COPENHAGEN)
        return local.astimezone(UTC)

    def _outcome(self, spec: _Spec) -> str:
        rng = self.rng
        draw = rng.random()
        if spec.reporter.is_handler:
            return "cancelled" if draw < 0.03 else "done"
        if draw < 0.03:
            return "withdrawn"
        if draw < 0.075:
            return "cancelled"
        if draw < 0.115:
            return "reopened"
        return "done"

    def _dress(self, spec: _Spec) -> None:
        """Pick the report's words (by category, complexity and building), priority and people."""
        rng = self.rng
        kind = self.kind_of[spec.building.pk]
        level = spec.complexity or ("easy" if rng.random() < 0.6 else "medium")
        pool = TEMPLATES[spec.category.code][level]
        fitting = [t for t in pool if t.kinds is None or kind in t.kinds] or pool
        template = rng.choice(fitting)
        room = rng.choice(ROOMS[kind])
        on_floor, floor = rng.choice(HOUSING_FLOORS if kind == "housing" else FLOORS)
        values = {"room": room, "on_floor": on_floor, "floor": floor}
        if "{room}" in template.title + template.description:
            location = room[0].upper() + room[1:]
            if kind != "housing":
                location += f", {floor}"
        elif "{on_floor}" in template.title + template.description:
            location = floor[0].upper() + floor[1:]
        else:
            location = template.location
        if kind == "housing":
            flat = self.home_of[spec.reporter.username][1]
            location = f"{flat}, {location[0].lower() + location[1:]}" if location else flat
        spec.template = template
        spec.values = {**values, "location": location}
        if template.hint and rng.random() < HINT_TAKEN[template.hint]:
            spec.priority = template.hint
        else:
            spec.priority = _weighted(rng, PRIORITY_WEIGHTS)

    def _story(self, spec: _Spec) -> _Story:
        rng = self.rng
        s = _Story(self.calendar, rng, spec.created_at)
        s.pace = PACE[spec.priority]
        reporter, category = spec.reporter, spec.category
        team = category.team
        assert team is not None
        lead = self.leads[team.code]
        tech = lead if rng.random() < 0.08 else rng.choice(self.technicians[team.code])
        creator = rng.choice([*self.technicians[team.code], lead]) if spec.channel == Channel.PHONE else reporter
        words = {
            "first": reporter.first_name,
            "tech": tech.first_name,
            "team": team.name,
            "when": rng.choice(WHEN),
            "supplier": SUPPLIERS[category.code],
            "lead": lead.get_full_name(),
            "room": spec.values["room"] if "{room}" in spec.template.description else "lokalet",
            "days": str(rng.randint(2, 5)),
            "amount": f"{rng.randrange(55_000, 240_000, 500):,}".replace(",", "."),
        }

        def say(text: str) -> str:
            return text.format(**words)

        s.add(
            creator,
            EventKind.CREATED,
            {
                "status": Status.NEW.value,
                "title": spec.template.title.format(**spec.values),
                "priority": spec.priority,
                "category": category.code,
                "building": spec.building.property_number,
                "channel": spec.channel,
                "reporter": reporter.username,
            },
            public=True,
            body=spec.template.description.format(**spec.values),
        )
        if spec.outcome == "withdrawn":
            s.later(10 * 60, 4 * HOUR)
            s.act(reporter, "cancel", rng.choice(REPORTER_CANCEL_REASONS))
            return s

        s.later(5 * 60, 2.5 * HOUR)
        assigner = lead if rng.random() < 0.6 else tech
        s.add(
            assigner, EventKind.ASSIGNED, {"from": None, "to": tech.username, "to_name": str(tech), "team": team.code}
        )
        s.add(assigner, EventKind.FIELD_CHANGED, {"field": "complexity", "from": "", "to": spec.complexity})
        if rng.random() < 0.5:
            s.act(assigner, "triage")
        first_target = self.targets[spec.priority][0]
        share = rng.uniform(1.05, 1.8) if rng.random() < 0.07 else rng.uniform(0.05, 0.8)
        s.not_before(self.calendar.add_business_seconds(spec.created_at, int(first_target * share)))

        if spec.outcome == "cancelled":
            tenant = reporter.role == Role.TENANT
            reason = TENANT_CANCEL_REASON if tenant else rng.choice(HANDLER_CANCEL_REASONS)
            if rng.random() < 0.8 and not reporter.is_handler:
                s.reply(tech, f"Hej {reporter.first_name}. {reason} Vi lukker derfor sagen her.")
            s.later(10 * 60, 2 * HOUR)
            s.act(tech, "cancel", reason)
            return s

        template = spec.template
        if reporter.is_handler:
            s.reply(tech, say(FOUND_ON_ROUND))
        elif rng.random() < 0.25:
            s.phone(tech, say(PHONE_NOTES[0]))
        else:
            s.reply(tech, say(rng.choice(FIRST_REPLIES)))
        s.later(60, 10 * 60)
        s.act(tech, "start")
        self._work(s, spec, tech, lead, say)
        s.reply(tech, template.fix)
        s.act(tech, "resolve")
        s.pace = 1.0
        if spec.outcome == "reopened":
            s.later(2 * HOUR, 3 * DAY)
            s.act(reporter, "reopen", REOPEN_REASONS[category.code])
            s.later(HOUR, DAY)
            s.reply(tech, say(REVISIT))
            s.later(2 * HOUR, 2 * DAY)
            s.note(tech, REVISIT_NOTE)
            s.reply(tech, "Det er rettet igen. Giv endelig besked, hvis det kommer igen.")
            s.act(tech, "resolve")
        self._close(s, spec, tech)
        return s

    def _work(self, s: _Story, spec: _Spec, tech: User, lead: User, say: Callable[[str], str]) -> None:
        """From work started to ready to resolve, by complexity (faster for urgent cases)."""
        rng = self.rng
        reporter, finding = spec.reporter, spec.template.finding
        if spec.complexity == "easy":
            s.later(30 * 60, 6 * HOUR)
            if rng.random() < 0.6:
                s.note(tech, finding)
            s.later(10 * 60, 2 * HOUR)
            return
        if spec.complexity == "medium":
            path = rng.random()
            if path < 0.35 and not reporter.is_handler:
                s.later(30 * 60, 4 * HOUR)
                s.reply(tech, say(rng.choice(QUESTIONS)))
                s.act(tech, "wait_for_customer")
                s.later(HOUR, 2 * DAY)
                s.reply(reporter, rng.choice(ANSWERS))
                s.act(reporter, "customer_replied", automatic=True)
                s.later(HOUR, 12 * HOUR)
                s.note(tech, finding)
            elif path < 0.85:
                s.later(HOUR, 6 * HOUR)
                s.note(tech, f"{finding} {say(SUPPLIER_ORDERED)}")
                s.act(tech, "wait_for_supplier")
                if rng.random() < 0.4:
                    s.later(4 * HOUR, 12 * HOUR)
                    s.phone(tech, say(PHONE_NOTES[3]))
                s.later(DAY, 4 * DAY)
                s.act(tech, "resume")
                s.note(tech, say(SUPPLIER_DONE))
            else:
                s.later(HOUR, DAY)
                s.note(tech, finding)
                if rng.random() < 0.5 and not reporter.is_handler:
                    s.later(HOUR, DAY)
                    s.phone(tech, say(PHONE_NOTES[0]))
            s.later(30 * 60, 4 * HOUR)
            return
        if spec.priority == Priority.URGENT:  # an emergency: the supplier is called out at once
            s.later(15 * 60, HOUR)
            s.note(tech, f"{finding} {say(EMERGENCY)}")
            s.phone(tech, say(PHONE_NOTES[3]), 120, 600)
            s.act(tech, "wait_for_supplier")
            s.later(DAY, 4 * DAY)
            s.act(tech, "resume")
            s.note(tech, say(SUPPLIER_DONE))
            if not reporter.is_handler:
                s.phone(tech, say(PHONE_NOTES[0]), 120, 600)
            s.later(HOUR, 4 * HOUR)
            return
        # complex: survey, quote, approval, the supplier's work
        if not reporter.is_handler and rng.random() < 0.6:
            s.later(30 * 60, 2 * HOUR)
            s.phone(tech, say(PHONE_NOTES[0]), 180, 900)
        s.later(HOUR, 6 * HOUR)
        s.note(tech, f"{finding} {say(QUOTE_REQUESTED)}")
        s.act(tech, "wait_for_supplier")
        s.later(2 * DAY, 4 * DAY)
        s.act(tech, "resume")
        s.note(tech, say(QUOTE))
        s.act(tech, "wait_for_approval")
        s.later(DAY, 3 * DAY)
        s.note(lead, say(APPROVED))
        s.act(tech, "wait_for_supplier")
        if not reporter.is_handler:
            s.reply(tech, say(STATUS_UPDATE))
        if rng.random() < 0.5:
            s.later(DAY, 3 * DAY)
            s.phone(tech, say(PHONE_NOTES[1] if not reporter.is_handler else PHONE_NOTES[3]), 120, 600)
        s.later(3 * DAY, 8 * DAY)
        s.act(tech, "resume")
        s.note(tech, say(SUPPLIER_DONE))
        s.later(HOUR, 8 * HOUR)

    def _close(self, s: _Story, spec: _Spec, tech: User) -> None:
        rng = self.rng
        reporter = spec.reporter
        draw = rng.random()
        if draw < 0.45 and not reporter.is_handler:
            s.later(30 * 60, 2.5 * DAY)
            if rng.random() < 0.5:
                s.reply(reporter, rng.choice(THANKS))
            s.act(reporter, "confirm")
        elif draw < 0.8:
            s.later(2 * DAY, 5 * DAY)
            s.act(tech, "close")
        else:  # nobody answered: closed by the nightly job after ten days
            day = s.t.astimezone(COPENHAGEN).date() + timedelta(days=10)
            s.t = datetime.combine(day, time(2, rng.randrange(60)), tzinfo=COPENHAGEN).astimezone(UTC)
            s.act(None, "auto_close", automatic=True)

    def _case(self, spec: _Spec, number: str, events: list[_Event]) -> Case:
        """The case row as the services would have left it after these events."""
        created = events[0]
        title = str(created.payload["title"])
        case = Case(
            number=number,
            title=title,
            description=created.body,
            reporter=spec.reporter,
            organisation=spec.reporter.organisation if spec.reporter.role != Role.TENANT else None,
            customer_type=CustomerType.TENANT if spec.reporter.role == Role.TENANT else CustomerType.MUNICIPAL,
            building=spec.building,
            location=spec.values["location"],
            category=spec.category,
            priority=spec.priority,
            priority_rank=PRIORITY_ORDER[spec.priority],
            complexity="",
            channel=spec.channel,
            status=Status.NEW,
            team=spec.category.team,
            created_at=spec.created_at,
            updated_at=spec.created_at,
        )
        search = [number, title, created.body]
        history: list[tuple[datetime, str]] = [(spec.created_at, Status.NEW.value)]
        for event in events[1:]:
            case.updated_at = event.at
            if event.kind == EventKind.STATUS_CHANGED:
                target = event.payload["to"]
                case.status = target
                history.append((event.at, target))
                if target == Status.RESOLVED:
                    case.resolved_at = event.at
                if target == Status.CLOSED:
                    case.closed_at = event.at
                if event.payload["action"] == "reopen":
                    case.resolved_at = None
                if target == Status.CANCELLED:
                    case.cancel_reason = event.body
                    case.closed_at = event.at
            elif event.kind == EventKind.ASSIGNED:
                case.assignee = self.users[event.payload["to"]]
                case.team = self.teams[event.payload["team"]]
            elif event.kind == EventKind.FIELD_CHANGED:
                case.complexity = event.payload["to"]
            elif event.kind in (EventKind.REPLY, EventKind.NOTE, EventKind.PHONE_NOTE):
                search.append(event.body)
                desk_reply = event.kind == EventKind.REPLY and event.payload["from_desk"]
                if (desk_reply or event.kind == EventKind.PHONE_NOTE) and case.first_responded_at is None:
                    case.first_responded_at = event.at
        case.search_text = "\n".join(text.lower() for text in search if text.strip())
        clocks = sla.compute_clocks(case, history=history, calendar=self.calendar, targets=self.targets[spec.priority])
        for name, value in clocks.__dict__.items():
            setattr(case, name, value)
        return case

    def _time_entries(self, spec: _Spec, case: Case, events: list[_Event]) -> list[TimeEntry]:
        """Handling time for the whole story: phone calls as logged, the rest as desk sessions.

        Sessions group a person's consecutive acts on the case (within 20 minutes); only
        what happened by `now` is kept, so open cases show the time spent so far.
        """
        rng = self.rng
        handled = [e for e in events if e.actor is not None and e.actor.is_handler]
        if not handled:
            return []
        low, high = HANDLING_SECONDS["cancelled" if spec.outcome in ("cancelled", "withdrawn") else spec.complexity]
        budget = rng.randint(low, high) * (1.3 if spec.outcome == "reopened" else 1.0)
        entries: list[TimeEntry] = []
        phone_seconds = 0
        sessions: list[list[_Event]] = []
        for event in handled:
            if event.kind == EventKind.PHONE_NOTE:
                seconds = int(event.payload["duration_seconds"])
                phone_seconds += seconds
                entries.append(
                    TimeEntry(
                        user=event.actor,
                        source=TimeSource.PHONE,
                        seconds=seconds,
                        started_at=event.at - timedelta(seconds=seconds),
                        ended_at=event.at,
                        note=event.body[:200],
                    )
                )
                continue
            last = sessions[-1][-1] if sessions else None
            if last is not None and last.actor == event.actor and event.at - last.at <= timedelta(minutes=20):
                sessions[-1].append(event)
            else:
                sessions.append([event])
        desk_budget = max(budget - phone_seconds, 60 * len(sessions))
        weights = [
            0.3
            if all(e.kind in (EventKind.ASSIGNED, EventKind.FIELD_CHANGED) for e in group)
            else len(group) * rng.uniform(0.6, 1.4)
            for group in sessions
        ]
        # A session ends just after its last act and can reach back to that person's
        # previous session (or the report): that is all the time it can hold.
        ends, capacities = [], []
        previous_end: dict[int, datetime] = {}
        for group in sessions:
            user = group[0].actor
            assert user is not None
            ended_at = group[-1].at + timedelta(seconds=rng.randint(5, 60))
            lower = previous_end.get(user.pk, case.created_at)
            ends.append(ended_at)
            capacities.append(max(0.0, (ended_at - lower).total_seconds()))
            previous_end[user.pk] = ended_at
        allotted = _fill(desk_budget, weights, capacities)
        for group, ended_at, seconds in zip(sessions, ends, allotted, strict=True):
            if seconds < 1:
                continue
            entries.append(
                TimeEntry(
                    user=group[0].actor,
                    source=TimeSource.DESK,
                    session_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    seconds=seconds,
                    started_at=ended_at - timedelta(seconds=seconds),
                    ended_at=ended_at,
                )
            )
        return [entry for entry in entries if entry.ended_at <= self.now]

    # -- live cases --------------------------------------------------------------------

    def _live(self) -> None:
        """The open work of the last two weeks, through the services, oldest report first."""
        rng = self.rng
        for spec in sorted(LIVE_CASES, key=lambda live: -live.age_hours):
            reporter = self.users[spec.reporter]
            created = self._business_hours_ago(spec.age_hours + rng.uniform(0.05, 0.7))
            if reporter.role == Role.TENANT:
                building = self.home_of[reporter.username][0]
            else:
                building = self.buildings_of[str(reporter.organisation.code)][0]  # type: ignore[union-attr]
            actor = self.users[spec.taken_by] if spec.taken_by else reporter
            uploads = [_photo(rng, spec.photo)] if spec.photo else []
            case = services.open_case(
                actor,
                title=spec.title,
                description=spec.description,
                building=building,
                category=spec.category,
                priority=spec.priority,
                location=spec.location,
                channel=spec.channel,
                reporter=reporter if spec.taken_by else None,
                uploads=uploads,
                now=created,
            )
            previous = created
            for offset, verb, username, *args in spec.steps:
                if offset >= spec.age_hours:
                    raise AssertionError(f"demo: a step of “{spec.title}” lies in the future")
                at = max(
                    self.calendar.add_business_seconds(created, int(offset * HOUR)), previous + timedelta(seconds=40)
                )
                at = min(at, self.now)
                previous = at
                self._live_step(case, verb, self.users[username], args, at)

    def _mail(self) -> None:
        """A few messages through the real mail ingestion: a new case, a reply by e-mail, an out-of-office, one held."""
        from esm.mail.services import ingest_raw

        helpdesk = settings.ESM_MAIL_HELPDESK_ADDRESS
        karin, lise = self.users["karin"], self.users["lise"]
        earlier = Case.objects.filter(reporter=lise).order_by("-created_at").first()
        messages = [
            _mail_message(
                f"{karin.get_full_name()} <{karin.email}>",
                helpdesk,
                "Vandskade i gymnastiksalen",
                "Hej\n\nDer er kommet vand ind under døren til gymnastiksalen efter nattens regn, og gulvet "
                "buler ved ribberne. Kan I komme og se på det i dag?\n\nVenlig hilsen\nKarin Sørensen\n\n"
                "Sendt fra min iPhone",
                message_id="demo.1@example.org",
                sent=self.now,
            ),
            _mail_message(
                "Skolekontoret <kontor@example.org>",
                helpdesk,
                "Automatisk svar: Fraværende",
                "Jeg er på kursus til og med fredag og læser ikke mail.",
                message_id="demo.2@example.org",
                sent=self.now,
                extra={"Auto-Submitted": "auto-replied"},
            ),
            _mail_message(
                "",
                helpdesk,
                "Faktura 2026-118",
                "(no sender)",
                message_id="demo.3@example.org",
                sent=self.now,
            ),
        ]
        if earlier is not None:
            messages.insert(
                1,
                _mail_message(
                    f"{lise.get_full_name()} <{lise.email}>",
                    helpdesk,
                    f"SV: [{earlier.number}] {earlier.title}",
                    "Tak for svaret. Pedellen har nøglen, så I kan bare komme i morgen fra kl. 7.\n\n"
                    f"Mvh Lise\n\n-----Oprindelig meddelelse-----\nFra: Ejendomsservice <{helpdesk}>\n"
                    f"Emne: [{earlier.number}] {earlier.title}\n\nVi har modtaget din henvendelse.",
                    message_id="demo.4@example.org",
                    sent=self.now,
                ),
            )
        for raw in messages:
            ingest_raw(raw, source="demo", now=self.now)

    def _live_step(self, case: Case, verb: str, actor: User, args: list[Any], at: datetime) -> None:
        if verb == "assign":
            services.assign_case(actor, case=case, assignee=self.users[args[0]], now=at)
        elif verb == "complexity":
            services.update_case(actor, case=case, changes={"complexity": args[0]}, now=at)
        elif verb == "reply":
            services.reply_to_case(actor, case=case, body=args[0], now=at)
        elif verb == "note":
            services.add_internal_note(actor, case=case, body=args[0], now=at)
        elif verb == "phone":
            services.add_phone_note(actor, case=case, body=args[0], duration_seconds=args[1], now=at)
            return  # the call's duration is its handling time
        else:
            services.transition_case(actor, case=case, action=verb, reason=args[0] if args else "", now=at)
        if actor.is_handler:
            seconds = min(self.rng.randint(60, 480), int((at - case.created_at).total_seconds()))
            if seconds >= 30:
                services.record_active_time(
                    actor,
                    case=case,
                    session_key=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    active_seconds=seconds,
                    started_at=at - timedelta(seconds=seconds),
                    now=at,
                )

    def _business_hours_ago(self, hours: float) -> datetime:
        """The latest moment with `hours` business hours between it and now."""
        wanted = int(hours * HOUR)
        low, high = self.now - timedelta(days=60), self.now
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if self.calendar.business_seconds_between(middle, self.now) >= wanted:
                low = middle
            else:
                high = middle
        return low.replace(microsecond=0)


def _fill(total: float, weights: list[float], capacities: list[float]) -> list[int]:
    """Share `total` by weight without giving any part more than its capacity (water-filling)."""
    given = [0.0] * len(weights)
    open_parts = {i for i, capacity in enumerate(capacities) if capacity > 0}
    left = float(total)
    while left >= 1 and open_parts:
        weight = sum(weights[i] for i in open_parts)
        spill = 0.0
        for i in sorted(open_parts):
            share = left * weights[i] / weight
            if given[i] + share >= capacities[i]:
                spill += given[i] + share - capacities[i]
                given[i] = capacities[i]
                open_parts.discard(i)
            else:
                given[i] += share
        left = spill
    return [int(min(max(30.0, amount), capacity)) for amount, capacity in zip(given, capacities, strict=True)]


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _photo(rng: random.Random, motif: str) -> SimpleUploadedFile:
    """A phone photo of the damage, drawn (a broken window pane or a water stain)."""
    from PIL import Image, ImageDraw, ImageFilter

    image = Image.new("RGB", (1200, 900), (222, 216, 204))
    draw = ImageDraw.Draw(image)
    if motif == "window":
        draw.rectangle((250, 90, 950, 810), fill=(247, 247, 245))
        draw.rectangle((285, 125, 915, 775), fill=(150, 181, 204))
        draw.line((600, 125, 600, 775), fill=(247, 247, 245), width=22)
        cx, cy = rng.randint(380, 520), rng.randint(330, 520)
        for _ in range(13):
            x, y, angle = float(cx), float(cy), rng.uniform(0, 2 * math.pi)
            for _step in range(rng.randint(3, 6)):
                angle += rng.uniform(-0.35, 0.35)
                nx, ny = x + math.cos(angle) * rng.randint(30, 80), y + math.sin(angle) * rng.randint(30, 80)
                nx, ny = min(max(nx, 290), 590), min(max(ny, 130), 770)
                draw.line((x, y, nx, ny), fill=(238, 242, 246), width=3)
                x, y = nx, ny
        draw.ellipse((cx - 28, cy - 28, cx + 28, cy + 28), fill=(70, 86, 99))
        name = "IMG_4312.jpg"
    else:
        for x in range(0, 1200, 300):
            draw.line((x, 0, x, 900), fill=(190, 186, 178), width=6)
        for y in range(0, 900, 300):
            draw.line((0, y, 1200, y), fill=(190, 186, 178), width=6)
        cx, cy = rng.randint(500, 700), rng.randint(380, 520)
        for radius, shade in ((230, (201, 176, 133)), (170, (181, 150, 104)), (100, (160, 125, 82))):
            draw.ellipse((cx - radius, cy - radius * 0.7, cx + radius, cy + radius * 0.7), fill=shade)
        image = image.filter(ImageFilter.GaussianBlur(6))
        name = "IMG_4388.jpg"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


__all__ = [
    "HISTORICAL_CASES",
    "LIVE_CASES",
    "PASSWORDS",
    "DemoConflict",
    "DemoSummary",
    "demo_digest",
    "demo_user_rows",
    "is_loaded",
    "load_demo",
    "write_users_file",
]


def _mail_message(
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    message_id: str,
    sent: datetime,
    extra: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    message["Date"] = email.utils.format_datetime(sent)
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
