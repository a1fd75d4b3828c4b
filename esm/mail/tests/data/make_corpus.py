# ruff: noqa: E501 -- raw MIME literals read best one header or body line to a source line
"""Writes the e-mail test corpus (*.eml) and its manifest (expected.json) into this folder.

Run `python esm/mail/tests/data/make_corpus.py` after changing it; the .eml files are checked in so the corpus is
fixed. Expectations are written here by hand next to each message — they are never taken from the parser's output.

Manifest keys (all optional): kind, from, subject, subject_contains, case_numbers, attachments (count),
attachment_names, inline_attachments, tnef_attachments, message_attachments, in_reply_to (bool), references (count),
message_id, text_contains / text_excludes (str or list), html_contains / html_excludes, html_empty,
new_part_contains / new_part_excludes, bounced_message_ids, bounced_recipients, defects (bool), date (ISO, UTC) or
date_is_none, to_count, cc_count, reply_to, auto_response_suppress, kind_reason_contains, unparseable, and
ingest: what the ingestion service does with it when no case exists (see README.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import quopri
import struct
from email.header import Header
from pathlib import Path

HERE = Path(__file__).resolve().parent
HELPDESK = "helpdesk@ejendomme.kk.dk"
OUR_ID = "esm.S-2026-000123.42@ejendomme.kk.dk"
BOUNCED_ID = "esm.S-2026-000001.42@ejendomme.kk.dk"

corpus: dict[str, bytes] = {}
expected: dict[str, dict[str, object]] = {}


def add(name: str, raw: bytes | str, crlf: bool = False, **expect: object) -> None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert name not in corpus, name
    corpus[name] = data
    expected[name] = expect


def b64(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def blob(seed: str, size: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + blob("pdf", 600) + b"\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + blob("jpeg", 900) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + blob("png", 300)
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + blob("docx", 800)

WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" \
xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)"><style><!--
/* Font Definitions */
@font-face
\t{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;}
span.EmailStyle18
\t{mso-style-type:personal-reply;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--></head><body lang="DA" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
"""
WORD_TAIL = "</div>\n</body>\n</html>\n"


def word_html(paragraphs: list[str], quoted_block: str = "") -> str:
    body = "".join(f'<p class="MsoNormal">{p}<o:p></o:p></p>\n' for p in paragraphs)
    return WORD_HEAD + body + quoted_block + WORD_TAIL


def headers(*pairs: tuple[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in pairs)


def simple(
    extra: list[tuple[str, str]],
    body: str,
    *,
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    ctype: str = "text/plain",
) -> str:
    encoded = qp(body, charset) if cte == "quoted-printable" else body
    return (
        headers(*extra)
        + f'MIME-Version: 1.0\nContent-Type: {ctype}; charset="{charset}"\nContent-Transfer-Encoding: {cte}\n\n'
        + encoded
    )


def std(
    sender: str,
    subject: str,
    msgid: str,
    date: str = "Tue, 03 Nov 2026 10:12:44 +0100",
    to: str = f"ESM Helpdesk <{HELPDESK}>",
) -> list[tuple[str, str]]:
    return [("From", sender), ("To", to), ("Subject", subject), ("Date", date), ("Message-ID", f"<{msgid}>")]


# --- people writing to the helpdesk ----------------------------------------------------------------------------

add(
    "plain-new-request.eml",
    simple(
        [
            *std("Lise Hansen <lise.hansen@skole.kk.dk>", "Knust rude i gymnastiksalen", "a1b2c3@skole.kk.dk"),
            ("X-Mailer", "Microsoft Outlook 16.0"),
        ],
        "Hej\n\nDer er en knust rude i gymnastiksalen på Ørestad Skole, vinduet mod skolegården.\n"
        "Glasset ligger på gulvet, så salen er lukket indtil videre.\n\nMed venlig hilsen\nLise Hansen\n"
        "Lærer, Ørestad Skole\n",
    ),
    kind="normal",
    from_="lise.hansen@skole.kk.dk",
    subject="Knust rude i gymnastiksalen",
    text_contains=["knust rude i gymnastiksalen på Ørestad Skole", "Med venlig hilsen"],
    attachments=0,
    in_reply_to=False,
    message_id="a1b2c3@skole.kk.dk",
    date="2026-11-03T09:12:44+00:00",
    defects=False,
    case_numbers=[],
    auto_response_suppress=False,
    html_empty=True,
    ingest="created",
)

OUTLOOK_NEW_HTML = word_html(
    [
        "Hej helpdesk",
        "&nbsp;",
        "Varmen virker ikke i lokale 2.14 p&aring; R&aring;dhuset. Radiatorerne er kolde, og der er 16 grader.",
        "Kan I sende en tekniker i dag?",
        "&nbsp;",
        "Venlig hilsen",
        "<b>Peter Nielsen</b>",
        "Fuldmægtig | Københavns Kommune, Økonomiforvaltningen",
    ]
)
OUTLOOK_NEW_TEXT = (
    "Hej helpdesk\n\nVarmen virker ikke i lokale 2.14 på Rådhuset. Radiatorerne er kolde, og der er 16 grader.\n"
    "Kan I sende en tekniker i dag?\n\nVenlig hilsen\nPeter Nielsen\nFuldmægtig | Københavns Kommune, "
    "Økonomiforvaltningen\n"
)
add(
    "outlook-html-new.eml",
    headers(
        *std(
            "Peter Nielsen <PENI@kk.dk>",
            "Varmen virker ikke i lokale 2.14",
            "DB9PR03MB7324A1B2@DB9PR03MB7324.eurprd03.prod.outlook.com",
        ),
        ("Thread-Topic", "Varmen virker ikke i lokale 2.14"),
        ("Thread-Index", "AdsN7xQ2m1p3k4l5m6n7o8p9q0=="),
        ("Accept-Language", "da-DK, en-US"),
        ("Content-Language", "da-DK"),
        ("X-MS-Has-Attach", ""),
        ("X-Mailer", "Microsoft Outlook 16.0"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/alternative;\n\tboundary="_000_DB9PR03MB7324A1B2_"\n\n'
    '--_000_DB9PR03MB7324A1B2_\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
    + b64(OUTLOOK_NEW_TEXT.encode())
    + "\n\n"
    '--_000_DB9PR03MB7324A1B2_\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(OUTLOOK_NEW_HTML)
    + "\n--_000_DB9PR03MB7324A1B2_--\n",
    crlf=True,
    kind="normal",
    from_="peni@kk.dk",
    subject="Varmen virker ikke i lokale 2.14",
    text_contains="lokale 2.14 på Rådhuset",
    html_contains="Radiatorerne er kolde",
    html_excludes=["<style", 'font-family:"Cambria', "<o:p>", "mso 9"],
    attachments=0,
    ingest="created",
)

QUOTE_TEXT = (
    "Kære Lise Hansen\n\nVi har modtaget din henvendelse og oprettet sag S-2026-000123.\n\n"
    "Med venlig hilsen\nEjendomsservice, Københavns Ejendomme\n"
)
add(
    "outlook-html-reply.eml",
    headers(
        *std(
            "Lise Hansen <lise.hansen@skole.kk.dk>",
            "RE: [S-2026-000123] Knust rude",
            "VI1PR09MB4321C0FFEE@VI1PR09MB4321.eurprd09.prod.outlook.com",
            "Wed, 04 Nov 2026 08:03:10 +0000",
        ),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("References", f"<esm.S-2026-000123.1@ejendomme.kk.dk> <{OUR_ID}>"),
        ("X-Mailer", "Microsoft Outlook 16.0"),
        ("X-MS-Has-Attach", "yes"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary="_004_VI1PR09MB4321_"\n\n'
    '--_004_VI1PR09MB4321_\nContent-Type: multipart/alternative;\n\tboundary="_000_VI1PR09MB4321_"\n\n'
    '--_000_VI1PR09MB4321_\nContent-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Hej\n\nGlarmesteren har været her i morges og har målt op. Tilbuddet er vedhæftet.\n\n"
        "Mvh Lise\n\n-----Original Message-----\nFrom: ESM Helpdesk <helpdesk@ejendomme.kk.dk>\n"
        "Sent: Tuesday, November 3, 2026 10:15 AM\nTo: Lise Hansen <lise.hansen@skole.kk.dk>\n"
        "Subject: [S-2026-000123] Knust rude\n\n" + QUOTE_TEXT,
        "iso-8859-1",
    )
    + '\n--_000_VI1PR09MB4321_\nContent-Type: text/html; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        word_html(
            [
                "Hej",
                "&nbsp;",
                "Glarmesteren har v&aelig;ret her i morges og har m&aring;lt op. Tilbuddet er vedh&aelig;ftet.",
                "&nbsp;",
                "Mvh Lise",
            ],
            '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            '<p class="MsoNormal">-----Original Message-----<br><b>From:</b> ESM Helpdesk &lt;helpdesk@ejendomme.kk.dk&gt;'
            "<br><b>Sent:</b> Tuesday, November 3, 2026 10:15 AM<br><b>To:</b> Lise Hansen<br>"
            "<b>Subject:</b> [S-2026-000123] Knust rude</p></div></div>"
            '<p class="MsoNormal">Kære Lise Hansen</p>',
        ).replace("charset=utf-8", "charset=iso-8859-1"),
        "iso-8859-1",
    )
    + "\n--_000_VI1PR09MB4321_--\n\n"
    '--_004_VI1PR09MB4321_\nContent-Type: application/pdf; name="Tilbud glas.pdf"\n'
    'Content-Description: Tilbud glas.pdf\nContent-Disposition: attachment; filename="Tilbud glas.pdf"; size='
    + str(len(PDF))
    + "\n"
    "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "\n\n--_004_VI1PR09MB4321_--\n",
    crlf=True,
    kind="normal",
    from_="lise.hansen@skole.kk.dk",
    subject_contains="Knust rude",
    case_numbers=["S-2026-000123"],
    attachments=1,
    attachment_names=["Tilbud glas.pdf"],
    in_reply_to=True,
    references=2,
    text_contains="Glarmesteren har været her",
    new_part_contains="Tilbuddet er vedhæftet",
    new_part_excludes=["Original Message", "oprettet sag"],
    ingest="created",
)

add(
    "outlook-danish-reply.eml",
    headers(
        *std(
            '"Jensen, Mette" <METJ@kk.dk>',
            "SV: [S-2026-000123] Knust rude",
            "AM0PR07MB55550D9A@AM0PR07MB5555.eurprd07.prod.outlook.com",
            "Wed, 04 Nov 2026 11:40:00 +0100",
        ),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("References", f"<{OUR_ID}>"),
        ("Thread-Topic", "[S-2026-000123] Knust rude"),
    )
    + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Hej\n\nRuden skal være sikkerhedsglas, husk det ved bestillingen.\n\nVenlig hilsen\n\nMette Jensen\n"
        "Afdelingsleder\n\n________________________________\nFra: ESM Helpdesk <helpdesk@ejendomme.kk.dk>\n"
        "Sendt: 3. november 2026 10:15\nTil: Jensen, Mette <METJ@kk.dk>\nEmne: [S-2026-000123] Knust rude\n\n"
        + QUOTE_TEXT
    ),
    crlf=True,
    kind="normal",
    from_="metj@kk.dk",
    case_numbers=["S-2026-000123"],
    in_reply_to=True,
    new_part_contains="sikkerhedsglas",
    new_part_excludes=["Sendt:", "oprettet sag"],
    ingest="created",
)

GMAIL_QUOTE = "\n".join("> " + line if line else ">" for line in QUOTE_TEXT.splitlines())
add(
    "gmail-reply-danish.eml",
    headers(
        ("MIME-Version", "1.0"),
        ("References", f"<esm.S-2026-000123.1@ejendomme.kk.dk>\n <{OUR_ID}>"),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("From", "Jonas Kristensen <jonas.kristensen1987@gmail.com>"),
        ("Date", "Tue, 3 Nov 2026 11:02:31 +0100"),
        ("Message-ID", "<CAH7pZ2x5kq+VbN0fJ3WgZ1aY8dL2mQ@mail.gmail.com>"),
        ("Subject", "Re: [S-2026-000123] Knust rude"),
        ("To", f"ESM Helpdesk <{HELPDESK}>"),
    )
    + 'Content-Type: multipart/alternative; boundary="000000000000a1b2c305f0d7e8f9"\n\n'
    '--000000000000a1b2c305f0d7e8f9\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Tak. Jeg er hjemme hele torsdag, så glarmesteren kan bare ringe på.\n\nHilsen Jonas\n\n"
        "Den tir. 3. nov. 2026 kl. 10.12 skrev ESM Helpdesk <helpdesk@ejendomme.kk.dk>:\n\n" + GMAIL_QUOTE + "\n"
    )
    + '\n--000000000000a1b2c305f0d7e8f9\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        '<div dir="ltr">Tak. Jeg er hjemme hele torsdag, så glarmesteren kan bare ringe på.<div><br></div><div>Hilsen Jonas</div></div>'
        '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Den tir. 3. nov. 2026 kl. 10.12 skrev ESM Helpdesk &lt;'
        '<a href="mailto:helpdesk@ejendomme.kk.dk">helpdesk@ejendomme.kk.dk</a>&gt;:<br></div><blockquote class="gmail_quote" '
        'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Kære Lise Hansen<br><br>'
        "Vi har modtaget din henvendelse og oprettet sag S-2026-000123.</blockquote></div>\n"
    )
    + "\n--000000000000a1b2c305f0d7e8f9--\n",
    kind="normal",
    from_="jonas.kristensen1987@gmail.com",
    case_numbers=["S-2026-000123"],
    in_reply_to=True,
    references=2,
    new_part_contains="glarmesteren kan bare ringe på",
    new_part_excludes=["skrev ESM Helpdesk", "oprettet sag"],
    html_contains="gmail_quote",
    ingest="created",
)

add(
    "gmail-reply-wrapped-attribution.eml",
    headers(
        *std(
            "Amira Haddad <amira.haddad@gmail.com>",
            "Re: [S-2026-000088] Leaking tap in the kitchen",
            "CAF=3ntR9wq1@mail.gmail.com",
        ),
        ("In-Reply-To", "<esm.S-2026-000088.3@ejendomme.kk.dk>"),
    )
    + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="UTF-8"\n\n'
    "Thanks, Tuesday morning works for me. The tap is still dripping.\n\nAmira\n\n"
    "On Tue, Nov 3, 2026 at 10:12 AM ESM Helpdesk <\nhelpdesk@ejendomme.kk.dk> wrote:\n\n"
    "> Dear Amira Haddad,\n>\n> A technician can come on Tuesday between 8 and 12.\n>\n",
    kind="normal",
    from_="amira.haddad@gmail.com",
    case_numbers=["S-2026-000088"],
    in_reply_to=True,
    new_part_contains="Tuesday morning works",
    new_part_excludes=["wrote:", "A technician can come"],
    ingest="created",
)

APPLE_BODY = (
    "Hej igen\n\nDøren til cykelkælderen i opgang B kan ikke låses længere. Låsen drejer rundt uden at gribe \n"
    "fat, og der har været indbrud i to cykler i weekenden. Kan I skifte låsen hurtigst muligt?\n\n"
    "Sendt fra min iPhone\n\n"
    "Den 2. nov. 2026 kl. 21.47 skrev ESM Helpdesk <helpdesk@ejendomme.kk.dk>:\n\n"
    "> Tak for din henvendelse. Vi vender tilbage hurtigst muligt.\n"
)
add(
    "apple-mail-flowed.eml",
    headers(
        ("Content-Type", "text/plain;\n\tcharset=utf-8;\n\tformat=flowed"),
        ("Content-Transfer-Encoding", "quoted-printable"),
        ("Mime-Version", "1.0 (1.0)"),
        ("Subject", "=?utf-8?Q?Re:_D=C3=B8ren_til_cykelk=C3=A6lderen?="),
        ("From", "=?utf-8?Q?S=C3=B8ren_=C3=98stergaard?= <soeren.oestergaard@hotmail.dk>"),
        ("In-Reply-To", "<esm.S-2026-000140.2@ejendomme.kk.dk>"),
        ("Date", "Mon, 2 Nov 2026 22:05:13 +0100"),
        ("To", HELPDESK),
        ("Message-Id", "<7F3A2C11-5B9E-4E0C-9D57-2B6A1E0C9F44@hotmail.dk>"),
        ("X-Mailer", "iPhone Mail (21G93)"),
    )
    + "\n"
    + qp(APPLE_BODY),
    kind="normal",
    from_="soeren.oestergaard@hotmail.dk",
    from_name="Søren Østergaard",
    subject="Re: Døren til cykelkælderen",
    text_contains="Låsen drejer rundt uden at gribe fat, og der har været indbrud",
    new_part_contains="skifte låsen",
    new_part_excludes=["Sendt fra min iPhone", "Tak for din henvendelse"],
    ingest="created",
)

add(
    "thunderbird-flowed-delsp.eml",
    headers(
        *std(
            "Karen Vestergaard <karen@vestergaard-vvs.dk>",
            "Tilbud på udskiftning af faldstamme",
            "5e1c0f2a-4b7d@vestergaard-vvs.dk",
        ),
        ("User-Agent", "Mozilla Thunderbird"),
        ("Content-Language", "da"),
    )
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8; format=flowed; delsp=yes\nContent-Transfer-Encoding: 8bit\n\n"
    "Hej\n\nVi kan udskifte faldstammen i opgang 3 i uge 47. Prisen er 48.500 kr. ek= \nskl. moms, og arbejdet tager tre  \n"
    "dage.\n\n-- \nKaren Vestergaard\nVestergaard VVS ApS\n",
    kind="normal",
    from_="karen@vestergaard-vvs.dk",
    text_contains=["ek=skl. moms", "arbejdet tager tre dage"],
    new_part_excludes="Vestergaard VVS ApS",
    ingest="created",
)

add(
    "webmail-hotmail.eml",
    headers(
        *std(
            "Mads Poulsen <mads_1987@hotmail.dk>",
            "Skimmel i badeværelset",
            "AS8P250MB0123ABCD@AS8P250MB0123.EURP250.PROD.OUTLOOK.COM",
        ),
        ("Content-Language", "da-DK"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/alternative;\n\tboundary="_000_AS8P250MB0123_"\n\n'
    '--_000_AS8P250MB0123_\nContent-Type: text/plain; charset="Windows-1252"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Hej\n\nDer er kommet sort skimmel i loftet over bruseren. Lejlighed 4. th., Amagerbrogade 112.\n\n"
        "Mads\n\nHent Outlook til Android<https://aka.ms/AAb9ysg>\n",
        "cp1252",
    )
    + '\n--_000_AS8P250MB0123_\nContent-Type: text/html; charset="Windows-1252"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Windows-1252"></head><body>'
        '<div dir="auto">Hej</div><div dir="auto"><br></div><div dir="auto">Der er kommet sort skimmel i loftet over bruseren. '
        'Lejlighed 4. th., Amagerbrogade 112.</div><div dir="auto">Mads</div><div id="ms-outlook-mobile-signature">'
        '<div>Hent <a href="https://aka.ms/AAb9ysg">Outlook til Android</a></div></div></body></html>',
        "cp1252",
    )
    + "\n--_000_AS8P250MB0123_--\n",
    crlf=True,
    kind="normal",
    from_="mads_1987@hotmail.dk",
    text_contains="sort skimmel",
    new_part_excludes="Hent Outlook",
    ingest="created",
)

# --- charsets ----------------------------------------------------------------------------------------------------

add(
    "plain-iso-8859-1.eml",
    (
        headers(*std("Bent Mortensen <bent.mortensen@kk.dk>", "Affugter i kælderen", "20261103101500.4711@kk.dk"))
        + "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
    ).encode()
    + "Affugteren i kælderen under Nørrebro Bibliotek står og bipper. Vandbeholderen er fuld og låget er gået i stykker.\n"
    "Bent\n".encode("latin-1"),
    kind="normal",
    text_contains="kælderen under Nørrebro Bibliotek står",
    defects=False,
    ingest="created",
)

add(
    "cp1252-labelled-latin1.eml",
    (
        headers(*std("Hanne Lund <hanne.lund@skole.kk.dk>", "Pris på nye gardiner", "hl-20261103@skole.kk.dk"))
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: 8bit\n\n'
    ).encode()
    + "Leverandøren siger “ca. 4.200 €” – er det inkl. montering? Det står som ‘tilbud’ … \n".encode("cp1252"),
    kind="normal",
    text_contains=["“ca. 4.200 €” – er det inkl. montering?", "‘tilbud’ …"],
    text_excludes="\x93",
    ingest="created",
)

add(
    "utf8-undeclared.eml",
    (
        headers(*std("Ole Bach <ole.bach@gmail.com>", "Lys i trappeopgang", "CAOLE123bach@mail.gmail.com"))
        + "MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
    ).encode()
    + "Lyset på 3. sal i opgangen på Blågårdsgade virker ikke. Pæren er skiftet, så det må være ledningen.\n".encode(),
    kind="normal",
    text_contains="Lyset på 3. sal i opgangen på Blågårdsgade",
    defects=True,
    ingest="created",
)

add(
    "cp1252-undeclared.eml",
    headers(*std("birthe@kolonihave-valby.dk", "Storm har taget taget", "birthe.1103@kolonihave-valby.dk")).encode()
    + b"\n"
    + "Blæsten i nat har revet tagpappet af redskabsskuret ved fælleshuset. Vi skal have det lappet før weekenden.\n"
    "Hilsen Birthe Sørensen\n".encode("cp1252"),
    kind="normal",
    from_="birthe@kolonihave-valby.dk",
    text_contains=["Blæsten i nat", "Birthe Sørensen"],
    defects=True,
    ingest="created",
)

add(
    "koi8-r.eml",
    (
        headers(
            *std(
                "Ivan Petrov <ivan.petrov@byg-service.dk>",
                "=?koi8-r?B?" + base64.b64encode("Счёт 2231".encode("koi8-r")).decode() + "?=",
                "ivan-2231@byg-service.dk",
            )
        )
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="koi8-r"\nContent-Transfer-Encoding: 8bit\n\n'
    ).encode()
    + "Здравствуйте! Счёт за ремонт крыши во вложении.\nIvan\n".encode("koi8-r"),
    kind="normal",
    subject="Счёт 2231",
    text_contains="Здравствуйте! Счёт за ремонт крыши",
    defects=False,
    ingest="created",
)

add(
    "iso-2022-jp.eml",
    (
        headers(
            *std(
                "Tanaka Hiroshi <h.tanaka@example.co.jp>",
                "=?ISO-2022-JP?B?" + base64.b64encode("見積書の件".encode("iso-2022-jp")).decode() + "?=",
                "20261103.tanaka@example.co.jp",
            )
        )
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="ISO-2022-JP"\nContent-Transfer-Encoding: 7bit\n\n'
    ).encode()
    + "お世話になっております。見積書を添付します。\n".encode("iso-2022-jp"),
    kind="normal",
    subject="見積書の件",
    text_contains="見積書を添付します",
    ingest="created",
)

add(
    "unknown-charset.eml",
    (
        headers(*std("Per Holm <per.holm@kk.dk>", "=?x-elbonian?Q?Vinduesplads?=", "perholm.77@kk.dk"))
        + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="x-elbonian-7"\nContent-Transfer-Encoding: 8bit\n\n'
    ).encode()
    + "Vinduet på kontoret i Kløvermarken kan ikke lukkes.\n".encode(),
    kind="normal",
    subject="Vinduesplads",
    text_contains="Vinduet på kontoret i Kløvermarken",
    defects=True,
    ingest="created",
)

add(
    "encoded-word-b-subject.eml",
    simple(
        std(
            "=?UTF-8?B?U8O4cmVuIMOGcsO4?= <soeren.aeroe@kk.dk>",
            "=?UTF-8?B?VmFuZHNrYWRlIGkga8OmbGRlcmVuIHDDpSDDmHJlc3RhZCBTa29sZQ==?=",
            "b64subj.1@kk.dk",
        ),
        "Der står 10 cm vand i kælderen.\n",
    ),
    kind="normal",
    from_name="Søren Ærø",
    subject="Vandskade i kælderen på Ørestad Skole",
    defects=False,
    ingest="created",
)

add(
    "encoded-word-split-utf8.eml",
    # "Køkkenvask" with the two bytes of "ø" split over two encoded-words, as some mailers fold.
    simple(
        std(
            "Anne Dahl <anne.dahl@kk.dk>", "=?utf-8?Q?K=C3?=\n =?utf-8?Q?=B8kkenvask_stoppet_til?=", "annedahl.3@kk.dk"
        ),
        "Vasken i personalekøkkenet er stoppet.\n",
    ),
    kind="normal",
    subject="Køkkenvask stoppet til",
    ingest="created",
)

add(
    "broken-encoded-words.eml",
    simple(
        [
            ("From", "=?utf-8?Q?J=F8rgen_Friis?= <jorgen.friis@glarmester-hansen.dk>"),
            ("To", HELPDESK),
            ("Subject", "Problem med =?iso-8859-1?Q?K=F8kken?=vask og =?utf-8?Q?d=C3=B8r"),
            ("Date", "Tue, 03 Nov 2026 14:00:00 +0100"),
            ("Message-ID", "<broken-ew.1@glarmester-hansen.dk>"),
        ],
        "Se emnet.\n",
    ),
    kind="normal",
    from_="jorgen.friis@glarmester-hansen.dk",
    from_name="Jørgen Friis",
    subject_contains=["Køkken", "dør"],
    subject_excludes="=?",
    defects=True,
    ingest="created",
)

add(
    "raw-8bit-headers.eml",
    (
        "From: Thomas Bækgaard <thomas.baekgaard@outlook.dk>\nTo: helpdesk@ejendomme.kk.dk\n"
        "Subject: Utæt tag på Amager Strandvej 20\nDate: Tue, 03 Nov 2026 09:00:00 +0100\nMessage-ID: <raw8bit.1@outlook.dk>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "Det drypper fra loftet i gangen.\n"
    ).encode(),
    kind="normal",
    from_="thomas.baekgaard@outlook.dk",
    from_name="Thomas Bækgaard",
    subject="Utæt tag på Amager Strandvej 20",
    ingest="created",
)

_bad_b64 = (
    base64.b64encode("Elevatoren på Sundholmsvej 8 står stille mellem 2. og 3. sal. Ingen er fanget.\n".encode())
    .decode()
    .rstrip("=")
)
add(
    "base64-bad-padding.eml",
    headers(*std("Maja Friis <maja.friis@kk.dk>", "Elevator i stykker", "majafriis.8@kk.dk"))
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
    + _bad_b64[:40]
    + "\n"
    + _bad_b64[40:]
    + "\n",
    kind="normal",
    text_contains="Elevatoren på Sundholmsvej 8 står stille",
    ingest="created",
)

add(
    "qp-soft-breaks.eml",
    headers(*std("Niels Kjær <niels.kjaer@kk.dk>", "Lang beskrivelse af fugtproblem", "nk.qp@kk.dk"))
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    "Fugten i v=C3=A6ggen mod g=C3=A5rden er blevet v=C3=A6rre efter regnvejret, og m=\n"
    "alingen skaller af i et omr=C3=A5de p=C3=A5 ca. 2 x 3 meter. M=C3=A5ling: fugt=3D=\n"
    "24 %.\n",
    kind="normal",
    text_contains=["efter regnvejret, og malingen skaller", "fugt=24 %"],
    ingest="created",
)

# --- attachments ---------------------------------------------------------------------------------------------------

add(
    "attachment-pdf-rfc2231.eml",
    headers(
        *std(
            "Glarmester Hansen <tilbud@glarmester-hansen.dk>",
            "Tilbud på glas til Ørestad Skole",
            "tilbud-4471@glarmester-hansen.dk",
        )
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="----=_Part_101_2026"\n\n'
    "This is a multi-part message in MIME format.\n\n------=_Part_101_2026\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\nHermed tilbud som aftalt.\n\nGlarmester Hansen ApS\n\n"
    "------=_Part_101_2026\nContent-Type: application/pdf\n"
    "Content-Disposition: attachment;\n filename*=UTF-8''tilbud%20p%C3%A5%20glas%20%C3%98restad.pdf\n"
    "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "\n------=_Part_101_2026--\n",
    kind="normal",
    attachments=1,
    attachment_names=["tilbud på glas Ørestad.pdf"],
    text_contains="Hermed tilbud",
    ingest="created",
)

add(
    "attachment-jpeg-docx.eml",
    headers(
        *std(
            "Lise Hansen <lise.hansen@skole.kk.dk>",
            "Billeder af vandskaden",
            "AM9PR01MB6789AA@AM9PR01MB6789.eurprd01.prod.outlook.com",
        )
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary="_006_AM9PR01MB6789_"\n\n'
    '--_006_AM9PR01MB6789_\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
    + b64(b"Hej\n\nHer er billeder og rapporten fra pedellen.\n\nLise\n")
    + "\n\n"
    '--_006_AM9PR01MB6789_\nContent-Type: image/jpeg; name="=?utf-8?Q?billede_af_r=C3=B8r.jpg?="\n'
    "Content-Description: =?utf-8?Q?billede_af_r=C3=B8r.jpg?=\n"
    'Content-Disposition: attachment; filename="=?utf-8?Q?billede_af_r=C3=B8r.jpg?="; size=921\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(JPEG) + "\n\n"
    "--_006_AM9PR01MB6789_\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\n"
    '\tname="Rapport vandskade.docx"\nContent-Disposition: attachment; filename="Rapport vandskade.docx"\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(DOCX) + "\n\n--_006_AM9PR01MB6789_--\n",
    crlf=True,
    kind="normal",
    attachments=2,
    attachment_names=["billede af rør.jpg", "Rapport vandskade.docx"],
    ingest="created",
)

add(
    "attachment-unsafe-names.eml",
    headers(*std("Kim Larsen <kim.larsen@gmail.com>", "Filer", "kimlarsen.files@mail.gmail.com"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
    "--b1\nContent-Type: text/plain; charset=utf-8\n\nTo filer.\n"
    '--b1\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="..\\\\..\\\\Windows\\\\system32\\\\evil.exe"\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(b"MZ" + blob("exe", 64)) + "\n"
    "--b1\nContent-Type: application/pdf\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n"
    + b64(PDF)
    + "\n"
    '--b1\nContent-Type: text/plain\nContent-Disposition: attachment; filename="../../etc/passwd"\n\nroot:x:0:0\n'
    "--b1--\n",
    kind="normal",
    attachments=3,
    attachment_names=["evil.exe", "attachment-2.pdf", "passwd"],
    text_contains="To filer.",
    text_excludes="root:x",
    ingest="created",
)

add(
    "inline-cid-image.eml",
    headers(
        *std(
            "Peter Nielsen <PENI@kk.dk>", "Revne i facaden", "DB9PR03MB7324CID1@DB9PR03MB7324.eurprd03.prod.outlook.com"
        )
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/related;\n\tboundary="_007_DB9PR03MB7324_";\n\ttype="multipart/alternative"\n\n'
    '--_007_DB9PR03MB7324_\nContent-Type: multipart/alternative;\n\tboundary="_000_DB9PR03MB7324_"\n\n'
    '--_000_DB9PR03MB7324_\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp("Se revnen her:\n\n[cid:image001.png@01DB2E5A.4C3F7A10]\n\nPeter\n")
    + '\n--_000_DB9PR03MB7324_\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        word_html(
            [
                "Se revnen her:",
                '<img width="400" height="300" id="Billede_x0020_1" src="cid:image001.png@01DB2E5A.4C3F7A10">',
                "Peter",
            ]
        )
    )
    + "\n--_000_DB9PR03MB7324_--\n\n"
    '--_007_DB9PR03MB7324_\nContent-Type: image/png; name="image001.png"\nContent-Description: image001.png\n'
    'Content-Disposition: inline; filename="image001.png"; size=315\nContent-ID: <image001.png@01DB2E5A.4C3F7A10>\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(PNG) + "\n\n--_007_DB9PR03MB7324_--\n",
    crlf=True,
    kind="normal",
    attachments=1,
    inline_attachments=1,
    attachment_names=["image001.png"],
    html_contains="cid:image001.png@01DB2E5A.4C3F7A10",
    ingest="created",
)

add(
    "inline-cid-disposition-attachment.eml",
    # Some Outlook versions mark the pasted picture as an attachment although the HTML shows it by cid.
    headers(*std("Rikke Olsen <rikke.olsen@kk.dk>", "Skilt faldet ned", "rikke.cid.2@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="rel"\n\n'
    '--rel\nContent-Type: text/html; charset=utf-8\n\n<p>Skiltet ved indgangen:</p><p><img src="cid:skilt@kk.dk"></p>\n'
    '--rel\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename="skilt.jpg"\nContent-ID: <skilt@kk.dk>\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(JPEG) + "\n--rel--\n",
    kind="normal",
    attachments=1,
    inline_attachments=1,
    text_contains="Skiltet ved indgangen",
    html_contains="cid:skilt@kk.dk",
    ingest="created",
)

FORWARDED = (
    "From: Henrik Mikkelsen <henrik.mikkelsen@gmail.com>\nTo: Lise Hansen <lise.hansen@skole.kk.dk>\n"
    "Subject: Vandskade i klasselokale 12\nDate: Sun, 01 Nov 2026 19:22:03 +0100\nMessage-ID: <CAHM0001@mail.gmail.com>\n"
    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    "Hej Lise\n\nDer drypper vand ned fra loftet i klasselokale 12. Spanden er fuld.\n\nHenrik (forælder i 4.B)\n"
)
add(
    "forwarded-rfc822.eml",
    headers(
        *std("Lise Hansen <lise.hansen@skole.kk.dk>", "Fwd: Vandskade i klasselokale 12", "fwd-att.77@skole.kk.dk"),
        ("User-Agent", "Mozilla Thunderbird"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="------------fw1"\n\n'
    "--------------fw1\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
    "Til orientering – se forælderens mail.\n\n"
    '--------------fw1\nContent-Type: message/rfc822; name="Vandskade i klasselokale 12.eml"\n'
    'Content-Disposition: attachment; filename="Vandskade i klasselokale 12.eml"\n\n'
    + FORWARDED
    + "\n--------------fw1--\n",
    kind="normal",
    attachments=1,
    message_attachments=1,
    attachment_names=["Vandskade i klasselokale 12.eml"],
    text_contains="Til orientering",
    text_excludes="Spanden er fuld",
    ingest="created",
)

add(
    "forwarded-rfc822-base64.eml",
    headers(*std("Peter Nielsen <PENI@kk.dk>", "VS: Vandskade i klasselokale 12", "fwd-b64.1@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="fw2"\n\n'
    "--fw2\nContent-Type: text/plain; charset=utf-8\n\nVedhæftet.\n"
    "--fw2\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment\n\n"
    + b64(FORWARDED.encode())
    + "\n--fw2--\n",
    kind="normal",
    attachments=1,
    message_attachments=1,
    attachment_names=["Vandskade i klasselokale 12.eml"],
    ingest="created",
)

add(
    "forwarded-inline-gmail.eml",
    headers(
        *std(
            "Lise Hansen <lise.hansen.privat@gmail.com>",
            "Fwd: Vandskade i klasselokale 12",
            "CALH0042fwd@mail.gmail.com",
        )
    )
    + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp(
        "Kan I se på det her?\n\n---------- Forwarded message ---------\nFra: Henrik Mikkelsen <henrik.mikkelsen@gmail.com>\n"
        "Date: søn. 1. nov. 2026 kl. 19.22\nSubject: Vandskade i klasselokale 12\nTo: Lise Hansen <lise.hansen@skole.kk.dk>\n\n\n"
        "Hej Lise\n\nDer drypper vand ned fra loftet i klasselokale 12. Spanden er fuld.\n"
    ),
    kind="normal",
    subject="Fwd: Vandskade i klasselokale 12",
    text_contains=["Forwarded message", "Spanden er fuld"],
    new_part_contains=["Kan I se på det her?", "Spanden er fuld"],
    attachments=0,
    ingest="created",
)

add(
    "forwarded-inline-danish.eml",
    headers(*std("Ida Winther <idwi@kk.dk>", "VS: Rotter i gården", "idwi.vs@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
    "Videresendes til rette sted.\n\nStart på videresendt besked:\n\n> Fra: Beboerforeningen <bestyrelsen@ab-soebakken.dk>\n"
    "> Emne: Rotter i gården\n> Dato: 2. november 2026 kl. 08.15.11 CET\n> Til: Ida Winther <idwi@kk.dk>\n>\n"
    "> Der er set rotter ved containerne i gården i Søbakken 14.\n",
    kind="normal",
    text_contains="rotter ved containerne",
    new_part_contains=["Videresendes til rette sted", "rotter ved containerne"],
    ingest="created",
)


def tnef_attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def tnef(files: list[tuple[str, bytes]], body: bytes) -> bytes:
    """A small but valid TNEF stream (MS-OXTNEF): version, code page, message class, body and one object per file."""
    out = struct.pack("<IH", 0x223E9F78, 0x5A3C)
    out += tnef_attribute(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    out += tnef_attribute(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    out += tnef_attribute(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    out += tnef_attribute(1, 0x800C, 0x0002, body + b"\x00")
    for name, data in files:
        out += tnef_attribute(2, 0x9002, 0x0006, struct.pack("<HiiHHI", 1, -1, -1, 1, 1, 0))
        out += tnef_attribute(2, 0x8010, 0x0001, name.encode("cp1252") + b"\x00")
        out += tnef_attribute(2, 0x800F, 0x0006, data)
    return out


add(
    "winmail-dat.eml",
    headers(
        *std("Erik Thomsen <erik@thomsen-tag.dk>", "Tilbud tagrenovering", "01D9A7C3.4B2E@thomsen-tag.dk"),
        ("X-MS-TNEF-Correlator", "<01D9A7C3.4B2E@thomsen-tag.dk>"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary="----=_NextPart_000_0001_01D9A7C3.4B2E1F40"\n\n'
    "This is a multipart message in MIME format.\n\n------=_NextPart_000_0001_01D9A7C3.4B2E1F40\n"
    'Content-Type: text/plain;\n\tcharset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n'
    + qp("Hej\n\nTilbuddet på tagrenoveringen er vedhæftet.\n\nErik Thomsen\nThomsen Tag A/S\n", "iso-8859-1")
    + '\n------=_NextPart_000_0001_01D9A7C3.4B2E1F40\nContent-Type: application/ms-tnef;\n\tname="winmail.dat"\n'
    'Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n\tfilename="winmail.dat"\n\n'
    + b64(tnef([("Tilbud tag 2026.pdf", PDF)], "Tilbuddet på tagrenoveringen er vedhæftet.".encode("cp1252")))
    + "\n\n------=_NextPart_000_0001_01D9A7C3.4B2E1F40--\n",
    crlf=True,
    kind="normal",
    attachments=1,
    tnef_attachments=1,
    attachment_names=["Tilbud tag 2026.pdf"],
    text_contains="Tilbuddet på tagrenoveringen",
    ingest="created",
)

add(
    "winmail-dat-broken.eml",
    headers(*std("Erik Thomsen <erik@thomsen-tag.dk>", "Tilbud tagrenovering (igen)", "01D9A7C3.BEEF@thomsen-tag.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="np2"\n\n'
    "--np2\nContent-Type: text/plain; charset=utf-8\n\nNy version vedhæftet.\n"
    '--np2\nContent-Type: application/ms-tnef; name="winmail.dat"\nContent-Transfer-Encoding: base64\n'
    'Content-Disposition: attachment; filename="winmail.dat"\n\n'
    + b64(b"\x00\x01not tnef at all" + blob("tnef", 100))
    + "\n--np2--\n",
    kind="normal",
    attachments=1,
    attachment_names=["winmail.dat"],
    tnef_attachments=0,
    defects=True,
    ingest="created",
)

add(
    "calendar-invite.eml",
    headers(*std("Morten Krogh <mokr@kk.dk>", "Besigtigelse af taget", "mokr.cal.1@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="cal"\n\n'
    "--cal\nContent-Type: text/plain; charset=utf-8\n\nMøde på taget torsdag kl. 9.\n"
    '--cal\nContent-Type: text/calendar; charset="utf-8"; method=REQUEST; name="invite.ics"\n'
    'Content-Disposition: attachment; filename="invite.ics"\n\nBEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\n'
    "SUMMARY:Besigtigelse af taget\nDTSTART:20261105T080000Z\nEND:VEVENT\nEND:VCALENDAR\n--cal--\n",
    kind="normal",
    attachments=1,
    attachment_names=["invite.ics"],
    text_contains="Møde på taget",
    ingest="created",
)

add(
    "smime-signed.eml",
    headers(*std("Signe Holm <sigh@kk.dk>", "Underskrevet aftale", "sigh.smime@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;\n'
    ' boundary="sig1"\n\nThis is a cryptographically signed message in MIME format.\n\n'
    "--sig1\nContent-Type: text/plain; charset=utf-8\n\nAftalen om vinduespolering er godkendt.\n\n"
    '--sig1\nContent-Type: application/pkcs7-signature; name="smime.p7s"\nContent-Transfer-Encoding: base64\n'
    'Content-Disposition: attachment; filename="smime.p7s"\n\n' + b64(b"0\x82\x05" + blob("p7s", 200)) + "\n--sig1--\n",
    kind="normal",
    attachments=1,
    attachment_names=["smime.p7s"],
    text_contains="vinduespolering er godkendt",
    ingest="created",
)

# --- recipients and headers ---------------------------------------------------------------------------------------

_cc = [f"Kollega {n} <kollega{n}@kk.dk>" for n in range(1, 24)] + [
    "KOLLEGA1@KK.DK",
    "ESM Helpdesk <helpdesk@ejendomme.kk.dk>",
]
add(
    "reply-all-many-cc.eml",
    simple(
        [
            *std(
                "Lene Brandt <lebr@kk.dk>",
                "SV: [S-2026-000123] Knust rude",
                "lebr.replyall@kk.dk",
                to="ESM Helpdesk <helpdesk@ejendomme.kk.dk>, Lise Hansen <lise.hansen@skole.kk.dk>",
            ),
            ("Cc", ",\n ".join(_cc)),
            ("In-Reply-To", f"<{OUR_ID}>"),
        ],
        "Jeg sætter alle på, så vi ved, hvem der gør hvad.\n",
    ),
    kind="normal",
    to_count=2,
    cc_count=24,
    case_numbers=["S-2026-000123"],
    in_reply_to=True,
    ingest="created",
)

add(
    "recipients-3000.eml",
    simple(
        [
            ("From", "Kommunikation <kommunikation@kk.dk>"),
            ("To", ",\n ".join(f"medarbejder{n:04d}@kk.dk" for n in range(3000))),
            ("Subject", "Vandet lukkes på Rådhuset torsdag"),
            ("Date", "Tue, 03 Nov 2026 07:00:00 +0100"),
            ("Message-ID", "<komm.3000@kk.dk>"),
        ],
        "Vandet lukkes torsdag kl. 8-12 på grund af arbejde på stigstrengen.\n",
    ),
    kind="normal",
    to_count=500,
    defects=True,
    ingest="created",
)

add(
    "reply-to-header.eml",
    simple(
        [
            *std(
                "Skoleintra <noreply@skoleintra.kk.dk>",
                "Fejlmelding fra Skoleintra: Toilet i stykker",
                "si.7781@skoleintra.kk.dk",
            ),
            ("Reply-To", "Lise Hansen <lise.hansen@skole.kk.dk>"),
        ],
        "Toilettet på 1. sal drengetoilet løber konstant.\n",
    ),
    kind="normal",
    from_="noreply@skoleintra.kk.dk",
    reply_to=["lise.hansen@skole.kk.dk"],
    ingest="created",
)

add(
    "no-from.eml",
    "To: helpdesk@ejendomme.kk.dk\nSubject: Hvem er jeg?\nDate: Tue, 03 Nov 2026 10:00:00 +0100\n"
    "Message-ID: <nofrom.1@example.invalid>\nContent-Type: text/plain; charset=utf-8\n\nDenne mail har ingen afsender.\n",
    kind="normal",
    from_="",
    defects=True,
    text_contains="ingen afsender",
    ingest="quarantined",
)

add(
    "from-without-address.eml",
    "From: undisclosed-sender\nTo: helpdesk@ejendomme.kk.dk\nSubject: Ingen adresse\nDate: Tue, 03 Nov 2026 10:00:00 +0100\n"
    "Message-ID: <noaddr.1@example.invalid>\n\nAfsenderen har ingen e-mailadresse.\n",
    kind="normal",
    from_="",
    defects=True,
    ingest="quarantined",
)

add(
    "no-message-id.eml",
    "From: Jytte Lindberg <jytte.lindberg@kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Dørpumpe\n"
    "Date: Tue, 03 Nov 2026 10:00:00 +0100\n\nDørpumpen ved hovedindgangen smækker.\n",
    kind="normal",
    message_id="",
    defects=True,
    ingest="created",
)

add(
    "garbage-message-id.eml",
    "From: Jytte Lindberg <jytte.lindberg@kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Dørpumpe igen\n"
    "Date: Tue, 03 Nov 2026 10:05:00 +0100\nMessage-ID: this is not a message id\n"
    "In-Reply-To: <esm.S-2026-000200.1@ejendomme.kk.dk> (helpdesk)\n\nSamme problem.\n",
    kind="normal",
    message_id="",
    in_reply_to=True,
    defects=True,
    ingest="created",
)

add(
    "no-date.eml",
    "From: Jytte Lindberg <jytte.lindberg@kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Uden dato\n"
    "Message-ID: <nodate.1@kk.dk>\n\nIngen dato.\n",
    kind="normal",
    date_is_none=True,
    ingest="created",
)

add(
    "bad-date.eml",
    "From: Jytte Lindberg <jytte.lindberg@kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Forkert dato\n"
    "Date: mandag den 3. i den anden uge\nMessage-ID: <baddate.1@kk.dk>\n\nDato kan ikke læses.\n",
    kind="normal",
    date_is_none=True,
    defects=True,
    ingest="created",
)

add(
    "header-injection-subject.eml",
    "From: Mallory <mallory@example.net>\nTo: helpdesk@ejendomme.kk.dk\n"
    "Subject: =?utf-8?Q?Hej=0D=0ABcc:_victim@example.org=0D=0A=0D=0Afake_body?=\n"
    "Date: Tue, 03 Nov 2026 10:00:00 +0100\nMessage-ID: <inject.1@example.net>\n\nTest.\n",
    kind="normal",
    subject="Hej Bcc: victim@example.org fake body",
    subject_excludes=["\r", "\n"],
    to_count=1,
    ingest="created",
)

add(
    "mbox-from-line.eml",
    "From lise.hansen@skole.kk.dk Tue Nov  3 10:12:44 2026\nFrom: Lise Hansen <lise.hansen@skole.kk.dk>\n"
    "To: helpdesk@ejendomme.kk.dk\nSubject: Fra en mbox-fil\nDate: Tue, 03 Nov 2026 10:12:44 +0100\n"
    "Message-ID: <mbox.1@skole.kk.dk>\n\nEksporteret fra et arkiv.\n",
    kind="normal",
    from_="lise.hansen@skole.kk.dk",
    subject="Fra en mbox-fil",
    ingest="created",
)

# --- subjects with case numbers -------------------------------------------------------------------------------------

for _name, _subject, _numbers in [
    ("subject-re.eml", "Re: [S-2026-000123] Knust rude", ["S-2026-000123"]),
    ("subject-aw-german.eml", "AW: [S-2026-000045] Heizung defekt", ["S-2026-000045"]),
    ("subject-vs-twice.eml", "VS: VS: [S-2026-000077] Nøgler til kælderen", ["S-2026-000077"]),
    ("subject-fwd-ext.eml", "[EXT] Fwd: SV: [S-2026-000009] Graffiti på gavlen", ["S-2026-000009"]),
    ("subject-ekstern-sv.eml", "[EKSTERN] Sv: S-2026-000310 Faldstamme", ["S-2026-000310"]),
    ("subject-short-number.eml", "Re: sag S-2026-123 dør", ["S-2026-000123"]),
    ("subject-two-numbers.eml", "SV: S-2026-000123 og [S-2026-000124] samme rude", ["S-2026-000123", "S-2026-000124"]),
    ("subject-no-number.eml", "Re: Spørgsmål om nøglebrik 2026-000123", []),
]:
    add(
        _name,
        simple(
            std(
                "Lise Hansen <lise.hansen@skole.kk.dk>",
                Header(_subject, "utf-8").encode() if not _subject.isascii() else _subject,
                f"{_name}@skole.kk.dk",
            ),
            "Se emnet.\n",
        ),
        kind="normal",
        subject=_subject,
        case_numbers=_numbers,
        ingest="created",
    )

# --- malformed MIME -------------------------------------------------------------------------------------------------

add(
    "missing-boundary-end.eml",
    headers(*std("Jan Due <jan.due@kk.dk>", "Manglende afslutning", "jandue.mime@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="xyz"\n\n'
    "--xyz\nContent-Type: text/plain; charset=utf-8\n\nBilledet af skaden er vedhæftet.\n"
    '--xyz\nContent-Type: image/jpeg; name="skade.jpg"\nContent-Disposition: attachment; filename="skade.jpg"\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(JPEG) + "\n",
    kind="normal",
    text_contains="Billedet af skaden",
    attachments=1,
    defects=False,
    ingest="created",
)

add(
    "boundary-not-found.eml",
    headers(*std("Jan Due <jan.due@kk.dk>", "Forkert boundary", "jandue.mime2@kk.dk"))
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="this-is-not-used"\n\n'
    "--other\nContent-Type: text/plain; charset=utf-8\n\nTeksten står her alligevel.\n--other--\n",
    kind="normal",
    text_contains="Teksten står her alligevel",
    defects=True,
    ingest="created",
)

add(
    "multipart-without-boundary-parameter.eml",
    headers(*std("Jan Due <jan.due@kk.dk>", "Ingen boundary", "jandue.mime3@kk.dk"))
    + "MIME-Version: 1.0\nContent-Type: multipart/alternative\n\nKun tekst, selv om der står multipart.\n",
    kind="normal",
    text_contains="Kun tekst",
    defects=True,
    ingest="created",
)


def nested(depth: int) -> str:
    head = headers(*std("Jan Due <jan.due@kk.dk>", f"Indlejret {depth} niveauer", f"nested{depth}@kk.dk"))
    out = head + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="n0"\n\n'
    for level in range(1, depth):
        out += f'--n{level - 1}\nContent-Type: multipart/mixed; boundary="n{level}"\n\n'
    out += f"--n{depth - 1}\nContent-Type: text/plain; charset=utf-8\n\nBunden af {depth} niveauer.\n"
    for level in range(depth - 1, -1, -1):
        out += f"--n{level}--\n"
    return out


add("nested-50-deep.eml", nested(50), kind="normal", text_contains="Bunden af 50 niveauer", ingest="created")
add("nested-150-deep.eml", nested(150), kind="normal", text_excludes="Bunden af", defects=True, ingest="created")

add(
    "huge-attachment.eml",
    headers(
        *std("Arkitekt Bruun <mail@bruun-arkitekter.dk>", "Tegninger til ombygning", "bruun.tegn.1@bruun-arkitekter.dk")
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="big"\n\n'
    "--big\nContent-Type: text/plain; charset=utf-8\n\nTegningerne er vedhæftet (stor fil).\n"
    '--big\nContent-Type: application/pdf; name="tegninger.pdf"\nContent-Disposition: attachment; filename="tegninger.pdf"\n'
    "Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF-1.7\n" + blob("huge", 740_000)) + "\n--big--\n",
    kind="normal",
    attachments=1,
    attachment_names=["tegninger.pdf"],
    min_attachment_bytes=700_000,
    ingest="created",
)

add(
    "empty-body.eml",
    "From: Jytte Lindberg <jytte.lindberg@kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Nøgle til depot\n"
    "Date: Tue, 03 Nov 2026 10:00:00 +0100\nMessage-ID: <empty.1@kk.dk>\n\n",
    kind="normal",
    subject="Nøgle til depot",
    text="",
    html_empty=True,
    attachments=0,
    ingest="created",
)

add(
    "html-only-remote-images-scripts.eml",
    headers(
        *std(
            "Facility Portal <service@fm-portal.example.com>",
            "Statusrapport for Valby Hallen",
            "fm.8812@fm-portal.example.com",
        )
    )
    + "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    '<html><head><title>Rapport</title><script>alert("x")</script><style>body{background:url(http://evil.example/bg.png)}</style>'
    '<link rel="stylesheet" href="https://evil.example/s.css"></head><body onload="steal()">'
    '<h1>Statusrapport</h1><p style="color:red;background-image:url(https://evil.example/t.gif)">Ventilationen i hallen er '
    'serviceret.</p><img src="https://tracker.example.com/open.gif?id=8812" width="1" height="1">'
    '<p>Se <a href="https://fm-portal.example.com/r/8812" onclick="evil()">rapporten</a> og '
    '<a href="javascript:alert(1)">denne</a>.</p><ul><li>Filtre skiftet</li><li>Remme strammet</li></ul>'
    '<iframe src="https://evil.example/frame"></iframe><form action="https://evil.example/post"><input name="pw"></form>'
    '<object data="x.swf"></object><p><img src="http://evil.example/x.png" onerror="evil()" alt="logo"></p></body></html>\n',
    kind="normal",
    text_contains=[
        "Statusrapport",
        "Ventilationen i hallen er serviceret.",
        "rapporten (https://fm-portal.example.com/r/8812)",
        "- Filtre skiftet",
    ],
    text_excludes=["alert", "background", "<"],
    html_contains=["Ventilationen i hallen", 'href="https://fm-portal.example.com/r/8812"'],
    html_excludes=[
        "<script",
        "alert(",
        "onload",
        "onclick",
        "onerror",
        "tracker.example.com",
        "evil.example",
        "javascript:",
        "<iframe",
        "<form",
        "<input",
        "<object",
        "<style",
        "<link",
        "url(",
    ],
    ingest="created",
)

add(
    "html-lists-links.eml",
    headers(*std("Lise Hansen <lise.hansen@skole.kk.dk>", "Liste over fejl", "liste.1@skole.kk.dk"))
    + "MIME-Version: 1.0\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp(
        "<p>Fejl p&aring; skolen:</p><ol><li>D&oslash;r i fl&oslash;j A</li><li>Lys i kantinen</li></ol>"
        '<p>Mail <a href="mailto:pedel@skole.kk.dk">pedellen</a> &amp; se <a href="https://kk.dk/skole">https://kk.dk/skole</a>'
        "<br>Tak &#x1F64F;</p>",
        "iso-8859-1",
    ),
    kind="normal",
    text_contains=[
        "Fejl på skolen:",
        "1. Dør i fløj A",
        "2. Lys i kantinen",
        "pedellen (mailto:pedel@skole.kk.dk) & se https://kk.dk/skole",
        "Tak 🙏",
    ],
    text_excludes="https://kk.dk/skole (https",
    ingest="created",
)

# --- auto-replies -----------------------------------------------------------------------------------------------------

add(
    "oof-outlook-danish.eml",
    headers(
        ("From", "Lise Hansen <lise.hansen@skole.kk.dk>"),
        ("To", f"ESM Helpdesk <{HELPDESK}>"),
        ("Subject", "Automatisk svar: [S-2026-000123] Knust rude"),
        ("Thread-Topic", "[S-2026-000123] Knust rude"),
        ("Date", "Tue, 3 Nov 2026 10:15:31 +0000"),
        ("Message-ID", "<oof.VI1PR09MB4321.1@VI1PR09MB4321.eurprd09.prod.outlook.com>"),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("References", f"<{OUR_ID}>"),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-MS-Exchange-Inbox-Rules-Loop", "lise.hansen@skole.kk.dk"),
    )
    + 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
    + b64(
        "Jeg er på ferie til og med 13. november og læser ikke mail. Kontakt skolens kontor på 33 66 00 00.\n".encode()
    )
    + "\n",
    crlf=True,
    kind="auto_reply",
    kind_reason_contains="Auto-Submitted",
    auto_response_suppress=True,
    case_numbers=["S-2026-000123"],
    in_reply_to=True,
    ingest="ignored",
)

add(
    "oof-outlook-english.eml",
    headers(
        ("From", "Peter Nielsen <PENI@kk.dk>"),
        ("To", HELPDESK),
        ("Subject", "Automatic reply: [S-2026-000124] Heating"),
        ("Date", "Tue, 3 Nov 2026 10:15:31 +0000"),
        ("Message-ID", "<oof.en.1@kk.dk>"),
        ("X-Auto-Response-Suppress", "All"),
    )
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nI am out of the office until Monday.\n",
    kind="auto_reply",
    kind_reason_contains="Automatic reply",
    auto_response_suppress=True,
    ingest="ignored",
)

add(
    "gmail-vacation.eml",
    headers(
        ("From", "Jonas Kristensen <jonas.kristensen1987@gmail.com>"),
        ("To", HELPDESK),
        ("Subject", "Ferie til 10. november"),
        ("Date", "Tue, 3 Nov 2026 10:16:00 +0100"),
        ("Message-ID", "<CAvacation01@mail.gmail.com>"),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("Auto-Submitted", "auto-replied"),
    )
    + "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nJeg er på ferie og svarer, når jeg kommer hjem.\n",
    kind="auto_reply",
    kind_reason_contains="Auto-Submitted: auto-replied",
    auto_response_suppress=True,
    ingest="ignored",
)

for _name, _subject, _reason in [
    ("autoreply-subject-fravaerende.eml", "Fraværende: [S-2026-000123] Knust rude", "Fraværende"),
    ("autoreply-subject-ikke-til-stede.eml", "Ikke til stede: Knust rude", "Ikke til stede"),
    ("autoreply-subject-autosvar.eml", "Autosvar: Varmen virker ikke", "Autosvar"),
    ("autoreply-subject-out-of-office.eml", "Out of Office: Knust rude", "Out of Office"),
    ("autoreply-subject-abwesenheit.eml", "Abwesenheitsnotiz: [S-2026-000045] Heizung defekt", "Abwesenheitsnotiz"),
    ("autoreply-subject-autoreply.eml", "[EXT] Auto-Reply: Knust rude", "Auto-Reply"),
]:
    add(
        _name,
        simple(std("Birgitte Skov <birgitte.skov@kk.dk>", _subject, f"{_name}@kk.dk"), "Jeg er ikke på kontoret.\n"),
        kind="auto_reply",
        kind_reason_contains=_reason,
        auto_response_suppress=True,
        ingest="ignored",
    )

add(
    "autoreply-x-autoreply.eml",
    simple(
        [
            *std("Ejendomskontoret <kontor@ab-soebakken.dk>", "Re: Rotter i gården", "xauto.1@ab-soebakken.dk"),
            ("X-Autoreply", "yes"),
        ],
        "Tak for din mail. Kontoret har åbent tirsdag 16-18.\n",
    ),
    kind="auto_reply",
    kind_reason_contains="X-Autoreply",
    ingest="ignored",
)

add(
    "autoreply-precedence.eml",
    simple(
        [
            *std(
                "Support <support@vvs-leverandoer.dk>", "Vi har modtaget din henvendelse", "prec.1@vvs-leverandoer.dk"
            ),
            ("Precedence", "auto_reply"),
        ],
        "Din henvendelse har fået nummer 44121.\n",
    ),
    kind="auto_reply",
    kind_reason_contains="Precedence: auto_reply",
    ingest="ignored",
)

add(
    "human-reply-about-autoreply-header-hint.eml",
    # X-Auto-Response-Suppress alone is a hint, not proof: Outlook sets it on some ordinary mail too.
    simple(
        [
            *std("Lise Hansen <lise.hansen@skole.kk.dk>", "SV: [S-2026-000123] Knust rude", "xars-human.1@skole.kk.dk"),
            ("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply"),
            ("In-Reply-To", f"<{OUR_ID}>"),
        ],
        "Tak, det passer fint.\n",
    ),
    kind="normal",
    auto_response_suppress=True,
    ingest="created",
)

# --- bounces ----------------------------------------------------------------------------------------------------------

ORIGINAL = (
    f"Return-Path: <{HELPDESK}>\nFrom: ESM Helpdesk <{HELPDESK}>\nTo: Lars Bo <lars.bo@gmaill.com>\n"
    "Subject: [S-2026-000001] Vi har modtaget din henvendelse\nDate: Mon, 02 Nov 2026 09:00:00 +0100\n"
    f"Message-ID: <{BOUNCED_ID}>\nAuto-Submitted: auto-generated\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n\nKære Lars Bo\n\nVi har oprettet sag S-2026-000001.\n"
)
ORIGINAL_HEADERS = ORIGINAL.split("\n\n", 1)[0] + "\n"

add(
    "bounce-postfix.eml",
    "Return-Path: <>\nFrom: MAILER-DAEMON@mail.ejendomme.kk.dk (Mail Delivery System)\n"
    f"To: {HELPDESK}\nSubject: Undelivered Mail Returned to Sender\nDate: Mon,  2 Nov 2026 09:00:07 +0100 (CET)\n"
    "Message-Id: <20261102080007.3F1A2C0123@mail.ejendomme.kk.dk>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
    'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="3F1A2C0123.1793605207/mail.ejendomme.kk.dk"\n\n'
    "This is a MIME-encapsulated message.\n\n--3F1A2C0123.1793605207/mail.ejendomme.kk.dk\nContent-Description: Notification\n"
    "Content-Type: text/plain; charset=us-ascii\n\nThis is the mail system at host mail.ejendomme.kk.dk.\n\n"
    "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n"
    "                   The mail system\n\n<lars.bo@gmaill.com>: Host or domain name not found. Name service error for\n"
    "    name=gmaill.com type=MX: Host not found, try again\n\n"
    "--3F1A2C0123.1793605207/mail.ejendomme.kk.dk\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
    "Reporting-MTA: dns; mail.ejendomme.kk.dk\nX-Postfix-Queue-ID: 3F1A2C0123\nArrival-Date: Mon,  2 Nov 2026 09:00:00 +0100 (CET)\n\n"
    "Final-Recipient: rfc822; lars.bo@gmaill.com\nOriginal-Recipient: rfc822;lars.bo@gmaill.com\nAction: failed\nStatus: 5.4.4\n"
    "Diagnostic-Code: X-Postfix; Host or domain name not found.\n\n"
    "--3F1A2C0123.1793605207/mail.ejendomme.kk.dk\nContent-Description: Undelivered Message\nContent-Type: message/rfc822\n\n"
    + ORIGINAL
    + "\n--3F1A2C0123.1793605207/mail.ejendomme.kk.dk--\n",
    kind="bounce",
    kind_reason_contains="delivery-status",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["lars.bo@gmaill.com"],
    auto_response_suppress=True,
    ingest="ignored",
)

add(
    "bounce-exchange-o365.eml",
    headers(
        ("From", "Microsoft Outlook <postmaster@kk.onmicrosoft.com>"),
        ("To", f"<{HELPDESK}>"),
        ("Date", "Tue, 3 Nov 2026 10:20:11 +0000"),
        ("Subject", "Undeliverable: [S-2026-000123] Knust rude"),
        ("Content-Language", "da-DK"),
        ("Message-ID", "<0c2a1f77-9d3e-4e8a-8b0f-9a7c2b1d3e4f@DB9PR03MB7324.eurprd03.prod.outlook.com>"),
        ("In-Reply-To", f"<{OUR_ID}>"),
        ("References", f"<{OUR_ID}>"),
        ("Auto-Submitted", "auto-replied"),
        ("X-MS-Exchange-Message-Is-Ndr", ""),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary="4a7c2b1d-ndr"\n\n'
    '--4a7c2b1d-ndr\nContent-Type: multipart/alternative; differences=Content-Type;\n\tboundary="ndr-alt"\n\n'
    '--ndr-alt\nContent-Type: text/plain; charset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n'
    "Your message to tekniker.ukendt@kk.dk couldn't be delivered.\ntekniker.ukendt wasn't found at kk.dk.\n\n"
    "Action Required                                        Recipient\nUnknown To address\n\n"
    '--ndr-alt\nContent-Type: text/html; charset="us-ascii"\n\n<html><body><p>Your message to <b>tekniker.ukendt@kk.dk</b> '
    'couldn\'t be delivered.</p><img src="https://products.office.com/en-us/CMSImages/Office365Logo_Orange.png"></body></html>\n'
    "--ndr-alt--\n\n--4a7c2b1d-ndr\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;DB9PR03MB7324.eurprd03.prod.outlook.com\n"
    "Received-From-MTA: dns;mail.ejendomme.kk.dk\n\nFinal-Recipient: rfc822;tekniker.ukendt@kk.dk\nAction: failed\nStatus: 5.1.10\n"
    "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n\n"
    "--4a7c2b1d-ndr\nContent-Type: text/rfc822-headers\n\n"
    + ORIGINAL_HEADERS.replace(BOUNCED_ID, OUR_ID).replace("lars.bo@gmaill.com", "tekniker.ukendt@kk.dk")
    + "\n--4a7c2b1d-ndr--\n",
    crlf=True,
    kind="bounce",
    bounced_message_ids=[OUR_ID],
    bounced_recipients=["tekniker.ukendt@kk.dk"],
    html_excludes="products.office.com",
    ingest="ignored",
)

add(
    "bounce-gmail-dsn.eml",
    headers(
        ("Return-Path", "<>"),
        ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
        ("To", HELPDESK),
        ("Auto-Submitted", "auto-replied"),
        ("Subject", "Delivery Status Notification (Failure)"),
        ("References", f"<{BOUNCED_ID}>"),
        ("In-Reply-To", f"<{BOUNCED_ID}>"),
        ("Date", "Mon, 02 Nov 2026 00:00:09 -0800 (PST)"),
        ("Message-ID", "<6541a9f1.050a0220.bounce.0001@mx.google.com>"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/report; boundary="0000000000001b2c3d"; report-type=delivery-status\n\n'
    '--0000000000001b2c3d\nContent-Type: text/plain; charset="UTF-8"\n\n\n** Address not found **\n\n'
    "Your message wasn't delivered to anne.vinther@gmail.com because the address couldn't be found, or is unable to receive mail.\n\n"
    "The response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.\n\n"
    "--0000000000001b2c3d\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n"
    "Received-From-MTA: dns; mail.ejendomme.kk.dk\nArrival-Date: Mon, 02 Nov 2026 00:00:08 -0800 (PST)\n\n"
    "Final-Recipient: rfc822; anne.vinther@gmail.com\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; gmail-smtp-in.l.google.com.\n"
    "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\n"
    "Last-Attempt-Date: Mon, 02 Nov 2026 00:00:09 -0800 (PST)\n\n"
    "--0000000000001b2c3d\nContent-Type: message/rfc822\n\n"
    + ORIGINAL.replace("lars.bo@gmaill.com", "anne.vinther@gmail.com")
    + "\n--0000000000001b2c3d--\n",
    kind="bounce",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["anne.vinther@gmail.com"],
    from_="mailer-daemon@googlemail.com",
    ingest="ignored",
)

add(
    "bounce-exim.eml",
    headers(
        ("Return-path", "<>"),
        ("From", "Mail Delivery System <Mailer-Daemon@smtp.glarmester-hansen.dk>"),
        ("To", HELPDESK),
        ("Subject", "Mail delivery failed: returning message to sender"),
        ("Message-Id", "<E1sXyZa-0004kL-9Q@smtp.glarmester-hansen.dk>"),
        ("Date", "Tue, 03 Nov 2026 10:30:00 +0100"),
        ("X-Failed-Recipients", "jens@glarmester-hansen.dk"),
        ("Auto-Submitted", "auto-replied"),
    )
    + "\nThis message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n"
    "  jens@glarmester-hansen.dk\n    mailbox is full: retry timeout exceeded\n\n"
    "------ This is a copy of the message, including all the headers. ------\n\n"
    + ORIGINAL.replace("Lars Bo <lars.bo@gmaill.com>", "jens@glarmester-hansen.dk"),
    kind="bounce",
    kind_reason_contains="mailer-daemon",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["jens@glarmester-hansen.dk"],
    attachments=0,
    ingest="ignored",
)

add(
    "bounce-danish-exchange.eml",
    headers(
        ("From", "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@kk.dk>"),
        ("To", HELPDESK),
        ("Subject", "Kan ikke leveres: [S-2026-000001] Vi har modtaget din henvendelse"),
        ("Date", "Mon, 2 Nov 2026 08:01:00 +0000"),
        ("Message-ID", "<ndr-dk-1@kk.dk>"),
        ("Content-Language", "da-DK"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="dk-ndr"\n\n'
    "--dk-ndr\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp(
        "Meddelelsen kunne ikke leveres til følgende modtagere:\n\ngammel.medarbejder@kk.dk\n"
        "Postkassen findes ikke længere.\n"
    )
    + "\n--dk-ndr\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;EXCH01.kk.dk\n\n"
    "Original-Recipient: rfc822;gammel.medarbejder@kk.dk\nFinal-Recipient: rfc822;gammel.medarbejder@kk.dk\nAction: failed\n"
    "Status: 5.1.1\n\n--dk-ndr\nContent-Type: message/rfc822\n\n"
    + ORIGINAL.replace("Lars Bo <lars.bo@gmaill.com>", "gammel.medarbejder@kk.dk")
    + "\n--dk-ndr--\n",
    crlf=True,
    kind="bounce",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["gammel.medarbejder@kk.dk"],
    ingest="ignored",
)

add(
    "bounce-qmail-no-original.eml",
    "From: MAILER-DAEMON@mx.byg-service.dk\nTo: helpdesk@ejendomme.kk.dk\nSubject: failure notice\n"
    "Date: Tue, 03 Nov 2026 10:40:00 +0100\nMessage-ID: <qmail.1@mx.byg-service.dk>\n\n"
    "Hi. This is the qmail-send program at mx.byg-service.dk.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n<kontor@byg-service.dk>:\nSorry, no mailbox here by that name.\n",
    kind="bounce",
    bounced_message_ids=[],
    bounced_recipients=["kontor@byg-service.dk"],
    defects=True,
    ingest="ignored",
)

add(
    "bounce-sender-without-domain.eml",
    "From: Mail Delivery Subsystem <MAILER-DAEMON>\nTo: helpdesk@ejendomme.kk.dk\nSubject: Returned mail: see transcript for details\n"
    "Date: Tue, 03 Nov 2026 10:41:00 +0100\nMessage-ID: <sendmail.1@legacy.example.dk>\n\n"
    "   ----- The following addresses had permanent fatal errors -----\n<drift@legacy.example.dk>\n\n"
    "   ----- Original message follows -----\n" + ORIGINAL_HEADERS,
    kind="bounce",
    from_="",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["drift@legacy.example.dk"],
    ingest="ignored",
)

add(
    "bounce-delayed.eml",
    headers(
        ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
        ("To", HELPDESK),
        ("Subject", "Delivery Status Notification (Delay)"),
        ("Date", "Tue, 03 Nov 2026 12:00:00 +0100"),
        ("Message-ID", "<delay.1@mx.google.com>"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="d"\n\n'
    "--d\nContent-Type: text/plain; charset=utf-8\n\nDelivery incomplete. Gmail will retry for 45 more hours.\n\n"
    "--d\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\n"
    "Final-Recipient: rfc822; slow@langsom-server.dk\nAction: delayed\nStatus: 4.4.1\n\n"
    "--d\nContent-Type: text/rfc822-headers\n\n" + ORIGINAL_HEADERS + "\n--d--\n",
    kind="bounce",
    bounced_message_ids=[BOUNCED_ID],
    bounced_recipients=["slow@langsom-server.dk"],
    ingest="ignored",
)

# --- read receipts ----------------------------------------------------------------------------------------------------

add(
    "read-receipt-danish.eml",
    headers(
        ("From", "Lise Hansen <lise.hansen@skole.kk.dk>"),
        ("To", HELPDESK),
        ("Subject", "Læst: [S-2026-000123] Knust rude"),
        ("Date", "Tue, 3 Nov 2026 10:30:00 +0000"),
        ("Message-ID", "<mdn.dk.1@skole.kk.dk>"),
    )
    + 'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=disposition-notification;\n\tboundary="mdn1"\n\n'
    "--mdn1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    + qp(
        "Din meddelelse\n\n  Til: Lise Hansen\n  Emne: [S-2026-000123] Knust rude\n\nblev læst tirsdag 3. november 2026 11:30.\n"
    )
    + "\n--mdn1\nContent-Type: message/disposition-notification\n\nReporting-UA: skole.kk.dk; Microsoft Outlook 16.0\n"
    f"Final-Recipient: rfc822;lise.hansen@skole.kk.dk\nOriginal-Message-ID: <{OUR_ID}>\n"
    "Disposition: manual-action/MDN-sent-manually; displayed\n\n--mdn1--\n",
    crlf=True,
    kind="read_receipt",
    kind_reason_contains="disposition-notification",
    case_numbers=["S-2026-000123"],
    ingest="ignored",
)

add(
    "read-receipt-english-subject.eml",
    simple(
        std("Peter Nielsen <PENI@kk.dk>", "Read: [S-2026-000124] Heating", "mdn.en.1@kk.dk"),
        "Your message\n\n  To: Peter Nielsen\n  Subject: [S-2026-000124] Heating\n\nwas read on 03-11-2026 11:30.\n",
    ),
    kind="read_receipt",
    kind_reason_contains="Read",
    ingest="ignored",
)

add(
    "read-receipt-not-read.eml",
    simple(
        std("Peter Nielsen <PENI@kk.dk>", "Not read: [S-2026-000124] Heating", "mdn.en.2@kk.dk"),
        "Your message was deleted without being read.\n",
    ),
    kind="read_receipt",
    ingest="ignored",
)

add(
    "read-receipt-ikke-laest.eml",
    simple(
        std("Peter Nielsen <PENI@kk.dk>", "Ikke læst: [S-2026-000124] Varme", "mdn.dk.2@kk.dk"),
        "Din meddelelse blev slettet uden at blive læst.\n",
    ),
    kind="read_receipt",
    ingest="ignored",
)

# --- lists and newsletters ----------------------------------------------------------------------------------------------

add(
    "mailing-list.eml",
    simple(
        [
            *std(
                "Driftsgruppen <bygningsdrift@lists.kk.dk>",
                "[Bygningsdrift] Referat fra driftsmøde",
                "list.77@lists.kk.dk",
                to="bygningsdrift@lists.kk.dk",
            ),
            ("List-Id", "Bygningsdrift <bygningsdrift.lists.kk.dk>"),
            ("List-Unsubscribe", "<mailto:bygningsdrift-leave@lists.kk.dk>"),
            ("List-Post", "<mailto:bygningsdrift@lists.kk.dk>"),
            ("Precedence", "list"),
            ("Sender", "bygningsdrift-bounces@lists.kk.dk"),
        ],
        "Referat fra mødet den 2. november er vedhæftet.\n",
    ),
    kind="mailing_list",
    kind_reason_contains="List-Id",
    auto_response_suppress=True,
    ingest="ignored",
)

add(
    "newsletter-bulk.eml",
    headers(
        *std(
            "Byggeri Nyt <nyhedsbrev@byggeri-nyt.dk>",
            "Ugens nyheder: Nye regler for brandsikring",
            "nl.2026.45@byggeri-nyt.dk",
            to="helpdesk@ejendomme.kk.dk",
        ),
        ("Precedence", "bulk"),
        ("List-Unsubscribe", "<https://byggeri-nyt.dk/afmeld?u=881>, <mailto:afmeld@byggeri-nyt.dk>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    + 'MIME-Version: 1.0\nContent-Type: text/html; charset="utf-8"\n\n'
    '<html><body><img src="https://byggeri-nyt.dk/pixel.gif?u=881"><h2>Nye regler for brandsikring</h2><p>Læs mere på '
    '<a href="https://byggeri-nyt.dk/artikel/1">byggeri-nyt.dk</a>.</p></body></html>\n',
    kind="mailing_list",
    kind_reason_contains="Precedence: bulk",
    html_excludes="pixel.gif",
    ingest="ignored",
)

add(
    "precedence-junk.eml",
    simple(
        [
            *std(
                "Tilbud <tilbud@kontorartikler-discount.example>",
                "Kun i dag: 50% på printerpapir",
                "junk.1@kontorartikler-discount.example",
            ),
            ("Precedence", "junk"),
        ],
        "Køb nu!\n",
    ),
    kind="mailing_list",
    ingest="ignored",
)

# --- not mail at all ------------------------------------------------------------------------------------------------------

add("not-mail-empty.eml", b"", unparseable=True, ingest="quarantined")
add(
    "not-mail-binary.eml",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + blob("notmail", 400),
    unparseable=True,
    ingest="quarantined",
)
add(
    "not-mail-plain-letter.eml",
    "Hej helpdesk,\n\nDette er bare en tekstfil, som nogen har lagt i indbakken.\n\nMvh\n",
    unparseable=True,
    ingest="quarantined",
)


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    manifest: dict[str, dict[str, object]] = {}
    for name, data in corpus.items():
        (HERE / name).write_bytes(data)
        manifest[name] = {("from" if key == "from_" else key): value for key, value in expected[name].items()}
    (HERE / "expected.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
    )
    print(f"wrote {len(corpus)} messages")


if __name__ == "__main__":
    main()
