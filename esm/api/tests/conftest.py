from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from esm.accounts.models import User
from esm.api.tests.helpers import ApiCaller


@pytest.fixture
def api_as(client: Client) -> Any:
    """`api_as(user).get("/cases")`: the API as this persona, with a fresh bearer token."""

    def caller(user: User) -> ApiCaller:
        return ApiCaller(client, user)

    return caller
