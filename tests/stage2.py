"""Build MASH Stage 2 scenarios through the real services (no HTTP, no shortcuts).

Everything here goes through the same service functions the pages call, so the requests,
responses, sharing-log entries, notices, e-mails and audit events are exactly as in life.

The main entry point::

    from tests import stage2

    s = stage2.build_stage2(users)                       # the whole journey, letter sent
    s = stage2.build_stage2(users, through="answered")   # stop once the agencies have answered
    s.police_request, s.sensitive_item, s.markers.sensitive, ...

Stages, in order (each includes the ones before it):

``"requested"``
    A contact about a child (surname ``Firewallchild`` unless told otherwise) is triaged AMBER,
    level 3, by the decision maker. Consent was not sought (it would increase the risk), so the
    team manager records a consent override (two lawful bases and a rationale). The decision
    maker asks the police, health and education.
``"answered"``
    Police answer with five items: a fact (``markers.police_fact``, which also contains
    ``markers.redacted_word``), an unverified/hearsay item (``markers.hearsay``), a SENSITIVE item
    (``markers.sensitive``, holder named), and an item it will keep inside the MASH
    (``markers.withheld``), plus analysis and recommendation. Police then redact the word
    ``markers.redacted_word`` from the fact and withhold the ``withheld`` item. Health escalates
    heightened risk (concern text ``markers.escalation``) and answers with one fact
    (``markers.health_fact``). Education has not answered: it records a pending enquiry with a
    school's designated safeguarding lead.
``"raised"``
    The team manager answers the escalation; the decision maker chases education by hand; the
    team manager raises the rating AMBER -> RED (every open request's deadline is brought
    forward: here only education's).
``"recommended"``
    The decision maker recommends a section 17 assessment by "First Response Team North".
``"signed_off"``
    The second team manager signs off (a different manager from the one who raised the rating):
    education's open request is withdrawn, the outbound pack is released to the receiving team,
    and the outcome letter is generated.
``"sent"``
    The officer records the outcome letter as sent by e-mail (the contact closes).

Two scenarios can live in one database: pass ``markers=stage2.Markers(tag="B")`` (and a
different ``surname``) for the second, so neither's markers contain the other's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests import factories

STAGES = ("requested", "answered", "raised", "recommended", "signed_off", "sent")

RECEIVING_TEAM = "First Response Team North"
DEFAULT_BASES = ("uk-gdpr-6-1-e", "ca-1989-s17")
OVERRIDE_BASES = ("uk-gdpr-6-1-e", "dpa-2018-sch1-para18")
CONCERN_SUMMARY = "Bruising on the upper arm with a disclosure against the mother's boyfriend."
OVERRIDE_RATIONALE = "Seeking consent would alert the boyfriend and increase the risk to the child."


@dataclass(frozen=True)
class Markers:
    """Unique strings planted in the scenario, so a test can look for exactly where each one shows.

    ``tag`` makes a second set whose strings do not contain the first set's (for a second
    scenario in the same database).
    """

    tag: str = ""

    def _m(self, stem: str, number: str) -> str:
        return f"{stem}-{self.tag}{number}"

    @property
    def sensitive(self) -> str:
        """In the police's SENSITIVE item: never leaves the firewall."""
        return self._m("SENSITIVE-LIVE-OP", "7731")

    @property
    def escalation(self) -> str:
        """In health's escalation concern: for the MASH and health, never sent on."""
        return self._m("ESCALATION-CONCERN", "5512")

    @property
    def redacted_word(self) -> str:
        """A word the police redact from their fact before it leaves the MASH."""
        return self._m("REDACTED-WORD", "9090")

    @property
    def withheld(self) -> str:
        """In the police item kept inside the MASH (withheld)."""
        return self._m("WITHHELD-ITEM", "3141")

    @property
    def hearsay(self) -> str:
        """In the police's unverified item: travels to the receiving team."""
        return self._m("HEARSAY-ITEM", "2718")

    @property
    def police_fact(self) -> str:
        """In the police's (redacted) fact: travels, without the redacted word."""
        return self._m("POLICE-FACT", "1618")

    @property
    def health_fact(self) -> str:
        """In health's fact: travels to the receiving team."""
        return self._m("HEALTH-FACT", "1414")

    def never_leaving(self) -> dict[str, str]:
        """Markers that must stay inside the MASH (never in the pack, letters, e-mails, logs)."""
        return {
            "sensitive": self.sensitive,
            "escalation": self.escalation,
            "redacted_word": self.redacted_word,
            "withheld": self.withheld,
        }

    def travelling(self) -> dict[str, str]:
        """Markers that leave the MASH with the outcome (to the receiving team only)."""
        return {"hearsay": self.hearsay, "police_fact": self.police_fact, "health_fact": self.health_fact}

    def all(self) -> dict[str, str]:
        return {**self.never_leaving(), **self.travelling()}


@dataclass
class Scenario:
    """What `build_stage2` made. Fields for later stages are None when the build stopped earlier."""

    users: Any
    markers: Markers
    through: str
    contact: Any
    police_request: Any
    health_request: Any
    education_request: Any
    consent_override: Any = None
    police_items: dict[str, Any] = field(default_factory=dict)  # fact, hearsay, sensitive, withheld
    health_item: Any = None
    escalation: Any = None
    enquiry: Any = None
    chase: Any = None
    decision: Any = None
    letter: Any = None

    @property
    def sensitive_item(self) -> Any:
        return self.police_items.get("sensitive")

    @property
    def requests(self) -> list[Any]:
        return [self.police_request, self.health_request, self.education_request]

    @property
    def person(self) -> Any:
        return self.contact.subject_child.person

    def refresh(self) -> Scenario:
        """Reload every object from the database (after more services have run)."""
        for obj in [self.contact, *self.requests, *self.police_items.values(), self.health_item, self.escalation,
                    self.enquiry, self.chase, self.decision, self.letter, self.consent_override]:
            if obj is not None:
                obj.refresh_from_db()
        return self


# --------------------------------------------------------------------------- small helpers


def bases(*codes: str) -> list[Any]:
    """Lawful bases by code (defaults: public task and Children Act 1989 s17)."""
    from mash.partnership.models import LawfulBasis

    codes = codes or DEFAULT_BASES
    found = {b.code: b for b in LawfulBasis.objects.filter(code__in=codes)}
    return [found[c] for c in codes]


def agency(kind: str) -> Any:
    """The demo agency of a kind: "police", "health", "education", "probation", "housing"..."""
    from mash.partnership.models import Agency

    return Agency.objects.get(kind=kind)


def team(name: str = RECEIVING_TEAM) -> Any:
    from mash.partnership.models import Team

    return Team.objects.get(name=name)


def item(text: str, kind: str = "fact", *, sensitive: bool = False, holder: str = "", source: str = "") -> Any:
    """An ItemInput for `save_response` (a sensitive item gets a holder unless one is given)."""
    from mash.sharing.services import ItemInput

    if sensitive and not holder:
        holder = "DS Kate Whitfield, force intelligence bureau, 01632 960300"
    return ItemInput(text=text, kind=kind, source=source, is_sensitive=sensitive, sensitive_holder=holder)


def triaged_contact(users: Any, *, surname: str = "Firewallchild", forenames: str = "Freya", rag_code: str = "AMBER",
                    consent: str = "not_sought", override: bool = True, **contact_overrides: Any) -> Any:
    """A contact triaged by the decision maker; when consent is not given and `override` is true,
    the team manager has recorded the override so requests may go out."""
    if consent != "not_sought":
        contact_overrides.setdefault("consent_not_sought_reason", "")
    contact = factories.triaged(
        users, rag_code=rag_code, consent=consent, child=factories.child_fields(forenames=forenames, surname=surname),
        **contact_overrides,
    )
    if consent != "given" and override:
        override_consent(users, contact)
    contact.refresh_from_db()
    return contact


def override_consent(users: Any, contact: Any, *, rationale: str = OVERRIDE_RATIONALE, by: Any = None) -> Any:
    from mash.sharing.services import override_consent as service

    return service(contact, by or users.manager, bases=bases(*OVERRIDE_BASES), rationale=rationale)


def send(users: Any, contact: Any, agencies: Sequence[Any], *, by: Any = None, concern_summary: str = CONCERN_SUMMARY,
         lawful: Sequence[Any] | None = None, not_asked: Sequence[tuple[Any, str]] = ()) -> list[Any]:
    """Ask each agency (Agency objects or kinds like "police") one focused question."""
    from mash.sharing.services import RequestSpec, send_requests

    resolved = [agency(a) if isinstance(a, str) else a for a in agencies]
    specs = [RequestSpec(a, f"What does {a.name} hold about the child and household?") for a in resolved]
    return send_requests(
        contact, by or users.decision_maker, specs=specs, concern_summary=concern_summary,
        bases=list(lawful) if lawful is not None else bases(), not_asked=not_asked,
    )


def answer(info_request: Any, user: Any, items: Sequence[Any], *, analysis: str = "What this means for the child: see the items.",
           recommendation: str = "A social work assessment.", submit: bool = True, nothing_held: bool = False, **kwargs: Any) -> Any:
    from mash.sharing.services import save_response

    return save_response(info_request, user, items=list(items), analysis=analysis, recommendation=recommendation,
                         nothing_held=nothing_held, submit=submit, **kwargs)


def nothing_held(info_request: Any, user: Any) -> Any:
    return answer(info_request, user, [], analysis="", recommendation="", nothing_held=True)


def repeat_contact(users: Any, earlier: Any, *, rag_code: str = "AMBER", consent: str = "given") -> Any:
    """A new contact about the same child as `earlier` (linked to the same person), triaged.

    The earlier Stage 2 must have been sent before now (under a frozen clock, travel on first).
    """
    from mash.domain.workflow import ContactEvent
    from mash.intake.services import link_to_existing, link_to_new_person
    from mash.intake.workflow import apply_event
    from mash.triage.services import triage

    person = earlier.subject_child.person
    overrides: dict[str, Any] = {"consent": consent}
    if consent != "not_sought":
        overrides["consent_not_sought_reason"] = ""
    contact = factories.record(
        users.officer, child=factories.child_fields(forenames=person.forenames, surname=person.surname), **overrides
    )
    for cp in contact.people.all():
        if cp.role == "subject_child":
            link_to_existing(users.officer, cp, person)
        else:
            link_to_new_person(users.officer, cp)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage(contact, users.decision_maker, level=factories.level(3), rag=factories.rag(rag_code), reason="A repeat concern.")
    contact.refresh_from_db()
    return contact


# --------------------------------------------------------------------------- the scenario


def build_stage2(users: Any, *, through: str = "sent", markers: Markers | None = None, surname: str = "Firewallchild",
                 forenames: str = "Freya") -> Scenario:
    """Build the Stage 2 journey described in the module docstring, up to and including `through`."""
    from mash.decisions import services as decisions
    from mash.sharing import services as sharing
    from mash.triage.services import change_rating

    if through not in STAGES:
        raise ValueError(f"through must be one of {STAGES}")
    stop = STAGES.index(through)
    m = markers or Markers()

    contact = triaged_contact(users, surname=surname, forenames=forenames)
    override = contact.consent_overrides.get()
    police, health, education = send(users, contact, ["police", "health", "education"])
    scenario = Scenario(users=users, markers=m, through=through, contact=contact, police_request=police,
                        health_request=health, education_request=education, consent_override=override)
    if stop < STAGES.index("answered"):
        return scenario.refresh()

    response = answer(
        police, users.police,
        [
            item(f"{m.police_fact} Officers attended the address on 3 March after a neighbour named {m.redacted_word} "
                 "reported shouting.", "fact", source="Police incident log"),
            item(f"{m.hearsay} A neighbour says the boyfriend keeps a knife in the car.", "unverified", source="Neighbour"),
            item(f"{m.sensitive} The boyfriend is a subject of a live operation.", "fact", sensitive=True),
            item(f"{m.withheld} A caution from 2009 for an unrelated relative.", "fact", source="Police national computer"),
        ],
        analysis="Police hold a recent incident at the address and intelligence. So what: the child may be exposed to violence.",
        recommendation="A section 17 assessment; a strategy discussion if the intelligence is confirmed.",
    )
    police_items = dict(zip(("fact", "hearsay", "sensitive", "withheld"), response.items.order_by("order"), strict=True))
    fact = police_items["fact"]
    sharing.redact_item(fact, users.police, redacted=fact.text.replace(m.redacted_word, "[redacted]"),
                        reason="The neighbour's name is not needed by the receiving team.")
    sharing.withhold_item(police_items["withheld"], users.police, reason="Not relevant to this child.")
    escalation = sharing.escalate(health, users.health, concern=f"{m.escalation} Mother told the health visitor the boyfriend "
                                  "threatened the child last night.", phoned_manager=True)
    health_response = answer(health, users.health, [item(f"{m.health_fact} Two health visitor appointments missed this year.")],
                             analysis="Missed appointments suggest neglect of health needs.", recommendation="Health visitor to join any assessment.")
    scenario.enquiry = sharing.record_pending_enquiry(
        education, users.education, requested_at=timezone.now() - timedelta(minutes=5), from_name="Mrs J Patel",
        from_designation="Designated safeguarding lead", from_service="Demotown Primary School", about="Attendance this term",
    )
    scenario.police_items = police_items
    scenario.health_item = health_response.items.get()
    scenario.escalation = escalation
    if stop < STAGES.index("raised"):
        return scenario.refresh()

    sharing.respond_to_escalation(escalation, users.manager, action_taken="Rating raised to RED; strategy discussion considered.")
    scenario.chase = sharing.chase(education, users.decision_maker)
    change_rating(contact, users.manager, level=factories.level(4), rag=factories.rag("RED"),
                  reason="Health escalated a threat made last night.")
    if stop < STAGES.index("recommended"):
        return scenario.refresh()

    contact.refresh_from_db()
    scenario.decision = decisions.recommend(
        contact, users.decision_maker, analysis="Police and health information together show the child may be at risk.",
        outcome="s17_assessment", rationale="Threshold for a child in need assessment is met.", receiving_team=team(),
    )
    if stop < STAGES.index("signed_off"):
        return scenario.refresh()

    contact.refresh_from_db()
    scenario.decision = decisions.sign_off(contact, users.second_manager, comment="Agreed: section 17 by First Response North.")
    scenario.letter = contact.letters.get(recipient="referrer")
    if stop < STAGES.index("sent"):
        return scenario.refresh()

    # Every letter (referrer and family) is sent, so the contact closes.
    for letter in contact.letters.order_by("id"):
        decisions.mark_letter_sent(letter, users.officer, method="email")
    return scenario.refresh()
