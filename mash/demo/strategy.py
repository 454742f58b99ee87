"""Child protection strategy discussions in the demo partnership, loaded by `manage.py load_demo`.

Everything here is fictional. Three contacts are recorded, linked, triaged and decided through
the real services (intake, triage, decisions), then their strategy discussions are arranged,
attended, recorded and given actions through `mash.strategy.services`:

1. a RED section 47 contact whose discussion was held this afternoon with police and
   children's social care but no one from health (the product warns), with actions for the
   decision maker (overdue), the police user ("police") and the First Response Team North
   social worker ("receiving"), and one already done;
2. a RED section 47 recommended minutes ago and still awaiting sign-off, its discussion
   arranged for later today (a RED discussion does not wait for sign-off);
3. an AMBER section 47 with two discussions: the first decided another was needed, the second
   (a meeting) decided on a joint enquiry.

Each step is moved back to the moment it "happened" (`stage2._stamp` for the workflow rows, a
plain update for the strategy rows); audit events keep the time the demo was loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import Outcome
from mash.domain.workflow import ContactEvent
from mash.domain.worktime import Timescale, TimescaleUnit
from mash.intake import services as intake
from mash.intake.models import Contact, ContactPerson
from mash.intake.workflow import apply_event
from mash.partnership.models import Agency, AgencyKind, LevelOfNeed, RagRating, Team
from mash.partnership.services import working_calendar
from mash.strategy import services as strategy
from mash.strategy.models import Attendee, StrategyAction, StrategyDiscussion
from mash.triage import services as triage_services

from .builders import DemoUsers
from .stage2 import _stamp

T = TypeVar("T")
MINUTE = timedelta(minutes=1)
RECEIVING_TEAM = "First Response Team North"


def _at(contact: Contact, when: datetime, call: Callable[[], T]) -> T:
    since = timezone.now()
    result = call()
    _stamp(contact, when, since)
    return result


def _years_ago(today: date, years: int, month: int, day: int) -> date:
    return date(today.year - years, month, day)


class StrategyDemo:
    def __init__(self, users: DemoUsers, now: datetime) -> None:
        self.users = users
        self.now = now
        self.today = timezone.localtime(now).date()
        self.calendar = working_calendar()
        self.rags = {rag.code.upper(): rag for rag in RagRating.objects.all()}
        self.levels = {level.level: level for level in LevelOfNeed.objects.all()}
        self.team = Team.objects.get(name=RECEIVING_TEAM)
        self.agencies = {kind: Agency.objects.filter(kind=kind).order_by("pk").first() for kind in AgencyKind.values}

    # -- contacts through the real services ------------------------------------------------

    def contact(
        self,
        *,
        received: datetime,
        child: dict[str, Any],
        others: list[dict[str, Any]],
        concern: str,
        rag: str,
        triaged: datetime,
        recommended: datetime,
        signed_off: datetime | None,
        rationale: str,
    ) -> Contact:
        u = self.users
        fields = {
            "channel": "police_notification",
            "contact_type": "police_notification",
            "received_at": received,
            "referrer_source": "6",
            "referrer_name": "PC Adam Rourke",
            "referrer_role": "Response officer",
            "referrer_agency": "Demoshire Constabulary",
            "referrer_phone": "01632 960777",
            "referrer_email": "adam.rourke@police.demoshire.example",
            "concern_details": concern,
            "impact_on_child": "Frightened and unsettled; the child needs to be seen today.",
            "child_whereabouts": "At home with the non-abusing parent; the alleged abuser is not at the address.",
            "parents_aware": "yes",
            "consent": "not_sought",
            "consent_not_sought_reason": "prejudice_crime",
        }
        contact = intake.record_contact(u.officer, fields, child, others)
        for person in contact.people.all():
            intake.link_to_new_person(u.officer, person)
        ContactPerson.objects.filter(contact=contact).update(linked_at=received + 10 * MINUTE)
        _at(contact, received + 12 * MINUTE, lambda: apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, u.officer))
        level = 4 if rag == "RED" else 3
        _at(
            contact,
            triaged,
            lambda: triage_services.triage(
                contact,
                u.decision_maker,
                level=self.levels[level],
                rag=self.rags[rag],
                reason="Injury with a disclosure against a household member: section 47 threshold likely met.",
            ),
        )
        _at(
            contact,
            recommended,
            lambda: decisions.recommend(
                contact,
                u.decision_maker,
                analysis="Police and school information confirm a non-accidental injury and a disclosure.",
                outcome=Outcome.S47_STRATEGY,
                rationale=rationale,
                receiving_team=self.team,
            ),
        )
        if signed_off is not None:
            _at(
                contact,
                signed_off,
                lambda: decisions.sign_off(contact, u.manager, comment="Agreed: section 47, strategy discussion today."),
            )
        contact.refresh_from_db()
        return contact

    # -- strategy, through the services, then back-dated ------------------------------------

    def arrange(
        self, contact: Contact, *, convened: datetime, when: datetime, kind: str = "discussion", arrangements: str
    ) -> StrategyDiscussion:
        discussion = strategy.schedule(
            contact,
            self.users.decision_maker,
            kind=kind,
            scheduled_for=when,
            arrangements=arrangements,
            chair=self.users.manager,
        )
        StrategyDiscussion.objects.filter(pk=discussion.pk).update(convened_at=convened)
        return discussion

    def invite(
        self,
        discussion: StrategyDiscussion,
        kind: str,
        *,
        user: Any = None,
        name: str = "",
        job_title: str = "",
        attended: bool = True,
    ) -> Attendee:
        return strategy.add_attendee(
            discussion,
            self.users.decision_maker,
            agency=self.agencies[kind],
            user=user,
            name=name,
            job_title=job_title,
            attended=attended,
        )

    def hold(self, discussion: StrategyDiscussion, *, at: datetime, decision: str, information: str, rationale: str) -> None:
        strategy.record_outcome(
            discussion,
            self.users.decision_maker,
            held_at=at,
            information_considered=information,
            decision=decision,
            rationale=rationale,
        )
        StrategyDiscussion.objects.filter(pk=discussion.pk).update(recorded_at=at + 20 * MINUTE)
        discussion.refresh_from_db()

    def act(self, discussion: StrategyDiscussion, owner: Any, due: datetime, text: str, *, done: str = "") -> StrategyAction:
        action = strategy.add_action(discussion, self.users.decision_maker, description=text, owner=owner, due_at=due)
        assert discussion.held_at is not None
        StrategyAction.objects.filter(pk=action.pk).update(created_at=discussion.held_at + 20 * MINUTE)
        if done:
            strategy.complete_action(action, owner, note=done)
            StrategyAction.objects.filter(pk=action.pk).update(completed_at=min(self.now, due))
        return action

    # -- the scenarios ----------------------------------------------------------------------

    def red_held_without_health(self) -> Contact:
        u, now = self.users, self.now
        received = (now - timedelta(hours=4)).replace(second=0, microsecond=0)
        recommended = received + 50 * MINUTE
        contact = self.contact(
            received=received,
            child={
                "forenames": "Poppy",
                "surname": "Marchbank",
                "date_of_birth": _years_ago(self.today, 6, 4, 12),
                "sex": "F",
                "address": "7 Quarry Lane, Brackenford",
                "postcode": "DM7 3QL",
                "school": "Brackenford Primary School",
            },
            others=[
                {
                    "role": "household_member",
                    "forenames": "Leanne",
                    "surname": "Marchbank",
                    "relationship": "mother",
                    "sex": "F",
                    "date_of_birth": _years_ago(self.today, 29, 9, 3),
                },
                {
                    "role": "significant_adult",
                    "forenames": "Craig",
                    "surname": "Dunmore",
                    "relationship": "mother's partner",
                    "sex": "M",
                },
            ],
            concern="Poppy arrived at school with a burn mark on her forearm and told her teacher that Craig held her arm on the cooker. "
            "Police attended the school; Craig Dunmore has been arrested.",
            rag="RED",
            triaged=received + 25 * MINUTE,
            recommended=recommended,
            signed_off=recommended + 15 * MINUTE,
            rationale="Disclosure of a deliberate burn by the mother's partner: reasonable cause to suspect significant harm.",
        )
        decision = strategy.s47_decision(contact)
        assert decision is not None
        due = strategy.due_by_for(contact, decision)
        held = min(recommended + 45 * MINUTE, due)
        discussion = self.arrange(
            contact, convened=recommended + 20 * MINUTE, when=held, arrangements="Telephone conference from the MASH"
        )
        self.invite(discussion, AgencyKind.POLICE, user=u.police)
        self.invite(discussion, AgencyKind.CHILDRENS_SOCIAL_CARE, user=u.manager)
        self.invite(discussion, AgencyKind.CHILDRENS_SOCIAL_CARE, user=u.decision_maker)
        self.invite(
            discussion,
            AgencyKind.EDUCATION,
            name="Mrs Helen Carver",
            job_title="Designated safeguarding lead, Brackenford Primary School",
        )
        self.hold(
            discussion,
            at=held,
            decision=StrategyDiscussion.Decision.JOINT_S47,
            information="Police: Craig Dunmore arrested for assault; two previous domestic incidents at the address. School: burn seen "
            "by the class teacher, Poppy's account consistent. Social care: no open involvement. Health not reached: the "
            "safeguarding nurse was in clinic.",
            rationale="A deliberate injury with a clear disclosure: joint enquiry by police and First Response Team North today.",
        )
        self.act(
            discussion,
            u.decision_maker,
            held + 2 * 60 * MINUTE,
            "Tell the school and Poppy's mother that a joint visit is happening today.",
        )
        self.act(
            discussion,
            u.decision_maker,
            held + 30 * MINUTE,
            "Confirm with the police that Craig Dunmore is in custody.",
            done="Custody sergeant confirmed at the time of the discussion.",
        )
        self.act(
            discussion,
            u.police,
            self.calendar.add(now, Timescale(Decimal(4), TimescaleUnit.WORKING_HOURS)),
            "Arrange an ABE interview for Poppy and share the custody record with the allocated social worker.",
        )
        self.act(
            discussion,
            u.receiving,
            now + timedelta(hours=6),
            "Joint home visit with police today: see Poppy alone and arrange a child protection medical.",
        )
        return contact

    def red_arranged_later_today(self) -> Contact:
        u, now = self.users, self.now
        received = (now - timedelta(minutes=75)).replace(second=0, microsecond=0)
        contact = self.contact(
            received=received,
            child={
                "forenames": "Tyler",
                "surname": "Ashdown",
                "date_of_birth": _years_ago(self.today, 9, 11, 30),
                "sex": "M",
                "address": "22 Fennel Close, Eastholme",
                "postcode": "DM3 8FD",
                "school": "Eastholme Park Primary School",
            },
            others=[
                {
                    "role": "household_member",
                    "forenames": "Gemma",
                    "surname": "Ashdown",
                    "relationship": "mother",
                    "sex": "F",
                    "date_of_birth": _years_ago(self.today, 34, 2, 17),
                }
            ],
            concern="Tyler has a bruise shaped like a hand on his cheek. He told the police officer that his uncle hit him last night.",
            rag="RED",
            triaged=received + 20 * MINUTE,
            recommended=received + 40 * MINUTE,
            signed_off=None,
            rationale="Hand-shaped bruise with a disclosure: strategy discussion today; awaiting sign-off.",
        )
        decision = strategy.s47_decision(contact)
        assert decision is not None
        due = strategy.due_by_for(contact, decision)
        when = max(min(now + 2 * 60 * MINUTE, due), now + MINUTE).replace(second=0, microsecond=0)
        if when > due:
            when = due
        discussion = self.arrange(
            contact, convened=received + 45 * MINUTE, when=when, arrangements="Video call (link sent to each agency)"
        )
        self.invite(discussion, AgencyKind.POLICE, user=u.police)
        self.invite(discussion, AgencyKind.HEALTH, user=u.health)
        self.invite(discussion, AgencyKind.CHILDRENS_SOCIAL_CARE, user=u.decision_maker)
        return contact

    def two_discussions(self) -> Contact:
        u, now = self.users, self.now
        received = (now - timedelta(days=2)).replace(second=0, microsecond=0)
        recommended = received + 60 * MINUTE
        contact = self.contact(
            received=received,
            child={
                "forenames": "Isla",
                "surname": "Penhallow",
                "date_of_birth": _years_ago(self.today, 13, 6, 8),
                "sex": "F",
                "address": "3 Heron Walk, Wexley Green",
                "postcode": "DM9 4HW",
                "school": "Wexley Green Community College",
            },
            others=[
                {
                    "role": "household_member",
                    "forenames": "Stuart",
                    "surname": "Penhallow",
                    "relationship": "father",
                    "sex": "M",
                    "date_of_birth": _years_ago(self.today, 45, 1, 22),
                }
            ],
            concern="Isla told a youth worker that an adult she met online has been collecting her from school and giving her alcohol.",
            rag="AMBER",
            triaged=received + 30 * MINUTE,
            recommended=recommended,
            signed_off=recommended + 20 * MINUTE,
            rationale="Indicators of child sexual exploitation: section 47 threshold met.",
        )
        decision = strategy.s47_decision(contact)
        assert decision is not None
        first_at = min(recommended + 2 * 60 * MINUTE, strategy.due_by_for(contact, decision))
        first = self.arrange(contact, convened=recommended + 30 * MINUTE, when=first_at, arrangements="Telephone conference")
        self.invite(first, AgencyKind.POLICE, user=u.police)
        self.invite(first, AgencyKind.HEALTH, user=u.health)
        self.invite(first, AgencyKind.CHILDRENS_SOCIAL_CARE, user=u.decision_maker)
        self.hold(
            first,
            at=first_at,
            decision=StrategyDiscussion.Decision.FURTHER_DISCUSSION,
            information="Police intelligence on the adult is still being checked; the college has not yet been asked about "
            "collections at the gate.",
            rationale="Not enough known to decide on a joint enquiry: a strategy meeting with the college within a working day.",
        )
        second_at = min(now - 30 * MINUTE, strategy.due_by_for(contact, decision))
        second = self.arrange(
            contact, convened=first_at + 30 * MINUTE, when=second_at, kind="meeting", arrangements="MASH meeting room 2"
        )
        self.invite(second, AgencyKind.POLICE, user=u.police)
        self.invite(second, AgencyKind.HEALTH, user=u.health)
        self.invite(second, AgencyKind.CHILDRENS_SOCIAL_CARE, user=u.manager)
        self.invite(second, AgencyKind.EDUCATION, user=u.education)
        self.hold(
            second,
            at=second_at,
            decision=StrategyDiscussion.Decision.JOINT_S47,
            information="Police: the adult is known for grooming offences. College: Isla collected by car three times this month.",
            rationale="Risk of child sexual exploitation: joint enquiry with the police exploitation team.",
        )
        self.act(
            second,
            u.police,
            self.calendar.add(max(now, second_at), Timescale(Decimal(1), TimescaleUnit.WORKING_DAYS)),
            "Disruption visit to the adult and a harbourage notice if grounds are met.",
        )
        return contact


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the strategy discussion scenarios. Call inside a transaction. Returns one line naming the contacts."""
    demo = StrategyDemo(users, now or timezone.now())
    held = demo.red_held_without_health()
    later = demo.red_arranged_later_today()
    two = demo.two_discussions()
    return (
        f"Strategy discussions: {held.reference} RED section 47 discussion held without health (warned), actions for the decision "
        f"maker, police and First Response Team North; {later.reference} RED discussion arranged for later today before sign-off; "
        f"{two.reference} two discussions (a further strategy meeting)."
    )
