"""Forms of the portal (and, later, the desk): they parse and carry input, the services validate.

The forms hold what the person typed and show the errors a service raised
(`DomainError.errors`), so nothing is validated twice and the messages stay the services'.
Field lengths are only hinted to the browser (`maxlength`); the services enforce them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from esm.buildings.models import Building, Installation, Unit
from esm.cases.models import Category
from esm.core.errors import DomainError, ErrorCode

FILE_ERROR_CODES = frozenset({ErrorCode.FILE_TOO_LARGE, ErrorCode.FILE_TYPE_NOT_ALLOWED, ErrorCode.FILE_UNREADABLE})

#: The types the file pickers offer; the content decides in the end (esm.cases.uploads).
ACCEPTED_FILES = "image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.txt,.csv,.heic,.heif"


class ServiceErrorsMixin(forms.Form):
    """Put a service's `DomainError` on the form: per field where the form has the field,
    errors about files in `file_errors`, everything else as a non-field error."""

    #: service field name -> form field name
    field_map: dict[str, str] = {}
    #: form field -> message to show instead of the service's when the field was left empty
    empty_messages: dict[str, Any] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_errors: list[str] = []

    def add_service_error(self, error: DomainError) -> None:
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        if not error.errors:
            if error.code in FILE_ERROR_CODES:
                self.file_errors.append(error.message)
            else:
                self.add_error(None, error.message)
            return
        for service_field, messages in error.errors.items():
            field = self.field_map.get(service_field, service_field)
            if field == "files":
                self.file_errors.extend(messages)
            elif field in self.fields:
                for message in messages:
                    if field in self.empty_messages and not str(self.data.get(field, "")).strip():
                        message = str(self.empty_messages[field])
                    self.add_error(field, message)
            else:
                for message in messages:
                    self.add_error(None, message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_errors)


class ReportForm(ServiceErrorsMixin):
    """Report a case from the portal: where, what, and how urgent."""

    field_map = {"priority": "urgent"}
    empty_messages = {
        "building": _("Choose the building where the problem is."),
        "category": _("Choose what the problem is about."),
    }

    building = forms.CharField(label=_("Building"), required=False, max_length=30)
    unit = forms.CharField(label=_("Room or floor"), required=False, max_length=30, widget=forms.Select)
    installation = forms.CharField(
        label=_("Is it about an installation? (optional)"), required=False, max_length=30, widget=forms.Select
    )
    location = forms.CharField(
        label=_("Where in the building?"),
        required=False,
        help_text=_("Floor, room or area, e.g. “2nd floor, room 2.14” or “the playground”."),
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "off"}),
    )
    category = forms.CharField(label=_("What is it about?"), required=False, widget=forms.Select)
    title = forms.CharField(
        label=_("In a few words: what is wrong?"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "off", "enterkeyhint": "next"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        required=False,
        help_text=_("What happened, since when, and is anything dangerous or in the way?"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 20000}),
    )
    urgent = forms.BooleanField(
        label=_("It is urgent"), required=False, widget=forms.CheckboxInput(attrs={"aria-describedby": "urgent-help"})
    )

    def __init__(self, *args: Any, categories: Iterable[Category] = (), language: str = "da", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a category")), *((c.code, c.name_in(language)) for c in categories)]
        self.fields["category"].widget.choices = choices
        for name in ("title", "description", "building", "category"):
            self.fields[name].widget.attrs["aria-required"] = "true"

    @property
    def priority(self) -> str:
        return "urgent" if self.cleaned_data.get("urgent") else "normal"

    def building_ref(self) -> int | str | None:
        """The chosen building's key (the form posts the building's pk)."""
        value = str(self.cleaned_data.get("building") or "").strip()
        if value.isascii() and value.isdigit() and len(value) <= 12:
            return int(value)
        return value or None

    def unit_ref(self) -> int | str | None:
        """The chosen room or floor (its pk), if any."""
        return _pk(self.cleaned_data.get("unit"))

    def installation_ref(self) -> int | str | None:
        """The chosen installation (its pk), if any."""
        return _pk(self.cleaned_data.get("installation"))

    def set_building_parts(self, units: Iterable[Unit], installations: Iterable[Installation]) -> None:
        """Offer the rooms/floors and installations of the chosen building."""
        unit_widget = self.fields["unit"].widget
        installation_widget = self.fields["installation"].widget
        assert isinstance(unit_widget, forms.Select) and isinstance(installation_widget, forms.Select)
        unit_widget.choices = [("", _("Choose a room or floor")), *((str(u.pk), f"{u.code} {u.name}") for u in units)]
        installation_widget.choices = [
            ("", _("No particular installation")),
            *((str(i.pk), str(i)) for i in installations),
        ]

    def picked_building(self) -> Building | None:
        """The building chosen in the submitted form (to show it chosen again after an error)."""
        value = str(self.data.get("building", "")).strip()
        if not value.isdigit() or len(value) > 12:
            return None
        return Building.objects.filter(pk=int(value)).first()


def _pk(value: object) -> int | str | None:
    """A posted key: the pk as a number, anything else as typed (the service refuses what it doesn't know)."""
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and 0 < len(text) <= 12:
        return int(text)
    return text or None


class ReplyForm(ServiceErrorsMixin):
    """A message (with optional photos) from the reporter's side."""

    body = forms.CharField(
        label=_("Write a message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 50000}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["aria-required"] = "true"


class ActionForm(ServiceErrorsMixin):
    """A lifecycle action from the portal (confirm solved, reopen, cancel) with its reason."""

    action = forms.CharField(required=False, max_length=40)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 50000}),
    )
