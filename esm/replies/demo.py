"""Demo data for canned replies and macros: shared Danish/English templates, a personal one, three macros.

`seed(now)` is idempotent: what exists (by name) is left alone. It expects the demo's
teams ("nord", "syd") and categories to exist (`esm/web/demo.py` creates them first);
steps whose team or category is missing are left out.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from esm.accounts.models import Team, User
from esm.cases.models import Category
from esm.replies.models import Macro, ReplyTemplate
from esm.replies.services import validate_template

SIGNATURE_DA = "\n\nVenlig hilsen\n{{tekniker}}\nDrift og Vedligehold"
SIGNATURE_EN = "\n\nKind regards\n{{technician}}\nOperations and Maintenance"

# (name, Danish text, English text)
SHARED_TEMPLATES: list[tuple[str, str, str]] = [
    (
        "Vi har modtaget din henvendelse",
        "Kære {{kundenavn}}\n\nTak for din henvendelse. Vi har registreret den som sag {{sagsnummer}} "
        "(“{{sagstitel}}”) på {{bygning}}, og en tekniker ser på den hurtigst muligt."
        "\n\nDu kan følge sagen i portalen og svare direkte på denne mail." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nThank you for your message. We have registered it as case {{case_number}} "
        "(“{{case_title}}”) at {{building}}, and a technician will look at it as soon as possible."
        "\n\nYou can follow the case in the portal and reply directly to this e-mail." + SIGNATURE_EN,
    ),
    (
        "Håndværker bestilt",
        "Kære {{kundenavn}}\n\nVi har nu bestilt en håndværker på rammeaftalen til sag {{sagsnummer}}. "
        "Håndværkeren kontakter jer for at aftale et tidspunkt, og vi forventer, at arbejdet er udført "
        "senest {{frist}}.\n\nSørg gerne for, at der er adgang til stedet." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nWe have ordered a contractor on the framework agreement for case "
        "{{case_number}}. The contractor will contact you to agree on a time, and we expect the work to be "
        "done by {{due_date}}.\n\nPlease make sure there is access to the site." + SIGNATURE_EN,
    ),
    (
        "Varmen er slukket om sommeren",
        "Kære {{kundenavn}}\n\nCentralvarmen på {{bygning}} er slukket i sommerperioden (1. maj – 30. september), "
        "som i alle kommunens bygninger. Radiatorerne er derfor kolde, uden at der er en fejl."
        "\n\nEr der særlige behov, fx i et lokale med sårbare brugere, så skriv til os på sag "
        "{{sagsnummer}}, så finder vi en løsning." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nThe central heating at {{building}} is switched off during the summer "
        "(1 May – 30 September), as in all the municipality's buildings. The radiators are cold, but "
        "nothing is broken.\n\nIf there are special needs, for example a room with vulnerable users, "
        "write to us on case {{case_number}} and we will find a solution." + SIGNATURE_EN,
    ),
    (
        "Afventer reservedel",
        "Kære {{kundenavn}}\n\nVi har fundet fejlen, men mangler en reservedel, som er bestilt hos "
        "leverandøren. Vi vender tilbage på sag {{sagsnummer}}, så snart den er kommet, og sætter den i."
        + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nWe have found the fault but need a spare part, which has been ordered from "
        "the supplier. We will get back to you on case {{case_number}} as soon as it arrives and fit it."
        + SIGNATURE_EN,
    ),
    (
        "Løst – tak for henvendelsen",
        "Kære {{kundenavn}}\n\nSag {{sagsnummer}} (“{{sagstitel}}”) er nu løst. Er problemet ikke væk, kan du "
        "genåbne sagen i portalen eller svare på denne mail inden for 14 dage.\n\nTak for henvendelsen." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nCase {{case_number}} (“{{case_title}}”) is now resolved. If the problem is "
        "not gone, you can reopen the case in the portal or reply to this e-mail within 14 days."
        "\n\nThank you for letting us know." + SIGNATURE_EN,
    ),
    (
        "Adgang til lokalet",
        "Kære {{kundenavn}}\n\nFor at løse sag {{sagsnummer}} skal vi have adgang til stedet på {{bygning}}. "
        "Skriv gerne, hvornår det passer, og hvor vi kan hente en nøgle." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nTo solve case {{case_number}} we need access to the site at {{building}}. "
        "Please let us know when it suits you and where we can pick up a key." + SIGNATURE_EN,
    ),
    (
        "Skadedyr – bekæmpelse bestilt",
        "Kære {{kundenavn}}\n\nVi har bestilt skadedyrsbekæmpelse til {{bygning}} (sag {{sagsnummer}}). "
        "Indtil da: hold fødevarer i lukkede beholdere, og rør ikke ved fælder eller gift." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nWe have ordered pest control for {{building}} (case {{case_number}}). "
        "Until then, keep food in closed containers and do not touch traps or bait." + SIGNATURE_EN,
    ),
    (
        "Sikret og afspærret",
        "Kære {{kundenavn}}\n\nVi har i dag ({{dato}}) sikret og afspærret stedet, så ingen kommer til skade. "
        "Den endelige reparation følger på sag {{sagsnummer}}." + SIGNATURE_DA,
        "Dear {{customer_name}}\n\nToday ({{today}}) we made the site safe and cordoned it off so nobody gets "
        "hurt. The final repair follows on case {{case_number}}." + SIGNATURE_EN,
    ),
]

PERSONAL_TEMPLATE = (
    "Jeg kommer forbi i dag",
    "Hej {{kundenavn}}\n\nJeg kommer forbi {{bygning}} i løbet af i dag ({{dato}}) og ser på sag "
    "{{sagsnummer}}. Ring gerne, hvis jeg skal hente en nøgle et bestemt sted.\n\nMvh {{tekniker}}",
    "Hi {{customer_name}}\n\nI will come by {{building}} today ({{today}}) to look at case {{case_number}}. "
    "Give me a call if I need to pick up a key somewhere.\n\nBest regards, {{technician}}",
)
DEMO_TECHNICIANS = ("tekniker", "ole")

# (name, reply template name or None, lifecycle action, category code, team code)
MACROS: list[tuple[str, str | None, str, str, str]] = [
    ("Bestil håndværker", "Håndværker bestilt", "wait_for_supplier", "", ""),
    ("Løst – lukket", "Løst – tak for henvendelsen", "resolve", "", ""),
    ("Send til VVS-teamet", None, "", "plumbing", "syd"),
]


def _template(name: str, body_da: str, body_en: str, owner: User | None, now: datetime) -> ReplyTemplate:
    existing = ReplyTemplate.objects.filter(name=name, owner=owner).first()
    if existing is not None:
        return existing
    values = validate_template(name=name, body_da=body_da, body_en=body_en, owner=owner, exclude=None)
    return ReplyTemplate.objects.create(owner=owner, created_at=now, updated_at=now, **values)


def seed(now: datetime) -> None:
    """Create the demo's templates and macros (idempotent)."""
    with transaction.atomic():
        by_name = {name: _template(name, da, en, None, now) for name, da, en in SHARED_TEMPLATES}
        technician = User.objects.filter(username__in=DEMO_TECHNICIANS).order_by("username").first()
        if technician is not None:
            _template(*PERSONAL_TEMPLATE, technician, now)
        for name, template_name, action, category_code, team_code in MACROS:
            if Macro.objects.filter(name=name, owner__isnull=True).exists():
                continue
            category = Category.objects.filter(code=category_code).first() if category_code else None
            team = Team.objects.filter(code=team_code).first() if team_code else None
            template = by_name.get(template_name) if template_name else None
            if not (template or action or category or team):
                continue
            Macro.objects.create(
                name=name,
                reply_template=template,
                action=action,
                category=category,
                team=team,
                created_at=now,
                updated_at=now,
            )
