"""Splits a plain-text mail body into the new words and the folded rest (quoted earlier mail and signature)."""

from __future__ import annotations

import re

__all__ = ["split_quoted"]

_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|oprindelig meddelelse|original meddelelse|oprindelig besked|"
    r"opprinnelig melding|ursprüngliche nachricht|message d'origine|ursprungligt meddelande)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# A forwarded mail is what the sender wants us to read: nothing below such a line is folded.
_FORWARDED = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|videresendt meddelelse|videresendt besked|weitergeleitete nachricht)\s*-{2,}"
    r"|begin forwarded message:|start på videresendt besked:|videresendt meddelelse:)\s*$",
    re.IGNORECASE,
)
_UNDERLINE = re.compile(r"^\s*_{10,}\s*$")
# Outlook's header block of the earlier mail, in English, Danish, German, Swedish/Norwegian.
_BLOCK_FROM = re.compile(r"^\s*\*?(from|fra|von|från)\s*:\*?\s*\S", re.IGNORECASE)
_BLOCK_SENT = re.compile(r"^\s*\*?(sent|date|sendt|dato|gesendet|datum|skickat)\s*:", re.IGNORECASE)
_BLOCK_SUBJECT = re.compile(r"^\s*\*?(subject|emne|betreff|ämne|to|til|an|till)\s*:", re.IGNORECASE)
_ATTRIBUTION_ONE_LINE = (
    re.compile(r"^\s*on\b.{4,300}\bwrote\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*den\b.{4,300}\bskrev\b.{0,300}:\s*$", re.IGNORECASE),
    re.compile(r"^.{0,200}\bkl\.\s*\d{1,2}[.:]\d{2}\b.{0,200}\bskrev\b.{0,300}:\s*$", re.IGNORECASE),
    re.compile(r"^\s*am\b.{4,300}\bschrieb\b.{0,300}:\s*$", re.IGNORECASE),
    re.compile(r"^.{0,200}\d{4}.{0,100}\b(wrote|skrev)\s*:\s*$", re.IGNORECASE),
)
_ATTRIBUTION_START = re.compile(r"^\s*(on|den|am)\s+\S", re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(sendt fra min \S.{0,40}|sent from my \S.{0,40}|sendt fra outlook.{0,40}|sent from outlook.{0,40}|"
    r"hent outlook til (ios|android)|get outlook for (ios|android)|sendt fra mail til windows.{0,20}|"
    r"sent from mail for windows.{0,20}|sendt fra samsung.{0,40}|von meinem iphone gesendet)\s*(<[^>\s]{1,200}>)?\s*$",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _outlook_block_at(lines: list[str], index: int) -> bool:
    """An Outlook header block: From/Fra, then within a few lines Sent/Sendt and Subject/To/Emne/Til."""
    if not _BLOCK_FROM.match(lines[index]):
        return False
    window = lines[index + 1 : index + 8]
    return any(_BLOCK_SENT.match(line) for line in window) and any(_BLOCK_SUBJECT.match(line) for line in window)


def _attribution_at(lines: list[str], index: int) -> bool:
    line = lines[index]
    if len(line) > 400:
        return False
    if any(pattern.match(line) for pattern in _ATTRIBUTION_ONE_LINE):
        return True
    # Gmail wraps a long "On …, … wrote:" line over two lines.
    if _ATTRIBUTION_START.match(line) and index + 1 < len(lines):
        joined = f"{line.rstrip()} {lines[index + 1].strip()}"
        return any(pattern.match(joined) for pattern in _ATTRIBUTION_ONE_LINE)
    return False


def _last_unquoted(lines: list[str]) -> int:
    """Index of the last non-blank line that is not quoted; a ">" run after it lasts to the end."""
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() and not _is_quoted(lines[index]):
            return index
    return -1


def _cut_index(lines: list[str]) -> int | None:
    last_unquoted = _last_unquoted(lines)
    for index, line in enumerate(lines):
        if _FORWARDED.match(line):
            return None
        below = range(index + 1, min(index + 3, len(lines)))
        if _UNDERLINE.match(line) and any(_outlook_block_at(lines, i) for i in below):
            return index  # Outlook draws a line of underscores just above its header block.
        if (
            _ORIGINAL_MESSAGE.match(line)
            or _SIGNATURE.match(line)
            or _MOBILE_SIGNATURE.match(line)
            or _outlook_block_at(lines, index)
            or _attribution_at(lines, index)
            # A run of ">" lines to the end; answers interleaved with quotes stay new text.
            or (index > last_unquoted and _is_quoted(line))
        ):
            return index
    return None


def split_quoted(text: str) -> tuple[str, str]:
    """Return (new part, folded rest). When nothing new is left, the whole text is the new part."""
    lines = text.splitlines()
    cut = _cut_index(lines)
    if cut is None:
        return text.strip("\n"), ""
    new = "\n".join(lines[:cut]).rstrip()
    if not new.strip():
        return text.strip("\n"), ""
    return new.strip("\n"), "\n".join(lines[cut:]).strip("\n")
