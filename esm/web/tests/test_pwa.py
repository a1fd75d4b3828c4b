"""The desk installs as a web app: a manifest, icons, and a service worker from the root."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_starts_on_my_cases_in_a_window_of_its_own(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "ESM Desk"
    assert manifest["start_url"] == "/desk/?queue=mine"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1d4e89"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


@pytest.mark.parametrize(
    ("name", "size"),
    [("icon-192.png", 192), ("icon-512.png", 512), ("icon-maskable-512.png", 512), ("apple-touch-icon.png", 180)],
)
def test_the_icons_are_square_pngs_of_their_size(name, size):
    path = finders.find(f"web/icons/{name}")
    assert path, name
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (size, size)


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/cases/outbox.js" in body and "/static/web/esm.css" in body
    assert 'request.method !== "GET"' in body  # never touches a POST: the outbox sends those


def test_handlers_get_the_manifest_and_the_service_worker(client, technician):
    client.force_login(technician)

    html = client.get(reverse("desk:queue")).content.decode()

    assert 'rel="manifest" href="/manifest.webmanifest"' in html
    assert 'name="esm-service-worker" content="/sw.js"' in html
    assert f'data-user="{technician.pk}"' in html


def test_customers_get_no_service_worker(client, customer):
    client.force_login(customer)

    html = client.get(reverse("portal:home")).content.decode()

    assert "esm-service-worker" not in html and 'rel="manifest"' not in html


def test_the_sign_in_page_tells_the_phone_to_forget_saved_pages(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert 'name="esm-signed-out"' in html


def test_the_case_page_carries_the_outbox_and_a_maps_link(client, technician, make_case):
    case = make_case()
    client.force_login(technician)

    html = client.get(reverse("desk:case", args=[case.number])).content.decode()

    assert 'id="outbox"' in html and "cases/outbox.js" in html
    assert 'name="client_key"' in html
    assert 'capture="environment"' in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=Absalonsgade+8%2C+1658+K%C3%B8benhavn+V" in html
