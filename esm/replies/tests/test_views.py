"""The desk: macro buttons and the reply template picker on the case page, and the management pages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from esm.cases import services as case_services
from esm.cases.models import CaseEvent, EventKind, Status
from esm.replies import services
from esm.replies.models import Macro, ReplyTemplate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(client, technician):
    client.force_login(technician)
    return client


@pytest.fixture
def started_case(make_case, technician):
    case = make_case()
    case_services.assign_case(technician, case=case, assignee=technician)
    case_services.transition_case(technician, case=case, action="start")
    return case


def test_the_case_page_has_the_template_search_and_the_macro_buttons(desk, started_case, team_lead):
    macro = services.create_macro(team_lead, name="Afvent leverandør", shared=True, action="wait_for_supplier")
    page = desk.get(reverse("desk:case", args=[started_case.number])).content.decode()
    assert 'id="reply-template-search"' in page
    assert 'type="search"' in page
    assert "replies/replies.js" in page
    assert '<section id="macros" class="card"' in page
    assert f'data-macro="{macro.pk}"' in page
    # the picker sits inside the reply form without a form of its own
    reply_form = page.split('id="reply-form"', 1)[1].split("</form>", 1)[0]
    assert 'id="reply-template-search"' in reply_form and "<form" not in reply_form


def test_a_technician_applies_a_macro_from_the_case_page(desk, started_case, technician, team_lead, shared_template):
    macro = services.create_macro(
        team_lead, name="Bestil", shared=True, reply_template=shared_template, action="wait_for_supplier"
    )
    response = desk.post(reverse("replies:apply", args=[started_case.number]), {"macro": macro.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:case", args=[started_case.number])
    started_case.refresh_from_db()
    assert started_case.status == Status.WAITING_SUPPLIER
    kinds = list(started_case.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.REPLY, EventKind.STATUS_CHANGED, EventKind.MACRO_APPLIED]
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]

    page = desk.get(reverse("desk:case", args=[started_case.number])).content.decode()
    assert 'data-kind="macro_applied"' in page and "Bestil" in page


def test_htmx_gets_a_redirect_header(desk, started_case, team_lead):
    macro = services.create_macro(team_lead, name="Afvent kunde", shared=True, action="wait_for_customer")
    response = desk.post(reverse("replies:apply", args=[started_case.number]), {"macro": macro.pk}, **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("desk:case", args=[started_case.number])


def test_a_failing_macro_shows_an_error_and_changes_nothing(desk, make_case, team_lead, shared_template):
    case = make_case()
    macro = services.create_macro(
        team_lead, name="Bestil", shared=True, reply_template=shared_template, action="wait_for_supplier"
    )
    count = CaseEvent.objects.filter(case=case).count()
    response = desk.post(reverse("replies:apply", args=[case.number]), {"macro": macro.pk})
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert CaseEvent.objects.filter(case=case).count() == count


def test_an_unknown_or_foreign_macro_is_not_found(desk, started_case, other_technician):
    theirs = services.create_macro(other_technician, name="Sara's", action="wait_for_customer")
    url = reverse("replies:apply", args=[started_case.number])
    assert desk.post(url, {"macro": theirs.pk}).status_code == 404
    assert desk.post(url, {"macro": "x"}).status_code == 404


def test_the_picker_returns_templates_rendered_for_the_case(
    desk, started_case, shared_template, other_technician, technician
):
    services.create_template(other_technician, name="Saras håndværker", body_da="Håndværker fra Sara")
    mine = services.create_template(technician, name="Min håndværker", body_da="Hej {{kundenavn}} fra {{tekniker}}")
    url = reverse("replies:pick") + f"?case={started_case.number}&q=håndværker"
    response = desk.get(url, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-reply-template="{shared_template.pk}"' in html
    assert f'data-reply-template="{mine.pk}"' in html
    assert "Sara" not in html
    assert f"håndværker bestilt til sag {started_case.number}" in html
    assert 'type="button"' in html and "<form" not in html
    assert "<html" not in html  # a fragment
    # personal templates first
    assert html.index(f'data-reply-template="{mine.pk}"') < html.index(f'data-reply-template="{shared_template.pk}"')


def test_without_javascript_the_picker_is_a_page_to_copy_from(desk, started_case, shared_template):
    response = desk.get(reverse("replies:pick"), {"case": started_case.number})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert f'id="id_copy_{shared_template.pk}"' in html
    assert f"sag {started_case.number}" in html


def test_a_customer_name_with_markup_is_escaped_in_picker_and_timeline(
    desk, make_case, customer, technician, team_lead, shared_template
):
    customer.first_name, customer.last_name = "<script>alert(1)</script>", "{{case_number}} {% debug %}"
    customer.save()
    case = make_case()
    case_services.assign_case(technician, case=case, assignee=technician)
    case_services.transition_case(technician, case=case, action="start")
    html = desk.get(reverse("replies:pick"), {"case": case.number, "q": ""}, **HTMX).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    macro = services.create_macro(team_lead, name="Svar", shared=True, reply_template=shared_template)
    desk.post(reverse("replies:apply", args=[case.number]), {"macro": macro.pk})
    reply = CaseEvent.objects.filter(case=case, kind=EventKind.REPLY).latest("pk")
    assert reply.body.startswith("Kære <script>alert(1)</script> {{case_number}} {% debug %}, håndværker")
    page = desk.get(reverse("desk:case", args=[case.number])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Kære &lt;script&gt;alert(1)&lt;/script&gt; {{case_number}} {% debug %}, håndværker" in page


def test_the_picker_and_pages_are_for_the_desk_only(client, customer, make_case):
    case = make_case()
    client.force_login(customer)
    assert client.get(reverse("replies:pick"), {"case": case.number}).status_code == 404
    assert client.get(reverse("replies:manage")).status_code == 404


def test_the_macro_panel_can_be_fetched_again(desk, started_case, team_lead):
    macro = services.create_macro(team_lead, name="Afvent", shared=True, action="wait_for_supplier")
    html = desk.get(reverse("replies:macros", args=[started_case.number])).content.decode()
    assert html.lstrip().startswith('<section id="macros"') and f'data-macro="{macro.pk}"' in html


# --- the management pages ---------------------------------------------------------------


def test_the_management_page_lists_shared_and_own_templates_and_macros(
    desk, technician, other_technician, shared_template, team_lead
):
    own = services.create_template(technician, name="Min egen", body_da="Hej")
    theirs = services.create_template(other_technician, name="Saras egen", body_da="Hej")
    macro = services.create_macro(team_lead, name="Fælles makro", shared=True, reply_template=shared_template)
    html = desk.get(reverse("replies:manage")).content.decode()
    assert f'data-template="{shared_template.pk}"' in html and f'data-template="{own.pk}"' in html
    assert f'data-template="{theirs.pk}"' not in html
    assert f'data-macro-row="{macro.pk}"' in html
    # a technician edits their own, not the shared one
    assert f'data-edit-template="{own.pk}"' in html
    assert f'data-edit-template="{shared_template.pk}"' not in html


def test_a_technician_creates_a_personal_template_in_the_desk(desk, technician):
    response = desk.post(
        reverse("replies:template_create"),
        {"name": "Kommer i dag", "body_da": "Hej {{kundenavn}}", "body_en": "", "shared": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.owner == technician  # "shared" is not offered to a technician: ignored


def test_an_unknown_placeholder_is_shown_beside_the_field_and_nothing_saved(desk):
    response = desk.post(
        reverse("replies:template_create"),
        {"name": "Forkert", "body_da": "Hej {{ settings.SECRET_KEY }}", "body_en": "", "is_active": "on"},
    )
    assert response.status_code == 400
    assert "{{ settings.SECRET_KEY }}" in response.content.decode()
    assert response.context["form"].errors["body_da"]
    assert not ReplyTemplate.objects.exists()


def test_a_technician_cannot_open_or_post_the_edit_page_of_a_shared_template(desk, shared_template):
    url = reverse("replies:template_edit", args=[shared_template.pk])
    assert desk.get(url).status_code == 403
    assert desk.post(url, {"name": "X", "body_da": "X", "is_active": "on"}).status_code == 403
    assert desk.post(reverse("replies:template_delete", args=[shared_template.pk])).status_code == 302
    assert ReplyTemplate.objects.filter(pk=shared_template.pk).exists()


def test_a_team_lead_keeps_shared_templates_and_macros(client, team_lead, shared_template, teams):
    client.force_login(team_lead)
    url = reverse("replies:template_edit", args=[shared_template.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Ny titel", "body_da": "Sag {{sagsnummer}}", "body_en": "", "is_active": "on"})
    assert response.status_code == 302
    shared_template.refresh_from_db()
    assert shared_template.name == "Ny titel" and shared_template.owner is None

    response = client.post(
        reverse("replies:macro_create"),
        {
            "name": "Send til Syd",
            "reply_template": shared_template.pk,
            "action": "start",
            "team": teams["south"].pk,
            "shared": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    macro = Macro.objects.get()
    assert (macro.owner, macro.action, macro.team, macro.reply_template) == (
        None,
        "start",
        teams["south"],
        shared_template,
    )
    response = client.post(reverse("replies:macro_delete", args=[macro.pk]))
    assert response.status_code == 302 and not Macro.objects.exists()
    response = client.post(reverse("replies:template_delete", args=[shared_template.pk]))
    assert not ReplyTemplate.objects.exists()


def test_the_admin_refuses_an_unknown_placeholder(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:replies_replytemplate_add"),
        {"name": "Admin", "body_da": "Hej {{user.password}}", "body_en": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "{{user.password}}" in response.content.decode()
    assert not ReplyTemplate.objects.exists()
    response = client.post(
        reverse("admin:replies_replytemplate_add"),
        {"name": "Admin", "body_da": "Hej {{kundenavn}}", "body_en": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert ReplyTemplate.objects.get().owner is None
