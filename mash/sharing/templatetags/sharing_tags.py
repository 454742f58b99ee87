"""Rendering information items so sensitive text appears only to those allowed to see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mash.sharing.models import ItemKind

register = template.Library()


@register.filter
def can_see_sensitive(user: Any, item: Any) -> bool:
    return bool(user.has_perm("sharing.view_sensitive", item))


KIND_COLOURS = {ItemKind.FACT: "blue", ItemKind.OPINION: "purple", ItemKind.UNVERIFIED: "yellow"}


@register.simple_tag
def kind_tag(kind: str) -> SafeString:
    """Fact, professional opinion or unverified/hearsay, told apart at a glance (seed 002 App. F)."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', KIND_COLOURS.get(kind, "grey"), ItemKind(kind).label)


@register.inclusion_tag("sharing/includes/item.html", takes_context=True)
def information_item(context: Any, item: Any, show_redaction: bool = True) -> dict[str, Any]:
    """One item as a summary card: kind, source, date, and either its text or only that sensitive information exists."""
    user = context["request"].user
    return {
        "item": item,
        "visible": not item.is_sensitive or user.has_perm("sharing.view_sensitive", item),
        "show_redaction": show_redaction,
        "request": context["request"],
    }
