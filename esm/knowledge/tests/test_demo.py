"""The demo's articles and counts: realistic, and safe to seed twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from esm.knowledge import queries
from esm.knowledge.demo import ARTICLES, seed
from esm.knowledge.models import Article, Deflection

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_articles_and_counts_once(technician: Any, categories: Any) -> None:
    now = timezone.now()
    seed(now)
    articles, rows = Article.objects.count(), Deflection.objects.count()
    seed(now)
    assert (Article.objects.count(), Deflection.objects.count()) == (articles, rows) == (len(ARTICLES), rows)
    assert rows > 0
    assert Article.objects.filter(slug="varmen-er-slukket-om-sommeren", visibility="public").exists()
    assert Article.objects.filter(slug="adgang-til-fjernvarmeunit", visibility="internal").exists()
    assert queries.suggest(None, "varmen")[0].article.slug == "varmen-er-slukket-om-sommeren"
    assert queries.suggest(None, "nøgler")[0].article.slug == "sadan-bestiller-du-nogler-og-noglebrikker"
    assert all(row["deflected"] <= row["opened"] <= row["suggested"] for row in queries.deflection_stats())
