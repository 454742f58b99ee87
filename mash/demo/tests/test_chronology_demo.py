"""The demo's cumulative harm household loads through the real services and shows what it says."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from mash.decisions.models import EarlyHelpReferral
from mash.demo import chronology
from mash.domain.workflow import ContactStatus
from mash.intake.models import Contact
from mash.people.models import Person
from mash.people.services import chronology_for, history_warnings
from mash.workqueue.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(users):
    started = time.monotonic()
    line = chronology.load(users)
    return line, time.monotonic() - started


def test_the_marsden_household_loads_quickly_and_names_its_contacts(loaded):
    line, seconds = loaded
    contacts = Contact.objects.filter(people__person__surname="Marsden", people__role="subject_child").distinct()
    assert contacts.count() == 4
    for contact in contacts:
        assert contact.reference in line
    assert seconds < 5


def test_the_new_contact_has_an_open_cumulative_harm_alert_and_the_earlier_one_was_acknowledged(loaded, users):
    callum = Person.objects.get(forenames="Callum", surname="Marsden")
    new = Contact.objects.get(status=ContactStatus.AWAITING_TRIAGE, people__person=callum, people__role="subject_child")
    alert = Alert.objects.get(contact=new, kind=Alert.Kind.CUMULATIVE_HARM)
    assert alert.is_open
    assert alert.message.startswith(
        "4 low-level contacts about Callum Marsden's household in the last 12 months (Callum Marsden 2, Ruby Marsden 2; "
    )
    earlier = Alert.objects.filter(kind=Alert.Kind.CUMULATIVE_HARM).exclude(contact=new).get()
    assert earlier.message.startswith("3 low-level contacts about Ruby Marsden's household")
    assert not earlier.is_open
    assert earlier.raised_at < alert.raised_at


def test_early_help_was_declined_and_the_history_says_so(loaded):
    callum = Person.objects.get(forenames="Callum", surname="Marsden")
    referral = EarlyHelpReferral.objects.get(person=callum)
    assert referral.status == EarlyHelpReferral.Status.DECLINED
    assert referral.referred_at < referral.response_recorded_at < referral.escalation_decided_at
    new = Contact.objects.get(status=ContactStatus.AWAITING_TRIAGE, people__person=callum)
    warnings = history_warnings(callum, excluding_contact_id=new.pk)
    assert warnings.cumulative is not None and warnings.cumulative.household_total == 4
    assert warnings.early_help[0].sentence.startswith("Early help declined on ")
    assert "escalation was considered and not needed" in warnings.early_help[0].sentence


def test_the_household_chronology_tells_the_story(loaded, users, client):
    callum = Person.objects.get(forenames="Callum", surname="Marsden")
    chron = chronology_for(users.decision_maker, callum, household=True)
    contacts = [e for e in chron.entries if e.kind == "contact"]
    assert [e.child_name for e in contacts] == ["Ruby Marsden", "Callum Marsden", "Ruby Marsden", "Callum Marsden"]
    assert chron.cumulative is not None
    assert [c.person.forenames for c in chron.children] == ["Ruby"]
    client.force_login(users.manager)
    page = client.get(reverse("people:detail", args=[callum.pk]) + "?view=household").content.decode()
    assert 'id="cumulative-harm"' in page
    assert "Early help: Declined by the family" in page
    home = client.get(reverse("workqueue:home")).content.decode()
    assert "4 low-level contacts about Callum Marsden&#x27;s household" in home
