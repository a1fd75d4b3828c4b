"""Suggestions while a reporter types a title: public, published articles only, matched by word stems."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from esm.knowledge import queries
from esm.knowledge.models import Article
from esm.knowledge.text import query_stems

pytestmark = pytest.mark.django_db


def _slugs(suggestions: list[queries.Suggestion]) -> list[str]:
    return [s.article.slug for s in suggestions]


def test_typed_words_are_folded_and_stemmed() -> None:
    assert query_stems("Varmen er slukket") == ["varm", "slukk"]
    assert query_stems("NØGLER til døren") == ["nogl", "dor"]
    assert query_stems("a b 12 og") == []


@pytest.mark.parametrize(
    "typed",
    ["varme", "Varmen", "varmen virker ikke", "ingen VARME om sommeren", "heating", "the heating is off"],
)
def test_a_title_finds_the_heating_article(typed: str, heating_article: Article, keys_article: Article) -> None:
    assert _slugs(queries.suggest(None, typed))[:1] == [heating_article.slug]


@pytest.mark.parametrize("typed", ["nøgler", "nogler", "nøglebrik", "brikker", "key fob", "bestille nøgle"])
def test_danish_letters_and_compounds_find_the_keys_article(
    typed: str, heating_article: Article, keys_article: Article
) -> None:
    assert _slugs(queries.suggest(None, typed)) == [keys_article.slug]


def test_nothing_is_suggested_for_unrelated_or_short_words(heating_article: Article, keys_article: Article) -> None:
    assert queries.suggest(None, "") == []
    assert queries.suggest(None, "er på") == []
    assert queries.suggest(None, "elevator") == []


def test_internal_and_unpublished_articles_are_never_suggested(
    internal_article: Article, make_article: Any, technician: Any
) -> None:
    draft = make_article(title_da="Varmeplan", body_da="Kladde.", is_published=False)
    assert queries.suggest(technician, "varme fjernvarmeunit teknikrum") == []
    assert draft.slug not in _slugs(queries.suggest(None, "varmeplan"))


def test_more_matched_words_rank_first_then_the_chosen_category(
    make_article: Any, categories: Any, heating_article: Article
) -> None:
    radiator = make_article(
        title_da="Kolde radiatorer", body_da="Tjek termostaten.", title_en="", body_en="", categories=["plumbing"]
    )
    assert _slugs(queries.suggest(None, "kolde radiatorer om sommeren"))[0] == radiator.slug
    # one word each: the article in the chosen category wins
    cold = make_article(title_da="Kold luft", body_da="Vinduer.", title_en="", body_en="", categories=["glass"])
    ranked = _slugs(queries.suggest(None, "kold", category=categories["glass"]))
    assert ranked[0] == cold.slug and radiator.slug in ranked


def test_suggestions_are_in_the_reporters_language(heating_article: Article) -> None:
    [english] = queries.suggest(None, "varme", language="en")
    assert english.title == "The heating is off during the summer"
    assert english.excerpt.startswith("The central heating")
    [danish] = queries.suggest(None, "heating", language="da")
    assert danish.title == "Varmen er slukket om sommeren"


def test_the_suggest_fragment_links_to_the_article_with_the_query(
    heating_article: Article, customer: Any, categories: Any
) -> None:
    client = Client()
    client.force_login(customer)
    response = client.get(reverse("help:suggest"), {"title": "varmen", "category": "heating"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-suggestion="{heating_article.slug}"' in page
    assert f"/help/{heating_article.slug}/?from=report&amp;q=varmen&amp;category=heating" in page
    assert "<html" not in page
    empty = client.get(reverse("help:suggest"), {"title": "xy"}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200 and b"data-suggestion" not in empty.content


def test_reporters_never_see_internal_articles(
    internal_article: Article, heating_article: Article, customer: Any, tenant: Any, technician: Any
) -> None:
    for user in (customer, tenant):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("help:article", args=[internal_article.slug])).status_code == 404
        index = client.get(reverse("help:index"), {"q": "varme"}).content.decode()
        assert internal_article.slug not in index and heating_article.slug in index
        assert queries.search(user, "fjernvarmeunit").count() == 0
    desk = Client()
    desk.force_login(technician)
    assert desk.get(reverse("help:article", args=[internal_article.slug])).status_code == 200


def test_the_help_pages_need_a_sign_in(heating_article: Article) -> None:
    response = Client().get(reverse("help:article", args=[heating_article.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_report_form_carries_the_suggestions_box(customer: Any, categories: Any, building: Any) -> None:
    client = Client()
    client.force_login(customer)
    page = client.get(reverse("portal:report")).content.decode()
    assert 'id="article-suggestions"' in page
    assert 'hx-get="/help/suggest/"' in page and "from:#id_title" in page
    assert "knowledge/suggest.js" in page
