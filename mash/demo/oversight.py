"""Management oversight in the demo (seed 002 App. D and §16), loaded by `manage.py load_demo`.

Everything is fictional. Four contacts about new families are recorded, triaged, decided and
signed off last month through the real services (intake, triage, decisions), their letters
sent, then each step is moved back to when it "happened" (`stage2._stamp`), never
`Contact.status` and never an audit event (the audit log truthfully says when the demo was
loaded). Then, through `mash.oversight.services`:

1. practice standards checklists: complete on Elsie Pemberton's NFA, partly done on Isaac
   Brackley's section 17 and on Amara Whitcombe's late decision (2.8 ticked "not met");
2. management notes on the records of Isaac Brackley (team manager) and Amara Whitcombe (the
   service manager agreed to keep it open past the working day), on the manager's footprint;
3. the First Response Team North social worker ("receiving") records that Isaac's assessment
   ended in no further action;
4. last month's dip samples are drawn (as the scheduled task does on the 1st) from every
   contact signed off last month, including those of the rest of the demo: one case per worker
   (the decision maker, and the second team manager who recommended Leo Tolland's advice
   outcome), 20% of the NFA outcomes and Isaac's assessment that ended in NFA;
5. some audits are done, with mixed grades and learning: the decision maker's case by a team
   manager, the first NFA sample and the assessment NFA by the service manager; the rest wait
   on the auditors' queues.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import Decision, Outcome, OutcomeLetter
from mash.domain.workflow import ContactEvent
from mash.intake import services as intake
from mash.intake.models import Contact, ContactPerson, StatusChange
from mash.intake.workflow import apply_event
from mash.oversight import services as oversight
from mash.oversight.models import AssessmentOutcome, AuditSample, CaseAudit, ManagementNote, PracticeStandard, StandardCheck
from mash.partnership.models import LevelOfNeed, RagRating, Team
from mash.partnership.services import working_calendar
from mash.triage import services as triage_services
from mash.triage.models import RatingChange

from .builders import DemoUsers
from .stage2 import _stamp

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _born(today: date, years: int, month: int, day: int) -> date:
    return date(today.year - years, month, day)


SCHOOL = {
    "referrer_source": "2A", "referrer_name": "Mrs Helen Gatward", "referrer_role": "Designated safeguarding lead",
    "referrer_agency": "Brackenford Primary School", "referrer_phone": "01632 960412", "referrer_email": "dsl@brackenford-primary.example",
}
NEIGHBOUR = {"referrer_source": "9", "referrer_name": "", "referrer_role": "", "referrer_agency": "", "referrer_phone": "", "referrer_email": ""}
GP = {
    "referrer_source": "3A", "referrer_name": "Dr Imran Siddiqui", "referrer_role": "GP", "referrer_agency": "Eastholme Medical Centre",
    "referrer_phone": "01632 960520", "referrer_email": "safeguarding@eastholme-medical.example",
}
POLICE = {
    "referrer_source": "6", "referrer_name": "PC Laura Danvers", "referrer_role": "Response officer", "referrer_agency": "Demoshire Constabulary",
    "referrer_phone": "01632 960700", "referrer_email": "laura.danvers@police.demoshire.example",
}


class OversightDemo:
    def __init__(self, users: DemoUsers, now: datetime) -> None:
        self.users = users
        self.now = now
        self.today = timezone.localtime(now).date()
        self.calendar = working_calendar()
        self.rags = {rag.code.upper(): rag for rag in RagRating.objects.all()}
        self.levels = {level.level: level for level in LevelOfNeed.objects.all()}
        self.standards = {s.code: s for s in PracticeStandard.objects.all()}
        self.this_month = self.today.replace(day=1)
        self.last_month = oversight.previous_month(self.today)
        self.days = self._working_days(self.last_month)
        self.shown: list[tuple[Contact, str]] = []

    def _working_days(self, month: date) -> list[date]:
        day, days = month.replace(day=2), []
        while day.month == month.month:
            if self.calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def moment(self, index: int, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(self.days[min(index, len(self.days) - 1)], time(hour, minute)))

    # -- contacts through the real services -----------------------------------------------------

    def decided(
        self, *, received: datetime, channel: str, referrer: dict[str, str], child: dict[str, Any], others: list[dict[str, Any]],
        concern: str, impact: str, rating: tuple[int, str], outcome: str, analysis: str, rationale: str,
        recommender: Any = None, signer: Any = None, team: str = "", consent: str = "given", consent_reason: str = "",
        decided: datetime | None = None,
    ) -> Contact:
        u = self.users
        fields = {
            "channel": channel,
            "contact_type": "police_notification" if channel == "police_notification" else "new_concern",
            "received_at": received,
            **referrer,
            "concern_details": concern,
            "impact_on_child": impact,
            "child_whereabouts": "At home with the family.",
            "parents_aware": "yes" if consent == "given" else "no",
            "consent": consent,
            "consent_not_sought_reason": consent_reason,
            "consent_notes": "Parent agreed to the MASH making checks." if consent == "given" else "",
        }
        since = timezone.now()
        contact = intake.record_contact(u.officer, fields, child, others)
        for person in contact.people.all():
            intake.link_to_new_person(u.officer, person)
        apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, u.officer)
        level, rag = rating
        triage_services.triage(contact, u.decision_maker, level=self.levels[level], rag=self.rags[rag], reason=analysis)
        decisions.recommend(
            contact, recommender or u.decision_maker, analysis=analysis, outcome=outcome, rationale=rationale,
            receiving_team=Team.objects.get(name=team) if team else None,
        )
        decisions.sign_off(contact, signer or u.manager, comment="Agreed.")
        for letter in OutcomeLetter.objects.filter(contact=contact, sent_at__isnull=True).order_by("pk"):
            decisions.mark_letter_sent(letter, u.officer, method="email")

        # Back to when each step happened: everything the services stamped "now" goes to the sign-off
        # (one sweep), then each step's own rows to its own moment.
        decided = decided or received + 4 * HOUR
        triaged, recommended, sent = received + 90 * MINUTE, decided - HOUR, decided + 2 * HOUR
        _stamp(contact, decided, since)
        steps = {
            ContactEvent.SUBMIT_FOR_TRIAGE: received + 40 * MINUTE, ContactEvent.TRIAGE: triaged, ContactEvent.RECOMMEND: recommended,
            ContactEvent.SIGN_OFF: decided, ContactEvent.CLOSE: sent,
        }
        StatusChange.objects.filter(contact=contact).update(
            occurred_at=Case(*(When(event=event.value, then=Value(when, output_field=DateTimeField())) for event, when in steps.items()), default=F("occurred_at"))
        )
        ContactPerson.objects.filter(contact=contact).update(linked_at=received + 15 * MINUTE)
        RatingChange.objects.filter(contact=contact).update(changed_at=triaged)
        Decision.objects.filter(contact=contact).update(recommended_at=recommended, reviewed_at=decided)
        OutcomeLetter.objects.filter(contact=contact).update(generated_at=decided, sent_at=sent)
        Contact.objects.filter(pk=contact.pk).update(
            recorded_at=received + 5 * MINUTE, decided_at=decided, closed_at=sent,
            outcome_due_at=self.calendar.add(triaged, self.rags[rag].outcome_timescale()),
        )
        contact.refresh_from_db()
        return contact

    # -- oversight through the services, then back-dated ------------------------------------------

    def tick(self, contact: Contact, who: Any, when: datetime, ticks: dict[str, tuple[str, str]]) -> None:
        changes = {self.standards[code].pk: oversight.CheckInput(status, note) for code, (status, note) in ticks.items()}
        oversight.record_checks(contact, who, changes)
        StandardCheck.objects.filter(contact=contact, standard__code__in=list(ticks)).update(checked_at=when)

    def note(self, contact: Contact, who: Any, when: datetime, text: str) -> None:
        note = oversight.add_management_note(contact, who, text=text)
        ManagementNote.objects.filter(pk=note.pk).update(created_at=when)

    def load(self) -> str:
        u, today = self.users, self.today
        elsie = self.decided(
            received=self.moment(0, 9, 20), channel="telephone", referrer=SCHOOL,
            child={"forenames": "Elsie", "surname": "Pemberton", "date_of_birth": _born(today, 7, 2, 14), "sex": "F",
                   "address": "5 Heron Way, Brackenford", "postcode": "DM4 3HW", "school": "Brackenford Primary School"},
            others=[
                {"role": "household_member", "forenames": "Rachel", "surname": "Pemberton", "relationship": "mother", "sex": "F",
                 "date_of_birth": _born(today, 34, 6, 3)},
                {"role": "household_member", "forenames": "Tom", "surname": "Pemberton", "relationship": "brother", "sex": "M",
                 "date_of_birth": _born(today, 10, 9, 21)},
            ],
            concern="Elsie came to school with a 3 cm scratch on her cheek. She said the cat did it; mum said the same at pick-up.",
            impact="Elsie was happy and settled in class.", rating=(1, "GREEN"), outcome=Outcome.NFA,
            analysis="A single minor injury with a consistent account from Elsie and her mother; no history; protective school.",
            rationale="Threshold not met: universal services are meeting Elsie's needs.",
        )
        amara = self.decided(
            received=self.moment(2, 15, 10), channel="telephone", referrer=NEIGHBOUR,
            child={"forenames": "Amara", "surname": "Whitcombe", "date_of_birth": _born(today, 14, 5, 30), "sex": "F",
                   "address": "18 Foundry Lane, Eastholme", "postcode": "DM6 2FL", "school": "Eastholme Academy"},
            others=[
                {"role": "household_member", "forenames": "Marcus", "surname": "Whitcombe", "relationship": "father", "sex": "M"},
                {"role": "household_member", "forenames": "Claire", "surname": "Whitcombe", "relationship": "stepmother", "sex": "F"},
            ],
            concern="An anonymous neighbour heard shouting and a door slamming late at night, and a girl crying.",
            impact="Not known.", rating=(2, "GREEN"), outcome=Outcome.NFA,
            analysis="School report Amara is doing well and has talked about arguments with her stepmother over her phone; no "
            "injuries, no history.",
            rationale="No further action: family arguments without indicators of harm; school will keep an eye.",
            consent="not_sought", consent_reason="undue_delay", decided=self.moment(4, 11, 30),
        )
        leo = self.decided(
            received=self.moment(3, 9, 45), channel="email", referrer=GP,
            child={"forenames": "Leo", "surname": "Tolland", "date_of_birth": _born(today, 11, 8, 8), "sex": "M",
                   "address": "3 Orchard Rise, Eastholme", "postcode": "DM6 5PR", "school": "Eastholme Park Primary"},
            others=[{"role": "household_member", "forenames": "Sarah", "surname": "Tolland", "relationship": "mother", "sex": "F"}],
            concern="Leo has stomach aches and is not sleeping since his parents separated; his mother asked what help there is.",
            impact="Leo is anxious and has missed four days of school.", rating=(1, "GREEN"), outcome=Outcome.ADVICE_SIGNPOST,
            analysis="Emerging emotional needs after a separation; a caring mother asking for help.",
            rationale="Advice to Sarah about the school counsellor and the family hub's parenting-after-separation course.",
            recommender=u.second_manager,
        )
        isaac = self.decided(
            received=self.moment(1, 8, 40), channel="police_notification", referrer=POLICE,
            child={"forenames": "Isaac", "surname": "Brackley", "date_of_birth": _born(today, 6, 3, 19), "sex": "M",
                   "address": "27 Saxon Road, Demotown", "postcode": "DM2 6SR", "school": "Demotown Primary School"},
            others=[
                {"role": "household_member", "forenames": "Danielle", "surname": "Brackley", "relationship": "mother", "sex": "F"},
                {"role": "household_member", "forenames": "Ava", "surname": "Brackley", "relationship": "sister", "sex": "F",
                 "date_of_birth": _born(today, 3, 7, 1)},
                {"role": "significant_adult", "forenames": "Jason", "surname": "Brackley", "relationship": "father", "sex": "M",
                 "lives_with_child": False},
            ],
            concern="Police attended a verbal domestic incident at 23:10; Jason had been drinking and left before officers arrived.",
            impact="Isaac was awake and upset; Ava slept through.", rating=(3, "AMBER"), outcome=Outcome.S17_ASSESSMENT,
            analysis="Second domestic incident in a year; children present; mother engaging.",
            rationale="Section 17 assessment by First Response Team North to understand the risk and the family's support.",
            signer=u.second_manager, team="First Response Team North",
        )
        # 1. Checklists as the work went.
        after = elsie.decided_at + 3 * HOUR
        self.tick(elsie, u.officer, after, {code: ("met", "") for code in self.standards if code not in {"2.2", "2.4", "2.13"}})
        self.tick(elsie, u.manager, after + HOUR, {
            "2.2": ("not_applicable", "Not lower level: NFA on the facts."),
            "2.4": ("not_applicable", "Consent given by the mother."),
            "2.13": ("met", "Class teacher and school nurse spoken to."),
        })
        self.tick(isaac, u.officer, isaac.decided_at + HOUR, {
            "2.1": ("met", ""), "2.7": ("met", "Father recorded as a significant adult."), "2.8": ("met", ""),
            "2.10": ("met", ""), "2.14": ("met", "Previous police call in March considered."), "2.17": ("met", ""),
        })
        self.tick(amara, u.decision_maker, amara.decided_at + HOUR, {
            "2.8": ("not_met", "Decided on the second working day: school information came late."),
            "2.10": ("met", ""), "2.14": ("met", ""),
        })

        # 2. The manager's footprint.
        self.note(isaac, u.manager, isaac.decided_at - 30 * MINUTE,
                  "Reviewed the police log: second incident in a year with the children present. Agree a section 17 assessment; "
                  "the social worker should see Isaac on his own.")
        self.note(amara, u.service_manager, amara.decided_at - 2 * HOUR,
                  "Agreed to keep the contact open past the day: the school's information is needed before a decision on an "
                  "anonymous report of a girl crying at night.")

        # 3. The receiving team's assessment result.
        completed = max(self.days[-1] - timedelta(days=1), timezone.localtime(isaac.decided_at).date())
        oversight.record_assessment_result(
            isaac, u.receiving, result=AssessmentOutcome.Result.NFA, completed_on=completed,
            summary="Jason has moved out and is attending a perpetrator programme; Danielle has a safety plan and her sister's "
            "support. No further action; the school will keep in touch.",
        )
        AssessmentOutcome.objects.filter(contact=isaac).update(
            recorded_at=timezone.make_aware(datetime.combine(completed, time(16, 0)))
        )

        # 4. Last month's dip samples, as the scheduled task draws them on the 1st.
        drawn_at = min(self.now - 2 * HOUR, timezone.make_aware(datetime.combine(self.this_month, time(6, 0))))
        oversight.draw_month(self.last_month)
        AuditSample.objects.filter(month=self.last_month).update(drawn_at=drawn_at)

        # 5. Some audits done, with mixed grades and learning.
        done_at = drawn_at + (self.now - drawn_at) / 2
        audited: list[tuple[AuditSample, str]] = []
        worker_sample = AuditSample.objects.filter(month=self.last_month, stream="per_worker", worker=u.decision_maker).first()
        if worker_sample is not None:
            oversight.complete_audit(
                worker_sample, u.manager, grade="good",
                findings="Clear analysis of the information held and of the history; the rationale explains why the threshold "
                "was not met. The child's own words are recorded.",
                learning="Record the views of the parents as well as the referrer's account.",
                actions="Discuss recording parents' views in supervision.",
            )
            audited.append((worker_sample, "Good"))
        nfa_sample = AuditSample.objects.filter(month=self.last_month, stream="nfa").exclude(worker=u.service_manager).first()
        if nfa_sample is not None:
            oversight.complete_audit(
                nfa_sample, u.service_manager, grade="requires_improvement",
                findings="The outcome was right, but partner checks were not done before the NFA and the decision took longer "
                "than one working day to record.",
                learning="Make health and police checks before an NFA on a repeat or anonymous concern; record the decision the "
                "same working day.",
                actions="Team briefing on the practice standards 2.6 and 2.8.",
            )
            audited.append((nfa_sample, "Requires improvement"))
        assessment_sample = AuditSample.objects.filter(month=self.last_month, stream="assessment_nfa", contact=isaac).first()
        if assessment_sample is not None:
            oversight.complete_audit(
                assessment_sample, u.service_manager, grade="outstanding",
                findings="The MASH identified the pattern of incidents; the assessment engaged both parents and ended with a "
                "safety plan the family owns.",
                learning="Early partner information (police call history) made a short, focused assessment possible.",
            )
            audited.append((assessment_sample, "Outstanding"))
        CaseAudit.objects.filter(sample__in=[s for s, _ in audited]).update(completed_at=done_at)

        samples = AuditSample.objects.filter(month=self.last_month)
        label = oversight.month_label(self.last_month)
        return (
            f"Oversight: {elsie.reference} (NFA, practice standards checklist complete), {isaac.reference} (section 17, "
            f"management note, assessment ended NFA recorded by the receiving team), {amara.reference} (NFA decided late: 2.8 not "
            f"met, service manager's note), {leo.reference} (advice recommended by the second team manager); "
            f"{samples.count()} cases drawn for the {label} dip-sample audit, audited: "
            + (", ".join(f"{s.contact.reference} {s.get_stream_display().lower()} ({grade})" for s, grade in audited) or "none")
            + "."
        )


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the management oversight scenarios; returns one line naming the contact references. Call inside a transaction."""
    return OversightDemo(users, now or timezone.now()).load()
