"""Forms of the desk: they parse and check the shape of input; the services decide the rest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from esm.accounts.models import STAFF_ROLES, SYSTEM_USERNAMES, Absence, Team, User
from esm.accounts.queries import with_away_until
from esm.buildings.models import Installation, Unit
from esm.cases.models import Channel, Complexity, Priority, Status
from esm.cases.queries import QUEUES, SORTS, CaseFilters, categories

PAGE_SIZE = 50
PHONE_MINUTES_MAX = 8 * 60
CORRECTION_MINUTES_MAX = 24 * 60


def handlers() -> QuerySet[User]:
    """Everyone a case can be assigned to, for the assignee pickers; `away_until` is set for whoever is away today."""
    people = (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(username__in=SYSTEM_USERNAMES)
        .only("pk", "username", "first_name", "last_name", "role", "is_active")
        .order_by("first_name", "last_name", "username")
    )
    return with_away_until(people, timezone.now())


def absence_warning(absence: Absence) -> str:
    """The warning after giving a case to someone who is away."""
    text = _("%(name)s is away until %(date)s.") % {
        "name": absence.user,
        "date": date_format(absence.ends, "DATE_FORMAT"),
    }
    if absence.substitute_id:
        text += " " + _("%(substitute)s stands in and sees the case.") % {"substitute": absence.substitute}
    return str(text)


def person_label(user: User) -> str:
    """A person in a picker: "Ole Madsen — away until 3. december 2026" while they are away."""
    away_until = getattr(user, "away_until", None)
    if away_until is None:
        return str(user)
    return _("%(name)s — away until %(date)s") % {"name": user, "date": date_format(away_until, "DATE_FORMAT")}


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class SearchInput(forms.TextInput):
    input_type = "search"


# --- the queue -------------------------------------------------------------------------

SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "due": _("Due first"),
    "priority": _("Priority"),
    "updated": _("Recently updated"),
}


class QueueFilterForm(forms.Form):
    """The queue's GET parameters. Unknown values are ignored, never an error page."""

    queue = forms.ChoiceField(choices=[(name, name) for name in QUEUES], required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, widget=SearchInput)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    complexity = forms.ChoiceField(label=_("Complexity"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    building = forms.CharField(label=_("Property number"), required=False, max_length=20)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(
        self, data: Any, *, category_choices: list[tuple[str, str]], team_choices: list[Team], people: list[User]
    ) -> None:
        super().__init__(data, auto_id="id_%s")
        any_label = _("Any")
        _set_choices(self, "status", _blank(any_label) + list(Status.choices))
        _set_choices(self, "priority", _blank(any_label) + list(Priority.choices))
        _set_choices(self, "complexity", _blank(any_label) + list(Complexity.choices))
        _set_choices(self, "channel", _blank(any_label) + list(Channel.choices))
        _set_choices(self, "category", _blank(any_label) + category_choices)
        _set_choices(self, "team", _blank(any_label) + [(t.code, t.name) for t in team_choices])
        _set_choices(self, "assignee", _blank(any_label) + [(u.username, str(u)) for u in people])
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Number, title, text …"), "data-shortcut": "/", "autocomplete": "off"}
        )

    def value(self, name: str, default: Any = "") -> Any:
        """The cleaned value, or the default when the parameter was missing or invalid."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = getattr(self, "cleaned_data", {}).get(name)
        return default if value in (None, "") else value

    def to_filters(self) -> CaseFilters:
        return CaseFilters(
            status=self.value("status"),
            priority=self.value("priority"),
            category=self.value("category"),
            team=self.value("team"),
            assignee=self.value("assignee"),
            building=str(self.value("building")).strip(),
            complexity=self.value("complexity"),
            channel=self.value("channel"),
            search=str(self.value("q")).strip()[:200],
            sort=self.value("sort", "newest"),
        )

    @property
    def has_filters(self) -> bool:
        names = ("q", "status", "priority", "category", "team", "assignee", "complexity", "channel", "building")
        return any(self.value(name) for name in names)


class BulkAssignForm(forms.Form):
    assignee = forms.CharField(label=_("Assign selected to"), max_length=150)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)


# --- the case page -----------------------------------------------------------------------


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the customer"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4, "data-shortcut": "r"}),
        error_messages={"required": _("Write a message first.")},
    )
    # Set by the page's script: a message sent twice with the same key (the phone's outbox) lands once.
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 3, "data-shortcut": "n"}),
        error_messages={"required": _("Write a note first.")},
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class PhoneNoteForm(forms.Form):
    body = forms.CharField(
        label=_("What was said"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 3, "data-shortcut": "p"}),
        error_messages={"required": _("Write a note first.")},
    )
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=PHONE_MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_phone_%s")
        super().__init__(*args, **kwargs)


class ActionForm(forms.Form):
    action = forms.CharField(max_length=40)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=50_000, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_action_%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Technician"), required=False)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        _set_choices(self, "assignee", _blank(_("Nobody")) + [(u.username, person_label(u)) for u in people])


class UpdateCaseForm(forms.Form):
    """Priority, category, complexity, and where: building (property number), room or floor, installation.

    Only the fields posted change. Moving the case to another building ignores the posted room and
    installation (they belong to the old building; the service clears them).
    """

    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.ChoiceField(label=_("Category"))
    complexity = forms.ChoiceField(label=_("Complexity"), required=False)
    building = forms.CharField(label=_("Building (property number)"), required=False, max_length=20)
    unit = forms.CharField(label=_("Room or floor"), required=False, max_length=20, widget=forms.Select)
    installation = forms.CharField(label=_("Installation"), required=False, max_length=20, widget=forms.Select)

    def __init__(
        self,
        *args: Any,
        category_choices: list[tuple[str, str]],
        units: Iterable[Unit] = (),
        installations: Iterable[Installation] = (),
        current_building: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "id_update_%s")
        super().__init__(*args, **kwargs)
        self.current_building = current_building
        _set_choices(self, "category", category_choices)
        _set_choices(self, "complexity", _blank(_("Not set")) + list(Complexity.choices))
        unit_widget, installation_widget = self.fields["unit"].widget, self.fields["installation"].widget
        assert isinstance(unit_widget, forms.Select) and isinstance(installation_widget, forms.Select)
        unit_widget.choices = _blank(_("Not set")) + [(str(u.pk), f"{u.code} {u.name}") for u in units]
        installation_widget.choices = _blank(_("Not set")) + [(str(i.pk), str(i)) for i in installations]
        self.fields["building"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        building = str(data.get("building") or "").strip()
        moving = bool(building) and building != self.current_building
        if not building or not moving:
            data.pop("building", None)  # unchanged (a building is never removed here)
        for name in ("unit", "installation"):
            if moving or name not in self.data:
                data.pop(name, None)
            elif name in data:
                value = str(data[name] or "").strip()
                data[name] = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else (value or None)
        return data


class TimeCorrectionForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes (negative subtracts)"),
        min_value=-CORRECTION_MINUTES_MAX,
        max_value=CORRECTION_MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(label=_("Reason"), max_length=200)
    user = forms.ChoiceField(label=_("Whose time"), required=False)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_time_%s")
        super().__init__(*args, **kwargs)
        _set_choices(self, "user", [(u.username, str(u)) for u in people])

    def clean_minutes(self) -> int:
        minutes: int = self.cleaned_data["minutes"]
        if minutes == 0:
            raise forms.ValidationError(_("A correction cannot be zero minutes."))
        return minutes


class HeartbeatForm(forms.Form):
    session = forms.UUIDField()
    seconds = forms.IntegerField(min_value=0, max_value=24 * 3600)


def category_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) of the active categories in the reader's language; one query."""
    return [(c.code, c.name_in(language)) for c in categories().only("code", "name_da", "name_en")]


class WatcherForm(forms.Form):
    """Add or remove a watcher (by username); watchers follow the case."""

    username = forms.CharField(label=_("Add a watcher (username)"), max_length=150)
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)
