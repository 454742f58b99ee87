"""Strategy discussion pages: the journey in the browser's terms, and who may open what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mash.partnership.models import AgencyKind
from mash.strategy.models import StrategyAction, StrategyDiscussion
from tests.factories import audit_events

from .helpers import INFO_MARKER, action_for, agency, arrange, attend, hold, s47

pytestmark = pytest.mark.django_db

HEALTH_WARNING = "No one from Health is recorded as attending"


def dt(prefix: str, when) -> dict[str, str]:  # noqa: ANN001
    local = timezone.localtime(when)
    return {f"{prefix}_date": local.strftime("%Y-%m-%d"), f"{prefix}_time": local.strftime("%H:%M")}


@pytest.fixture
def held(users):  # noqa: ANN001, ANN201
    """A RED s47 contact, a discussion held with police and social care (no health), actions for the police and the decision maker."""
    contact, _ = s47(users)
    discussion = arrange(users, contact, timezone.now() - timedelta(minutes=10))
    attend(users, discussion, AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE)
    hold(users, discussion, held_at=timezone.now() - timedelta(minutes=10))
    police = action_for(users, discussion, users.police, text="POLICE-ACTION-MARKER check records")
    mine = action_for(users, discussion, users.decision_maker, text="DM-ACTION-MARKER tell the school")
    return contact, discussion, police, mine


def mash_urls(contact, discussion, action) -> list[str]:  # noqa: ANN001
    attendee = discussion.attendees.first()
    args = [contact.pk, discussion.pk]
    return [
        reverse("strategy:schedule", args=[contact.pk]),
        reverse("strategy:discussion", args=args),
        reverse("strategy:cancel", args=args),
        reverse("strategy:attendees", args=args),
        reverse("strategy:attendee-remove", args=[*args, attendee.pk]),
        reverse("strategy:attendance", args=[*args, attendee.pk]),
        reverse("strategy:record", args=args),
        reverse("strategy:actions", args=args),
        reverse("strategy:action-remove", args=[*args, action.pk]),
    ]


class TestJourney:
    def test_arrange_add_attendees_record_and_add_an_action(self, client, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        client.force_login(users.decision_maker)
        page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
        assert "Strategy discussions" in page and "Arrange the strategy discussion" in page

        url = reverse("strategy:schedule", args=[contact.pk])
        assert "Due by" in client.get(url).content.decode()
        when = timezone.now() + timedelta(minutes=20)
        response = client.post(url, {"kind": "discussion", **dt("scheduled_for", when), "arrangements": "Teams call"})
        discussion = StrategyDiscussion.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("strategy:attendees", args=[contact.pk, discussion.pk])

        attendees_url = reverse("strategy:attendees", args=[contact.pk, discussion.pk])
        client.post(attendees_url, {"agency": agency(AgencyKind.POLICE).pk, "user": users.police.pk, "attended": "yes"})
        client.post(
            attendees_url,
            {
                "agency": agency(AgencyKind.CHILDRENS_SOCIAL_CARE).pk,
                "name": "Daniel Hughes",
                "job_title": "Social worker",
                "attended": "yes",
            },
        )
        assert discussion.attendees.count() == 2
        assert HEALTH_WARNING in client.get(reverse("strategy:discussion", args=[contact.pk, discussion.pk])).content.decode()
        assert HEALTH_WARNING in client.get(reverse("intake:detail", args=[contact.pk])).content.decode()

        record_url = reverse("strategy:record", args=[contact.pk, discussion.pk])
        assert HEALTH_WARNING in client.get(record_url).content.decode()
        response = client.post(
            record_url,
            {
                **dt("held_at", timezone.now()),
                "information_considered": "Police and school.",
                "decision": "joint_s47",
                "decision_rationale": "Injury and disclosure.",
            },
            follow=True,
        )
        assert HEALTH_WARNING in response.content.decode()  # warned again when the outcome is recorded
        discussion.refresh_from_db()
        assert discussion.status == StrategyDiscussion.Status.HELD

        actions_url = reverse("strategy:actions", args=[contact.pk, discussion.pk])
        client.post(
            actions_url,
            {
                "description": "Joint visit with police",
                "owner": users.police.pk,
                **dt("due_at", timezone.now() + timedelta(hours=3)),
            },
        )
        action = StrategyAction.objects.get()
        assert action.owner == users.police
        assert "Joint visit with police" in client.get(reverse("intake:detail", args=[contact.pk])).content.decode()

    def test_late_schedule_without_a_reason_keeps_what_was_typed(self, client, users) -> None:  # noqa: ANN001
        contact, decision = s47(users)
        client.force_login(users.manager)
        late = timezone.now() + timedelta(days=3)
        response = client.post(
            reverse("strategy:schedule", args=[contact.pk]),
            {"kind": "meeting", **dt("scheduled_for", late), "arrangements": "ROOM-4B"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in page and "Say why it cannot be held by then" in page
        assert "ROOM-4B" in page
        assert not StrategyDiscussion.objects.exists()

    def test_cancel(self, client, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        client.force_login(users.decision_maker)
        url = reverse("strategy:cancel", args=[contact.pk, discussion.pk])
        assert "Say why" in client.post(url, {"reason": ""}).content.decode()
        client.post(url, {"reason": "Rearranged"})
        discussion.refresh_from_db()
        assert discussion.status == StrategyDiscussion.Status.CANCELLED

    def test_removing_and_marking_attendance(self, client, users) -> None:  # noqa: ANN001
        contact, discussion, police_action, _ = self._held(users)
        client.force_login(users.decision_maker)
        attendee = discussion.attendees.get(agency__kind=AgencyKind.POLICE)
        client.post(reverse("strategy:attendance", args=[contact.pk, discussion.pk, attendee.pk]), {"attended": "no"})
        attendee.refresh_from_db()
        assert not attendee.attended
        client.post(reverse("strategy:attendee-remove", args=[contact.pk, discussion.pk, attendee.pk]))
        assert not discussion.attendees.filter(pk=attendee.pk).exists()
        client.post(reverse("strategy:action-remove", args=[contact.pk, discussion.pk, police_action.pk]))
        assert not StrategyAction.objects.filter(pk=police_action.pk).exists()

    @staticmethod
    def _held(users):  # noqa: ANN001, ANN205
        contact, _ = s47(users)
        discussion = arrange(users, contact, timezone.now() - timedelta(minutes=10))
        attend(users, discussion, AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE)
        hold(users, discussion, held_at=timezone.now() - timedelta(minutes=10))
        return contact, discussion, action_for(users, discussion, users.police), None


class TestAccess:
    @pytest.mark.parametrize(
        "who", ["police", "health", "receiving", "dpo", "administrator", "strategic_manager", "assistant_director"]
    )
    def test_outside_the_mash_every_mash_page_is_404(self, client, users, held, who) -> None:  # noqa: ANN001
        contact, discussion, police_action, _ = held
        client.force_login(getattr(users, who))
        for url in mash_urls(contact, discussion, police_action):
            assert client.get(url).status_code in (404, 405), url  # 405: a POST-only URL, whatever the id
            assert client.post(url, {}).status_code in (404, 405), url
        assert client.get(reverse("intake:detail", args=[contact.pk])).status_code == 404

    @pytest.mark.parametrize("who", ["officer", "service_manager"])
    def test_mash_members_who_do_not_decide_may_read_but_not_change(self, client, users, held, who) -> None:  # noqa: ANN001
        contact, discussion, police_action, _ = held
        client.force_login(getattr(users, who))
        page = client.get(reverse("strategy:discussion", args=[contact.pk, discussion.pk]))
        assert page.status_code == 200 and INFO_MARKER in page.content.decode()
        for url in mash_urls(contact, discussion, police_action):
            if url != reverse("strategy:discussion", args=[contact.pk, discussion.pk]):
                assert client.get(url).status_code in (403, 405), url
                assert client.post(url, {}).status_code == 403, url
        assert discussion.attendees.count() == 2 and StrategyAction.objects.count() == 2

    @pytest.mark.parametrize("who", ["decision_maker", "manager"])
    def test_deciders_open_every_page(self, client, users, held, who) -> None:  # noqa: ANN001
        contact, discussion, _, _ = held
        client.force_login(getattr(users, who))
        for name in ("discussion", "attendees", "actions", "cancel"):
            assert client.get(reverse(f"strategy:{name}", args=[contact.pk, discussion.pk])).status_code == 200, name
        # A held discussion is not recorded again.
        assert client.get(reverse("strategy:record", args=[contact.pk, discussion.pk])).status_code == 302
        assert client.get(reverse("strategy:schedule", args=[contact.pk])).status_code == 200

    def test_the_police_owner_sees_their_action_and_nothing_more(self, client, users, held) -> None:  # noqa: ANN001
        contact, discussion, police_action, dm_action = held
        client.force_login(users.police)
        response = client.get(reverse("strategy:action", args=[police_action.pk]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Amelia Testcase" in page and "27 March 2015" in page
        assert "POLICE-ACTION-MARKER" in page
        assert "Sergeant Kate Whitfield" in page and "attended" in page  # their own agency's attendance
        assert "Daniel Hughes" not in page  # not other agencies' attendance
        assert INFO_MARKER not in page
        assert "Reasonable cause" not in page  # not the decision's reasons
        assert "SECRET-CONCERN-MARKER" not in page
        assert reverse("intake:detail", args=[contact.pk]) not in page
        assert audit_events("strategy.action_viewed", actor_username="police").count() == 1
        # Another person's action: 404, and it cannot be completed.
        assert client.get(reverse("strategy:action", args=[dm_action.pk])).status_code == 404
        assert client.post(reverse("strategy:action", args=[dm_action.pk]), {"note": "x"}).status_code == 404

    def test_the_police_owner_completes_the_action_from_their_queue(self, client, users, held) -> None:  # noqa: ANN001
        _, _, police_action, _ = held
        client.force_login(users.police)
        home = client.get(reverse("workqueue:home")).content.decode()
        url = reverse("strategy:action", args=[police_action.pk])
        assert "Strategy discussion actions" in home and url in home
        assert "There is a problem" in client.post(url, {"note": ""}).content.decode()
        response = client.post(url, {"note": "PNC checks done."})
        assert response.status_code == 302
        police_action.refresh_from_db()
        assert police_action.is_done and police_action.completion_note == "PNC checks done."
        assert url not in client.get(reverse("workqueue:home")).content.decode()

    def test_other_partners_get_404_for_the_police_action(self, client, users, held) -> None:  # noqa: ANN001
        _, _, police_action, _ = held
        for who in ("health", "education", "receiving", "dpo", "administrator", "strategic_manager"):
            client.force_login(getattr(users, who))
            assert client.get(reverse("strategy:action", args=[police_action.pk])).status_code == 404, who

    def test_mash_members_may_open_an_action_but_only_its_owner_or_a_manager_completes_it(self, client, users, held) -> None:  # noqa: ANN001
        contact, _, police_action, _ = held
        url = reverse("strategy:action", args=[police_action.pk])
        client.force_login(users.officer)
        page = client.get(url).content.decode()
        assert reverse("intake:detail", args=[contact.pk]) in page and "Mark as done" not in page
        assert client.post(url, {"note": "x"}).status_code == 403
        client.force_login(users.manager)
        assert "Mark as done" in client.get(url).content.decode()
        client.post(url, {"note": "Confirmed by phone."})
        police_action.refresh_from_db()
        assert police_action.completed_by == users.manager
