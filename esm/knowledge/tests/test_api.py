"""The knowledge API: suggestions for a title (public, published articles only), for any signed-in caller."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from esm.api.tests.helpers import ApiCaller, assert_problem
from esm.knowledge import queries
from esm.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client: Client) -> Any:
    return lambda user: ApiCaller(client, user)


@pytest.mark.parametrize("persona", ["customer", "tenant", "technician", "administrator"])
def test_any_signed_in_caller_gets_suggestions(
    request: Any, api_as: Any, persona: str, heating_article: Article, keys_article: Article
) -> None:
    response = api_as(request.getfixturevalue(persona)).get(
        "/knowledge/suggestions", {"title": "varmen virker ikke", "language": "da"}
    )

    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "slug": heating_article.slug,
            "title": "Varmen er slukket om sommeren",
            "excerpt": "Centralvarmen slukkes fra 15. maj til 15. september.",
            "url": f"/help/{heating_article.slug}/",
        }
    ]


def test_english_titles_and_excerpts_on_request(api_as: Any, customer: Any, heating_article: Article) -> None:
    response = api_as(customer).get("/knowledge/suggestions", {"title": "heating", "language": "en"})

    assert [row["title"] for row in response.json()] == ["The heating is off during the summer"]


def test_the_category_ranks_its_articles_first(api_as: Any, customer: Any, make_article: Any) -> None:
    heating = make_article(title_da="Radiatoren er kold", body_da="Luft radiatoren ud.", categories=["heating"])
    locks = make_article(title_da="Kold dørhåndtag", body_da="Dørhåndtaget er koldt.", categories=["locks"])

    def slugs(category: str) -> list[str]:
        found = api_as(customer).get("/knowledge/suggestions", {"title": "kold", "category": category})
        assert found.status_code == 200, found.content
        return [row["slug"] for row in found.json()]

    assert slugs("heating")[0] == heating.slug
    assert slugs("locks")[0] == locks.slug


def test_internal_and_unpublished_articles_are_never_returned(
    api_as: Any, technician: Any, customer: Any, internal_article: Article, make_article: Any
) -> None:
    draft = make_article(title_da="Fjernvarme kladde", is_published=False)
    assert set(queries.search(technician, "fjernvarme")) == {internal_article, draft}  # the desk finds both

    for caller in (technician, customer):
        response = api_as(caller).get("/knowledge/suggestions", {"title": "fjernvarmeunit fjernvarme teknikrum"})
        assert response.status_code == 200, response.content
        assert {row["slug"] for row in response.json()}.isdisjoint({internal_article.slug, draft.slug})


def test_nothing_matching_is_an_empty_list(api_as: Any, customer: Any, heating_article: Article) -> None:
    assert api_as(customer).get("/knowledge/suggestions", {"title": "og"}).json() == []


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"title": "varme", "language": "de"}, 422, "validation_error", "language"),
        ({}, 422, "validation_error", "title"),
        ({"title": "x" * 201}, 422, "validation_error", "title"),
        ({"title": "varme", "category": "nope"}, 400, "unknown_category", "category"),
    ],
)
def test_invalid_questions_are_problems_naming_the_field(
    api_as: Any, customer: Any, params: dict[str, str], status: int, code: str, field: str
) -> None:
    problem = assert_problem(api_as(customer).get("/knowledge/suggestions", params), status, code)

    assert field in problem["errors"], problem


def test_anonymous_callers_get_401(client: Client, heating_article: Article) -> None:
    assert client.get("/api/v1/knowledge/suggestions", {"title": "varme"}).status_code == 401
