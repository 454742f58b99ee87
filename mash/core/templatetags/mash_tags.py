from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rem = divmod(minutes, 60 * 24)
    hours, mins = divmod(rem, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins and not days:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts) or "less than a minute"


@register.filter
def time_left(deadline: datetime | None) -> str:
    """'3 hours 20 minutes left' or 'Overdue by 1 day 2 hours', in plain words for screen readers too."""
    if deadline is None:
        return ""
    delta = deadline - timezone.now()
    if delta.total_seconds() < 0:
        return f"Overdue by {_span(delta)}"
    return f"{_span(delta)} left"


@register.filter
def is_overdue(deadline: datetime | None) -> bool:
    return deadline is not None and deadline < timezone.now()


@register.simple_tag
def deadline(value: datetime | None) -> SafeString:
    if value is None:
        return mark_safe('<span class="govuk-hint">Not set</span>')  # noqa: S308
    local = timezone.localtime(value)
    if value < timezone.now():
        return format_html(
            '<strong class="govuk-tag govuk-tag--red">Overdue</strong> <time datetime="{}">{}</time><br><span class="govuk-body-s">{}</span>',
            value.isoformat(), local.strftime("%a %d %b %Y %H:%M"), time_left(value),
        )
    return format_html(
        '<time datetime="{}">{}</time><br><span class="govuk-body-s mash-time-left">{}</span>',
        value.isoformat(), local.strftime("%a %d %b %Y %H:%M"), time_left(value),
    )


@register.simple_tag
def rag_tag(rag: object) -> SafeString:
    if rag is None:
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Not rated</strong>')  # noqa: S308
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', getattr(rag, "tag_colour", "grey"), getattr(rag, "name", rag))


@register.filter
def status_colour(status: str) -> str:
    return {
        "recorded": "grey",
        "awaiting_triage": "blue",
        "triaged": "light-blue",
        "awaiting_sign_off": "purple",
        "challenged": "orange",
        "signed_off": "turquoise",
        "closed": "green",
    }.get(status, "grey")
