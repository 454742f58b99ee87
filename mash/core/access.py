"""Need to know: the one place that decides which records a user may see.

Every list, search and detail page starts from `visible_contacts` / `visible_people`, so a
record a user must not see is absent from listings and answers 404 when opened directly
(a 404 rather than a 403 so the existence of a child's record is not disclosed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from mash.intake.models import Contact
from mash.people.models import Person

if TYPE_CHECKING:
    from mash.accounts.models import User


def visible_contacts(user: User) -> QuerySet[Contact]:
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.is_mash_member:
        return Contact.objects.all()
    # Partner agency practitioners see a contact only once their agency has been asked
    # about it (MASH Stage 2); administrators manage configuration, not casework.
    return Contact.objects.none()


def visible_people(user: User) -> QuerySet[Person]:
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    if user.is_mash_member:
        return Person.objects.all()
    return Person.objects.none()


def contact_for(user: User, pk: int) -> Contact:
    try:
        return visible_contacts(user).get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404("No contact found") from None


def person_for(user: User, pk: int) -> Person:
    try:
        return visible_people(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404("No person found") from None
