"""Strategy discussions through the services: deadlines, delay reasons, warnings, actions on queues."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mash.decisions.services import challenge
from mash.partnership.models import AgencyKind
from mash.strategy import services
from mash.strategy.models import StrategyDiscussion
from tests.factories import audit_events, london

from .helpers import action_for, agency, arrange, attend, hold, s47

pytestmark = pytest.mark.django_db

POLICE, HEALTH, CSC = AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.CHILDRENS_SOCIAL_CARE


def queue(user, title):  # noqa: ANN001, ANN201
    return next((q for q in services.queue_items(user) if q.title == title), None)


class TestDeadlines:
    def test_red_is_due_at_closing_time_the_same_day(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False):  # a Tuesday
            contact, decision = s47(users)
            assert services.due_by_for(contact, decision) == london(2026, 11, 10, 17, 30)
            discussion = arrange(users, contact, london(2026, 11, 10, 14, 0))
        assert discussion.due_by == london(2026, 11, 10, 17, 30)
        assert discussion.decision_record == decision
        assert discussion.delay_reason == ""

    def test_red_decided_after_closing_is_due_before_midnight(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 19, 0), tick=False):
            contact, decision = s47(users)
            due = services.due_by_for(contact, decision)
        local = timezone.localtime(due)
        assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-10", 23, 59)

    def test_red_on_a_saturday_is_still_that_saturday(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 14, 11, 0), tick=False):
            contact, decision = s47(users)
            due = timezone.localtime(services.due_by_for(contact, decision))
        assert due.date().isoformat() == "2026-11-14"

    def test_amber_has_one_working_day(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False):
            contact, decision = s47(users, rag_code="AMBER")
            assert services.due_by_for(contact, decision) == london(2026, 11, 11, 10, 0)

    def test_clock_starts_at_the_recommendation_not_the_sign_off(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 16, 0), tick=False):
            contact, _ = s47(users, sign=False)
        with time_machine.travel(london(2026, 11, 11, 9, 30), tick=False):
            from mash.decisions.services import sign_off

            decision = sign_off(contact, users.manager, comment="Agreed.")
            contact.refresh_from_db()
            assert services.due_by_for(contact, decision) == london(2026, 11, 10, 17, 30)


class TestScheduling:
    def test_after_the_deadline_needs_a_reason(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False):
            contact, _ = s47(users)
            with pytest.raises(services.StrategyRefused) as refused:
                arrange(users, contact, london(2026, 11, 11, 10, 0))
            assert refused.value.field == "delay_reason"
            assert "17:30 on Tue 10 Nov 2026" in str(refused.value)
            assert not StrategyDiscussion.objects.exists()
            discussion = arrange(
                users,
                contact,
                london(2026, 11, 11, 10, 0),
                delay_reason="Police cannot attend until tomorrow; child safe with grandmother.",
            )
        assert discussion.delay_reason.startswith("Police cannot attend")
        event = audit_events("strategy.scheduled").get()
        assert "after the deadline" in event.summary
        assert event.reason.startswith("Police cannot attend")

    def test_a_reason_is_not_kept_when_on_time(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact, delay_reason="Not needed")
        assert discussion.delay_reason == ""

    def test_red_s47_may_be_convened_before_sign_off(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users, sign=False)
        assert arrange(users, contact).status == StrategyDiscussion.Status.SCHEDULED

    def test_refused_without_a_section_47_outcome(self, users) -> None:  # noqa: ANN001
        from tests.factories import recommended

        contact, _ = recommended(users, outcome="nfa")
        with pytest.raises(services.StrategyRefused, match="section 47"):
            arrange(users, contact)

    def test_refused_once_the_section_47_is_challenged(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users, sign=False)
        challenge(contact, users.manager, comment="Reconsider: is this s17?")
        with pytest.raises(services.StrategyRefused):
            arrange(users, contact)

    def test_only_deciders_arrange(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        for user in (users.officer, users.police, users.service_manager, users.receiving):
            with pytest.raises(services.StrategyRefused, match="decision maker or a team manager"):
                services.schedule(contact, user, kind="discussion", scheduled_for=timezone.now())
        assert services.schedule(contact, users.manager, kind="meeting", scheduled_for=timezone.now()).kind == "meeting"

    def test_cancel_needs_a_reason_and_is_audited(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        with pytest.raises(services.StrategyRefused):
            services.cancel(discussion, users.decision_maker, reason="  ")
        services.cancel(discussion, users.decision_maker, reason="Rearranged so that health can attend.")
        discussion.refresh_from_db()
        assert discussion.status == StrategyDiscussion.Status.CANCELLED
        assert audit_events("strategy.cancelled").get().reason == "Rearranged so that health can attend."
        with pytest.raises(services.StrategyRefused):
            services.add_attendee(discussion, users.decision_maker, agency=agency(POLICE), name="Someone")


class TestAttendees:
    def test_missing_health_is_warned_not_blocked(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        attend(users, discussion, POLICE, CSC)
        assert services.missing_agencies(discussion) == ["Health"]
        assert services.warnings(discussion) == [
            "No one from Health is recorded as attending: Working Together expects police, health and children's social "
            "care at every strategy discussion."
        ]
        found = hold(users, discussion)
        assert found == services.warnings(discussion)
        discussion.refresh_from_db()
        assert discussion.status == StrategyDiscussion.Status.HELD
        assert "No one from Health attended" in audit_events("strategy.recorded").get().summary

    def test_someone_who_did_not_attend_does_not_count(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        attend(users, discussion, POLICE, CSC)
        services.add_attendee(discussion, users.decision_maker, agency=agency(HEALTH), name="Dr Amir Shah", attended=False)
        assert services.missing_agencies(discussion) == ["Health"]
        health = discussion.attendees.get(name="Dr Amir Shah")
        services.set_attendance(health, users.decision_maker, attended=True)
        assert services.missing_agencies(discussion) == []
        assert services.warnings(discussion) == []

    def test_a_user_from_another_agency_is_refused(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        with pytest.raises(services.StrategyRefused, match="works for"):
            services.add_attendee(discussion, users.decision_maker, agency=agency(HEALTH), user=users.police)
        attendee = services.add_attendee(discussion, users.decision_maker, agency=agency(POLICE), user=users.police)
        assert attendee.name == users.police.display_name and attendee.job_title == users.police.job_title
        services.remove_attendee(attendee, users.decision_maker)
        assert not discussion.attendees.exists()
        assert audit_events("strategy.attendee_removed").count() == 1


class TestRecording:
    def test_held_after_the_deadline_needs_a_reason(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False):
            contact, _ = s47(users)
            discussion = arrange(users, contact, london(2026, 11, 10, 15, 0))
        with time_machine.travel(london(2026, 11, 10, 19, 0), tick=False):
            with pytest.raises(services.StrategyRefused) as refused:
                hold(users, discussion, held_at=london(2026, 11, 10, 18, 0))
            assert refused.value.field == "delay_reason"
            services.record_outcome(
                discussion,
                users.decision_maker,
                held_at=london(2026, 11, 10, 18, 0),
                information_considered="Police checks.",
                decision="joint_s47",
                rationale="Injury.",
                delay_reason="The police officer was at another incident.",
            )
        discussion.refresh_from_db()
        assert discussion.delay_reason == "The police officer was at another incident."

    def test_cannot_be_recorded_twice_or_in_the_future(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        with pytest.raises(services.StrategyRefused, match="future"):
            hold(users, discussion, held_at=timezone.now() + timedelta(hours=2))
        hold(users, discussion)
        with pytest.raises(services.StrategyRefused, match="cannot be recorded again"):
            hold(users, discussion)


class TestActions:
    def test_actions_appear_on_each_owners_queue_including_a_partners(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        attend(users, discussion, POLICE, CSC)
        with pytest.raises(services.StrategyRefused, match="Record the outcome"):
            action_for(users, discussion, users.police)
        hold(users, discussion)
        later = action_for(users, discussion, users.police, hours=6, text="Interview the mother's boyfriend")
        sooner = action_for(users, discussion, users.police, hours=1, text="Check the police national computer")
        mine = action_for(users, discussion, users.decision_maker, text="Speak to the school")
        theirs = action_for(users, discussion, users.receiving, hours=24, text="Start the section 47 enquiry")

        police_queue = queue(users.police, "Strategy discussion actions")
        assert [i.url for i in police_queue.items] == [reverse("strategy:action", args=[a.pk]) for a in (sooner, later)]
        assert police_queue.items[0].task == "Strategy action: Check the police national computer"
        assert police_queue.items[0].contact == contact
        assert [i.url for i in queue(users.decision_maker, "Strategy discussion actions").items] == [
            reverse("strategy:action", args=[mine.pk])
        ]
        assert [i.url for i in queue(users.receiving, "Strategy discussion actions").items] == [
            reverse("strategy:action", args=[theirs.pk])
        ]
        # Someone with no action gets no queue unless they work in the MASH.
        assert queue(users.health, "Strategy discussion actions") is None
        assert queue(users.officer, "Strategy discussion actions").items == []

    def test_overdue_actions_come_first(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact, timezone.now() - timedelta(minutes=20))
        hold(users, discussion, held_at=timezone.now() - timedelta(minutes=20))
        action_for(users, discussion, users.police, hours=2, text="Later")
        action_for(users, discussion, users.police, hours=-0.1, text="Overdue")
        items = queue(users.police, "Strategy discussion actions").items
        assert [i.overdue for i in items] == [True, False]

    def test_an_owner_completes_their_action(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        hold(users, discussion)
        action = action_for(users, discussion, users.police)
        with pytest.raises(services.StrategyRefused, match="Only the person"):
            services.complete_action(action, users.health, note="Done")
        with pytest.raises(services.StrategyRefused, match="Only the person"):
            services.complete_action(action, users.decision_maker, note="Done")
        with pytest.raises(services.StrategyRefused, match="Say what was done"):
            services.complete_action(action, users.police, note=" ")
        services.complete_action(action, users.police, note="Checks done; nothing further held.")
        action.refresh_from_db()
        assert action.is_done and action.completed_by == users.police
        assert queue(users.police, "Strategy discussion actions") is None
        assert audit_events("strategy.action_completed").get().actor_username == "police"
        with pytest.raises(services.StrategyRefused, match="already"):
            services.complete_action(action, users.police, note="Again")
        with pytest.raises(services.StrategyRefused, match="completed action stays"):
            services.remove_action(action, users.decision_maker)

    def test_a_team_manager_may_complete_anyones_action(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        hold(users, discussion)
        action = action_for(users, discussion, users.police)
        services.complete_action(action, users.manager, note="Police confirmed by telephone.")
        assert audit_events("strategy.action_completed").get().summary.endswith(f"by {users.manager}")

    def test_owner_must_be_a_caseworker(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        discussion = arrange(users, contact)
        hold(users, discussion)
        for owner in (users.administrator, users.dpo, users.strategic_manager):
            with pytest.raises(services.StrategyRefused):
                action_for(users, discussion, owner)


class TestSeveralDiscussions:
    def test_a_further_discussion_is_numbered_and_due_from_the_last_one_held(self, users) -> None:  # noqa: ANN001
        with time_machine.travel(london(2026, 11, 10, 10, 0), tick=False):
            contact, decision = s47(users)
            first = arrange(users, contact, london(2026, 11, 10, 11, 0))
        with time_machine.travel(london(2026, 11, 10, 12, 0), tick=False):
            hold(users, first, decision="further_discussion", held_at=london(2026, 11, 10, 11, 0))
            assert (
                queue(users.decision_maker, "Strategy discussions to hold").items[0].task
                == "Arrange a further strategy discussion"
            )
            second = arrange(users, contact, london(2026, 11, 11, 10, 0), kind="meeting")
        assert second.due_by == london(2026, 11, 11, 11, 0)
        assert second.delay_reason == ""
        assert [row.number for row in services.discussion_rows(contact)] == [1, 2]
        assert [row.title for row in services.discussion_rows(contact)] == ["Strategy discussion 1", "Strategy meeting 2"]
        assert audit_events("strategy.scheduled").count() == 2


class TestQueuesAndPanel:
    def test_discussions_to_hold_for_deciders_only(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        arrange_items = queue(users.decision_maker, "Strategy discussions to hold").items
        assert [i.task for i in arrange_items] == ["Arrange the strategy discussion (section 47)"]
        assert arrange_items[0].url == reverse("strategy:schedule", args=[contact.pk])
        discussion = arrange(users, contact)
        items = queue(users.manager, "Strategy discussions to hold").items
        assert len(items) == 1 and items[0].task.startswith("Hold strategy discussion 1")
        assert items[0].url == reverse("strategy:discussion", args=[contact.pk, discussion.pk])
        for user in (users.officer, users.police, users.receiving, users.service_manager):
            assert queue(user, "Strategy discussions to hold") is None
        hold(users, discussion)
        assert queue(users.decision_maker, "Strategy discussions to hold").items == []

    def test_contact_panel(self, users) -> None:  # noqa: ANN001
        contact, _ = s47(users)
        panel = services.contact_panel(contact, users.decision_maker)
        assert panel["show"] and panel["can_schedule"] and panel["none_arranged"] and panel["rows"] == []
        discussion = arrange(users, contact)
        attend(users, discussion, POLICE, CSC)
        panel = services.contact_panel(contact, users.officer)
        assert not panel["can_schedule"] and not panel["can_manage"]
        assert [row.warnings for row in panel["rows"]] == [services.warnings(discussion)]
        for user in (users.police, users.receiving, users.dpo, users.administrator, users.strategic_manager):
            assert services.contact_panel(contact, user) == {}

    def test_no_panel_without_a_section_47(self, users) -> None:  # noqa: ANN001
        from tests.factories import recommended

        contact, _ = recommended(users, outcome="nfa")
        assert services.contact_panel(contact, users.decision_maker) == {}
