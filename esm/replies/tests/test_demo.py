from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esm.replies import demo, services
from esm.replies.models import Macro, ReplyTemplate

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_templates_and_macros_once_and_they_work(technician, categories, teams, make_case):
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    demo.seed(now)
    demo.seed(now)  # idempotent
    assert ReplyTemplate.objects.filter(owner__isnull=True).count() == len(demo.SHARED_TEMPLATES)
    assert ReplyTemplate.objects.filter(owner=technician).count() == 1
    assert Macro.objects.count() == 3
    vvs = Macro.objects.get(name="Send til VVS-teamet")
    assert (vvs.category.code, vvs.team.code) == ("plumbing", "syd")
    case = make_case()
    for template in ReplyTemplate.objects.all():
        for language in ("da", "en"):
            text = services.render_template(template, case=case, actor=technician, language=language)
            assert "{{" not in text and case.number in text
