from __future__ import annotations

from typing import Any

import pytest

from esm.accounts.models import User
from esm.replies import services
from esm.replies.models import ReplyTemplate


@pytest.fixture
def shared_template(team_lead: User) -> ReplyTemplate:
    return services.create_template(
        team_lead,
        name="Håndværker bestilt",
        body_da="Kære {{kundenavn}}, håndværker bestilt til sag {{sagsnummer}}. Mvh {{tekniker}}",
        body_en="Dear {{customer_name}}, a contractor is ordered for case {{case_number}}. Regards {{technician}}",
        shared=True,
    )


@pytest.fixture
def make_template(team_lead: User) -> Any:
    def factory(actor: User | None = None, **fields: Any) -> ReplyTemplate:
        values: dict[str, Any] = {"name": "Skabelon", "body_da": "Hej {{kundenavn}}", "body_en": "", "shared": True}
        values.update(fields)
        return services.create_template(actor or team_lead, **values)

    return factory
