"""Finding the same child in existing records, and what their history says about this contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from mash.audit import services as audit
from mash.core.access import visible_people
from mash.domain.chronology import Entry, EntryKind, arrange, counts_by_kind
from mash.domain.cumulative import CumulativeFinding, CumulativeRule, DatedContact, assess, long_date
from mash.domain.identifiers import normalise_postcode
from mash.domain.match_model import TermFrequencies
from mash.domain.matching import MatchResult, MatchWeights, PersonRecord, name_variants, phonetic_key, score
from mash.partnership.services import current_partnership, require_partnership

from .models import SOCIAL_WORK_KINDS, InvolvementKind, Person, Relationship

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.intake.models import Contact

# Below this a candidate is noise rather than a possible match; the officer still sees up to
# MAX_CANDIDATES above it, best first, with the reasons, and decides.
MAX_CANDIDATES = 10
# Enough for the widest blocking (a common name with a common date of birth) in a million-person index.
POOL_LIMIT = 2000
# Two people with the same names born further apart than this are different people (or the date is so wrong
# that the postcode or an identifier has to find them).
NAME_BLOCK_DOB_WINDOW = timedelta(days=400)


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

    @property
    def likelihood(self) -> str:
        """The probability in words that never round a weak candidate up to "0%" or a near-certain one to "100%"."""
        p = self.match.probability
        if p >= 0.995:
            return "over 99%"
        if p < 0.01:
            return "under 1%"
        return f"{round(p * 100)}%"


def _record(
    forenames: str, surname: str, other_names: str, date_of_birth: date | None, expected: date | None, sex: str,
    postcode: str, address: str, nhs_number: str, upn: str,
) -> PersonRecord:
    return PersonRecord(
        forenames=forenames,
        surname=surname,
        other_names=tuple(n.strip() for n in other_names.split(",") if n.strip()),
        dob=date_of_birth or expected,
        dob_is_expected=date_of_birth is None and expected is not None,
        sex=sex if sex in {"M", "F"} else "",
        postcode=postcode or None,
        address=address,
        nhs_number=nhs_number or None,
        upn=upn or None,
    )


# What scoring needs, read as plain tuples: building a Person object per candidate would cost more
# than scoring it.
_MATCH_FIELDS = (
    "forenames", "surname", "other_names", "date_of_birth", "expected_date_of_birth", "sex", "postcode", "address",
    "nhs_number", "upn",
)


def person_record(person: Person) -> PersonRecord:
    return _record(*(getattr(person, name) for name in _MATCH_FIELDS))


@dataclass(frozen=True)
class SearchModel:
    """The active trained model as the interactive search uses it: plain numbers, no Splink or DuckDB."""

    version: int
    prior: float
    weights: MatchWeights
    term_frequencies: TermFrequencies | None


_search_models: dict[tuple[int, str, str], SearchModel] = {}


def search_model() -> SearchModel:
    from mash.matching.services import active_model

    model = active_model()
    key = (model.version, model.source, model.trained_at)
    cached = _search_models.get(key)
    if cached is None:
        cached = SearchModel(model.version, model.prior, model.weights(), model.term_frequencies)
        _search_models.clear()
        _search_models[key] = cached
    return cached


def display_threshold() -> float:
    from mash.partnership.models import Partnership

    partnership = current_partnership()
    if partnership is None:  # not configured yet: the configuration's own default
        return float(Partnership._meta.get_field("match_display_threshold").get_default())
    return float(partnership.match_display_threshold)


def _swapped(day: date) -> date | None:
    try:
        return date(day.year, day.day, day.month) if day.day <= 12 and day.day != day.month else None
    except ValueError:
        return None


def _year_apart(day: date, years: int) -> date | None:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return None


def _name_keys(name: str) -> set[str]:
    keys = {phonetic_key(name)} | {phonetic_key(v) for v in name_variants(name)}
    keys.discard("")
    return keys


Clause = dict[str, Any]  # Django-style lookups ANDed together, e.g. {"surname_key__in": {...}, "date_of_birth__range": (a, b)}


def blocking_clauses(query: SearchQuery) -> list[Clause]:
    """Cheap, indexed blocking that keeps the pool small in a million-person index.

    A candidate shares an NHS number or a UPN; or both name keys (Metaphone of the first forename and the
    surname, with nicknames and variants), either way round, born within about a year when a date of birth
    was given; or a date of birth (exact, day and month swapped, a year out) and one name key or the postcode
    district or a name key that starts with the same sound; or the postcode and one name key. A name alone is a clause only when nothing else was given.

    Each clause is a plain AND of indexed conditions (see Person.Meta.indexes): databases combine such
    clauses index by index (SQLite's multi-index OR, PostgreSQL's bitmap OR), whereas an OR nested inside a
    clause makes them read every row.
    """
    clauses: list[Clause] = []
    forename_keys = _name_keys(query.forenames.split(" ")[0]) if query.forenames.strip() else set()
    surname_keys = _name_keys(query.surname) if query.surname.strip() else set()
    keys = forename_keys | surname_keys
    postcode = normalise_postcode(query.postcode) if query.postcode else None
    day = query.date_of_birth
    if forename_keys and surname_keys:
        for surnames, forenames in ((surname_keys, forename_keys), (forename_keys, surname_keys)):
            names = {"surname_key__in": surnames, "forename_key__in": forenames}
            if day is None:
                clauses.append(names)
            else:
                near = (day - NAME_BLOCK_DOB_WINDOW, day + NAME_BLOCK_DOB_WINDOW)
                clauses += [{**names, "date_of_birth__range": near}, {**names, "date_of_birth__isnull": True}]
    if day is not None:
        dobs = {"date_of_birth__in": {d for d in (day, _swapped(day), _year_apart(day, -1), _year_apart(day, 1)) if d}}
        # Same date of birth and a name key starting with the same sound: catches spellings whose keys differ
        # (Oliwia Nowak / Olivia Novak) without letting everyone born that day into the pool.
        # (A range rather than LIKE, so the index on date of birth and key serves it on every database.)
        for initial in sorted({key[0] for key in keys}):
            sound = (initial, chr(ord(initial) + 1))
            clauses += [
                {**dobs, "surname_key__gte": sound[0], "surname_key__lt": sound[1]},
                {**dobs, "forename_key__gte": sound[0], "forename_key__lt": sound[1]},
            ]
        if postcode:
            clauses.append({**dobs, "postcode__startswith": postcode.split(" ")[0] + " "})
        if not (keys or postcode):
            clauses.append(dobs)
    if postcode:
        if keys:
            clauses += [{"postcode": postcode, "surname_key__in": keys}, {"postcode": postcode, "forename_key__in": keys}]
        else:
            clauses.append({"postcode": postcode})
    if query.nhs_number:
        clauses.append({"nhs_number": query.nhs_number})
    if query.upn:
        clauses.append({"upn": query.upn})
    if not clauses and keys:
        clauses += [{"surname_key__in": keys}, {"forename_key__in": keys}]
    return clauses


def candidate_pool(people: QuerySet[Person], query: SearchQuery) -> QuerySet[Person]:
    """The blocking clauses as a queryset (for pages and tests; the search itself runs them as one SQL query)."""
    clauses = blocking_clauses(query)
    if not clauses:
        return people.none()
    combined = Q(**clauses[0])
    for clause in clauses[1:]:
        combined |= Q(**clause)
    return people.filter(combined).order_by()


_SQL_LOOKUPS = {
    "exact": lambda column, value: (f"{column} = %s", [value]),
    "in": lambda column, values: (f"{column} IN ({', '.join(['%s'] * len(values))})", sorted(values)),
    "range": lambda column, bounds: (f"{column} BETWEEN %s AND %s", list(bounds)),
    "isnull": lambda column, value: (f"{column} IS {'' if value else 'NOT '}NULL", []),
    "gte": lambda column, value: (f"{column} >= %s", [value]),
    "lt": lambda column, value: (f"{column} < %s", [value]),
    "startswith": lambda column, prefix: (f"{column} LIKE %s", [prefix.replace("%", "").replace("_", "") + "%"]),
}


def _pool_rows(query: SearchQuery) -> list[tuple[Any, ...]]:
    """The blocking clauses as one hand-written query returning plain tuples.

    Why not the ORM here: compiling a dozen OR-ed clauses costs more than running them against a million rows,
    and unordered tuples are all scoring needs. Only un-merged people; visibility is applied to the ranked
    result by find_candidates."""
    clauses = blocking_clauses(query)
    if not clauses:
        return []
    meta = Person._meta
    quote = connection.ops.quote_name
    parts, params = [], []
    for clause in clauses:
        conditions = []
        for lookup, value in clause.items():
            name, _, operator = lookup.partition("__")
            sql, values = _SQL_LOOKUPS[operator or "exact"](quote(meta.get_field(name).column), value)
            conditions.append(sql)
            params += values
        parts.append("(" + " AND ".join(conditions) + ")")
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("id", *_MATCH_FIELDS))
    # Identifiers come from the model's own metadata and every value is a parameter.
    table, merged = quote(meta.db_table), quote(meta.get_field("merged_into").column)
    where = " OR ".join(parts)
    sql = f"SELECT {columns} FROM {table} WHERE {merged} IS NULL AND ({where}) LIMIT {POOL_LIMIT}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite hands dates back as text.
    return [
        (pk, *fields[:3], _as_date(fields[3]), _as_date(fields[4]), *fields[5:]) for pk, *fields in rows
    ]


def _as_date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def find_candidates(
    query: SearchQuery, people: QuerySet[Person], *, exclude: set[int] | None = None, limit: int = MAX_CANDIDATES,
    threshold: float | None = None,
) -> list[Candidate]:
    """Ranked candidates for `query` among `people` (merged duplicates never appear), each with the reasons and
    the household, scored with the active trained model."""
    if query.is_empty:
        return []
    model = search_model()
    floor = display_threshold() if threshold is None else threshold
    record = query.as_record()
    excluded = exclude or set()
    scored: list[tuple[MatchResult, int, str, str]] = []
    for pk, *fields in _pool_rows(query):
        if pk in excluded:
            continue
        match = score(
            record, _record(*fields), prior=model.prior, weights=model.weights, term_frequencies=model.term_frequencies
        )
        if match.probability >= floor:
            scored.append((match, pk, fields[1], fields[0]))
    scored.sort(key=lambda s: (-s[0].probability, s[2], s[3], s[1]))
    # Only people the caller may see, best first; usually the first batch is all of them.
    best: list[tuple[MatchResult, Person]] = []
    for start in range(0, len(scored), limit):
        batch = scored[start : start + limit]
        visible = people.in_bulk([pk for _, pk, _, _ in batch])
        best += [(match, visible[pk]) for match, pk, _, _ in batch if pk in visible]
        if len(best) >= limit:
            break
    best = best[:limit]
    households = households_of([p.pk for _, p in best])
    return [Candidate(p, match, households.get(p.pk, [])) for match, p in best]


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


@dataclass(frozen=True)
class KnownCheck:
    """What a partner agency may learn: whether the MASH holds a record of interest. Never whose, or what."""

    known: bool


def check_known(user: User, query: SearchQuery, *, request: HttpRequest | None = None) -> KnownCheck:
    """A partner practitioner's "is this child known?": yes when the best candidate reaches the partnership's
    review threshold. The audit event names the record found, so the MASH can see who asked about whom."""
    partnership = require_partnership()
    best = find_candidates(query, Person.objects.all(), limit=1)
    known = bool(best) and best[0].match.probability >= float(partnership.match_review_threshold)
    audit.record(
        user,
        "person.known_checked",
        best[0].person if known else None,
        summary=f"{user.agency or 'A partner agency'} asked whether the MASH knows {query.describe() or 'nothing'}: "
        + ("a record of interest exists" if known else "no record found"),
        reason=f"Best match {best[0].match.probability:.0%}" if known else "",
        object_type="" if known else "people.person",
        request=request,
    )
    return KnownCheck(known)


def households_of(person_ids: list[int]) -> dict[int, list[Person]]:
    """The household and family of each person, in one query (merged duplicates left out)."""
    found: dict[int, dict[int, Person]] = {pk: {} for pk in person_ids}
    rows = Relationship.objects.filter(Q(person_id__in=person_ids) | Q(relative_id__in=person_ids)).select_related(
        "person", "relative"
    )
    for r in rows:
        for me, other in ((r.person, r.relative), (r.relative, r.person)):
            if me.pk in found and other.pk != me.pk and other.merged_into_id is None:
                found[me.pk].setdefault(other.pk, other)
    return {
        pk: sorted(others.values(), key=lambda p: (p.date_of_birth or date.max, p.forenames)) for pk, others in found.items()
    }


@dataclass(frozen=True)
class EarlyHelpNote:
    """One early help referral in the child's history, in a sentence (seed 000 P3/4, seed 001 case 3)."""

    referral: object
    sentence: str
    needs_attention: bool  # declined, or the family could not be reached: consider escalation


@dataclass(frozen=True)
class HistoryWarnings:
    open_case: object | None
    recent_closure: object | None
    open_early_help: object | None
    repeat_contacts: int
    window_days: int
    weeks: int
    cumulative: CumulativeFinding | None = None
    early_help: tuple[EarlyHelpNote, ...] = ()

    @property
    def any(self) -> bool:
        return bool(
            self.open_case or self.recent_closure or self.open_early_help or self.repeat_contacts or self.cumulative
            or self.early_help
        )

    @property
    def early_help_needs_attention(self) -> bool:
        return any(note.needs_attention for note in self.early_help)


def history_warnings(
    person: Person, *, as_of: date | None = None, excluding_contact_id: int | None = None, include_cumulative: bool = True
) -> HistoryWarnings:
    """The checks of seed 002 §4: open case, the 12-week rule, open early help, repeat contacts;
    and the picture over time: cumulative harm and what happened to earlier early help referrals."""
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
    finding = None
    if include_cumulative:
        moment = timezone.now() if as_of is None else timezone.make_aware(datetime.combine(as_of, time.max))
        finding = cumulative_finding(person, as_of=moment, partnership=partnership)
    return HistoryWarnings(
        open_case=open_case,
        recent_closure=recent_closure,
        open_early_help=open_early_help,
        repeat_contacts=contacts.values("contact_id").distinct().count(),
        window_days=window,
        weeks=weeks,
        cumulative=finding if finding is not None and finding.alert else None,
        early_help=tuple(early_help_history(person, excluding_contact_id=excluding_contact_id)),
    )


def view_person(user: User, person: Person, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "person.viewed", person, summary=f"Opened the record of {person.full_name}", request=request)




# ---------------------------------------------------------------------------------------
# The household, cumulative harm and early help history
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tie:
    """Someone related to the person: who they are to the person, and whether they live together."""

    person: Person
    relationship: str  # what they are to the person ("sister"), when the index records it that way round
    lives_with: bool
    inverse: str = ""  # otherwise what the person is to them ("Amy is their sister")

    @property
    def described(self) -> str:
        return self.relationship or self.inverse


def household_ties(person: Person) -> list[Tie]:
    """Everyone the index relates to this person, in one query (either direction of the relationship)."""
    ties: dict[int, Tie] = {}
    rows = Relationship.objects.filter(Q(person=person) | Q(relative=person)).select_related("person", "relative")
    for r in rows.order_by("id"):
        direct = r.person_id == person.pk
        other = r.relative if direct else r.person
        if other.pk == person.pk:
            continue
        known = ties.get(other.pk) or Tie(other, "", False)
        ties[other.pk] = Tie(
            other,
            known.relationship or (r.relationship if direct else ""),
            known.lives_with or r.lives_with,
            known.inverse or ("" if direct else f"{person.forenames} is their {r.relationship}"),
        )
    return sorted(ties.values(), key=lambda t: (t.person.date_of_birth or date.max, t.person.forenames))


def is_child(person: Person, today: date | None = None) -> bool:
    if person.is_unborn:
        return True
    age = person.age_on(today or timezone.localdate())
    return age is not None and age < 18


def _subject_rows(person_ids: set[int], *, since: datetime | None = None, until: datetime | None = None) -> QuerySet:
    from mash.domain.workflow import ContactStatus
    from mash.intake.models import ContactPerson

    rows = ContactPerson.objects.filter(person_id__in=person_ids, role=ContactPerson.Role.SUBJECT_CHILD).exclude(
        contact__status=ContactStatus.RECORDED
    )
    if since is not None:
        rows = rows.filter(contact__received_at__gte=since)
    if until is not None:
        rows = rows.filter(contact__received_at__lte=until)
    return rows.select_related("person", "contact__level_of_need")


def _agreed_outcomes(contact_ids: set[int]) -> dict[int, str]:
    """The latest agreed outcome of each contact (a disputed decision changed later is replaced by the new one)."""
    from mash.decisions.models import Decision

    outcomes: dict[int, str] = {}
    rows = (
        Decision.objects.filter(contact_id__in=contact_ids, review=Decision.Review.AGREED)
        .order_by("reviewed_at", "id")
        .values_list("contact_id", "outcome")
    )
    for contact_id, outcome in rows:
        outcomes[contact_id] = outcome
    return outcomes


def cumulative_rule(partnership: object | None = None) -> CumulativeRule:
    p = partnership or require_partnership()
    return CumulativeRule(
        window_days=p.cumulative_window_days,  # type: ignore[attr-defined]
        threshold=p.cumulative_threshold,  # type: ignore[attr-defined]
        max_level=p.cumulative_max_level,  # type: ignore[attr-defined]
    )


def cumulative_finding(person: Person, *, as_of: datetime | None = None, partnership: object | None = None) -> CumulativeFinding:
    """Low-level contacts about the child and the children they live with, in the partnership's window up to `as_of`."""
    rule = cumulative_rule(partnership)
    moment = as_of or timezone.now()
    household = {person.pk} | {t.person.pk for t in household_ties(person) if t.lives_with}
    rows = list(_subject_rows(household, since=moment - timedelta(days=rule.window_days), until=moment))
    outcomes = _agreed_outcomes({r.contact_id for r in rows})
    dated = [
        DatedContact(
            contact_id=r.contact_id,
            reference=r.contact.reference,
            child_id=r.person_id,
            child_name=r.person.full_name,
            received_at=timezone.localtime(r.contact.received_at),
            level=r.contact.level_of_need.level if r.contact.level_of_need else None,
            agreed_outcome=outcomes.get(r.contact_id),
        )
        for r in rows
    ]
    return assess(dated, child_id=person.pk, child_name=person.full_name, as_of=timezone.localtime(moment), rule=rule)


def check_cumulative_harm(contact: Contact, actor: User, *, request: HttpRequest | None = None) -> object | None:
    """Pieces of the same puzzle: alert the managers once per contact when the child or household has had
    the configured number of low-level contacts in the window (this contact included). Returns the alert."""
    from mash.intake.models import ContactPerson
    from mash.workqueue.models import Alert

    partnership = current_partnership()
    if partnership is None:
        return None
    if Alert.objects.filter(contact=contact, kind=Alert.Kind.CUMULATIVE_HARM).exists():
        return None
    subjects = contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD, person__isnull=False).select_related("person")
    for cp in subjects:
        finding = cumulative_finding(cp.person, as_of=contact.received_at, partnership=partnership)
        if not finding.alert:
            continue
        message = finding.message()
        alert = Alert.objects.create(contact=contact, kind=Alert.Kind.CUMULATIVE_HARM, message=message, raised_by=actor)
        audit.record(
            actor,
            "cumulative_harm.alerted",
            contact,
            summary=f"{contact.reference}: {message}",
            reason=f"Contacts counted: {', '.join(finding.references)}",
            request=request,
        )
        return alert
    return None


def early_help_sentence(referral: object) -> tuple[str, bool]:
    r: Any = referral
    referred = long_date(timezone.localtime(r.referred_at).date())
    answered = long_date(timezone.localtime(r.response_recorded_at).date()) if r.response_recorded_at else referred
    team = r.team.name
    status = r.status
    if status == "declined":
        text, attention = f"Early help declined on {answered} (offered by {team} on {referred})", True
    elif status == "no_contact":
        text, attention = f"Early help offered on {referred} by {team}: the family could not be reached", True
    elif status == "accepted":
        text, attention = f"Early help accepted on {answered} ({team})", False
    else:
        text, attention = f"Early help offered on {referred} by {team}: waiting for the family's answer", False
    if r.escalation == "escalate":
        text += "; the decision maker escalated it for a re-assessment"
        attention = False
    elif r.escalation == "not_needed":
        text += "; escalation was considered and not needed"
        attention = False
    return f"{text} (contact {r.contact.reference}).", attention


def early_help_history(person: Person, *, excluding_contact_id: int | None = None) -> list[EarlyHelpNote]:
    """Every early help referral about the child, newest first, so the next contact shows it (seed 000 P3/4)."""
    from mash.decisions.models import EarlyHelpReferral
    from mash.intake.models import ContactPerson

    about = Q(person=person) | Q(
        person__isnull=True,
        contact__people__person=person,
        contact__people__role=ContactPerson.Role.SUBJECT_CHILD,
    )
    referrals = EarlyHelpReferral.objects.filter(about).select_related("team", "contact").distinct().order_by("-referred_at")
    if excluding_contact_id:
        referrals = referrals.exclude(contact_id=excluding_contact_id)
    notes = []
    for referral in referrals:
        sentence, attention = early_help_sentence(referral)
        notes.append(EarlyHelpNote(referral, sentence, attention))
    return notes


# ---------------------------------------------------------------------------------------
# The chronology
# ---------------------------------------------------------------------------------------


@dataclass
class HouseholdChild:
    person: Person
    relationship: str
    lives_with: bool
    contact_count: int = 0
    latest_reference: str = ""
    latest_contact_id: int | None = None
    latest_outcome: str = ""


@dataclass
class Chronology:
    person: Person
    household_view: bool
    entries: list[Entry]
    counts: dict[EntryKind, int]
    kinds: frozenset[EntryKind]
    newest_first: bool
    children: list[HouseholdChild]
    cumulative: CumulativeFinding | None
    ties: list[Tie]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _names(people: list[Any], fallback: str) -> str:
    names = [cp.person.full_name if cp.person else cp.full_name for cp in people]
    return ", ".join(dict.fromkeys(names)) or fallback


def _contact_entries(contact: Any, child_name: str, child_id: int | None, scope: set[int]) -> list[Entry]:
    """A contact and what the MASH did with it: received, rated, recommended, challenged, agreed, referred,
    strategy discussions, disagreements and early help."""
    ref, cid = contact.reference, contact.pk
    common = {"contact_id": cid, "reference": ref, "child_id": child_id, "child_name": child_name}
    entries: list[Entry] = []
    seq = count(10)  # ties (things recorded in the same minute) keep the order they happen in
    categories = ", ".join(c.name for c in contact.concern_categories.all()) or "not recorded"
    if contact.rag_rating_id:
        rating = f"Rated {contact.rag_rating.code}" + (f", level {contact.level_of_need.level}" if contact.level_of_need_id else "")
    else:
        rating = "Not yet rated"
    referrer = contact.get_referrer_source_display()
    if contact.referrer_agency:
        referrer += f" ({contact.referrer_agency})"
    subjects = [cp for cp in contact.people.all() if cp.role == "subject_child"]
    named_only = not any(cp.person_id in scope for cp in subjects)
    title = f"Contact {ref} received"
    if named_only:
        title = f"Named in contact {ref} about {_names(subjects, 'another child')}"
    entries.append(
        Entry(
            contact.received_at, EntryKind.CONTACT, title,
            detail=f"{contact.get_channel_display()} from {referrer}. Concerns: {categories}. {rating}. Now: {contact.status_label}.",
            tag=contact.rag_rating.code if contact.rag_rating_id else "", sequence=0, **common,
        )
    )
    for decision in contact.decisions.all():
        by = decision.recommended_by.display_name
        entries.append(
            Entry(decision.recommended_at, EntryKind.DECISION, f"Recommended: {decision.get_outcome_display()}",
                  detail=f"By {by}. {decision.rationale}", sequence=next(seq), **common)
        )
        if decision.review == "challenged" and decision.reviewed_at:
            entries.append(
                Entry(decision.reviewed_at, EntryKind.DECISION, "Manager challenged the recommendation",
                      detail=decision.manager_comment, sequence=next(seq), **common)
            )
        elif decision.review in ("agreed", "superseded") and decision.reviewed_at:
            where = decision.receiving_team.name if decision.receiving_team_id else decision.destination
            detail = f"To {where}. " if where else ""
            manager = decision.reviewed_by.display_name if decision.reviewed_by_id else ""
            detail += f"Signed off by {manager}." if manager else ""
            if decision.manager_comment:
                detail += f" {decision.manager_comment}"
            entries.append(
                Entry(decision.reviewed_at, EntryKind.OUTCOME,
                      f"Outcome agreed: {decision.get_outcome_display()}"
                      + (" (later changed after a professional disagreement)" if decision.review == "superseded" else ""),
                      detail=detail.strip(), sequence=next(seq), **common)
            )
    if contact.referral_at:
        entries.append(
            Entry(contact.referral_at, EntryKind.OUTCOME, "Became a referral to children's social care",
                  detail="A manager agreed the threshold for social care was met.", sequence=next(seq), **common)
        )
    for discussion in contact.strategy_discussions.all():
        kind = discussion.get_kind_display()
        entries.append(
            Entry(discussion.convened_at, EntryKind.STRATEGY,
                  f"{kind} arranged for {timezone.localtime(discussion.scheduled_for):%d/%m/%Y %H:%M}", sequence=next(seq), **common)
        )
        if discussion.status == "held" and discussion.held_at:
            decided = discussion.get_decision_display() if discussion.decision else "decision not yet recorded"
            entries.append(Entry(discussion.held_at, EntryKind.STRATEGY, f"{kind} held: {decided}", sequence=next(seq), **common))
        elif discussion.status == "cancelled":
            entries.append(
                Entry(discussion.recorded_at or discussion.convened_at, EntryKind.STRATEGY, f"{kind} cancelled",
                      detail=discussion.cancelled_reason, sequence=next(seq), **common)
            )
    for dispute in contact.disputes.all():
        who = dispute.raised_by_agency.name if dispute.raised_by_agency_id else dispute.raised_by.display_name
        proposed = f" Proposed: {dispute.get_proposed_outcome_display()}." if dispute.proposed_outcome else ""
        entries.append(
            Entry(dispute.raised_at, EntryKind.DISPUTE, f"Professional disagreement raised by {who}",
                  detail=f"{dispute.grounds}{proposed}".strip(), sequence=next(seq), **common)
        )
        if dispute.resolved_at:
            agreed = f" Agreed outcome: {dispute.get_agreed_outcome_display()}." if dispute.agreed_outcome else ""
            entries.append(
                Entry(dispute.resolved_at, EntryKind.DISPUTE,
                      f"Disagreement resolved: {dispute.get_resolution_display() or 'resolved'}",
                      detail=f"{dispute.resolution_summary}{agreed}".strip(), sequence=next(seq), **common)
            )
    for referral in contact.early_help_referrals.all():
        who = {**common}
        if referral.person_id:
            who.update(child_id=referral.person_id, child_name=referral.person.full_name)
        entries.append(
            Entry(referral.referred_at, EntryKind.EARLY_HELP, f"Referred to early help ({referral.team.name})", sequence=next(seq), **who)
        )
        if referral.response_recorded_at and referral.status != "offered":
            entries.append(
                Entry(referral.response_recorded_at, EntryKind.EARLY_HELP, f"Early help: {referral.get_status_display()}",
                      detail=referral.response_notes, sequence=next(seq), **who)
            )
        if referral.escalation_decided_at and referral.escalation:
            entries.append(
                Entry(referral.escalation_decided_at, EntryKind.EARLY_HELP, referral.get_escalation_display(),
                      detail=referral.escalation_rationale, sequence=next(seq), **who)
            )
    return entries


def _agency_entries(responses: list[Any], labels: dict[int, tuple[str, int | None]]) -> list[Entry]:
    entries = []
    for response in responses:
        contact_id = response.request.contact_id
        child_name, child_id = labels[contact_id]
        agency = response.request.agency.name
        items = tuple(response.items.all())
        if response.nothing_held:
            title, detail = f"{agency}: nothing held", ""
        else:
            title = f"{agency} shared information"
            detail = "" if items else "No items shared."
            if response.withheld_summary:
                detail = (detail + " Some information is held but not shared.").strip()
        entries.append(
            Entry(response.submitted_at, EntryKind.AGENCY, title, detail=detail, contact_id=contact_id,
                  reference=response.request.contact.reference, child_id=child_id, child_name=child_name,
                  items=items, sequence=1)
        )
    return entries


def _involvement_entries(involvements: list[Any]) -> list[Entry]:
    entries = []
    for inv in involvements:
        label, who = inv.get_kind_display(), inv.person
        worker = f" Worker: {inv.allocated_worker}." if inv.allocated_worker else ""
        entries.append(
            Entry(_moment(inv.started_on), EntryKind.INVOLVEMENT, f"{label} started ({inv.team.name})",
                  detail=f"{inv.summary}{worker}".strip(), child_id=who.pk, child_name=who.full_name)
        )
        if inv.closed_on:
            entries.append(
                Entry(_moment(inv.closed_on), EntryKind.INVOLVEMENT, f"{label} closed ({inv.team.name})",
                      detail=inv.closure_reason, child_id=who.pk, child_name=who.full_name, sequence=1)
            )
    return entries


def chronology_for(
    user: User,
    person: Person,
    *,
    household: bool,
    kinds: frozenset[EntryKind] = frozenset(),
    newest_first: bool = False,
    request: HttpRequest | None = None,
) -> Chronology:
    """The child's chronology (or the whole household's), built in a fixed handful of queries, and audited.

    Agency information is carried as InformationItem objects for the template to render with
    `{% information_item %}`, so the firewall decides who reads sensitive text.
    """
    from django.db.models import Prefetch

    from mash.core.access import visible_contacts
    from mash.decisions.models import Decision, EarlyHelpReferral
    from mash.disputes.models import Dispute
    from mash.intake.models import ContactPerson
    from mash.sharing.models import AgencyResponse, InformationItem

    ties = household_ties(person)
    today = timezone.localdate()
    family_children = [t for t in ties if is_child(t.person, today)]
    together = {t.person.pk for t in family_children if t.lives_with}
    related_ids = {t.person.pk for t in family_children}
    everyone = {person.pk} | related_ids
    in_view = {person.pk} | (together if household else set())

    appearances = list(
        ContactPerson.objects.filter(person_id__in=everyone, contact__in=visible_contacts(user))
        .select_related("person", "contact__rag_rating", "contact__level_of_need")
        .order_by("contact__received_at", "contact_id")
    )
    contacts: dict[int, Any] = {}
    for a in appearances:
        contacts.setdefault(a.contact_id, a.contact)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        list(contacts.values()),
        "concern_categories",
        Prefetch("people", queryset=ContactPerson.objects.select_related("person")),
        Prefetch("decisions", queryset=Decision.objects.select_related("recommended_by", "reviewed_by", "receiving_team")),
        "strategy_discussions",
        Prefetch("disputes", queryset=Dispute.objects.select_related("raised_by", "raised_by_agency")),
        Prefetch("early_help_referrals", queryset=EarlyHelpReferral.objects.select_related("team", "person")),
    )

    # Who each contact is about (the label in the household view) and which contacts are in view.
    labels: dict[int, tuple[str, int | None]] = {}
    view_contacts: list[Any] = []
    for contact in contacts.values():
        subjects = [cp for cp in contact.people.all() if cp.role == ContactPerson.Role.SUBJECT_CHILD]
        in_scope = [cp for cp in subjects if cp.person_id in in_view]
        chosen = in_scope or subjects
        labels[contact.pk] = (_names(chosen, "child not named"), chosen[0].person_id if chosen else None)
        if any(a.contact_id == contact.pk and a.person_id in in_view for a in appearances):
            view_contacts.append(contact)

    # The household's other children: how often the MASH has heard about them, and the latest outcome.
    children = {t.person.pk: HouseholdChild(t.person, t.described, t.lives_with) for t in family_children}
    for a in appearances:
        child = children.get(a.person_id)
        if child is None or a.role != ContactPerson.Role.SUBJECT_CHILD:
            continue
        child.contact_count += 1
        contact = contacts[a.contact_id]
        child.latest_reference, child.latest_contact_id = contact.reference, contact.pk
        agreed = [d for d in contact.decisions.all() if d.review == Decision.Review.AGREED]
        child.latest_outcome = agreed[-1].get_outcome_display() if agreed else contact.status_label

    entries: list[Entry] = []
    for contact in view_contacts:
        name, child_id = labels[contact.pk]
        entries += _contact_entries(contact, name, child_id, in_view)
    view_ids = [c.pk for c in view_contacts]
    responses = list(
        AgencyResponse.objects.filter(request__contact_id__in=view_ids, submitted_at__isnull=False)
        .select_related("request__agency", "request__contact")
        .prefetch_related(
            Prefetch("items", queryset=InformationItem.objects.filter(shared_at__isnull=False).order_by("order", "id"))
        )
    )
    entries += _agency_entries(responses, labels)
    from .models import Involvement

    entries += _involvement_entries(list(Involvement.objects.filter(person_id__in=in_view).select_related("team", "person")))

    finding = _finding_from(person, appearances, contacts, together)
    arranged = arrange(entries, kinds=kinds, newest_first=newest_first)
    view = "the whole household" if household else "the child"
    audit.record(
        user,
        "chronology.viewed",
        person,
        summary=f"Viewed the chronology of {person.full_name} ({view}): {len(arranged)} of {len(entries)} entries shown",
        request=request,
    )
    return Chronology(
        person=person,
        household_view=household,
        entries=arranged,
        counts=counts_by_kind(entries),
        kinds=kinds,
        newest_first=newest_first,
        children=sorted(children.values(), key=lambda c: (not c.lives_with, c.person.date_of_birth or date.max)),
        cumulative=finding if finding.alert else None,
        ties=ties,
    )


def _finding_from(person: Person, appearances: list[Any], contacts: dict[int, Any], together: set[int]) -> CumulativeFinding:
    """The cumulative harm finding for today from what the chronology already loaded (no more queries)."""
    from mash.domain.workflow import ContactStatus

    rule = cumulative_rule()
    household = {person.pk} | together
    dated = []
    for a in appearances:
        if a.person_id not in household or a.role != "subject_child":
            continue
        contact = contacts[a.contact_id]
        if contact.status == ContactStatus.RECORDED:
            continue
        agreed = sorted(
            (d for d in contact.decisions.all() if d.review == "agreed"), key=lambda d: (d.reviewed_at is None, d.reviewed_at, d.pk)
        )
        dated.append(
            DatedContact(
                contact_id=contact.pk,
                reference=contact.reference,
                child_id=a.person_id,
                child_name=a.person.full_name,
                received_at=timezone.localtime(contact.received_at),
                level=contact.level_of_need.level if contact.level_of_need_id else None,
                agreed_outcome=agreed[-1].outcome if agreed else None,
            )
        )
    return assess(dated, child_id=person.pk, child_name=person.full_name, as_of=timezone.localtime(), rule=rule)

