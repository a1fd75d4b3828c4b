"""From a case: link an article (one timeline event, once) or turn a good answer into a new article."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from esm.cases.models import CaseEvent, EventKind
from esm.cases.services import add_internal_note, reply_to_case
from esm.cases.templatetags.case_tags import event_summary
from esm.core.errors import DomainError, ErrorCode
from esm.knowledge import services
from esm.knowledge.models import Article, CaseArticleLink

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _linked_events(case: Any) -> list[CaseEvent]:
    return list(case.events.filter(kind=EventKind.ARTICLE_LINKED))


def test_linking_records_one_internal_event_and_is_idempotent(
    make_case: Any, heating_article: Article, technician: Any
) -> None:
    case = make_case(title="Radiatoren er kold", category="heating")
    first = services.link_article(technician, case=case, article=heating_article)
    again = services.link_article(technician, case=case, article=heating_article)
    assert first.pk == again.pk
    [event] = _linked_events(case)
    assert (event.actor, event.is_public) == (technician, False)
    assert event.payload["slug"] == heating_article.slug
    assert event.payload["title"] == heating_article.title_da
    assert heating_article.title_da in event_summary(event)


def test_reporters_cannot_link(make_case: Any, heating_article: Article, customer: Any) -> None:
    case = make_case()
    with pytest.raises(DomainError) as error:
        services.link_article(customer, case=case, article=heating_article)
    assert error.value.code == ErrorCode.PERMISSION_DENIED
    assert not CaseArticleLink.objects.exists()
    response = _client(customer).post(reverse("knowledge:link"), {"case": case.number, "article": heating_article.slug})
    assert response.status_code == 404
    assert not _linked_events(case)


def test_the_link_form_links_and_returns_to_the_case(make_case: Any, heating_article: Article, technician: Any) -> None:
    case = make_case(title="Ingen varme i klasselokalet", category="heating")
    client = _client(technician)
    response = client.post(reverse("knowledge:link"), {"case": case.number, "article": heating_article.slug})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[case.number]) + "#knowledge"
    htmx = client.post(
        reverse("knowledge:link"), {"case": case.number, "article": heating_article.slug}, HTTP_HX_REQUEST="true"
    )
    assert htmx["HX-Redirect"] == reverse("desk:case", args=[case.number])
    assert len(_linked_events(case)) == 1

    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert f'data-linked-article="{heating_article.slug}"' in page
    assert 'data-kind="article_linked"' in page


def test_a_link_made_by_mistake_is_removed_from_the_case_page_and_the_timeline_says_so(
    make_case: Any, heating_article: Article, technician: Any
) -> None:
    case = make_case(title="Ingen varme i klasselokalet", category="heating")
    services.link_article(technician, case=case, article=heating_article)
    client = _client(technician)
    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert f'data-unlink-article="{heating_article.slug}"' in page

    response = client.post(reverse("knowledge:unlink"), {"case": case.number, "article": heating_article.slug})
    again = services.unlink_article(technician, case=case, article=heating_article)  # nothing left to remove

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[case.number]) + "#knowledge"
    assert not CaseArticleLink.objects.filter(case=case).exists()
    assert again is False
    [event] = case.events.filter(kind=EventKind.ARTICLE_UNLINKED)
    assert (event.actor, event.is_public, event.payload["slug"]) == (technician, False, heating_article.slug)
    assert heating_article.title_da in event_summary(event)
    page = client.get(reverse("desk:case", args=[case.number])).content.decode()
    assert f'data-linked-article="{heating_article.slug}"' not in page
    assert 'data-kind="article_unlinked"' in page


def test_reporters_cannot_unlink(make_case: Any, heating_article: Article, technician: Any, customer: Any) -> None:
    case = make_case()
    services.link_article(technician, case=case, article=heating_article)
    with pytest.raises(DomainError) as error:
        services.unlink_article(customer, case=case, article=heating_article)
    assert error.value.code == ErrorCode.PERMISSION_DENIED
    response = _client(customer).post(
        reverse("knowledge:unlink"), {"case": case.number, "article": heating_article.slug}
    )
    assert response.status_code == 404
    assert CaseArticleLink.objects.filter(case=case).count() == 1


def test_the_case_panel_suggests_matching_articles_including_internal_ones(
    make_case: Any, heating_article: Article, internal_article: Article, keys_article: Article, technician: Any
) -> None:
    case = make_case(title="Varmen virker ikke i fjernvarmeunit", category="heating")
    page = _client(technician).get(reverse("desk:case", args=[case.number])).content.decode()
    assert f'data-suggested-article="{heating_article.slug}"' in page
    assert f'data-suggested-article="{internal_article.slug}"' in page
    assert f'data-suggested-article="{keys_article.slug}"' not in page


def test_the_panel_search_shows_link_buttons(make_case: Any, keys_article: Article, technician: Any) -> None:
    case = make_case()
    client = _client(technician)
    fragment = client.get(reverse("knowledge:list"), {"case": case.number, "q": "nøgle"}, HTTP_HX_REQUEST="true")
    assert f'data-link-article="{keys_article.slug}"' in fragment.content.decode()
    assert b"<html" not in fragment.content
    full = client.get(reverse("knowledge:list"), {"case": case.number, "q": "nøgle"})
    assert f'data-link-article="{keys_article.slug}"' in full.content.decode()


def test_a_desk_reply_offers_to_become_an_article_and_other_events_do_not(
    make_case: Any, technician: Any, customer: Any
) -> None:
    case = make_case()
    answer = reply_to_case(technician, case=case, body="Vi har bestilt en glarmester.")
    question = reply_to_case(customer, case=case, body="Hvornår kommer I?")
    add_internal_note(technician, case=case, body="Husk afspærring")
    page = _client(technician).get(reverse("desk:case", args=[case.number])).content.decode()
    assert f'data-make-article="{answer.pk}"' in page
    assert f'data-make-article="{question.pk}"' not in page
    assert page.count("data-make-article=") == 1


def test_an_article_from_a_reply_is_prefilled_and_saving_links_it(
    make_case: Any, technician: Any, building: Any, categories: Any
) -> None:
    case = make_case(title="Tilstoppet afløb på toilettet", category="plumbing")
    answer = reply_to_case(technician, case=case, body="Hæld kogende vand i afløbet og brug en svupper.")

    initial = services.article_from_reply(technician, event=answer)
    assert initial["title_da"] == "Tilstoppet afløb på toilettet"
    assert initial["body_da"] == answer.body
    assert initial["categories"] == [categories["plumbing"].pk]
    assert initial["buildings"] == [building.property_number]

    client = _client(technician)
    form = client.get(reverse("knowledge:create"), {"from_event": answer.pk}).content.decode()
    assert 'value="Tilstoppet afløb på toilettet"' in form
    assert "Hæld kogende vand i afløbet" in form
    assert f'name="source_event" value="{answer.pk}"' in form
    assert re.search(r'<input type="checkbox" name="categories" value="plumbing"[^>]* checked>', form)
    assert f'value="{building.property_number}"' in form

    response = client.post(
        reverse("knowledge:create"),
        {
            "title_da": "Tilstoppet afløb – det kan du selv gøre",
            "body_da": answer.body,
            "visibility": "public",
            "is_published": "on",
            "categories": ["plumbing"],
            "buildings": building.property_number,
            "source_event": answer.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[case.number])
    article = Article.objects.get()
    assert CaseArticleLink.objects.filter(case=case, article=article).exists()
    assert len(_linked_events(case)) == 1


def test_only_desk_answers_become_articles(make_case: Any, technician: Any, customer: Any) -> None:
    case = make_case()
    question = reply_to_case(customer, case=case, body="Hvornår kommer I?")
    with pytest.raises(DomainError):
        services.article_from_reply(technician, event=question)
    with pytest.raises(DomainError):
        services.create_article(technician, title_da="x", body_da="y", source_event=question)
    assert not Article.objects.exists()
