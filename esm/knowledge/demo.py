"""Demo articles for the knowledge base, and a few weeks of portal counts so the desk's numbers aren't empty.

`seed(now)` is idempotent: articles are found by their address (slug) and left alone if present;
counts are written once per article (their sessions are fixed names).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from esm.accounts.models import Role, User
from esm.cases.models import Category
from esm.knowledge import services
from esm.knowledge.models import Article, Deflection, DeflectionKind, Visibility

# (slug, title_da, body_da, title_en, body_en, visibility, category codes, (suggested, opened, deflected))
ARTICLES: list[tuple[str, str, str, str, str, str, tuple[str, ...], tuple[int, int, int]]] = [
    (
        "varmen-er-slukket-om-sommeren",
        "Varmen er slukket om sommeren",
        "Centralvarmen i kommunens bygninger slukkes fra 15. maj til 15. september. "
        "Radiatorerne er derfor kolde om sommeren, også på kølige dage.\n\n"
        "Er det koldt i en længere periode, kan driften tænde varmen tidligere. Skriv i så fald en anmeldelse "
        "med bygning og lokale.\n\n"
        "- Varmt vand i hanerne virker hele året.\n"
        "- Ventilationen kører som normalt.",
        "The heating is off during the summer",
        "The central heating in the municipality's buildings is off from 15 May to 15 September, so the "
        "radiators are cold in the summer, even on cool days.\n\n"
        "If it stays cold for a long time, the operations team can turn the heating on earlier. Report it with "
        "the building and the room.\n\n"
        "- Hot water in the taps works all year.\n"
        "- The ventilation runs as usual.",
        Visibility.PUBLIC,
        ("heating",),
        (64, 31, 22),
    ),
    (
        "sadan-bestiller-du-nogler-og-noglebrikker",
        "Sådan bestiller du nøgler og nøglebrikker",
        "Nøgler og nøglebrikker bestilles af institutionens leder eller den, lederen har givet lov.\n\n"
        "- Skriv hvilken dør eller hvilket område nøglen skal passe til.\n"
        "- Skriv hvem nøglen eller brikken er til.\n"
        "- Nøglebrikker er klar efter 2 arbejdsdage, systemnøgler efter ca. 3 uger.\n\n"
        "Mistede nøgler skal altid meldes, så låsen kan vurderes.",
        "How to order keys and key fobs",
        "Keys and key fobs are ordered by the head of the institution or someone they have allowed to.\n\n"
        "- Say which door or area the key is for.\n"
        "- Say who the key or fob is for.\n"
        "- Key fobs are ready after 2 working days, system keys after about 3 weeks.\n\n"
        "Lost keys must always be reported, so the lock can be assessed.",
        Visibility.PUBLIC,
        ("locks",),
        (41, 25, 12),
    ),
    (
        "tilstoppet-aflob-det-kan-du-selv-gore",
        "Tilstoppet afløb – det kan du selv gøre",
        "Løber vandet langsomt ud af en håndvask eller et gulvafløb, kan du ofte selv løse det:\n\n"
        "- Fjern hår og snavs fra risten.\n"
        "- Hæld en kande kogende vand i afløbet.\n"
        "- Brug en svupper, hvis der er en.\n\n"
        "Brug aldrig kemisk afløbsrens. Hjælper det ikke, eller lugter det af kloak, så anmeld det.",
        "Blocked drain – what you can do yourself",
        "If water drains slowly from a basin or a floor drain, you can often fix it yourself:\n\n"
        "- Remove hair and dirt from the grate.\n"
        "- Pour a kettle of boiling water into the drain.\n"
        "- Use a plunger if there is one.\n\n"
        "Never use chemical drain cleaner. If it does not help, or it smells of sewage, report it.",
        Visibility.PUBLIC,
        ("plumbing",),
        (37, 19, 9),
    ),
    (
        "fejlmelding-af-elevator",
        "Fejlmelding af elevator",
        "Sidder nogen fast i elevatoren, så tryk på alarmknappen i elevatoren. Alarmen går direkte til "
        "elevatorfirmaets døgnvagt.\n\n"
        "Står elevatoren stille uden at nogen sidder fast, så anmeld det her med bygning og hvilken elevator. "
        "Sæt et skilt på døren, hvis du kan.",
        "Reporting a lift failure",
        "If someone is stuck in the lift, press the alarm button in the lift. The alarm goes straight to the "
        "lift company's 24-hour service.\n\n"
        "If the lift has stopped and nobody is stuck, report it here with the building and which lift. "
        "Put a sign on the door if you can.",
        Visibility.PUBLIC,
        ("electrical",),
        (18, 9, 2),
    ),
    (
        "affaldssortering-og-storskrald",
        "Affaldssortering og storskrald",
        "Affald sorteres i restaffald, papir, pap, plast, metal, glas og madaffald.\n\n"
        "Storskrald (møbler, hårde hvidevarer) hentes efter aftale. Stil det ikke i gården, men bestil "
        "afhentning hos servicemedarbejderen.\n\n"
        "Fyldte containere tømmes efter fast plan; er de fyldt før tiden, så anmeld det.",
        "Waste sorting and bulky waste",
        "Waste is sorted into residual waste, paper, cardboard, plastic, metal, glass and food waste.\n\n"
        "Bulky waste (furniture, large appliances) is collected by appointment. Don't leave it in the yard; "
        "book a collection with the caretaker.\n\n"
        "Full containers are emptied on a fixed schedule; if they are full early, report it.",
        Visibility.PUBLIC,
        ("cleaning", "outdoor"),
        (22, 10, 6),
    ),
    (
        "kolde-radiatorer-om-vinteren",
        "Kolde radiatorer om vinteren",
        "Er en radiator kold, mens de andre er varme:\n\n"
        "- Tjek at termostaten er skruet op (3 svarer til ca. 20 grader).\n"
        "- Fjern gardiner og møbler foran radiatoren.\n"
        "- Vent en time efter du har skruet op.\n\n"
        "Er den stadig kold, så anmeld det med lokalenummer.",
        "Cold radiators in winter",
        "If one radiator is cold while the others are warm:\n\n"
        "- Check that the thermostat is turned up (3 is about 20 degrees).\n"
        "- Move curtains and furniture away from the radiator.\n"
        "- Wait an hour after turning it up.\n\n"
        "If it is still cold, report it with the room number.",
        Visibility.PUBLIC,
        ("heating",),
        (29, 14, 5),
    ),
    (
        "sprunget-sikring-eller-hpfi-relae",
        "Sprunget sikring eller HPFI-relæ",
        "Går strømmen i et lokale, er det ofte en sikring eller et HPFI-relæ, der er slået fra.\n\n"
        "Tavlen må kun betjenes af personale, der har fået lov. Træk stikket ud af det apparat, der blev "
        "tændt sidst, og anmeld fejlen, hvis strømmen ikke kan slås til igen.",
        "Blown fuse or RCD tripped",
        "If the power goes in a room, a fuse or an RCD has often tripped.\n\n"
        "Only staff who are allowed to may operate the panel. Unplug the appliance that was switched on last, "
        "and report the fault if the power cannot be switched back on.",
        Visibility.PUBLIC,
        ("electrical",),
        (15, 6, 3),
    ),
    (
        "skadedyr-mus-og-rotter",
        "Mus og rotter – hvad gør jeg?",
        "Ser du rotter, skal det anmeldes med det samme – kommunen har pligt til at bekæmpe dem.\n\n"
        "Mus: fjern madrester, luk affaldsspande og anmeld det, så skadedyrsfirmaet kan sætte fælder op.",
        "Mice and rats – what should I do?",
        "If you see rats, report it at once – the municipality must fight them.\n\n"
        "Mice: remove food, close the bins and report it, so the pest control company can set traps.",
        Visibility.PUBLIC,
        ("pests",),
        (11, 7, 1),
    ),
    (
        "adgang-til-fjernvarmeunit",
        "Adgang til fjernvarmeunit",
        "Fjernvarmeunitterne står i teknikrum, der er låst med systemnøgle T-14. Nøglen hentes i nøgleskabet "
        "på driftskontoret og kvitteres i nøgleloggen.\n\n"
        "- Luk aldrig for hovedhanerne uden aftale med forsyningen.\n"
        "- Aflæs måleren før og efter indgreb, og skriv tallene i sagen.",
        "",
        "",
        Visibility.INTERNAL,
        ("heating",),
        (0, 0, 0),
    ),
    (
        "standardsvar-ruder-og-glasskar",
        "Standardsvar: knust rude og glasskår",
        "Tak for din anmeldelse. Vi sender en glarmester hurtigst muligt. Indtil da: hold området afspærret, "
        "fej glasskår op med handsker, og sæt pap for ruden, hvis det regner ind.",
        "",
        "",
        Visibility.INTERNAL,
        ("glass",),
        (0, 0, 0),
    ),
]


def _author() -> User | None:
    for username in ("hanne", "ole", "admin"):
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_handler:
            return user
    return User.objects.filter(role__in=[Role.TEAM_LEAD, Role.TECHNICIAN, Role.ADMINISTRATOR], is_active=True).first()


def seed(now: datetime) -> None:
    author = _author()
    if author is None:
        return
    known = set(Category.objects.values_list("code", flat=True))
    for index, (slug, title_da, body_da, title_en, body_en, visibility, codes, counts) in enumerate(ARTICLES):
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            written = now - timedelta(days=90 - index * 3)
            article = services.create_article(
                author,
                title_da=title_da,
                body_da=body_da,
                title_en=title_en,
                body_en=body_en,
                visibility=visibility,
                is_published=True,
                categories=[code for code in codes if code in known],
                now=written,
            )
            if article.slug != slug:
                Article.objects.filter(pk=article.pk).update(slug=slug)
                article.slug = slug
        if visibility != Visibility.PUBLIC or article.deflections.exists():
            continue
        rows = []
        for kind, total in zip(
            (DeflectionKind.SUGGESTED, DeflectionKind.OPENED, DeflectionKind.DEFLECTED), counts, strict=True
        ):
            for n in range(total):
                rows.append(
                    Deflection(
                        article=article,
                        kind=kind,
                        session=f"demo-{slug[:40]}-{n}",
                        query=title_da.split()[0].lower(),
                        created_at=now - timedelta(days=n % 60, hours=n % 9),
                    )
                )
        Deflection.objects.bulk_create(rows, ignore_conflicts=True)
