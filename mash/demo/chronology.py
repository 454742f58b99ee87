"""The picture of the child in the demo: a household whose low-level contacts add up (cumulative harm).

Everything here is fictional. The Marsden family (Natalie and her children Ruby, 8, and Callum,
4, at 23 Linnet Close, Brackenford DM6 4RT) is added to the person index directly, as history
adds every family (a migration from a legacy system would). Their contacts go through the real
services with `history.run_contact`, oldest first, and are moved back to when they happened:

1. about Ruby, about 8 months ago: head lice and tiredness (GREEN, level 2): advice and
   signposting;
2. about Callum, about 5 months ago: missed health reviews and dental decay (GREEN, level 2):
   step down to early help. The family declined it a week later (`followup.record_response`)
   and the decision maker recorded that escalation was not needed at the time;
3. about Ruby, about 2 months ago: the children out alone after dark (GREEN, level 1): NFA.
   On its submission the household had three low-level contacts in 12 months, so the cumulative
   harm alert was raised; the manager acknowledged it then;
4. about Callum, this morning: a bruise on his cheek seen at nursery. On submission the
   household has four low-level contacts in 12 months: a new cumulative harm alert is open on
   the team manager's home page, the contact page warns of it and of the declined early help,
   and Callum's person page shows the banner and the household chronology.

`load` also acknowledges cumulative harm alerts that the rest of the demo's history raised on
contacts decided long ago (the managers saw them at the time), so the home page shows only the
alerts that need attention today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from mash.decisions.models import EarlyHelpReferral, Outcome
from mash.domain.workflow import ContactStatus
from mash.intake.models import Contact, StatusChange
from mash.partnership.models import ConcernCategory, LevelOfNeed, RagRating, Team, UrgentTrigger
from mash.partnership.services import working_calendar
from mash.people.models import Ethnicity, Involvement, InvolvementKind, Person, Relationship, Sex
from mash.workqueue import services as workqueue
from mash.workqueue.models import Alert

from . import history
from .builders import DemoUsers
from .history import AWAITING_TRIAGE, CLOSED, HOUSEHOLD, ContactSpec, Round

SEED = 2029
DECIDED = (ContactStatus.SIGNED_OFF, ContactStatus.CLOSED)
SURNAME = "Marsden"
ADDRESS = "23 Linnet Close\nBrackenford"
POSTCODE = "DM6 4RT"

LICE = ContactSpec(
    "marsden-lice",
    "marsden.ruby",
    (("marsden.natalie", HOUSEHOLD, "mother"), ("marsden.callum", HOUSEHOLD, "brother")),
    "telephone",
    "brackenford_primary",
    ("neglect",),
    concern_details="Ruby has had head lice all this half term; letters home have not been answered. She is often late, "
    "tired and says she goes to bed 'when Mum's programmes finish'.",
    concern_when="Most of this half term.",
    concern_how_known="Seen by her class teacher; Ruby told us about bedtimes.",
    impact_on_child="Other children have started to avoid sitting with her; she is tired in lessons.",
    child_voice="Ruby: 'Mum says the shampoo is too dear.'",
    strengths_and_safety="Ruby is always in school and is clean otherwise. Natalie is polite when we see her.",
    safety_scale=7,
    child_whereabouts="At school.",
    state=CLOSED,
    days_ago=240,
    at=(10, 20),
    triage=(2, "GREEN", "Low-level health and routine concerns; no indication of harm.", ()),
    rounds=(
        Round(
            Outcome.ADVICE_SIGNPOST,
            "Head lice and late nights: needs a word and practical help, not a service.",
            "School nurse to offer treatment; school to signpost Natalie to the family hub for routines support.",
        ),
    ),
)

TEETH = ContactSpec(
    "marsden-teeth",
    "marsden.callum",
    (("marsden.natalie", HOUSEHOLD, "mother"), ("marsden.ruby", HOUSEHOLD, "sister")),
    "email",
    "health_visitor",
    ("neglect",),
    concern_details="Callum has missed his 3-year review twice and was seen at the dental access centre with decay in six "
    "teeth needing extraction under general anaesthetic. Natalie says she is struggling since her hours changed.",
    concern_when="Over the last six months.",
    concern_how_known="Health visiting and dental records; Natalie told me at a home visit.",
    impact_on_child="Callum is in pain when he eats and his speech is behind for his age.",
    strengths_and_safety="Natalie took Callum to the dentist when he was in pain. Her mother helps on Saturdays.",
    safety_scale=6,
    what_needs_to_change="Callum's health appointments kept; help for Natalie with routines.",
    referrer_wants="Early help for the family.",
    child_whereabouts="At nursery.",
    state=CLOSED,
    days_ago=150,
    at=(11, 5),
    triage=(2, "GREEN", "Health neglect in a young child; needs support, no immediate risk.", ()),
    rounds=(
        Round(
            Outcome.EARLY_HELP,
            "Missed health reviews and dental decay: the second low-level contact about the children in three months.",
            "Step down to the Early Help Hub for an early help assessment with the health visitor.",
            team="Early Help Hub",
        ),
    ),
)

OUT_LATE = ContactSpec(
    "marsden-out-late",
    "marsden.ruby",
    (("marsden.natalie", HOUSEHOLD, "mother"), ("marsden.callum", HOUSEHOLD, "brother")),
    "telephone",
    "neighbour",
    ("neglect",),
    concern_details="Ruby and her little brother were out on the green behind Linnet Close after dark on two evenings "
    "this week, without a coat, until about 8pm. Their mum was at home.",
    concern_when="Tuesday and Thursday this week.",
    concern_how_known="I saw them from my window.",
    impact_on_child="They were cold; Ruby was looking after Callum.",
    strengths_and_safety="Their mum called them in when I knocked.",
    child_whereabouts="At school and nursery.",
    state=CLOSED,
    days_ago=60,
    at=(16, 40),
    triage=(1, "GREEN", "Supervision concern, no harm seen: single agency.", ()),
    rounds=(
        Round(
            Outcome.NFA,
            "Low-level supervision concern; the family declined early help a few months ago.",
            "No further action by children's social care; the school will keep an eye and speak to Natalie.",
        ),
    ),
    acknowledge_alerts=True,
)

BRUISE = ContactSpec(
    "marsden-bruise",
    "marsden.callum",
    (("marsden.natalie", HOUSEHOLD, "mother"), ("marsden.ruby", HOUSEHOLD, "sister")),
    "online_form",
    "health_visitor",
    ("neglect", "physical-abuse"),
    concern_details="Callum arrived at nursery with a fading bruise on his left cheek. He said he 'fell off the bed'. He "
    "was hungry and in the same clothes as Friday. Natalie did not come to the review meeting last week.",
    concern_when="Seen this morning at nursery.",
    concern_how_known="Seen by the nursery key worker, who rang me.",
    impact_on_child="Callum is quiet and clingy with staff; he is hungry on Mondays.",
    child_voice="Callum: 'I fell off the bed. Ruby was looking after me.'",
    strengths_and_safety="Callum is attached to his key worker and to Ruby. His grandmother is supportive.",
    safety_scale=4,
    what_needs_to_change="Someone needs to look at the whole picture: this is not the first worry about these children.",
    if_nothing_changes="The children's needs will keep being missed, and the injuries may not be accidents.",
    referrer_wants="A proper look at the family, taking the earlier concerns into account.",
    child_whereabouts="At nursery until 3pm.",
    state=AWAITING_TRIAGE,
    hours_ago=2.5,
    parents_aware="no",
    consent="not_sought",
    consent_not_sought_reason="undue_delay",
)


@dataclass(frozen=True)
class Member:
    key: str
    forenames: str
    sex: str
    age: int
    birthday: tuple[int, int]
    school: str = ""


MEMBERS = (
    Member("natalie", "Natalie", Sex.FEMALE, 31, (9, 2)),
    Member("ruby", "Ruby", Sex.FEMALE, 8, (5, 14), "Brackenford Primary School"),
    Member("callum", "Callum", Sex.MALE, 4, (11, 23), "Brackenford Family Hub Nursery"),
)


def _born(today: date, years: int, month: int, day: int) -> date:
    born = date(today.year - years, month, day)
    if (month, day) > (today.month, today.day):
        born = date(today.year - years - 1, month, day)
    return born


def _family(today: date) -> history.Index:
    rng = random.Random(SEED)
    index = history.Index()
    for m in MEMBERS:
        index.people[f"marsden.{m.key}"] = Person.objects.create(
            forenames=m.forenames,
            surname=SURNAME,
            date_of_birth=_born(today, m.age, *m.birthday),
            sex=m.sex,
            ethnicity=Ethnicity.WBRI,
            first_language="English",
            address=ADDRESS,
            postcode=POSTCODE,
            nhs_number=history.make_nhs_number(rng),
            school=m.school,
            gp="Riverside Medical Practice",
        )
    mother, ruby, callum = (index[f"marsden.{k}"] for k in ("natalie", "ruby", "callum"))
    Relationship.objects.bulk_create(
        [
            Relationship(person=ruby, relative=mother, relationship="mother", lives_with=True),
            Relationship(person=callum, relative=mother, relationship="mother", lives_with=True),
            Relationship(person=ruby, relative=callum, relationship="brother", lives_with=True),
            Relationship(person=callum, relative=ruby, relationship="sister", lives_with=True),
        ]
    )
    return index


def _decline_early_help(contact: Contact, users: DemoUsers) -> None:
    """The family declined the early help offered on `contact` a week after the decision; escalation was considered."""
    from mash.decisions import followup

    decided = contact.decided_at or contact.received_at
    answered = decided + timedelta(days=6, hours=2)
    considered = answered + timedelta(hours=3)
    referral = EarlyHelpReferral.objects.filter(contact=contact).order_by("id").first()
    if referral is None:  # the early help follow-up did not open one
        referral = EarlyHelpReferral.objects.create(
            contact=contact,
            decision=contact.decisions.get(review="agreed"),
            person=contact.subject_child.person if contact.subject_child else None,
            team=Team.objects.get(name="Early Help Hub"),
        )
    EarlyHelpReferral.objects.filter(pk=referral.pk).update(referred_at=decided)
    Involvement.objects.filter(
        person_id=referral.person_id, kind=InvolvementKind.EARLY_HELP, summary__contains=contact.reference
    ).update(started_on=timezone.localtime(decided).date())
    notes = "Natalie said she does not want 'another worker round' and that things are fine now the dentist is sorted."
    record = getattr(followup, "record_response", None)
    if record is not None:
        record(referral, users.decision_maker, status=EarlyHelpReferral.Status.DECLINED, notes=notes)
    else:
        EarlyHelpReferral.objects.filter(pk=referral.pk).update(
            status=EarlyHelpReferral.Status.DECLINED, response_notes=notes, response_recorded_by=users.decision_maker
        )
    rationale = (
        "Needs are low-level and Natalie knows how to ask for help; the health visitor and school will keep in touch. "
        "Any further concern to be considered with this history."
    )
    decide = getattr(followup, "decide_escalation", None)
    if decide is not None:
        decide(EarlyHelpReferral.objects.get(pk=referral.pk), users.decision_maker,
               escalation=EarlyHelpReferral.Escalation.NOT_NEEDED, rationale=rationale)
    EarlyHelpReferral.objects.filter(pk=referral.pk).update(
        response_recorded_at=answered,
        escalation=EarlyHelpReferral.Escalation.NOT_NEEDED,
        escalation_rationale=rationale,
        escalation_decided_by=users.decision_maker,
        escalation_decided_at=considered,
    )
    Involvement.objects.filter(
        person_id=referral.person_id, kind=InvolvementKind.EARLY_HELP, summary__contains=contact.reference,
        closed_on__isnull=False,
    ).update(closed_on=timezone.localtime(answered).date())
    for alert in Alert.objects.filter(contact=contact, kind=Alert.Kind.EARLY_HELP_DECLINED):
        Alert.objects.filter(pk=alert.pk).update(raised_at=answered)
        if alert.acknowledged_at is None:
            workqueue.acknowledge_alert(Alert.objects.get(pk=alert.pk), users.manager)
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=considered)


def _acknowledge_old_cumulative_alerts(users: DemoUsers, keep: set[int]) -> int:
    """History raised cumulative harm alerts on contacts decided long ago: the managers saw them then."""
    old = Alert.objects.filter(
        kind=Alert.Kind.CUMULATIVE_HARM, acknowledged_at__isnull=True, contact__status__in=DECIDED
    ).exclude(contact_id__in=keep)
    done = 0
    for alert in old:
        workqueue.acknowledge_alert(alert, users.manager)
        Alert.objects.filter(pk=alert.pk).update(acknowledged_at=alert.raised_at + timedelta(minutes=20))
        done += 1
    return done


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the Marsden household. Call inside a transaction, after history (and Stage 2) have loaded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    ctx = history.Context(
        users=users,
        index=_family(today),
        rng=random.Random(SEED),
        now=now,
        levels={level.level: level for level in LevelOfNeed.objects.all()},
        rags={rag.code.upper(): rag for rag in RagRating.objects.all()},
        triggers={trigger.code: trigger for trigger in UrgentTrigger.objects.all()},
        categories={category.code: category for category in ConcernCategory.objects.all()},
        teams={team.name: team for team in Team.objects.all()},
        calendar=working_calendar(),
    )
    lice = history.run_contact(LICE, ctx)
    teeth = history.run_contact(TEETH, ctx)
    _decline_early_help(Contact.objects.get(pk=teeth.pk), users)
    out_late = history.run_contact(OUT_LATE, ctx)
    bruise = history.run_contact(BRUISE, ctx)
    submitted = StatusChange.objects.filter(contact=bruise).order_by("-id").values_list("occurred_at", flat=True).first()
    if submitted is not None:
        Alert.objects.filter(contact=bruise, kind=Alert.Kind.CUMULATIVE_HARM).update(raised_at=submitted)
    _acknowledge_old_cumulative_alerts(users, keep={bruise.pk})
    callum = ctx.index["marsden.callum"]
    return (
        f"Cumulative harm: the {SURNAME} household ({callum.full_name}, person {callum.pk}, and his sister Ruby): "
        f"{lice.reference} advice, {teeth.reference} early help declined, {out_late.reference} NFA (alert acknowledged), "
        f"and {bruise.reference} awaiting triage with an open cumulative harm alert."
    )

