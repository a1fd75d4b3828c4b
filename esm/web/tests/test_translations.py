"""Danish is the default language: every string in the catalogue has a Danish translation."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "esm" / "locale" / "da" / "LC_MESSAGES" / "django.po"


def test_every_string_in_the_danish_catalogue_is_translated():
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]  # the first entry is the header

    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    empty = [entry for entry in entries if re.search(r'msgstr(\[\d\])? ""$', entry) and not entry.startswith("#~")]

    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]


def _msgids(po_text: str) -> set[str]:
    """The singular msgids of a .po file (enough to compare it with the compiled catalogue)."""
    ids = set()
    for entry in po_text.split("\n\n")[1:]:
        lines = entry.splitlines()
        start = next((n for n, line in enumerate(lines) if line.startswith("msgid ")), None)
        if start is None or any(line.startswith("msgctxt") for line in lines):
            continue
        parts = [lines[start][6:]]
        for line in lines[start + 1 :]:
            if not line.startswith('"'):
                break
            parts.append(line)
        ids.add("".join(json.loads(part) for part in parts))
    return ids


def test_the_compiled_catalogue_matches_its_source():
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    keys = {key[0] if isinstance(key, tuple) else key for key in catalogue._catalog}  # type: ignore[attr-defined]

    missing = _msgids(CATALOGUE.read_text(encoding="utf-8")) - keys

    assert not missing, f"run `make messages` (compilemessages); not compiled: {sorted(missing)[:5]}"
