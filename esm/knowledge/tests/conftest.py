from __future__ import annotations

from typing import Any

import pytest

from esm.accounts.models import User
from esm.cases.models import Category
from esm.knowledge import services
from esm.knowledge.models import Article, Visibility


@pytest.fixture
def make_article(technician: User, categories: dict[str, Category]) -> Any:
    def factory(actor: User | None = None, **fields: Any) -> Article:
        values: dict[str, Any] = {
            "title_da": "Varmen er slukket om sommeren",
            "body_da": "Centralvarmen slukkes fra 15. maj til 15. september.",
            "title_en": "The heating is off during the summer",
            "body_en": "The central heating is off from 15 May to 15 September.",
            "visibility": Visibility.PUBLIC,
            "is_published": True,
            "categories": ["heating"],
        }
        values.update(fields)
        return services.create_article(actor or technician, **values)

    return factory


@pytest.fixture
def heating_article(make_article: Any) -> Article:
    return make_article()


@pytest.fixture
def keys_article(make_article: Any) -> Article:
    return make_article(
        title_da="Sådan bestiller du nøgler og nøglebrikker",
        body_da="Nøglebrikker bestilles af lederen.",
        title_en="How to order keys and key fobs",
        body_en="Key fobs are ordered by the head of the institution.",
        categories=["locks"],
    )


@pytest.fixture
def internal_article(make_article: Any) -> Article:
    return make_article(
        title_da="Adgang til fjernvarmeunit",
        body_da="Varmeunitten står i teknikrummet; nøgle T-14.",
        title_en="",
        body_en="",
        visibility=Visibility.INTERNAL,
    )
