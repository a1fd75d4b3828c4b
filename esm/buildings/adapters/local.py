"""The default building register: a JSON file of BBR building objects keyed by BBR id (no network).

The file is ``{"<bbr id>": {"id_lokalId": "<bbr id>", "byg021BygningensAnvendelse": "320", ...}, ...}``,
the same objects the HTTP register returns. `sample_register.json` beside this module holds records
for the demo's buildings, whose BBR ids are `sample_bbr_id("KEJD-0001")` and so on.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.utils import timezone

from esm.buildings.adapters import RegisterError, RegisterRecord, record_from_bbr

SAMPLE_FILE = Path(__file__).with_name("sample_register.json")
SAMPLE_NAMESPACE = uuid.UUID("6f1c3a52-6c1e-4f0e-9a57-1b0d5e1f2a10")


def sample_bbr_id(property_number: str) -> uuid.UUID:
    """The BBR id the sample register gives a demo building (stable: derived from its property number)."""
    return uuid.uuid5(SAMPLE_NAMESPACE, property_number)


class LocalFileRegister:
    """Reads the whole file on every fetch, so edits to it count at once."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.source = f"BBR (local file {self.path.name})"

    def fetch(self, bbr_id: uuid.UUID) -> RegisterRecord | None:
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise RegisterError(f"the register file {self.path} does not exist") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RegisterError(f"the register file {self.path} cannot be read: {exc}") from exc
        if not isinstance(records, dict):
            raise RegisterError(f"the register file {self.path} must hold an object keyed by BBR id")
        data = records.get(str(bbr_id))
        if data is None:
            return None
        return record_from_bbr(data, source=self.source, fetched_at=timezone.now())
