"""Unpacks Outlook's winmail.dat (TNEF) into the files and body it carries, using tnefparse."""

from __future__ import annotations

import logging
from dataclasses import dataclass

__all__ = ["TnefContents", "unpack_tnef"]

TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"


@dataclass(frozen=True)
class TnefContents:
    attachments: tuple[tuple[str, bytes], ...]  # (file name as written by Outlook, data)
    body_text: str
    body_html: str


def _text(value: object) -> str:
    if isinstance(value, bytes):
        for encoding in ("utf-8", "cp1252"):
            try:
                return value.decode(encoding).strip("\x00")
            except UnicodeDecodeError:
                continue
        return value.decode("latin-1").strip("\x00")
    return value.strip("\x00") if isinstance(value, str) else ""


def unpack_tnef(data: bytes) -> TnefContents | None:
    """The contents of a TNEF blob, or None when it is not TNEF or cannot be read."""
    if not data.startswith(TNEF_SIGNATURE):
        return None
    try:
        from tnefparse.tnef import TNEF

        logging.getLogger("tnefparse").setLevel(logging.ERROR)
        tnef = TNEF(data, do_checksum=False)
        files: list[tuple[str, bytes]] = []
        for attachment in tnef.attachments:
            content = attachment.data if isinstance(attachment.data, bytes) else b""
            try:
                name = _text(attachment.long_filename())
            except Exception:
                name = ""
            files.append((name or _text(getattr(attachment, "_name", b"")), content))
        return TnefContents(tuple(files), _text(tnef.body), _text(tnef.htmlbody))
    except Exception:  # tnefparse raises all sorts on damaged blobs; the caller keeps winmail.dat raw
        return None
