"""Professional disagreements in the demo partnership (seed 002 §14), loaded by `manage.py load_demo`.

Everything is fictional. Four contacts are recorded, triaged, decided and signed off through the
real services, then disputed and taken up the ladder through `mash.disputes.services`; each step
is then moved back to the moment it "happened" (never `Contact.status`, never an audit event:
the audit log truthfully says when the demo was loaded) and every deadline is recomputed from the
back-dated times with the partnership's working calendar, so the report has content in this
month and last month whatever day the demo is loaded.

1. last month: an NFA disputed by Demoshire Constabulary, escalated by a team manager to the
   service manager, who resolved it (the decision stands) within the working day;
2. last month: advice and signposting disputed by the police, climbing the whole ladder to the
   assistant director, who decided it late (after the working day);
3. this month (or last, early in a month): an NFA disputed by education, resolved by a team
   manager by changing the decision, so the contact is back with the MASH;
4. now: an NFA disputed by the police, open and waiting for a team manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db.models import Case, DateTimeField, F, Model, Q, Value, When
from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import Decision, OutcomeLetter
from mash.disputes import services as disputes
from mash.disputes.models import Dispute, DisputeStep
from mash.domain import disputes as rules
from mash.domain.workflow import ContactEvent
from mash.intake import services as intake
from mash.intake.models import Contact, StatusChange
from mash.intake.workflow import apply_event
from mash.partnership.models import Agency, AgencyKind, DisputeLevel, LevelOfNeed, RagRating
from mash.partnership.services import require_partnership, working_calendar
from mash.triage import services as triage_services
from mash.triage.models import RatingChange
from mash.workqueue.models import Alert

from .builders import DemoUsers

T = TypeVar("T")

# What the services called here stamp with "now" (model, path to the contact's id, fields);
# a narrower list than stage2's so the demo loads quickly.
STAMPED: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (StatusChange, "contact_id", ("occurred_at",)),
    (RatingChange, "contact_id", ("changed_at",)),
    (Decision, "contact_id", ("recommended_at", "reviewed_at")),
    (OutcomeLetter, "contact_id", ("generated_at", "sent_at")),
    (Alert, "contact_id", ("raised_at", "acknowledged_at")),
    (Contact, "pk", ("decided_at", "closed_at")),
)


def _stamp(contact: Contact, when: datetime, since: datetime) -> None:
    """Move what a service call wrote for this contact (stamped at or after `since`) to `when`."""
    moved = Value(when, output_field=DateTimeField())
    for model, path, fields in STAMPED:
        written = Q()
        for name in fields:
            written |= Q(**{f"{name}__gte": since})
        model._default_manager.filter(written, **{path: contact.pk}).update(
            **{name: Case(When(**{f"{name}__gte": since}, then=moved), default=F(name)) for name in fields}
        )


@dataclass(frozen=True)
class Scenario:
    key: str
    child: dict[str, Any]
    referrer: dict[str, str]
    agency: AgencyKind
    concern: str
    impact: str
    outcome: str
    analysis: str
    rationale: str
    raised_by: str  # DemoUsers attribute
    grounds: str
    proposed: str


POLICE_REFERRER = {
    "referrer_name": "PC Daniel Marsh",
    "referrer_role": "Response officer",
    "referrer_agency": "Demoshire Constabulary",
    "referrer_phone": "01632 960300",
    "referrer_email": "pc.marsh@police.demoshire.example",
    "referrer_address": "Demoshire Constabulary\nPublic Protection Unit\nDemotown\nDM1 3PP",
    "referrer_source": "6",
}
SCHOOL_REFERRER = {
    "referrer_name": "Hannah Lowe",
    "referrer_role": "Education safeguarding officer",
    "referrer_agency": "Demoshire Education Safeguarding",
    "referrer_phone": "01632 960410",
    "referrer_email": "h.lowe@education.demoshire.example",
    "referrer_address": "Demoshire Education Safeguarding\nCounty Hall\nDemotown\nDM1 1AA",
    "referrer_source": "2B",
}

STANDS = Scenario(
    "stands",
    {"forenames": "Tyler", "surname": "Brennick", "date_of_birth": date(2016, 5, 14), "sex": "M", "address": "4 Weaver Close, Demotown", "postcode": "DM2 4WD", "school": "Demotown Primary School"},
    POLICE_REFERRER,
    AgencyKind.POLICE,
    "Police attended a verbal argument between Tyler's mother and her partner at 23:10. No assault; Tyler was asleep upstairs. "
    "Both adults were calm on arrival and the partner left to stay with his brother.",
    "Tyler slept through the incident and was not seen to be distressed.",
    "nfa",
    "A single verbal argument with no history at the address and no injury. Tyler was asleep and the adults separated for the night.",
    "The threshold for early help or social care is not met on the information held; the police have given safety advice.",
    "police",
    "This is the third call to the household in two months on our systems (two logged as 'words only'). We believe the pattern "
    "needs at least an early help assessment.",
    "early_help",
)
DIRECTOR = Scenario(
    "director",
    {"forenames": "Maisie", "surname": "Crowther", "date_of_birth": date(2012, 9, 2), "sex": "F", "address": "Flat 9, Lantern House, Demotown", "postcode": "DM3 9LH", "school": "Eastholme Academy"},
    POLICE_REFERRER,
    AgencyKind.POLICE,
    "Maisie (13) was found by officers in a car park at 01:30 with two older males not known to her family. She said she had "
    "been 'hanging out'. Returned home to her mother.",
    "Maisie was tired and dismissive; her mother was worried but said this was the first time.",
    "advice_signpost",
    "A single missing episode, returned home the same night, mother protective and engaged with school.",
    "Advice to mother about return-home conversations and signposting to the school's pastoral team.",
    "police",
    "The two males are known to us for exploitation concerns. We consider this an exploitation risk needing a strategy discussion.",
    "s47_strategy",
)
CHANGED = Scenario(
    "changed",
    {"forenames": "Oskar", "surname": "Lindqvist", "date_of_birth": date(2014, 1, 21), "sex": "M", "address": "22 Mill Road, Brackenford", "postcode": "DM4 2NR", "school": "Brackenford Primary School"},
    SCHOOL_REFERRER,
    AgencyKind.EDUCATION,
    "Oskar's attendance has fallen to 71% this term and he has arrived without lunch on several days. His father says he is "
    "struggling since Oskar's mother went into hospital.",
    "Oskar is falling behind in reading and has become quiet in class.",
    "nfa",
    "Attendance and lunch concerns with an explained family crisis; the school is supporting.",
    "Universal services are meeting the need; no further action by the MASH.",
    "education",
    "Dad has told us he cannot cope and has asked for help. The family needs an early help assessment, not NFA.",
    "early_help",
)
OPEN = Scenario(
    "open",
    {"forenames": "Leah", "surname": "Okonjo", "date_of_birth": date(2019, 11, 30), "sex": "F", "address": "7 Quarry Lane, Demotown", "postcode": "DM2 7QL", "school": "Little Acorns Nursery"},
    POLICE_REFERRER,
    AgencyKind.POLICE,
    "Leah's father was arrested for drink-driving with Leah (6) in the back of the car. Leah was collected by her grandmother.",
    "Leah was upset at the roadside and asked for her mum.",
    "nfa",
    "A single incident; the father accepts the seriousness and the grandmother is a protective adult.",
    "No further action: the police are dealing with the offence and the family is protective.",
    "police",
    "Father has two previous drink-related incidents recorded by us. Leah was put at serious risk; we ask for a section 17 assessment.",
    "s17_assessment",
)


class Loader:
    def __init__(self, users: DemoUsers, now: datetime) -> None:
        self.users = users
        self.now = now
        self.calendar = working_calendar()
        self.timescale = require_partnership().timescale("dispute")
        self.levels = {row.level: row for row in DisputeLevel.objects.all()}
        self.rag = RagRating.objects.get(code="GREEN")
        self.level = LevelOfNeed.objects.get(level=2)

    # -- time ------------------------------------------------------------------------------

    def working_day(self, day: date, *, forward: bool = True) -> date:
        step = timedelta(days=1 if forward else -1)
        while not self.calendar.is_working_day(day):
            day += step
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def later(self, start: datetime, hours: float) -> datetime:
        return self.calendar.add_working_hours(start, hours)

    def run(self, contact: Contact, when: datetime, call: Callable[[], T]) -> T:
        """Call a service, then move what it wrote for this contact back to `when`."""
        since = timezone.now()
        result = call()
        _stamp(contact, when, since)
        return result

    # -- the contact, decided and signed off ----------------------------------------------

    def decided(self, scenario: Scenario, received: datetime) -> tuple[Contact, datetime]:
        users = self.users
        fields = {
            "channel": "email",
            "contact_type": "police_notification" if scenario.agency == AgencyKind.POLICE else "new_concern",
            "received_at": received,
            **scenario.referrer,
            "referring_agency": Agency.objects.filter(kind=scenario.agency).order_by("id").first(),
            "concern_details": scenario.concern,
            "impact_on_child": scenario.impact,
            "child_whereabouts": "At home with a parent",
            "parents_aware": "yes",
            "consent": "given",
        }
        contact = intake.record_contact(users.officer, fields, scenario.child, [])
        Contact.objects.filter(pk=contact.pk).update(recorded_at=received + timedelta(minutes=20))
        submitted, triaged = self.later(received, 0.5), self.later(received, 1.5)
        recommended, signed = self.later(received, 3), self.later(received, 4)

        def link() -> None:
            for person in contact.people.filter(person__isnull=True):
                intake.link_to_new_person(users.officer, person)
            apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)

        self.run(contact, submitted, link)
        contact.people.update(linked_at=submitted)
        self.run(contact, triaged, lambda: triage_services.triage(contact, users.decision_maker, level=self.level, rag=self.rag, reason="Lower-level concern; single incident."))
        Contact.objects.filter(pk=contact.pk).update(outcome_due_at=self.calendar.add(triaged, self.rag.outcome_timescale()))
        self.run(contact, recommended, lambda: decisions.recommend(contact, users.decision_maker, analysis=scenario.analysis, outcome=scenario.outcome, rationale=scenario.rationale))
        self.run(contact, signed, lambda: decisions.sign_off(contact, users.manager, comment="Agreed."))
        self.send_letters(contact, self.later(signed, 0.5))
        contact.refresh_from_db()
        return contact, signed

    def send_letters(self, contact: Contact, when: datetime) -> None:
        for letter in OutcomeLetter.objects.filter(contact=contact, sent_at__isnull=True).order_by("id"):
            try:
                self.run(contact, when, lambda letter=letter: decisions.mark_letter_sent(letter, self.users.officer, method="email"))
            except decisions.DecisionRefused:
                continue  # e.g. feedback withheld: the MASH's own rules decide, not the demo

    # -- the dispute -----------------------------------------------------------------------

    def dispute(self, scenario: Scenario, contact: Contact, raised: datetime) -> Dispute:
        raiser = getattr(self.users, scenario.raised_by)
        dispute = self.run(contact, raised, lambda: disputes.raise_dispute(contact, raiser, grounds=scenario.grounds, proposed_outcome=scenario.proposed))
        due = self.calendar.add(raised, self.timescale)
        Dispute.objects.filter(pk=dispute.pk).update(raised_at=raised, due_at=due)
        step = dispute.steps.get()
        DisputeStep.objects.filter(pk=step.pk).update(opened_at=raised, due_at=self.step_due(step.level, raised, due))
        alert_due = self.step_due(step.level, raised, due)
        for alert in Alert.objects.filter(contact=contact, kind=Alert.Kind.DISPUTE):
            Alert.objects.filter(pk=alert.pk).update(
                raised_at=raised,
                message=alert.message.rsplit(" by ", 1)[0] + f" by {timezone.localtime(alert_due):%H:%M on %d/%m/%Y}.",
                # A dispute that is already over needs no manager's attention on the home page.
                acknowledged_at=raised + timedelta(minutes=10) if raised < self.now - timedelta(days=1) else None,
                acknowledged_by=self.users.second_manager if raised < self.now - timedelta(days=1) else None,
            )
        return Dispute.objects.get(pk=dispute.pk)

    def step_due(self, level: str, opened: datetime, dispute_due: datetime) -> datetime:
        return rules.step_due(opened, self.calendar.add(opened, self.levels[level].timescale()), dispute_due)

    def act(self, dispute: Dispute, user_key: str, when: datetime, action: str, **fields: str) -> Dispute:
        user = getattr(self.users, user_key)
        result = self.run(dispute.contact, when, lambda: disputes.act(dispute, user, action=action, **fields))
        closed = [s for s in result.steps.all() if s.closed_at is not None][-1]
        DisputeStep.objects.filter(pk=closed.pk).update(closed_at=when)
        opened = disputes.open_step(result)
        if opened is not None:
            DisputeStep.objects.filter(pk=opened.pk).update(opened_at=when, due_at=self.step_due(opened.level, when, result.due_at))
        if not result.is_open:
            Dispute.objects.filter(pk=result.pk).update(resolved_at=when)
        return Dispute.objects.get(pk=result.pk)

    # -- the four scenarios ----------------------------------------------------------------

    def load(self) -> str:
        today = timezone.localtime(self.now).date()
        first_of_month = today.replace(day=1)
        last_month = (first_of_month - timedelta(days=1)).replace(day=1)
        made: dict[str, Contact] = {}

        # 1. Last month: police dispute an NFA; team manager escalates; service manager: the decision stands.
        day = self.working_day(last_month.replace(day=9))
        contact, signed = self.decided(STANDS, self.at(day, 9, 15))
        raised = self.later(signed, 1.5)
        dispute = self.dispute(STANDS, contact, raised)
        dispute = self.act(dispute, "second_manager", self.later(raised, 1), "escalate",
                           notes="I spoke to the sergeant: we read the two earlier calls differently. Escalated for a service manager view.")
        self.act(dispute, "service_manager", self.later(raised, 2.5), "decision_stands",
                 notes="Reviewed the police log with the sergeant and the decision maker.",
                 resolution_summary="The NFA stands: the earlier calls were to a previous tenant at the address. Police to re-refer if there is another incident.",
                 learning="Check who lived at the address when a partner's history is cited; ask the police for the occupier's name.")
        made["stands"] = contact

        # 2. Last month: advice disputed by the police; the whole ladder; the assistant director decides, late.
        day = self.working_day(last_month.replace(day=16))
        contact, signed = self.decided(DIRECTOR, self.at(day, 9, 5))
        raised = self.later(signed, 0.5)
        dispute = self.dispute(DIRECTOR, contact, raised)
        steps = dispute.steps.all()
        first_due = steps[0].due_at
        dispute = self.act(dispute, "second_manager", first_due, "escalate",
                           notes="The police intelligence on the two males was not in front of the decision maker. I cannot agree a change alone.")
        step = disputes.open_step(dispute)
        assert step is not None
        dispute = self.act(dispute, "service_manager", step.due_at, "escalate",
                           notes="Disagreement about whether a single episode meets the s47 threshold; strategic view needed.")
        step = disputes.open_step(dispute)
        assert step is not None
        dispute = self.act(dispute, "strategic_manager", step.due_at, "escalate",
                           notes="Exploitation risk across the county: the assistant director should decide.")
        self.act(dispute, "assistant_director", self.later(dispute.due_at, 1), "decision_stands",
                 notes="Met with the detective inspector. A contextual safeguarding referral is being made separately.",
                 resolution_summary="The advice outcome stands for Maisie; the exploitation concern about the two males goes to the contextual safeguarding panel.",
                 learning="Partner intelligence about third parties must reach the decision maker before an outcome; the dispute ran past the working day.")
        made["director"] = contact

        # 3. This month if there is room, otherwise last month: education; the decision changes; back to the MASH.
        candidate = self.working_day(today - timedelta(days=1), forward=False)
        day = candidate if candidate >= first_of_month else self.working_day(last_month.replace(day=22))
        contact, signed = self.decided(CHANGED, self.at(day, 9, 0))
        raised = self.later(signed, 0.5)
        dispute = self.dispute(CHANGED, contact, raised)
        self.act(dispute, "second_manager", self.later(raised, 1), "decision_changed",
                 notes="Called the education safeguarding officer and dad: dad is asking for help.",
                 agreed_outcome="early_help",
                 resolution_summary="The decision changes to a step down to early help: dad has asked for support. The decision maker will record it.",
                 learning="Ask the family what they want before an NFA where the referrer reports a request for help.")
        made["changed"] = contact

        # 4. Now: police dispute an NFA decided this morning (or the last working day); waiting for a team manager.
        day = self.working_day(today - timedelta(days=1), forward=False)
        contact, signed = self.decided(OPEN, self.at(day, 9, 30))
        raised = min(self.now - timedelta(minutes=20), max(self.later(signed, 1), self.now - timedelta(hours=1)))
        self.dispute(OPEN, contact, raised)
        made["open"] = contact

        return (
            "Disputes: " + ", ".join(f"{contact.reference} ({label})" for label, contact in (
                ("police NFA escalated to the service manager, stands", made["stands"]),
                ("police dispute decided by the assistant director, late", made["director"]),
                ("education dispute, decision changed, back with the MASH", made["changed"]),
                ("police dispute open at team manager", made["open"]),
            ))
        )


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the dispute scenarios; returns one line naming the contact references. Call inside a transaction."""
    return Loader(users, now or timezone.now()).load()

