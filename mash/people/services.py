"""Finding the same child in existing records, and what their history says about this contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from mash.audit import services as audit
from mash.core.access import visible_people
from mash.domain.identifiers import normalise_postcode
from mash.domain.matching import MatchResult, PersonRecord, name_variants, phonetic_key, score
from mash.partnership.services import require_partnership

from .models import SOCIAL_WORK_KINDS, InvolvementKind, Person

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.intake.models import Contact

# Below this a candidate is noise rather than a possible match; the officer still sees up to
# MAX_CANDIDATES above it, best first, with the reasons, and decides.
MIN_PROBABILITY = 0.05
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class SearchQuery:
    forenames: str = ""
    surname: str = ""
    date_of_birth: date | None = None
    postcode: str = ""
    address: str = ""
    sex: str = ""
    nhs_number: str = ""
    upn: str = ""

    @property
    def is_empty(self) -> bool:
        return not any([self.forenames, self.surname, self.date_of_birth, self.postcode, self.nhs_number, self.upn])

    def describe(self) -> str:
        parts = [
            f"name '{(self.forenames + ' ' + self.surname).strip()}'" if (self.forenames or self.surname) else "",
            f"DOB {self.date_of_birth:%d/%m/%Y}" if self.date_of_birth else "",
            f"postcode {self.postcode}" if self.postcode else "",
            "NHS number" if self.nhs_number else "",
            "UPN" if self.upn else "",
        ]
        return ", ".join(p for p in parts if p)

    def as_record(self) -> PersonRecord:
        return PersonRecord(
            forenames=self.forenames,
            surname=self.surname,
            dob=self.date_of_birth,
            sex=self.sex if self.sex in {"M", "F"} else "",
            postcode=normalise_postcode(self.postcode) if self.postcode else None,
            address=self.address,
            nhs_number=self.nhs_number or None,
            upn=self.upn or None,
        )


@dataclass
class Candidate:
    person: Person
    match: MatchResult
    household: list[Person] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.match.probability * 100)


def person_record(person: Person) -> PersonRecord:
    return PersonRecord(
        forenames=person.forenames,
        surname=person.surname,
        other_names=tuple(n.strip() for n in person.other_names.split(",") if n.strip()),
        dob=person.date_of_birth or person.expected_date_of_birth,
        dob_is_expected=person.is_unborn,
        sex=person.sex if person.sex in {"M", "F"} else "",
        postcode=person.postcode or None,
        address=person.address,
        nhs_number=person.nhs_number or None,
        upn=person.upn or None,
    )


def _swapped(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month) if day.day <= 12 and day.day != day.month else None
    except ValueError:
        return None


def candidate_pool(people: QuerySet[Person], query: SearchQuery) -> QuerySet[Person]:
    """Cheap, indexed blocking: anyone sharing a phonetic name key, a DOB (or its swap), a postcode or an ID."""
    clauses = Q(pk__in=[])
    name_keys: set[str] = set()
    for name in (query.forenames.split(" ")[0] if query.forenames else "", query.surname):
        if not name:
            continue
        name_keys.add(phonetic_key(name))
        name_keys.update(phonetic_key(v) for v in name_variants(name))
    name_keys.discard("")
    if name_keys:
        # Either key in either position also catches first and last names swapped.
        clauses |= Q(surname_key__in=name_keys) | Q(forename_key__in=name_keys)
    if query.date_of_birth:
        dobs = {query.date_of_birth}
        swapped = _swapped(query.date_of_birth)
        if swapped:
            dobs.add(swapped)
        clauses |= Q(date_of_birth__in=dobs) | Q(expected_date_of_birth__in=dobs)
    postcode = normalise_postcode(query.postcode) if query.postcode else None
    if postcode:
        clauses |= Q(postcode=postcode)
    if query.nhs_number:
        clauses |= Q(nhs_number=query.nhs_number)
    if query.upn:
        clauses |= Q(upn=query.upn)
    return people.filter(clauses)


def find_candidates(query: SearchQuery, people: QuerySet[Person], *, exclude: set[int] | None = None) -> list[Candidate]:
    if query.is_empty:
        return []
    record = query.as_record()
    candidates = []
    for person in candidate_pool(people, query).exclude(pk__in=exclude or set())[:2000]:
        match = score(record, person_record(person))
        if match.probability >= MIN_PROBABILITY:
            candidates.append(Candidate(person, match))
    candidates.sort(key=lambda c: (-c.match.probability, c.person.surname, c.person.forenames))
    candidates = candidates[:MAX_CANDIDATES]
    for candidate in candidates:
        candidate.household = household_of(candidate.person)
    return candidates


def search_people(user: User, query: SearchQuery, *, request: HttpRequest | None = None, purpose: str = "") -> list[Candidate]:
    """The search every page uses: restricted to what the user may see, and audited."""
    results = find_candidates(query, visible_people(user))
    audit.record(
        user,
        "person.searched",
        summary=f"Searched for {query.describe() or 'nothing'}; {len(results)} candidate(s) shown",
        reason=purpose,
        object_type="people.person",
        request=request,
    )
    return results


def household_of(person: Person) -> list[Person]:
    related = [r.relative for r in person.relationships.select_related("relative")]
    related += [r.person for r in person.related_to.select_related("person")]
    seen: dict[int, Person] = {}
    for other in related:
        seen.setdefault(other.pk, other)
    return sorted(seen.values(), key=lambda p: (p.date_of_birth or date.max, p.forenames))


@dataclass(frozen=True)
class HistoryWarnings:
    open_case: object | None
    recent_closure: object | None
    open_early_help: object | None
    repeat_contacts: int
    window_days: int
    weeks: int

    @property
    def any(self) -> bool:
        return bool(self.open_case or self.recent_closure or self.open_early_help or self.repeat_contacts)


def history_warnings(person: Person, *, as_of: date | None = None, excluding_contact_id: int | None = None) -> HistoryWarnings:
    """The checks of seed 002 §4: open case, the 12-week rule, open early help, repeat contacts."""
    partnership = require_partnership()
    today = as_of or timezone.localdate()
    weeks = partnership.twelve_week_rule_weeks
    window = partnership.repeat_contact_window_days
    involvements = person.involvements.select_related("team")
    open_case = involvements.filter(kind__in=SOCIAL_WORK_KINDS, closed_on__isnull=True).first()
    recent_closure = (
        involvements.filter(kind__in=SOCIAL_WORK_KINDS, closed_on__gte=today - timedelta(weeks=weeks), closed_on__lte=today)
        .order_by("-closed_on")
        .first()
    )
    open_early_help = involvements.filter(kind=InvolvementKind.EARLY_HELP, closed_on__isnull=True).first()
    contacts = person.contact_appearances.filter(
        contact__received_at__date__gte=today - timedelta(days=window), contact__received_at__date__lte=today
    )
    if excluding_contact_id:
        contacts = contacts.exclude(contact_id=excluding_contact_id)
    return HistoryWarnings(
        open_case=open_case,
        recent_closure=recent_closure,
        open_early_help=open_early_help,
        repeat_contacts=contacts.values("contact_id").distinct().count(),
        window_days=window,
        weeks=weeks,
    )


def view_person(user: User, person: Person, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "person.viewed", person, summary=f"Opened the record of {person.full_name}", request=request)


def check_cumulative_harm(contact: Contact, actor: User, *, request: HttpRequest | None = None) -> None:
    """PLACEHOLDER (issue #4 helper): raise a cumulative harm alert when the configured window holds enough low-level contacts."""
    return None
