"""Django admin for reply templates and macros; every save goes through the services.

Templates and macros added here are shared. Personal ones of other people are shown
read-only: only their owner changes them (in the desk).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from esm.accounts.models import User
from esm.core.errors import DomainError
from esm.replies import services
from esm.replies.models import Macro, ReplyTemplate
from esm.replies.rules import may_edit, may_keep_shared


class TemplateAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ReplyTemplate
        fields = ["name", "body_da", "body_en", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.validate_template(
                name=data.get("name"),
                body_da=data.get("body_da"),
                body_en=data.get("body_en"),
                owner=self.instance.owner if self.instance.pk else None,
                exclude=self.instance.pk,
            )
        except DomainError as error:
            raise _validation_error(error) from error
        return data


def _validation_error(error: DomainError) -> ValidationError:
    if error.errors:
        return ValidationError({field: list(messages) for field, messages in error.errors.items()})
    return ValidationError(error.message)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin[ReplyTemplate]):
    form = TemplateAdminForm
    list_display = ["name", "owner", "is_active", "updated_at"]
    list_filter = ["is_active", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "body_da", "body_en"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and may_keep_shared(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_edit(request.user, obj))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_edit(request.user, obj))  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: ReplyTemplate, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        if change:
            saved = services.update_template(
                actor,
                template=ReplyTemplate.objects.get(pk=obj.pk),
                name=data["name"],
                body_da=data["body_da"],
                body_en=data["body_en"],
                is_active=data["is_active"],
            )
        else:
            saved = services.create_template(
                actor,
                name=data["name"],
                body_da=data["body_da"],
                body_en=data["body_en"],
                shared=True,
                is_active=data["is_active"],
            )
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request: HttpRequest, obj: ReplyTemplate) -> None:
        services.delete_template(request.user, template=obj)  # type: ignore[arg-type]


class MacroAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Macro
        fields = ["name", "reply_template", "action", "category", "team", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"] = forms.ChoiceField(
            label=Macro._meta.get_field("action").verbose_name,
            required=False,
            choices=[("", "—")] + [(t.action, t.label) for t in services.macro_actions()],
        )
        if "reply_template" in self.fields:
            self.fields["reply_template"].queryset = ReplyTemplate.objects.filter(  # type: ignore[attr-defined]
                owner__isnull=True
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.validate_macro(
                name=data.get("name"),
                owner=self.instance.owner if self.instance.pk else None,
                reply_template=data.get("reply_template"),
                action=data.get("action") or "",
                category=data.get("category"),
                team=data.get("team"),
                exclude=self.instance.pk,
            )
        except DomainError as error:
            raise _validation_error(error) from error
        return data


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin[Macro]):
    form = MacroAdminForm
    list_display = ["name", "owner", "reply_template", "action", "category", "team", "is_active"]
    list_filter = ["is_active", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and may_keep_shared(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_edit(request.user, obj))  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_edit(request.user, obj))  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Macro, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "reply_template": data.get("reply_template"),
            "action": data.get("action") or "",
            "category": data.get("category"),
            "team": data.get("team"),
            "is_active": data["is_active"],
        }
        if change:
            saved = services.update_macro(actor, macro=Macro.objects.get(pk=obj.pk), **fields)
        else:
            saved = services.create_macro(actor, shared=True, **fields)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def delete_model(self, request: HttpRequest, obj: Macro) -> None:
        services.delete_macro(request.user, macro=obj)  # type: ignore[arg-type]
