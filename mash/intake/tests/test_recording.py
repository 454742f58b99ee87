"""Recording a contact: the service, its deadlines, the web form, and linking people.

Deadlines are worked out by hand from the default partnership configuration (data
migration partnership 0002): office hours Mon-Thu 09:00-17:30, Fri 09:00-17:00; triage and
decision 1 working day; longest stay in the MASH 24 clock hours; written record 24 clock
hours. "1 working day" starts at the next working moment and ends at the same wall-clock
time on the following working day, clamped to office hours (mash.domain.worktime).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mash.audit.models import AuditEvent
from mash.audit.services import verify_chain
from mash.domain.workflow import ContactEvent, ContactStatus, TransitionRefused
from mash.intake import services
from mash.intake.models import Contact, ContactPerson, IllegalStatusChange, StatusChange
from mash.intake.workflow import apply_event
from mash.partnership.models import Team
from mash.people.models import Involvement, InvolvementKind, Person
from mash.people.services import history_warnings
from tests import factories
from tests.factories import london

pytestmark = pytest.mark.django_db

# A Wednesday in term time with no bank holiday near it.
WEDNESDAY = london(2026, 11, 11, 10, 0)


# -- the service ------------------------------------------------------------------------


def test_record_contact_creates_contact_child_and_household(users):
    with time_machine.travel(WEDNESDAY, tick=False):
        contact = factories.record(users.officer, received_at=london(2026, 11, 11, 9, 15))
    contact.refresh_from_db()
    assert contact.status == ContactStatus.RECORDED
    assert contact.recorded_by == users.officer
    assert contact.recorded_at == WEDNESDAY
    assert contact.concern_details == factories.CONCERN_TEXT
    people = list(contact.people.order_by("order"))
    assert [(p.role, p.forenames, p.surname, p.order) for p in people] == [
        (ContactPerson.Role.SUBJECT_CHILD, "Amelia", "Testcase", 0),
        (ContactPerson.Role.HOUSEHOLD_MEMBER, "Kelly", "Testcase", 1),
        (ContactPerson.Role.SIGNIFICANT_ADULT, "Dean", "Otherman", 2),
    ]
    assert contact.subject_child.date_of_birth == date(2015, 3, 27)
    assert people[1].relationship == "mother"
    assert all(p.person is None for p in people), "nobody is linked until the officer checks records"


def test_reference_format_and_uniqueness(users):
    with time_machine.travel(WEDNESDAY, tick=False):
        first = factories.record(users.officer, received_at=london(2026, 11, 11, 9, 0))
        second = factories.record(users.officer, received_at=london(2026, 11, 11, 9, 5))
    for contact in (first, second):
        contact_db = Contact.objects.get(pk=contact.pk)
        assert re.fullmatch(r"MASH-2026-\d{6}", contact_db.reference)
        assert contact_db.reference == f"MASH-2026-{contact.pk:06d}"
        assert contact.reference == contact_db.reference
    assert first.reference != second.reference


def test_reference_year_is_the_local_year_received(users):
    # Received just after midnight on New Year's Day: the reference carries the new year.
    with time_machine.travel(london(2027, 1, 1, 0, 45), tick=False):
        contact = factories.record(users.officer, received_at=london(2027, 1, 1, 0, 30))
    assert contact.reference.startswith("MASH-2027-")


@pytest.mark.parametrize(
    ("received", "channel", "expected"),
    [
        pytest.param(
            london(2026, 11, 11, 10, 0),
            "online_form",
            {
                "triage_due_at": london(2026, 11, 12, 10, 0),
                "decision_due_at": london(2026, 11, 12, 10, 0),
                "mash_exit_due_at": london(2026, 11, 12, 10, 0),
                "record_due_at": london(2026, 11, 12, 10, 0),
            },
            id="wednesday-morning-online",
        ),
        pytest.param(
            london(2026, 11, 11, 10, 0),
            "telephone",
            {
                "triage_due_at": london(2026, 11, 12, 10, 0),
                "decision_due_at": london(2026, 11, 12, 10, 0),
                "mash_exit_due_at": london(2026, 11, 12, 10, 0),
                "record_due_at": None,
            },
            id="telephone-has-no-written-record-deadline",
        ),
        pytest.param(
            # Friday after the 17:00 close: the working-day clock starts Monday 09:00 and
            # runs one working day to Tuesday 09:00; the clock-hour timescales run through
            # the weekend.
            london(2026, 11, 13, 17, 20),
            "online_form",
            {
                "triage_due_at": london(2026, 11, 17, 9, 0),
                "decision_due_at": london(2026, 11, 17, 9, 0),
                "mash_exit_due_at": london(2026, 11, 14, 17, 20),
                "record_due_at": london(2026, 11, 14, 17, 20),
            },
            id="friday-after-close",
        ),
        pytest.param(
            # Thursday 17:20 is inside Thursday's hours; the same time on Friday is after
            # Friday's 17:00 close, so the deadline is clamped to 17:00.
            london(2026, 11, 12, 17, 20),
            "email",
            {
                "triage_due_at": london(2026, 11, 13, 17, 0),
                "decision_due_at": london(2026, 11, 13, 17, 0),
                "mash_exit_due_at": london(2026, 11, 13, 17, 20),
                "record_due_at": london(2026, 11, 13, 17, 20),
            },
            id="thursday-late-clamped-to-friday-close",
        ),
        pytest.param(
            # Friday 22 May 2026 after close; Monday 25 May is the spring bank holiday, so the
            # clock starts on Tuesday 26 May 09:00 and one working day ends Wednesday 09:00.
            london(2026, 5, 22, 17, 20),
            "online_form",
            {
                "triage_due_at": london(2026, 5, 27, 9, 0),
                "decision_due_at": london(2026, 5, 27, 9, 0),
                "mash_exit_due_at": london(2026, 5, 23, 17, 20),
                "record_due_at": london(2026, 5, 23, 17, 20),
            },
            id="bank-holiday-monday",
        ),
        pytest.param(
            # Clocks go back at 02:00 on Sunday 25 October 2026: 24 clock hours after
            # Saturday 12:00 BST is Sunday 11:00 GMT, not 12:00.
            london(2026, 10, 24, 12, 0),
            "online_form",
            {
                "triage_due_at": london(2026, 10, 27, 9, 0),
                "decision_due_at": london(2026, 10, 27, 9, 0),
                "mash_exit_due_at": london(2026, 10, 25, 11, 0),
                "record_due_at": london(2026, 10, 25, 11, 0),
            },
            id="clock-change-weekend",
        ),
    ],
)
def test_record_contact_sets_deadlines(users, received, channel, expected):
    with time_machine.travel(received + timedelta(minutes=5), tick=False):
        contact = factories.record(users.officer, received_at=received, channel=channel)
    contact = Contact.objects.get(pk=contact.pk)
    for field, value in expected.items():
        assert getattr(contact, field) == value, field
    assert contact.outcome_due_at is None, "the outcome deadline is set by the RAG rating at triage"


def test_initial_deadlines_match_the_recorded_contact(users):
    received = london(2026, 11, 13, 17, 20)
    deadlines = services.initial_deadlines(received, "online_form")
    assert deadlines.triage_due_at == london(2026, 11, 17, 9, 0)
    assert deadlines.record_due_at == london(2026, 11, 14, 17, 20)
    assert services.initial_deadlines(received, "telephone").record_due_at is None
    assert services.initial_deadlines(received, "out_of_hours").record_due_at is None


def test_deadlines_follow_the_partnership_configuration(partnership, users):
    partnership.triage_amount = 4
    partnership.triage_unit = "working_hours"
    partnership.save()
    deadlines = services.initial_deadlines(london(2026, 11, 11, 15, 0), "online_form")
    # 2.5 hours left on Wednesday, 1.5 more from Thursday 09:00.
    assert deadlines.triage_due_at == london(2026, 11, 12, 10, 30)


def test_every_value_written_while_recording_fits_its_column(users):
    """SQLite ignores VARCHAR lengths; PostgreSQL refuses the row. Check what is written, at a real-world time."""
    from django.db import models as dj_models
    from django.db.models.signals import pre_save

    too_long: list[str] = []

    def check(sender, instance, **kwargs):  # noqa: ANN001, ANN202
        for field in sender._meta.concrete_fields:
            if isinstance(field, dj_models.CharField) and field.max_length:
                value = getattr(instance, field.attname)
                if value is not None and len(str(value)) > field.max_length:
                    too_long.append(f"{sender.__name__}.{field.name}={value!r} (max {field.max_length})")

    pre_save.connect(check, sender=Contact, weak=False)
    pre_save.connect(check, sender=ContactPerson, weak=False)
    try:
        # A moment with microseconds, as the clock almost always has.
        with time_machine.travel(london(2026, 11, 11, 10, 0) + timedelta(microseconds=123456), tick=False):
            factories.record(users.officer, received_at=london(2026, 11, 11, 9, 0))
    finally:
        pre_save.disconnect(check, sender=Contact)
        pre_save.disconnect(check, sender=ContactPerson)
    assert too_long == []


def test_recording_writes_one_audit_event_with_the_final_reference(users):
    before = AuditEvent.objects.filter(action="contact.recorded").count()
    contact = factories.record(users.officer)
    events = AuditEvent.objects.filter(action="contact.recorded")
    assert events.count() == before + 1
    event = events.order_by("-sequence").first()
    assert event.object_type == "intake.contact"
    assert event.object_id == str(contact.pk)
    assert event.actor_id == users.officer.pk
    assert event.actor_role == "mash_officer"
    assert contact.reference in event.summary
    assert "pending" not in event.summary
    assert verify_chain().ok


def test_recording_is_atomic_no_contact_and_no_event_when_a_person_fails(users):
    events_before = AuditEvent.objects.count()
    bad_household = [{"role": "household_member", "forenames": "X", "no_such_field": "boom"}]
    with pytest.raises(TypeError):
        factories.record(users.officer, others=bad_household)
    assert not Contact.objects.exists()
    assert not ContactPerson.objects.exists()
    assert AuditEvent.objects.count() == events_before


# -- status only moves through the workflow -------------------------------------------------


def test_assigning_status_directly_is_refused(users):
    contact = factories.record(users.officer)
    contact = Contact.objects.get(pk=contact.pk)
    contact.status = ContactStatus.CLOSED.value
    with pytest.raises(IllegalStatusChange):
        contact.save()
    assert Contact.objects.get(pk=contact.pk).status == "recorded"


def test_creating_a_contact_in_a_later_status_is_refused(users):
    contact = Contact(
        reference="MASH-TEST-1",
        status=ContactStatus.SIGNED_OFF.value,
        **{k: v for k, v in factories.contact_fields().items()},
    )
    with pytest.raises(IllegalStatusChange):
        contact.save()
    assert not Contact.objects.filter(reference="MASH-TEST-1").exists()


def test_saving_other_fields_is_allowed(users):
    contact = Contact.objects.get(pk=factories.record(users.officer).pk)
    contact.referrer_phone = "01632 960123"
    contact.save()
    assert Contact.objects.get(pk=contact.pk).referrer_phone == "01632 960123"


def test_the_callers_instance_can_still_be_saved_after_a_workflow_step(users):
    """apply_event refreshes the caller's instance; saving an ordinary edit afterwards must work."""
    contact = factories.record(users.officer)
    factories.link_everyone_new(users.officer, contact)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    assert contact.status == "awaiting_triage"
    contact.referrer_phone = "01632 960555"
    contact.save()
    assert Contact.objects.get(pk=contact.pk).referrer_phone == "01632 960555"


def test_refreshed_instance_cannot_be_moved_back_by_assignment(users):
    """After a workflow step, assigning the old status and saving is still an illegal change."""
    contact = factories.record(users.officer)
    factories.link_everyone_new(users.officer, contact)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    assert contact.status == "awaiting_triage"
    contact.status = ContactStatus.RECORDED.value
    with pytest.raises(IllegalStatusChange):
        contact.save()
    assert Contact.objects.get(pk=contact.pk).status == "awaiting_triage"


def test_partial_refresh_does_not_launder_an_assigned_status(users):
    """Refreshing some other field must not make an assigned status look persisted."""
    contact = Contact.objects.get(pk=factories.record(users.officer).pk)
    contact.status = ContactStatus.CLOSED.value
    contact.refresh_from_db(fields=["referrer_name"])
    # Either the refresh discarded the assigned status, or saving refuses it: never laundered.
    if contact.status == ContactStatus.CLOSED.value:
        with pytest.raises(IllegalStatusChange):
            contact.save()
    else:
        contact.save()
    assert Contact.objects.get(pk=contact.pk).status == "recorded"


def test_queryset_update_of_status_is_refused(users):
    contact = factories.record(users.officer)
    with pytest.raises(IllegalStatusChange):
        Contact.objects.filter(pk=contact.pk).update(status=ContactStatus.CLOSED.value)
    assert Contact.objects.get(pk=contact.pk).status == "recorded"


def test_workflow_step_records_history_and_audit(users):
    contact = factories.record(users.officer)
    factories.link_everyone_new(users.officer, contact)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer, comment="ready")
    change = StatusChange.objects.get(contact=contact)
    assert (change.event, change.from_status, change.to_status, change.actor, change.comment) == (
        "submit_for_triage",
        "recorded",
        "awaiting_triage",
        users.officer,
        "ready",
    )
    event = factories.audit_events("contact.submit_for_triage", object_id=str(contact.pk)).get()
    assert contact.reference in event.summary


# -- the web form -------------------------------------------------------------------------


class FormPage(HTMLParser):
    """Just enough of the page to see what the user would see in each field."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, list[dict[str, str | None]]] = {}
        self.textareas: dict[str, str] = {}
        self.selects: dict[str, str | None] = {}
        self.errors: dict[str, str] = {}
        self.summary_links: list[tuple[str, str]] = []
        self.has_error_summary = False
        self.group_errors: set[str] = set()
        self._textarea: str | None = None
        self._select: str | None = None
        self._error_id: str | None = None
        self._summary_href: str | None = None
        self._in_summary = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if "govuk-error-summary" in classes:
            self.has_error_summary = True
            self._in_summary = True
        if "govuk-form-group--error" in classes and a.get("id"):
            self.group_errors.add(a["id"])
        if tag == "input" and a.get("name"):
            self.inputs.setdefault(a["name"], []).append(a)
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.textareas[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
            self.selects.setdefault(self._select, None)
        elif tag == "option" and self._select and "selected" in a:
            self.selects[self._select] = a.get("value")
        elif tag == "p" and "govuk-error-message" in classes:
            self._error_id = a.get("id")
            self.errors[self._error_id] = ""
        elif tag == "a" and self._in_summary:
            self._summary_href = a.get("href")
            self.summary_links.append((self._summary_href, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "p":
            self._error_id = None
        elif tag == "a":
            self._summary_href = None
        elif tag == "ul" and self._in_summary:
            self._in_summary = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        if self._error_id is not None:
            self.errors[self._error_id] += data
        if self._summary_href is not None:
            href, text = self.summary_links[-1]
            self.summary_links[-1] = (href, text + data)

    def value(self, name: str) -> str | None:
        inputs = self.inputs.get(name, [])
        assert len(inputs) == 1, f"expected one input called {name}, found {len(inputs)}"
        return inputs[0].get("value")

    def checked(self, name: str) -> list[str | None]:
        return [i.get("value") for i in self.inputs.get(name, []) if "checked" in i]

    def error(self, field_id: str) -> str:
        return " ".join(self.errors.get(f"{field_id}-error", "").replace("Error:", "").split())


GENERIC_REQUIRED = "This field is required."


def required_message(field: str, *, telephone: bool = False, form_class=None) -> str:  # noqa: ANN001
    """The message the form itself defines for a missing answer: specific, as the GOV.UK pattern asks."""
    from mash.intake.forms import ContactForm

    form = form_class() if form_class is not None else ContactForm(telephone=telephone)
    message = str(form.fields[field].error_messages["required"])
    assert message and message != GENERIC_REQUIRED, f"{field} has no specific 'required' message"
    return message


MANAGEMENT = {"others-TOTAL_FORMS": "1", "others-INITIAL_FORMS": "0", "others-MIN_NUM_FORMS": "0", "others-MAX_NUM_FORMS": "30"}


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "channel": "online_form",
        "contact_type": "new_concern",
        "received_at_date": "2026-11-11",
        "received_at_time": "09:30",
        "referrer_source": "2A",
        "referrer_name": "Joan O'Referrer",
        "referrer_role": "DSL",
        "referrer_agency": "Demotown Primary",
        "referrer_phone": "01632 960999",
        "referrer_email": "joan@school.example",
        "concern_details": "Bruise on the arm; says mum's boyfriend grabbed her.",
        "impact_on_child": "She's scared & hungry <really>",
        "child_whereabouts": "At school",
        "parents_aware": "no",
        "consent": "given",
        "child-forenames": "Amelia",
        "child-surname": "Testcase",
        "child-date_of_birth_day": "27",
        "child-date_of_birth_month": "3",
        "child-date_of_birth_year": "2015",
        "child-sex": "F",
        "child-ethnicity": "NOBT",
        "child-postcode": "nn4 7sl",
        "others-0-forenames": "Kelly",
        "others-0-surname": "Testcase",
        "others-0-relationship": "mother",
        "others-0-role": "household_member",
        "others-0-sex": "F",
        **MANAGEMENT,
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, users):
    client.force_login(users.officer)
    with time_machine.travel(WEDNESDAY, tick=False):
        yield client


def test_valid_written_referral_is_recorded(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:link-people", args=[contact.pk])
    assert contact.received_at == london(2026, 11, 11, 9, 30)
    assert contact.referrer_name == "Joan O'Referrer"
    assert contact.impact_on_child == "She's scared & hungry <really>"
    assert contact.record_due_at == london(2026, 11, 12, 9, 30)
    child = contact.subject_child
    assert (child.forenames, child.date_of_birth, child.postcode) == ("Amelia", date(2015, 3, 27), "NN4 7SL")
    assert list(contact.people.exclude(role="subject_child").values_list("forenames", "relationship")) == [("Kelly", "mother")]


def test_form_with_errors_keeps_every_typed_value_and_explains_each_error(officer_client):
    data = form_data(
        concern_details="",
        consent="not_sought",
        consent_not_sought_reason="",
        **{
            "child-postcode": "XX1",
            "child-date_of_birth_day": "31",
            "child-date_of_birth_month": "02",
            "child-date_of_birth_year": "2015",
            "received_at_date": "2026-11-12",
            "received_at_time": "10:00",
            "referrer_name": "Joan O'Referrer & Co",
        },
    )
    response = officer_client.post(reverse("intake:record"), data)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    html = response.content.decode()
    page = FormPage(html)

    # The summary at the top, linking to each field.
    assert page.has_error_summary
    summary = dict(page.summary_links)
    expected_errors = {
        "id_concern_details": required_message("concern_details"),
        "id_consent_not_sought_reason": "Choose why consent was not sought.",
        "id_child-postcode": "Enter a real postcode, like NN4 7SL, or leave it empty if it is not known.",
        "id_child-date_of_birth": "The date of birth must be a real date.",
        "id_received_at": "The date and time received cannot be in the future.",
    }
    for field_id, message in expected_errors.items():
        assert page.error(field_id) == message, field_id
    assert summary["#id_concern_details"] == required_message("concern_details")
    assert summary["#id_consent_not_sought_reason_0"] == "Choose why consent was not sought."
    assert summary["#id_child-postcode"].startswith("Enter a real postcode")
    assert summary["#id_child-date_of_birth_0"] == "The date of birth must be a real date."
    assert summary["#id_received_at_0"] == "The date and time received cannot be in the future."
    assert len(page.summary_links) == len(expected_errors), page.summary_links
    for field_id in expected_errors:
        assert f"{field_id}-group" in page.group_errors, field_id
    # Fields without a problem have no error message.
    assert page.error("id_referrer_name") == ""
    assert page.error("id_child-forenames") == ""

    # Every value is still there, exactly as typed.
    assert page.value("referrer_name") == "Joan O'Referrer & Co"
    assert page.value("referrer_email") == "joan@school.example"
    assert page.selects["referrer_source"] == "2A"
    assert page.checked("channel") == ["online_form"]
    assert page.checked("contact_type") == ["new_concern"]
    assert page.checked("consent") == ["not_sought"]
    assert page.checked("parents_aware") == ["no"]
    assert page.value("received_at_date") == "2026-11-12"
    assert page.value("received_at_time") == "10:00"
    assert page.value("child-forenames") == "Amelia"
    assert page.value("child-surname") == "Testcase"
    assert page.value("child-postcode") == "XX1"
    assert page.value("child-date_of_birth_day") == "31"
    assert page.value("child-date_of_birth_month") == "02"
    assert page.value("child-date_of_birth_year") == "2015"
    assert page.checked("child-sex") == ["F"]
    assert page.value("others-0-forenames") == "Kelly"
    assert page.value("others-0-relationship") == "mother"
    assert page.checked("others-0-role") == ["household_member"]
    assert page.textareas["impact_on_child"].strip() == "She's scared & hungry <really>"
    assert page.textareas["child_whereabouts"].strip() == "At school"
    assert page.textareas["concern_details"].strip() == ""
    # Typed text is escaped, never injected as markup.
    assert "<really>" not in html


def test_missing_referrer_name_unless_anonymous(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(referrer_name=""))
    page = FormPage(response.content.decode())
    assert page.error("id_referrer_name") == "Enter the referrer's name, or choose 'Anonymous' as the referrer type."
    response = officer_client.post(reverse("intake:record"), form_data(referrer_name="", referrer_source="9"))
    assert response.status_code == 302


def test_consent_reason_is_dropped_when_consent_was_given(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(consent="given", consent_not_sought_reason="undue_delay"))
    assert response.status_code == 302
    assert Contact.objects.get().consent_not_sought_reason == ""


def test_received_more_than_a_year_ago_is_refused(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(received_at_date="2025-11-01"))
    page = FormPage(response.content.decode())
    assert page.error("id_received_at") == "The date received is more than a year ago: check the year."


def test_household_block_missing_relationship_is_an_error(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(**{"others-0-relationship": ""}))
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    from mash.intake.forms import OtherPersonForm

    assert page.error("id_others-0-relationship") == required_message("relationship", form_class=OtherPersonForm)
    assert page.value("others-0-forenames") == "Kelly"
    assert not Contact.objects.exists()


def test_household_block_with_only_a_date_of_birth_is_not_silently_dropped(officer_client):
    """A sibling typed as a date of birth alone must be questioned, not thrown away."""
    data = form_data(
        **{
            "others-0-forenames": "",
            "others-0-surname": "",
            "others-0-relationship": "",
            "others-0-date_of_birth_day": "4",
            "others-0-date_of_birth_month": "9",
            "others-0-date_of_birth_year": "2019",
        }
    )
    response = officer_client.post(reverse("intake:record"), data)
    assert response.status_code == 200, "the contact was saved and the typed date of birth was lost"
    page = FormPage(response.content.decode())
    assert page.error("id_others-0-forenames").startswith("Enter a first name or a last name")
    assert page.value("others-0-date_of_birth_year") == "2019"


def telephone_data(**overrides: str) -> dict[str, str]:
    data = form_data(channel="telephone", safety_scale="3", what_needs_to_change="Mum to separate from boyfriend")
    data.update(overrides)
    return data


def test_valid_telephone_contact_redirects_to_people_checks(officer_client):
    response = officer_client.post(reverse("intake:record-telephone"), telephone_data())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:link-people", args=[contact.pk])
    assert contact.channel == "telephone"
    assert contact.safety_scale == 3
    assert contact.record_due_at is None
    follow = officer_client.get(response["Location"])
    assert follow.status_code == 200
    assert contact.reference in follow.content.decode()


def test_telephone_contact_requires_the_safety_scale_and_phone(officer_client):
    response = officer_client.post(reverse("intake:record-telephone"), telephone_data(safety_scale="", referrer_phone=""))
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    assert page.error("id_safety_scale") == required_message("safety_scale", telephone=True)
    assert page.error("id_referrer_phone") == required_message("referrer_phone", telephone=True)
    assert "#id_safety_scale_0" in dict(page.summary_links)
    assert not Contact.objects.exists()


def test_written_form_does_not_require_the_safety_scale(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(safety_scale=""))
    assert response.status_code == 302
    assert Contact.objects.get().safety_scale is None


def test_telephone_channel_is_refused_on_the_written_form(officer_client):
    response = officer_client.post(reverse("intake:record"), form_data(channel="telephone"))
    assert response.status_code == 200
    assert FormPage(response.content.decode()).error("id_channel")
    assert not Contact.objects.exists()


def test_add_another_person_keeps_typed_data_and_adds_a_block(officer_client):
    data = form_data(add_person="1", concern_details="Half typed concern")
    response = officer_client.post(reverse("intake:record"), data)
    assert response.status_code == 200
    assert not Contact.objects.exists()
    page = FormPage(response.content.decode())
    assert page.value("others-TOTAL_FORMS") == "2"
    assert page.value("others-0-forenames") == "Kelly"
    assert page.value("others-1-forenames") in (None, "")
    assert "others-2-forenames" not in page.inputs
    assert page.value("child-forenames") == "Amelia"
    assert page.textareas["concern_details"].strip() == "Half typed concern"
    assert not page.has_error_summary

    # And again: a third block, with the second one's typed data kept.
    data = form_data(
        add_person="1", **{"others-TOTAL_FORMS": "2", "others-1-forenames": "Tyler", "others-1-relationship": "brother"}
    )
    page = FormPage(officer_client.post(reverse("intake:record"), data).content.decode())
    assert page.value("others-TOTAL_FORMS") == "3"
    assert page.value("others-1-forenames") == "Tyler"
    assert "others-2-forenames" in page.inputs


def test_add_another_person_does_not_show_validation_errors(officer_client):
    """Asking for another block is not a submission: no summary, so no inline errors either."""
    data = {**MANAGEMENT, "add_person": "1", "channel": "online_form", "child-forenames": "Amelia"}
    response = officer_client.post(reverse("intake:record"), data)
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    assert not page.has_error_summary
    assert page.errors == {}, f"inline errors shown without an error summary: {sorted(page.errors)}"


def test_submitting_the_extra_blank_block_does_not_create_a_person(officer_client):
    data = form_data(**{"others-TOTAL_FORMS": "2", "others-1-sex": "U", "others-1-role": "household_member"})
    response = officer_client.post(reverse("intake:record"), data)
    assert response.status_code == 302
    assert Contact.objects.get().people.count() == 2


# -- linking people -----------------------------------------------------------------------


def test_link_to_new_person_copies_the_details_and_is_audited(users):
    contact = factories.record(users.officer)
    cp = contact.subject_child
    with time_machine.travel(WEDNESDAY, tick=False):
        person = services.link_to_new_person(users.officer, cp)
    cp.refresh_from_db()
    assert cp.person == person
    assert cp.created_new_person is True
    assert cp.linked_by == users.officer
    assert cp.linked_at == WEDNESDAY
    assert (person.forenames, person.surname, person.date_of_birth, person.postcode, person.school) == (
        "Amelia",
        "Testcase",
        date(2015, 3, 27),
        "NN4 7SL",
        "Demotown Primary School",
    )
    event = factories.audit_events("person.created", object_id=str(person.pk)).get()
    assert event.object_type == "people.person"
    assert contact.reference in event.summary


def test_link_to_existing_and_unlink(users):
    existing = Person.objects.create(forenames="Amelia", surname="Testcase", date_of_birth=date(2015, 3, 27))
    contact = factories.record(users.officer)
    cp = contact.subject_child
    services.link_to_existing(users.officer, cp, existing)
    cp.refresh_from_db()
    assert cp.person == existing
    assert cp.created_new_person is False
    assert Person.objects.count() == 1
    assert factories.audit_events("contact.person_linked", object_id=str(contact.pk)).count() == 1

    services.unlink(users.officer, cp)
    cp.refresh_from_db()
    assert (cp.person, cp.linked_at, cp.linked_by) == (None, None, None)
    unlinked = factories.audit_events("contact.person_unlinked", object_id=str(contact.pk)).get()
    assert f"#{existing.pk}" in unlinked.summary


def test_submit_refused_while_anyone_is_unlinked(users):
    contact = factories.record(users.officer)
    services.link_to_new_person(users.officer, contact.subject_child)  # the household is still unlinked
    with pytest.raises(TransitionRefused, match="Link every person"):
        apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    assert Contact.objects.get(pk=contact.pk).status == "recorded"
    assert not StatusChange.objects.filter(contact=contact).exists()
    factories.link_everyone_new(users.officer, contact)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    assert Contact.objects.get(pk=contact.pk).status == "awaiting_triage"


def test_submit_page_refuses_with_a_message(client, users):
    contact = factories.record(users.officer)
    client.force_login(users.officer)
    response = client.post(reverse("intake:submit", args=[contact.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:link-people", args=[contact.pk])
    assert "Link every person" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).status == "recorded"


def test_linking_is_closed_after_triage(users):
    contact = factories.triaged(users)
    cp = contact.subject_child
    other = Person.objects.create(forenames="Someone", surname="Else")
    with pytest.raises(services.LinkingClosed):
        services.link_to_existing(users.officer, cp, other)
    with pytest.raises(services.LinkingClosed):
        services.link_to_new_person(users.officer, cp)
    with pytest.raises(services.LinkingClosed):
        services.unlink(users.officer, cp)
    cp.refresh_from_db()
    assert cp.person is not None and cp.person != other


def test_link_people_page_offers_candidates_and_is_audited(client, users):
    known = Person.objects.create(forenames="Amelia", surname="Testcase", date_of_birth=date(2015, 3, 27), postcode="NN4 7SL")
    contact = factories.record(users.officer)
    client.force_login(users.officer)
    searches_before = factories.audit_events("person.searched").count()
    response = client.get(reverse("intake:link-people", args=[contact.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("people:detail", args=[known.pk]) in html
    assert factories.audit_events("person.searched").count() == searches_before + 3  # one per unlinked person
    response = client.post(
        reverse("intake:link-person", args=[contact.pk, contact.subject_child.pk]), {"action": "existing", "person": known.pk}
    )
    assert response.status_code == 302
    assert contact.subject_child.person == known


def test_link_people_web_new_record(client, users):
    contact = factories.record(users.officer)
    client.force_login(users.officer)
    cp = contact.people.get(forenames="Dean")
    client.post(reverse("intake:link-person", args=[contact.pk, cp.pk]), {"action": "new"})
    cp.refresh_from_db()
    assert cp.person is not None and cp.created_new_person
    assert cp.person.surname == "Otherman"


# -- history warnings ----------------------------------------------------------------------


TODAY = date(2026, 11, 11)


@pytest.fixture
def child(partnership):
    return Person.objects.create(forenames="Amelia", surname="Testcase", date_of_birth=date(2015, 3, 27))


def involvement(person: Person, kind: str = InvolvementKind.SOCIAL_CARE, closed_on: date | None = None) -> Involvement:
    return Involvement.objects.create(
        person=person,
        kind=kind,
        team=Team.objects.get(name="First Response Team North"),
        allocated_worker="Sam Worker",
        started_on=date(2025, 1, 6),
        closed_on=closed_on,
    )


def test_no_history_no_warnings(child):
    warnings = history_warnings(child, as_of=TODAY)
    assert not warnings.any
    assert warnings.weeks == 12
    assert warnings.window_days == 365


def test_open_social_care_case(child):
    case = involvement(child)
    warnings = history_warnings(child, as_of=TODAY)
    assert warnings.open_case == case
    assert warnings.recent_closure is None
    assert warnings.any


def test_open_early_help_is_not_an_open_social_work_case(child):
    episode = involvement(child, kind=InvolvementKind.EARLY_HELP)
    warnings = history_warnings(child, as_of=TODAY)
    assert warnings.open_early_help == episode
    assert warnings.open_case is None


@pytest.mark.parametrize(
    ("weeks_ago", "within_rule"),
    [(0, True), (11, True), (12, True), (13, False), (52, False)],
)
def test_twelve_week_rule(child, weeks_ago, within_rule):
    case = involvement(child, kind=InvolvementKind.CHILD_IN_NEED, closed_on=TODAY - timedelta(weeks=weeks_ago))
    warnings = history_warnings(child, as_of=TODAY)
    assert warnings.open_case is None
    assert (warnings.recent_closure == case) is within_rule
    assert (warnings.recent_closure is None) is not within_rule


def test_twelve_week_rule_picks_the_latest_closure(child):
    involvement(child, closed_on=TODAY - timedelta(weeks=10))
    latest = involvement(child, kind=InvolvementKind.CHILD_PROTECTION, closed_on=TODAY - timedelta(weeks=2))
    assert history_warnings(child, as_of=TODAY).recent_closure == latest


def test_closed_early_help_does_not_trigger_the_twelve_week_rule(child):
    involvement(child, kind=InvolvementKind.EARLY_HELP, closed_on=TODAY - timedelta(weeks=2))
    assert history_warnings(child, as_of=TODAY).recent_closure is None


def test_twelve_week_rule_follows_configuration(partnership, child):
    partnership.twelve_week_rule_weeks = 14
    partnership.save()
    case = involvement(child, closed_on=TODAY - timedelta(weeks=13))
    assert history_warnings(child, as_of=TODAY).recent_closure == case


def test_repeat_contacts_counted_within_the_window(users, child):
    with time_machine.travel(london(2026, 11, 11, 12, 0), tick=False):
        recent = [factories.record(users.officer, received_at=london(2026, month, 2, 10, 0)) for month in (3, 9)]
        old = factories.record(users.officer, received_at=london(2025, 10, 1, 10, 0))  # more than 365 days before
        current = factories.record(users.officer)
        for contact in (*recent, old, current):
            services.link_to_existing(users.officer, contact.subject_child, child)
        warnings = history_warnings(child, excluding_contact_id=current.pk)
        assert warnings.repeat_contacts == 2
        assert warnings.any
        assert history_warnings(child).repeat_contacts == 3


def test_repeat_contacts_count_contacts_not_appearances(users, child):
    """A child named twice on one contact is still one previous contact."""
    with time_machine.travel(WEDNESDAY, tick=False):
        twice = factories.record(
            users.officer,
            others=[
                {"role": "household_member", "forenames": "Amelia", "surname": "Testcase", "relationship": "self (duplicate)"}
            ],
        )
        for cp in twice.people.filter(forenames="Amelia"):
            services.link_to_existing(users.officer, cp, child)
        current = factories.record(users.officer)
        assert history_warnings(child, excluding_contact_id=current.pk).repeat_contacts == 1


def test_detail_page_shows_history_warnings(client, users, child):
    involvement(child, closed_on=timezone.localdate() - timedelta(weeks=3))
    contact = factories.record(users.officer)
    services.link_to_existing(users.officer, contact.subject_child, child)
    client.force_login(users.officer)
    html = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "12-week rule" in html
    assert "First Response Team North" in html
