"""MASH Stage 2: requesting, answering, escalating, chasing, redacting and logging every share.

Plain functions, no HTTP. Each one that changes something writes its audit event and its
sharing-log entry in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mash.audit import services as audit
from mash.core.access import requests_for_agency, visible_contacts
from mash.domain import sharing as rules
from mash.domain.redaction import redaction_problems
from mash.domain.workflow import ContactStatus
from mash.intake.models import Consent, Contact, ContactPerson
from mash.partnership.models import Agency, LawfulBasis, RagRating
from mash.partnership.services import deadline, require_partnership, working_calendar
from mash.workqueue.models import Alert

from .models import (
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
    RequestStatus,
    SharingLogEntry,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.decisions.models import Decision

MASH = "MASH"
MASH_DECISION_MAKERS = "MASH decision makers"

# Stage 2 runs between triage and the recommendation; a challenged recommendation reopens it.
REQUESTABLE_STATUSES = frozenset({ContactStatus.TRIAGED, ContactStatus.CHALLENGED})
# Agencies answer, and redact what they shared, until the outcome is signed off and leaves the MASH.
ANSWERABLE_STATUSES = frozenset({ContactStatus.TRIAGED, ContactStatus.CHALLENGED, ContactStatus.AWAITING_SIGN_OFF})
REDACTABLE_STATUSES = ANSWERABLE_STATUSES


class SharingRefused(Exception):
    """A Stage 2 step that the rules do not allow now; the message says why and what to do."""


# --------------------------------------------------------------------------- helpers


def _log(
    contact: Contact,
    kind: str,
    *,
    shared: bool,
    what: str,
    actor: User | None,
    from_party: str,
    to_party: str,
    why: str = "",
    from_agency: Agency | None = None,
    to_agency: Agency | None = None,
    bases: Iterable[LawfulBasis] = (),
    info_request: InformationRequest | None = None,
    at: datetime | None = None,
) -> SharingLogEntry:
    entry = SharingLogEntry.objects.create(
        contact=contact,
        request=info_request,
        kind=kind,
        shared=shared,
        what=what,
        from_user=actor,
        from_party=from_party,
        to_party=to_party,
        from_agency=from_agency,
        to_agency=to_agency,
        why=why,
        occurred_at=at or timezone.now(),
    )
    bases = list(bases)
    if bases:
        entry.lawful_bases.set(bases)
    return entry


def _notify(info_request: InformationRequest, kind: str, message: str) -> RequestNotice:
    """Tell the agency on its queue, and its duty inbox, without any detail about the child."""
    notice = RequestNotice.objects.create(request=info_request, kind=kind, message=message)
    agency = info_request.agency
    if agency.duty_email:
        send_mail(
            subject=f"MASH information request {info_request.contact.reference}: {notice.get_kind_display()}",
            message=(
                f"{message}\n\nSign in to the MASH to see the request. For the child's safety this e-mail "
                "carries no personal details."
            ),
            from_email=None,
            recipient_list=[agency.duty_email],
            fail_silently=True,
        )
    return notice


def _format_due(due_at: datetime) -> str:
    return timezone.localtime(due_at).strftime("%H:%M on %A %d %B %Y")


def lawful_bases() -> QuerySet[LawfulBasis]:
    return LawfulBasis.objects.filter(is_active=True)


def requestable_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True, is_mash_partner=True).order_by("name")


# --------------------------------------------------------------------------- consent


@dataclass(frozen=True)
class ConsentPosition:
    consent: str
    consent_label: str
    not_sought_reason: str
    parents_aware: str
    child_aware: str
    override: ConsentOverride | None
    sharing_permitted: bool

    @property
    def refused(self) -> bool:
        return self.consent == Consent.REFUSED

    @property
    def override_needed(self) -> bool:
        return not self.sharing_permitted


def consent_position(contact: Contact) -> ConsentPosition:
    """Whether Stage 2 may go ahead, and why: consent given, or a manager's recorded override."""
    last_change = contact.consent_changes.order_by("-changed_at", "-id").first()
    overrides = contact.consent_overrides.order_by("-recorded_at", "-id")
    if last_change is not None:
        overrides = overrides.filter(recorded_at__gte=last_change.changed_at)
    override = overrides.filter(consent_at_the_time=contact.consent).first()
    permitted = not rules.override_needed(contact.consent) or override is not None
    return ConsentPosition(
        consent=contact.consent,
        consent_label=contact.get_consent_display(),
        not_sought_reason=contact.get_consent_not_sought_reason_display() if contact.consent_not_sought_reason else "",
        parents_aware=contact.get_parents_aware_display(),
        child_aware=contact.get_child_aware_display(),
        override=override,
        sharing_permitted=permitted,
    )


def update_consent(
    contact: Contact,
    actor: User,
    *,
    parents_aware: str,
    child_aware: str,
    consent: str,
    consent_not_sought_reason: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> ConsentChange:
    """Consent is reviewed as the work goes (seed 002 App. F); each review is kept."""
    if not actor.has_perm("sharing.review_consent"):
        raise SharingRefused("Your role does not allow you to record consent.")
    if consent == Consent.NOT_SOUGHT and consent_not_sought_reason not in rules.NOT_SOUGHT_REASONS:
        raise SharingRefused("Say which of the three reasons applies when consent was not sought.")
    if consent != Consent.NOT_SOUGHT:
        consent_not_sought_reason = ""
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(
            parents_aware=parents_aware,
            child_aware=child_aware,
            consent=consent,
            consent_not_sought_reason=consent_not_sought_reason,
        )
        contact.refresh_from_db()
        change = ConsentChange.objects.create(
            contact=contact,
            parents_aware=parents_aware,
            child_aware=child_aware,
            consent=consent,
            consent_not_sought_reason=consent_not_sought_reason,
            notes=notes,
            changed_by=actor,
        )
        audit.record(
            actor,
            "consent.recorded",
            contact,
            summary=f"Consent for {contact.reference} recorded as {contact.get_consent_display().lower()}",
            reason=notes,
            request=request,
        )
    return change


def override_consent(
    contact: Contact,
    actor: User,
    *,
    bases: Sequence[LawfulBasis],
    rationale: str,
    request: HttpRequest | None = None,
) -> ConsentOverride:
    """The team manager records why information is shared without consent, and on what basis."""
    if not actor.has_perm("sharing.override_consent"):
        raise SharingRefused("Only a MASH team manager can agree to share without consent.")
    problems = rules.override_problems(contact.consent, contact.consent_not_sought_reason, len(bases), rationale)
    if problems:
        raise SharingRefused(" ".join(problems))
    with transaction.atomic():
        override = ConsentOverride.objects.create(
            contact=contact, consent_at_the_time=contact.consent, rationale=rationale.strip(), recorded_by=actor
        )
        override.lawful_bases.set(bases)
        _log(
            contact,
            SharingLogEntry.Kind.CONSENT_OVERRIDDEN,
            shared=True,
            what=f"Agreement to share information about {contact.reference} without consent ({contact.get_consent_display().lower()})",
            actor=actor,
            from_party=MASH,
            to_party="MASH partner agencies",
            why=rationale.strip(),
            bases=bases,
        )
        Alert.objects.filter(contact=contact, kind=Alert.Kind.CONSENT_OVERRIDE, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=actor
        )
        audit.record(
            actor,
            "consent.overridden",
            contact,
            summary=f"Sharing without consent agreed for {contact.reference}",
            reason=rationale.strip(),
            request=request,
        )
    return override


def open_consent_alert(contact: Contact) -> Alert | None:
    return (
        contact.alerts.filter(kind=Alert.Kind.CONSENT_OVERRIDE, acknowledged_at__isnull=True)
        .select_related("raised_by")
        .order_by("-raised_at")
        .first()
    )


def ask_manager_about_consent(contact: Contact, actor: User, *, note: str = "", request: HttpRequest | None = None) -> Alert:
    if not actor.has_perm("sharing.review_consent"):
        raise SharingRefused("Your role does not allow you to ask for a decision on consent.")
    if consent_position(contact).sharing_permitted:
        raise SharingRefused("Sharing is already permitted: consent was given or a manager has recorded the override.")
    if open_consent_alert(contact) is not None:
        raise SharingRefused("A team manager has already been asked and has not answered yet.")
    with transaction.atomic():
        alert = Alert.objects.create(
            contact=contact,
            kind=Alert.Kind.CONSENT_OVERRIDE,
            message=f"Consent {contact.get_consent_display().lower()}: decide whether to share without consent."
            + (f" {note.strip()}" if note.strip() else ""),
            raised_by=actor,
        )
        audit.record(actor, "consent.override_requested", contact, summary=f"Asked a team manager to decide on sharing without consent for {contact.reference}", request=request)
    return alert


# --------------------------------------------------------------------------- requesting


def may_request(contact: Contact, user: User) -> bool:
    return user.has_perm("sharing.request_information") and ContactStatus(contact.status) in REQUESTABLE_STATUSES


def remaining_agencies(contact: Contact) -> QuerySet[Agency]:
    """Partner agencies not yet asked about this contact (a withdrawn request may be sent again)."""
    asked = contact.information_requests.exclude(status=RequestStatus.WITHDRAWN).values_list("agency_id", flat=True)
    return requestable_agencies().exclude(pk__in=list(asked))


def stage2_actions(contact: Contact, user: User) -> dict[str, bool]:
    """What the Stage 2 pages offer this user now (never re-stated in views or templates)."""
    from mash.intake.services import available_actions

    return {
        "can_request": may_request(contact, user) and remaining_agencies(contact).exists(),
        "can_chase": user.has_perm("sharing.chase_request"),
        "can_withdraw": user.has_perm("sharing.request_information"),
        "can_respond_to_escalations": user.has_perm("sharing.respond_to_escalation"),
        "sees_escalation_detail": user.has_perm("sharing.view_escalation_detail"),
        "can_preview": user.has_perm("sharing.preview_outbound"),
        "can_read_log": user.has_perm("sharing.view_contact_sharing_log"),
        "can_rerate": available_actions(contact, user)["can_rerate"],
    }


def request_deadline(contact: Contact, sent_at: datetime) -> datetime:
    if contact.rag_rating is None:
        raise SharingRefused("Triage the contact first: the RAG rating sets the agencies' deadline.")
    return deadline(sent_at, contact.rag_rating.sharing_timescale())


@dataclass(frozen=True)
class PreviousStage2:
    contact: Contact
    at: datetime
    requests: dict[int, InformationRequest]  # by agency id


def previous_stage2(contact: Contact) -> PreviousStage2 | None:
    """The most recent earlier Stage 2 for any child on this contact (seed 002 §12)."""
    people = contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD, person__isnull=False).values_list("person_id", flat=True)
    earlier = (
        InformationRequest.objects.filter(contact__people__person_id__in=list(people), contact__people__role=ContactPerson.Role.SUBJECT_CHILD)
        .exclude(contact=contact)
        .filter(requested_at__lt=timezone.now())
        .exclude(status=RequestStatus.WITHDRAWN)
        .select_related("contact")
        .order_by("-requested_at")
        .first()
    )
    if earlier is None:
        return None
    previous_contact = earlier.contact
    requests = {r.agency_id: r for r in previous_contact.information_requests.exclude(status=RequestStatus.WITHDRAWN)}
    first_sent = min(r.requested_at for r in requests.values())
    return PreviousStage2(contact=previous_contact, at=first_sent, requests=requests)


@dataclass(frozen=True)
class RequestSpec:
    agency: Agency
    question: str


def send_requests(
    contact: Contact,
    actor: User,
    *,
    specs: Sequence[RequestSpec],
    concern_summary: str,
    bases: Sequence[LawfulBasis],
    not_asked: Sequence[tuple[Agency, str]] = (),
    request: HttpRequest | None = None,
) -> list[InformationRequest]:
    """Send one focused request to each chosen agency, with the lawful basis and the RAG deadline."""
    if not actor.has_perm("sharing.request_information"):
        raise SharingRefused("Only a decision maker or team manager can request information from agencies.")
    contact.refresh_from_db()
    if ContactStatus(contact.status) not in REQUESTABLE_STATUSES:
        raise SharingRefused("Information can be requested only after triage and before the outcome is recommended.")
    if not specs:
        raise SharingRefused("Choose at least one agency to ask.")
    if not bases:
        raise SharingRefused("Select the lawful basis for the request.")
    if not concern_summary.strip():
        raise SharingRefused("Summarise the concern for the agencies.")
    for spec in specs:
        if not spec.question.strip():
            raise SharingRefused(f"Write the question for {spec.agency}.")
        if not spec.agency.is_active or not spec.agency.is_mash_partner:
            raise SharingRefused(f"{spec.agency} does not take part in MASH information sharing.")
    position = consent_position(contact)
    if not position.sharing_permitted:
        raise SharingRefused(
            f"Consent was {position.consent_label.lower()}: a team manager must record the lawful basis and the "
            "rationale for sharing without consent before requests go out."
        )
    remaining = set(remaining_agencies(contact).values_list("pk", flat=True))
    duplicates = [spec.agency.name for spec in specs if spec.agency.pk not in remaining]
    if duplicates:
        raise SharingRefused(f"Already asked: {', '.join(duplicates)}. Chase the open request instead.")
    now = timezone.now()
    due = request_deadline(contact, now)
    previous = previous_stage2(contact)
    override_bases = list(position.override.lawful_bases.all()) if position.override else []
    made = []
    with transaction.atomic():
        for spec in specs:
            info_request = InformationRequest.objects.create(
                contact=contact,
                agency=spec.agency,
                question=spec.question.strip(),
                concern_summary=concern_summary.strip(),
                requested_by=actor,
                requested_at=now,
                due_at=due,
                previous_stage2_at=previous.at if previous else None,
                previous_contact=previous.contact if previous else None,
                previous_request=previous.requests.get(spec.agency.pk) if previous else None,
            )
            info_request.lawful_bases.set(bases)
            AgencyResponse.objects.create(request=info_request)
            repeat = f" Previous Stage 2: {timezone.localtime(previous.at):%d %B %Y}; update what you shared then." if previous else ""
            _notify(
                info_request,
                RequestNotice.Kind.NEW,
                f"New MASH request {contact.reference}, {contact.rag_rating}; due by {_format_due(due)}.{repeat}",
            )
            _log(
                contact,
                SharingLogEntry.Kind.REQUESTED,
                shared=True,
                what="Request for information, with the child's and household's identifying details and a summary of the concern",
                actor=actor,
                from_party=MASH,
                to_party=spec.agency.name,
                to_agency=spec.agency,
                why=spec.question.strip(),
                bases=[*bases, *override_bases],
                info_request=info_request,
                at=now,
            )
            audit.record(
                actor,
                "request.sent",
                info_request,
                summary=f"Information requested from {spec.agency} for {contact.reference}, due {_format_due(due)}",
                request=request,
            )
            made.append(info_request)
        for agency, reason in not_asked:
            if not reason.strip():
                continue
            _log(
                contact,
                SharingLogEntry.Kind.NOT_REQUESTED,
                shared=False,
                what=f"Decided not to ask {agency} for information",
                actor=actor,
                from_party=MASH,
                to_party=agency.name,
                to_agency=agency,
                why=reason.strip(),
            )
    return made


def withdraw_request(
    info_request: InformationRequest, actor: User | None, *, reason: str, request: HttpRequest | None = None
) -> InformationRequest:
    if not info_request.is_open:
        raise SharingRefused("Only an open request can be withdrawn.")
    if actor is not None and not actor.has_perm("sharing.request_information"):
        raise SharingRefused("Only a decision maker or team manager can withdraw a request.")
    if not reason.strip():
        raise SharingRefused("Say why the request is withdrawn.")
    with transaction.atomic():
        info_request.status = RequestStatus.WITHDRAWN
        info_request.withdrawn_at = timezone.now()
        info_request.withdrawn_reason = reason.strip()
        info_request.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
        _notify(info_request, RequestNotice.Kind.WITHDRAWN, f"Request {info_request.contact.reference} withdrawn: {reason.strip()}")
        _log(
            info_request.contact,
            SharingLogEntry.Kind.WITHDRAWN,
            shared=False,
            what=f"Request to {info_request.agency} withdrawn",
            actor=actor,
            from_party=MASH,
            to_party=info_request.agency.name,
            to_agency=info_request.agency,
            why=reason.strip(),
            info_request=info_request,
        )
        audit.record(actor, "request.withdrawn", info_request, summary=f"Request to {info_request.agency} for {info_request.contact.reference} withdrawn", reason=reason.strip(), request=request)
    return info_request


# --------------------------------------------------------------------------- the agency's side


def view_request(
    actor: User, info_request: InformationRequest, *, opens: bool = True, what: str = "information request",
    request: HttpRequest | None = None,
) -> None:
    """An agency user's every view of a child's information is an audit event.

    The agency's first view opens the request and reads its notices; looking back at an old
    request (`opens=False`) changes nothing but is still recorded.
    """
    with transaction.atomic():
        if opens and actor.is_partner:
            if info_request.status == RequestStatus.SENT:
                info_request.status = RequestStatus.OPENED
                info_request.opened_at = timezone.now()
                info_request.save(update_fields=["status", "opened_at"])
            RequestNotice.objects.filter(request=info_request, read_at__isnull=True).update(read_at=timezone.now(), read_by=actor)
        audit.record(
            actor,
            "request.viewed",
            info_request,
            summary=f"Viewed the {what} {info_request.contact.reference} to {info_request.agency}",
            request=request,
        )


def view_agency_queue(actor: User, queue: AgencyQueue, *, request: HttpRequest | None = None) -> None:
    """The agency's queue names children; listing them is recorded like opening them."""
    shown = [row.request.contact.reference for row in (*queue.to_answer, *queue.answered)]
    audit.record(
        actor, "requests.listed", None, object_type="sharing.informationrequest",
        summary=f"Listed {len(shown)} requests to {actor.agency}" + (f": {', '.join(shown)}" if shown else ""), request=request,
    )


def _require_own_agency(actor: User, info_request: InformationRequest) -> None:
    if not actor.has_perm("sharing.answer_request", info_request):
        raise SharingRefused("Only a practitioner of the agency asked can answer this request.")


def closed_reason(info_request: InformationRequest) -> str:
    """Why the agency can no longer add to this request, or "" while it can."""
    if info_request.status == RequestStatus.WITHDRAWN:
        return "This request has been withdrawn: the MASH no longer needs an answer."
    if ContactStatus(info_request.contact.status) not in ANSWERABLE_STATUSES:
        return "The MASH has made its decision on this contact; it no longer takes information for it."
    return ""


def _require_answerable(info_request: InformationRequest) -> None:
    reason = closed_reason(info_request)
    if reason:
        raise SharingRefused(reason)


@dataclass
class ItemInput:
    text: str
    kind: str
    source: str = ""
    recorded_on: Any = None
    is_sensitive: bool = False
    sensitive_holder: str = ""


def item_problems(item: ItemInput) -> list[str]:
    problems = []
    if not item.text.strip():
        problems.append("Enter what the agency holds.")
    if item.kind not in ItemKind.values:
        problems.append("Say whether it is a fact, an opinion, or unverified or hearsay.")
    if item.is_sensitive and not item.sensitive_holder.strip():
        problems.append("Say who holds the sensitive information, so the assessing social worker can ask them.")
    return problems


def save_response(
    info_request: InformationRequest,
    actor: User,
    *,
    items: Sequence[ItemInput],
    analysis: str,
    recommendation: str,
    nothing_held: bool = False,
    withheld_summary: str = "",
    withheld_reason: str = "",
    submit: bool,
    request: HttpRequest | None = None,
) -> AgencyResponse:
    """Save the agency's draft, or send it to the MASH. Items once sent are never changed; later items add to them."""
    _require_own_agency(actor, info_request)
    _require_answerable(info_request)
    response = info_request.response
    new_items = [item for item in items if item.text.strip()]
    for item in new_items:
        problems = item_problems(item)
        if problems:
            raise SharingRefused(" ".join(problems))
    if submit:
        if nothing_held and new_items:
            raise SharingRefused("You said nothing is held but also entered information: choose one.")
        if nothing_held and response.items.filter(shared_at__isnull=False).exists():
            raise SharingRefused("Information has already been shared, so the answer cannot be 'nothing held'.")
        if not nothing_held and not response.is_submitted:
            if not new_items and not response.items.exists():
                raise SharingRefused("Enter what your agency holds, or answer 'nothing held'.")
            if not analysis.strip():
                raise SharingRefused("Say what the information means for this child (the 'so what?').")
            if not recommendation.strip():
                raise SharingRefused("Give your agency's recommendation.")
        if withheld_summary.strip() and not withheld_reason.strip():
            raise SharingRefused("Say why the information held is not shared.")
    now = timezone.now()
    with transaction.atomic():
        # Draft items are replaced by what the form holds now; shared items stay as shared.
        response.items.filter(shared_at__isnull=True).delete()
        order = response.items.count()
        for index, item in enumerate(new_items, start=order):
            InformationItem.objects.create(
                response=response,
                text=item.text.strip(),
                kind=item.kind,
                source=item.source.strip(),
                recorded_on=item.recorded_on,
                is_sensitive=item.is_sensitive,
                sensitive_holder=item.sensitive_holder.strip(),
                order=index,
                added_by=actor,
                shared_at=now if submit else None,
            )
        if not response.is_submitted:
            # Once sent, the analysis and recommendation stand as shared (and as any redaction
            # was made of them); later findings arrive as further items.
            response.analysis = analysis.strip()
            response.recommendation = recommendation.strip()
            response.nothing_held = nothing_held
        elif submit and new_items:
            # Something found after answering "nothing held" replaces that answer.
            response.nothing_held = False
        if withheld_summary.strip():
            response.withheld_summary = withheld_summary.strip()
            response.withheld_reason = withheld_reason.strip()
        first_submission = submit and not response.is_submitted
        if first_submission:
            response.submitted_at = now
            response.submitted_by = actor
        response.save()
        if not submit:
            if info_request.status in {RequestStatus.SENT, RequestStatus.OPENED}:
                info_request.status = RequestStatus.DRAFTING
                info_request.save(update_fields=["status"])
            audit.record(actor, "response.draft_saved", info_request, summary=f"Draft response saved for {info_request.contact.reference}", request=request)
            return response
        info_request.status = RequestStatus.NOTHING_HELD if nothing_held else RequestStatus.ANSWERED
        if first_submission:
            info_request.answered_at = now
            info_request.answered_by = actor
        info_request.save(update_fields=["status", "answered_at", "answered_by"])
        agency = info_request.agency
        bases = list(info_request.lawful_bases.all())
        if nothing_held:
            _log(info_request.contact, SharingLogEntry.Kind.NOTHING_HELD, shared=True, what=f"{agency} holds no relevant information", actor=actor,
                 from_party=agency.name, to_party=MASH_DECISION_MAKERS, from_agency=agency, bases=bases, info_request=info_request, at=now)
        else:
            sensitive = sum(1 for item in new_items if item.is_sensitive)
            parts = [f"{len(new_items)} item{'s' if len(new_items) != 1 else ''}"]
            if sensitive:
                parts.append(f"{sensitive} marked sensitive")
            if first_submission:
                parts.append("analysis and recommendation")
            label = "Response" if first_submission else "Further information"
            _log(info_request.contact, SharingLogEntry.Kind.SHARED_WITH_MASH, shared=True,
                 what=f"{label} from {agency}: {', '.join(parts)}", actor=actor, from_party=agency.name,
                 to_party=MASH_DECISION_MAKERS, from_agency=agency, bases=bases, info_request=info_request, at=now)
        if withheld_summary.strip():
            _log(info_request.contact, SharingLogEntry.Kind.WITHHELD_BY_AGENCY, shared=False, what=f"{agency} holds information it decided not to share: {withheld_summary.strip()}",
                 actor=actor, from_party=agency.name, to_party=MASH_DECISION_MAKERS, from_agency=agency, why=withheld_reason.strip(), info_request=info_request, at=now)
        audit.record(actor, "response.submitted", info_request, summary=f"{agency} answered the request for {info_request.contact.reference}", request=request)
    return response


def record_pending_enquiry(
    info_request: InformationRequest,
    actor: User,
    *,
    requested_at: datetime,
    from_name: str,
    from_designation: str,
    from_service: str = "",
    about: str = "",
    request: HttpRequest | None = None,
) -> PendingEnquiry:
    _require_own_agency(actor, info_request)
    _require_answerable(info_request)
    if not from_name.strip() or not from_designation.strip():
        raise SharingRefused("Enter the name and designation of the person the agency is waiting for.")
    if requested_at > timezone.now():
        raise SharingRefused("The date the enquiry was made must be in the past.")
    with transaction.atomic():
        enquiry = PendingEnquiry.objects.create(
            request=info_request, requested_at=requested_at, from_name=from_name.strip(),
            from_designation=from_designation.strip(), from_service=from_service.strip(), about=about.strip(), recorded_by=actor,
        )
        if info_request.status in {RequestStatus.SENT, RequestStatus.OPENED}:
            info_request.status = RequestStatus.DRAFTING
            info_request.save(update_fields=["status"])
        audit.record(actor, "request.enquiry_pending", info_request, summary=f"{info_request.agency} recorded an enquiry pending with {from_designation.strip()}", request=request)
    return enquiry


def enquiry_received(enquiry: PendingEnquiry, actor: User, *, request: HttpRequest | None = None) -> PendingEnquiry:
    _require_own_agency(actor, enquiry.request)
    _require_answerable(enquiry.request)
    if enquiry.received_at is not None:
        raise SharingRefused("This enquiry is already marked as answered.")
    with transaction.atomic():
        enquiry.received_at = timezone.now()
        enquiry.save(update_fields=["received_at"])
        audit.record(actor, "request.enquiry_received", enquiry.request, summary=f"{enquiry.request.agency}: enquiry with {enquiry.from_designation} answered", request=request)
    return enquiry


# --------------------------------------------------------------------------- escalation and deadlines


def escalate(
    info_request: InformationRequest, actor: User, *, concern: str, phoned_manager: bool = False, request: HttpRequest | None = None
) -> Escalation:
    """Heightened risk found: the team manager is alerted at once (seed 002 §10)."""
    _require_own_agency(actor, info_request)
    _require_answerable(info_request)
    if not concern.strip():
        raise SharingRefused("Say what heightens the risk to the child.")
    contact = info_request.contact
    with transaction.atomic():
        alert = Alert.objects.create(
            contact=contact,
            kind=Alert.Kind.ESCALATION,
            message=f"{info_request.agency} escalated heightened risk: consider immediate action and raising the RAG rating so every agency expedites.",
            raised_by=actor,
        )
        escalation = Escalation.objects.create(
            request=info_request, concern=concern.strip(), phoned_manager=phoned_manager, raised_by=actor, alert=alert
        )
        _log(contact, SharingLogEntry.Kind.ESCALATED, shared=True, what=f"Escalation of heightened risk from {info_request.agency}",
             actor=actor, from_party=info_request.agency.name, to_party="MASH team manager", from_agency=info_request.agency,
             bases=info_request.lawful_bases.all(), info_request=info_request)
        audit.record(actor, "request.escalated", info_request, summary=f"{info_request.agency} escalated heightened risk on {contact.reference}", request=request)
    return escalation


def respond_to_escalation(escalation: Escalation, actor: User, *, action_taken: str, request: HttpRequest | None = None) -> Escalation:
    if not actor.has_perm("sharing.respond_to_escalation"):
        raise SharingRefused("Only a MASH team manager can respond to an escalation.")
    if not escalation.is_open:
        raise SharingRefused("This escalation has already been answered.")
    if not action_taken.strip():
        raise SharingRefused("Record what you decided, including any immediate action taken.")
    with transaction.atomic():
        now = timezone.now()
        escalation.responded_by = actor
        escalation.responded_at = now
        escalation.action_taken = action_taken.strip()
        escalation.save(update_fields=["responded_by", "responded_at", "action_taken"])
        if escalation.alert_id and escalation.alert and escalation.alert.acknowledged_at is None:
            Alert.objects.filter(pk=escalation.alert_id).update(acknowledged_at=now, acknowledged_by=actor)
        _notify(escalation.request, RequestNotice.Kind.ESCALATION_ANSWERED,
                f"The MASH team manager has responded to your escalation on {escalation.request.contact.reference}.")
        audit.record(actor, "escalation.answered", escalation.request.contact, summary=f"Responded to the escalation from {escalation.request.agency}", request=request)
    return escalation


def tighten_deadlines(contact: Contact, previous: RagRating | None, new: RagRating, actor: User) -> list[InformationRequest]:
    """A raised rating brings every open request's deadline forward, and each agency is told.

    Called by the triage service whenever the rating changes; a lowered or unchanged rating
    never relaxes a deadline an agency is already working to.
    """
    if previous is None or new.priority >= previous.priority:
        return []
    now = timezone.now()
    candidate = deadline(now, new.sharing_timescale())
    changed = []
    for info_request in contact.information_requests.open().select_related("agency"):
        before = info_request.due_at
        info_request.due_at = rules.tightened(before, candidate)
        if info_request.last_chased_at is not None:
            # Chased under the old deadline: chase again once the new one has passed, and not
            # before the chase interval is up (the agency has just been told to expedite).
            info_request.next_chase_at = max(info_request.due_at, info_request.next_chase_at or info_request.due_at)
        info_request.save(update_fields=["due_at", "next_chase_at"])
        if info_request.due_at < before:
            message = (f"{contact.reference} raised from {previous} to {new}: please expedite. "
                       f"Now due by {_format_due(info_request.due_at)} (was {_format_due(before)}).")
        else:
            message = (f"{contact.reference} raised from {previous} to {new}: please expedite. "
                       f"Your deadline stays {_format_due(before)}, already sooner.")
        _notify(info_request, RequestNotice.Kind.DEADLINE_TIGHTENED, message)
        audit.record(actor, "request.deadline_tightened", info_request, summary=f"Request to {info_request.agency} now due {_format_due(info_request.due_at)}")
        changed.append(info_request)
    return changed


# --------------------------------------------------------------------------- chasing


def _next_chase(after: datetime) -> datetime:
    return working_calendar().add(after, require_partnership().timescale("chase"))


def chase(info_request: InformationRequest, actor: User | None, *, request: HttpRequest | None = None) -> Chase:
    """Chase an overdue request: recorded, audited, and sent to the agency's queue and duty inbox."""
    if actor is not None and not actor.has_perm("sharing.chase_request"):
        raise SharingRefused("Only a decision maker or team manager can chase a request.")
    if not info_request.is_open:
        raise SharingRefused("Only an open request can be chased.")
    now = timezone.now()
    late = "overdue since" if info_request.due_at < now else "due by"
    message = (f"Chase {info_request.chase_count + 1}: MASH request {info_request.contact.reference} is {late} "
               f"{_format_due(info_request.due_at)}. Please answer, or record what you are still waiting for.")
    with transaction.atomic():
        record = Chase.objects.create(
            request=info_request, chased_at=now, chased_by=actor, due_at=info_request.due_at, message=message,
            emailed_to=info_request.agency.duty_email,
        )
        info_request.last_chased_at = now
        info_request.next_chase_at = _next_chase(now)
        info_request.chase_count += 1
        info_request.save(update_fields=["last_chased_at", "next_chase_at", "chase_count"])
        _notify(info_request, RequestNotice.Kind.CHASED, message)
        audit.record(actor, "request.chased", info_request,
                     summary=f"{'Scheduled chase' if actor is None else 'Chased'} of {info_request.agency} for {info_request.contact.reference}", request=request)
    return record


def chase_overdue_requests(now: datetime | None = None) -> list[Chase]:
    """Run by the scheduled task: chase each overdue request once, then again each chase interval."""
    now = now or timezone.now()
    chased = []
    for info_request in InformationRequest.objects.open().filter(due_at__lt=now).select_related("agency", "contact"):
        if rules.chase_is_due(info_request.due_at, info_request.last_chased_at, info_request.next_chase_at, now):
            chased.append(chase(info_request, None))
    return chased


# --------------------------------------------------------------------------- queues


@dataclass(frozen=True)
class RequestRow:
    request: InformationRequest
    overdue: bool
    due_soon: bool
    outstanding_enquiries: int
    child: ContactPerson | None = None


def _warning() -> timedelta:
    return timedelta(hours=float(require_partnership().request_warning_hours))


def _rows(requests: Iterable[InformationRequest]) -> list[RequestRow]:
    now = timezone.now()
    warning = _warning()
    rows = []
    for r in requests:
        open_ = r.is_open
        rows.append(
            RequestRow(
                request=r,
                overdue=open_ and rules.is_overdue(r.due_at, now),
                due_soon=open_ and rules.is_due_soon(r.due_at, now, warning),
                outstanding_enquiries=sum(1 for e in r.pending_enquiries.all() if e.is_outstanding),
            )
        )
    return rows


def request_rows(contact: Contact) -> list[RequestRow]:
    return _rows(contact.information_requests.select_related("agency", "requested_by", "answered_by").prefetch_related("pending_enquiries", "lawful_bases"))


@dataclass(frozen=True)
class AgencyQueue:
    to_answer: list[RequestRow]
    answered: list[RequestRow]
    notices: list[RequestNotice]


def _with_child(rows: list[RequestRow]) -> list[RequestRow]:
    """Name the child on each row, from the prefetched people, so the agency can find them."""
    return [
        replace(row, child=next((p for p in row.request.contact.people.all() if p.role == ContactPerson.Role.SUBJECT_CHILD), None))
        for row in rows
    ]


def agency_queue(user: User) -> AgencyQueue:
    requests = requests_for_agency(user).select_related("contact", "contact__rag_rating", "agency").prefetch_related("pending_enquiries", "contact__people")
    since = timezone.now() - timedelta(days=30)
    return AgencyQueue(
        to_answer=_with_child(_rows(requests.open().order_by("due_at"))),
        answered=_with_child(_rows(requests.answered().filter(answered_at__gte=since).order_by("-answered_at"))),
        notices=list(RequestNotice.objects.filter(request__in=requests_for_agency(user), read_at__isnull=True).select_related("request", "request__contact")[:50]),
    )


def outstanding_requests(contact: Contact) -> list[RequestRow]:
    """What is still awaited before the decision: open requests, and answers with enquiries pending."""
    return [row for row in request_rows(contact) if row.request.is_open or (row.request.is_answered and row.outstanding_enquiries)]


def requests_needing_attention(user: User) -> list[RequestRow]:
    """For decision makers and managers: open requests due soon or overdue, soonest first."""
    now = timezone.now()
    horizon = now + _warning()
    requests = (
        InformationRequest.objects.open()
        .filter(contact__in=visible_contacts(user), due_at__lte=horizon)
        .select_related("contact", "contact__rag_rating", "agency")
        .prefetch_related("pending_enquiries", "contact__people")
        .order_by("due_at")
    )
    return _rows(requests)


@dataclass(frozen=True)
class Stage2Progress:
    asked: int
    answered: int
    overdue: int

    @property
    def label(self) -> str:
        if not self.asked:
            return ""
        text = f"Stage 2: {self.answered} of {self.asked} agencies answered"
        return text + (f", {self.overdue} overdue" if self.overdue else "")


def stage2_progress(contact: Contact) -> Stage2Progress:
    requests = [r for r in contact.information_requests.all() if r.status != RequestStatus.WITHDRAWN]
    now = timezone.now()
    return Stage2Progress(
        asked=len(requests),
        answered=sum(1 for r in requests if r.is_answered),
        overdue=sum(1 for r in requests if r.is_open and rules.is_overdue(r.due_at, now)),
    )


# --------------------------------------------------------------------------- redaction


def redaction_closed_reason(response: AgencyResponse) -> str:
    """Why nothing in this response can be redacted now, or "" while it can."""
    if ContactStatus(response.request.contact.status) not in REDACTABLE_STATUSES:
        return "Redaction happens before the information leaves the MASH; this outcome has been signed off."
    if not response.is_submitted:
        return "Only a sent response can be redacted."
    return ""


def may_redact(user: User, response: AgencyResponse) -> bool:
    return user.has_perm("sharing.redact", response) and not redaction_closed_reason(response)


def _require_redactable(actor: User, response: AgencyResponse) -> None:
    if not actor.has_perm("sharing.redact", response):
        raise SharingRefused("Only the agency that shared the information, or a MASH team manager, can redact it.")
    reason = redaction_closed_reason(response)
    if reason:
        raise SharingRefused(reason)


def redact_item(item: InformationItem, actor: User, *, redacted: str, reason: str, request: HttpRequest | None = None) -> Redaction:
    response = item.response
    _require_redactable(actor, response)
    if item.is_sensitive:
        raise SharingRefused("Sensitive information never leaves the MASH, so it needs no redaction.")
    if item.withheld:
        raise SharingRefused("This item is kept inside the MASH, so it needs no redaction.")
    if not reason.strip():
        raise SharingRefused("Say why this is redacted.")
    problems = redaction_problems(item.text, redacted)
    if problems:
        raise SharingRefused(" ".join(problems))
    return _record_redaction(response, actor, Redaction.Part.ITEM, item.text, redacted.strip(), reason, item=item, request=request)


def redact_part(response: AgencyResponse, actor: User, *, part: str, redacted: str, reason: str, request: HttpRequest | None = None) -> Redaction:
    _require_redactable(actor, response)
    if part not in {Redaction.Part.ANALYSIS, Redaction.Part.RECOMMENDATION}:
        raise SharingRefused("Only the analysis or the recommendation can be redacted this way.")
    if not reason.strip():
        raise SharingRefused("Say why this is redacted.")
    original = response.analysis if part == Redaction.Part.ANALYSIS else response.recommendation
    problems = redaction_problems(original, redacted)
    if problems:
        raise SharingRefused(" ".join(problems))
    return _record_redaction(response, actor, part, original, redacted.strip(), reason, request=request)


def withhold_item(item: InformationItem, actor: User, *, reason: str, request: HttpRequest | None = None) -> Redaction:
    """Keep a whole item inside the MASH (not relevant to the response, or too sensitive to travel)."""
    response = item.response
    _require_redactable(actor, response)
    if item.withheld or item.is_sensitive:
        raise SharingRefused("This item already stays inside the MASH.")
    if not reason.strip():
        raise SharingRefused("Say why this item stays inside the MASH.")
    return _record_redaction(response, actor, Redaction.Part.WITHHOLD, item.text, "", reason, item=item, request=request)


def _record_redaction(
    response: AgencyResponse, actor: User, part: str, original: str, redacted: str, reason: str,
    *, item: InformationItem | None = None, request: HttpRequest | None = None,
) -> Redaction:
    with transaction.atomic():
        record = Redaction.objects.create(
            response=response, item=item, part=part, original=original, redacted=redacted, reason=reason.strip(), redacted_by=actor
        )
        if part == Redaction.Part.ITEM and item is not None:
            item.outbound_text, item.redacted = redacted, True
            item.save(update_fields=["outbound_text", "redacted"])
        elif part == Redaction.Part.WITHHOLD and item is not None:
            item.withheld, item.withheld_reason = True, reason.strip()
            item.save(update_fields=["withheld", "withheld_reason"])
        elif part == Redaction.Part.ANALYSIS:
            response.outbound_analysis, response.analysis_redacted = redacted, True
            response.save(update_fields=["outbound_analysis", "analysis_redacted"])
        else:
            response.outbound_recommendation, response.recommendation_redacted = redacted, True
            response.save(update_fields=["outbound_recommendation", "recommendation_redacted"])
        agency = response.request.agency
        what = f"{Redaction.Part(part).label} from {agency}" + (" kept inside the MASH" if part == Redaction.Part.WITHHOLD else " redacted")
        _log(response.request.contact, SharingLogEntry.Kind.REDACTED if part != Redaction.Part.WITHHOLD else SharingLogEntry.Kind.KEPT_IN_MASH,
             shared=False, what=what, actor=actor, from_party=agency.name, to_party="the receiving team", from_agency=agency,
             why=reason.strip(), info_request=response.request)
        audit.record(actor, "response.redacted", response.request, summary=f"{what} for {response.request.contact.reference}", reason=reason.strip(), request=request)
    return record


# --------------------------------------------------------------------------- what leaves the MASH


@dataclass(frozen=True)
class OutboundItem:
    kind: str
    kind_code: str
    text: str
    source: str
    recorded_on: Any
    redacted: bool


@dataclass(frozen=True)
class OutboundAgencySection:
    agency: str
    answered_at: datetime | None
    nothing_held: bool
    items: list[OutboundItem]
    analysis: str
    recommendation: str
    sensitive_held: bool
    sensitive_holders: list[str]
    items_kept_in_mash: int


@dataclass(frozen=True)
class OutboundPack:
    """Everything that leaves the MASH with an outcome, and nothing else.

    The receiving team's page, the pack's PDF and JSON exports, and any API all read this and
    only this, so sensitive items, withheld items and unredacted text cannot reach them.
    """

    contact: Contact
    decision: Decision | None
    agencies: list[OutboundAgencySection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        child = self.contact.subject_child
        return {
            "contact_reference": self.contact.reference,
            "received_at": self.contact.received_at.isoformat(),
            "child": {
                "name": child.full_name if child else "",
                "date_of_birth": child.date_of_birth.isoformat() if child and child.date_of_birth else None,
                "address": child.address if child else "",
                "postcode": child.postcode if child else "",
            },
            "concern": self.contact.concern_details,
            "impact_on_child": self.contact.impact_on_child,
            "child_voice": self.contact.child_voice,
            "rag_rating": str(self.contact.rag_rating or ""),
            "decision": None
            if self.decision is None
            else {
                "outcome": self.decision.get_outcome_display(),
                "analysis": self.decision.analysis,
                "rationale": self.decision.rationale,
                "receiving_team": str(self.decision.receiving_team or ""),
                "signed_off_at": self.decision.reviewed_at.isoformat() if self.decision.reviewed_at else None,
            },
            "agencies": [
                {
                    "agency": s.agency,
                    "answered_at": s.answered_at.isoformat() if s.answered_at else None,
                    "nothing_held": s.nothing_held,
                    "items": [
                        {"kind": i.kind, "text": i.text, "source": i.source, "recorded_on": i.recorded_on.isoformat() if i.recorded_on else None, "redacted": i.redacted}
                        for i in s.items
                    ],
                    "analysis": s.analysis,
                    "recommendation": s.recommendation,
                    "sensitive_information_held": s.sensitive_held,
                    "ask_about_sensitive_information": s.sensitive_holders,
                    "items_kept_in_mash": s.items_kept_in_mash,
                }
                for s in self.agencies
            ],
        }


def submitted_responses(contact: Contact) -> QuerySet[AgencyResponse]:
    """The answers agencies have sent for this contact (drafts and withdrawn requests left out)."""
    return (
        AgencyResponse.objects.filter(request__contact=contact, submitted_at__isnull=False)
        .exclude(request__status=RequestStatus.WITHDRAWN)
        .select_related("request__agency")
    )


def outbound_pack(contact: Contact) -> OutboundPack:
    from mash.decisions.services import agreed_decision

    sections = []
    responses = submitted_responses(contact).prefetch_related("items").order_by("request__agency__name")
    for response in responses:
        shared = [item for item in response.items.all() if item.shared_at is not None]
        travelling = [
            OutboundItem(item.get_kind_display(), item.kind, item.travelling_text(), item.source, item.recorded_on, item.redacted)
            for item in shared
            if item.leaves_the_mash
        ]
        sensitive = [item for item in shared if item.is_sensitive]
        sections.append(
            OutboundAgencySection(
                agency=response.request.agency.name,
                answered_at=response.request.answered_at,
                nothing_held=response.nothing_held,
                items=travelling,
                analysis=response.travelling_analysis(),
                recommendation=response.travelling_recommendation(),
                sensitive_held=bool(sensitive),
                sensitive_holders=sorted({item.sensitive_holder for item in sensitive}),
                items_kept_in_mash=sum(1 for item in shared if item.withheld),
            )
        )
    return OutboundPack(contact=contact, decision=agreed_decision(contact), agencies=sections)


def release_to_receiving_team(contact: Contact, decision: Decision, actor: User, *, request: HttpRequest | None = None) -> None:
    """At sign-off the outbound pack goes to the receiving team: log what went and what stayed."""
    team = decision.receiving_team
    with transaction.atomic():
        for info_request in contact.information_requests.open().select_related("agency"):
            withdraw_request(info_request, None, reason="The MASH has made its decision on this contact.", request=request)
        if team is None:
            return
        for response in submitted_responses(contact).prefetch_related("items", "request__lawful_bases"):
            agency = response.request.agency
            items = [item for item in response.items.all() if item.shared_at is not None]
            bases = list(response.request.lawful_bases.all())
            travelling = sum(1 for item in items if item.leaves_the_mash)
            redacted = sum(1 for item in items if item.leaves_the_mash and item.redacted)
            what = f"{agency}'s information: {travelling} item{'s' if travelling != 1 else ''}"
            if redacted:
                what += f" ({redacted} redacted)"
            what += ", nothing held" if response.nothing_held else ", analysis and recommendation"
            _log(contact, SharingLogEntry.Kind.SHARED_ONWARD, shared=True, what=what, actor=actor, from_party=MASH, to_party=team.name,
                 from_agency=agency, why=f"Outcome agreed: {decision.get_outcome_display()}", bases=bases, info_request=response.request)
            kept = [item for item in items if not item.leaves_the_mash]
            if kept:
                sensitive = sum(1 for item in kept if item.is_sensitive)
                withheld = len(kept) - sensitive
                reasons = []
                if sensitive:
                    reasons.append("sensitive or soft information never leaves the MASH firewall; the record names who holds it")
                if withheld:
                    reasons.append("withheld before leaving the MASH: " + "; ".join(item.withheld_reason for item in kept if item.withheld and not item.is_sensitive))
                _log(contact, SharingLogEntry.Kind.KEPT_IN_MASH, shared=False,
                     what=f"{len(kept)} item{'s' if len(kept) != 1 else ''} from {agency} kept inside the MASH ({sensitive} sensitive, {withheld} withheld)",
                     actor=actor, from_party=MASH, to_party=team.name, from_agency=agency,
                     why=("; ".join(reasons)).capitalize() + ".",
                     info_request=response.request)
        audit.record(actor, "transfer.released", contact, summary=f"Information on {contact.reference} released to {team}", request=request)


def transfers_for(user: User) -> QuerySet[Contact]:
    """Contacts sent to the user's team, newest sign-off first, with the child and the outcome."""
    from django.db.models import F, OuterRef, Prefetch, Subquery

    from mash.core.access import transferred_contacts
    from mash.decisions.models import Decision

    agreed = Decision.objects.filter(review=Decision.Review.AGREED, contact=OuterRef("pk")).order_by("-reviewed_at", "-id")
    return (
        transferred_contacts(user)
        .select_related("rag_rating")
        .prefetch_related(
            Prefetch("people", queryset=ContactPerson.objects.filter(role=ContactPerson.Role.SUBJECT_CHILD), to_attr="children")
        )
        .annotate(
            transfer_signed_off_at=Subquery(agreed.values("reviewed_at")[:1]),
            transfer_outcome=Subquery(agreed.values("outcome")[:1]),
        )
        .order_by(F("transfer_signed_off_at").desc(nulls_last=True), "-pk")
    )


def view_transfer_list(actor: User, contacts: Sequence[Contact], *, page: int, request: HttpRequest | None = None) -> None:
    references = ", ".join(contact.reference for contact in contacts) or "none"
    audit.record(
        actor, "transfer.listed", None,
        summary=f"Viewed the transfers to {actor.team or 'no team'} (page {page}: {references})", request=request,
    )


def view_transfer(actor: User, contact: Contact, *, what: str = "transfer", request: HttpRequest | None = None) -> None:
    audit.record(actor, "transfer.viewed", contact, summary=f"Opened the {what} of {contact.reference}", request=request)


# --------------------------------------------------------------------------- the sharing log


@dataclass(frozen=True)
class LogSearch:
    reference: str = ""
    agency_id: int | None = None
    kind: str = ""
    shared: bool | None = None
    lawful_basis_id: int | None = None
    since: Any = None
    until: Any = None


def search_sharing_log(actor: User, criteria: LogSearch, *, request: HttpRequest | None = None) -> QuerySet[SharingLogEntry]:
    """The data protection officer's search across contacts; the search itself is audited."""
    if not actor.has_perm("sharing.search_sharing_log"):
        raise SharingRefused("Only a data protection officer or a team manager can search the sharing log.")
    entries = SharingLogEntry.objects.select_related("contact", "from_user", "from_agency", "to_agency").prefetch_related("lawful_bases")
    if criteria.reference:
        entries = entries.filter(contact__reference__icontains=criteria.reference.strip())
    if criteria.agency_id:
        entries = entries.filter(Q(from_agency_id=criteria.agency_id) | Q(to_agency_id=criteria.agency_id))
    if criteria.kind:
        entries = entries.filter(kind=criteria.kind)
    if criteria.shared is not None:
        entries = entries.filter(shared=criteria.shared)
    if criteria.lawful_basis_id:
        entries = entries.filter(lawful_bases__id=criteria.lawful_basis_id).distinct()
    if criteria.since:
        entries = entries.filter(occurred_at__date__gte=criteria.since)
    if criteria.until:
        entries = entries.filter(occurred_at__date__lte=criteria.until)
    described = ", ".join(f"{k}={v}" for k, v in criteria.__dict__.items() if v not in (None, ""))
    audit.record(actor, "sharing_log.searched", None, summary=f"Searched the sharing log ({described or 'everything'})", request=request)
    return entries


def export_sharing_log(actor: User, entries: QuerySet[SharingLogEntry], *, request: HttpRequest | None = None) -> None:
    count = entries.count()
    audit.record(
        actor, "sharing_log.exported", None,
        summary=f"Downloaded {count} sharing log entr{'y' if count == 1 else 'ies'} as CSV", request=request,
    )


def contact_sharing_log(actor: User, contact: Contact, *, request: HttpRequest | None = None) -> QuerySet[SharingLogEntry]:
    audit.record(actor, "sharing_log.viewed", contact, summary=f"Viewed the sharing log of {contact.reference}", request=request)
    return contact.sharing_log.select_related("from_user", "from_agency", "to_agency").prefetch_related("lawful_bases")


def view_stage2(actor: User, contact: Contact, *, request: HttpRequest | None = None) -> None:
    audit.record(actor, "contact.viewed", contact, summary=f"Opened the information sharing of {contact.reference}", request=request)
