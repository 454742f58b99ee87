"""Pages and access: who may raise, see, resolve and escalate disputes, and who may see the report."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mash.disputes.models import Dispute
from mash.domain.workflow import ContactStatus
from tests.factories import CONCERN_TEXT, audit_events

from .helpers import act_by, at, raise_by, signed_off_nfa

pytestmark = pytest.mark.django_db

ACT_STANDS = {
    "action": "decision_stands", "notes": "Talked it through.", "resolution_summary": "The NFA stands.", "learning": "None identified.",
}


def detail(dispute: Dispute) -> str:
    return reverse("disputes:detail", kwargs={"did": dispute.pk})


def act_url(dispute: Dispute) -> str:
    return reverse("disputes:act", kwargs={"did": dispute.pk})


@pytest.fixture(autouse=True)
def _sessions_survive_time_travel(settings):
    """The clock is frozen at times around the test's own: keep a login valid across them."""
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 3650


@pytest.fixture
def disputed(users):
    contact, _ = signed_off_nfa(users)
    return contact, raise_by(users.police, contact, hour=10)


# -- raising -----------------------------------------------------------------------------------


def test_the_police_raise_a_dispute_from_their_referrals_list(client, users):
    contact, _ = signed_off_nfa(users)
    other, _ = signed_off_nfa(users, referring_agency=None, referrer_agency="Demotown Primary School")
    client.force_login(users.police)
    with at(10):
        page = client.get(reverse("disputes:outcomes"))
    assert page.status_code == 200
    text = page.content.decode()
    assert contact.reference in text and other.reference not in text
    assert "Amelia Testcase" in text and "No further action" in text
    assert CONCERN_TEXT not in text and "Threshold not met" not in text  # the outcome only, not the MASH's reasoning
    assert audit_events("dispute.referral_outcomes_viewed").count() == 1

    url = reverse("disputes:raise", kwargs={"pk": contact.pk})
    assert url in text
    with at(10, 5):
        form = client.get(url)
        assert form.status_code == 200 and CONCERN_TEXT not in form.content.decode()
        response = client.post(url, {"grounds": "He has a history of violence we hold.", "proposed_outcome": "s47_strategy"})
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(dispute)
    assert dispute.raised_by == users.police and dispute.proposed_outcome == "s47_strategy"


def test_a_raise_with_no_grounds_keeps_what_was_chosen_and_says_why(client, users):
    contact, _ = signed_off_nfa(users)
    client.force_login(users.police)
    with at(10):
        response = client.post(reverse("disputes:raise", kwargs={"pk": contact.pk}), {"grounds": "", "proposed_outcome": "s17_assessment"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "Say why you disagree with the decision." in text
    assert 'value="s17_assessment" selected' in text
    assert not Dispute.objects.exists()


def test_a_partner_of_another_agency_cannot_see_or_dispute_the_referral(client, users, disputed):
    contact, dispute = disputed
    client.force_login(users.health)
    assert client.get(reverse("disputes:raise", kwargs={"pk": contact.pk})).status_code == 404
    assert client.get(detail(dispute)).status_code == 404
    assert client.get(act_url(dispute)).status_code == 404
    assert contact.reference not in client.get(reverse("disputes:outcomes")).content.decode()


def test_the_receiving_team_raises_from_its_transfer_and_another_team_cannot(client, users):
    from mash.accounts.models import Role, User
    from tests.stage2 import team

    contact, _ = signed_off_nfa(users, outcome="s17_assessment", team=team())
    url = reverse("disputes:raise", kwargs={"pk": contact.pk})
    client.force_login(users.receiving)
    with at(10):
        assert client.get(url).status_code == 200
        assert client.post(url, {"grounds": "This needs a section 47 enquiry, not section 17."}).status_code == 302
    dispute = Dispute.objects.get()
    assert client.get(detail(dispute)).status_code == 200
    elsewhere = User.objects.create(username="west", role=Role.RECEIVING_PRACTITIONER, agency=users.receiving.agency, team=team("Children in Need Team West"))
    client.force_login(elsewhere)
    assert client.get(url).status_code == 404
    assert client.get(detail(dispute)).status_code == 404


def test_mash_members_raise_from_the_contact_page(client, users):
    contact, _ = signed_off_nfa(users)
    client.force_login(users.officer)
    with at(10):
        page = client.get(reverse("intake:detail", kwargs={"pk": contact.pk})).content.decode()
    assert "Professional disagreements" in page and reverse("disputes:raise", kwargs={"pk": contact.pk}) in page


@pytest.mark.parametrize("who", ["strategic_manager", "assistant_director", "administrator", "dpo"])
def test_others_may_not_raise(client, users, who):
    contact, _ = signed_off_nfa(users)
    client.force_login(getattr(users, who))
    assert client.get(reverse("disputes:raise", kwargs={"pk": contact.pk})).status_code == 403


def test_an_already_disputed_decision_shows_why_not(client, users, disputed):
    contact, dispute = disputed
    client.force_login(users.officer)
    with at(10, 30):
        page = client.get(reverse("disputes:raise", kwargs={"pk": contact.pk})).content.decode()
    assert "already disputed" in page and detail(dispute) in page and "Raise the dispute" not in page


# -- who may resolve ---------------------------------------------------------------------------


def test_the_team_manager_who_signed_off_cannot_resolve(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.manager)
    with at(10, 30):
        page = client.get(act_url(dispute))
        assert page.status_code == 200 and "You signed off the disputed decision" in page.content.decode()
        assert client.post(act_url(dispute), ACT_STANDS).status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).is_open


def test_another_team_manager_resolves_and_the_police_see_the_result(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.second_manager)
    with at(10, 30):
        assert client.post(act_url(dispute), ACT_STANDS).status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).resolution == "decision_stands"
    client.force_login(users.police)
    with at(11):
        page = client.get(detail(dispute)).content.decode()
    assert "The decision stands" in page and "The NFA stands." in page
    # Partners see the result, not the MASH's internal reasoning.
    assert "Talked it through." not in page and "Single unexplained bruise" not in page and "None identified." not in page


@pytest.mark.parametrize("who", ["decision_maker", "officer", "police", "receiving"])
def test_practitioners_cannot_resolve(client, users, disputed, who):
    _, dispute = disputed
    client.force_login(getattr(users, who))
    with at(10, 30):
        status = client.post(act_url(dispute), ACT_STANDS).status_code
    assert status in (403, 404)
    assert Dispute.objects.get(pk=dispute.pk).is_open


def test_the_service_manager_cannot_act_on_the_team_manager_step(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.service_manager)
    with at(10, 30):
        assert client.post(act_url(dispute), ACT_STANDS).status_code == 403
        assert client.post(act_url(dispute), {"action": "escalate", "notes": "Skipping"}).status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).steps.count() == 1


def test_strategic_manager_and_assistant_director_only_at_their_level(client, users, disputed):
    _, dispute = disputed
    # Before the dispute reaches them they do not know it exists.
    for senior in (users.strategic_manager, users.assistant_director):
        client.force_login(senior)
        assert client.get(detail(dispute)).status_code == 404
    act_by(users.second_manager, dispute, "escalate", hour=10, minute=30)
    act_by(users.service_manager, Dispute.objects.get(pk=dispute.pk), "escalate", hour=11)
    client.force_login(users.assistant_director)
    assert client.get(detail(dispute)).status_code == 404
    client.force_login(users.strategic_manager)
    with at(11, 30):
        assert client.post(act_url(dispute), {"action": "escalate", "notes": "Needs the director."}).status_code == 302
    client.force_login(users.strategic_manager)
    with at(11, 45):
        assert client.post(act_url(dispute), ACT_STANDS).status_code == 403  # no longer their level
    client.force_login(users.assistant_director)
    with at(12):
        page = client.get(act_url(dispute)).content.decode()
        assert "Escalate to the next level" not in page and "final" in page
        assert client.post(act_url(dispute), {**ACT_STANDS, "action": "decision_changed", "agreed_outcome": "s47_strategy"}).status_code == 302
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.resolved_by == users.assistant_director and dispute.contact.status == ContactStatus.CHALLENGED


def test_escalating_without_a_reason_shows_the_error_and_keeps_the_choice(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.second_manager)
    with at(10, 30):
        response = client.post(act_url(dispute), {"action": "escalate", "notes": "", "learning": "Keep me"})
    text = response.content.decode()
    assert response.status_code == 200 and "Say why the disagreement could not be resolved at this level." in text
    assert "Keep me" in text
    assert re.search(r'value="escalate" id="[^"]+" checked', text)
    assert re.search(r'value="decision_stands" id="[^"]+">', text)


def test_escalation_shows_the_next_deadline(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.second_manager)
    with at(10, 30):
        response = client.post(act_url(dispute), {"action": "escalate", "notes": "We disagree about risk."}, follow=True)
    text = response.content.decode()
    assert "Escalated to the service manager" in text and "12:30 on 23/11/2026" in text


# -- what senior managers see ------------------------------------------------------------------


def test_senior_managers_see_what_they_need_on_the_dispute_page_and_never_the_contact(client, users, disputed):
    contact, dispute = disputed
    act_by(users.second_manager, dispute, "escalate", hour=10, minute=30)
    act_by(users.service_manager, Dispute.objects.get(pk=dispute.pk), "escalate", hour=11)
    client.force_login(users.strategic_manager)
    with at(11, 15):
        page = client.get(detail(dispute)).content.decode()
        assert client.get(reverse("intake:detail", kwargs={"pk": contact.pk})).status_code == 404
    for needed in (contact.reference, "Amelia Testcase", "No further action", "Single unexplained bruise", "Threshold not met on the information held.",
                   "Agreed: threshold not met.", "The bruise pattern needs a strategy discussion.", "We could not agree on the level of risk.",
                   "Team manager", "Service manager", "Strategic manager"):
        assert needed in page, needed
    assert CONCERN_TEXT not in page
    assert audit_events("dispute.viewed", actor_id=users.strategic_manager.pk).count() == 1


def test_the_disputes_page_lists_waiting_and_own_disputes(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.second_manager)
    assert detail(dispute) in client.get(reverse("disputes:index")).content.decode()
    client.force_login(users.police)
    assert detail(dispute) in client.get(reverse("disputes:index")).content.decode()
    client.force_login(users.health)
    assert detail(dispute) not in client.get(reverse("disputes:index")).content.decode()
    client.force_login(users.administrator)
    assert client.get(reverse("disputes:index")).status_code == 403


# -- the report --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "service_manager", "strategic_manager", "assistant_director"])
def test_managers_see_the_report(client, users, disputed, who):
    contact, _ = disputed
    client.force_login(getattr(users, who))
    with at(12):
        page = client.get(reverse("disputes:report"), {"month": "2026-11"})
        csv = client.get(reverse("disputes:report-csv"), {"month": "2026-11"})
    assert page.status_code == 200 and contact.reference in page.content.decode()
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert contact.reference in csv.content.decode() and "Sergeant Kate Whitfield" in csv.content.decode()
    assert audit_events("dispute.report_viewed").count() == 1 and audit_events("dispute.report_downloaded").count() == 1


@pytest.mark.parametrize("who", ["officer", "decision_maker", "police", "receiving", "administrator", "dpo"])
def test_others_may_not_see_the_report(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("disputes:report"), {"month": "2026-11"}).status_code == 403
    assert client.get(reverse("disputes:report-csv"), {"month": "2026-11"}).status_code == 403


def test_a_bad_month_is_explained(client, users):
    client.force_login(users.service_manager)
    response = client.get(reverse("disputes:report"), {"month": "2026-13"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and "The month must be between 01 and 12" in text and 'value="2026-13"' in text
    assert client.get(reverse("disputes:report-csv"), {"month": "nonsense"}).status_code == 400


def test_the_report_without_a_month_shows_this_month(client, users, disputed):
    contact, _ = disputed
    client.force_login(users.service_manager)
    with at(12):
        page = client.get(reverse("disputes:report")).content.decode()
    assert "November 2026" in page and contact.reference in page


def test_partners_see_their_disputes_on_the_home_page_queue(client, users, disputed):
    _, dispute = disputed
    client.force_login(users.police)
    with at(10, 30):
        page = client.get(reverse("workqueue:home")).content.decode()
    assert "Your disputes" in page and detail(dispute) in page
