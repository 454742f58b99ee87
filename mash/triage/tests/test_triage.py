"""Triage: the rating, its history, the outcome deadline it sets, and urgent alerts.

Default RAG timescales (data migration partnership 0002): RED outcome 4 working hours,
AMBER 1 working day, GREEN 24 clock hours. Office hours Mon-Thu 09:00-17:30, Fri 09:00-17:00.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from mash.audit.services import verify_chain
from mash.decisions.services import sign_off
from mash.domain.workflow import TransitionRefused
from mash.intake.models import Contact
from mash.partnership.models import UrgentTrigger
from mash.triage import services
from mash.triage.models import RatingChange, UrgentTriggerFlag
from mash.workqueue.models import Alert
from mash.workqueue.services import open_alerts
from tests import factories
from tests.factories import level, london, rag

pytestmark = pytest.mark.django_db

REASON = "Disclosure of physical harm by a household member."


def submitted_at(users, moment):  # noqa: ANN001, ANN201
    """A contact received an hour before `moment` and sent for triage."""
    with time_machine.travel(moment - timedelta(minutes=30), tick=False):
        return factories.submitted(users, received_at=moment - timedelta(hours=1))


def triage_at(contact, actor, moment, rag_code, level_number=3, triggers=()):  # noqa: ANN001, ANN201
    with time_machine.travel(moment, tick=False):
        services.triage(contact, actor, level=level(level_number), rag=rag(rag_code), reason=REASON, triggers=triggers)
    return Contact.objects.get(pk=contact.pk)


def rerate_at(contact, actor, moment, rag_code, level_number=3, reason="New information from police."):  # noqa: ANN001, ANN201
    contact = Contact.objects.get(pk=contact.pk)
    with time_machine.travel(moment, tick=False):
        change = services.change_rating(contact, actor, level=level(level_number), rag=rag(rag_code), reason=reason)
    return Contact.objects.get(pk=contact.pk), change


# -- triage ---------------------------------------------------------------------------------


def test_triage_sets_the_rating_and_keeps_who_when_why(users):
    moment = london(2026, 11, 11, 10, 0)
    contact = submitted_at(users, moment)
    contact = triage_at(contact, users.decision_maker, moment, "AMBER", 3)
    assert contact.status == "triaged"
    assert contact.rag_rating.code == "AMBER"
    assert contact.level_of_need.level == 3
    change = RatingChange.objects.get(contact=contact)
    assert change.previous_rag is None and change.previous_level is None
    assert change.is_initial
    assert (change.new_rag.code, change.new_level.level) == ("AMBER", 3)
    assert change.changed_by == users.decision_maker
    assert change.changed_at == moment
    assert change.reason == REASON
    assert factories.audit_events("contact.rated", object_id=str(contact.pk)).get().reason == REASON
    assert factories.audit_events("contact.triage", object_id=str(contact.pk)).count() == 1
    assert verify_chain().ok


def test_manager_may_triage(users):
    contact = submitted_at(users, london(2026, 11, 11, 10, 0))
    contact = triage_at(contact, users.manager, london(2026, 11, 11, 10, 0), "GREEN", 2)
    assert contact.status == "triaged"


@pytest.mark.parametrize("who", ["officer", "police", "administrator"])
def test_triage_refused_for_other_roles_leaves_nothing_behind(users, who):
    contact = submitted_at(users, london(2026, 11, 11, 10, 0))
    trigger = UrgentTrigger.objects.get(code="non-mobile-baby-injury")
    with pytest.raises(TransitionRefused):
        services.triage(contact, getattr(users, who), level=level(4), rag=rag("RED"), reason=REASON, triggers=[trigger])
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.status == "awaiting_triage"
    assert contact.rag_rating is None and contact.outcome_due_at is None
    assert not RatingChange.objects.exists()
    assert not UrgentTriggerFlag.objects.exists()
    assert not Alert.objects.exists()
    assert not factories.audit_events("contact.rated").exists()


def test_triage_refused_before_the_contact_is_submitted(users):
    contact = factories.record(users.officer)
    with pytest.raises(TransitionRefused):
        services.triage(contact, users.decision_maker, level=level(3), rag=rag("AMBER"), reason=REASON)
    assert not RatingChange.objects.exists()
    assert Contact.objects.get(pk=contact.pk).rag_rating is None


def test_triage_twice_is_refused(users):
    contact = submitted_at(users, london(2026, 11, 11, 10, 0))
    triage_at(contact, users.decision_maker, london(2026, 11, 11, 10, 0), "AMBER")
    with pytest.raises(TransitionRefused):
        services.triage(Contact.objects.get(pk=contact.pk), users.decision_maker, level=level(4), rag=rag("RED"), reason="again")
    assert RatingChange.objects.filter(contact=contact).count() == 1
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"


# -- the outcome deadline --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "rag_code", "expected"),
    [
        # RED, 4 working hours: Friday after the 17:00 close starts Monday 09:00.
        pytest.param(london(2026, 11, 13, 17, 20), "RED", london(2026, 11, 16, 13, 0), id="red-friday-evening"),
        # Spring bank holiday Monday 25 May 2026: the clock starts Tuesday 09:00.
        pytest.param(london(2026, 5, 22, 17, 20), "RED", london(2026, 5, 26, 13, 0), id="red-bank-holiday"),
        # RED in the afternoon runs over into the next morning: 2h Wed (15:30-17:30) + 2h Thu.
        pytest.param(london(2026, 11, 11, 15, 30), "RED", london(2026, 11, 12, 11, 0), id="red-overnight"),
        pytest.param(london(2026, 11, 11, 10, 0), "RED", london(2026, 11, 11, 14, 0), id="red-same-day"),
        pytest.param(london(2026, 11, 11, 10, 0), "AMBER", london(2026, 11, 12, 10, 0), id="amber-next-working-day"),
        pytest.param(london(2026, 11, 13, 17, 20), "AMBER", london(2026, 11, 17, 9, 0), id="amber-friday-evening"),
        # GREEN, 24 clock hours, runs through the weekend.
        pytest.param(london(2026, 11, 13, 17, 20), "GREEN", london(2026, 11, 14, 17, 20), id="green-clock-hours"),
    ],
)
def test_outcome_deadline_from_the_rag_timescale(users, moment, rag_code, expected):
    contact = submitted_at(users, moment)
    contact = triage_at(contact, users.decision_maker, moment, rag_code)
    assert contact.outcome_due_at == expected
    assert contact.outcome_due_at.utcoffset() is not None


def test_outcome_deadline_follows_configured_timescale(users):
    red = rag("RED")
    red.outcome_amount = 2
    red.save()
    moment = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, moment), users.decision_maker, moment, "RED")
    assert contact.outcome_due_at == london(2026, 11, 11, 12, 0)


def test_raising_amber_to_red_tightens_the_deadline(users):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER")
    assert contact.outcome_due_at == london(2026, 11, 12, 10, 0)
    contact, change = rerate_at(contact, users.decision_maker, london(2026, 11, 11, 11, 0), "RED", 4)
    assert contact.rag_rating.code == "RED"
    assert contact.outcome_due_at == london(2026, 11, 11, 15, 0)
    assert (change.previous_rag.code, change.new_rag.code) == ("AMBER", "RED")


def test_raising_never_relaxes_the_deadline(users):
    """GREEN (24 clock hours) raised to AMBER (1 working day) late on a Friday keeps Saturday's deadline."""
    first = london(2026, 11, 13, 16, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "GREEN", 2)
    assert contact.outcome_due_at == london(2026, 11, 14, 16, 0)
    contact, _ = rerate_at(contact, users.decision_maker, london(2026, 11, 13, 16, 30), "AMBER", 3)
    assert contact.rag_rating.code == "AMBER"
    # AMBER from 16:30 Friday would be Monday 16:30; the earlier deadline stands.
    assert contact.outcome_due_at == london(2026, 11, 14, 16, 0)


def test_raising_to_red_late_in_the_day_keeps_the_sooner_amber_deadline(users):
    first = london(2026, 11, 11, 9, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER")
    assert contact.outcome_due_at == london(2026, 11, 12, 9, 0)
    contact, _ = rerate_at(contact, users.manager, london(2026, 11, 11, 16, 0), "RED", 4)
    # 1.5h left on Wednesday, 2.5h on Thursday from 09:00: 11:30, which is later than 09:00 Thursday.
    assert contact.outcome_due_at == london(2026, 11, 12, 9, 0)


@pytest.mark.parametrize(
    ("lower_to", "expected"),
    [
        # AMBER, 1 working day from the first triage at 10:00 Wednesday, not from 13:00.
        ("AMBER", london(2026, 11, 12, 10, 0)),
        # GREEN, 24 clock hours from the first triage.
        ("GREEN", london(2026, 11, 12, 10, 0)),
    ],
)
def test_lowering_does_not_reset_the_clock(users, lower_to, expected):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "RED", 4)
    assert contact.outcome_due_at == london(2026, 11, 11, 14, 0)
    contact, _ = rerate_at(contact, users.decision_maker, london(2026, 11, 11, 13, 0), lower_to, 2)
    assert contact.rag_rating.code == lower_to
    assert contact.outcome_due_at == expected
    # Lowering again a day later still counts from the first triage.
    if lower_to == "AMBER":
        contact, _ = rerate_at(contact, users.decision_maker, london(2026, 11, 12, 9, 30), "GREEN", 2)
        assert contact.outcome_due_at == london(2026, 11, 12, 10, 0)


def test_level_only_change_keeps_the_deadline(users):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER", 3)
    contact, change = rerate_at(contact, users.decision_maker, london(2026, 11, 11, 16, 0), "AMBER", 4)
    assert contact.level_of_need.level == 4
    assert contact.outcome_due_at == london(2026, 11, 12, 10, 0)
    assert (change.previous_level.level, change.new_level.level) == (3, 4)


def test_every_rating_change_is_kept_in_order(users):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER", 3)
    rerate_at(
        contact, users.manager, london(2026, 11, 11, 11, 0), "RED", 4, reason="Police: offender is a registered sex offender."
    )
    rerate_at(contact, users.decision_maker, london(2026, 11, 11, 12, 0), "GREEN", 2, reason="Allegation withdrawn and verified.")
    history = list(RatingChange.objects.filter(contact=contact).order_by("changed_at"))
    assert [(c.previous_rag.code if c.previous_rag else None, c.new_rag.code) for c in history] == [
        (None, "AMBER"),
        ("AMBER", "RED"),
        ("RED", "GREEN"),
    ]
    assert [c.changed_by for c in history] == [users.decision_maker, users.manager, users.decision_maker]
    assert [c.changed_at for c in history] == [first, london(2026, 11, 11, 11, 0), london(2026, 11, 11, 12, 0)]
    assert history[1].reason == "Police: offender is a registered sex offender."
    events = factories.audit_events("contact.rating_changed", object_id=str(contact.pk))
    assert [e.reason for e in events] == [history[1].reason, history[2].reason]


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_change_rating_refused_without_reason(users, reason):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER")
    with pytest.raises(services.RatingRefused, match="Say why"):
        services.change_rating(contact, users.decision_maker, level=level(4), rag=rag("RED"), reason=reason)
    assert RatingChange.objects.filter(contact=contact).count() == 1
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"


@pytest.mark.parametrize("who", ["officer", "police", "health", "administrator"])
def test_change_rating_refused_for_roles_that_cannot_triage(users, who):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER")
    with pytest.raises(services.RatingRefused, match="role"):
        services.change_rating(contact, getattr(users, who), level=level(4), rag=rag("RED"), reason="I think so")
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"


def test_change_rating_refused_after_sign_off(users):
    contact, _, _ = factories.signed_off(users)
    with pytest.raises(services.RatingRefused, match="signed off"):
        services.change_rating(contact, users.manager, level=level(4), rag=rag("RED"), reason="Late information")
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"


def test_change_rating_refused_before_triage(users):
    contact = factories.submitted(users)
    with pytest.raises(services.RatingRefused):
        services.change_rating(contact, users.decision_maker, level=level(4), rag=rag("RED"), reason="Early view")
    assert not RatingChange.objects.exists()


def test_change_rating_refused_when_nothing_changes(users):
    first = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, first), users.decision_maker, first, "AMBER", 3)
    with pytest.raises(services.RatingRefused, match="same"):
        services.change_rating(contact, users.decision_maker, level=level(3), rag=rag("AMBER"), reason="No change")


def test_change_rating_allowed_while_awaiting_sign_off_and_when_challenged(users):
    contact, _ = factories.recommended(users)
    contact, _ = rerate_at(contact, users.manager, london(2026, 11, 11, 10, 0), "RED", 4)
    assert contact.rag_rating.code == "RED"


# -- urgent triggers and alerts ----------------------------------------------------------------


def test_urgent_trigger_creates_an_alert_for_managers_only(users):
    trigger = UrgentTrigger.objects.get(code="non-mobile-baby-injury")
    moment = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, moment), users.decision_maker, moment, "RED", 4, triggers=[trigger])
    flag = UrgentTriggerFlag.objects.get(contact=contact)
    assert (flag.trigger, flag.flagged_by) == (trigger, users.decision_maker)
    alert = Alert.objects.get(contact=contact)
    assert alert.kind == Alert.Kind.URGENT_TRIGGER
    assert trigger.label in alert.message
    assert alert.raised_by == users.decision_maker
    assert alert.is_open
    assert list(open_alerts(users.manager)) == [alert]
    assert list(open_alerts(users.second_manager)) == [alert]
    for who in ("officer", "decision_maker", "police", "administrator"):
        assert not open_alerts(getattr(users, who)).exists(), who
    assert factories.audit_events("contact.urgent_trigger", object_id=str(contact.pk)).count() == 1


def test_each_trigger_alerts_once(users):
    triggers = list(UrgentTrigger.objects.filter(code__in=["uasc", "homeless"]))
    moment = london(2026, 11, 11, 10, 0)
    contact = triage_at(submitted_at(users, moment), users.decision_maker, moment, "RED", 4, triggers=triggers)
    assert Alert.objects.filter(contact=contact).count() == 2
    services.flag_urgent_triggers(contact, users.manager, triggers)
    assert Alert.objects.filter(contact=contact).count() == 2
    assert UrgentTriggerFlag.objects.filter(contact=contact).count() == 2


def test_no_trigger_no_alert(users):
    moment = london(2026, 11, 11, 10, 0)
    triage_at(submitted_at(users, moment), users.decision_maker, moment, "RED", 4)
    assert not Alert.objects.exists()


def test_manager_home_page_shows_the_alert_and_officer_does_not(client, users):
    trigger = UrgentTrigger.objects.get(code="child-found-alone")
    contact = factories.triaged(users, rag_code="RED", level_number=4, triggers=[trigger])
    client.force_login(users.manager)
    html = client.get(reverse("workqueue:home")).content.decode()
    assert "Urgent alerts (1)" in html
    assert trigger.label in html
    assert contact.reference in html
    client.force_login(users.officer)
    html = client.get(reverse("workqueue:home")).content.decode()
    assert trigger.label not in html
    assert "Urgent alerts" not in html


def test_acknowledged_alert_leaves_the_queue(client, users):
    trigger = UrgentTrigger.objects.get(code="homeless")
    factories.triaged(users, rag_code="RED", level_number=4, triggers=[trigger])
    alert = Alert.objects.get()
    client.force_login(users.manager)
    response = client.post(reverse("workqueue:acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == users.manager
    assert not open_alerts(users.manager).exists()
    assert factories.audit_events("alert.acknowledged").count() == 1


# -- the pages --------------------------------------------------------------------------------


def test_triage_page_post(client, users):
    contact = factories.submitted(users)
    trigger = UrgentTrigger.objects.get(code="uasc")
    client.force_login(users.decision_maker)
    response = client.post(
        reverse("triage:triage", args=[contact.pk]),
        {"level_of_need": level(4).pk, "rag_rating": rag("RED").pk, "reason": REASON, "urgent_triggers": [trigger.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[contact.pk])
    contact.refresh_from_db()
    assert (contact.status, contact.rag_rating.code, contact.level_of_need.level) == ("triaged", "RED", 4)
    assert Alert.objects.filter(contact=contact).count() == 1


def test_triage_page_without_a_reason_shows_the_error(client, users):
    contact = factories.submitted(users)
    client.force_login(users.decision_maker)
    response = client.post(
        reverse("triage:triage", args=[contact.pk]), {"level_of_need": level(4).pk, "rag_rating": rag("RED").pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Say why you chose this rating." in html
    assert Contact.objects.get(pk=contact.pk).status == "awaiting_triage"


def test_change_rating_page_refusal_is_shown(client, users):
    contact, _, _ = factories.signed_off(users)
    client.force_login(users.manager)
    response = client.post(
        reverse("triage:change-rating", args=[contact.pk]),
        {"level_of_need": level(4).pk, "rag_rating": rag("RED").pk, "reason": "late"},
    )
    assert response.status_code == 200
    assert "before the outcome is signed off" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"


def test_officer_cannot_open_the_triage_pages(client, users):
    contact = factories.submitted(users)
    client.force_login(users.officer)
    assert client.get(reverse("triage:triage", args=[contact.pk])).status_code == 403
    response = client.post(
        reverse("triage:triage", args=[contact.pk]), {"level_of_need": level(4).pk, "rag_rating": rag("RED").pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert Contact.objects.get(pk=contact.pk).status == "awaiting_triage"


def test_sign_off_then_rerate_refused_via_service_with_stale_instance(users):
    """Even an instance loaded before sign-off cannot be re-rated once the outcome is signed off."""
    contact, _ = factories.recommended(users)
    stale = Contact.objects.get(pk=contact.pk)
    sign_off(Contact.objects.get(pk=contact.pk), users.manager)
    with pytest.raises(services.RatingRefused):
        services.change_rating(stale, users.manager, level=level(4), rag=rag("RED"), reason="Late information")
    assert Contact.objects.get(pk=contact.pk).rag_rating.code == "AMBER"
