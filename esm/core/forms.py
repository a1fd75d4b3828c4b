"""Putting a service's refusal on the form that caused it."""

from __future__ import annotations

from django import forms

from esm.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """Put a `DomainError` beside the field it concerns (renamed by `fields`: service name → form name),
    or above the form when it names no field of the form."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}  # add_error works on a form that was never validated, too
    fields = fields or {}
    placed = False
    for field, messages_ in (error.errors or {}).items():
        name = fields.get(field, field)
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
