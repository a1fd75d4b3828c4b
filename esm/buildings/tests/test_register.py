"""The building register adapter against a real HTTP server on loopback, the local file, and the refresh service."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from esm.accounts.models import User
from esm.buildings.adapters import RegisterError, get_register, utm32_to_wgs84, wgs84_to_utm32
from esm.buildings.adapters.http import HttpRegister
from esm.buildings.adapters.local import SAMPLE_FILE, LocalFileRegister, sample_bbr_id
from esm.buildings.models import Building
from esm.buildings.register import refresh_from_register, refresh_stale_buildings
from esm.core.errors import DomainError

KNOWN = uuid.UUID("0a3f507a-b2e6-32b8-e044-0003ba298018")
UNKNOWN = uuid.UUID("11111111-1111-4111-8111-111111111111")
GONE = uuid.UUID("40400000-0000-4000-8000-000000000404")
BROKEN = uuid.UUID("50000000-0000-4000-8000-000000000500")
SLOW = uuid.UUID("5a000000-0000-4000-8000-0000000005a0")
NONSENSE = uuid.UUID("70000000-0000-4000-8000-000000000700")
RECORD = {
    "id_lokalId": str(KNOWN),
    "byg021BygningensAnvendelse": "421",
    "byg026Opførelsesår": 1898,
    "byg038SamletBygningsareal": 4312,
    "byg404Koordinat": "POINT(724351.93 6175804.02)",
}


class FakeBbr(BaseHTTPRequestHandler):
    """BBR's /bygninger?id_lokalId=… with a known building, a 404, a 500, a slow answer and nonsense."""

    hits: dict[str, int] = {}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        wanted = parse_qs(url.query).get("id_lokalId", [""])[0]
        FakeBbr.hits[wanted] = FakeBbr.hits.get(wanted, 0) + 1
        if url.path != "/bbr/bygninger" or wanted == str(GONE):
            return self._send(404, b'{"message": "not found"}')
        if wanted == str(BROKEN):
            return self._send(500, b"Internal Server Error")
        if wanted == str(SLOW):
            time.sleep(1.0)
            return self._send(200, b"[]")
        if wanted == str(NONSENSE):
            return self._send(200, b"<html>maintenance</html>")
        body = [RECORD] if wanted == str(KNOWN) else []
        return self._send(200, json.dumps(body).encode())

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the slow case)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bbr_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBbr)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeBbr.hits = {}
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bbr"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def register(bbr_server: str) -> HttpRegister:
    return HttpRegister(bbr_server, timeout=0.3, attempts=2, pause=0.01)


def with_bbr_id(building: Building, bbr_id: uuid.UUID) -> Building:
    building.bbr_id = bbr_id
    building.save()
    return building


def facts(building: Building) -> tuple[Any, ...]:
    building.refresh_from_db()
    return (
        building.year_built,
        building.gross_area_m2,
        building.bbr_use_code,
        building.latitude,
        building.fact_sources,
    )


# --- the HTTP adapter ------------------------------------------------------------------------


def test_refresh_updates_the_facts_and_records_their_source(building: Building, register: HttpRegister) -> None:
    with_bbr_id(building, KNOWN)

    changed = refresh_from_register(building, register=register)

    assert changed == ["year_built", "gross_area_m2", "bbr_use_code", "latitude", "longitude"]
    building.refresh_from_db()
    assert (building.year_built, building.gross_area_m2, building.bbr_use_code) == (1898, 4312, "421")
    assert (building.latitude, building.longitude) == (Decimal("55.676100"), Decimal("12.568300"))
    source = building.fact_sources["year_built"]
    assert source["source"] == f"BBR ({register.base_url})"
    assert timezone.now() - timezone.datetime.fromisoformat(source["at"]) < timedelta(minutes=1)
    assert building.updated_at is not None

    assert refresh_from_register(building, register=register) == []  # the second time: confirmed, not changed


def test_a_building_the_register_does_not_know_is_a_clear_not_found(building: Building, register: HttpRegister) -> None:
    for bbr_id in (UNKNOWN, GONE):  # an empty list and a 404 both mean "not in the register"
        with_bbr_id(building, bbr_id)
        before = facts(building)

        with pytest.raises(DomainError) as raised:
            refresh_from_register(building, register=register)

        assert raised.value.code == "not_found"
        assert str(bbr_id) in raised.value.message
        assert facts(building) == before


@pytest.mark.parametrize(
    ("bbr_id", "words"), [(BROKEN, "HTTP 500"), (SLOW, "svarede ikke inden for 0.3 s"), (NONSENSE, "ikke JSON")]
)
def test_a_failing_register_changes_nothing_and_says_why(
    building: Building, register: HttpRegister, bbr_id: uuid.UUID, words: str
) -> None:
    with_bbr_id(building, bbr_id)
    before = facts(building)
    started = time.monotonic()

    with pytest.raises(DomainError) as raised:
        refresh_from_register(building, register=register)

    assert words in raised.value.message
    assert "Intet blev ændret" in raised.value.message
    assert facts(building) == before
    assert time.monotonic() - started < 3  # bounded: 2 attempts × 0.3 s timeout
    if bbr_id in (BROKEN, SLOW):
        assert FakeBbr.hits[str(bbr_id)] == 2  # retried once
    else:
        assert FakeBbr.hits[str(bbr_id)] == 1  # nonsense is not retried


def test_an_unreachable_register_is_an_error_not_a_crash(building: Building) -> None:
    with_bbr_id(building, KNOWN)
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    register = HttpRegister(f"http://127.0.0.1:{port}", timeout=0.3, attempts=2, pause=0.01)

    with pytest.raises(DomainError, match="kan ikke nås"):
        refresh_from_register(building, register=register)


def test_a_building_without_bbr_id_is_not_sent_to_the_register(building: Building, register: HttpRegister) -> None:
    with pytest.raises(DomainError) as raised:
        refresh_from_register(building, register=register)

    assert raised.value.code == "validation_error"
    assert FakeBbr.hits == {}


def test_settings_choose_the_http_register(settings: Any, bbr_server: str) -> None:
    settings.ESM_BUILDING_REGISTER = "http"
    settings.ESM_BUILDING_REGISTER_URL = bbr_server
    settings.ESM_BUILDING_REGISTER_TIMEOUT = 2

    register = get_register()

    assert isinstance(register, HttpRegister)
    record = register.fetch(KNOWN)
    assert record is not None and record.year_built == 1898


# --- the local file --------------------------------------------------------------------------


def test_the_local_register_ships_facts_for_the_demo_buildings(settings: Any, building: Building) -> None:
    settings.ESM_BUILDING_REGISTER = "local"
    settings.ESM_BUILDING_REGISTER_FILE = str(SAMPLE_FILE)
    with_bbr_id(building, sample_bbr_id("KEJD-0001"))

    changed = refresh_from_register(building)

    assert "year_built" in changed
    building.refresh_from_db()
    assert building.bbr_use_code == "421"  # the first demo building is a school
    assert 55.6 < float(building.latitude or 0) < 55.75 and 12.4 < float(building.longitude or 0) < 12.7
    assert building.fact_sources["year_built"]["source"] == "BBR (local file sample_register.json)"
    records = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert len(records) == 62
    assert str(sample_bbr_id("KEJD-0062")) in records


def test_a_missing_or_broken_register_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="does not exist"):
        LocalFileRegister(tmp_path / "nope.json").fetch(KNOWN)
    broken = tmp_path / "broken.json"
    broken.write_text('{"0a3f507a-b2e6-32b8-e044-0003ba298018": {"id_lokalId": "0a3f507a-b2e6-32b8-e044-0003ba298018", '
                      '"byg026Opførelsesår": "gammel"}}', encoding="utf-8")  # fmt: skip
    with pytest.raises(RegisterError, match="byg026Opførelsesår is not a whole number"):
        LocalFileRegister(broken).fetch(KNOWN)


def test_utm32_coordinates_convert_both_ways() -> None:
    assert wgs84_to_utm32(0, 9) == (500000.0, 0.0)  # zone 32's origin: the equator at 9° E
    assert round(wgs84_to_utm32(55, 9)[1], 1) == 6094791.4  # 0.9996 × the GRS80 meridian arc to 55° N
    for latitude, longitude in [(55.6761, 12.5683), (57.048, 9.9187), (54.9, 8.3), (55.1, 14.7)]:
        easting, northing = wgs84_to_utm32(latitude, longitude)
        assert utm32_to_wgs84(easting, northing) == (Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}"))


# --- the schedule ------------------------------------------------------------------------------


def test_the_schedule_refreshes_stale_buildings_and_records_errors(
    building: Building, other_building: Building, register: HttpRegister
) -> None:
    with_bbr_id(building, KNOWN)
    with_bbr_id(other_building, BROKEN)

    run = refresh_stale_buildings(register=register, max_age_days=30, limit=10)

    assert run is not None
    assert run.mapping_name == "register"
    assert (run.total_rows, run.updated_count, run.unchanged_count, run.error_count) == (2, 1, 0, 1)
    assert run.errors[0]["key"] == "E-2002" and "HTTP 500" in run.errors[0]["message"]
    assert run.changes[0]["key"] == "E-1001"
    assert run.changes[0]["changes"]["year_built"] == [None, 1898]
    assert run.state == "done"

    again = refresh_stale_buildings(register=register, max_age_days=30, limit=10)

    assert again is not None and again.total_rows == 1  # only the one that failed is still stale
    assert again.state == "failed"


def test_the_schedule_leaves_fresh_facts_alone_until_they_are_old(building: Building, register: HttpRegister) -> None:
    with_bbr_id(building, KNOWN)
    refresh_from_register(building, register=register)

    assert refresh_stale_buildings(register=register, max_age_days=30, limit=10) is None

    old = (timezone.now() - timedelta(days=31)).isoformat()
    building.refresh_from_db()
    building.fact_sources = {name: {**entry, "at": old} for name, entry in building.fact_sources.items()}
    building.save()
    run = refresh_stale_buildings(register=register, max_age_days=30, limit=10)
    assert run is not None and run.unchanged_count == 1


def test_the_beat_task_uses_the_configured_register(settings: Any, building: Building, bbr_server: str) -> None:
    from esm.buildings.tasks import refresh_stale_buildings as task

    settings.ESM_BUILDING_REGISTER = "http"
    settings.ESM_BUILDING_REGISTER_URL = bbr_server
    with_bbr_id(building, KNOWN)

    assert task.delay().get() == 1
    building.refresh_from_db()
    assert building.year_built == 1898
    assert "refresh-building-facts" in settings.CELERY_BEAT_SCHEDULE


# --- the button ---------------------------------------------------------------------------------


def test_a_technician_fetches_facts_from_the_building_page(
    settings: Any, client: Client, technician: User, building: Building, bbr_server: str
) -> None:
    settings.ESM_BUILDING_REGISTER = "http"
    settings.ESM_BUILDING_REGISTER_URL = bbr_server
    with_bbr_id(building, KNOWN)
    client.force_login(technician)

    response = client.post("/desk/buildings/import/refresh/E-1001/", {"next": "/desk/buildings/E-1001/"}, follow=False)

    assert response.status_code == 302
    assert response["Location"] == "/desk/buildings/E-1001/"
    building.refresh_from_db()
    assert building.year_built == 1898


def test_the_button_reports_a_register_failure_and_changes_nothing(
    settings: Any, client: Client, technician: User, building: Building, bbr_server: str
) -> None:
    settings.ESM_BUILDING_REGISTER = "http"
    settings.ESM_BUILDING_REGISTER_URL = bbr_server
    settings.ESM_BUILDING_REGISTER_TIMEOUT = 1
    technician.language = "en"
    technician.save()
    with_bbr_id(building, GONE)
    client.force_login(technician)

    response = client.post("/desk/buildings/import/refresh/E-1001/", {"next": "/desk/"}, follow=True)

    assert "has no building with BBR id" in response.content.decode()
    building.refresh_from_db()
    assert building.year_built is None


def test_only_desk_users_may_press_the_button(client: Client, customer: User, building: Building) -> None:
    client.force_login(customer)

    assert client.post("/desk/buildings/import/refresh/E-1001/").status_code == 404
    assert client.get("/desk/buildings/import/refresh/E-1001/").status_code == 404
