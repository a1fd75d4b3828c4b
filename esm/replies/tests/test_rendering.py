"""Placeholders render safely: a fixed whitelist, one pass, plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from esm.replies import placeholders, services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
EVERY = "|".join(f"{{{{{name}}}}}" for name in placeholders.PLACEHOLDERS)
EVERY_DA = "|".join(f"{{{{{alias}}}}}" for alias in placeholders.ALIASES)


def expected_values(case, technician, *, date_text):
    return [
        case.number,
        case.title,
        "Lise Holm",
        "Vesterbro Ny Skole, hovedbygning, Absalonsgade 8, 1658 København V",
        "Ole Madsen",
        "Ole Madsen",
        date_text,
    ]


@pytest.mark.parametrize(
    ("language", "today"),
    [("da", "26. november 2026"), ("en", "26 November 2026")],
)
def test_every_placeholder_renders_in_both_languages(
    language, today, make_case, technician, team_lead, customer, make_template
):
    case = make_case()
    case.assignee = technician
    template = make_template(name="Alle", body_da="DA " + EVERY_DA, body_en="EN " + EVERY)
    # Danish aliases in the Danish text, English names in the English: the same values either way
    text = services.render_template(template, case=case, actor=technician, language=language, now=NOW)
    prefix, rest = text.split(" ", 1)
    assert prefix == language.upper()
    parts = rest.split("|")
    assert parts[:7] == expected_values(case, technician, date_text=today)
    due = parts[7]
    assert due and "{{" not in due
    assert str(case.resolution_due_at.astimezone().year) in due


def test_the_reporters_language_picks_the_text_and_falls_back_to_the_other(
    make_case, technician, customer, make_template
):
    case = make_case()
    both = make_template(name="Begge", body_da="Dansk {{sagsnummer}}", body_en="English {{case_number}}")
    only_da = make_template(name="Kun dansk", body_da="Kun dansk {{sagsnummer}}", body_en="")
    only_en = make_template(name="Only English", body_da="", body_en="Only English {{case_number}}")

    assert services.render_template(both, case=case, actor=technician) == f"Dansk {case.number}"
    customer.language = "en"
    customer.save()
    case.reporter.language = "en"
    assert services.render_template(both, case=case, actor=technician) == f"English {case.number}"
    assert services.render_template(only_da, case=case, actor=technician) == f"Kun dansk {case.number}"
    assert services.render_template(only_en, case=case, actor=technician, language="da") == (
        f"Only English {case.number}"
    )


def test_spaces_inside_the_braces_and_upper_case_names_are_accepted(make_case, technician, make_template):
    case = make_case()
    template = make_template(name="Mellemrum", body_da="Sag {{ sagsnummer }} / {{Case_Number}}")
    assert services.render_template(template, case=case, actor=technician) == f"Sag {case.number} / {case.number}"


@pytest.mark.parametrize(
    "evil",
    [
        "{{case_number}}",
        "{{ case_number }}",
        "{% debug %}",
        "{{ settings.SECRET_KEY }}",
        "<script>alert(1)</script>",
        "{case_number} {0} %(case_number)s",
        "{{{{case_number}}}}",
    ],
)
def test_a_customer_name_is_inserted_literally_never_expanded(evil, make_case, technician, customer, make_template):
    customer.first_name, customer.last_name = evil, ""
    customer.save()
    case = make_case()
    template = make_template(name="Navn", body_da="Kære {{kundenavn}} ({{sagsnummer}})")
    text = services.render_template(template, case=case, actor=technician)
    assert text == f"Kære {evil} ({case.number})"


def test_a_case_title_with_placeholders_is_not_expanded_either(make_case, technician, make_template):
    case = make_case(title="{{customer_name}} {{technician}} {% load static %}")
    template = make_template(name="Titel", body_da="Om: {{sagstitel}}")
    assert services.render_template(template, case=case, actor=technician) == (
        "Om: {{customer_name}} {{technician}} {% load static %}"
    )


def test_the_renderer_leaves_unknown_placeholders_visible():
    values = {"case_number": "S-1"}
    assert placeholders.render("{{case_number}} {{secret}} {{ settings.SECRET_KEY }}", values) == (
        "S-1 {{secret}} {{ settings.SECRET_KEY }}"
    )
    assert placeholders.render("{{case_number|upper}} {{case_number.pk}}", values) == (
        "{{case_number|upper}} {{case_number.pk}}"
    )


def test_unknown_placeholders_are_found_with_their_spelling():
    assert placeholders.unknown_placeholders("{{sagsnummer}} {{ foo }} {{user.password}} {{foo}}") == [
        "{{ foo }}",
        "{{user.password}}",
        "{{foo}}",
    ]
    assert placeholders.template_tags("a {% debug %} b {%load static%}") == ["{% debug %}", "{%load static%}"]


def test_technician_is_the_sender_and_assignee_the_assigned_technician(
    make_case, technician, other_technician, make_template
):
    case = make_case()
    case.assignee = other_technician
    template = make_template(name="Hvem", body_da="{{tekniker}} / {{ansvarlig}}")
    assert services.render_template(template, case=case, actor=technician) == "Ole Madsen / Sara Nielsen"


def test_missing_building_and_due_date_render_as_empty_text(make_case, technician, make_template):
    case = make_case()
    case.building = None
    case.resolution_due_at = None
    template = make_template(name="Tom", body_da="[{{bygning}}][{{frist}}]")
    assert services.render_template(template, case=case, actor=technician) == "[][]"
