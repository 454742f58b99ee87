"""Stage 2 (multi-agency information sharing) in the demo partnership, loaded by `manage.py load_demo`.

Everything here is fictional, like the rest of the demo. It runs after `history.load` and
builds on its people and contacts: the two contacts history leaves at "triaged", plus a few
more contacts recorded and triaged exactly as history records them (`history.run_contact`).

Every step goes through the real services (`mash.sharing.services`, `mash.triage.services`,
`mash.decisions.services`), so the sharing log, the notices to agencies and the audit chain are
what real use would produce. Each step is then moved back to the moment it "happened" by
updating the timestamps it wrote (`_stamp`), never `Contact.status` and never an audit event:
the audit log truthfully says when the demo was loaded. Deadlines are recomputed from the
back-dated send time with the partnership's working calendar, so whatever day and time the
demo is loaded, requests are due, due soon or overdue as the scenario says.

What it shows (the loader's summary names the contact references):

1. requests to police, health and education just sent, not opened yet;
2. police answered (a sensitive item, an unverified item, a fact, analysis and
   recommendation), health waiting on its health visitor, education "nothing held";
3. overdue requests chased by the scheduled task and by the decision maker;
4. an escalation from health waiting for the manager, and another the manager answered by
   raising the rating to RED, which brought the open requests' deadlines forward;
5. consent refused and overridden by the manager; consent refused and a manager asked;
6. a repeat contact whose requests name the date of the previous Stage 2;
7. a signed-off section 17 assessment for First Response Team North, with a redacted item, a
   withheld item and a sensitive item that stays inside the MASH.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Case, DateTimeField, F, Model, Q, Value, When
from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import Decision, Outcome, OutcomeLetter
from mash.domain.worktime import Timescale
from mash.intake.models import Consent, Contact, ContactPerson, StatusChange
from mash.partnership.models import Agency, AgencyKind, ConcernCategory, LawfulBasis, LevelOfNeed, RagRating, Team, UrgentTrigger
from mash.partnership.services import deadline, require_partnership, working_calendar
from mash.people.models import Person
from mash.sharing import services as sharing
from mash.sharing.models import (
    AgencyResponse,
    Chase,
    ConsentChange,
    ConsentOverride,
    Escalation,
    InformationItem,
    InformationRequest,
    ItemKind,
    PendingEnquiry,
    Redaction,
    RequestNotice,
    SharingLogEntry,
)
from mash.sharing.services import ItemInput, RequestSpec
from mash.triage import services as triage_services
from mash.triage.models import RatingChange
from mash.workqueue.models import Alert

from . import history
from .builders import DemoUsers
from .history import HOUSEHOLD, SIGNIFICANT, TRIAGED, ContactSpec, Round

SEED = 2027
T = TypeVar("T")

MINUTE = timedelta(minutes=1)

# ---------------------------------------------------------------------------------------
# Back-dating what a service wrote
# ---------------------------------------------------------------------------------------

# (model, path from the model to the contact's id, timestamp fields a service may set to "now")
STAMPED: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (InformationRequest, "contact_id", ("requested_at", "opened_at", "answered_at", "withdrawn_at", "last_chased_at")),
    (AgencyResponse, "request__contact_id", ("started_at", "submitted_at", "updated_at")),
    (InformationItem, "response__request__contact_id", ("added_at", "shared_at")),
    (PendingEnquiry, "request__contact_id", ("recorded_at", "received_at")),
    (Escalation, "request__contact_id", ("raised_at", "responded_at")),
    (RequestNotice, "request__contact_id", ("created_at", "read_at")),
    (Chase, "request__contact_id", ("chased_at",)),
    (Redaction, "response__request__contact_id", ("redacted_at",)),
    (SharingLogEntry, "contact_id", ("occurred_at",)),
    (ConsentChange, "contact_id", ("changed_at",)),
    (ConsentOverride, "contact_id", ("recorded_at",)),
    (Alert, "contact_id", ("raised_at", "acknowledged_at")),
    (RatingChange, "contact_id", ("changed_at",)),
    (StatusChange, "contact_id", ("occurred_at",)),
    (Decision, "contact_id", ("recommended_at", "reviewed_at")),
    (OutcomeLetter, "contact_id", ("generated_at", "sent_at")),
    (Contact, "pk", ("decided_at", "closed_at")),
)


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


def _fresh(info_request: InformationRequest) -> InformationRequest:
    """Services save whole rows; always hand them the back-dated version."""
    return InformationRequest.objects.select_related("agency", "contact").get(pk=info_request.pk)


# ---------------------------------------------------------------------------------------
# Working time
# ---------------------------------------------------------------------------------------


class Clock:
    """When things happened, in the partnership's working time, relative to `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.calendar = working_calendar()

    def last_working_moment(self, when: datetime) -> datetime:
        """`when` if the MASH is open then, otherwise a minute before it last closed."""
        local = timezone.localtime(when)
        if self.calendar.is_working_moment(local):
            return local
        day = local.date()
        for _ in range(60):
            hours = self.calendar.hours_for(day.weekday())
            if hours is not None and self.calendar.is_working_day(day):
                closes = timezone.make_aware(datetime.combine(day, hours.closes)) - MINUTE
                if closes <= local:
                    return closes
            day -= timedelta(days=1)
        raise ValueError("No working day in the last 60 days: check the office hours.")

    def _latest(self, function: Callable[[datetime], datetime], limit: datetime, *, span: timedelta) -> datetime:
        """The latest start s (to the minute) with function(s) <= limit; function never decreases."""
        lo, hi = limit - span, limit
        for _ in range(22):
            middle = lo + (hi - lo) / 2
            if function(middle) <= limit:
                lo = middle
            else:
                hi = middle
        return timezone.localtime(lo).replace(second=0, microsecond=0)

    def _latest_working(self, function: Callable[[datetime], datetime], limit: datetime) -> datetime:
        """The latest working moment s with function(s) <= limit."""
        start = self._latest(function, limit, span=timedelta(days=21))
        if not self.calendar.is_working_moment(start):
            opening = self.calendar.next_working_moment(start)
            if function(opening) <= limit:
                return opening
        return self.last_working_moment(start)

    def back(self, when: datetime, minutes: int) -> datetime:
        """A working moment `minutes` of working time before `when`."""
        return self._latest_working(lambda s: self.calendar.add_working_hours(s, Decimal(minutes) / 60), when)

    def latest_start_due_by(self, timescale: Timescale, due_by: datetime) -> datetime:
        """The latest working moment a request can be sent and still fall due by `due_by`."""
        return self._latest_working(lambda s: deadline(s, timescale, self.calendar), due_by)

    def earliest_start_due_after(self, timescale: Timescale, due_after: datetime, not_before: datetime) -> datetime:
        """The earliest moment from `not_before` at which a request sent would fall due after `due_after`."""
        if deadline(not_before, timescale, self.calendar) >= due_after:
            return not_before
        latest_too_early = self._latest(
            lambda s: deadline(s, timescale, self.calendar), due_after - MINUTE, span=due_after - not_before
        )
        return latest_too_early + MINUTE

    def forward(self, start: datetime, gaps: Sequence[int], end: datetime) -> list[datetime]:
        """`start` then each gap (minutes) in working time; if that runs past `end`, the same gaps in
        clock time, squeezed to fit (as history does for contacts received a few hours ago)."""
        times, when = [start], start
        for gap in gaps:
            when = self.calendar.add_working_hours(when, Decimal(gap) / 60)
            times.append(when)
        if times[-1] <= end:
            return times
        total = sum(gaps) or 1
        scale = max(0.0, min(1.0, (end - start).total_seconds() / 60 / total))
        times, offset = [start], 0
        for gap in gaps:
            offset += gap
            times.append(start + timedelta(minutes=offset * scale))
        return times

    def plan(self, gaps: Sequence[int], *, last_at: datetime, not_before: datetime | None = None) -> list[datetime]:
        """Times of len(gaps) + 1 events, `gaps` working minutes apart, the last at `last_at`.

        If that would start before `not_before` (the contact was triaged too recently), the events
        run forward from `not_before` instead, squeezed before now if need be.
        """
        times = [last_at]
        for gap in reversed(gaps):
            times.insert(0, self.back(times[0], gap))
        if not_before is None or times[0] >= not_before:
            return times
        return self.forward(not_before + 10 * MINUTE, gaps, self.now - 3 * MINUTE)


# ---------------------------------------------------------------------------------------
# The contacts Stage 2 adds to the demo (recorded and triaged the way history records them)
# ---------------------------------------------------------------------------------------

ASANTE = ContactSpec(
    "asante-underpass",
    "asante.yaw",
    (
        ("asante.abena", HOUSEHOLD, "mother"),
        ("asante.kwame", HOUSEHOLD, "father"),
        ("asante.kofi", HOUSEHOLD, "brother"),
        ("asante.esi", HOUSEHOLD, "sister"),
    ),
    "police_notification",
    "police_sutcliffe",
    ("child-criminal-exploitation", "extra-familial-or-contextual-harm"),
    contact_type="police_notification",
    concern_details="At 22:40 officers on patrol found Yaw (9) in the Brunel Way underpass with his brother Kofi (16) and two "
    "older youths not known to the family. Kofi had £340 in cash and two mobile phones and would not say where they came "
    "from. Yaw was still in his school uniform, cold, and had not eaten since lunch. Officers took both boys home; both "
    "parents were on night shifts and Esi (13) was at home on her own.",
    concern_when="22:40 on the night of the notification.",
    concern_how_known="Officers found the boys on patrol and spoke to them and to Esi.",
    complicating_factors="Kofi was assessed last year after he was stopped with older young people linked to a drug supply "
    "line. Both parents work nights.",
    impact_on_child="Yaw is being drawn into his brother's world late at night; he was frightened and exhausted.",
    child_voice="Yaw: 'Kofi looks after me when Mummy and Daddy are at work. The big boys are his friends.'",
    strengths_and_safety="Both parents came home as soon as officers rang them. Esi phoned her mum when the boys did not come home.",
    safety_scale=4,
    what_needs_to_change="An adult, not Kofi, looking after Yaw in the evenings; help for Kofi to get away from the older youths.",
    if_nothing_changes="Yaw will be groomed to carry or hold drugs, as Kofi was.",
    referrer_wants="A joint look at both boys with the youth justice service and the exploitation team.",
    child_whereabouts="At school; at home with his mother this evening.",
    state=TRIAGED,
    consent_notes="Abena Asante agreed to the MASH making checks and asked for help to keep Kofi away from the older boys.",
    triage=(
        3,
        "AMBER",
        "A 9 year old at risk of criminal exploitation through his brother, who was assessed for exploitation last year; "
        "parents working nights. Partner checks today.",
        (),
    ),
)

KELLY = ContactSpec(
    "kelly-home-visit",
    "kelly.harley",
    (
        ("kelly.stacey", HOUSEHOLD, "mother"),
        ("kelly.mason", HOUSEHOLD, "brother"),
        ("kelly.lilyrose", HOUSEHOLD, "sister"),
        ("kelly.jordan", SIGNIFICANT, "father"),
    ),
    "email",
    "health_visitor",
    ("neglect", "parental-substance-misuse"),
    concern_details="At Harley's eight-month review the flat was cold and cluttered, with dog mess on the kitchen floor and "
    "empty cider cans by the sofa. Harley was in a heavy, soiled nappy and has nappy rash with broken skin. Stacey was "
    "tearful, said she had 'had a couple' the night before and that she is 'not coping' since Jordan left. Mason (5) was at "
    "home at 11:00 on a school day. Lily-Rose (3) had a yellowing bruise on her forehead; Stacey said she fell off the sofa.",
    concern_when="During the home visit for Harley's eight-month review.",
    concern_how_known="Seen by me at the home visit.",
    complicating_factors="Father left the household two months ago. Mother's drinking appears to be increasing. Three "
    "children under six.",
    impact_on_child="Harley's basic care is being missed; Mason is missing school; Lily-Rose has a bruise with a plausible "
    "but unconfirmed explanation.",
    child_voice="Mason: 'Mummy was too sleepy to take me to school.'",
    strengths_and_safety="Stacey is warm with the children and asked for help. The maternal grandmother lives nearby and "
    "helps at weekends.",
    safety_scale=4,
    what_needs_to_change="Support for Stacey with her drinking and low mood; consistent basic care; Mason in school every day.",
    if_nothing_changes="The children's needs will go on being neglected, and Harley is not safe when Stacey has been drinking.",
    referrer_wants="An assessment, and support for Stacey.",
    child_whereabouts="At home with their mother.",
    state=TRIAGED,
    consent_notes="Stacey agreed to the referral and said she wants help.",
    triage=(
        3,
        "AMBER",
        "Neglect of three children under six with maternal alcohol use; bruise to a 3 year old with a plausible account. "
        "Partner checks before a decision.",
        (),
    ),
)

STOICA = ContactSpec(
    "stoica-disclosure",
    "stoica.denisa",
    (
        ("stoica.daniela", HOUSEHOLD, "mother"),
        ("stoica.marian", HOUSEHOLD, "father"),
        ("stoica.gabriel", HOUSEHOLD, "brother"),
        ("stoica.bianca", HOUSEHOLD, "sister"),
    ),
    "telephone",
    "eastholme_academy",
    ("domestic-abuse", "emotional-abuse"),
    concern_details="Denisa told her form tutor that her dad 'grabbed Mum by the neck and pushed her against the fridge' "
    "after an argument about money, and that she took Gabriel and Bianca into her bedroom and put the TV on loud. She said "
    "it has happened before but 'not this bad'. Denisa had not slept and did not want to leave her mum at home.",
    concern_when="In the evening, two days before she told us.",
    concern_how_known="Denisa told her form tutor; I spoke to Denisa with the tutor present.",
    complicating_factors="Money worries; Marian recently lost his job. Daniela's English is limited and she has no family in "
    "the UK.",
    impact_on_child="Denisa is frightened, not sleeping and is protecting her younger brother and sister.",
    child_voice="'I have to stay with Mum. If I'm not there he'll do it again.'",
    strengths_and_safety="Denisa knows to call 999 and has done so before. Daniela takes Bianca to nursery every day.",
    safety_scale=3,
    what_needs_to_change="Daniela and the children need to be safe from Marian's violence.",
    if_nothing_changes="Daniela could be seriously hurt or killed, and the children will go on living with violence.",
    referrer_wants="Help for Denisa's mum and a safe plan for the children.",
    child_whereabouts="In school; Gabriel at Eastholme Park Primary and Bianca at nursery.",
    state=TRIAGED,
    parents_aware="no",
    consent="not_sought",
    consent_not_sought_reason="increase_risk",
    consent_notes="Not sought: telling the parents could put Daniela and the children at greater risk from Marian.",
    triage=(3, "AMBER", "Domestic abuse described by an 11 year old, with three children in the home. Police checks today.", ()),
)

JONES = ContactSpec(
    "jones-needle",
    "jones.poppy",
    (
        ("jones.patricia", HOUSEHOLD, "maternal grandmother (special guardian)"),
        ("jones.logan", HOUSEHOLD, "brother"),
        ("jones.jade", SIGNIFICANT, "mother"),
    ),
    "telephone",
    "oakhurst_primary",
    ("parental-substance-misuse", "neglect"),
    concern_details="Poppy told her teacher that 'Mummy Jade' has been sleeping at Nan's 'for ages' and that she found a "
    "needle on the bathroom floor, which Nan put in a drinks bottle. Poppy said her mum was 'really sleepy and her words "
    "were funny'. When I rang Patricia she was angry, said Jade 'is clean now' and only visiting, and refused consent to "
    "any referral or checks.",
    concern_when="Over the last two or three weeks.",
    concern_how_known="Poppy told her class teacher; I then spoke to Patricia by phone.",
    complicating_factors="Logan and Poppy live with their grandmother under a special guardianship order because of Jade's "
    "drug use. Patricia may find it hard to say no to her daughter.",
    impact_on_child="Poppy is worried and confused about her mum and has been tired in class.",
    child_voice="'Nan said not to tell anyone Mummy's staying.'",
    strengths_and_safety="Patricia has cared for the children well for over two years and the school has had no other concerns.",
    safety_scale=5,
    what_needs_to_change="Jade should not stay at the home while she is using, and no drug equipment where the children can find it.",
    if_nothing_changes="The children could be hurt by drug equipment and exposed again to the care that led to their child "
    "protection plans.",
    referrer_wants="Checks on Jade, and advice on how to talk to Patricia.",
    child_whereabouts="In school until 15:15.",
    state=TRIAGED,
    consent="refused",
    consent_notes="Patricia Jones (special guardian) refused consent by phone: 'social services are not coming back into our lives'.",
    triage=(
        3,
        "AMBER",
        "Possible return of the mother's drug use to the children's home, with a used needle found by a 9 year old; special "
        "guardian refusing consent. Checks needed today.",
        (),
    ),
)

MIAH = ContactSpec(
    "miah-attendance",
    "miah.nusrat",
    (
        ("miah.rahima", HOUSEHOLD, "mother"),
        ("miah.abdul", HOUSEHOLD, "father"),
        ("miah.tahmid", HOUSEHOLD, "brother"),
    ),
    "email",
    "eastholme_primary",
    ("domestic-abuse", "emotional-abuse", "missing-from-care-home-or-education"),
    concern_details="Nusrat's attendance has fallen to 81% this term. She is often tired and tearful, and last week told her "
    "teaching assistant 'Abba shouts at Amma every night and Amma cries'. At an attendance meeting Abdul Miah did all the "
    "talking and Rahima did not speak. When we asked to refer the family for early help or to the MASH, Abdul refused and "
    "said the family would sort it out themselves.",
    concern_when="Since September; the comment was made last week.",
    concern_how_known="Attendance records; what Nusrat told her teaching assistant; the attendance meeting.",
    impact_on_child="Nusrat is anxious and tired and is missing learning.",
    child_voice="'Abba shouts at Amma every night and Amma cries.'",
    strengths_and_safety="Nusrat has good friends and talks to her teaching assistant. Tahmid walks her to school.",
    referrer_wants="Advice, and for someone to make sure Rahima is safe.",
    child_whereabouts="In school.",
    state=TRIAGED,
    consent="refused",
    consent_notes="Abdul Miah refused consent at the attendance meeting; Rahima was not asked on her own.",
    triage=(
        3,
        "AMBER",
        "Possible domestic abuse behind a child's falling attendance and distress; father refused consent and mother could not "
        "be spoken to alone.",
        (),
    ),
)

AHMADZAI_EARLIER = ContactSpec(
    "ahmadzai-young-carer",
    "ahmadzai.parisa",
    (
        ("ahmadzai.zarghuna", HOUSEHOLD, "mother"),
        ("ahmadzai.farid", HOUSEHOLD, "father"),
        ("ahmadzai.omid", HOUSEHOLD, "brother"),
        ("ahmadzai.samir", HOUSEHOLD, "brother"),
    ),
    "email",
    "youth_project",
    ("young-carer", "parental-mental-ill-health", "missing-from-care-home-or-education"),
    concern_details="Parisa comes to our Thursday girls' group. She told a youth worker she has missed a lot of school since "
    "half term because her mum 'can't get up', so she takes Samir to school, cooks, and interprets at her mum's appointments. "
    "She looked exhausted and said she has no time for homework or friends.",
    concern_when="Since half term.",
    concern_how_known="Parisa told our youth worker at the girls' group.",
    complicating_factors="Mother speaks Dari and little English; father works late shifts as a delivery driver.",
    impact_on_child="Parisa is missing school and carrying adult responsibilities.",
    child_voice="'If I don't do it, nobody will.'",
    strengths_and_safety="Parisa is close to her mum and brothers and still comes to the girls' group.",
    safety_scale=6,
    referrer_wants="Support for Parisa as a young carer and help for her mum.",
    child_whereabouts="At home.",
    state=TRIAGED,
    days_ago=40,
    at=(11, 20),
    consent_notes="Farid Ahmadzai agreed to the referral by phone (Dari interpreter).",
    triage=(
        2,
        "GREEN",
        "Young carer for a mother who appears unwell; police and health checks to understand the family's needs.",
        (),
    ),
)

AHMADZAI_NOW = ContactSpec(
    "ahmadzai-burn",
    "ahmadzai.parisa",
    (
        ("ahmadzai.zarghuna", HOUSEHOLD, "mother"),
        ("ahmadzai.farid", HOUSEHOLD, "father"),
        ("ahmadzai.omid", HOUSEHOLD, "brother"),
        ("ahmadzai.samir", HOUSEHOLD, "brother"),
    ),
    "email",
    "school_nurse",
    ("young-carer", "neglect", "parental-mental-ill-health"),
    concern_details="Parisa came to my drop-in with a burn on her right forearm, about 4 cm long, which she said she got from "
    "the frying pan cooking tea for her brothers. It had not been treated. She has missed six of the last ten school days. "
    "She told me the early help worker 'stopped coming' and that her mum 'doesn't get out of bed now'.",
    concern_when="The burn is two or three days old; the absences are over the last two weeks.",
    concern_how_known="Seen by me at the school nurse drop-in.",
    complicating_factors="Parisa was referred to the MASH six weeks ago as a young carer. Mother has depression and speaks "
    "Dari; father works late.",
    impact_on_child="Parisa is hurt, exhausted and falling behind; she is doing the cooking and childcare for the household.",
    child_voice="'It's fine, it was my fault, I was rushing.'",
    strengths_and_safety="Parisa came to the drop-in herself and let me dress the burn.",
    safety_scale=4,
    referrer_wants="Someone to look again at what is happening at home.",
    child_whereabouts="In school.",
    state=TRIAGED,
    consent_notes="Farid Ahmadzai agreed to checks by phone (Dari interpreter).",
    triage=(
        3,
        "AMBER",
        "Second contact in six weeks: young carer now with an untreated burn and falling attendance; early help appears to "
        "have stopped. Partner checks, updating the previous Stage 2.",
        (),
    ),
)

ADEYEMI = ContactSpec(
    "adeyemi-assault",
    "adeyemi.daniel",
    (
        ("adeyemi.folake", HOUSEHOLD, "mother"),
        ("adeyemi.grace", HOUSEHOLD, "sister"),
        ("adeyemi.tunde", SIGNIFICANT, "father"),
    ),
    "police_notification",
    "police_marsh",
    ("domestic-abuse",),
    contact_type="police_notification",
    concern_details="Officers attended Flat 12, Harbour Court at 01:15 after a neighbour reported screaming. Folake Adeyemi, "
    "who is 28 weeks pregnant, had a cut lip and a red mark on her upper arm; she said Babatunde (Tunde) pushed her into the "
    "door frame during an argument. Tunde was arrested for assault by beating. Daniel (5) and Grace (2) were in their "
    "bedroom; Daniel was awake and crying.",
    concern_when="01:15 on the night of the notification.",
    concern_how_known="Officers attended and spoke to Folake and Daniel.",
    complicating_factors="Folake is 28 weeks pregnant. Tunde has been bailed away from the address until the court hearing.",
    impact_on_child="Daniel heard the assault and was frightened; Grace and the unborn baby are in a household where a "
    "pregnant mother has been assaulted.",
    child_voice="Daniel to the officer: 'Daddy was shouting and Mummy fell.'",
    strengths_and_safety="Folake called her sister, who has come to stay. Folake is talking to the police and wants support.",
    safety_scale=4,
    what_needs_to_change="Folake and the children safe from Tunde's violence, including after the court hearing.",
    if_nothing_changes="Further assaults, with the children present, and harm to the unborn baby.",
    referrer_wants="An assessment and a referral to the IDVA service.",
    child_whereabouts="At home with mother and maternal aunt.",
    state=TRIAGED,
    consent_notes="Folake Adeyemi agreed to police sharing the notification with the MASH.",
    triage=(
        3,
        "AMBER",
        "Domestic abuse against a pregnant mother with two young children in the home; father bailed away from the address. "
        "Partner checks before deciding on an assessment.",
        (),
    ),
)

ADEYEMI_ROUND = Round(
    Outcome.S17_ASSESSMENT,
    "Assault on a pregnant mother, the third police call to the address in six months, with two children under six at home. "
    "Police information considered inside the MASH. Folake is engaging and Tunde is on bail conditions, but the risk "
    "returns when the conditions end.",
    "Section 17 single assessment by First Response Team North, including a pre-birth assessment and safety planning with "
    "Folake; IDVA referral; police to tell the team of any breach of bail conditions.",
    team="First Response Team North",
)

AHMADZAI_ROUND = Round(
    Outcome.EARLY_HELP,
    "Parisa is a young carer for a mother with depression and post-traumatic stress. Police hold nothing of concern. No "
    "indication of significant harm; the family need support.",
    "Step down to the Early Help Hub for an early help assessment, including a young carer's assessment for Parisa; GP to "
    "review Zarghuna's treatment; a female Dari interpreter for all work with the family.",
    team="Early Help Hub",
)

FAMILIES_USED = ("asante", "kelly", "stoica", "jones", "miah", "ahmadzai", "adeyemi")

# ---------------------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    new_contacts: int
    requests: int
    contacts: list[tuple[str, str]]  # (reference, what it shows)

    def line(self) -> str:
        shown = "; ".join(f"{reference} {what}" for reference, what in self.contacts)
        return f"Stage 2: {self.requests} information requests, with {self.new_contacts} more contacts. {shown}."


class Stage2:
    def __init__(self, users: DemoUsers, now: datetime) -> None:
        self.users = users
        self.now = now
        self.clock = Clock(now)
        self.calendar = self.clock.calendar
        self.chase_interval = require_partnership().timescale("chase")
        self.bases = {basis.code: basis for basis in LawfulBasis.objects.all()}
        self.rags = {rag.code.upper(): rag for rag in RagRating.objects.all()}
        self.levels = {level.level: level for level in LevelOfNeed.objects.all()}
        agencies = {agency.kind: agency for agency in Agency.objects.filter(is_mash_partner=True)}
        self.police = agencies[AgencyKind.POLICE]
        self.health = agencies[AgencyKind.HEALTH]
        self.education = agencies[AgencyKind.EDUCATION]
        self.probation = agencies[AgencyKind.PROBATION]
        self.substance_misuse = agencies[AgencyKind.SUBSTANCE_MISUSE]
        self.ctx = history.Context(
            users=users,
            index=self._index(),
            rng=random.Random(SEED),
            now=now,
            levels=self.levels,
            rags=self.rags,
            triggers={trigger.code: trigger for trigger in UrgentTrigger.objects.all()},
            categories={category.code: category for category in ConcernCategory.objects.all()},
            teams={team.name: team for team in Team.objects.all()},
            calendar=self.calendar,
        )
        self.shown: list[tuple[str, str]] = []

    # -- people and contacts ------------------------------------------------------------

    @staticmethod
    def _index() -> history.Index:
        """The people history created, by the same keys (the earliest record of each name is the original)."""
        index = history.Index()
        for family in history.FAMILIES:
            if family.key not in FAMILIES_USED:
                continue
            for member in family.members:
                person = (
                    Person.objects.filter(forenames=member.forenames, surname=member.surname or family.surname)
                    .order_by("pk")
                    .first()
                )
                if person is None:
                    raise RuntimeError(f"The demo history has no {member.forenames} {member.surname or family.surname}.")
                index.people[f"{family.key}.{member.key}"] = person
        return index

    @staticmethod
    def _history_contact(forenames: str, surname: str) -> Contact:
        """One of the contacts history left at 'triaged', found by its subject child."""
        contact = (
            Contact.objects.filter(
                status=TRIAGED,
                people__role=ContactPerson.Role.SUBJECT_CHILD,
                people__person__forenames=forenames,
                people__person__surname=surname,
            )
            .order_by("reference")
            .first()
        )
        if contact is None:
            raise RuntimeError(f"The demo history has no triaged contact about {forenames} {surname}.")
        return contact

    def _record(self, spec: ContactSpec, *, triage_by: datetime | None = None) -> Contact:
        """Record, link and triage a contact through the services, triaged no later than `triage_by`."""
        if triage_by is not None:
            steps = history._expand_steps(spec)
            received, first_fit = None, None
            for tries in range(1, 400):
                candidate = self.clock.last_working_moment(triage_by - tries * 30 * MINUTE).replace(second=0, microsecond=0)
                triaged = history._times(candidate, steps, self.now, self.calendar)[-1][1]
                if triaged > triage_by:
                    continue
                if self.calendar.is_working_moment(triaged):  # prefer a contact triaged while the MASH is open
                    received = candidate
                    break
                first_fit = first_fit or candidate
            received = received or first_fit
            if received is None:
                raise RuntimeError(f"No time to record and triage {spec.key} before {triage_by}.")
            # A second's margin so history's rounding to the minute lands on `received`.
            spec = replace(spec, hours_ago=((self.now - received).total_seconds() - 1) / 3600)
        return history.run_contact(spec, self.ctx)

    @staticmethod
    def _triaged_at(contact: Contact) -> datetime:
        change = contact.rating_changes.order_by("changed_at", "id").first()
        assert change is not None
        return change.changed_at

    # -- services, back-dated -----------------------------------------------------------

    def at(self, contact: Contact, when: datetime, call: Callable[[], T]) -> T:
        since = timezone.now()
        result = call()
        _stamp(contact, when, since)
        return result

    def bases_for(self, *codes: str) -> list[LawfulBasis]:
        return [self.bases[code] for code in codes]

    def send(
        self,
        contact: Contact,
        when: datetime,
        questions: dict[Agency, str],
        concern_summary: str,
        bases: Sequence[str],
        not_asked: Sequence[tuple[Agency, str]] = (),
    ) -> dict[str, InformationRequest]:
        """The decision maker sends the requests at `when`; each falls due by the RAG timescale from then."""
        made = self.at(
            contact,
            when,
            lambda: sharing.send_requests(
                contact,
                self.users.decision_maker,
                specs=[RequestSpec(agency, question) for agency, question in questions.items()],
                concern_summary=concern_summary,
                bases=self.bases_for(*bases),
                not_asked=not_asked,
            ),
        )
        contact.refresh_from_db()
        due = sharing.request_deadline(contact, when)
        requests = {}
        for info_request in made:
            InformationRequest.objects.filter(pk=info_request.pk).update(due_at=due)
            self._retell_due(info_request, RequestNotice.Kind.NEW, info_request.due_at, due)
            requests[info_request.agency.kind] = _fresh(info_request)
        return requests

    @staticmethod
    def _retell_due(info_request: InformationRequest, kind: str, told: datetime, due: datetime) -> None:
        """The notice named the deadline worked out from the load time: name the back-dated one."""
        for notice in RequestNotice.objects.filter(request=info_request, kind=kind):
            RequestNotice.objects.filter(pk=notice.pk).update(
                message=notice.message.replace(sharing._format_due(told), sharing._format_due(due))
            )

    def open_request(self, info_request: InformationRequest, user: Any, when: datetime) -> None:
        self.at(info_request.contact, when, lambda: sharing.view_request(user, _fresh(info_request)))

    def answer(
        self,
        info_request: InformationRequest,
        user: Any,
        when: datetime,
        *,
        items: Sequence[ItemInput] = (),
        analysis: str = "",
        recommendation: str = "",
        nothing_held: bool = False,
        submit: bool = True,
    ) -> AgencyResponse:
        return self.at(
            info_request.contact,
            when,
            lambda: sharing.save_response(
                _fresh(info_request),
                user,
                items=items,
                analysis=analysis,
                recommendation=recommendation,
                nothing_held=nothing_held,
                submit=submit,
            ),
        )

    def chase(self, info_request: InformationRequest, actor: Any, when: datetime) -> None:
        """A chase at `when`: by the scheduled task when `actor` is None, else by that person."""
        self.at(info_request.contact, when, lambda: sharing.chase(_fresh(info_request), actor))
        InformationRequest.objects.filter(pk=info_request.pk).update(next_chase_at=self.calendar.add(when, self.chase_interval))

    def raise_rating(self, contact: Contact, when: datetime, *, level: int, rag: str, reason: str) -> None:
        """The manager raises the rating at `when`: open requests come forward to the new timescale from then."""
        contact.refresh_from_db()
        previous = contact.rag_rating
        outcome_due = contact.outcome_due_at
        before = {r.pk: r.due_at for r in contact.information_requests.open()}
        new = self.rags[rag]
        self.at(
            contact,
            when,
            lambda: triage_services.change_rating(contact, self.users.manager, level=self.levels[level], rag=new, reason=reason),
        )
        candidate = deadline(when, new.sharing_timescale(), self.calendar)
        outcome = self.calendar.add(when, new.outcome_timescale())
        Contact.objects.filter(pk=contact.pk).update(outcome_due_at=min(outcome, outcome_due) if outcome_due else outcome)
        for pk, was in before.items():
            due = min(was, candidate)
            InformationRequest.objects.filter(pk=pk).update(due_at=due, next_chase_at=None)
            # The same words tighten_deadlines uses, with the deadline as it was at `when`.
            if due < was:
                message = (
                    f"{contact.reference} raised from {previous} to {new}: please expedite. "
                    f"Now due by {sharing._format_due(due)} (was {sharing._format_due(was)})."
                )
            else:
                message = (
                    f"{contact.reference} raised from {previous} to {new}: please expedite. "
                    f"Your deadline stays {sharing._format_due(was)}, already sooner."
                )
            RequestNotice.objects.filter(request_id=pk, kind=RequestNotice.Kind.DEADLINE_TIGHTENED).update(message=message)

    def decide(self, contact: Contact, round_: Round, recommended_at: datetime, signed_off_at: datetime, *, comment: str) -> None:
        """The decision maker recommends and a manager signs off: the pack goes to the receiving team."""
        team = self.ctx.teams[round_.team] if round_.team else None
        self.at(
            contact,
            recommended_at,
            lambda: decisions.recommend(
                contact,
                self.users.decision_maker,
                analysis=round_.analysis,
                outcome=round_.outcome,
                rationale=round_.rationale,
                receiving_team=team,
            ),
        )
        self.at(contact, signed_off_at, lambda: decisions.sign_off(contact, self.users.manager, comment=comment))

    def recently(self, minutes: int) -> datetime:
        """A moment `minutes` of working time ago (before the MASH last closed, out of hours)."""
        return self.clock.back(self.now, minutes)

    def show(self, contact: Contact, what: str) -> None:
        self.shown.append((contact.reference, what))

    # -- the scenarios ------------------------------------------------------------------

    def load(self) -> Summary:
        requests, contacts = InformationRequest.objects.count(), Contact.objects.count()
        self.just_sent()
        self.police_answered()
        self.overdue_and_chased()
        self.escalation_waiting()
        self.escalation_raised_to_red()
        self.consent_overridden()
        self.consent_question_for_manager()
        self.repeat_contact()
        self.transferred_with_redactions()
        return Summary(
            new_contacts=Contact.objects.count() - contacts,
            requests=InformationRequest.objects.count() - requests,
            contacts=self.shown,
        )

    def just_sent(self) -> None:
        """1. Ellie-Mae Harper (RED): consent not sought, override recorded, requests just sent."""
        contact = self._history_contact("Ellie-Mae", "Harper")
        triaged = self._triaged_at(contact)
        sent = max(triaged + 12 * MINUTE, self.now - 18 * MINUTE)
        overridden = max(triaged + 5 * MINUTE, sent - 7 * MINUTE)
        if sent > self.now - 2 * MINUTE:
            overridden, sent = (triaged + (self.now - triaged) * fraction for fraction in (0.4, 0.7))
        self.at(
            contact,
            overridden,
            lambda: sharing.override_consent(
                contact,
                self.users.manager,
                bases=self.bases_for("ca-1989-s47", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
                rationale="Ellie-Mae (7) has disclosed that her mother's partner, Craig Dobson, hit her with a belt, and marks "
                "were seen. Craig lives at the home. Asking Leanne for consent before the strategy discussion would alert "
                "Craig and could put Ellie-Mae at greater risk, or under pressure to take back what she said. Police, health "
                "and education checks are necessary for the section 47 enquiry; each agency is given only what it needs to "
                "search its records. Leanne will be told what has been shared once the strategy discussion has agreed a plan.",
            ),
        )
        self.send(
            contact,
            sent,
            {
                self.police: "Please check for any domestic abuse or other incidents at 23 Foxglove Crescent, and any "
                "convictions, cautions, intelligence or bail conditions for Craig Dobson (34). We expect to hold a strategy "
                "discussion today and would like you to take part.",
                self.health: "Please check GP, school nursing and emergency department records for Ellie-Mae and Connor: "
                "injuries, attendances, the enuresis referral and anything that worries you. Anything known about Craig "
                "Dobson's or Leanne Harper's health that affects their care of the children.",
                self.education: "Please check attendance, exclusions and any safeguarding records for Ellie-Mae and Connor, "
                "including earlier marks or comments about home.",
            },
            "Ellie-Mae Harper (7) told her teacher this morning that her mother's partner, Craig Dobson, hit her with a belt "
            "because she wet the bed; three red linear marks were seen on the back of her left thigh. She is scared to go "
            "home. RED: strategy discussion expected today.",
            ("ca-1989-s47", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
            not_asked=[
                (
                    self.probation,
                    "Nothing suggests either adult is known to probation. Police checks will show any conviction; if they do, "
                    "probation will be asked straight away.",
                )
            ],
        )
        self.show(contact, "(RED) requests to police, health and education just sent")

    def police_answered(self) -> None:
        """2. Oliwia Nowak (AMBER): police answered, health waiting on the health visitor, education nothing held."""
        contact = self._history_contact("Oliwia", "Nowak")
        triaged = self._triaged_at(contact)
        (
            sent,
            police_opened,
            education_opened,
            health_opened,
            education_answered,
            enquiry_made,
            enquiry_recorded,
            health_draft,
            police_answered,
        ) = self.clock.plan(
            [20, 15, 10, 20, 15, 10, 10, 90],
            last_at=self.recently(25),
            not_before=triaged,
        )
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please check Gary Lyons ('Gaz', mother's new partner, staying at the flat) for convictions, "
                "cautions, bail conditions and any domestic abuse history, and for any other calls to 40 Station Road.",
                self.health: "Please check GP and health visiting records for Katarzyna Nowak (alcohol use, mental health) "
                "and for Oliwia and Kacper: development, missed appointments, injuries or attendances.",
                self.education: "Please check attendance and any safeguarding records for Oliwia (Brackenford Primary "
                "School) and Kacper.",
            },
            "Police attended Flat 2, 40 Station Road late at night after a neighbour heard children crying. Mother "
            "(Katarzyna Nowak) was heavily intoxicated and asleep; Oliwia (7) had made toast for Kacper (4). A man at the "
            "flat, Gary Lyons ('Gaz'), said he was mother's new partner. A family friend collected the children.",
            ("ca-1989-s17", "ca-2004-s11", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        police, health, education = requests[AgencyKind.POLICE], requests[AgencyKind.HEALTH], requests[AgencyKind.EDUCATION]
        self.open_request(police, self.users.police, police_opened)
        self.open_request(education, self.users.education, education_opened)
        self.open_request(health, self.users.health, health_opened)
        self.answer(
            education,
            self.users.education,
            education_answered,
            nothing_held=True,
            analysis="No safeguarding records or concerns held by Education Safeguarding for Oliwia or Kacper.",
        )
        self.at(
            contact,
            enquiry_recorded,
            lambda: sharing.record_pending_enquiry(
                _fresh(health),
                self.users.health,
                requested_at=enquiry_made,
                from_name="Joanne Pritchard",
                from_designation="Health visitor (specialist community public health nurse)",
                from_service="Brackenford 0-19 Health Visiting Team",
                about="Kacper's last development review, any concerns from home visits, and whether a new partner has "
                "been seen at the home.",
            ),
        )
        self.answer(
            health,
            self.users.health,
            health_draft,
            submit=False,
            items=[
                ItemInput(
                    "Katarzyna Nowak was seen by her GP at Riverside Medical Practice for low mood and drinking; she was "
                    "referred to Pathways Substance Misuse Service and did not attend the first two appointments.",
                    ItemKind.FACT,
                    source="GP record, Riverside Medical Practice",
                )
            ],
            analysis="Waiting for the health visitor before completing this.",
        )
        today = timezone.localdate(self.now)
        self.answer(
            police,
            self.users.police,
            police_answered,
            items=[
                ItemInput(
                    "Intelligence reports frequent short visits to Flat 2, 40 Station Road, mostly late in the evening, "
                    "suggesting possible drug dealing from the address. This is part of a live operation: do not disclose "
                    "to the family or outside the MASH.",
                    ItemKind.UNVERIFIED,
                    source="Police intelligence system",
                    is_sensitive=True,
                    sensitive_holder="DS Kate Whitfield, public protection unit, Demoshire Constabulary (MASH police desk, "
                    "01632 960300)",
                ),
                ItemInput(
                    "The family friend who collected the children told officers that Kasia 'has been drinking every day "
                    "since Christmas' and that Gary 'stays most nights'. Not confirmed by anyone else.",
                    ItemKind.UNVERIFIED,
                    source="Officers' notes of the attendance (PC 3362 Chauhan)",
                ),
                ItemInput(
                    f"Gary Lyons (33): convicted in {today.year - 7} of possession with intent to supply a Class B drug "
                    f"(12 months suspended) and in {today.year - 10} of common assault on a former partner. No current bail "
                    "conditions. No record of harm to children.",
                    ItemKind.FACT,
                    source="Police National Computer",
                    recorded_on=date(today.year - 7, 6, 12),
                ),
            ],
            analysis="Gary Lyons has a history of violence towards a former partner and of supplying drugs, and he is now "
            "staying where Oliwia (7) and Kacper (4) live, while their mother is drinking to the point where she cannot care "
            "for them. The risk to the children is from domestic abuse, from drug-related activity and associates at the "
            "home, and from neglect when Kasia is intoxicated. Nothing we hold suggests Gary has harmed a child.",
            recommendation="Police support a section 17 assessment. Police will consider a disclosure to Katarzyna under "
            "the Domestic Violence Disclosure Scheme (Clare's Law) and ask neighbourhood officers to make welfare visits.",
        )
        self.show(contact, "police answered with a sensitive item, health waiting on the health visitor, education nothing held")

    def overdue_and_chased(self) -> None:
        """3. Yaw Asante (AMBER): health and education overdue, chased by the scheduled task and by the decision maker."""
        rag = self.rags["AMBER"]
        due_by = self.now - 45 * MINUTE
        sent = self.clock.latest_start_due_by(rag.sharing_timescale(), due_by)
        contact = self._record(ASANTE, triage_by=sent - 25 * MINUTE)
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please share what you hold on Kofi Asante (16) and the older youths he was with, any "
                "exploitation or county lines intelligence, and any earlier incidents involving Yaw.",
                self.health: "Please check GP and school nursing records for Yaw and Kofi: injuries, attendances and any "
                "concerns about their care or emotional health.",
                self.education: "Please share attendance, behaviour and any safeguarding records for Yaw and Kofi, including "
                "missing sessions, changes in friendships or unexplained money or phones.",
            },
            "Police found Yaw Asante (9) late at night in an underpass with his brother Kofi (16) and two older youths; Kofi "
            "had a large amount of cash and two phones. Parents were working nights. Kofi was assessed last year for "
            "criminal exploitation.",
            ("ca-1989-s17", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        police, health, education = requests[AgencyKind.POLICE], requests[AgencyKind.HEALTH], requests[AgencyKind.EDUCATION]
        police_opened, health_opened, police_answered = self.clock.forward(sent, [20, 40, 90], police.due_at)[1:]
        self.open_request(police, self.users.police, police_opened)
        self.open_request(health, self.users.health, health_opened)
        self.answer(
            police,
            self.users.police,
            police_answered,
            items=[
                ItemInput(
                    "Kofi Asante was stopped with two older males in Demotown eight months ago; one of them is linked to "
                    "a drug supply line run from outside Demoshire. Kofi was referred to the youth justice prevention "
                    "programme.",
                    ItemKind.FACT,
                    source="Police stop and search record",
                ),
                ItemInput(
                    "One of the youths in the underpass gave his name as 'Jermaine Ross', 17; the name does not match "
                    "anyone on police systems and may be false.",
                    ItemKind.UNVERIFIED,
                    source="Officers' notes (PC 1097 Sutcliffe)",
                ),
            ],
            analysis="Kofi is still in contact with people linked to drug supply, and he is now taking Yaw with him late at "
            "night. Yaw is at risk of being used by the same group.",
            recommendation="Police recommend a section 17 assessment for both boys with an exploitation risk assessment, "
            "and will refer Kofi and Yaw to the exploitation panel.",
        )
        due = police.due_at
        self.chase(health, None, due + 5 * MINUTE)
        self.chase(education, None, due + 5 * MINUTE)
        self.chase(education, self.users.decision_maker, due + 35 * MINUTE)
        self.show(contact, "overdue: health chased automatically, education also chased by the decision maker")

    def escalation_waiting(self) -> None:
        """4a. Harley Kelly (AMBER): health escalated heightened risk; the manager's alert is open."""
        sent, health_opened, education_opened, escalated = self.clock.plan([25, 30, 40], last_at=self.recently(15))
        contact = self._record(KELLY, triage_by=sent - 30 * MINUTE)
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please check for any domestic abuse or other incidents involving Stacey Kelly or Jordan Price, "
                "and any calls to 36 Bluebell Road.",
                self.health: "Please check GP, health visiting and hospital records for Harley, Lily-Rose and Mason, and "
                "anything known about Stacey's drinking or mental health.",
                self.education: "Please share Mason's attendance and any safeguarding records, and anything Lily-Rose's "
                "nursery has raised.",
            },
            "A health visitor found Harley Kelly (8 months) in poor basic care at home, with signs that his mother, Stacey, "
            "is drinking and not coping. Mason (5) was at home on a school day; Lily-Rose (3) had a bruise to her forehead "
            "with an explanation of a fall.",
            ("ca-1989-s17", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        health, education = requests[AgencyKind.HEALTH], requests[AgencyKind.EDUCATION]
        self.open_request(health, self.users.health, health_opened)
        self.open_request(education, self.users.education, education_opened)
        self.at(
            contact,
            escalated,
            lambda: sharing.escalate(
                _fresh(health),
                self.users.health,
                concern="The night after the health visitor's visit, Stacey brought Harley to the emergency department at "
                "Demoshire General Hospital at 23:50 with a swelling to the back of his head after 'rolling off the "
                "changing mat'. Triage notes say Stacey smelled strongly of alcohol. She took Harley home at 02:30 before "
                "the paediatric review. A head injury in a baby who is not yet crawling, with an unclear account and "
                "self-discharge: we think Harley needs to be seen by a paediatrician today.",
                phoned_manager=True,
            ),
        )
        self.show(contact, "health escalation waiting for the manager")

    def escalation_raised_to_red(self) -> None:
        """4b. Denisa Stoica: police escalated, the manager responded and raised the rating to RED."""
        red = self.rags["RED"]
        raised_at = self.recently(50)
        earliest = self.clock.earliest_start_due_after(
            red.sharing_timescale(), self.now + 20 * MINUTE, raised_at - timedelta(days=7)
        )
        raised_at = max(raised_at, earliest)
        sent, police_opened, health_opened, escalated, police_answered, responded, raised_at = self.clock.plan(
            [15, 30, 35, 40, 15, 5], last_at=raised_at
        )
        contact = self._record(STOICA, triage_by=sent - 40 * MINUTE)
        self.at(
            contact,
            sent - 10 * MINUTE,
            lambda: sharing.override_consent(
                contact,
                self.users.manager,
                bases=self.bases_for("ca-1989-s47", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
                rationale="Consent not sought because asking the parents would alert Marian and could increase the risk to "
                "Daniela and the children. Denisa describes a serious assault on her mother with the children in the home: "
                "checks with police, health, education and probation are necessary to judge the risk today.",
            ),
        )
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please share any domestic abuse incidents at 118 Victoria Street, DASH risk assessments, "
                "MARAC involvement, and any convictions or bail conditions for Marian Stoica.",
                self.health: "Please check GP, health visiting and maternity records for Daniela Stoica and the children "
                "for injuries, disclosures of abuse or routine enquiry answers.",
                self.education: "Please share attendance and safeguarding records for Denisa, Gabriel and Bianca (nursery).",
                self.probation: "Is Marian Stoica known to probation, now or in the past (including pre-sentence reports "
                "or licence conditions)?",
            },
            "Denisa Stoica (11) told school that her father, Marian, grabbed her mother by the neck and pushed her against "
            "the fridge, and that this has happened before. Three children in the home (11, 7 and 2).",
            ("ca-1989-s47", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        police, health = requests[AgencyKind.POLICE], requests[AgencyKind.HEALTH]
        self.open_request(police, self.users.police, police_opened)
        self.open_request(health, self.users.health, health_opened)
        escalation = self.at(
            contact,
            escalated,
            lambda: sharing.escalate(
                _fresh(police),
                self.users.police,
                concern="Three weeks ago Daniela reported that Marian put his hands round her throat during an argument; she "
                "withdrew her statement the next day. The DASH risk assessment was high risk and a MARAC referral was made. "
                "What Denisa describes is a second attempt at strangulation. Non-fatal strangulation is a recognised "
                "warning sign of domestic homicide. Marian is still living at the address.",
                phoned_manager=True,
            ),
        )
        self.answer(
            police,
            self.users.police,
            police_answered,
            items=[
                ItemInput(
                    "Daniela Stoica reported that Marian Stoica put his hands round her throat during an argument at home. "
                    "She withdrew her statement the next day; no further action. DASH risk assessment: high risk. Referred "
                    "to MARAC; the case is listed for the next meeting.",
                    ItemKind.FACT,
                    source="Police domestic abuse record",
                    recorded_on=timezone.localdate(self.now) - timedelta(days=21),
                ),
                ItemInput(
                    "Two earlier calls to 118 Victoria Street about shouting (neighbours), one of them in the last three "
                    "months; no offences disclosed.",
                    ItemKind.FACT,
                    source="Police command and control logs",
                ),
            ],
            analysis="Escalating domestic abuse with two reports of strangulation, a high-risk DASH and three children in the "
            "home who have witnessed it. Daniela is isolated and withdrew her last statement.",
            recommendation="Strategy discussion today; police will seek a Domestic Violence Protection Notice if Daniela "
            "agrees, and will attend the strategy discussion.",
        )
        self.at(
            contact,
            responded,
            lambda: sharing.respond_to_escalation(
                Escalation.objects.get(pk=escalation.pk),
                self.users.manager,
                action_taken="Spoke to DS Whitfield. Rating raised to RED (level 4) so every agency expedites. Strategy "
                "discussion convened for this afternoon with police, health and the school; IDVA service asked to contact "
                "Daniela safely today; Denisa, Gabriel and Bianca to be seen at school and nursery before home time.",
            ),
        )
        self.raise_rating(
            contact,
            raised_at,
            level=4,
            rag="RED",
            reason="Police escalation: earlier non-fatal strangulation with a high-risk DASH, and a further assault described "
            "by Denisa. Strategy discussion today; all agencies to expedite.",
        )
        self.show(contact, "escalation answered, raised to RED, deadlines brought forward")

    def consent_overridden(self) -> None:
        """5a. Poppy Jones: consent refused; the manager recorded an override, then requests went out."""
        overridden, sent, police_opened = self.clock.plan([10, 40], last_at=self.recently(35))
        contact = self._record(JONES, triage_by=overridden - 25 * MINUTE)
        bases = ("ca-1989-s47", "dpa-2018-sch1-para18", "uk-gdpr-6-1-e")
        self.at(
            contact,
            overridden,
            lambda: sharing.override_consent(
                contact,
                self.users.manager,
                bases=self.bases_for(*bases),
                rationale="Patricia Jones refused consent when the school rang her. Poppy's account suggests that Jade Jones, "
                "whose drug use led to the children's child protection plans, is staying at the home, and a used needle "
                "was found in the bathroom the children use. There is reasonable cause to suspect that Logan and Poppy "
                "are likely to suffer significant harm, so police, health and education checks are necessary and "
                "proportionate under section 47. Patricia's refusal is itself a concern: she may be protecting Jade. "
                "Sharing is limited to these three agencies and to what they need to search their records. The decision "
                "maker will tell Patricia today that checks are being made and why, unless police advise that this would "
                "put the children at risk.",
            ),
        )
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please check Jade Jones (26) for recent drug-related incidents, arrests, warrants or "
                "intelligence, and any calls to 3 Hawthorn Cottages.",
                self.health: "Please check whether Jade Jones is in drug treatment or has had recent hospital attendances, "
                "and the children's GP and school nursing records.",
                self.education: "Please share Logan's and Poppy's attendance and any recent safeguarding records.",
            },
            "Poppy Jones (9) told her teacher that her mother, Jade, has been staying at her grandmother's home, where Poppy "
            "and her brother live under a special guardianship order, and that she found a needle on the bathroom floor. "
            "The special guardian refused consent; a MASH manager has agreed sharing without consent.",
            bases,
            not_asked=[
                (
                    self.substance_misuse,
                    "Not yet: asking Pathways would tell them about the children before we know whether Jade is using. "
                    "We will ask if police or health confirm she is.",
                )
            ],
        )
        self.open_request(requests[AgencyKind.POLICE], self.users.police, police_opened)
        self.show(contact, "consent refused, manager's override recorded, requests sent")

    def consent_question_for_manager(self) -> None:
        """5b. Nusrat Miah: consent refused; the decision maker has asked a manager to decide."""
        reviewed, asked = self.clock.plan([20], last_at=self.recently(70))
        contact = self._record(MIAH, triage_by=reviewed - 30 * MINUTE)
        self.at(
            contact,
            reviewed,
            lambda: sharing.update_consent(
                contact,
                self.users.decision_maker,
                parents_aware="yes",
                child_aware="no",
                consent=Consent.REFUSED,
                notes="Rang the family with a Sylheti interpreter to ask Rahima. Abdul answered and said the family will "
                "not agree to any checks; he would not let me speak to Rahima.",
            ),
        )
        self.at(
            contact,
            asked,
            lambda: sharing.ask_manager_about_consent(
                contact,
                self.users.decision_maker,
                note="Father has refused twice and I could not speak to mother alone, which worries me. Nusrat's comment "
                "suggests possible domestic abuse. I think police and health checks are justified without consent, but "
                "the threshold is finely balanced.",
            ),
        )
        self.show(contact, "consent refused, manager asked to decide (no requests yet)")

    def repeat_contact(self) -> None:
        """6. Parisa Ahmadzai: a Stage 2 six weeks ago (police and health answered), and a new contact updating it."""
        earlier = self._record(AHMADZAI_EARLIER)
        (
            sent,
            police_opened,
            health_opened,
            police_answered,
            health_answered,
            recommended,
            signed_off,
            letter_sent,
        ) = self.clock.forward(self._triaged_at(earlier), [30, 25, 20, 120, 150, 240, 50, 100], self.now - timedelta(days=30))[1:]
        requests = self.send(
            earlier,
            sent,
            {
                self.police: "Please share anything you hold about the household at Flat 6, Meridian House, including any "
                "domestic abuse or incidents involving the children.",
                self.health: "Please check GP records for Zarghuna Ahmadzai's physical and mental health and any support "
                "she receives, and the children's health records.",
            },
            "Parisa Ahmadzai (12) told a youth worker she is missing school to look after her mother, who 'can't get up', "
            "and her younger brother. Mother speaks Dari.",
            ("ca-1989-s17", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        police, health = requests[AgencyKind.POLICE], requests[AgencyKind.HEALTH]
        self.open_request(police, self.users.police, police_opened)
        self.open_request(health, self.users.health, health_opened)
        self.answer(
            police,
            self.users.police,
            police_answered,
            items=[
                ItemInput(
                    "No incidents of concern recorded for the household. Omid Ahmadzai (then 14) reported being robbed of "
                    "his phone in Demotown town centre; no suspects were identified.",
                    ItemKind.FACT,
                    source="Police crime and incident records",
                )
            ],
            analysis="Nothing we hold suggests a risk of harm at home.",
            recommendation="No police role; support through early help.",
        )
        self.answer(
            health,
            self.users.health,
            health_answered,
            items=[
                ItemInput(
                    "Zarghuna Ahmadzai is treated by her GP for depression and post-traumatic stress. She was referred to "
                    "Talking Therapies with a Dari interpreter and missed two appointments.",
                    ItemKind.FACT,
                    source="GP record, Market Street Medical Centre",
                ),
                ItemInput(
                    "The practice nurse thinks Zarghuna is very isolated and would engage better with a female interpreter.",
                    ItemKind.OPINION,
                    source="Practice nurse, Market Street Medical Centre",
                ),
            ],
            analysis="Zarghuna's depression is affecting her ability to care for the children, and Parisa is filling the gap.",
            recommendation="Early help with a young carer's assessment for Parisa; GP to review Zarghuna's treatment.",
        )
        self.decide(earlier, AHMADZAI_ROUND, recommended, signed_off, comment="Agreed. Female Dari interpreter, please.")
        for letter in OutcomeLetter.objects.filter(contact=earlier, sent_at__isnull=True).order_by("id"):
            self.at(earlier, letter_sent, lambda letter=letter: decisions.mark_letter_sent(letter, self.users.officer, method="email"))

        sent, police_opened, health_opened, health_draft = self.clock.plan([30, 20, 25], last_at=self.recently(10))
        contact = self._record(AHMADZAI_NOW, triage_by=sent - 30 * MINUTE)
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please update what you shared at the last Stage 2: any incidents or calls involving the "
                "household since then.",
                self.health: "Please update what you shared at the last Stage 2: Zarghuna's treatment, whether she is "
                "engaging, and any treatment for Parisa's burn.",
                self.education: "Please share Parisa's and Samir's attendance this term and any safeguarding records.",
            },
            "Parisa Ahmadzai (12), a young carer, has an untreated burn on her forearm from cooking for her brothers and has "
            "missed six of the last ten school days. Her mother, who has depression, 'doesn't get out of bed'.",
            ("ca-1989-s17", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        self.open_request(requests[AgencyKind.POLICE], self.users.police, police_opened)
        self.open_request(requests[AgencyKind.HEALTH], self.users.health, health_opened)
        self.answer(
            requests[AgencyKind.HEALTH],
            self.users.health,
            health_draft,
            submit=False,
            items=[
                ItemInput(
                    "Since the last Stage 2, Zarghuna has not attended Talking Therapies and has not collected her last "
                    "two prescriptions.",
                    ItemKind.FACT,
                    source="GP record, Market Street Medical Centre",
                )
            ],
        )
        self.show(earlier, "(closed) earlier Stage 2 answered by police and health")
        self.show(contact, "repeat contact: requests name the previous Stage 2")

    def transferred_with_redactions(self) -> None:
        """7. Daniel Adeyemi: signed off for a section 17 assessment by First Response Team North."""
        (
            sent,
            police_opened,
            health_opened,
            health_answered,
            police_answered,
            redacted,
            withheld,
            recommended,
            signed_off,
        ) = self.clock.plan([20, 25, 150, 60, 20, 30, 90, 50], last_at=self.recently(120))
        contact = self._record(ADEYEMI, triage_by=sent - 30 * MINUTE)
        requests = self.send(
            contact,
            sent,
            {
                self.police: "Please share previous domestic abuse incidents at Flat 12, Harbour Court, the DASH risk "
                "assessment, bail conditions, and anything else known about Babatunde Adeyemi.",
                self.health: "Please check maternity, health visiting and GP records for Folake, Daniel and Grace, including "
                "any routine enquiry about domestic abuse.",
                self.education: "Please share Daniel's attendance and any safeguarding records from his school.",
            },
            "Babatunde (Tunde) Adeyemi was arrested for assaulting his partner Folake, who is 28 weeks pregnant, at Flat 12, "
            "Harbour Court, with Daniel (5) and Grace (2) in the flat. He is on bail not to return to the address.",
            ("ca-1989-s17", "uk-gdpr-6-1-e", "dpa-2018-sch1-para18"),
        )
        police, health = requests[AgencyKind.POLICE], requests[AgencyKind.HEALTH]
        self.open_request(police, self.users.police, police_opened)
        self.open_request(health, self.users.health, health_opened)
        self.answer(
            health,
            self.users.health,
            health_answered,
            items=[
                ItemInput(
                    "Folake is 28 weeks pregnant and booked with the Oakhurst community midwives. Asked at booking about "
                    "domestic abuse, she said Tunde 'gets angry about money' but denied any violence.",
                    ItemKind.FACT,
                    source="Maternity record",
                ),
                ItemInput(
                    "Daniel and Grace are up to date with their immunisations; Grace's two-year review found her "
                    "development on track.",
                    ItemKind.FACT,
                    source="Child health record",
                ),
                ItemInput(
                    "The midwife is worried that Folake minimises Tunde's behaviour and will let him back after the court "
                    "hearing.",
                    ItemKind.OPINION,
                    source="Community midwife, Oakhurst",
                ),
            ],
            analysis="Domestic abuse in pregnancy raises the risk to Folake and the unborn baby. The children's health needs "
            "are being met.",
            recommendation="Section 17 assessment including a pre-birth assessment; invite the midwife and health visitor to "
            "any planning meeting.",
        )
        self.answer(
            police,
            self.users.police,
            police_answered,
            items=[
                ItemInput(
                    "Babatunde Adeyemi was arrested at 01:40 for assault by beating of Folake Adeyemi, charged, and bailed "
                    "to Demoshire Magistrates' Court with conditions not to contact Folake directly or indirectly and not "
                    "to go to Harbour Court.",
                    ItemKind.FACT,
                    source="Custody record",
                ),
                ItemInput(
                    "Two earlier calls to Flat 12 in the last six months, both about shouting; each time both adults said "
                    "it was a verbal argument and no offences were disclosed. Both calls were made by the neighbour at "
                    "Flat 11, Mrs Gloria Fenton, who asked not to be identified to the family.",
                    ItemKind.FACT,
                    source="Police command and control logs",
                ),
                ItemInput(
                    "Babatunde Adeyemi is a named suspect in a live Economic Crime Unit investigation into invoice fraud. "
                    "Not to be disclosed outside the MASH: disclosure could prejudice the investigation. Nothing suggests "
                    "the investigation involves the children.",
                    ItemKind.FACT,
                    source="Police intelligence system",
                    is_sensitive=True,
                    sensitive_holder="DS Kate Whitfield, public protection unit, Demoshire Constabulary (MASH police desk, "
                    "01632 960300)",
                ),
                ItemInput(
                    "Folake Adeyemi reported the theft of her handbag from a café in Oakhurst two years ago; no suspect was "
                    "identified.",
                    ItemKind.FACT,
                    source="Police crime record",
                ),
            ],
            analysis="A pregnant mother has been assaulted by her partner with two young children in the home, after two "
            "earlier calls about arguments in six months. The risk to the children from domestic abuse is rising; the bail "
            "conditions give a window for safety planning but end at the court hearing.",
            recommendation="Police support a section 17 assessment with safety planning for Folake and a referral to the "
            "IDVA service. A DASH risk assessment has been completed (medium risk) and will be reviewed if anything changes.",
        )
        items = list(InformationItem.objects.filter(response__request=police).order_by("order", "id"))
        earlier_calls, unrelated = items[1], items[3]
        self.at(
            contact,
            redacted,
            lambda: sharing.redact_item(
                InformationItem.objects.get(pk=earlier_calls.pk),
                self.users.police,
                redacted="Two earlier calls to Flat 12 in the last six months, both about shouting; each time both adults "
                "said it was a verbal argument and no offences were disclosed. Both calls were made by [redacted] who "
                "asked not to be identified to the family.",
                reason="The caller fears reprisals. The assessing team needs the pattern of calls, not who made them.",
            ),
        )
        self.at(
            contact,
            withheld,
            lambda: sharing.withhold_item(
                InformationItem.objects.get(pk=unrelated.pk),
                self.users.manager,
                reason="Not relevant to the children's safety, so not necessary or proportionate to pass to the assessing team.",
            ),
        )
        self.decide(
            contact,
            ADEYEMI_ROUND,
            recommended,
            signed_off,
            comment="Agreed. Please allocate today; the assessment must take account of the court date and the bail conditions.",
        )
        self.show(contact, "signed off to First Response Team North with redacted, withheld and sensitive police items")


def load(users: DemoUsers, *, now: datetime | None = None) -> Summary:
    """Add the Stage 2 scenarios to a demo that `history.load` has just built. Call inside a transaction."""
    return Stage2(users, now or timezone.now()).load()
