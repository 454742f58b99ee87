"""Configuration changed in the admin is audited like any other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from mash.audit import services as audit


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = ", ".join(form.changed_data) if change else "all fields"
            audit.record(
                request.user,
                f"config.{'changed' if change else 'added'}",
                obj,
                summary=f"{obj._meta.verbose_name.capitalize()} '{obj}' {'changed' if change else 'added'} ({changed})",
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit.record(request.user, "config.deleted", obj, summary=f"{obj._meta.verbose_name.capitalize()} '{obj}' deleted", request=request)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(request.user, "config.deleted", obj, summary=f"{obj._meta.verbose_name.capitalize()} '{obj}' deleted", request=request)
            super().delete_queryset(request, queryset)
