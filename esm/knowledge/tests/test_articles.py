"""Writing articles in the desk: every save is a revision the history shows; only handlers write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from esm.core.errors import DomainError, ErrorCode
from esm.knowledge import services
from esm.knowledge.models import Article, ArticleRevision, Visibility

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_creating_an_article_writes_its_first_revision(heating_article: Article, technician: Any) -> None:
    revision = heating_article.revisions.get()
    assert (revision.number, revision.title_da, revision.edited_by) == (1, heating_article.title_da, technician)
    assert heating_article.slug == "varmen-er-slukket-om-sommeren"
    assert " varmen er slukket" in heating_article.search_text
    assert list(heating_article.categories.values_list("code", flat=True)) == ["heating"]


def test_each_update_writes_a_revision_and_a_save_without_changes_writes_none(
    heating_article: Article, team_lead: Any
) -> None:
    fields = {
        "title_da": "Varmen er slukket om sommeren",
        "body_da": "Ny tekst om sommerperioden.",
        "visibility": Visibility.PUBLIC,
        "is_published": True,
        "categories": ["heating"],
    }
    services.update_article(team_lead, article=heating_article, **fields)
    services.update_article(team_lead, article=heating_article, **fields)

    revisions = list(heating_article.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].body_da.startswith("Centralvarmen")
    assert (revisions[1].body_da, revisions[1].edited_by) == ("Ny tekst om sommerperioden.", team_lead)
    heating_article.refresh_from_db()
    assert heating_article.slug == "varmen-er-slukket-om-sommeren"  # the address never changes
    assert heating_article.title_en == ""  # the English text was removed with this save
    assert "sommerperioden" in heating_article.search_text


def test_the_history_lists_the_revisions_and_shows_an_old_one(heating_article: Article, technician: Any) -> None:
    services.update_article(
        technician, article=heating_article, title_da="Ingen varme om sommeren", body_da="Kort tekst."
    )
    client = _client(technician)

    history = client.get(reverse("knowledge:history", args=[heating_article.slug]))
    assert history.status_code == 200
    assert history.content.count(b"data-revision=") == 2

    old = client.get(reverse("knowledge:revision", args=[heating_article.slug, 1]))
    assert old.status_code == 200
    assert "Varmen er slukket om sommeren" in old.content.decode()
    assert client.get(reverse("knowledge:revision", args=[heating_article.slug, 9])).status_code == 404


def test_the_desk_form_creates_and_edits_an_article(technician: Any, categories: Any, building: Any) -> None:
    client = _client(technician)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title_da": "Fejlmelding af elevator",
            "body_da": "Tryk på alarmknappen.\n\n- Sæt et skilt op\n- <b>Ring</b> til os",
            "visibility": "public",
            "is_published": "on",
            "categories": ["electrical"],
            "buildings": building.property_number,
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:detail", args=[article.slug])
    assert list(article.buildings.all()) == [building]

    page = client.get(reverse("knowledge:detail", args=[article.slug])).content.decode()
    assert "<li>&lt;b&gt;Ring&lt;/b&gt; til os</li>" in page  # the text is never taken as HTML

    response = client.post(
        reverse("knowledge:edit", args=[article.slug]),
        {"title_da": "Fejlmelding af elevator", "body_da": "Ny tekst.", "visibility": "internal"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.visibility, article.is_published, article.revisions.count()) == ("internal", False, 2)
    assert not article.buildings.exists() and not article.categories.exists()


def test_a_form_with_errors_saves_nothing_and_says_why(technician: Any, categories: Any) -> None:
    response = _client(technician).post(
        reverse("knowledge:create"), {"title_da": "", "body_da": "Tekst", "buildings": "NOPE-1"}
    )
    assert response.status_code == 400
    assert b'id="article-form-errors"' in response.content
    assert not Article.objects.exists()

    response = _client(technician).post(
        reverse("knowledge:create"), {"title_da": "Titel", "body_da": "Tekst", "buildings": "NOPE-1"}
    )
    assert response.status_code == 400
    assert not Article.objects.exists() and not ArticleRevision.objects.exists()


def test_two_articles_with_the_same_title_get_different_addresses(make_article: Any) -> None:
    first, second = make_article(), make_article()
    assert first.slug != second.slug
    assert second.slug.startswith(first.slug)


@pytest.mark.parametrize("persona", ["customer", "tenant"])
def test_reporters_cannot_write_articles(persona: str, request: pytest.FixtureRequest, categories: Any) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(DomainError) as error:
        services.create_article(user, title_da="Titel", body_da="Tekst")
    assert error.value.code == ErrorCode.PERMISSION_DENIED
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "name,args",
    [
        ("knowledge:list", []),
        ("knowledge:create", []),
        ("knowledge:detail", ["varmen-er-slukket-om-sommeren"]),
        ("knowledge:edit", ["varmen-er-slukket-om-sommeren"]),
        ("knowledge:history", ["varmen-er-slukket-om-sommeren"]),
        ("knowledge:revision", ["varmen-er-slukket-om-sommeren", 1]),
    ],
)
def test_a_customer_cannot_reach_the_desk_knowledge_pages(
    name: str, args: list[Any], heating_article: Article, customer: Any
) -> None:
    url = reverse(name, args=args)
    assert _client(customer).get(url).status_code == 404
    assert _client(customer).post(url, {"title_da": "x", "body_da": "y"}).status_code in (404, 405)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert heating_article.revisions.count() == 1 and Article.objects.count() == 1


def test_the_desk_list_shows_counts_and_the_nav_link(heating_article: Article, technician: Any) -> None:
    response = _client(technician).get(reverse("knowledge:list"), {"q": "varme"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-article="{heating_article.slug}"' in page
    assert 'id="nav-knowledge"' in page and 'aria-current="page">' in page
    assert _client(technician).get(reverse("knowledge:list"), {"q": "elevator"}).content.count(b"data-article=") == 0


def test_an_article_never_takes_the_address_of_a_help_page(make_article: Any, customer: Any) -> None:
    article = make_article(title_da="Suggest")
    assert article.slug == "suggest-artikel"
    client = Client()
    client.force_login(customer)
    assert client.get(reverse("help:article", args=[article.slug])).status_code == 200
