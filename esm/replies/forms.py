"""Desk forms for reply templates and macros (the services validate; these only parse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from esm.accounts.models import Team, User
from esm.cases.models import Category
from esm.replies import queries
from esm.replies.models import ReplyTemplate
from esm.replies.rules import may_keep_shared
from esm.replies.services import NAME_MAX, TEMPLATE_BODY_MAX, macro_actions


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    body_da = forms.CharField(
        label=_("Text in Danish"),
        required=False,
        max_length=TEMPLATE_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        required=False,
        max_length=TEMPLATE_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
    )
    shared = forms.BooleanField(
        label=_("Shared with the whole desk"),
        required=False,
        help_text=_("Team leads and administrators keep the shared ones."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating or not may_keep_shared(user):
            del self.fields["shared"]


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name_in(get_language() or "da"))


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    reply_template = forms.ModelChoiceField(
        label=_("Reply"), queryset=ReplyTemplate.objects.none(), required=False, empty_label=_("No reply")
    )
    action = forms.ChoiceField(label=_("Status"), required=False)
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("Keep the category")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("Keep the team")
    )
    shared = forms.BooleanField(
        label=_("Shared with the whole desk"),
        required=False,
        help_text=_("Team leads and administrators keep the shared ones."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_template"].queryset = queries.templates_visible_to(user)  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", _("Keep the status"))] + [  # type: ignore[attr-defined]
            (t.action, t.label) for t in macro_actions()
        ]
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "position", "code"
        )
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        if not creating or not may_keep_shared(user):
            del self.fields["shared"]
