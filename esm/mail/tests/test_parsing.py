"""The parser in the helpdesk's words: what a handler sees of a mail, whatever the sender's program did to it."""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esm.mail.parsing import (
    MessageKind,
    ParsedMessage,
    UnparseableMessage,
    case_numbers_in,
    html_to_text,
    normalise_message_id,
    parse_message,
    strip_reply_prefixes,
)

DATA = Path(__file__).parent / "data"


def corpus(name: str) -> ParsedMessage:
    return parse_message((DATA / name).read_bytes())


def mail(headers: str, body: bytes | str = b"Hej\n") -> bytes:
    data = body.encode() if isinstance(body, str) else body
    return headers.strip("\n").encode() + b"\n\n" + data


HEAD = "From: Lise Hansen <lise.hansen@skole.kk.dk>\nTo: helpdesk@ejendomme.kk.dk\nMessage-ID: <x1@skole.kk.dk>\n"


# --- charsets ------------------------------------------------------------------------------------------------------


def test_a_windows_1252_message_labelled_iso_8859_1_shows_aeoeaa_and_typographic_quotes_correctly() -> None:
    raw = mail(
        HEAD + "Subject: Pris\nContent-Type: text/plain; charset=iso-8859-1", "“Køkken” – 200 €\n".encode("cp1252")
    )
    parsed = parse_message(raw)
    assert parsed.text == "“Køkken” – 200 €\n"
    assert not parsed.defects


def test_undeclared_8_bit_text_is_read_as_utf_8_and_else_as_windows_1252() -> None:
    assert parse_message(mail(HEAD, "Blæst på Østerbro\n".encode())).text == "Blæst på Østerbro\n"
    parsed = parse_message(mail(HEAD, "Blæst på Østerbro\n".encode("cp1252")))
    assert parsed.text == "Blæst på Østerbro\n"
    assert any("guessed" in defect for defect in parsed.defects)


def test_an_unknown_charset_name_is_guessed_and_noted() -> None:
    parsed = parse_message(mail(HEAD + "Content-Type: text/plain; charset=klingon-8", "Rød dør\n".encode()))
    assert parsed.text == "Rød dør\n"
    assert any("unknown charset" in defect for defect in parsed.defects)


def test_a_charset_that_names_a_non_text_codec_is_treated_as_unknown() -> None:
    parsed = parse_message(mail(HEAD + "Content-Type: text/plain; charset=base64", b"aGVq\n"))
    assert parsed.text == "aGVq\n"
    assert parsed.defects


def test_subjects_with_aeoeaa_in_q_and_b_encoded_words_are_decoded() -> None:
    assert parse_message(mail(HEAD + "Subject: =?iso-8859-1?Q?K=F8kken_i_k=E6lder?=")).subject == "Køkken i kælder"
    b_word = base64.b64encode("Vandskade på Ørestad".encode()).decode()
    assert parse_message(mail(HEAD + f"Subject: =?utf-8?B?{b_word}?=")).subject == "Vandskade på Ørestad"


def test_a_broken_encoded_word_glued_to_text_or_unterminated_is_decoded_best_effort() -> None:
    parsed = parse_message(mail(HEAD + "Subject: Ny=?iso-8859-1?Q?K=F8kken?=vask og =?utf-8?Q?d=C3=B8r"))
    assert parsed.subject == "NyKøkkenvask og dør"
    assert any("broken encoded-word" in defect for defect in parsed.defects)


def test_an_encoded_word_with_the_wrong_charset_still_shows_the_letters() -> None:
    assert parse_message(mail(HEAD + "Subject: =?utf-8?Q?J=F8rgen?=")).subject == "Jørgen"


def test_a_subject_is_unfolded_and_its_whitespace_collapsed() -> None:
    assert parse_message(mail(HEAD + "Subject: Knust\n   rude\t i  hallen")).subject == "Knust rude i hallen"


def test_an_encoded_line_break_in_the_subject_cannot_inject_headers() -> None:
    parsed = parse_message(mail(HEAD + "Subject: =?utf-8?Q?Hej=0D=0ABcc:_x@example.org?="))
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert parsed.subject == "Hej Bcc: x@example.org"


def test_quoted_printable_and_base64_with_broken_padding_are_decoded() -> None:
    qp = parse_message(mail(HEAD + "Content-Transfer-Encoding: quoted-printable", b"R=C3=B8d d=\n=C3=B8r\n"))
    assert qp.text == "Rød dør\n"
    unpadded = base64.b64encode("Varmen er væk".encode()).decode().rstrip("=")
    parsed = parse_message(
        mail(HEAD + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", unpadded)
    )
    assert parsed.text == "Varmen er væk"


def test_format_flowed_text_is_unwrapped_and_delsp_removes_the_soft_break_space() -> None:
    flowed = parse_message(
        mail(
            HEAD + "Content-Type: text/plain; charset=utf-8; format=flowed", "Den lange \nlinje.\n> Citat \n> fortsat\n"
        )
    )
    assert flowed.text == "Den lange linje.\n> Citat fortsat\n"
    delsp = parse_message(mail(HEAD + "Content-Type: text/plain; format=flowed; delsp=yes", "sammen \nskrevet\n"))
    assert delsp.text == "sammenskrevet\n"


def test_an_absurdly_long_body_is_cut_with_a_defect() -> None:
    parsed = parse_message(mail(HEAD, b"a" * 5_000), max_text_chars=1_000)
    assert len(parsed.text) == 1_000
    assert any("cut" in defect for defect in parsed.defects)


# --- headers -------------------------------------------------------------------------------------------------------


def test_addresses_are_lower_case_deduplicated_and_the_sender_name_decoded() -> None:
    parsed = parse_message(
        mail(
            "From: =?utf-8?Q?S=C3=B8ren_=C3=98?= <Soeren@KK.dk>\nTo: A <a@kk.dk>, a@KK.DK, b@kk.dk\nCc: not an address"
        )
    )
    assert (parsed.from_address, parsed.from_name) == ("soeren@kk.dk", "Søren Ø")
    assert parsed.to == ("a@kk.dk", "b@kk.dk")
    assert parsed.cc == ()


def test_a_message_to_thousands_keeps_500_recipients_and_says_so() -> None:
    parsed = corpus("recipients-3000.eml")
    assert len(parsed.to) == 500
    assert any("500" in defect for defect in parsed.defects)


def test_a_message_without_from_has_an_empty_sender_and_a_defect() -> None:
    parsed = corpus("no-from.eml")
    assert parsed.from_address == ""
    assert "no From header" in parsed.defects


def test_a_display_name_pretending_to_be_an_address_does_not_become_the_sender() -> None:
    parsed = parse_message(mail('From: "lise.hansen@skole.kk.dk" <mallory@example.net>'))
    assert parsed.from_address == "mallory@example.net"


def test_message_ids_lose_their_brackets_and_garbage_becomes_empty() -> None:
    assert normalise_message_id("<ABC@x>") == "ABC@x"
    assert (
        normalise_message_id("  <esm.S-2026-000001.42@ejendomme.kk.dk> (comment)")
        == "esm.S-2026-000001.42@ejendomme.kk.dk"
    )
    assert normalise_message_id("no id here") == ""
    assert normalise_message_id("<>") == ""
    assert normalise_message_id("<a b@c>") == ""


def test_replies_carry_in_reply_to_and_references_without_brackets() -> None:
    parsed = corpus("gmail-reply-danish.eml")
    assert parsed.in_reply_to == ("esm.S-2026-000123.42@ejendomme.kk.dk",)
    assert parsed.references == ("esm.S-2026-000123.1@ejendomme.kk.dk", "esm.S-2026-000123.42@ejendomme.kk.dk")


def test_the_date_is_aware_utc_and_an_unreadable_date_is_none() -> None:
    assert corpus("plain-new-request.eml").date == datetime(2026, 11, 3, 9, 12, 44, tzinfo=UTC)
    assert corpus("bad-date.eml").date is None
    assert parse_message(mail(HEAD + "Date: Tue, 3 Nov 2026 10:00:00 -0000")).date == datetime(
        2026, 11, 3, 10, tzinfo=UTC
    )


def test_a_few_decoded_headers_are_kept_for_display() -> None:
    headers = corpus("outlook-html-new.eml").headers
    assert headers["Subject"] == "Varmen virker ikke i lokale 2.14"
    assert headers["X-Mailer"] == "Microsoft Outlook 16.0"
    assert set(headers) <= {"From", "To", "Cc", "Subject", "Date", "Message-ID", "X-Mailer", "User-Agent"}


@pytest.mark.parametrize(
    ("subject", "stripped"),
    [
        ("SV: [S-2026-000123] Knust rude", "[S-2026-000123] Knust rude"),
        ("RE: Re: SV: Sv: VS: Vs: AW: WG: Fw: Fwd: FW: TR: Antw: Knust rude", "Knust rude"),
        ("[EXT] SV: [EKSTERN] Re: Knust rude", "Knust rude"),
        ("Re[2]: Knust rude", "Knust rude"),
        ("Reparation af rude", "Reparation af rude"),
        ("Svar på spørgsmål", "Svar på spørgsmål"),
    ],
)
def test_reply_and_forward_prefixes_are_stripped_from_the_front(subject: str, stripped: str) -> None:
    assert strip_reply_prefixes(subject) == stripped


@pytest.mark.parametrize(
    ("subject", "numbers"),
    [
        ("SV: [S-2026-000123] Knust rude", ["S-2026-000123"]),
        ("Re: S-2026-123 dør", ["S-2026-000123"]),
        ("s-2026-000045 og S-2026-000046", ["S-2026-000045", "S-2026-000046"]),
        ("VS: [S-2026-000123] og igen S-2026-000123", ["S-2026-000123"]),
        ("Faktura FS-2026-000123 og nr. 2026-000123", []),
        ("S-2026-1234567", []),
    ],
)
def test_case_numbers_are_found_in_subjects_and_padded_to_six_digits(subject: str, numbers: list[str]) -> None:
    assert case_numbers_in(subject) == numbers


def test_case_numbers_can_use_another_prefix() -> None:
    assert case_numbers_in("Re: [WO-2026-000007] Tag", prefix="WO") == ["WO-2026-000007"]


# --- bodies and files ----------------------------------------------------------------------------------------------


def test_an_html_body_never_keeps_a_remote_image_or_script() -> None:
    parsed = corpus("html-only-remote-images-scripts.eml")
    html = parsed.html.lower()
    for forbidden in (
        "<script",
        "http://evil",
        "https://evil",
        "tracker.example.com",
        "onload",
        "onclick",
        "onerror",
        "<iframe",
        "<form",
        "javascript:",
        "url(",
    ):
        assert forbidden not in html
    assert 'href="https://fm-portal.example.com/r/8812"' in parsed.html


def test_an_inline_image_stays_as_a_cid_reference_and_its_file_is_kept() -> None:
    parsed = corpus("inline-cid-image.eml")
    assert 'src="cid:image001.png@01DB2E5A.4C3F7A10"' in parsed.html
    (image,) = parsed.attachments
    assert (image.inline, image.content_id, image.content_type) == (True, "image001.png@01DB2E5A.4C3F7A10", "image/png")


def test_an_html_only_message_gets_readable_text() -> None:
    text = corpus("html-lists-links.eml").text
    assert "1. Dør i fløj A" in text
    assert "pedellen (mailto:pedel@skole.kk.dk)" in text


def test_html_to_text_keeps_paragraphs_breaks_lists_links_and_quotes() -> None:
    html = (
        "<p>Hej&nbsp;Lise</p><p>Linje 1<br>Linje 2</p><ul><li>Et</li><li>To</li></ul>"
        '<p><a href="https://kk.dk">Kommunen</a></p><blockquote>Citat</blockquote><script>x()</script>'
    )
    assert html_to_text(html) == "Hej Lise\n\nLinje 1\nLinje 2\n\n- Et\n- To\n\nKommunen (https://kk.dk)\n\n> Citat"


def test_attachment_names_are_decoded_and_never_carry_folders() -> None:
    assert [a.filename for a in corpus("attachment-jpeg-docx.eml").attachments] == [
        "billede af rør.jpg",
        "Rapport vandskade.docx",
    ]
    assert [a.filename for a in corpus("attachment-unsafe-names.eml").attachments] == [
        "evil.exe",
        "attachment-2.pdf",
        "passwd",
    ]


def test_an_attached_mail_is_kept_whole_and_named_after_its_subject() -> None:
    (attached,) = corpus("forwarded-rfc822.eml").attachments
    assert attached.is_message and attached.filename == "Vandskade i klasselokale 12.eml"
    assert parse_message(attached.data).text.startswith("Hej Lise")


def test_winmail_dat_is_replaced_by_the_files_inside_it() -> None:
    (offer,) = corpus("winmail-dat.eml").attachments
    assert (offer.filename, offer.content_type, offer.from_tnef) == ("Tilbud tag 2026.pdf", "application/pdf", True)
    assert offer.data.startswith(b"%PDF")


def test_a_damaged_winmail_dat_is_kept_raw() -> None:
    parsed = corpus("winmail-dat-broken.eml")
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]
    assert any("winmail.dat" in defect for defect in parsed.defects)


def test_a_message_nested_too_deep_is_parsed_without_its_deepest_parts() -> None:
    assert "Bunden af 50 niveauer" in corpus("nested-50-deep.eml").text
    deep = "".join(f'--b{n}\nContent-Type: multipart/mixed; boundary="b{n + 1}"\n\n' for n in range(1000))
    parsed = parse_message(mail(HEAD + 'Content-Type: multipart/mixed; boundary="b0"', deep + "--b1000\n\nbund\n"))
    assert parsed.from_address == "lise.hansen@skole.kk.dk"


# --- kinds ---------------------------------------------------------------------------------------------------------


def test_an_out_of_office_reply_is_an_auto_reply_that_must_never_be_answered() -> None:
    parsed = corpus("oof-outlook-danish.eml")
    assert parsed.kind is MessageKind.AUTO_REPLY
    assert parsed.kind_reason == "Auto-Submitted: auto-generated"
    assert parsed.auto_response_suppress


def test_a_danish_subject_alone_marks_an_auto_reply() -> None:
    parsed = corpus("autoreply-subject-fravaerende.eml")
    assert (parsed.kind, parsed.kind_reason) == (MessageKind.AUTO_REPLY, "subject: Fraværende")


def test_a_bounce_names_our_original_message_and_the_failed_recipient() -> None:
    parsed = corpus("bounce-postfix.eml")
    assert parsed.kind is MessageKind.BOUNCE
    assert parsed.kind_reason == "multipart/report; report-type=delivery-status"
    assert parsed.bounced_message_ids == ("esm.S-2026-000001.42@ejendomme.kk.dk",)
    assert parsed.bounced_recipients == ("lars.bo@gmaill.com",)


def test_a_bounce_that_also_says_auto_replied_is_a_bounce() -> None:
    assert corpus("bounce-gmail-dsn.eml").kind is MessageKind.BOUNCE
    assert corpus("bounce-exim.eml").kind is MessageKind.BOUNCE


def test_a_bounce_in_plain_text_names_the_original_from_the_copied_headers() -> None:
    parsed = corpus("bounce-exim.eml")
    assert parsed.bounced_message_ids == ("esm.S-2026-000001.42@ejendomme.kk.dk",)
    assert parsed.bounced_recipients == ("jens@glarmester-hansen.dk",)


def test_read_receipts_in_danish_and_english_are_recognised() -> None:
    assert corpus("read-receipt-danish.eml").kind is MessageKind.READ_RECEIPT
    assert corpus("read-receipt-english-subject.eml").kind is MessageKind.READ_RECEIPT


def test_list_mail_and_newsletters_are_recognised() -> None:
    assert corpus("mailing-list.eml").kind is MessageKind.MAILING_LIST
    assert corpus("newsletter-bulk.eml").kind is MessageKind.MAILING_LIST


def test_an_ordinary_reply_is_normal_and_may_be_answered() -> None:
    parsed = corpus("outlook-danish-reply.eml")
    assert (parsed.kind, parsed.kind_reason, parsed.auto_response_suppress) == (MessageKind.NORMAL, "", False)


# --- robustness ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b"   \r\n\r\n", b"\x00\x01\x02binary", b"Hej helpdesk,\nbare tekst\n"])
def test_bytes_that_are_not_mail_raise_unparseable_with_a_reason(raw: bytes) -> None:
    with pytest.raises(UnparseableMessage) as error:
        parse_message(raw)
    assert str(error.value)


def test_a_header_block_full_of_binary_is_not_mail() -> None:
    with pytest.raises(UnparseableMessage, match="binary"):
        parse_message(b"Subject: x\n\x00\x00\x00\x01\x02\x03\n\nbody")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2_000))
def test_parsing_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    with contextlib.suppress(UnparseableMessage):
        parse_message(raw)


HEADER_NAMES = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Content-Disposition",
        "Auto-Submitted",
        "Precedence",
        "List-Id",
        "X-Auto-Response-Suppress",
    ]
)
NASTY = st.sampled_from(
    [
        "=?",
        "?=",
        "=?utf-8?Q?",
        "=?x?B?",
        "=C3",
        "<",
        ">",
        "@",
        ",",
        ";",
        '"',
        "\\",
        "(",
        ")",
        "\r\n ",
        "multipart/mixed; boundary=b",
        "--b",
        "\n--b--\n",
        "base64",
        "quoted-printable",
        "charset=",
        "message/rfc822",
        "filename*=utf-8''%C3",
        "ø",
        "\x00",
        "\udcff",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(HEADER_NAMES, st.lists(st.one_of(NASTY, st.text(max_size=8)), max_size=8)), min_size=1, max_size=8
    ),
    st.lists(st.one_of(NASTY, st.text(max_size=20)), max_size=20),
)
def test_parsing_never_raises_on_mail_shaped_nonsense(headers: list[tuple[str, list[str]]], body: list[str]) -> None:
    head = "".join(f"{name}: {''.join(value)}\n" for name, value in headers)
    raw = (head + "\n" + "".join(body)).encode("utf-8", "surrogateescape")
    try:
        parsed = parse_message(raw)
    except UnparseableMessage:
        return
    assert "\n" not in parsed.subject
    assert all(address == address.lower() for address in parsed.to)
