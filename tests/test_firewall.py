"""THE PROOF that what must stay inside the MASH firewall never leaves it.

Two Stage 2 journeys are built through the real services (see `tests/stage2.py`):

* **A** (markers without a tag) runs to the end: police answer with a SENSITIVE item, a
  hearsay item, a fact they redact and an item they withhold; health escalates heightened
  risk and answers; a manager raises the rating; the decision maker recommends a section 17
  assessment by First Response Team North; a different manager signs off (the outcome letter
  is generated and the pack released); the letter is recorded as sent.
* **B** (markers tagged "B") stops once the agencies have answered, so the pages of a Stage 2
  still in progress (redaction, escalation, enquiries) are crawled too.
* A repeat contact about A's child asks the police and health again, so the pages showing an
  agency what it shared last time are crawled with A's answers behind them.

Then every URL pattern of the project is requested with GET (redirects not followed) as every
demo user, with every real id of the right kind in its path, and every list and search also
with the sensitive marker in its query string. Each marker may appear only where the rules
allow (`allowed` below); anything else is reported as a leak naming the URL and the user.
HTML, JSON, CSV and PDF bodies are all read (PDF text through pypdf).

Besides pages, the letter, e-mails, audit trail, sharing log and the outbound pack are checked.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pypdf
import pytest
import time_machine
from django.contrib import admin
from django.core import mail
from django.db import transaction
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from mash.audit.models import AuditEvent
from mash.audit.services import verify_chain
from mash.decisions.services import letter_pdf
from mash.intake.models import Contact, ContactPerson
from mash.people.models import Person
from mash.sharing import services
from mash.sharing.models import Escalation, InformationItem, InformationRequest, PendingEnquiry, RequestNotice, SharingLogEntry
from mash.workqueue.models import Alert
from tests import stage2

pytestmark = pytest.mark.django_db

USERS = (
    "officer", "decision_maker", "manager", "second_manager", "police", "health", "education", "probation",
    "receiving", "dpo", "administrator", "service_manager", "strategic_manager", "assistant_director", "early_help",
)
DECIDERS = frozenset({"decision_maker", "manager", "second_manager"})
MASH = DECIDERS | {"officer", "service_manager"}
# Whose /agency/ pages may show each agency's own markers.
HOLDER = {
    "sensitive": "police", "redacted_word": "police", "withheld": "police", "hearsay": "police", "police_fact": "police",
    "escalation": "health", "health_fact": "health",
}
# Never asked about these children; configuration only; an early help team they were not sent to.
NEVER_SEE_THE_CHILD = frozenset({"probation", "administrator", "early_help"})

MIN_URLS_PER_USER = 150
DISPUTE_PAGE = re.compile(r"^/(disputes/|contacts/\d+/disputes/raise/)")
PARTS = ("analysis", "recommendation")
QUERY_FIELDS = ("q", "reference", "surname", "forenames", "name", "search", "text", "what", "actor", "action", "object_id")
# Query strings are not tried on the sign-in, sign-out and two-factor pages: they are not lists or searches.
NO_QUERY_NAMESPACES = ("accounts",)


# =========================================================================== the world


@dataclass
class World:
    users: object
    a: stage2.Scenario
    b: stage2.Scenario
    repeat: object  # a later contact about A's child: police and health asked again ("previous" pages)

    def markers(self) -> list[tuple[str, str, str]]:
        """(scenario, kind, marker) for every planted marker, and the children's surnames."""
        found = [("A", kind, marker) for kind, marker in self.a.markers.all().items()]
        found += [("B", kind, marker) for kind, marker in self.b.markers.all().items()]
        found += [("A", "child", self.a.contact.subject_child.surname), ("B", "child", self.b.contact.subject_child.surname)]
        return found


@pytest.fixture
def world(users) -> World:
    a = stage2.build_stage2(users)
    b = stage2.build_stage2(users, through="answered", markers=stage2.Markers(tag="B"), surname="Openchild", forenames="Olly")
    repeat = stage2.repeat_contact(users, a.contact)
    stage2.send(users, repeat, ["police", "health"])
    outcome_side(users, a, b)
    matching_side(users, a)
    return World(users=users, a=a, b=b, repeat=repeat)


def outcome_side(users, a: stage2.Scenario, b: stage2.Scenario) -> None:  # noqa: ANN001
    """Issue #4's records on top of the two journeys, so their pages are crawled with agency information behind them:
    a strategy discussion about B with an action for the police; a police dispute about A's outcome climbing the whole
    ladder; A drawn for audit; A proposed as a malicious referral; an early help step-down for another child."""
    from mash.decisions import followup
    from mash.decisions import services as decisions
    from mash.disputes import services as disputes
    from mash.oversight.services import draw_month
    from mash.partnership.models import Agency
    from mash.strategy import services as strategy
    from tests import factories

    now = timezone.now()
    decisions.recommend(
        b.contact, users.decision_maker, analysis="Police and health accounts together suggest significant harm.",
        outcome="s47_strategy", rationale="Section 47 threshold met.", receiving_team=stage2.team("Safeguarding Team East"),
    )
    discussion = strategy.schedule(b.contact, users.decision_maker, kind="discussion", scheduled_for=now + timedelta(minutes=1))
    strategy.add_attendee(discussion, users.decision_maker, agency=users.police.agency, name=users.police.display_name, user=users.police)
    strategy.add_attendee(discussion, users.decision_maker, agency=users.decision_maker.agency, name=users.decision_maker.display_name)
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        strategy.record_outcome(
            discussion, users.decision_maker, held_at=now + timedelta(minutes=1),
            information_considered="The police and health contributions recorded in the MASH.",
            decision="joint_s47", rationale="Joint enquiry: possible offence and significant harm.",
        )
        strategy.add_action(discussion, users.decision_maker, description="Check the address history.", owner=users.police,
                            due_at=now + timedelta(days=1))

    police = Agency.objects.get(pk=users.police.agency_id)
    Contact.objects.filter(pk=a.contact.pk).update(referring_agency=police)
    a.contact.refresh_from_db()
    dispute = disputes.raise_dispute(a.contact, users.police, grounds="We believe the threshold for section 47 is met.",
                                     proposed_outcome="s47_strategy")
    for person in (users.manager, users.service_manager, users.strategic_manager):
        dispute = disputes.act(dispute, person, action="escalate", notes="Could not agree at this level.")
    disputes.act(dispute, users.assistant_director, action="decision_stands", notes="Assessment under way already.",
                 resolution_summary="The section 17 assessment stands.", learning="Share the assessment plan with police.")

    draw_month(timezone.localdate().replace(day=1), users.service_manager)
    followup.propose_malicious(
        a.contact, users.decision_maker, assessment_summary="Police and health answered in Stage 2.",
        rationale="Fabricated account, by the referrer's admission.", referrer_spoken_at=now, referrer_spoken_by=users.decision_maker,
        referrer_conversation="The referrer admitted inventing the account.",
    )
    factories.signed_off(users, outcome="early_help", team=stage2.team("Early Help Hub"),
                        child=factories.child_fields(surname="Stepdown", forenames="Sam"))


def matching_side(users, a: stage2.Scenario) -> None:  # noqa: ANN001
    """Issue #5's records about A's child: a finished deduplication with a strong pair (the child recorded twice),
    a police extract row that may be the child, a confirmed merge, and a trained model version. Rows are made
    directly (the crawl is about who sees them, not about the engine, which has its own tests)."""
    from mash.domain.match_model import load_shipped
    from mash.matching import services as matching
    from mash.matching.models import CandidatePair, LinkageJob, MatchModel, SourceRecord
    from mash.partnership.models import Agency

    child = a.contact.subject_child.person
    fields = {f: getattr(child, f) for f in ("forenames", "surname", "date_of_birth", "sex", "postcode", "address")}
    duplicate, merged = Person(**fields), Person(**{**fields, "forenames": child.forenames + "-Jo"})
    duplicate.save()
    merged.save()
    model = load_shipped()
    MatchModel.objects.create(version=2, source=MatchModel.Source.TRAINED, parameters=model.to_json(), trained_on_records=2,
                              report="\n".join(model.describe()))

    def reasons(left: Person, right: Person) -> list[dict[str, object]]:
        from mash.people.services import person_record

        return matching.comparisons_as_dicts(matching.explain(person_record(left), person_record(right), model))

    dedupe = LinkageJob.objects.create(kind=LinkageJob.Kind.DEDUPLICATE, status=LinkageJob.Status.DONE, started_by=users.administrator,
                                       records=3, pairs_scored=1, strong_pairs=1, clusters=1, percent=100)
    CandidatePair.objects.create(job=dedupe, left=child, right=duplicate, probability=0.999, match_weight=25.0,
                                 comparisons=reasons(child, duplicate), strong=True, cluster=1)
    police = Agency.objects.get(pk=users.police.agency_id)
    extract = LinkageJob.objects.create(kind=LinkageJob.Kind.LINK_EXTRACT, status=LinkageJob.Status.DONE, agency=police,
                                        extract_name="custody-extract.csv", started_by=users.administrator, records=1,
                                        queued_for_review=1, percent=100)
    row = {"forenames": child.forenames, "surname": child.surname, "date_of_birth": "", "postcode": child.postcode}
    record = SourceRecord.objects.create(job=extract, agency=police, row_number=1, source_id="CUST-1", fields=row, raw=row)
    CandidatePair.objects.create(job=extract, source_record=record, right=child, probability=0.9, match_weight=18.0,
                                 comparisons=reasons(child, child))
    matching.merge_people(users.manager, survivor=child, merged=merged, reason="The same child, recorded twice by the MASH.")


def area_of(path: str) -> str:
    for prefix, area in (("/admin/", "admin"), ("/agency/", "agency"), ("/transfers/", "transfers")):
        if path.startswith(prefix):
            return area
    return "mash"


def allowed(scenario: str, kind: str, user: str, path: str) -> bool:
    """May `user` see this marker on `path`? (Anything not allowed here is a leak.)"""
    area = area_of(path)
    if kind == "child":
        if user in NEVER_SEE_THE_CHILD or area == "admin":
            return False
        if user == "receiving":
            # The receiving team meets a child only in what was sent to it (scenario A, signed off): its
            # transfer, the work it owes on its home queue, and the pages for disputing that outcome.
            return scenario == "A" and (area == "transfers" or path in ("/", "/queue/") or DISPUTE_PAGE.match(path) is not None)
        return True
    if area == "admin":
        return False
    if area == "agency":
        return user == HOLDER[kind]
    if area == "transfers":
        # Only what travels, only once the outcome is signed off (A), only for its receiving team.
        return kind in stage2.Markers().travelling() and scenario == "A" and user == "receiving"
    if kind in ("sensitive", "escalation"):
        # Soft information and an agency's account of heightened risk are for those who decide.
        return user in DECIDERS
    return user in MASH


# =========================================================================== URLs to visit


@dataclass(frozen=True)
class Visit:
    path: str
    pattern: str  # the route, for reports and coverage
    query: str = ""


def project_routes(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:  # noqa: ANN001
    """(route, namespaced name) for every URL pattern outside the admin, walking includes recursively."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("admin/"):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (pattern.namespace or namespace)
            found += project_routes(pattern.url_patterns, route, inner or "")
        elif isinstance(pattern, URLPattern):
            if route.startswith("^") or "(?P" in route:
                raise AssertionError(f"The crawler only fills path() routes; teach it {route!r}")
            found.append((route, f"{namespace}:{pattern.name}" if namespace else (pattern.name or route)))
    return found


def admin_paths() -> list[str]:
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        paths.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return paths


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Pools:
    """Real ids, with the contact (and request) each belongs to, so nested paths can be filled."""

    contacts: list[int]
    people: list[int]
    alerts: list[int]
    requests: list[tuple[int, int]]  # (rid, contact)
    items: list[tuple[int, int, int]]  # (item, rid, contact)
    enquiries: list[tuple[int, int, int]]  # (eid, rid, contact)
    escalations: list[tuple[int, int]]  # (eid, contact)
    letters: list[tuple[int, int]]  # (letter, contact)
    contact_people: list[tuple[int, int]]  # (cp, contact)
    discussions: list[tuple[int, int]] = field(default_factory=list)  # (sid, contact)
    attendees: list[tuple[int, int, int]] = field(default_factory=list)  # (attendee, sid, contact)
    actions: list[tuple[int, int, int]] = field(default_factory=list)  # (aid, sid, contact)
    disputes: list[int] = field(default_factory=list)
    samples: list[int] = field(default_factory=list)
    early_help: list[tuple[int, int]] = field(default_factory=list)  # (ehid, contact)
    findings: list[tuple[int, int]] = field(default_factory=list)  # (mid, contact)
    jobs: list[int] = field(default_factory=list)
    clusters: list[tuple[int, int]] = field(default_factory=list)  # (job_id, cluster)
    pairs: list[int] = field(default_factory=list)
    merges: list[int] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)

    @classmethod
    def from_database(cls) -> Pools:
        from mash.decisions.models import EarlyHelpReferral, MaliciousFinding, OutcomeLetter
        from mash.disputes.models import Dispute
        from mash.matching.models import CandidatePair, LinkageJob, MatchModel, PersonMerge
        from mash.oversight.models import AuditSample
        from mash.strategy.models import Attendee, StrategyAction, StrategyDiscussion

        return cls(
            contacts=list(Contact.objects.values_list("pk", flat=True)),
            people=list(Person.objects.values_list("pk", flat=True)),
            alerts=list(Alert.objects.values_list("pk", flat=True)),
            requests=list(InformationRequest.objects.values_list("pk", "contact_id")),
            items=list(InformationItem.objects.values_list("pk", "response__request_id", "response__request__contact_id")),
            enquiries=list(PendingEnquiry.objects.values_list("pk", "request_id", "request__contact_id")),
            escalations=list(Escalation.objects.values_list("pk", "request__contact_id")),
            letters=list(OutcomeLetter.objects.values_list("pk", "contact_id")),
            contact_people=list(ContactPerson.objects.values_list("pk", "contact_id")),
            discussions=list(StrategyDiscussion.objects.values_list("pk", "contact_id")),
            attendees=list(Attendee.objects.values_list("pk", "discussion_id", "discussion__contact_id")),
            actions=list(StrategyAction.objects.values_list("pk", "discussion_id", "discussion__contact_id")),
            disputes=list(Dispute.objects.values_list("pk", flat=True)),
            samples=list(AuditSample.objects.values_list("pk", flat=True)),
            early_help=list(EarlyHelpReferral.objects.values_list("pk", "contact_id")),
            findings=list(MaliciousFinding.objects.values_list("pk", "contact_id")),
            jobs=list(LinkageJob.objects.values_list("pk", flat=True)),
            clusters=list(CandidatePair.objects.filter(cluster__isnull=False).values_list("job_id", "cluster").distinct()),
            pairs=list(CandidatePair.objects.values_list("pk", flat=True)),
            merges=list(PersonMerge.objects.values_list("pk", flat=True)),
            versions=list(MatchModel.objects.values_list("version", flat=True)),
        )

    def everything(self) -> list[int]:
        ids = set(self.contacts) | set(self.people) | set(self.alerts) | {r for r, _ in self.requests}
        ids |= {i for i, *_ in self.items} | {e for e, *_ in self.enquiries} | {e for e, _ in self.escalations}
        return sorted(ids)


def fillings(route: str, pools: Pools) -> list[dict[str, object]]:
    """Every combination of real ids this route should be tried with.

    Nested ids stay consistent with their parent (a request of that contact), except that in
    the agency workspace an item or enquiry is also tried under another request, so a page
    that forgets to check an item belongs to the request (police's request, health's item)
    shows up as a leak. (Under /contacts/ the MASH may see every item anyway, so only the
    consistent combinations are tried there.)
    """
    names = [m.group("name") for m in PARAM.finditer(route)]
    if not names:
        return [{}]
    segments = route.split("/")

    def before(name: str) -> str:
        for index, segment in enumerate(segments):
            if PARAM.fullmatch(segment) and PARAM.fullmatch(segment).group("name") == name:
                return segments[index - 1] if index else ""
        return ""

    has = set(names)
    contact_pk = "pk" in has and before("pk") in ("contacts", "transfers")
    results: list[dict[str, object]] = []
    if "item_pk" in has:
        results = nested(pools.items, pools.requests, "item_pk", foreign="pk" not in has)
    elif "eid" in has and before("eid") == "enquiries":
        results = nested(pools.enquiries, pools.requests, "eid", foreign="pk" not in has)
    elif "eid" in has and before("eid") == "escalations":
        results = [{"eid": eid, "pk": contact} for eid, contact in pools.escalations]
    elif "rid" in has:
        results = [{"rid": rid, "pk": contact} for rid, contact in pools.requests]
    elif "attendee_pk" in has:
        results = [{"attendee_pk": at, "sid": sid, "pk": contact} for at, sid, contact in pools.attendees]
    elif "aid" in has:
        results = [{"aid": aid, "sid": sid, "pk": contact} for aid, sid, contact in pools.actions]
    elif "sid" in has:
        results = [{"sid": sid, "pk": contact} for sid, contact in pools.discussions]
    elif "did" in has:
        results = [{"did": did} for did in pools.disputes]
    elif "said" in has:
        results = [{"said": said} for said in pools.samples]
    elif "ehid" in has:
        results = [{"ehid": ehid, "pk": contact} for ehid, contact in pools.early_help]
    elif "mid" in has:
        results = [{"mid": mid, "pk": contact} for mid, contact in pools.findings]
    elif "cluster" in has:
        results = [{"job_id": job, "cluster": cluster} for job, cluster in pools.clusters]
    elif "job_id" in has:
        results = [{"job_id": job} for job in pools.jobs]
    elif "pair_id" in has:
        results = [{"pair_id": pair} for pair in pools.pairs]
    elif "merge_id" in has:
        results = [{"merge_id": merge} for merge in pools.merges]
    elif "version" in has:
        results = [{"version": version} for version in pools.versions]
    elif "recipient" in has:
        results = [{"recipient": r, "pk": pk} for pk in pools.contacts for r in ("referrer", "family")]
    elif "letter_pk" in has:
        results = [{"letter_pk": letter, "pk": contact} for letter, contact in pools.letters]
    elif "cp_pk" in has:
        results = [{"cp_pk": cp, "pk": contact} for cp, contact in pools.contact_people]
    elif contact_pk:
        results = [{"pk": pk} for pk in pools.contacts]
    elif "pk" in has and before("pk") == "people":
        results = [{"pk": pk} for pk in pools.people]
    elif "pk" in has and before("pk") == "alerts":
        results = [{"pk": pk} for pk in pools.alerts]
    else:
        # A parameter the crawler does not know: try every real id there is.
        results = [dict.fromkeys(has, pk) for pk in pools.everything()]
    if "part" in has:
        results = [{**r, "part": part} for r in results for part in PARTS]
    return [{k: v for k, v in r.items() if k in has} for r in results]


def nested(children: list[tuple[int, int, int]], requests: list[tuple[int, int]], name: str, *, foreign: bool) -> list[dict[str, object]]:
    """Each child (item, enquiry) under its own request; with `foreign`, also one child of another
    request of the same contact under each request (the agency workspace must refuse it)."""
    results = [{name: child, "rid": rid, "pk": contact} for child, rid, contact in children]
    if foreign:
        for rid, contact in requests:
            other = next((child for child, child_rid, child_contact in children if child_contact == contact and child_rid != rid), None)
            if other is not None:
                results.append({name: other, "rid": rid, "pk": contact})
    return results


def fill(route: str, values: dict[str, object]) -> str:
    return "/" + PARAM.sub(lambda m: str(values[m.group("name")]), route)


def visits(pools: Pools, marker: str) -> tuple[list[Visit], dict[str, int]]:
    """Every concrete URL, and how many each route produced (for the coverage check)."""
    out: list[Visit] = []
    per_route: dict[str, int] = {}
    for route, name in project_routes():
        filled = [fill(route, values) for values in fillings(route, pools)]
        per_route[route] = len(filled)
        out += [Visit(path, route) for path in filled]
        if not PARAM.search(route) and not name.startswith(NO_QUERY_NAMESPACES):
            out.append(Visit("/" + route, route, query=search_query(marker)))
    for path in admin_paths():
        out.append(Visit(path, path))
        out.append(Visit(path, path, query=f"q={marker}"))
    return out, per_route


def search_query(text: str) -> str:
    return "&".join(f"{field}={text}" for field in QUERY_FIELDS)


# =========================================================================== reading responses


def body_text(response) -> str:  # noqa: ANN001
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    text = raw.decode("utf-8", errors="replace")
    if raw.startswith(b"%PDF") or "pdf" in response.get("Content-Type", ""):
        # A PDF may break a long word across lines: its text is also searched with whitespace squashed.
        extracted = pdf_text(raw)
        text += "\n" + extracted + "\n" + squash(extracted)
    for header in ("Location", "Content-Disposition", "HX-Redirect", "HX-Trigger"):
        text += "\n" + response.get(header, "")
    return text


def pdf_text(raw: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(raw))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    return f"{text}\n{metadata}"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def contains(text: str, marker: str) -> bool:
    return marker in text


VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r'"csrfToken": *"[^"]*"'),
]


def normalised(text: str, marker: str, stand_in: str) -> str:
    text = text.replace(marker, stand_in)
    for pattern in VOLATILE:
        text = pattern.sub("", text)
    return text


# =========================================================================== the crawl


@dataclass
class Crawl:
    user: str
    visited: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seen: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # "A:sensitive" -> urls

    def report(self) -> str:
        return f"\n{len(self.leaks)} leak(s) for {self.user}:\n  " + "\n  ".join(self.leaks)


def crawl(client, world: World, user_key: str, *, only: str = "") -> Crawl:  # noqa: ANN001
    """GET every URL as `user_key` (or only those whose path starts with `only`)."""
    user = getattr(world.users, user_key)
    markers = world.markers()
    sensitive = world.a.markers.sensitive
    stand_in = sensitive[:-4] + "0000"
    assert stand_in not in str(world.markers())
    visit_list, _ = visits(Pools.from_database(), sensitive)
    visit_list = [v for v in visit_list if v.path.startswith(only)]
    result = Crawl(user=user_key)
    client.force_login(user)

    def get(url: str):  # noqa: ANN202
        try:
            response = client.get(url)
        except Exception as exc:  # a crash is a bug, reported with the URL, but not a leak
            result.errors.append(f"GET {url} as {user_key}: {type(exc).__name__}: {exc}")
            return None
        if url.startswith("/accounts/"):
            client.force_login(user)  # the sign-out page ends the session
        return response

    post_only: set[str] = set()
    queued = {v.path + ("?" + v.query if v.query else "") for v in visit_list}
    followed = 0
    for visit in visit_list:  # grows as links are found
        if visit.pattern in post_only:
            continue  # a 405 for GET is decided before the view reads any id: the other ids answer the same
        url = f"{visit.path}?{visit.query}" if visit.query else visit.path
        baseline = None
        if visit.query:
            # Searches run inside a savepoint rolled back afterwards, so a search's own audit
            # event (which quotes what was typed) does not show up on the pages visited later.
            sid = transaction.savepoint()
            response = get(url)
            text = body_text(response) if response is not None else ""
            transaction.savepoint_rollback(sid)
            if sensitive in url and not allowed("A", "sensitive", user_key, visit.path):
                # The same search for text that exists nowhere, to tell an echo of the query from a finding.
                sid = transaction.savepoint()
                baseline_response = get(url.replace(sensitive, stand_in))
                baseline = body_text(baseline_response) if baseline_response is not None else ""
                transaction.savepoint_rollback(sid)
        else:
            response = get(url)
            text = body_text(response) if response is not None else ""
        if response is None:
            continue
        if response.status_code == 405:
            post_only.add(visit.pattern)
        if response.status_code == 200 and followed < MAX_FOLLOWED_LINKS:
            # Follow links the pages offer that the route list alone would not produce
            # (exports such as ?format=csv, filters, pagination).
            for link in new_links(text, queued, visit.path):
                queued.add(link)
                followed += 1
                path, _, query = link.partition("?")
                visit_list.append(Visit(path, f"followed:{path}", query=query))
        result.visited += 1
        result.statuses[url] = response.status_code
        for scenario, kind, marker in markers:
            found = contains(text, marker)
            if found and marker == sensitive and sensitive in url:
                if baseline is None:
                    continue  # allowed to see it here anyway; the echo of the query proves nothing
                # The page may repeat what was typed into the search box; only more than that is a leak.
                found = text.count(marker) > baseline.count(stand_in)
            if not found:
                continue
            if allowed(scenario, kind, user_key, visit.path):
                result.seen[f"{scenario}:{kind}"].append(url)
            else:
                result.leaks.append(f"{url} [{response.status_code}] shows {scenario}:{kind} ({marker}) to {user_key}")
        if baseline is not None and not allowed("A", "sensitive", user_key, visit.path):
            # Even without showing the text, a search must not answer differently because of it.
            if normalised(text, sensitive, stand_in) != normalised(baseline, sensitive, stand_in):
                result.leaks.append(f"{url} [{response.status_code}] answers a search for the sensitive text differently "
                                    f"from a search for text that exists nowhere (seen by {user_key})")
    return result


MAX_FOLLOWED_LINKS = 60
HREF = re.compile(r'href="([/?][^"#]*)"')


def new_links(text: str, queued: set[str], page: str) -> list[str]:
    """Project links in a page, with a query string, not yet queued (admin and static files aside)."""
    found = []
    for match in HREF.finditer(text):
        link = html.unescape(match.group(1))
        if link.startswith("?"):
            link = page + link
        path, _, query = link.partition("?")
        if not query or link in queued or path.startswith(("/admin/", "/static/", "/accounts/")):
            continue
        try:
            resolve(path)
        except Resolver404:
            continue
        found.append(link)
    return list(dict.fromkeys(found))


# =========================================================================== tests


def test_the_crawler_reaches_every_route(world):
    pools = Pools.from_database()
    visit_list, per_route = visits(pools, world.a.markers.sensitive)
    unfilled = [route for route, count in per_route.items() if count == 0]
    assert not unfilled, f"no real ids to fill these routes: {unfilled}"
    names = {name for _, name in project_routes()}
    for expected in ("sharing:overview", "sharing:agency-request", "sharing:agency-redact-item", "sharing:transfer-pdf",
                     "sharing:transfer-json", "sharing:log-search", "decisions:letter-pdf", "people:search", "intake:list"):
        assert expected in names
    assert len(visit_list) >= MIN_URLS_PER_USER


@pytest.fixture
def fast_crawl(monkeypatch):
    """Make thousands of GETs affordable, without changing a byte of any response.

    * Expected 403s and 404s: keep Django from formatting a warning for each.
    * govuk-frontend-django builds a new Jinja environment (and so recompiles the component's
      macro) on every component render, over half the cost of a page; one shared environment
      with the same loader and settings renders the same markup.
    """
    from govuk_frontend_django.components import base

    made: list[object] = []
    real = base.Environment

    def shared(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # Every call passes an equivalent loader (the package's templates) and autoescaping.
        if not made:
            made.append(real(*args, **kwargs))
        return made[0]

    monkeypatch.setattr(base, "Environment", shared)
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("user_key", USERS)
def test_no_page_shows_anyone_what_they_must_not_see(client, world, user_key, fast_crawl):
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        result = crawl(client, world, user_key)
    assert result.visited >= MIN_URLS_PER_USER, f"only {result.visited} URLs visited as {user_key}"
    assert not result.leaks, result.report()
    # The crawl can find what it looks for: the people allowed to see each marker do see it.
    if user_key not in NEVER_SEE_THE_CHILD and user_key != "dpo":
        assert result.seen["A:child"], f"{user_key} never saw the child: the crawl did not reach their pages"
    if user_key == "officer":
        assert result.seen["A:hearsay"], "the officer never saw a shared (non-sensitive) item"
    if user_key in DECIDERS:
        assert result.seen["A:sensitive"], f"{user_key} never saw the sensitive item: the crawl proves nothing"
        assert result.seen["B:sensitive"]
    if user_key == "police":
        assert any(url.startswith("/agency/") for url in result.seen["A:sensitive"]), "police never saw their own sensitive item"
    if user_key == "health":
        assert result.seen["A:escalation"] or result.seen["B:escalation"], "health never saw its own escalation"
    if user_key == "receiving":
        for kind in ("hearsay", "police_fact", "health_fact"):
            assert result.seen[f"A:{kind}"], f"the receiving team never saw the travelling {kind}"
        assert any(url.endswith(".pdf") for url in result.seen["A:hearsay"]), "the pack's PDF text was not read"
        assert any(url.endswith(".json") for url in result.seen["A:hearsay"])
    # A page that crashes leaks nothing, but it is a bug all the same.
    assert not result.errors, f"{len(result.errors)} page(s) crashed for {user_key}:\n" + "\n".join(result.errors[:30])


def test_the_crawl_would_catch_a_leak(client, world, users, fast_crawl):
    """The crawl's own check: a page that shows sensitive text to the wrong user is reported."""
    item = world.a.sensitive_item
    InformationItem.objects.filter(pk=item.pk).update(is_sensitive=False)  # now it is ordinary, travelling text
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        officer = crawl(client, world, "officer", only=f"/contacts/{world.a.contact.pk}/sharing/")
    assert any("A:sensitive" in leak for leak in officer.leaks), "the crawl did not notice the officer reading the item"


def test_sensitive_text_stays_out_of_letters_mail_audit_log_and_the_pack(world, users):
    a, b = world.a, world.b
    inside = {**a.markers.never_leaving(), **{f"B:{k}": v for k, v in b.markers.never_leaving().items()}}
    agency_text = {**inside, **a.markers.travelling(), **{f"B:{k}": v for k, v in b.markers.travelling().items()}}

    # The outcome letters go to the referrer and the family: no agency information at all.
    letters = list(a.contact.letters.all())
    assert {letter.recipient for letter in letters} == {"referrer", "family"}
    for letter in letters:
        assert letter.sent_at is not None
        pdf = pdf_text(letter_pdf(letter))
        assert a.contact.subject_child.surname in pdf  # the PDF text is really read
        for kind, marker in agency_text.items():
            assert marker not in letter.body and marker not in letter.subject, kind
            assert marker not in pdf and marker not in squash(pdf), kind

    # E-mails to duty inboxes carry no detail about the child.
    assert mail.outbox, "the scenario sent no e-mail: the check below proves nothing"
    for message in mail.outbox:
        content = json.dumps([message.subject, message.body, message.to, [a[0] for a in getattr(message, "alternatives", [])]])
        for kind, marker in agency_text.items():
            assert marker not in content, f"{kind} in e-mail {message.subject!r}"
        for child in (a.contact.subject_child, b.contact.subject_child):
            assert child.surname not in content and child.forenames not in content

    # The audit trail, the sharing log, alerts and notices describe, never repeat.
    for event in AuditEvent.objects.all():
        for kind, marker in agency_text.items():
            assert marker not in event.summary and marker not in event.reason, f"{kind} in audit #{event.sequence} {event.action}"
    assert SharingLogEntry.objects.count() > 10
    for entry in SharingLogEntry.objects.all():
        for kind, marker in agency_text.items():
            assert marker not in entry.what and marker not in entry.why, f"{kind} in the sharing log ({entry.kind})"
    for text in [*Alert.objects.values_list("message", flat=True), *RequestNotice.objects.values_list("message", flat=True)]:
        for kind, marker in agency_text.items():
            assert marker not in text, kind

    # What leaves the MASH with the outcome.
    for scenario in (a, b):
        pack = json.dumps(services.outbound_pack(scenario.contact).as_dict())
        for kind, marker in scenario.markers.never_leaving().items():
            assert marker not in pack, f"{kind} in the outbound pack"
        for kind, marker in scenario.markers.travelling().items():
            assert marker in pack, f"{kind} should travel"
        assert scenario.sensitive_item.sensitive_holder in pack  # who to ask travels; what they hold does not
    assert verify_chain().ok


def test_the_rules_themselves():
    assert allowed("A", "sensitive", "decision_maker", "/contacts/1/sharing/")
    assert not allowed("A", "sensitive", "officer", "/contacts/1/sharing/")
    assert not allowed("A", "sensitive", "decision_maker", "/transfers/1/")
    assert allowed("A", "sensitive", "police", "/agency/requests/1/")
    assert not allowed("A", "sensitive", "health", "/agency/requests/1/")
    assert allowed("A", "hearsay", "receiving", "/transfers/1/pack.pdf")
    assert not allowed("B", "hearsay", "receiving", "/transfers/2/")
    assert not allowed("A", "withheld", "receiving", "/transfers/1/")
    assert not allowed("A", "escalation", "police", "/agency/requests/1/")
    assert not allowed("A", "escalation", "officer", "/contacts/1/sharing/")
    assert allowed("A", "escalation", "health", "/agency/requests/2/")
    assert not allowed("A", "child", "probation", "/agency/")
    assert not allowed("A", "hearsay", "administrator", "/admin/")
    assert area_of("/contacts/1/") == "mash"
    assert allowed("A", "child", "receiving", "/contacts/1/disputes/raise/")
    assert not allowed("A", "child", "receiving", "/contacts/1/")
    assert not allowed("A", "hearsay", "strategic_manager", "/disputes/1/")
    assert not allowed("A", "child", "early_help", "/contacts/early-help/")
