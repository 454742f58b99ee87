"""Rendering information items so sensitive text appears only to those allowed to see it."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can_see_sensitive(user: Any, item: Any) -> bool:
    return bool(user.has_perm("sharing.view_sensitive", item))


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
