"""Folding quoted mail: the handler sees what the sender wrote now, the earlier mail and signature are folded away."""

from __future__ import annotations

import pytest

from esm.mail.quoting import split_quoted

EARLIER = "Kære Lise\n\nVi har oprettet sag S-2026-000123.\n\nMed venlig hilsen\nEjendomsservice"


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----\nFrom: ESM Helpdesk <helpdesk@ejendomme.kk.dk>\nSent: 3. november 2026 10:15\n"
        "Subject: Knust rude",
        "-----Oprindelig meddelelse-----\nFra: ESM Helpdesk\nSendt: 3. november 2026 10:15\nEmne: Knust rude",
        "________________________________\nFra: ESM Helpdesk <helpdesk@ejendomme.kk.dk>\n"
        "Sendt: 3. november 2026 10:15\nTil: Lise Hansen <lise.hansen@skole.kk.dk>\nEmne: [S-2026-000123] Knust rude",
        "From: ESM Helpdesk <helpdesk@ejendomme.kk.dk>\nSent: Tuesday, November 3, 2026 10:15 AM\nTo: Lise Hansen\n"
        "Subject: RE: Knust rude",
        "*From:* ESM Helpdesk\n*Sent:* Tuesday, November 3, 2026 10:15 AM\n*To:* Lise Hansen\n*Subject:* Knust rude",
        "Den tir. 3. nov. 2026 kl. 10.12 skrev ESM Helpdesk <helpdesk@ejendomme.kk.dk>:",
        "3. nov. 2026 kl. 10.12 skrev ESM Helpdesk <helpdesk@ejendomme.kk.dk>:",
        "Den 3. nov. 2026 kl. 10.12 skrev ESM Helpdesk <\nhelpdesk@ejendomme.kk.dk>:",
        "On Tue, Nov 3, 2026 at 10:12 AM ESM Helpdesk <helpdesk@ejendomme.kk.dk> wrote:",
        "On Tue, Nov 3, 2026 at 10:12 AM ESM Helpdesk <\nhelpdesk@ejendomme.kk.dk> wrote:",
        "Am 03.11.2026 um 10:12 schrieb ESM Helpdesk <helpdesk@ejendomme.kk.dk>:",
    ],
)
def test_the_earlier_mail_below_a_reply_header_is_folded(separator: str) -> None:
    text = f"Tak, glarmesteren kommer torsdag.\n\nLise\n\n{separator}\n\n{EARLIER}\n"
    new, rest = split_quoted(text)
    assert new == "Tak, glarmesteren kommer torsdag.\n\nLise"
    assert "oprettet sag" in rest


def test_a_run_of_quoted_lines_at_the_end_is_folded() -> None:
    new, rest = split_quoted("Det passer fint.\n\n> Kan vi komme torsdag?\n> Mvh Ejendomsservice\n")
    assert new == "Det passer fint."
    assert rest.startswith("> Kan vi komme torsdag?")


def test_answers_between_quoted_lines_stay_visible() -> None:
    text = "> Hvilket lokale?\n12\n> Hvornår?\nTorsdag\n"
    assert split_quoted(text) == (text.strip("\n"), "")


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nLise Hansen\nLærer",
        "Sendt fra min iPhone",
        "Sent from my iPhone",
        "Hent Outlook til iOS",
        "Get Outlook for Android",
        "Hent Outlook til Android<https://aka.ms/AAb9ysg>",
        "Sendt fra min iPad",
        "Sendt fra Mail til Windows",
    ],
)
def test_signatures_and_mobile_footers_are_folded(signature: str) -> None:
    new, rest = split_quoted(f"Døren er låst igen.\n\n{signature}\n")
    assert new == "Døren er låst igen."
    assert rest


def test_a_message_that_is_only_quote_is_shown_whole() -> None:
    text = "> Kan vi komme torsdag?\n> Mvh Ejendomsservice"
    assert split_quoted(text) == (text, "")
    assert split_quoted("Sendt fra min iPhone") == ("Sendt fra min iPhone", "")


def test_text_without_quote_or_signature_is_all_new() -> None:
    text = "Hej\n\nFra: kl. 8 til kl. 12 er vandet lukket.\nDen gamle dør skal skiftes.\n"
    assert split_quoted(text) == (text.strip("\n"), "")


def test_a_forwarded_message_is_not_folded_because_it_is_what_the_case_is_about() -> None:
    gmail = (
        "Se nedenfor.\n\n---------- Forwarded message ---------\nFrom: Henrik <h@gmail.com>\nDate: søn. 1. nov. 2026\n"
        "Subject: Vand\nTo: Lise <lise.hansen@skole.kk.dk>\n\nDer drypper vand.\n\nSendt fra min iPhone"
    )
    apple = (
        "Se nedenfor.\n\nStart på videresendt besked:\n\n> Fra: Henrik <h@gmail.com>\n> Emne: Vand\n>\n"
        "> Der drypper vand."
    )
    for text in (gmail, apple):
        assert split_quoted(text) == (text, "")


def test_the_first_marker_wins_when_a_signature_sits_above_the_quote() -> None:
    text = "Tak.\n\n-- \nLise\n\n-----Original Message-----\nFrom: x\nSent: y\nSubject: z\n\nGammel tekst"
    new, rest = split_quoted(text)
    assert new == "Tak."
    assert rest.startswith("-- \nLise") and "Gammel tekst" in rest
