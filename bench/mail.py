"""Ingest 1,000 e-mails from an IMAP server with one worker and measure it (target: at least 50 messages per second).

    .venv/bin/python bench/mail.py [--messages 1000] [--seed 2026] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/esm_bench_mail]

1. Starts a dovecot of its own on free loopback ports (IMAPS with a self-signed certificate) and a fresh
   database: a temporary SQLite file, or with --database-url a PostgreSQL database that is dropped, created
   and migrated (and dropped again at the end unless --keep).
2. Seeds 50 known customers in 10 institutions with their buildings, then APPENDs N messages built the way
   Outlook, Gmail and the iPhone build them: ~60 % new reports from known customers and unknown senders,
   ~30 % replies to earlier ones (by In-Reply-To/References, the case number in the subject, or only Outlook's
   Thread-Index), ~10 % out-of-office replies and bounces; some carry a photo or a PDF.
3. Times `esm.mail.services.poll_mailboxes()` (ESM_IMAP_MAILBOXES pointing at the server) until all N
   messages are ingested: messages per second, outcomes against the expected ones, where replies landed.
4. Polls again (nothing may be new), then clears the server's marks and polls once more: every message must
   be recognised as a duplicate, with no new case, event, user or stored message.

Everything happens on 127.0.0.1 and in a temporary folder; the dovecot is stopped at the end.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import html
import imaplib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from esm.mail.tests.dovecot import Dovecot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the esm package, also when run as `python bench/mail.py`
TARGET_PER_SECOND = 50.0
HELPDESK = "helpdesk@ejendomme.kk.dk"
IMAP_USER = "helpdesk"

FIRST_NAMES = [
    "Anne", "Peter", "Mette", "Lars", "Hanne", "Jens", "Louise", "Mads", "Camilla", "Søren", "Line", "Henrik",
    "Sofie", "Niels", "Ida", "Morten", "Karen", "Rasmus", "Julie", "Thomas", "Amira", "Ahmed", "Birgitte", "Ole",
]  # fmt: skip
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Holm", "Haddad", "Østergaard",
]  # fmt: skip
INSTITUTIONS = [
    ("Vesterbro Ny Skole", "Absalonsgade", "1658", "København V"),
    ("Børnehuset Solsikken", "Tagensvej", "2200", "København N"),
    ("Østerbro Bibliotek", "Østerbrogade", "2100", "København Ø"),
    ("Amager Idrætshal", "Amagerbrogade", "2300", "København S"),
    ("Plejecenter Valbygård", "Valby Langgade", "2500", "Valby"),
    ("Vuggestuen Mælkebøtten", "Jyllingevej", "2720", "Vanløse"),
    ("Brønshøj Skole", "Frederikssundsvej", "2700", "Brønshøj"),
    ("Jobcenter Nordvest", "Frederiksborgvej", "2400", "København NV"),
    ("Bostedet Enghave", "Enghavevej", "2450", "København SV"),
    ("Borgerservice Sundby", "Englandsvej", "2300", "København S"),
]
ASCII = {ord("æ"): "ae", ord("ø"): "oe", ord("å"): "aa"}
FREE_MAIL = ["gmail.com", "hotmail.com", "outlook.dk", "yahoo.dk", "mail.dk", "live.dk"]
ROOMS = [
    "klasselokale 2.B", "personalerummet", "køkkenet", "gymnastiksalen", "kontor 1.12", "mødelokale 3",
    "indgangen", "trappeopgangen", "kælderen", "toiletterne i stueetagen", "lærerværelset", "fællesstuen",
]  # fmt: skip
REPORTS = [
    ("Knust rude i {room}", "Ruden i vinduet ud mod gården i {room} er knust, og der ligger glasskår på gulvet."),
    ("Dør kan ikke låses i {room}", "Døren til {room} kan ikke låses. Cylinderen drejer rundt uden at gribe."),
    ("Lækage under vask i {room}", "Der drypper vand fra røret under vasken i {room}, og skabet er vådt."),
    ("Stoppet toilet", "Toilettet ved {room} er stoppet og kan ikke skylles ud. Vi har sat et skilt op."),
    ("Radiator bliver ikke varm i {room}", "Radiatoren i {room} er kold, selvom termostaten står på 5."),
    ("Lys virker ikke i {room}", "Lysstofrørene i loftet i {room} blinker og går ud efter et par minutter."),
    ("Løs stikkontakt i {room}", "Stikkontakten ved vinduet i {room} sidder løst, og der er sorte mærker."),
    ("Skimmel på væggen i {room}", "Der er kommet sorte pletter på væggen bag reolen i {room}. Det lugter muggent."),
    ("Ventilationen larmer", "Ventilationen i {room} larmer meget, især om morgenen. Det er svært at undervise."),
    ("Utæt tag over {room}", "Efter regnen i nat drypper det fra loftet i {room}. Vi har stillet en spand."),
]
REPLIES = [
    "Tak for svaret. Det passer fint, vi er her fra kl. 7.30.",
    "Nøglen ligger på kontoret hos pedellen.",
    "Det er desværre blevet værre i dag – kan I komme hurtigere?",
    "Jeg har vedhæftet et billede, så I kan se det.",
    "Håndværkeren var her i går, men det drypper stadig.",
    "Husk at ringe på ved hovedindgangen, døren er låst efter kl. 16.",
    "Tusind tak, det virker igen!",
]
SIGNATURES = [
    "\n\nVenlig hilsen\n{name}\n{place}",
    "\n\nMed venlig hilsen\n\n{name}\nPædagogisk leder, {place}\nTlf. 33 66 {n:02d} {m:02d}",
    "\n\nHilsen {first}\n\nSendt fra min iPhone",
    "\n\nVh {first}",
]
OOF = [
    "Jeg er på ferie til og med mandag. Henvendelser kan rettes til kontoret.",
    "Tak for din mail. Jeg er på kursus og læser først mail igen i morgen.",
    "I am out of the office until Monday with limited access to e-mail.",
]


# --- the database ---------------------------------------------------------------------------------------------------


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or "/" in name:
        raise SystemExit(f"--database-url needs a database name: {url}")
    return name


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    maintenance = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    name = database_name(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))


def setup_django(url: str | None, workdir: Path, mailbox_url: str) -> None:
    """Django on a fresh database, with media, outbox and broker in `workdir` and the bench's mailbox configured."""
    os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["ESM_SQLITE_PATH"] = str(workdir / "esm-bench-mail.sqlite3")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "esm.settings",
            "ESM_VAR_DIR": str(workdir / "var"),
            "ESM_DEBUG": "false",
            "ESM_LOG_LEVEL": "WARNING",
            "ESM_MANIFEST_STATIC": "false",
            "ESM_IMAP_MAILBOXES": mailbox_url,
            "ESM_IMAP_AUTH": "password",
            "ESM_GRAPH_MAILBOX": "",
            "ESM_MAIL_HELPDESK_ADDRESS": HELPDESK,
            "ESM_MAIL_REPLY_PLUS_ADDRESSING": "false",
            "ESM_MAIL_UNKNOWN_SENDERS": "tenant",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


# --- people and messages --------------------------------------------------------------------------------------------


@dataclass
class Person:
    name: str
    address: str
    place: str = ""
    organisation: int | None = None

    @property
    def header(self) -> str:
        return f"{self.name} <{self.address}>"


@dataclass
class Thread:
    """A case the bench expects: its predicted number and the messages in it so far."""

    number: str
    title: str
    sender: Person
    ids: list[str]
    conversation: bytes | None  # Outlook's 22 bytes, where Outlook wrote the first message
    replies: int = 0


@dataclass
class Plan:
    messages: list[bytes] = field(default_factory=list)
    expected: Counter[str] = field(default_factory=Counter)
    reply_modes: Counter[str] = field(default_factory=Counter)
    case_of: dict[str, str] = field(default_factory=dict)  # Message-ID of each reply -> the case it belongs on
    attachments: int = 0


def seed_people(rng: random.Random) -> list[Person]:
    """10 institutions with their buildings (two of them use two) and 50 known customers."""
    from esm.accounts.models import Organisation, OrganisationKind, Role, User
    from esm.buildings.services import register_building

    department = Organisation.objects.create(
        name="Børne- og Ungdomsforvaltningen", kind=OrganisationKind.DEPARTMENT, code="bench-buf"
    )
    people: list[Person] = []
    for index, (name, street, postcode, city) in enumerate(INSTITUTIONS):
        institution = Organisation.objects.create(
            name=name, kind=OrganisationKind.INSTITUTION, parent=department, code=f"bench-{index}"
        )
        for building in range(2 if index % 5 == 4 else 1):
            register_building(
                property_number=f"E-{9000 + index * 2 + building}",
                name=f"{name}, {'hovedbygning' if building == 0 else 'annekset'}",
                street=street,
                house_number=str(rng.randint(1, 200)),
                postcode=postcode,
                city=city,
                organisations=[institution],
            )
        domain = name.lower().replace(" ", "-").translate(ASCII)
        for person in range(5):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            address = f"{first}.{last}{index}{person}@{domain}.kk.dk".lower().translate(ASCII)
            user = User.objects.create_user(
                username=f"bench-{index}-{person}",
                password=None,
                email=address,
                role=Role.CUSTOMER,
                organisation=institution,
                first_name=first,
                last_name=last,
            )
            people.append(Person(f"{first} {last}", address, name, user.organisation_id))
    return people


def unknown_people(rng: random.Random, count: int = 60) -> list[Person]:
    """Private senders nobody registered (they become tenants on their first mail)."""
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{first}.{last}{rng.randint(1, 99)}".lower().translate(ASCII)
        people.append(Person(f"{first} {last}", f"{local}.{index}@{rng.choice(FREE_MAIL)}"))
    return people


def photos(rng: random.Random) -> list[bytes]:
    """Three small phone-like photos (JPEG, noisy enough not to compress to nothing)."""
    from PIL import Image

    result = []
    for _ in range(3):
        image = Image.effect_noise((320, 240), rng.randint(20, 60)).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        result.append(buffer.getvalue())
    return result


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Builder:
    """Builds the bench's messages in order, predicting the case each one opens or continues."""

    def __init__(self, rng: random.Random, known: list[Person], unknown: list[Person], prefix: str) -> None:
        self.rng = rng
        self.known = known
        self.unknown = unknown
        self.year = datetime.now(UTC).year
        self.prefix = prefix
        self.threads: list[Thread] = []
        self.plan = Plan()
        self.clock = datetime.now(UTC) - timedelta(hours=20)
        self.images = photos(rng)

    def _message(self, sender: Person, subject: str, text: str, *, client: str, **headers: str) -> EmailMessage:
        self.clock += timedelta(seconds=self.rng.randint(5, 120))
        message = EmailMessage()
        message["From"] = sender.header
        message["To"] = f"Ejendomsservice <{HELPDESK}>"
        message["Subject"] = subject
        message["Date"] = format_datetime(self.clock)
        message["Message-ID"] = make_msgid(domain=sender.address.rpartition("@")[2])
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        if client == "iphone":
            message["X-Mailer"] = "iPhone Mail (21F90)"
            message.set_content(text)
        else:
            message["Content-Language"] = "da-DK"
            message.set_content(text)
            paragraphs = "".join(f"<p>{html.escape(block)}</p>" for block in text.split("\n\n"))
            message.add_alternative(f"<html><body><div>{paragraphs}</div></body></html>", subtype="html")
        return message

    def _attach(self, message: EmailMessage, chance: float) -> None:
        if self.rng.random() >= chance:
            return
        if self.rng.random() < 0.75:
            data, maintype, subtype, name = self.rng.choice(self.images), "image", "jpeg", "IMG_{:04d}.jpg"
        else:
            data, maintype, subtype, name = PDF, "application", "pdf", "tegning-{:04d}.pdf"
        message.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=name.format(self.rng.randint(1, 9999))
        )
        self.plan.attachments += 1

    def _signature(self, person: Person) -> str:
        first = person.name.split()[0]
        n, m = self.rng.randint(10, 99), self.rng.randint(10, 99)
        return self.rng.choice(SIGNATURES).format(name=person.name, first=first, place=person.place or "", n=n, m=m)

    def _add(self, message: EmailMessage, expected: str) -> str:
        self.plan.messages.append(bytes(message))
        self.plan.expected[expected] += 1
        return str(message["Message-ID"])

    def new_case(self) -> None:
        sender = self.rng.choice(self.known if self.rng.random() < 0.7 else self.unknown)
        title, text = self.rng.choice(REPORTS)
        room = self.rng.choice(ROOMS)
        title, text = title.format(room=room), text.format(room=room)
        client = self.rng.choice(["outlook", "outlook", "gmail", "iphone"])
        conversation = (b"\x01" + self.rng.randbytes(21)) if client == "outlook" else None
        headers = {"Thread_Topic": title, "Thread_Index": _b64(conversation)} if conversation else {}
        message = self._message(sender, title, text + self._signature(sender), client=client, **headers)
        self._attach(message, 0.2)
        message_id = self._add(message, "created")
        number = f"{self.prefix}-{self.year}-{len(self.threads) + 1:06d}"
        self.threads.append(Thread(number, title, sender, [message_id], conversation))

    def reply(self) -> None:
        thread = self.rng.choice(self.threads[-150:])
        sender = thread.sender
        if sender.organisation is not None and self.rng.random() < 0.2:  # a colleague answers
            sender = self.rng.choice([p for p in self.known if p.organisation == sender.organisation])
        text = self.rng.choice(REPLIES) + self._signature(sender)
        quote = (
            f"\n\nFra: {thread.sender.header}\nSendt: {format_datetime(self.clock)}\nTil: {HELPDESK}\n"
            f"Emne: {thread.title}\n\nSe beskrivelsen i sagen."
        )
        mode = self.rng.choices(["headers", "subject", "conversation"], weights=[45, 40, 15])[0]
        if mode == "conversation" and thread.conversation is None:
            mode = "headers"
        headers: dict[str, str] = {}
        if thread.conversation is not None:
            blocks = self.rng.randbytes(5 * (thread.replies + 1))
            headers = {"Thread_Topic": thread.title, "Thread_Index": _b64(thread.conversation + blocks)}
        if mode == "headers":
            subject = f"SV: {thread.title}"
            headers |= {"In_Reply_To": thread.ids[-1], "References": " ".join(thread.ids[-8:])}
        elif mode == "subject":
            subject = self.rng.choice(
                [f"SV: [{thread.number}] {thread.title}", f"Re: {thread.title} ({thread.number})"]
            )
            if self.rng.random() < 0.5:  # answering a notification of ours that this database never sent
                headers["In_Reply_To"] = f"<esm.{thread.number}.{uuid.uuid4().hex[:16]}@ejendomme.kk.dk>"
        else:  # Outlook, the subject rewritten and the quote deleted: only Thread-Index tells
            subject = f"Også {self.rng.choice(ROOMS)}"
            quote = ""
        message = self._message(sender, subject, text + quote, client="outlook", **headers)
        self._attach(message, 0.1)
        message_id = self._add(message, "threaded")
        thread.ids.append(message_id)
        thread.replies += 1
        self.plan.reply_modes[mode] += 1
        self.plan.case_of[message_id.strip("<>")] = thread.number

    def automatic(self) -> None:
        thread = self.rng.choice(self.threads)
        if self.rng.random() < 0.6:
            subject = self.rng.choice(["Automatisk svar", "Fraværende", "Automatic reply"]) + f": [{thread.number}]"
            message = self._message(
                thread.sender,
                f"{subject} {thread.title}",
                self.rng.choice(OOF),
                client="outlook",
                Auto_Submitted="auto-replied",
                X_Auto_Response_Suppress="All",
                In_Reply_To=f"<esm.{thread.number}.{uuid.uuid4().hex[:16]}@ejendomme.kk.dk>",
            )
            self._add(message, "ignored")
        else:
            self.plan.messages.append(self._bounce(thread))
            self.plan.expected["ignored"] += 1

    def _bounce(self, thread: Thread) -> bytes:
        self.clock += timedelta(seconds=self.rng.randint(5, 120))
        boundary = uuid.uuid4().hex
        original = f"<esm.{thread.number}.{uuid.uuid4().hex[:16]}@ejendomme.kk.dk>"
        recipient = f"{thread.sender.address.partition('@')[0]}.old@{thread.sender.address.partition('@')[2]}"
        return (
            f"From: Mail Delivery System <MAILER-DAEMON@mx.ejendomme.kk.dk>\r\n"
            f"To: {HELPDESK}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
            f"Date: {format_datetime(self.clock)}\r\nMessage-ID: {make_msgid(domain='mx.ejendomme.kk.dk')}\r\n"
            f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "I'm sorry to have to inform you that your message could not\r\n"
            "be delivered to one or more recipients.\r\n"
            f"\r\n<{recipient}>: host mx.kk.dk said: 550 5.1.1 User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.ejendomme.kk.dk\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\n"
            f"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"From: Ejendomsservice <{HELPDESK}>\r\nTo: {recipient}\r\nSubject: [{thread.number}] {thread.title}\r\n"
            f"Message-ID: {original}\r\n\r\n--{boundary}--\r\n"
        ).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def plan_messages(count: int, rng: random.Random, known: list[Person], prefix: str) -> Plan:
    builder = Builder(rng, known, unknown_people(rng), prefix)
    for _ in range(count):
        roll = rng.random()
        if not builder.threads or roll < 0.6:
            builder.new_case()
        elif roll < 0.9:
            builder.reply()
        else:
            builder.automatic()
    return builder.plan


def deliver(server: Dovecot, messages: list[bytes]) -> None:
    client = server.connect(IMAP_USER)
    try:
        for raw in messages:
            status, data = client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
            if status != "OK":
                raise SystemExit(f"APPEND failed: {data!r}")
    finally:
        client.logout()


def clear_marks(server: Dovecot) -> None:
    """Forget which messages were processed, as if the worker's marks never reached the server."""
    client = server.connect(IMAP_USER)
    try:
        client.select("INBOX")
        status, data = client.uid("STORE", "1:*", "-FLAGS.SILENT", "(\\Seen ESMProcessed)")
        if status != "OK":
            raise SystemExit(f"STORE failed: {data!r}")
    finally:
        client.logout()


# --- measuring ------------------------------------------------------------------------------------------------------


def poll_until(count: int) -> tuple[Counter[str], int]:
    """Poll the configured mailboxes until `count` messages were ingested (or one poll brings nothing)."""
    from esm.mail.services import poll_mailboxes

    totals: Counter[str] = Counter()
    polls = 0
    while sum(totals.values()) < count:
        polls += 1
        found: Counter[str] = sum(poll_mailboxes().values(), Counter())
        if found["error"] or found["busy"]:
            raise SystemExit(f"polling failed: {dict(found)}")
        if not found:
            break
        totals += found
    return totals, polls


def counts() -> dict[str, int]:
    from esm.accounts.models import User
    from esm.cases.models import Attachment, Case, CaseEvent
    from esm.mail.models import InboundMessage

    models: dict[str, Any] = {
        "cases": Case,
        "events": CaseEvent,
        "users": User,
        "attachments": Attachment,
        "stored": InboundMessage,
    }
    return {name: model.objects.count() for name, model in models.items()}


def where_replies_landed(plan: Plan) -> tuple[int, Counter[str]]:
    """(replies on the case they belong to, how the threaded messages were matched)."""
    from esm.cases.models import CaseEvent
    from esm.mail.models import InboundMessage

    landed = dict(
        InboundMessage.objects.filter(message_id__in=list(plan.case_of)).values_list("message_id", "case__number")
    )
    right = sum(1 for message_id, number in plan.case_of.items() if landed.get(message_id) == number)
    matched: Counter[str] = Counter()
    for payload in CaseEvent.objects.filter(payload__has_key="email").values_list("payload", flat=True):
        if "matched_by" in payload["email"]:
            matched[payload["email"]["matched_by"]] += 1
    return right, matched


def machine(vendor: str) -> str:
    from django.db import connection

    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        database = f"PostgreSQL {row[0] if row else '?'}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    from esm.mail.tests.dovecot import DOVECOT

    dovecot = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True).stdout.split(" ")[0].strip()
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}, {database}, dovecot {dovecot}"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def bench(args: argparse.Namespace, server: Dovecot) -> bool:
    from django.conf import settings
    from django.db import connection

    rng = random.Random(args.seed)
    known = seed_people(rng)
    plan = plan_messages(args.messages, rng, known, settings.ESM_CASE_NUMBER_PREFIX)
    size = sum(len(raw) for raw in plan.messages)
    deliver(server, plan.messages)
    modes = ", ".join(f"{mode} {n}" for mode, n in sorted(plan.reply_modes.items()))
    print(
        f"mailbox: {len(plan.messages)} messages, {size / 1e6:.1f} MB, {plan.attachments} with an attachment; "
        f"expected {dict(plan.expected)}; replies by {modes}"
    )
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"load average before: {load()}", flush=True)

    cpu = time.process_time()
    started = time.perf_counter()
    outcomes, polls = poll_until(len(plan.messages))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    ingested = sum(outcomes.values())
    rate = ingested / elapsed if elapsed else 0.0
    print(f"load average after:  {load()}")
    print(
        f"ingested {ingested} messages in {elapsed:.2f} s ({polls} polls): {rate:.1f} messages/s; "
        f"worker CPU {cpu:.2f} s ({cpu / elapsed:.0%} of the time)"
    )
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    right, matched = where_replies_landed(plan)
    print(f"replies on their own case: {right}/{len(plan.case_of)}; matched by {dict(sorted(matched.items()))}")
    before = counts()
    print(f"stored: {before}")

    again, _polls = poll_until(1)
    print(f"poll again: {sum(again.values())} new messages")
    clear_marks(server)
    started = time.perf_counter()
    repeated, _polls = poll_until(len(plan.messages))
    seconds = time.perf_counter() - started
    after = counts()
    duplicates_nothing = not again and repeated == Counter(duplicate=len(plan.messages)) and after == before
    print(
        f"marks cleared, poll again: {dict(repeated)} in {seconds:.2f} s; cases, events, users and stored messages "
        f"unchanged: {after == before}"
    )
    print(f"re-polling duplicates nothing: {'yes' if duplicates_nothing else 'NO'}")
    as_expected = outcomes == plan.expected and right == len(plan.case_of)
    verdict = "OK" if rate >= TARGET_PER_SECOND else "TOO SLOW"
    print(f"outcomes as expected: {'yes' if as_expected else 'NO'}")
    print(f"{rate:.1f} messages/s with one worker (target ≥ {TARGET_PER_SECOND:.0f}): {verdict}")
    print(f"machine: {machine(connection.vendor)}; load average now: {load()}")
    return as_expected and duplicates_nothing and rate >= TARGET_PER_SECOND


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000, help="messages to ingest (default 1000)")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args()
    url: str | None = args.database_url
    if url:
        if not urlsplit(url).scheme.startswith("postgres"):
            raise SystemExit("--database-url takes a PostgreSQL URL; without it the bench uses a temporary SQLite file")
        if (urlsplit(url).hostname or "") not in ("127.0.0.1", "localhost", "::1", ""):
            raise SystemExit("the bench drops and creates its database: point it at a local PostgreSQL only")
        recreate_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="esm-bench-mail-"))
    try:
        from esm.mail.tests.dovecot import running_dovecot

        with running_dovecot() as server:
            setup_django(url, workdir, server.url(IMAP_USER, scheme="imaps", cafile=server.cafile))
            return 0 if bench(args, server) else 1
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if url and not args.keep:
            recreate_database(url, drop_only=True)
            print(f"dropped database {database_name(url)}")


if __name__ == "__main__":
    sys.exit(main())
