"""Case deflection: how often a suggested article is shown, opened and solves the problem — per article,
once per session, and never for internal articles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from esm.cases.models import Case
from esm.core.errors import DomainError, ErrorCode
from esm.knowledge import queries, services
from esm.knowledge.models import Article, Deflection, DeflectionKind

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counts(article: Article) -> dict[str, int]:
    return queries.counts_for(article)


def test_opening_from_the_suggestions_counts_once_per_session(heating_article: Article, customer: Any) -> None:
    client = _client(customer)
    url = reverse("help:article", args=[heating_article.slug])
    client.get(url, {"from": "report", "q": "varmen"})
    client.get(url, {"from": "report", "q": "varmen"})
    client.get(url)  # opened from the help list, not from a report: not counted
    assert _counts(heating_article) == {"suggested": 0, "opened": 1, "deflected": 0}
    row = Deflection.objects.get()
    assert (row.user, row.query) == (customer, "varmen")
    assert client.session.session_key not in row.session  # the session key itself is never stored

    _client(customer).get(url, {"from": "report", "q": "varme"})  # another session (another phone)
    assert _counts(heating_article)["opened"] == 2


def test_solved_counts_one_deflection_and_creates_no_case(heating_article: Article, customer: Any) -> None:
    client = _client(customer)
    response = client.post(reverse("help:solved", args=[heating_article.slug]), {"q": "varmen"})
    assert response.status_code == 302
    assert response["Location"] == reverse("help:thanks", args=[heating_article.slug])
    assert _counts(heating_article)["deflected"] == 1
    assert not Case.objects.exists()

    client.post(reverse("help:solved", args=[heating_article.slug]), {"q": "varmen"})  # pressed twice
    assert _counts(heating_article)["deflected"] == 1
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and b'id="deflection-thanks"' in thanks.content


def test_counts_are_per_article(heating_article: Article, keys_article: Article, customer: Any, colleague: Any) -> None:
    for user in (customer, colleague):
        _client(user).post(reverse("help:solved", args=[heating_article.slug]))
    _client(customer).post(reverse("help:solved", args=[keys_article.slug]))
    assert _counts(heating_article)["deflected"] == 2
    assert _counts(keys_article)["deflected"] == 1
    stats = {row["slug"]: row for row in queries.deflection_stats()}
    assert (stats[heating_article.slug]["deflected"], stats[keys_article.slug]["deflected"]) == (2, 1)


def test_anonymous_requests_count_nothing(heating_article: Article) -> None:
    client = Client()
    response = client.post(reverse("help:solved", args=[heating_article.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.get(reverse("help:article", args=[heating_article.slug]), {"from": "report"})
    assert not Deflection.objects.exists()


def test_the_service_counts_nothing_without_a_session(heating_article: Article) -> None:
    assert services.record_deflection(None, article=heating_article, query="varme", session_key=None) is False
    assert services.record_deflection(None, article=heating_article, query="varme", session_key="abc") is True
    assert services.record_deflection(None, article=heating_article, query="varme", session_key="abc") is False
    assert Deflection.objects.count() == 1


def test_internal_articles_are_never_counted(internal_article: Article, technician: Any, customer: Any) -> None:
    with pytest.raises(DomainError) as error:
        services.record_deflection(customer, article=internal_article, query="x", session_key="abc")
    assert error.value.code == ErrorCode.NOT_FOUND
    assert _client(customer).post(reverse("help:solved", args=[internal_article.slug])).status_code == 404
    _client(technician).post(reverse("help:solved", args=[internal_article.slug]))
    assert not Deflection.objects.exists()


def test_suggestions_count_once_per_article_per_session_while_typing(
    heating_article: Article, keys_article: Article, customer: Any
) -> None:
    client = _client(customer)
    for typed in ("var", "varm", "varme", "varmen", "varmen er", "varmen er slukket"):
        client.get(reverse("help:suggest"), {"title": typed}, HTTP_HX_REQUEST="true")
    client.get(reverse("help:suggest"), {"title": "nøgler"}, HTTP_HX_REQUEST="true")
    assert _counts(heating_article)["suggested"] == 1
    assert _counts(keys_article)["suggested"] == 1
    assert Deflection.objects.filter(kind=DeflectionKind.SUGGESTED).count() == 2


def test_the_desk_list_shows_the_counts(heating_article: Article, customer: Any, technician: Any) -> None:
    client = _client(customer)
    client.get(reverse("help:suggest"), {"title": "varmen"}, HTTP_HX_REQUEST="true")
    client.get(reverse("help:article", args=[heating_article.slug]), {"from": "report", "q": "varmen"})
    client.post(reverse("help:solved", args=[heating_article.slug]), {"q": "varmen"})
    page = _client(technician).get(reverse("knowledge:list")).content.decode()
    assert '<td data-count="suggested">1</td>' in page
    assert '<td data-count="opened">1</td>' in page
    assert '<td data-count="deflected">1</td>' in page
    [row] = queries.deflection_stats()
    assert (row["rate_suggested"], row["rate_opened"]) == (1.0, 1.0)


def test_the_article_page_from_a_report_offers_both_ways(heating_article: Article, customer: Any) -> None:
    page = (
        _client(customer)
        .get(
            reverse("help:article", args=[heating_article.slug]),
            {"from": "report", "q": "varmen", "category": "heating"},
        )
        .content.decode()
    )
    assert 'id="solved-button"' in page
    assert 'href="/portal/report/?title=varmen&amp;category=heating"' in page


def test_the_article_page_in_the_desk_shows_the_rate(heating_article: Article, customer: Any, technician: Any) -> None:
    client = _client(customer)
    client.get(reverse("help:article", args=[heating_article.slug]), {"from": "report"})
    _client(customer).get(reverse("help:article", args=[heating_article.slug]), {"from": "report"})  # another phone
    client.post(reverse("help:solved", args=[heating_article.slug]))
    page = _client(technician).get(reverse("knowledge:detail", args=[heating_article.slug])).content.decode()
    assert '<dd data-count="opened">2</dd>' in page
    assert '<dd data-rate="opened">50 %</dd>' in page
