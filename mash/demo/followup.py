"""Early help tracking and the malicious-referral guard in the demo, loaded by `manage.py load_demo`.

Everything here is fictional. It runs after `history.load` and `stage2.load` and records five
more contacts about families history created, exactly as history records them
(`history.run_contact`), then goes through the real services of `mash.decisions.followup`:

1. Arjun Singh: stepped down to early help; the family accepted.
2. Ffion Evans: stepped down to early help; her father declined. The MASH was alerted and a
   decision maker or manager must now consider escalation (on their queues).
3. Johnny Doherty (seed 001 case 3: cannabis from his father): early help declined, the
   decision maker escalated, and a new contact re-assessing the threshold is awaiting triage.
4. Aarav Patel: police and health answered, the NFA was signed off, and the decision maker has
   spoken to the neighbour who made the referral: a proposal that it was malicious waits for a
   team manager (all conditions met).
5. Hamza Hussain: referred by his aunt. The product refused the decision maker's first proposal
   (the referrer had not been spoken to); the second recorded only the mother's account, and a
   team manager refused it because the aunt herself was never spoken to (source bias).

As in stage2, each step is moved back to when it "happened" by updating the timestamps it
wrote, never `Contact.status` and never an audit event.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mash.decisions import followup
from mash.decisions.models import Decision, EarlyHelpReferral, MaliciousFinding, Outcome
from mash.intake.models import Contact
from mash.partnership.models import AgencyKind
from mash.people.models import Involvement, Person
from mash.sharing import services as sharing
from mash.sharing.services import ItemInput

from . import history, stage2
from .builders import DemoUsers
from .history import CLOSED, HOUSEHOLD, TRIAGED, ContactSpec, Round

FAMILIES_USED = ("singh", "evans", "doherty", "patel", "hussain")

SINGH = ContactSpec(
    "singh-withdrawn",
    "singh.arjun",
    (("singh.harjit", HOUSEHOLD, "father"), ("singh.kulwinder", HOUSEHOLD, "mother"), ("singh.jaspreet", HOUSEHOLD, "sister")),
    "email",
    "demotown_high",
    ("emotional-abuse",),
    concern_details="Arjun has become withdrawn this term and has missed nine days. He told his tutor he is being picked on "
    "online and that he games until 3am because he cannot sleep. His parents came in together, are worried, and asked "
    "the school what help there is.",
    concern_when="Since the start of term.",
    concern_how_known="Attendance records; Arjun told his tutor; meeting with both parents.",
    impact_on_child="Arjun is tired, anxious and falling behind.",
    child_voice="'Everyone sees what they post about me. I just want to stay in my room.'",
    strengths_and_safety="Warm, worried parents who asked for help; Jaspreet is close to her brother.",
    safety_scale=7,
    referrer_wants="Family support and help for Arjun's sleep and the online bullying.",
    child_whereabouts="At school.",
    state=CLOSED,
    days_ago=12,
    at=(10, 5),
    consent_notes="Both parents agreed to the referral and asked for early help.",
    triage=(2, "GREEN", "Emerging needs: a 13 year old withdrawn and missing school; parents asking for help.", ()),
    rounds=(
        Round(
            Outcome.EARLY_HELP,
            "Arjun's needs are emerging rather than complex: parents are protective and asking for support. No indication "
            "of significant harm.",
            "Early help assessment with the family, including support with online bullying and sleep.",
            team="Early Help Hub",
        ),
    ),
)

EVANS = ContactSpec(
    "evans-young-carer",
    "evans.ffion",
    (("evans.rhys", HOUSEHOLD, "father"), ("evans.cai", HOUSEHOLD, "brother"), ("evans.nia", history.SIGNIFICANT, "mother")),
    "email",
    "oakhurst_primary",
    ("young-carer", "neglect"),
    concern_details="Ffion is often late and very tired. She told her teacher she gets Cai up, washed and dressed in his "
    "wheelchair every morning because Dad starts work at six, and that she does the tea most nights. Her PE kit and "
    "uniform are often unwashed.",
    concern_when="Most days this half term.",
    concern_how_known="Ffion told her class teacher; seen by staff at the gate.",
    complicating_factors="Cai has cerebral palsy and needs help with personal care. Mum lives in Brackenford since the "
    "separation.",
    impact_on_child="Ffion is carrying a carer's load at 10 and is tired in class.",
    child_voice="'I don't mind. Somebody has to help Cai.'",
    strengths_and_safety="Rhys is loving and works hard; Ffion is proud of helping her brother.",
    safety_scale=6,
    referrer_wants="A young carer's assessment and support for the family.",
    child_whereabouts="At school.",
    state=CLOSED,
    days_ago=6,
    at=(11, 40),
    consent_notes="Rhys Evans agreed to the referral by phone.",
    triage=(2, "GREEN", "Young carer for a disabled brother; emerging needs.", ()),
    rounds=(
        Round(
            Outcome.EARLY_HELP,
            "Ffion is a young carer. Her needs are emerging; no evidence of significant harm.",
            "Early help assessment including a young carer's assessment, and a carer's assessment for Rhys.",
            team="Early Help Hub",
        ),
    ),
)

DOHERTY = ContactSpec(
    "doherty-cannabis",
    "doherty.johnny",
    (
        ("doherty.patrick", HOUSEHOLD, "father"),
        ("doherty.bridget", HOUSEHOLD, "mother"),
        ("doherty.marykate", HOUSEHOLD, "sister"),
        ("doherty.michael", HOUSEHOLD, "brother"),
        ("doherty.kathleen", HOUSEHOLD, "sister"),
    ),
    "police_notification",
    "police_chauhan",
    ("parental-substance-misuse",),
    contact_type="police_notification",
    concern_details="Johnny (13) was stopped in Wexley Green park with a small amount of cannabis. He said his dad gives it "
    "to him 'to help him chill out'. Officers later found a small cannabis grow in the loft at home, which was dismantled; "
    "Patrick Doherty was interviewed and given a community resolution.",
    concern_when="The stop and the search of the home were on the same evening.",
    concern_how_known="Officers stopped Johnny and searched the home.",
    complicating_factors="Four children at home; an earlier contact about a scald to a younger child.",
    impact_on_child="Johnny is using cannabis supplied by a parent at 13.",
    child_voice="'Dad says it's better than me getting it off someone else.'",
    strengths_and_safety="Bridget was shocked and said she would talk to Patrick.",
    safety_scale=5,
    referrer_wants="Support for Johnny and the family.",
    child_whereabouts="At home with his mother.",
    state=CLOSED,
    days_ago=9,
    at=(21, 30),
    consent_notes="Bridget Doherty agreed to the notification being shared with the MASH.",
    triage=(2, "GREEN", "Cannabis supplied by a parent; threshold for social care not clearly met on its own.", ()),
    rounds=(
        Round(
            Outcome.EARLY_HELP,
            "Parental supply of cannabis to a 13 year old is a real concern, but the home was dealt with by police and the "
            "mother is protective. Threshold for a social care assessment not met on this information.",
            "Early help: family support and a young people's substance misuse worker for Johnny.",
            team="Early Help Hub",
        ),
    ),
)

PATEL = ContactSpec(
    "patel-neighbour",
    "patel.aarav",
    (("patel.nikesh", HOUSEHOLD, "father"), ("patel.hetal", HOUSEHOLD, "mother"), ("patel.riya", HOUSEHOLD, "sister")),
    "telephone",
    "neighbour",
    ("physical-abuse", "neglect"),
    concern_details="The caller says Aarav (10) is left alone in the house overnight 'most weekends' and that she saw his "
    "father hit him in the back garden last Saturday.",
    concern_when="Weekends; the hitting last Saturday.",
    concern_how_known="Says she sees it from her house.",
    impact_on_child="Not known to the caller.",
    child_whereabouts="At school.",
    state=TRIAGED,
    days_ago=8,
    at=(9, 50),
    parents_aware="no",
    consent="not_sought",
    consent_not_sought_reason="increase_risk",
    consent_notes="Not sought before checks: an allegation of physical abuse by a parent.",
    triage=(3, "AMBER", "Allegation of a child left alone overnight and hit by a parent: partner checks today.", ()),
)

HUSSAIN = ContactSpec(
    "hussain-aunt",
    "hussain.hamza",
    (
        ("hussain.imran", HOUSEHOLD, "father"),
        ("hussain.saima", HOUSEHOLD, "mother"),
        ("hussain.aleena", HOUSEHOLD, "sister"),
        ("hussain.maryam", HOUSEHOLD, "sister"),
    ),
    "telephone",
    "neighbour",
    ("physical-abuse",),
    concern_details="The caller, Hamza's maternal aunt, says Hamza (7) told her at a family party that his dad 'smacks him "
    "with a slipper' when he is naughty, and that she saw a mark on his leg.",
    concern_when="At a family party two weekends ago.",
    concern_how_known="Hamza told her; she saw a mark on his leg.",
    impact_on_child="Hamza seemed frightened of going home, she says.",
    child_voice="'Abbu smacks me with the chappal when I'm naughty.'",
    child_whereabouts="At school.",
    state=TRIAGED,
    days_ago=10,
    at=(14, 15),
    parents_aware="no",
    consent="not_sought",
    consent_not_sought_reason="increase_risk",
    consent_notes="Not sought before checks: an allegation of physical chastisement by a parent.",
    triage=(3, "AMBER", "A child's reported disclosure of being hit with an implement: partner checks.", ()),
)

# Who made the two referrals the MASH later asked about (not referrers history knows).
PATEL_REFERRER = {
    "referrer_name": "Trevor Munday",
    "referrer_role": "Neighbour",
    "referrer_agency": "",
    "referrer_phone": "07700 900456",
    "referrer_source": "1B",
}
HUSSAIN_REFERRER = {
    "referrer_name": "Nadia Qureshi",
    "referrer_role": "Maternal aunt",
    "referrer_agency": "",
    "referrer_phone": "07700 900789",
    "referrer_source": "1A",
}

NFA = "nfa"


class Followup(stage2.Stage2):
    """Stage 2's back-dating helpers (`at`, `send`, `answer`), with the people of these families."""

    def __init__(self, users: DemoUsers, now: datetime) -> None:
        super().__init__(users, now)
        for family in history.FAMILIES:
            if family.key not in FAMILIES_USED:
                continue
            for member in family.members:
                person = Person.objects.filter(forenames=member.forenames, surname=member.surname or family.surname).order_by("pk").first()
                if person is None:
                    raise RuntimeError(f"The demo history has no {member.forenames} {member.surname or family.surname}.")
                self.ctx.index.people[f"{family.key}.{member.key}"] = person

    def working(self, start: datetime, minutes: int) -> datetime:
        return self.calendar.add_working_hours(start, Decimal(minutes) / 60)

    # -- early help -------------------------------------------------------------------

    def stepped_down(self, spec: ContactSpec) -> tuple[Contact, EarlyHelpReferral]:
        contact = history.run_contact(spec, self.ctx)
        decision = Decision.objects.get(contact=contact, review=Decision.Review.AGREED)
        referral = EarlyHelpReferral.objects.get(decision=decision)
        assert decision.reviewed_at is not None
        EarlyHelpReferral.objects.filter(pk=referral.pk).update(referred_at=decision.reviewed_at)
        involvement = followup.involvement_for(referral)
        assert involvement is not None
        Involvement.objects.filter(pk=involvement.pk).update(started_on=timezone.localtime(decision.reviewed_at).date())
        return contact, EarlyHelpReferral.objects.get(pk=referral.pk)

    def answer_early_help(self, contact: Contact, referral: EarlyHelpReferral, when: datetime, status: str, notes: str) -> None:
        self.at(contact, when, lambda: followup.record_response(referral, self.users.officer, status=status, notes=notes))
        EarlyHelpReferral.objects.filter(pk=referral.pk).update(response_recorded_at=when)
        involvement = followup.involvement_for(referral)
        if involvement is not None and involvement.closed_on is not None:
            Involvement.objects.filter(pk=involvement.pk).update(closed_on=timezone.localtime(when).date())

    def early_help(self) -> None:
        contact, referral = self.stepped_down(SINGH)
        answered = self.working(referral.referred_at, 8 * 60)
        self.answer_early_help(
            contact, referral, answered, "accepted",
            "Claire Bennett (Early Help Hub) rang: Kulwinder and Harjit Singh accepted early help; a family support worker "
            "visits on Thursday.",
        )
        self.show(contact, "early help accepted by the family")

        contact, referral = self.stepped_down(EVANS)
        answered = min(self.working(referral.referred_at, 10 * 60), self.recently(90))
        self.answer_early_help(
            contact, referral, answered, "declined",
            "Early Help Hub: Rhys Evans declined. He said 'we manage fine, we don't need social workers in our house' and "
            "would not agree to a young carer's assessment.",
        )
        self.show(contact, "early help declined: waiting for a decision on escalation (alert and queues)")

        contact, referral = self.stepped_down(DOHERTY)
        answered = min(self.working(referral.referred_at, 16 * 60), self.recently(240))
        self.answer_early_help(
            contact, referral, answered, "declined",
            "Early Help Hub: Patrick Doherty refused consent for any early help work and told the worker not to contact "
            "Johnny at school.",
        )
        escalated = followup.decide_escalation(
            EarlyHelpReferral.objects.get(pk=referral.pk),
            self.users.decision_maker,
            escalation="escalate",
            rationale="The father supplied the cannabis and has now refused all support: Johnny is left without any help. "
            "Re-assess the threshold with police and school information.",
        )
        new = escalated.reassessment_contact
        assert new is not None
        self.show(contact, f"early help declined and escalated: re-assessment contact {new.reference} awaiting triage")

    # -- malicious referrals ----------------------------------------------------------------

    def assessed_nfa(self, spec: ContactSpec, referrer: dict[str, str], *, police: str, health: str, school: str, why: str) -> tuple[Contact, datetime]:
        """Recorded and triaged as history does; police, health and education answer; NFA signed off; letter sent."""
        contact = history.run_contact(spec, self.ctx)
        # The referrer is not one history knows: set who rang (before anything is shared).
        Contact.objects.filter(pk=contact.pk).update(**referrer)
        contact.refresh_from_db()
        triaged = self._triaged_at(contact)
        overridden, sent = self.working(triaged, 10), self.working(triaged, 20)
        self.at(
            contact,
            overridden,
            lambda: sharing.override_consent(
                contact,
                self.users.manager,
                bases=self.bases_for("uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
                rationale="Asking the parents first could put the child at risk if the allegation is true.",
            ),
        )
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please check for any incidents, calls or intelligence about the household.",
                self.health: "Please check GP and school nursing records for the child and household.",
                self.education: "Please share attendance and any welfare or safeguarding records for the child.",
            },
            spec.concern_details,
            ("ca-1989-s17", "uk-gdpr-6-1-e"),
        )
        agencies = (
            (requests[AgencyKind.POLICE], self.users.police, police),
            (requests[AgencyKind.HEALTH], self.users.health, health),
            (requests[AgencyKind.EDUCATION], self.users.education, school),
        )
        when = sent
        for info_request, user, text in agencies:
            when = self.working(when, 60)
            self.open_request(info_request, user, when)
            when = self.working(when, 45)
            self.answer(
                info_request, user, when,
                items=[ItemInput(text, "fact", source="Agency records")],
                analysis="Nothing held supports the concern.",
                recommendation="No further action on the information held.",
            )
        recommended, signed_off, sent_letter = self.working(when, 90), self.working(when, 150), self.working(when, 200)
        self.decide(
            contact,
            Round(NFA, "Police, health and education hold nothing that supports the allegation. " + why, "Threshold not met."),
            recommended,
            signed_off,
            comment="Agreed: no further action.",
        )
        Contact.objects.filter(pk=contact.pk).update(decided_at=signed_off)
        from mash.decisions import services as decisions

        for letter in contact.letters.filter(sent_at__isnull=True).order_by("id"):
            self.at(contact, sent_letter, lambda letter=letter: decisions.mark_letter_sent(letter, self.users.officer, method="email"))
        return Contact.objects.get(pk=contact.pk), sent_letter

    def propose_at(self, contact: Contact, when: datetime, **fields: Any) -> MaliciousFinding:
        finding = self.at(contact, when, lambda: followup.propose_malicious(contact, self.users.decision_maker, **fields))
        MaliciousFinding.objects.filter(pk=finding.pk).update(proposed_at=when)
        return finding

    def malicious(self) -> None:
        contact, closed = self.assessed_nfa(
            PATEL,
            PATEL_REFERRER,
            police="No calls, incidents or intelligence about the Patel household or 14 Cedar Row.",
            health="Aarav is up to date with his health checks; no injuries or attendances recorded.",
            school="Aarav's attendance is 98%; he is happy and well cared for; no welfare concerns ever recorded.",
            why="Aarav told the school he has never been left alone at night; his grandmother lives with the family.",
        )
        spoken = self.working(closed, 120)
        proposed = min(self.working(spoken, 60), self.recently(60))
        self.propose_at(
            contact,
            proposed,
            assessment_summary="Police, health and education all answered: nothing held. School spoke to Aarav, who said he "
            "is never left alone; his paternal grandmother lives with the family.",
            rationale="Every detail was checked and disproved. Mr Munday admitted he had not seen Aarav hit and made the call "
            "after a dispute with the Patels over their planning application.",
            referrer_spoken_at=spoken,
            referrer_spoken_by=self.users.decision_maker,
            referrer_conversation="Telephone call with Trevor Munday. He accepted he had not seen anyone hit Aarav and could "
            "not say when Aarav was left alone. He said the Patels' extension will block his light and he 'wanted them to "
            "know what it's like to have people poking about'.",
        )
        MaliciousFinding.objects.filter(contact=contact).update(referrer_spoken_at=spoken)
        self.show(contact, "proposed as a malicious referral: conditions met, waiting for a team manager")

        contact, closed = self.assessed_nfa(
            HUSSAIN,
            HUSSAIN_REFERRER,
            police="No incidents or calls about the Hussain household.",
            health="No injuries or attendances recorded for Hamza.",
            school="Hamza's attendance is good. Staff have seen no marks and he has said nothing worrying at school.",
            why="Hamza's teacher spoke to him: he said he is not hit at home.",
        )
        tried = self.working(closed, 60)
        assessment = (
            "Police, health and education answered: nothing held. Hamza told his teacher he is not hit at home."
        )
        rationale = "Mrs Hussain says her sister is angry with the family over their late mother's house and is making this up."
        try:
            self.at(
                contact,
                tried,
                lambda: followup.propose_malicious(
                    contact, self.users.decision_maker, assessment_summary=assessment, rationale=rationale,
                    referrer_spoken_at=None, referrer_spoken_by=None, referrer_conversation="",
                ),
            )
        except followup.MaliciousRefused:
            pass  # The product refuses: nobody has spoken to the referrer (the refusal is in the audit log).
        else:  # pragma: no cover - the guard would be broken
            raise RuntimeError("A malicious proposal without a conversation with the referrer was accepted.")
        proposed = self.working(tried, 45)
        finding = self.propose_at(
            contact,
            proposed,
            assessment_summary=assessment,
            rationale=rationale,
            referrer_spoken_at=self.working(tried, 30),
            referrer_spoken_by=self.users.decision_maker,
            referrer_conversation="Spoke to Saima Hussain (mother) by phone: she says her sister Nadia is lying to hurt the "
            "family after a falling-out about their mother's house, and that Hamza is never smacked.",
        )
        MaliciousFinding.objects.filter(pk=finding.pk).update(referrer_spoken_at=self.working(tried, 30))
        refused = min(self.working(proposed, 90), self.recently(30))
        self.at(
            contact,
            refused,
            lambda: followup.decide_malicious(
                MaliciousFinding.objects.get(pk=finding.pk),
                self.users.manager,
                agree=False,
                comment="Not agreed. The conversation recorded is with the mother, not the referrer: Ms Qureshi herself has "
                "never been spoken to. A family member's referral must be judged on its substance, not dismissed because of "
                "a family dispute (source bias, Star Hobson). Speak to Ms Qureshi before this is considered again.",
            ),
        )
        MaliciousFinding.objects.filter(pk=finding.pk).update(manager_decided_at=refused)
        self.show(contact, "malicious proposals refused: by the product (referrer not spoken to) and by a team manager")

    def load_followup(self) -> str:
        self.early_help()
        self.malicious()
        shown = "; ".join(f"{reference} {what}" for reference, what in self.shown)
        return f"Early help and malicious referrals: {shown}."


def load(users: DemoUsers, *, now: datetime | None = None) -> str:
    """Add the early help and malicious-referral scenarios. Call inside a transaction, after stage2.load."""
    return Followup(users, now or timezone.now()).load_followup()

