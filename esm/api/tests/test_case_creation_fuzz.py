"""Property: whatever body is thrown at POST /api/v1/cases, the answer is never a 5xx,
and an answer other than 201 created nothing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from esm.api.tests.helpers import API
from esm.cases.models import Attachment, Case, CaseEvent

FIELDS = ["title", "description", "building", "category", "priority", "location", "channel", "complexity", "reporter"]
VALID = {
    "title": "Knust rude",
    "description": "Ruden i 2.B er knust.",
    "building": "E-1001",
    "category": "glass",
    "priority": "normal",
}
PLAUSIBLE = [
    "E-1001", "E-2002", "1", "glass", "plumbing", "unicorns", "urgent", "high", "normal", "low", "api", "phone",
    "easy", "complex", "", " ", "lise", "jonas", "tekniker", "S-2026-000001", "null", "\x00", "\u202e", "😀",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**300),
    st.floats(),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
huge_text = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=4), st.integers(2_000, 60_000))
values = st.one_of(st.sampled_from(PLAUSIBLE), json_values, huge_text)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=20))

# a valid report with a few fields replaced (mostly by plausible text), dropped or added
near_valid = st.builds(
    lambda replaced, dropped: {**{k: v for k, v in VALID.items() if k not in dropped}, **replaced},
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=30)), max_size=3)
    | st.dictionaries(keys, values, max_size=3),
    st.sets(st.sampled_from(list(VALID)), max_size=1),
)
bodies = st.one_of(near_valid, near_valid, st.dictionaries(keys, values, max_size=12), json_values)
raw_bodies = st.tuples(
    st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]
    ),
)


def count() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Attachment.objects.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    who=st.sampled_from(["customer", "tenant", "technician"]),
    body=st.one_of(bodies.map(lambda body: (json.dumps(body).encode(), "application/json")), raw_bodies),
)
def test_no_body_makes_case_creation_fail_with_a_5xx_or_write_half_way(
    api_as, customer, tenant, technician, building, categories, who: str, body: tuple[bytes, str]
):
    caller = api_as({"customer": customer, "tenant": tenant, "technician": technician}[who])
    data, content_type = body
    before = count()

    response = caller.client.post(f"{API}/cases", data, content_type=content_type, headers=caller.headers)

    assert response.status_code < 500, response.content
    event(f"HTTP {response.status_code}")
    after = count()
    if response.status_code == 201:
        number = response.json()["number"]
        assert Case.objects.filter(number=number).exists()
        assert after[0] == before[0] + 1
    else:
        assert 400 <= response.status_code < 500
        assert response["Content-Type"] == "application/problem+json"
        problem: dict[str, Any] = response.json()
        assert problem["status"] == response.status_code and problem["code"]
        assert after == before
