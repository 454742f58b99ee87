"""The outcomes demo: every outcome signed off somewhere, with feedback in every state, through the real services."""

from __future__ import annotations

import random

import pytest
from django.db import transaction
from django.utils import timezone

from mash.audit.services import verify_chain
from mash.decisions import services as decisions
from mash.decisions.models import Decision, FeedbackCall, FeedbackWithheld, Outcome
from mash.demo import history, outcomes, stage2
from mash.intake.models import Contact

pytestmark = pytest.mark.django_db


def test_the_demo_signs_off_every_outcome_with_feedback_in_every_state(users):
    with transaction.atomic():
        history.load(users, rng=random.Random(history.SEED))
        stage2.load(users)
    before = set(Contact.objects.values_list("pk", flat=True))
    with transaction.atomic():
        line = outcomes.load(users)

    agreed = Decision.objects.filter(review=Decision.Review.AGREED)
    assert set(agreed.values_list("outcome", flat=True)) == set(Outcome.values), "every outcome is signed off somewhere"

    made = Contact.objects.exclude(pk__in=before).order_by("received_at")
    assert made.count() == len(outcomes.SCENARIOS)
    by_outcome = {decisions.agreed_decision(c).outcome: c for c in made}
    for contact in made:
        assert contact.reference in line
        changes = list(contact.status_changes.all())
        assert all(a.occurred_at <= b.occurred_at for a, b in zip(changes, changes[1:], strict=False))
        assert contact.received_at < contact.decided_at < timezone.now()

    # Referral conversion on the referral outcomes only, dated at the (back-dated) decision.
    for outcome, contact in by_outcome.items():
        assert (contact.referral_at is not None) == (outcome in {"transfer_allocated", "transfer_previous_team", "s47_strategy"}), outcome
        if contact.referral_at:
            assert contact.referral_at == contact.decided_at

    # Feedback in each state.
    assert by_outcome["transfer_allocated"].status == "closed"
    assert all(letter.is_sent for letter in by_outcome["transfer_allocated"].letters.all())
    kowalski = by_outcome["transfer_previous_team"]
    assert kowalski.status == "signed_off"
    assert [(r.recipient, r.done) for r in decisions.feedback_rows(kowalski)] == [("referrer", True), ("family", False)]
    (queue,) = decisions.queue_items(users.officer)
    assert any(item.contact == kowalski and item.task == "Send the outcome letter to the family" for item in queue.items)
    marac = by_outcome["marac"]
    assert marac.status == "closed"
    assert FeedbackWithheld.objects.get(contact=marac).recipient == "family"
    assert decisions.agreed_decision(marac).dash_score == 17
    s47 = by_outcome["s47_strategy"]
    assert s47.status == "closed" and not s47.letters.exists()
    assert sorted(FeedbackCall.objects.filter(contact=s47).values_list("recipient", flat=True)) == ["family", "referrer"]
    for outcome in ("adult_social_care", "other_local_authority", "police_action"):
        contact = by_outcome[outcome]
        assert contact.status == "closed", outcome
        assert decisions.agreed_decision(contact).destination, outcome
    ruby = by_outcome["other_local_authority"]
    assert ruby.letters.get(recipient="family").recipient_name == "Leah Marsden"
    closed = [c for c in made if c.status == "closed"]
    assert all(c.closed_at < timezone.now() for c in closed)
    assert verify_chain().ok
