"""Turns the raw bytes of one e-mail into a ParsedMessage: decoded headers, the best text, safe HTML and its files.

The parser is pure Python (no Django, no database) and tolerant: any bytes that look like mail give a
ParsedMessage, problems met on the way are listed in `defects`, and only bytes that are not mail at all
raise UnparseableMessage.

MIME structure is read with the standard library's compat32 policy, which never raises on access; header
text is decoded here (encoded-words, stray 8-bit, mislabelled charsets) because the modern policy raises on
some broken headers and is slow on messages with thousands of recipients. The From header is parsed by the
modern policy first, which resists address-spoofing tricks, with the compat32 parser as a fallback.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email.charset
import email.utils
import mimetypes
import quopri
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser, HeaderParser
from html.parser import HTMLParser
from io import BytesIO
from types import MappingProxyType

import nh3

from esm.mail.classify import MessageKind, classify, is_auto_response_suppressed
from esm.mail.quoting import split_quoted
from esm.mail.tnef import unpack_tnef

__all__ = [
    "MAX_RECIPIENTS",
    "MAX_TEXT_CHARS",
    "MessageKind",
    "ParsedAttachment",
    "ParsedMessage",
    "UnparseableMessage",
    "case_numbers_in",
    "html_to_text",
    "normalise_message_id",
    "parse_message",
    "split_quoted",
    "strip_reply_prefixes",
]

MAX_TEXT_CHARS = 1_000_000
MAX_HTML_CHARS = 2_000_000
MAX_RECIPIENTS = 500
MAX_REFERENCES = 100
MAX_DEPTH = 100
MAX_HEADER_CHARS = 1_000


class UnparseableMessage(Exception):
    """The bytes are not an e-mail at all (empty, no header block, binary data)."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    content_id: str
    inline: bool
    is_message: bool
    from_tnef: bool = False


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    reply_to: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    text: str
    html: str
    attachments: tuple[ParsedAttachment, ...]
    kind: MessageKind
    kind_reason: str
    bounced_message_ids: tuple[str, ...]
    bounced_recipients: tuple[str, ...]
    auto_response_suppress: bool
    headers: Mapping[str, str]
    defects: tuple[str, ...]


# --- charsets -------------------------------------------------------------------------------------------------

# Bytes 0x80-0x9f mean printable characters in windows-1252 but control characters in iso-8859-1; mail labelled
# iso-8859-1 is nearly always really windows-1252, so those bytes are read the windows-1252 way.
_C1_TABLE = {
    byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0) if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_REFUSED_CODECS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "mbcs", "oem"}


def _cp1252(data: bytes) -> str:
    return data.decode("latin-1").translate(_C1_TABLE)


def _codec(charset: str) -> str | None:
    """Python's codec name for a declared charset, or None when unknown or not a text encoding."""
    name = charset.strip().strip("\"'").lower()[:40]
    name = email.charset.ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
        return None
    return info.name


def _guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(data)


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str]:
    """Decode text bytes as declared, tolerating real-world mislabelling; returns (text, defect or "")."""
    if not data:
        return "", ""
    if not charset or not charset.strip():
        if data.isascii():
            return data.decode("ascii"), ""
        text = _guess(data)
        return text, "8-bit text without a declared charset; guessed"
    name = _codec(charset)
    if name is None:
        return _guess(data), f"unknown charset {charset.strip()[:40]!r}; guessed"
    if name in ("latin-1", "iso8859-1", "cp1252"):
        return _cp1252(data), ""
    if name == "ascii":
        if data.isascii():
            return data.decode("ascii"), ""
        return _guess(data), "8-bit text labelled us-ascii; guessed"
    try:
        return data.decode(name), ""
    except UnicodeDecodeError:
        if name.startswith("utf"):
            return _cp1252(data), f"text is not valid {charset.strip()[:40]}; decoded as windows-1252"
        return data.decode(name, "replace"), f"text is not valid {charset.strip()[:40]}; damaged characters replaced"
    except Exception:  # a codec that misbehaves on this input
        return _guess(data), f"charset {charset.strip()[:40]!r} could not decode the text; guessed"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _eight_bit(value: str, defects: list[str], what: str) -> str:
    """Header bytes outside ASCII arrive as surrogate escapes; read them as utf-8, else windows-1252."""
    if not _SURROGATE.search(value):
        return value
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _no_surrogates(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        defects.append(f"8-bit characters in {what} read as windows-1252")
        return _cp1252(data)


# --- headers --------------------------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(
    r"=\?(?P<charset>[^?\s*]{1,60})(?:\*[^?\s]{0,20})?\?(?P<encoding>[bBqQ])\?"
    r"(?:(?P<text>[^?]{0,2000}?)\?=|(?P<open>[^?\s]{0,2000}))"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_WHITESPACE = re.compile(r"\s+")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_q(text: str) -> bytes:
    data = text.replace("_", " ").encode("latin-1", "replace")
    return _QP_HEX.sub(lambda match: bytes([int(match.group(1), 16)]), data)


def _decode_b(text: str) -> tuple[bytes, bool]:
    stripped = text.strip()
    broken = len(stripped) % 4 != 0 or re.search(r"[^A-Za-z0-9+/=]", stripped) is not None
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", stripped)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4)), broken
    except (binascii.Error, ValueError):
        return b"", True


def decode_header_text(value: str, defects: list[str] | None = None, what: str = "a header") -> str:
    """Decode RFC 2047 encoded-words best effort: glued to text, unterminated, with wrong or unknown charsets.

    Adjacent encoded-words in one charset are joined before decoding, so a character split over two words survives.
    """
    problems: list[str] = [] if defects is None else defects
    value = _eight_bit(re.sub(r"\r?\n(?=[ \t])", "", value), problems, what)
    pieces: list[str] = []
    pending = b""
    pending_charset = ""
    position = 0
    broken = False

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending_charset:
            text, problem = decode_bytes(pending, pending_charset)
            pieces.append(text)
            if problem:
                problems.append(f"{problem} in {what}")
        pending, pending_charset = b"", ""

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between.strip() or not pending_charset:
            flush()
            pieces.append(between)
        position = match.end()
        charset = match.group("charset")
        raw_text = match.group("text")
        if raw_text is None:
            raw_text = match.group("open") or ""
            broken = True
        if match.group("encoding") in "bB":
            data, bad = _decode_b(raw_text)
            broken = broken or bad
        else:
            data = _decode_q(raw_text)
            broken = broken or " " in raw_text
        if pending_charset and charset.lower() != pending_charset.lower():
            flush()
        pending += data
        pending_charset = charset
    flush()
    pieces.append(value[position:])
    if broken:
        problems.append(f"broken encoded-word in {what}")
    return _no_surrogates("".join(pieces))


def _one_line(text: str, limit: int = MAX_HEADER_CHARS) -> str:
    """Controls (an encoded CR LF too) become spaces, whitespace collapses: no header injection downstream."""
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", text)).strip()[:limit]


class _Headers:
    """The raw header fields of one MIME part, by lower-case name, in order."""

    def __init__(self, message: Message) -> None:
        self.fields: dict[str, list[str]] = {}
        try:
            items = list(message.raw_items())
        except Exception:
            items = []
        for name, value in items:
            self.fields.setdefault(str(name).strip().lower(), []).append(str(value))

    def first(self, name: str) -> str:
        values = self.fields.get(name.lower())
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return self.fields.get(name.lower(), [])


_MESSAGE_ID = re.compile(r"^[\x21-\x7e]{1,250}@[\x21-\x7e]{1,250}$")


def normalise_message_id(value: str) -> str:
    """`<ABC@x>` → `ABC@x`; "" for anything that is not a message id."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    bracketed = re.search(r"<([^<>]*)>", text)
    if bracketed:
        text = bracketed.group(1).strip()
    elif text.startswith("<"):
        text = text[1:]
    text = text.strip()
    if "<" in text or ">" in text or not _MESSAGE_ID.match(text):
        return ""
    return text


def _message_ids(value: str) -> list[str]:
    tokens = re.findall(r"<[^<>]*>", value) or value.split()
    found: list[str] = []
    for token in tokens:
        message_id = normalise_message_id(token)
        if message_id and message_id not in found:
            found.append(message_id)
    return found


_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,200}@[^@\s<>()\[\],;:\"\\.]{1,100}(\.[^@\s<>()\[\],;:\"\\.]{1,100})+$")


def _valid_address(address: str) -> str:
    address = address.strip().strip("<>").strip().lower()
    return address if _ADDRESS.match(address) and ".." not in address else ""


def _address_list(values: list[str], what: str, defects: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    unreadable = False
    for value in values:
        text = _eight_bit(re.sub(r"\r?\n(?=[ \t])", "", value), defects, what)
        try:
            pairs = email.utils.getaddresses([text])
        except Exception:
            pairs = []
            unreadable = True
        for _name, address in pairs:
            valid = _valid_address(address)
            if not valid:
                unreadable = unreadable or bool(address.strip())
                continue
            if len(found) >= MAX_RECIPIENTS and valid not in found:
                defects.append(f"{what} has more than {MAX_RECIPIENTS} recipients; kept the first {MAX_RECIPIENTS}")
                return tuple(found)
            found[valid] = None
    if unreadable:
        defects.append(f"unreadable address in {what}")
    return tuple(found)


def _from(value: str, defects: list[str]) -> tuple[str, str, str]:
    """(valid address, display name, whatever stood in the address place) of the first From address."""
    text = _eight_bit(re.sub(r"\r?\n(?=[ \t])", "", value), defects, "From")[:2000]
    if not text.strip():
        return "", "", ""
    name, address = "", ""
    try:
        header = policy.default.header_factory("from", text)
        addresses = header.addresses
        if addresses:
            address = str(addresses[0].addr_spec)
            name = str(addresses[0].display_name)
    except Exception:
        address = ""
    try:
        compat_pairs = email.utils.getaddresses([text])
    except Exception:
        compat_pairs = []
    if not address and compat_pairs:
        name, address = compat_pairs[0]
    if compat_pairs and compat_pairs[0][1].strip().lower() == address.strip().lower():
        name = compat_pairs[0][0]
    valid = _valid_address(address)
    if not valid:
        defects.append("From has no readable address")
    display = _one_line(decode_header_text(name, defects, "From").strip().strip('"'), 200)
    return valid, display, address.strip().lower()


def _date(value: str, defects: list[str]) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(_one_line(value))
    except Exception:
        parsed = None
    if parsed is None:
        defects.append("unreadable Date")
        return None
    try:
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        defects.append("unreadable Date")
        return None


_PREFIX = re.compile(
    r"^\s*(?:(?:re|sv|vs|aw|wg|fw|fwd|tr|antw|rv|ref|rif|odp|vb|vl|svar|videresend)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*"
    r"|\[(?:ext|ekstern|external|extern|extern\.?)\]\s*"
    r"|\((?:ext|ekstern|external)\)\s*)",
    re.IGNORECASE,
)


def strip_reply_prefixes(subject: str) -> str:
    """Remove repeated reply and forward prefixes (Re:, SV:, VS:, AW:, Fwd: …) and [EXT]/[EKSTERN] tags at the front."""
    previous = None
    text = subject
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text, count=1)
    return text.strip()


def case_numbers_in(subject: str, prefix: str = "S") -> list[str]:
    """Case numbers such as S-2026-000123 in a subject, with or without brackets; short numbers padded to six digits."""
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}-(\d{{4}})-(\d{{1,6}})(?![0-9])", re.IGNORECASE)
    found: list[str] = []
    for match in pattern.finditer(subject):
        number = f"{prefix}-{match.group(1)}-{int(match.group(2)):06d}"
        if number not in found:
            found.append(number)
    return found


# --- HTML -----------------------------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return set(text.split())


_BLOCK_TAGS = _words(
    "address article aside blockquote center dd div dl dt footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre "
    "section table tr ul"
)
_PARAGRAPH_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre"}
_SKIP_TAGS = {"script", "style", "head", "title", "xml", "template", "noscript", "svg", "math", "iframe", "object"}


class _TextMaker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip = 0
        self.pre = 0
        self.quote = 0
        self.links: list[tuple[str, int, int]] = []  # (href, line, column) where the link text starts
        self.lists: list[int] = []

    def _prefix(self) -> str:
        return "> " * self.quote

    def _newline(self, blank: bool = False) -> None:
        if self.lines[-1].strip(" >"):
            self.lines.append(self._prefix())
        else:
            self.lines[-1] = self._prefix()
        if blank and len(self.lines) > 1 and self.lines[-2].strip(" >"):
            self.lines.insert(-1, self._prefix().rstrip())

    def _write(self, text: str) -> None:
        if not self.lines[-1].strip(" >") and self.lines[-1] != self._prefix():
            self.lines[-1] = self._prefix()
        self.lines[-1] += text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag == "br":
            self._newline()
        elif tag == "blockquote":
            self._newline(blank=True)
            self.quote += 1
            self._newline()
        elif tag in ("ul", "ol"):
            self.lists.append(0 if tag == "ol" else -1)
            self._newline()
        elif tag == "li":
            self._newline()
            if self.lists and self.lists[-1] >= 0:
                self.lists[-1] += 1
                self._write(f"{self.lists[-1]}. ")
            else:
                self._write("- ")
        elif tag in _BLOCK_TAGS:
            self._newline(blank=tag in _PARAGRAPH_TAGS)
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th") and self.lines[-1].strip(" >"):
            self._write(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.lines) - 1, len(self.lines[-1])))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._write(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TAGS:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "a" and self.links:
            href, line, column = self.links.pop()
            shown = "".join(self.lines[line:])[column:].strip() if line < len(self.lines) else ""
            target = href.removeprefix("mailto:")
            if href.lower().startswith(("http:", "https:", "mailto:")) and target not in shown and shown:
                self._write(f" ({href})")
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline(blank=True)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline(blank=True)
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._newline(blank=tag in _PARAGRAPH_TAGS)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace("\xa0", " ")
        if self.pre:
            first, *rest = data.split("\n")
            self._write(first)
            for line in rest:
                self._newline()
                self._write(line)
            return
        text = _WHITESPACE.sub(" ", data)
        if not self.lines[-1].strip(" >"):
            text = text.lstrip()
        self._write(text)

    def text(self) -> str:
        lines = [line.rstrip() for line in self.lines]
        result = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", result).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text from HTML: paragraphs, line breaks, lists, quotes as ">", links as "text (url)"."""
    maker = _TextMaker()
    try:
        maker.feed(html)
        maker.close()
    except Exception:  # html.parser is lenient, but an unexpected failure must not lose the mail
        return _WHITESPACE.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
    return maker.text()


_ALLOWED_TAGS = (set(nh3.ALLOWED_TAGS) - {"area", "map"}) | {"font", "center", "u", "s", "span"}
_ALLOWED_ATTRIBUTES = {
    "*": {"style", "title", "align", "dir", "lang", "valign", "width", "height"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "summary"},
    "td": {"colspan", "rowspan", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "bgcolor", "scope"},
    "tr": {"bgcolor"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "blockquote": {"type"},
    "hr": {"size", "noshade"},
}
# Quote and signature markers of common mail programs, kept so the page can fold quoted mail.
_ALLOWED_CLASSES = {
    "div": _words(
        "gmail_quote gmail_attr gmail_signature moz-cite-prefix moz-signature yahoo_quoted OutlookMessageHeader "
        "WordSection1"
    ),
    "blockquote": {"gmail_quote", "moz-cite-prefix"},
    "span": {"gmail_signature"},
    "p": {"MsoNormal"},
}
_CLEAN_CONTENT_TAGS = _words(
    "script style title xml template noscript iframe frame frameset object embed applet form textarea select button "
    "svg math audio video canvas link meta base"
)
_DANGEROUS_STYLE = ("url(", "expression", "@import", "behavior", "javascript", "-moz-binding", "\\")
_INLINE_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,", re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if attribute == "src":
        if tag == "img" and (lowered.startswith("cid:") or _INLINE_IMAGE.match(lowered)):
            return value
        return None  # remote images are trackers: never kept
    if attribute == "href" and lowered.startswith("data:"):
        return None
    if attribute == "style" and any(word in lowered for word in _DANGEROUS_STYLE):
        return None
    return value


def sanitise_html(html: str) -> str:
    """HTML safe to show inside the helpdesk: no scripts, styles, forms, frames, handlers or remote content."""
    return str(
        nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            clean_content_tags=_CLEAN_CONTENT_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            attribute_filter=_attribute_filter,
            allowed_classes=_ALLOWED_CLASSES,
            url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
            strip_comments=True,
            link_rel="noopener noreferrer nofollow",
        )
    )


# --- bodies ---------------------------------------------------------------------------------------------------


def unflow(text: str, delsp: bool = False) -> str:
    """Undo format=flowed (RFC 3676): join soft-broken lines, drop space-stuffing, keep quote depth."""
    output: list[str] = []
    current: str | None = None
    current_depth = 0
    for raw_line in text.split("\n"):
        line = raw_line.rstrip("\r")
        content = line.lstrip(">")
        depth = len(line) - len(content)
        if content.startswith(" "):
            content = content[1:]
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if current is not None and depth == current_depth:
            current += content
        else:
            if current is not None:
                output.append(_quoted(current, current_depth))
            current, current_depth = content, depth
        if not flowed:
            output.append(_quoted(current, current_depth))
            current = None
    if current is not None:
        output.append(_quoted(current, current_depth))
    return "\n".join(output)


def _quoted(text: str, depth: int) -> str:
    return f"{'>' * depth} {text}" if depth else text


_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_REPORT_TYPES = {
    "message/delivery-status",
    "message/global-delivery-status",
    "message/disposition-notification",
    "message/global-disposition-notification",
    "text/rfc822-headers",
    "message/rfc822-headers",
    "message/global-headers",
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


def _walk(message: Message, defects: list[str]) -> Iterator[Message]:
    """Leaf parts in order, without recursion; attached messages and reports are leaves."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    too_deep = False
    while stack:
        part, depth = stack.pop()
        if part.get_content_maintype() == "multipart" and part.is_multipart():
            if depth >= MAX_DEPTH:
                too_deep = True
                continue
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            stack.extend((child, depth + 1) for child in reversed(children))
        else:
            yield part
    if too_deep:
        defects.append(f"MIME parts nested deeper than {MAX_DEPTH} levels were left out")


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except Exception:
        return ""
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return str(value) if value else ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _message_bytes(message: Message) -> bytes:
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0, policy=policy.compat32).flatten(message)
    except Exception:
        return str(message.get_payload()).encode("utf-8", "surrogateescape") if message else b""
    return buffer.getvalue()


def _attached_message_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    data = _message_bytes(inner) if isinstance(inner, Message) else _payload(part)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding == "base64":  # Outlook sometimes base64-encodes an attached message; the parser does not undo it
        body = data.split(b"\n\n", 1)[-1] if data.startswith(b"\n") else data
        decoded, _broken = _decode_b(body.decode("ascii", "ignore"))
        return decoded or data
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    return data


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def safe_filename(name: str, index: int, content_type: str) -> str:
    """A file name without folders or control characters; never empty ("attachment-1.pdf")."""
    name = _UNSAFE_NAME.sub("_", _one_line(name, 1000)).replace("\\", "/").rsplit("/", 1)[-1]
    name = name.strip().lstrip(". ").rstrip(". ")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 140 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:150]
    if name.strip("_") == "":
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return name


def _filename(part: Message, defects: list[str]) -> str:
    try:
        raw = part.get_filename() or ""
    except Exception:
        raw = ""
    return decode_header_text(str(raw), defects, "an attachment name") if raw else ""


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[tuple[Message, str]] = field(default_factory=list)  # (part, decoded declared file name)
    messages: list[Message] = field(default_factory=list)
    reports: list[Message] = field(default_factory=list)
    tnef: list[tuple[Message, str]] = field(default_factory=list)


def _text_of(part: Message, defects: list[str], html: bool) -> str:
    data = _payload(part)
    charset = _param(part, "charset")
    if html and not charset:
        meta = _META_CHARSET.search(data[:4096])
        charset = meta.group(1).decode("ascii") if meta else ""
    text, problem = decode_bytes(data, charset)
    if problem:
        defects.append(f"{problem} ({part.get_content_type()})")
    text = _no_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    if not html and _param(part, "format").lower() == "flowed":
        text = unflow(text, _param(part, "delsp").lower() == "yes")
    return text


def _collect(message: Message, defects: list[str]) -> _Collected:
    collected = _Collected()
    for part in _walk(message, defects):
        content_type = part.get_content_type()
        maintype = content_type.partition("/")[0]
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part, defects)
        if content_type in _REPORT_TYPES:
            collected.reports.append(part)
        elif content_type == "message/rfc822" or (maintype == "message" and part.is_multipart() and not filename):
            collected.messages.append(part)
        elif content_type in _TNEF_TYPES or filename.lower() == "winmail.dat":
            collected.tnef.append((part, filename))
        elif maintype == "multipart":  # boundary never found: the parser kept the body as text
            defects.append("multipart part without its boundary; shown as text")
            collected.plain.append(_text_of(part, defects, html=False))
        elif content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            is_html = content_type == "text/html"
            (collected.html if is_html else collected.plain).append(_text_of(part, defects, html=is_html))
        else:
            collected.files.append((part, filename))
    return collected


def _attachments(collected: _Collected, html: str, defects: list[str]) -> tuple[list[ParsedAttachment], str, str]:
    """Attachments in order, plus body text and HTML carried inside winmail.dat (if any)."""
    result: list[ParsedAttachment] = []
    tnef_text, tnef_html = "", ""
    for part, filename in collected.files:
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        content_id = normalise_content_id(str(part.get("Content-ID", "") or ""))
        inline = disposition == "inline" or (
            bool(content_id) and (disposition != "attachment" or f"cid:{content_id}".lower() in html.lower())
        )
        result.append(
            ParsedAttachment(
                filename=safe_filename(filename, len(result) + 1, content_type),
                content_type=content_type,
                data=_payload(part),
                content_id=content_id if inline else "",
                inline=inline,
                is_message=False,
            )
        )
    for part, filename in collected.tnef:
        data = _payload(part)
        contents = unpack_tnef(data)
        if contents is None:
            defects.append("winmail.dat could not be unpacked; kept as it is")
            result.append(
                ParsedAttachment(
                    safe_filename(filename or "winmail.dat", len(result) + 1, "application/ms-tnef"),
                    part.get_content_type(),
                    data,
                    "",
                    False,
                    False,
                )
            )
            continue
        tnef_text, tnef_html = tnef_text or contents.body_text, tnef_html or contents.body_html
        for name, content in contents.attachments:
            guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
            filename = safe_filename(name, len(result) + 1, guessed)
            result.append(ParsedAttachment(filename, guessed, content, "", False, False, from_tnef=True))
    for part in collected.messages:
        data = _attached_message_bytes(part)
        inner = _Headers(_parse_bytes(data)) if data else None
        subject = _one_line(decode_header_text(inner.first("subject"), [], "Subject"), 120) if inner else ""
        name = f"{subject}.eml" if subject else _filename(part, []) or f"attached-message-{len(result) + 1}.eml"
        result.append(
            ParsedAttachment(
                filename=safe_filename(name, len(result) + 1, "message/rfc822"),
                content_type="message/rfc822",
                data=data,
                content_id="",
                inline=False,
                is_message=True,
            )
        )
    return result, tnef_text, tnef_html


def normalise_content_id(value: str) -> str:
    return _one_line(value, 250).strip("<> ")


# --- bounces --------------------------------------------------------------------------------------------------

_MESSAGE_ID_LINE = re.compile(r"(?im)^[ \t>]*(?:X-)?(?:Original-)?Message-ID:[ \t]*(<[^>\r\n]{1,500}>|\S{1,500})")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_COPY_MARKERS = re.compile(
    r"(?im)^.{0,10}(this is a copy of the message|original message headers|----- original message|"
    r"--- the header of the original message|-- below this line is a copy|message-id:|received:)"
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "no-reply", "noreply")


def _parse_bytes(data: bytes) -> Message:
    try:
        return BytesParser(policy=policy.compat32).parsebytes(data)
    except Exception:
        return BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)


def _report_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = _payload(part).decode("utf-8", "replace").replace("\r\n", "\n")
    return [HeaderParser(policy=policy.compat32).parsestr(block) for block in re.split(r"\n\s*\n", text)]


def _bounce_details(
    collected: _Collected, text: str, own: set[str], defects: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids: list[str] = []
    recipients: list[str] = []
    originals: list[Message] = []
    for part in collected.messages:
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            originals.append(payload[0])
    for part in collected.reports:
        content_type = part.get_content_type()
        if content_type.endswith("headers"):
            header_text = _payload(part).decode("utf-8", "replace")
            originals.append(HeaderParser(policy=policy.compat32).parsestr(header_text, headersonly=True))
        elif content_type.endswith("delivery-status"):
            for block in _report_blocks(part):
                headers = _Headers(block)
                action = headers.first("action").strip().lower()
                if action in ("delivered", "relayed", "expanded"):
                    continue
                raw = headers.first("final-recipient") or headers.first("original-recipient")
                address = _valid_address(raw.rpartition(";")[2])
                if address and address not in recipients:
                    recipients.append(address)
    for original in originals:
        for message_id in _message_ids(_Headers(original).first("message-id")):
            if message_id not in ids:
                ids.append(message_id)
    for match in _MESSAGE_ID_LINE.finditer(text):
        message_id = normalise_message_id(match.group(1))
        if message_id and message_id not in ids:
            ids.append(message_id)
    ids = [message_id for message_id in ids if message_id not in own]
    if not recipients:
        marker = _COPY_MARKERS.search(text)
        report = text[: marker.start()] if marker else text
        for address in _EMAIL_IN_TEXT.findall(report):
            valid = _valid_address(address)
            if (
                valid
                and valid not in own
                and valid not in recipients
                and not valid.startswith(_DAEMONS)
                and not any(valid in message_id.lower() for message_id in ids)
            ):
                recipients.append(valid)
        recipients = recipients[:50]
    if not ids:
        defects.append("bounce does not name the original message")
    return tuple(ids), tuple(recipients)


# --- the whole message ----------------------------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,200}[ \t]*:")
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_is_mail(raw: bytes) -> bytes:
    if not raw.strip():
        raise UnparseableMessage("empty message")
    raw = raw.lstrip(b"\r\n")
    if raw.startswith(b"From ") and b"\n" in raw:  # an mbox envelope line
        raw = raw.split(b"\n", 1)[1]
    if not _HEADER_LINE.match(raw):
        raise UnparseableMessage("no header block at the start")
    header_end = re.search(rb"\r?\n\r?\n", raw[:262_144])
    head = raw[: header_end.start()] if header_end else raw[:262_144]
    if b"\x00" in head or len(_BINARY.findall(head)) > max(8, len(head) // 20):
        raise UnparseableMessage("binary data where the header block should be")
    return raw


def _display_headers(headers: _Headers, defects: list[str]) -> Mapping[str, str]:
    shown: dict[str, str] = {}
    for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "X-Mailer", "User-Agent"):
        value = headers.first(name)
        if value:
            shown[name] = _one_line(decode_header_text(value, [], name))
    return MappingProxyType(shown)


def _limit(text: str, limit: int, what: str, defects: list[str]) -> str:
    if len(text) <= limit:
        return text
    defects.append(f"{what} longer than {limit:,} characters; cut")
    return text[:limit]


def parse_message(raw: bytes, *, max_text_chars: int = MAX_TEXT_CHARS) -> ParsedMessage:
    """Parse raw RFC 822 bytes. Raises UnparseableMessage only when the bytes are not mail at all."""
    raw = _check_is_mail(bytes(raw))
    defects: list[str] = []
    message = _parse_bytes(raw)
    headers = _Headers(message)

    if not headers.first("from").strip():
        defects.append("no From header")
    from_address, from_name, from_raw = _from(headers.first("from"), defects)
    subject = _one_line(decode_header_text(headers.first("subject"), defects, "Subject"))
    message_id = normalise_message_id(_one_line(headers.first("message-id")))
    if not message_id:
        defects.append("no usable Message-ID" if headers.first("message-id").strip() else "no Message-ID")
    references = _message_ids(" ".join(headers.all("references")))
    if len(references) > MAX_REFERENCES:
        defects.append(f"more than {MAX_REFERENCES} References; kept the latest")
        references = references[-MAX_REFERENCES:]
    date = _date(headers.first("date"), defects)

    collected = _collect(message, defects)
    html_source = _limit("\n".join(collected.html), MAX_HTML_CHARS, "HTML body", defects)
    attachments, tnef_text, tnef_html = _attachments(collected, html_source, defects)
    html_source = html_source or tnef_html
    plain = "\n\n".join(part for part in collected.plain if part.strip())
    text = plain if plain.strip() else (html_to_text(html_source) if html_source else tnef_text)
    try:
        html = sanitise_html(html_source) if html_source.strip() else ""
    except Exception:
        html = ""
        defects.append("HTML body could not be made safe and is left out")

    kind, kind_reason = classify(message, subject, from_address or from_raw)
    bounced_ids: tuple[str, ...] = ()
    bounced_recipients: tuple[str, ...] = ()
    if kind is MessageKind.BOUNCE:
        own = {message_id, from_address} | set(_address_list(headers.all("to"), "To", []))
        bounced_ids, bounced_recipients = _bounce_details(collected, text, own - {""}, defects)

    return ParsedMessage(
        message_id=message_id,
        in_reply_to=tuple(_message_ids(" ".join(headers.all("in-reply-to")))[:MAX_REFERENCES]),
        references=tuple(references),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        reply_to=_address_list(headers.all("reply-to"), "Reply-To", defects),
        to=_address_list(headers.all("to"), "To", defects),
        cc=_address_list(headers.all("cc"), "Cc", defects),
        date=date,
        text=_limit(text, max_text_chars, "text body", defects),
        html=html,
        attachments=tuple(attachments),
        kind=kind,
        kind_reason=kind_reason,
        bounced_message_ids=bounced_ids,
        bounced_recipients=bounced_recipients,
        auto_response_suppress=kind is not MessageKind.NORMAL or is_auto_response_suppressed(message),
        headers=_display_headers(headers, defects),
        defects=tuple(dict.fromkeys(defects)),
    )
