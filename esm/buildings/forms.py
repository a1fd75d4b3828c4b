"""Desk forms of the building registry: they carry what a handler typed, the services validate.

Field errors come from the services' `DomainError.errors` (`add_service_error`), so the rules and
their messages live in one place (`esm.buildings.services`); lengths are only hinted to the browser.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from esm.accounts.models import STAFF_ROLES, SYSTEM_USERNAMES, Team, User
from esm.buildings.models import Building, InstallationKind, Unit, UnitKind
from esm.core.errors import DomainError
from esm.core.forms import add_domain_error


class ServiceErrorsForm(forms.Form):
    """A form that shows a service's `DomainError`: per field where the form has it, else above the form."""

    def add_service_error(self, error: DomainError) -> None:
        add_domain_error(self, error)


class TextField(forms.CharField):
    """Free text as typed; line breaks stored as "\\n" (browsers send "\\r\\n")."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\r\n", "\n").replace("\r", "\n")


def _text(label: Any, max_length: int, **kwargs: Any) -> TextField:
    return TextField(label=label, required=False, widget=forms.TextInput(attrs={"maxlength": max_length}), **kwargs)


def _long_text(label: Any, **kwargs: Any) -> TextField:
    return TextField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}), **kwargs)


def _numeric(label: Any, max_length: int = 10, **kwargs: Any) -> TextField:
    attrs = {"inputmode": "numeric", "maxlength": max_length}
    return TextField(label=label, required=False, widget=forms.TextInput(attrs=attrs), **kwargs)


def _decimal(label: Any) -> TextField:
    return TextField(label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class BuildingForm(ServiceErrorsForm):
    """A building's registry facts as the desk edits them.

    Every field carries its shown value in a hidden `initial-<name>` input, and only the facts the
    handler changed are sent to `update_building`: a fact someone else changed meanwhile is not overwritten.
    """

    name = _text(_("Name"), 200)
    street = _text(_("Street"), 200)
    house_number = _text(_("House number"), 20)
    floor = _text(_("Floor"), 10)
    door = _text(_("Door"), 10)
    postcode = _numeric(_("Postcode"), 4)
    city = _text(_("City"), 100)
    year_built = _numeric(_("Year built"), 4)
    gross_area_m2 = _numeric(_("Gross floor area (m²)"))
    bbr_use_code = _numeric(_("BBR use code"), 3)
    bbr_id = _text(_("BBR building id"), 36, help_text=_("A UUID, e.g. 0a3f50a0-75eb-32b8-e044-0003ba298018."))
    latitude = _decimal(_("Latitude"))
    longitude = _decimal(_("Longitude"))
    responsible_team = TextField(label=_("Responsible team"), required=False, widget=forms.Select)
    responsible_technician = TextField(label=_("Responsible technician"), required=False, widget=forms.Select)
    opening_hours = _long_text(_("Opening hours"))
    key_info = _long_text(_("Keys"))
    alarm_info = _long_text(_("Alarm"))
    notes = _long_text(_("Notes"))

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        kwargs.setdefault("initial", initial_facts(building))
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
        team = self.fields["responsible_team"].widget
        team.choices = [("", "–"), *((t.code, t.name) for t in Team.objects.order_by("name"))]  # type: ignore[attr-defined]
        technicians = (
            User.objects.filter(is_active=True, role__in=STAFF_ROLES)
            .exclude(username__in=SYSTEM_USERNAMES)
            .order_by("first_name", "last_name", "username")
        )
        if building.responsible_technician_id is not None:  # shown even when no longer active, so not lost unseen
            technicians = technicians | User.objects.filter(pk=building.responsible_technician_id)
        technician = self.fields["responsible_technician"].widget
        technician.choices = [("", "–"), *((u.username, u.get_full_name() or u.username) for u in technicians)]  # type: ignore[attr-defined]

    def changes(self) -> dict[str, object]:
        """The facts the handler changed, as typed (the service cleans them)."""
        return {field: self.cleaned_data[field] for field in self.changed_data}


def initial_facts(building: Building) -> dict[str, str]:
    """The building's facts as the form shows them (related objects by code or username)."""
    values: dict[str, str] = {}
    for field in BuildingForm.base_fields:
        value = getattr(building, field)
        if field == "responsible_team":
            value = building.responsible_team.code if building.responsible_team else ""
        elif field == "responsible_technician":
            value = building.responsible_technician.username if building.responsible_technician else ""
        values[field] = "" if value is None else str(value)
    return values


class UnitForm(ServiceErrorsForm):
    """Add a floor, room or area to a building."""

    code = _text(_("Code"), 30, help_text=_("e.g. 1.12 or K"))
    name = _text(_("Name"), 200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices, initial=UnitKind.ROOM)
    parent = forms.ModelChoiceField(label=_("On floor"), queryset=Unit.objects.none(), required=False, empty_label="–")

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_unit_%s")
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = building.units.filter(kind=UnitKind.FLOOR).order_by("code")  # type: ignore[attr-defined]


class InstallationForm(ServiceErrorsForm):
    """Register an installation of a building."""

    kind = forms.ChoiceField(label=_("Type"), choices=InstallationKind.choices)
    name = _text(_("Name"), 200)
    unit = forms.ModelChoiceField(
        label=_("Room or floor"), queryset=Unit.objects.none(), required=False, empty_label="–"
    )
    make = _text(_("Make"), 100)
    model = _text(_("Model"), 100)
    year_installed = _numeric(_("Year installed"), 4)
    supplier = _text(_("Supplier"), 200)
    service_contract = _text(_("Service contract"), 100)
    contract_expires = forms.DateField(
        label=_("Contract expires"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = _long_text(_("Notes"))

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_installation_%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = building.units.order_by("code")  # type: ignore[attr-defined]


__all__ = ["BuildingForm", "InstallationForm", "ServiceErrorsForm", "UnitForm", "initial_facts"]
