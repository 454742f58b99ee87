"""Signed-off outcomes the rest of the demo lacks, with feedback in every state (loaded by `manage.py load_demo`).

Runs after `history.load` and `stage2.load`, which already show no further action, advice and
signposting, early help, section 17 and a section 47 notification, and leave a 12-week-rule
transfer awaiting sign-off. This module adds, through the real services:

1. a transfer to the allocated worker (Cai Evans, open child in need plan): both letters sent, closed;
2. a transfer to the previous team under the 12-week rule (Szymon Kowalski): the referrer's letter
   sent, the family's letter still to send (on the officer's "Feedback to give" queue);
3. adult social care (Riya Patel, a young carer for her grandmother): both letters sent, closed;
4. another local authority (Ruby Marsden, a new fictional family across the county border): both letters sent, closed;
5. police action (Jaspreet Singh, harassed online by an adult): both letters sent, closed;
6. a MARAC referral (Kayden Williams, DASH 17): referrer's letter sent, the family letter withheld
   by the manager because it could reach the abuser, closed;
7. a section 47 (Adaeze Eze, RED): the referrer and the mother told by telephone, calls recorded, closed.

Each step is moved back to the moment it "happened" by updating the timestamps the services
wrote (never Contact.status, never an audit event), as `mash.demo.stage2` does.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import Decision, FeedbackCall, FeedbackWithheld, OutcomeLetter
from mash.intake.models import Contact, StatusChange
from mash.partnership.models import ConcernCategory, LevelOfNeed, RagRating, Team, UrgentTrigger
from mash.partnership.services import working_calendar
from mash.people.models import Person, Relationship

from . import history
from .builders import DemoUsers
from .history import HOUSEHOLD, SIGNIFICANT, TRIAGED, ContactSpec

T = TypeVar("T")
SEED = 2028

STAMPED: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (StatusChange, "contact_id", ("occurred_at",)),
    (Decision, "contact_id", ("recommended_at", "reviewed_at")),
    (OutcomeLetter, "contact_id", ("generated_at", "sent_at")),
    (FeedbackCall, "contact_id", ("recorded_at",)),
    (FeedbackWithheld, "contact_id", ("decided_at",)),
    (Contact, "pk", ("decided_at", "closed_at", "referral_at")),
)

FAMILIES_USED = ("evans", "kowalski", "patel", "singh", "williams", "eze")


def _stamp(contact: Contact, when: datetime, since: datetime) -> None:
    """Move everything a service call wrote for this contact (stamped at or after `since`) to `when`."""
    moved = Value(when, output_field=DateTimeField())
    for model, path, fields in STAMPED:
        written = Q()
        for name in fields:
            written |= Q(**{f"{name}__gte": since})
        model._default_manager.filter(written, **{path: contact.pk}).update(
            **{name: Case(When(**{f"{name}__gte": since}, then=moved), default=F(name)) for name in fields}
        )


@dataclass(frozen=True)
class Feedback:
    """What happened to the feedback for one recipient: a letter sent (method), a call, a withholding, or nothing yet."""

    letter: str = ""  # "email", "post", "secure_email", "hand"
    call: tuple[str, str] | None = None  # (spoken to, what they were told)
    withheld: str = ""


@dataclass(frozen=True)
class Scenario:
    spec: ContactSpec
    outcome: str
    analysis: str
    rationale: str
    what: str  # for the loader's summary line
    team: str = ""
    destination: str = ""
    dash_score: int | None = None
    referrer: Feedback = Feedback()
    family: Feedback = Feedback()


def _spec(key: str, subject: str, others: tuple[tuple[str, str, str], ...], channel: str, referrer: str, categories: tuple[str, ...],
          triage: tuple[int, str, str, tuple[str, ...]], **fields: Any) -> ContactSpec:
    return ContactSpec(key, subject, others, channel, referrer, categories, state=TRIAGED, triage=triage, **fields)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        _spec(
            "evans-wheelchair", "evans.cai", (("evans.rhys", HOUSEHOLD, "father"), ("evans.ffion", HOUSEHOLD, "sister"),
                                              ("evans.nia", SIGNIFICANT, "mother")),
            "email", "oakhurst_primary", ("neglect",), (2, "GREEN", "Child with an allocated social worker: information to go straight to her.", ()),
            concern_details="Cai's wheelchair has been broken for two weeks and he has been carried into school by his father. Rhys told "
            "staff he is exhausted and has not slept properly since Cai's night-time care increased.",
            impact_on_child="Cai is missing lessons and physiotherapy; he is frustrated and tired.",
            child_whereabouts="At school.", days_ago=16, at=(10, 5),
            strengths_and_safety="Loving father, sister helps; allocated social worker knows the family well.",
        ),
        "transfer_allocated",
        "Cai has an open child in need plan with the Children with Disabilities Team. The concern is about equipment and carer strain, "
        "which the plan already addresses.",
        "Information sent to the allocated social worker, Gwen Morgan, the same day; no MASH information sharing needed.",
        "transfer to the allocated worker, letters sent",
        team="Children with Disabilities Team",
        referrer=Feedback(letter="email"), family=Feedback(letter="post"),
    ),
    Scenario(
        _spec(
            "kowalski-szymon", "kowalski.szymon", (("kowalski.agnieszka", HOUSEHOLD, "mother"), ("kowalski.piotr", HOUSEHOLD, "father")),
            "telephone", "eastholme_primary", ("parental-mental-ill-health",),
            (2, "GREEN", "Same concerns as the assessment closed six weeks ago: 12-week rule.", ()),
            concern_details="Szymon told his teacher that Mum stays in bed all day again and that he makes his own breakfast.",
            impact_on_child="Szymon is quieter than usual and has been late three times this week.",
            child_whereabouts="At school.", hours_ago=30,
        ),
        "transfer_previous_team",
        "The family's case closed to First Response Team North six weeks ago after an assessment of the same concern (mother's mental health).",
        "The 12-week rule applies: the contact goes back to First Response Team North.",
        "12-week-rule transfer, family letter still to send",
        team="First Response Team North",
        referrer=Feedback(letter="email"),
    ),
    Scenario(
        _spec(
            "patel-young-carer", "patel.riya", (("patel.nikesh", HOUSEHOLD, "father"), ("patel.hetal", HOUSEHOLD, "mother"),
                                                ("patel.kantaben", HOUSEHOLD, "paternal grandmother")),
            "online_form", "demotown_high", ("young-carer",), (1, "GREEN", "Young carer; grandmother's needs are unmet.", ()),
            concern_details="Riya says she looks after her grandmother most evenings while her parents work late, and helps her wash and "
            "take her tablets. She is falling behind with coursework.",
            impact_on_child="Riya is tired and anxious about her exams.",
            child_whereabouts="At school.", days_ago=21, at=(13, 40),
        ),
        "adult_social_care",
        "Riya's parents are caring and involved; the need is the grandmother's care and support. Riya can be supported as a young carer by school.",
        "Refer Mrs Kantaben Patel to adult social care for a needs assessment (with her agreement); school to offer young carer support.",
        "adult social care, letters sent",
        destination="Demoshire Adult Social Care, Demotown locality team",
        referrer=Feedback(letter="secure_email"), family=Feedback(letter="post"),
    ),
    Scenario(
        _spec(
            "marsden-cross-border", "marsden.ruby", (("marsden.leah", HOUSEHOLD, "mother"),),
            "email", "wexley_attendance", ("neglect",),
            (2, "AMBER", "Neglect concern about a child who lives in Northshire and goes to school in Demoshire.", ()),
            concern_details="Ruby often arrives late and hungry and has had the same head lice for weeks. She lives with her mother in "
            "Northbridge, across the county border, and travels to a Demoshire school because her grandmother lives nearby.",
            impact_on_child="Ruby is embarrassed and other children have started to leave her out.",
            child_whereabouts="At school.", days_ago=25, at=(11, 20),
        ),
        "other_local_authority",
        "Ruby lives in Northshire: her home authority is responsible for assessing her needs. Nothing suggests she is at immediate risk.",
        "Transfer to Northshire Children's Services front door by telephone and secure e-mail; Northshire accepted the transfer.",
        "another local authority, letters sent",
        destination="Northshire County Council Children's Services (front door)",
        referrer=Feedback(letter="email"), family=Feedback(letter="post"),
    ),
    Scenario(
        _spec(
            "singh-online", "singh.jaspreet", (("singh.harjit", HOUSEHOLD, "father"), ("singh.kulwinder", HOUSEHOLD, "mother")),
            "email", "youth_project", ("online-abuse",), (2, "AMBER", "Online harassment by an adult; protective parents.", ()),
            concern_details="An adult man Jaspreet met through a gaming site has been sending her threatening messages after she blocked him. "
            "She showed her youth worker and her parents, who are supportive.",
            impact_on_child="Jaspreet is frightened to go online and is sleeping badly.",
            child_whereabouts="At home with her parents.", days_ago=12, at=(16, 15),
        ),
        "police_action",
        "Protective parents who acted at once; the risk comes from an adult outside the family and is a matter for the police.",
        "Police to investigate the messages (malicious communications); no role for children's social care.",
        "police action, letters sent",
        destination="Demoshire Constabulary, online child abuse investigation team",
        referrer=Feedback(letter="email"), family=Feedback(letter="post"),
    ),
    Scenario(
        _spec(
            "williams-marac", "williams.kayden", (("williams.gemma", HOUSEHOLD, "mother"), ("williams.tia", HOUSEHOLD, "sister"),
                                                  ("williams.andre", SIGNIFICANT, "father")),
            "police_notification", "police_chauhan", ("domestic-abuse",), (3, "AMBER", "Second incident this year; escalating threats.", ()),
            contact_type="police_notification",
            concern_details="Andre Baptiste came to the house again, broke a window and threatened to kill Gemma if she stopped him seeing "
            "the children. He has a key to the back gate. DASH completed by officers: 17.",
            impact_on_child="Kayden and Tia hid upstairs; Kayden is wetting the bed again.",
            child_whereabouts="At home with mother.", days_ago=11, at=(8, 30),
        ),
        "marac",
        "High-risk domestic abuse (DASH 17), escalating, with threats to kill. Mother is protective; the children need her safety plan to work.",
        "Refer to MARAC and the IDVA service; school told through Operation Encompass; police bail conditions requested.",
        "MARAC, family letter withheld",
        destination="Demoshire MARAC, with a referral to Demoshire Domestic Abuse Service (IDVA)",
        dash_score=17,
        referrer=Feedback(letter="secure_email"),
        family=Feedback(withheld="Andre Baptiste still has access to the house and its post: a letter about a MARAC referral could put Gemma "
                        "and the children at greater risk. The IDVA will speak to Gemma in a safe way."),
    ),
    Scenario(
        _spec(
            "eze-belt", "eze.adaeze", (("eze.chinedu", HOUSEHOLD, "father"), ("eze.ngozi", HOUSEHOLD, "mother")),
            "telephone", "brackenford_primary", ("physical-abuse",), (4, "RED", "Injury with a disclosure: section 47 threshold met.", ()),
            concern_details="Adaeze has red marks across the back of her legs and said Daddy hit her with a belt because she lost her reading "
            "book.",
            impact_on_child="Adaeze cried and said she was scared to go home.",
            child_whereabouts="At school until 15:15.", days_ago=9, at=(9, 40), parents_aware="no", consent="not_sought",
            consent_not_sought_reason="increase_risk",
        ),
        "s47_strategy",
        "An injury with a disclosure of being hit with an implement: the threshold for a section 47 enquiry is met.",
        "Strategy discussion today with police and health; joint visit after school.",
        "section 47, calls recorded",
        team="Safeguarding Team East",
        referrer=Feedback(call=("Joanne Fielding (designated safeguarding lead)", "A strategy discussion is being held today and a social "
                                "worker and police officer will see Adaeze at school this afternoon.")),
        family=Feedback(call=("Ngozi Eze (mother)", "Children's social care and the police are making enquiries today; a social worker "
                              "will visit this afternoon and explain what happens next.")),
    ),
)


class Outcomes:
    def __init__(self, users: DemoUsers, now: datetime) -> None:
        self.users = users
        self.now = now
        self.calendar = working_calendar()
        self.ctx = history.Context(
            users=users,
            index=self._index(),
            rng=random.Random(SEED),
            now=now,
            levels={level.level: level for level in LevelOfNeed.objects.all()},
            rags={rag.code.upper(): rag for rag in RagRating.objects.all()},
            triggers={trigger.code: trigger for trigger in UrgentTrigger.objects.all()},
            categories={category.code: category for category in ConcernCategory.objects.all()},
            teams={team.name: team for team in Team.objects.all()},
            calendar=self.calendar,
        )

    @staticmethod
    def _index() -> history.Index:
        index = history.Index()
        for family in history.FAMILIES:
            if family.key not in FAMILIES_USED:
                continue
            for member in family.members:
                person = Person.objects.filter(forenames=member.forenames, surname=member.surname or family.surname).order_by("pk").first()
                if person is None:
                    raise RuntimeError(f"The demo history has no {member.forenames} {member.surname or family.surname}.")
                index.people[f"{family.key}.{member.key}"] = person
        # A family not in the history: they live across the county border, in Northshire.
        today = timezone.localdate()
        address, postcode = "Flat 2, 9 Canal Row, Northbridge, Northshire", "NS3 4QP"
        leah, _ = Person.objects.get_or_create(
            forenames="Leah", surname="Marsden", date_of_birth=today.replace(year=today.year - 29, month=2, day=14),
            defaults={"sex": "F", "address": address, "postcode": postcode, "ethnicity": "WBRI", "first_language": "English"},
        )
        ruby, _ = Person.objects.get_or_create(
            forenames="Ruby", surname="Marsden", date_of_birth=today.replace(year=today.year - 6, month=9, day=3),
            defaults={"sex": "F", "address": address, "postcode": postcode, "ethnicity": "WBRI", "first_language": "English",
                      "school": "Wexley Primary School"},
        )
        Relationship.objects.get_or_create(person=ruby, relative=leah, defaults={"relationship": "mother", "lives_with": True})
        index.people["marsden.leah"], index.people["marsden.ruby"] = leah, ruby
        return index

    def at(self, contact: Contact, when: datetime, call: Callable[[], T]) -> T:
        since = timezone.now()
        result = call()
        _stamp(contact, when, since)
        return result

    def plan(self, start: datetime, hours: Sequence[float]) -> list[datetime]:
        """Working-time gaps after `start`; squeezed into clock time when that would run past now."""
        times, when = [], start
        for gap in hours:
            when = self.calendar.add_working_hours(when, Decimal(str(gap)))
            times.append(when)
        latest = self.now - timedelta(minutes=5)
        if times[-1] <= latest:
            return times
        total = sum(hours)
        room = max((latest - start).total_seconds(), 0.0)
        offsets, running = [], 0.0
        for gap in hours:
            running += gap
            offsets.append(start + timedelta(seconds=room * running / total))
        return offsets

    def run(self, scenario: Scenario) -> Contact:
        users = self.users
        contact = history.run_contact(scenario.spec, self.ctx)
        triaged_at = contact.rating_changes.order_by("changed_at", "id").values_list("changed_at", flat=True).first() or contact.received_at
        red = scenario.outcome == "s47_strategy"
        steps = self.plan(triaged_at, [0.75 if red else 2.5, 0.5 if red else 1.0, 1.0, 1.5])
        recommended_at, signed_off_at, first, second = steps
        team = self.ctx.teams.get(scenario.team) if scenario.team else None
        self.at(contact, recommended_at, lambda: decisions.recommend(
            Contact.objects.get(pk=contact.pk), users.decision_maker, analysis=scenario.analysis, outcome=scenario.outcome,
            rationale=scenario.rationale, receiving_team=team, destination=scenario.destination, dash_score=scenario.dash_score,
        ))
        self.at(contact, signed_off_at, lambda: decisions.sign_off(Contact.objects.get(pk=contact.pk), users.manager, comment="Agreed."))
        for recipient, feedback, when in (("referrer", scenario.referrer, first), ("family", scenario.family, second)):
            self.give(contact, recipient, feedback, when)
        return Contact.objects.get(pk=contact.pk)

    def give(self, contact: Contact, recipient: str, feedback: Feedback, when: datetime) -> None:
        users = self.users
        if feedback.letter:
            decision = decisions.agreed_decision(contact)
            letter = OutcomeLetter.objects.get(contact=contact, recipient=recipient, decision=decision)
            # A letter home about a MARAC referral or police action is a team manager's to send.
            sender = users.officer if decisions.may_send_letter(letter, users.officer) else users.manager
            self.at(contact, when, lambda: decisions.mark_letter_sent(letter, sender, method=feedback.letter))
        elif feedback.call:
            spoken_to, summary = feedback.call
            self.at(contact, when, lambda: decisions.record_call(
                Contact.objects.get(pk=contact.pk), users.decision_maker, recipient=recipient, spoken_to=spoken_to,
                called_at=when - timedelta(minutes=10), summary=summary,
            ))
        elif feedback.withheld:
            self.at(contact, when, lambda: decisions.withhold_feedback(
                Contact.objects.get(pk=contact.pk), users.manager, recipient=recipient, reason=feedback.withheld,
            ))

    def load(self) -> str:
        shown = [(self.run(scenario).reference, scenario.what) for scenario in SCENARIOS]
        return "Outcomes and feedback: " + "; ".join(f"{reference} {what}" for reference, what in shown) + "."


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the outcomes and feedback scenarios to a demo that history and Stage 2 have built. Call inside a transaction."""
    return Outcomes(users, now or timezone.now()).load()
