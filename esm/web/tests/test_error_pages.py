"""Error pages speak the user's language and lead back to the front page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_customer_guessing_a_case_number_gets_a_danish_not_found_page(client, customer, settings):
    settings.DEBUG = False
    client.force_login(customer)

    response = client.get("/portal/cases/S-2026-999999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Ikke fundet" in page
    assert 'href="/"' in page
