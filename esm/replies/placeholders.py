"""The placeholders a reply template may use, and the tiny renderer that fills them in.

Deliberately *not* Django's template engine and not `str.format`: a placeholder is a
fixed name between double braces (`{{case_number}}`, spaces inside allowed, Danish
aliases such as `{{sagsnummer}}`), with no attribute access, no filters and no tags.
Rendering is one pass over the template text: a value that itself contains `{{…}}`
(a customer called "{{case_number}}") is inserted literally and never expanded again.
Unknown placeholders are left as they are (and refused when a template is saved).
The output is plain text; the timeline escapes it on display.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# canonical name -> what it is (shown in the desk's help text)
PLACEHOLDERS: dict[str, str | Promise] = {
    "case_number": _("the case number"),
    "case_title": _("the case's title"),
    "customer_name": _("the reporter's name"),
    "building": _("the building's name and address"),
    "technician": _("your name (the technician sending the reply)"),
    "assignee": _("the name of the technician the case is assigned to"),
    "today": _("today's date"),
    "due_date": _("the date the case is due to be resolved"),
}
# Danish alias -> canonical name
ALIASES: dict[str, str] = {
    "sagsnummer": "case_number",
    "sagstitel": "case_title",
    "kundenavn": "customer_name",
    "bygning": "building",
    "tekniker": "technician",
    "ansvarlig": "assignee",
    "dato": "today",
    "frist": "due_date",
}

PLACEHOLDER = re.compile(r"\{\{[ \t]*([^{}\n]*?)[ \t]*\}\}")
TEMPLATE_TAG = re.compile(r"\{%.*?%\}", re.DOTALL)


def canonical(name: str) -> str | None:
    """The canonical placeholder for `name` (any case, English or Danish), or None if unknown."""
    key = name.strip().lower()
    if key in PLACEHOLDERS:
        return key
    return ALIASES.get(key)


def unknown_placeholders(text: str) -> list[str]:
    """Every `{{…}}` in `text` that is not an allowed placeholder, as written, without repeats."""
    found = [match.group(0) for match in PLACEHOLDER.finditer(text) if canonical(match.group(1)) is None]
    return list(dict.fromkeys(found))


def template_tags(text: str) -> list[str]:
    """Django-style `{% … %}` tags in `text` (not supported: refused on save)."""
    return list(dict.fromkeys(match.group(0) for match in TEMPLATE_TAG.finditer(text)))


def allowed_names() -> list[str]:
    """The placeholders as a user writes them: `{{case_number}}`, …, then the Danish aliases."""
    return [f"{{{{{name}}}}}" for name in (*PLACEHOLDERS, *ALIASES)]


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill in the placeholders in one pass; unknown ones stay visible as they are."""

    def replace(match: re.Match[str]) -> str:
        name = canonical(match.group(1))
        if name is None or name not in values:
            return match.group(0)
        return str(values[name])

    return PLACEHOLDER.sub(replace, text)
