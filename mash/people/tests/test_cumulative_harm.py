"""The cumulative harm alert: raised once per contact when the window holds enough low-level contacts."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from mash.partnership.models import Partnership
from mash.people.services import check_cumulative_harm, cumulative_finding, history_warnings
from mash.workqueue.models import Alert
from tests.factories import audit_events, london

from .builders import child, contact_about, early_help_declined, siblings

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 10, 11, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def amy(partnership):
    return child("Amy")


@pytest.fixture
def ben(partnership, amy):
    ben = child("Ben", sex="M")
    siblings(amy, ben)
    return ben


def cumulative_alerts(contact=None):
    alerts = Alert.objects.filter(kind=Alert.Kind.CUMULATIVE_HARM)
    return alerts.filter(contact=contact) if contact is not None else alerts


def test_no_alert_below_the_threshold(users, amy):
    contact_about(users, amy, days_ago=100, level=2, outcome="nfa")
    new = contact_about(users, amy)
    assert not cumulative_alerts().exists()
    assert not cumulative_finding(amy).alert
    assert check_cumulative_harm(new, users.officer) is None


def test_the_third_low_level_contact_raises_one_alert_on_submission(users, amy):
    contact_about(users, amy, days_ago=200, level=2, outcome="nfa")
    contact_about(users, amy, days_ago=90, level=1, outcome="advice_signpost")
    assert not cumulative_alerts().exists()

    new = contact_about(users, amy)  # submitted, not yet rated: it counts
    alert = cumulative_alerts().get()
    assert alert.contact == new
    assert alert.raised_by == users.officer
    assert alert.message.startswith("3 low-level contacts about Amy Smith in the last 12 months (")
    assert alert.message.endswith("10 March 2026): consider cumulative harm.")
    event = audit_events("cumulative_harm.alerted").get()
    assert event.object_id == str(new.pk)
    assert new.reference in event.reason


def test_the_alert_is_never_raised_twice_for_a_contact(users, amy):
    contact_about(users, amy, days_ago=200, level=2, outcome="nfa")
    contact_about(users, amy, days_ago=90, level=2, outcome="nfa")
    new = contact_about(users, amy, level=2)  # submitted, then triaged: the hook runs twice
    assert cumulative_alerts(new).count() == 1
    assert check_cumulative_harm(new, users.decision_maker) is None
    assert cumulative_alerts(new).count() == 1
    assert audit_events("cumulative_harm.alerted").count() == 1


def test_each_new_contact_gets_its_own_alert(users, amy):
    for days in (300, 200, 100):
        contact_about(users, amy, days_ago=days, level=2, outcome="nfa")
    third_alert = cumulative_alerts().get()
    fourth = contact_about(users, amy)
    assert cumulative_alerts().count() == 2
    assert cumulative_alerts(fourth).get().message.startswith("4 low-level contacts about Amy Smith")
    assert third_alert.contact != fourth


def test_the_household_counts_the_other_childrens_contacts(users, amy, ben):
    contact_about(users, amy, days_ago=250, level=2, outcome="nfa")
    contact_about(users, ben, days_ago=60, level=1, outcome="advice_signpost")
    new = contact_about(users, amy)
    alert = cumulative_alerts(new).get()
    assert alert.message.startswith("3 low-level contacts about Amy Smith's household in the last 12 months (Amy Smith 2, Ben Smith 1; ")


def test_a_child_living_elsewhere_is_not_the_household(users, amy):
    half_brother = child("Leo", sex="M")
    from mash.people.models import Relationship

    Relationship.objects.create(person=amy, relative=half_brother, relationship="half-brother", lives_with=False)
    contact_about(users, half_brother, days_ago=250, level=2, outcome="nfa")
    contact_about(users, half_brother, days_ago=60, level=2, outcome="nfa")
    contact_about(users, amy)
    assert not cumulative_alerts().exists()


def test_contacts_outside_the_window_do_not_count(users, amy):
    contact_about(users, amy, days_ago=400, level=2, outcome="nfa")
    contact_about(users, amy, days_ago=366, level=2, outcome="nfa")
    contact_about(users, amy, days_ago=30, level=2, outcome="nfa")
    contact_about(users, amy)
    assert not cumulative_alerts().exists()


def test_the_window_and_threshold_are_the_partnerships(users, amy):
    Partnership.objects.update(cumulative_window_days=90, cumulative_threshold=2)
    contact_about(users, amy, days_ago=120, level=2, outcome="nfa")
    contact_about(users, amy, days_ago=60, level=2, outcome="nfa")
    alert = cumulative_alerts().get()
    assert alert.message.startswith("2 low-level contacts about Amy Smith in the last 3 months")


def test_contacts_that_needed_more_than_low_level_help_do_not_count(users, amy):
    contact_about(users, amy, days_ago=200, level=4, outcome="s47_strategy", team="Safeguarding Team East")
    contact_about(users, amy, days_ago=100, level=3)  # rated above the low-level maximum, not yet decided
    contact_about(users, amy)
    assert not cumulative_alerts().exists()


def test_a_contact_still_being_recorded_does_not_count(users, amy):
    contact_about(users, amy, days_ago=100, submit=False)
    contact_about(users, amy, days_ago=50, level=2, outcome="nfa")
    contact_about(users, amy)
    assert not cumulative_alerts().exists()


def test_contacts_waiting_for_triage_count_as_low_level(users, amy):
    """Not rated yet counts until a decision maker rates it (the new contact itself is unrated at submission)."""
    Partnership.objects.update(cumulative_max_level=3)
    contact_about(users, amy, days_ago=100, level=3)
    contact_about(users, amy, days_ago=50)  # submitted, waiting for triage
    assert not cumulative_alerts().exists()
    new = contact_about(users, amy)
    assert cumulative_alerts(new).count() == 1


def test_rating_a_waiting_contact_high_takes_it_out_of_the_count(users, amy):
    waiting = contact_about(users, amy, days_ago=50)
    contact_about(users, amy, days_ago=20, level=2, outcome="nfa")
    from mash.triage.services import triage
    from tests import factories

    triage(waiting, users.decision_maker, level=factories.level(4), rag=factories.rag("RED"), reason="Serious.")
    assert cumulative_finding(amy).household_total == 1


# -- what the contact page shows --------------------------------------------------------------


def test_the_contact_page_warns_of_cumulative_harm_and_early_help_declined(client, users, amy, ben):
    offered = contact_about(users, ben, days_ago=150, level=2, outcome="early_help", team="Early Help Hub")
    early_help_declined(users, offered, ben)
    contact_about(users, amy, days_ago=80, level=2, outcome="nfa")
    new = contact_about(users, amy)
    client.force_login(users.decision_maker)
    page = client.get(reverse("intake:detail", args=[new.pk])).content.decode()
    assert 'data-warning="cumulative-harm"' in page
    assert "3 low-level contacts about Amy Smith&#x27;s household" in page
    assert reverse("people:detail", args=[amy.pk]) + "?view=household#chronology" in page

    # Ben's own next contact shows that the family declined early help.
    later = contact_about(users, ben)
    page = client.get(reverse("intake:detail", args=[later.pk])).content.decode()
    assert 'data-warning="early-help-history"' in page
    assert "Early help declined on 10 March 2026" in page
    assert "consider escalation" in page
    assert offered.reference in page


def test_history_warnings_carry_cumulative_harm_and_early_help(users, amy):
    offered = contact_about(users, amy, days_ago=150, level=2, outcome="early_help", team="Early Help Hub")
    early_help_declined(users, offered, amy)
    contact_about(users, amy, days_ago=80, level=2, outcome="nfa")
    new = contact_about(users, amy)
    warnings = history_warnings(amy, excluding_contact_id=new.pk)
    assert warnings.cumulative is not None and warnings.cumulative.household_total == 3
    assert warnings.early_help_needs_attention
    assert warnings.early_help[0].sentence.startswith("Early help declined on 10 March 2026 (offered by Early Help Hub on ")
    assert warnings.any
    assert history_warnings(amy, include_cumulative=False).cumulative is None
