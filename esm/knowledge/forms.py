"""Forms of the knowledge pages: they parse; the services validate."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from esm.cases.forms import ServiceErrorsMixin
from esm.cases.models import Category
from esm.knowledge.models import Visibility


class ArticleForm(ServiceErrorsMixin):
    title_da = forms.CharField(
        label=_("Title (Danish)"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    body_da = forms.CharField(
        label=_("Text (Danish)"),
        required=False,
        help_text=_("Plain text. A blank line starts a new paragraph; lines starting with “- ” become a list."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    title_en = forms.CharField(
        label=_("Title (English)"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    body_en = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )
    is_published = forms.BooleanField(
        label=_("Published"),
        required=False,
        help_text=_("Public, published articles are suggested to reporters while they write a report."),
    )
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False, widget=forms.CheckboxSelectMultiple)
    buildings = forms.CharField(
        label=_("Buildings (property numbers)"),
        required=False,
        help_text=_("Only for articles about particular buildings; separate them with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    source_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: Iterable[Category] = (), language: str = "da", **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.code, c.name_in(language)) for c in categories]

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments (call after `is_valid()`)."""
        data = self.cleaned_data
        return {
            "title_da": data.get("title_da", ""),
            "title_en": data.get("title_en", ""),
            "body_da": data.get("body_da", ""),
            "body_en": data.get("body_en", ""),
            "visibility": data.get("visibility") or self.data.get("visibility") or Visibility.INTERNAL,
            "is_published": bool(data.get("is_published")),
            "categories": list(data.get("categories") or []),
            "buildings": property_numbers(data.get("buildings", "")),
        }


def property_numbers(text: str) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", str(text or "")) if part]
