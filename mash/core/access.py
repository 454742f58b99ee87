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
    from mash.sharing.models import InformationRequest


def visible_contacts(user: User) -> QuerySet[Contact]:
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.is_mash_member:
        return Contact.objects.all()
    # Partner agencies never open the MASH record itself: they see the request addressed to
    # them (requests_for_agency). Receiving teams see what left the MASH (transferred_contacts).
    # Administrators manage configuration, not casework.
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


def requests_for_agency(user: User) -> QuerySet[InformationRequest]:
    """A partner practitioner sees the requests addressed to their own agency, and no others."""
    from mash.sharing.models import InformationRequest

    if not user.is_authenticated or not user.is_active or not user.is_partner or user.agency_id is None:
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(agency_id=user.agency_id)


def request_for_agency(user: User, pk: int) -> InformationRequest:
    from mash.sharing.models import InformationRequest

    try:
        return requests_for_agency(user).select_related("contact", "agency").get(pk=pk)
    except InformationRequest.DoesNotExist:
        raise Http404("No request found") from None


def transferred_contacts(user: User) -> QuerySet[Contact]:
    """A receiving team sees contacts whose agreed outcome sent them to that team, and no others."""
    from mash.decisions.models import Decision

    if not user.is_authenticated or not user.is_active or not user.is_receiving_practitioner or user.team_id is None:
        return Contact.objects.none()
    agreed = Decision.objects.filter(review=Decision.Review.AGREED, receiving_team_id=user.team_id)
    return Contact.objects.filter(pk__in=agreed.values("contact_id"))


def transferred_contact_for(user: User, pk: int) -> Contact:
    try:
        return transferred_contacts(user).get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404("No transfer found") from None


def sharing_log_contact_for(user: User, pk: int) -> Contact:
    """MASH members and the data protection officer may read a contact's sharing log (not the record)."""
    if user.is_authenticated and user.is_active and user.has_perm("sharing.view_contact_sharing_log"):
        try:
            return Contact.objects.get(pk=pk)
        except Contact.DoesNotExist:
            pass
    raise Http404("No contact found")
