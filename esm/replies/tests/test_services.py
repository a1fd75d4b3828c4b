"""Keeping templates and macros: validation, who may change what, visibility and search."""

from __future__ import annotations

import pytest

from esm.core.errors import DomainError, ErrorCode
from esm.replies import queries, services
from esm.replies.models import Macro, ReplyTemplate

pytestmark = pytest.mark.django_db


def test_an_unknown_placeholder_is_refused_on_save_naming_the_allowed_ones(team_lead):
    with pytest.raises(DomainError) as caught:
        services.create_template(
            team_lead, name="Forkert", body_da="Hej {{ settings.SECRET_KEY }} {{sagsnummer}}", shared=True
        )
    assert caught.value.code == ErrorCode.VALIDATION
    assert "body_da" in caught.value.errors
    message = caught.value.errors["body_da"][0]
    assert "{{ settings.SECRET_KEY }}" in message
    assert "{{case_number}}" in message and "{{sagsnummer}}" in message
    assert not ReplyTemplate.objects.exists()


def test_template_tags_are_refused_on_save(technician):
    with pytest.raises(DomainError) as caught:
        services.create_template(technician, name="Tag", body_en="{% debug %}")
    assert "body_en" in caught.value.errors
    assert not ReplyTemplate.objects.exists()


def test_a_template_needs_a_name_and_a_text(technician):
    with pytest.raises(DomainError) as caught:
        services.create_template(technician, name="  ", body_da="", body_en="")
    assert set(caught.value.errors) == {"name", "body_da"}


def test_names_are_unique_per_owner_ignoring_case(technician, other_technician, make_template):
    make_template(name="Tak")
    with pytest.raises(DomainError) as caught:
        make_template(name="TAK")
    assert caught.value.code == ErrorCode.CONFLICT
    # personal ones may share a name with a shared one and with another person's
    services.create_template(technician, name="Tak", body_da="x")
    services.create_template(other_technician, name="Tak", body_da="y")
    assert ReplyTemplate.objects.filter(name__iexact="tak").count() == 3


def test_a_technician_creates_personal_templates_but_not_shared_ones(technician):
    own = services.create_template(technician, name="Min", body_da="Hej")
    assert own.owner == technician
    with pytest.raises(DomainError) as caught:
        services.create_template(technician, name="Fælles", body_da="Hej", shared=True)
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert ReplyTemplate.objects.count() == 1


def test_a_technician_cannot_edit_or_delete_a_shared_template(technician, shared_template):
    with pytest.raises(DomainError) as caught:
        services.update_template(technician, template=shared_template, name="Ændret", body_da="Ændret", body_en="")
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(DomainError):
        services.delete_template(technician, template=shared_template)
    shared_template.refresh_from_db()
    assert shared_template.name == "Håndværker bestilt"


@pytest.mark.parametrize("persona", ["team_lead", "administrator"])
def test_team_leads_and_administrators_edit_shared_templates(persona, request, shared_template):
    actor = request.getfixturevalue(persona)
    services.update_template(actor, template=shared_template, name="Nyt navn", body_da="Ny {{dato}}", body_en="")
    shared_template.refresh_from_db()
    assert (shared_template.name, shared_template.body_da, shared_template.body_en) == ("Nyt navn", "Ny {{dato}}", "")


def test_only_the_owner_changes_a_personal_template(technician, other_technician, team_lead):
    own = services.create_template(technician, name="Min", body_da="Hej")
    for outsider in (other_technician, team_lead):
        with pytest.raises(DomainError):
            services.update_template(outsider, template=own, name="X", body_da="X", body_en="")
    services.update_template(technician, template=own, name="Min", body_da="Hej igen", body_en="", is_active=False)
    own.refresh_from_db()
    assert own.body_da == "Hej igen" and own.is_active is False


def test_customers_cannot_keep_templates(customer):
    with pytest.raises(DomainError) as caught:
        services.create_template(customer, name="Kunde", body_da="Hej")
    assert caught.value.code == ErrorCode.PERMISSION_DENIED
    assert list(queries.templates_visible_to(customer)) == []


def test_a_personal_template_is_invisible_to_another_technician(technician, other_technician, shared_template):
    own = services.create_template(technician, name="Ole's egen", body_da="Hej")
    assert set(queries.templates_visible_to(technician)) == {own, shared_template}
    assert set(queries.templates_visible_to(other_technician)) == {shared_template}
    assert list(queries.search_templates(other_technician, "egen")) == []
    assert list(queries.search_templates(technician, "egen")) == [own]


def test_search_looks_in_name_and_both_texts_ignoring_case_and_needs_every_word(technician, make_template):
    boiler = make_template(name="Kedel", body_da="Vi har bestilt en VVS-mand", body_en="We ordered a PLUMBER")
    summer = make_template(name="Sommer", body_da="Varmen er slukket om sommeren", body_en="The heating is off")
    inactive = make_template(name="Gammel varme", body_da="Varmen", is_active=False)

    assert list(queries.search_templates(technician, "kedel")) == [boiler]
    assert list(queries.search_templates(technician, "plumber")) == [boiler]
    assert list(queries.search_templates(technician, "VARMEN")) == [summer]
    assert list(queries.search_templates(technician, "varmen slukket")) == [summer]
    assert list(queries.search_templates(technician, "varmen kedel")) == []
    assert inactive not in queries.search_templates(technician, "")
    assert set(queries.search_templates(technician, "  ")) == {boiler, summer}


def test_a_template_used_by_a_macro_cannot_be_deleted(team_lead, shared_template):
    services.create_macro(team_lead, name="Bestil", shared=True, reply_template=shared_template)
    with pytest.raises(DomainError) as caught:
        services.delete_template(team_lead, template=shared_template)
    assert caught.value.code == ErrorCode.CONFLICT
    assert "Bestil" in caught.value.message
    assert ReplyTemplate.objects.filter(pk=shared_template.pk).exists()


def test_a_macro_must_do_something_and_take_a_known_handler_action(team_lead):
    with pytest.raises(DomainError):
        services.create_macro(team_lead, name="Tom", shared=True)
    for action in ("fly_away", "cancel", "customer_replied", "confirm", "reopen"):
        with pytest.raises(DomainError) as caught:
            services.create_macro(team_lead, name="Forkert", shared=True, action=action)
        assert "action" in caught.value.errors
    assert {t.action for t in services.macro_actions()} >= {"start", "wait_for_supplier", "resolve"}
    assert not Macro.objects.exists()


def test_a_shared_macro_cannot_use_a_personal_template(team_lead, technician):
    mine = services.create_template(team_lead, name="Min", body_da="Hej")
    with pytest.raises(DomainError) as caught:
        services.create_macro(team_lead, name="Fælles", shared=True, reply_template=mine)
    assert "reply_template" in caught.value.errors
    theirs = services.create_template(technician, name="Ole", body_da="Hej")
    with pytest.raises(DomainError):
        services.create_macro(team_lead, name="Lånt", reply_template=theirs)
    assert services.create_macro(team_lead, name="Egen", reply_template=mine).owner == team_lead


def test_personal_macros_are_visible_to_their_owner_only(technician, other_technician, team_lead, teams):
    shared = services.create_macro(team_lead, name="Til Syd", shared=True, team=teams["south"])
    own = services.create_macro(technician, name="Start", action="start")
    assert set(queries.macros_visible_to(technician)) == {shared, own}
    assert set(queries.macros_visible_to(other_technician)) == {shared}
    with pytest.raises(DomainError):
        services.update_macro(technician, macro=shared, name="Ændret", team=teams["north"])
    with pytest.raises(DomainError):
        services.delete_macro(other_technician, macro=own)
    services.delete_macro(technician, macro=own)
    assert not Macro.objects.filter(pk=own.pk).exists()
