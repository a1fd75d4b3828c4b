"""Case deflection on a phone: a teacher starts to report that the heating is off, a matching help
article appears under the title as she types, she opens it, presses "This solved my problem" — the
deflection is counted for that article and no case is created."""

from __future__ import annotations

import re

import pytest

from esm.cases.models import Case
from esm.knowledge import queries, services
from esm.knowledge.models import Visibility
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_finds_the_answer_while_typing_and_does_not_report(
    live_server, phone, customer, technician, building, categories
):
    article = services.create_article(
        technician,
        title_da="Varmen er slukket om sommeren",
        body_da="Centralvarmen i kommunens bygninger slukkes fra 15. maj til 15. september.",
        title_en="The heating is off during the summer",
        body_en="The central heating is off from 15 May to 15 September.",
        visibility=Visibility.PUBLIC,
        is_published=True,
        categories=["heating"],
    )
    services.create_article(
        technician,
        title_da="Adgang til fjernvarmeunit",
        body_da="Varmeunitten står i teknikrummet.",
        visibility=Visibility.INTERNAL,
        is_published=True,
        categories=["heating"],
    )
    base = live_server.url

    page = phone.new_page()
    sign_in(page, base, "lise")
    page.goto(f"{base}/portal/report/")
    page.select_option("#id_category", "heating")
    page.locator("#id_title").press_sequentially("varmen", delay=40)

    suggestion = page.locator(f'#article-suggestions [data-suggestion="{article.slug}"]')
    suggestion.wait_for(state="visible")
    # the internal article is never offered to a reporter
    assert page.locator("#article-suggestions [data-suggestion]").count() == 1
    screenshot(page, "portal-report-suggestion-phone")

    suggestion.locator("a").click()
    page.wait_for_url(re.compile(rf"/help/{article.slug}/\?from=report"))
    assert page.locator("h1").inner_text().strip() == "Varmen er slukket om sommeren"
    page.locator("#solved-button").click()
    page.locator("#deflection-thanks").wait_for(state="visible")

    counts = queries.counts_for(article)
    assert counts == {"suggested": 1, "opened": 1, "deflected": 1}
    assert not Case.objects.exists()


def test_i_still_want_to_report_keeps_the_title(live_server, phone, customer, technician, building, categories):
    article = services.create_article(
        technician,
        title_da="Sådan bestiller du nøgler og nøglebrikker",
        body_da="Nøglebrikker bestilles af lederen.",
        visibility=Visibility.PUBLIC,
        is_published=True,
    )
    base = live_server.url
    page = phone.new_page()
    sign_in(page, base, "lise")
    page.goto(f"{base}/portal/report/")
    page.locator("#id_title").press_sequentially("Nøgle til depotet", delay=30)
    page.locator(f'[data-suggestion="{article.slug}"] a').click()
    page.locator("#still-report").click()
    page.wait_for_url(re.compile(r"/portal/report/"))
    assert page.input_value("#id_title") == "Nøgle til depotet"
    # the suggestions come back for the kept title
    page.locator(f'#article-suggestions [data-suggestion="{article.slug}"]').wait_for(state="visible")
    assert queries.counts_for(article)["deflected"] == 0


def test_a_technician_finds_and_links_an_article_from_the_case_page(
    live_server, desktop, technician, make_case, categories
):
    article = services.create_article(
        technician,
        title_da="Sådan bestiller du nøgler og nøglebrikker",
        body_da="Nøglebrikker bestilles af lederen.",
        visibility=Visibility.PUBLIC,
        is_published=True,
    )
    case = make_case(title="Knust rude i klasselokale 2.B")
    base = live_server.url
    page = desktop.new_page()
    sign_in(page, base, "tekniker")
    page.goto(f"{base}/desk/cases/{case.number}/")
    page.fill("#id_kb_q", "nøglebrik")
    page.locator("#knowledge form.kb-search button[type=submit]").click()
    page.locator(f'#kb-search-results [data-link-article="{article.slug}"]').click()
    page.locator(f'#knowledge [data-linked-article="{article.slug}"]').wait_for(state="visible")
    assert case.events.filter(kind="article_linked").count() == 1
    assert page.locator('[data-kind="article_linked"]').count() == 1
