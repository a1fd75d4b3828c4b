"""Template helpers for the knowledge base.

`{{ text|article_body }}`: an article's plain text as HTML — escaped, a blank line starts a
paragraph, lines starting with "- " or "* " become a list; nothing the author types is
taken as HTML. `{% case_knowledge case user as kb %}`: the desk case panel's data.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from esm.accounts.models import User
from esm.cases.models import Case
from esm.knowledge import queries

register = template.Library()

_BULLET = re.compile(r"^\s*[-*•]\s+")


@register.filter
def article_body(text: str | None) -> SafeString:
    html: list[str] = []
    for block in re.split(r"\n\s*\n", str(text or "").replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{escape(_BULLET.sub('', line).strip())}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(escape(line.strip()) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # every piece of text above is escaped


@register.filter
def title_in_language(article: Any) -> str:
    """An article's (or revision's) title in the active language, Danish if it has no English one."""
    return str(article.title_in(get_language() or "da"))


@register.simple_tag
def case_knowledge(case: Case, user: User) -> dict[str, Any]:
    """Articles linked to the case and published ones matching its title, category and building."""
    if not getattr(user, "is_handler", False):
        return {"linked": [], "suggestions": []}
    panel = queries.case_panel(user, case, language=get_language() or "da")
    return {"linked": panel.linked, "suggestions": panel.suggestions}
