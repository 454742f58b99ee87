"""Dip-sample audits (seed 002 §16): drawing a month, auditing, who reads findings, the summary, queues, the task."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from mash.audit.models import AuditEvent
from mash.oversight import services, tasks
from mash.oversight.models import AssessmentOutcome, AuditSample, CaseAudit
from mash.oversight.services import OversightRefused
from tests.factories import london

from .helpers import at, signed_off_at, team

OCTOBER = date(2026, 10, 1)
IN_NOVEMBER = london(2026, 11, 2, 9, 0)


@pytest.fixture
def october(users):
    """Six NFA outcomes recommended by the decision maker, a section 17 recommended by the second team manager
    (its assessment ended NFA on 20 October), and one NFA signed off in September that must not count."""
    nfa = [signed_off_at(users, london(2026, 10, 5 + i, 11, 0), surname=f"Octnfa{i}") for i in range(6)]
    s17 = signed_off_at(users, london(2026, 10, 6, 15, 0), outcome="s17_assessment", by=users.second_manager, team=team(), surname="Octsec")
    september = signed_off_at(users, london(2026, 9, 29, 11, 0), surname="Septnfa")
    with at(london(2026, 10, 20, 15, 0)):
        services.record_assessment_result(s17, users.receiving, result="nfa", completed_on=date(2026, 10, 20), summary="No concerns found.")
    return {"nfa": nfa, "s17": s17, "september": september}


def drawn(stream: str) -> set[int]:
    return set(AuditSample.objects.filter(month=OCTOBER, stream=stream).values_list("contact_id", flat=True))


# =========================================================================== drawing a month


def test_the_month_is_drawn_by_the_rules(users, october):
    with at(IN_NOVEMBER):
        created = services.draw_month(OCTOBER)
    nfa_ids = {c.pk for c in october["nfa"]}
    per_worker = AuditSample.objects.filter(month=OCTOBER, stream="per_worker")
    assert {s.worker for s in per_worker} == {users.decision_maker, users.second_manager}  # one per worker
    assert per_worker.get(worker=users.second_manager).contact == october["s17"]
    assert per_worker.get(worker=users.decision_maker).contact_id in nfa_ids
    assert len(drawn("nfa")) == 2 and drawn("nfa") <= nfa_ids  # ceil(20% of 6)
    assert drawn("assessment_nfa") == {october["s17"].pk}
    assert len(created) == 5
    assert october["september"].pk not in set(AuditSample.objects.values_list("contact_id", flat=True))
    assert AuditEvent.objects.filter(action="oversight.audit_sample_drawn").count() == 5
    assert all(s.worker is not None for s in AuditSample.objects.all())


def test_drawing_again_keeps_the_samples_and_adds_only_what_is_missing(users, october):
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
        before = set(AuditSample.objects.values_list("pk", "contact_id", "stream"))
        assert services.draw_month(OCTOBER) == []
        assert set(AuditSample.objects.values_list("pk", "contact_id", "stream")) == before
    # Four more NFA outcomes signed off late in October (e.g. the month was drawn by hand early): 10 NFA -> 2, so none added;
    # a fifth makes 11 -> 3, and one more is drawn while the first two stay.
    for i in range(5):
        signed_off_at(users, london(2026, 10, 30, 10 + i, 0), surname=f"Late{i}")
    with at(IN_NOVEMBER):
        added = services.draw_month(OCTOBER)
    assert [s.stream for s in added] == ["nfa"]
    assert before <= set(AuditSample.objects.values_list("pk", "contact_id", "stream"))
    assert len(drawn("nfa")) == 3


def test_the_draw_is_the_same_for_the_same_month(users, october):
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
    first = set(AuditSample.objects.values_list("contact_id", "stream"))
    AuditSample.objects.all().delete()
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
    assert set(AuditSample.objects.values_list("contact_id", "stream")) == first


def test_the_nfa_share_is_partnership_configuration(users, october):
    from mash.partnership.models import Partnership

    Partnership.objects.update(nfa_audit_percent=50)
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
    assert len(drawn("nfa")) == 3


def test_a_month_not_started_cannot_be_drawn(users):
    with at(IN_NOVEMBER), pytest.raises(OversightRefused, match="not started yet"):
        services.draw_month(date(2026, 12, 1))


@pytest.mark.parametrize("who", ["officer", "decision_maker", "strategic_manager", "police", "administrator"])
def test_only_managers_draw_by_hand(users, who):
    with at(IN_NOVEMBER), pytest.raises(OversightRefused):
        services.draw_month(OCTOBER, getattr(users, who))


@pytest.mark.parametrize(("text", "message"), [("2026-13", "is not a month"), ("October", "is not a month"), ("26-10", "is not a month"),
                                               ("2026-12", "not started yet")])
def test_parse_month_refuses_in_words(text, message):
    with at(IN_NOVEMBER), pytest.raises(OversightRefused, match=message):
        services.parse_month(text)


def test_parse_month():
    with at(IN_NOVEMBER):
        assert services.parse_month("2026-10") == OCTOBER
        assert services.parse_month(" 2026-1 ") == date(2026, 1, 1)
        assert services.previous_month() == OCTOBER
    assert services.previous_month(date(2027, 1, 1)) == date(2026, 12, 1)


# =========================================================================== auditing


def sample_of(users, stream: str, worker) -> AuditSample:  # noqa: ANN001
    contact = signed_off_at(users, london(2026, 10, 7, 11, 0), by=worker if worker != users.decision_maker else None, surname="Sampled")
    return AuditSample.objects.create(month=OCTOBER, contact=contact, stream=stream, worker=worker)


AUDIT = {"grade": "requires_improvement", "findings": "Analysis thin on the history.", "learning": "Use the chronology.", "actions": "Supervision."}


def test_a_team_manager_audits_a_workers_case(users):
    sample = sample_of(users, "per_worker", users.decision_maker)
    case_audit = services.complete_audit(sample, users.manager, **AUDIT)
    assert (case_audit.auditor, case_audit.grade) == (users.manager, "requires_improvement")
    event = AuditEvent.objects.get(action="oversight.case_audited")
    assert event.object_id == str(sample.contact_id) and "Requires improvement" in event.summary
    with pytest.raises(OversightRefused, match="already been audited"):
        services.complete_audit(sample, users.second_manager, **AUDIT)


@pytest.mark.parametrize(("stream", "who", "allowed"), [
    ("per_worker", "manager", True), ("per_worker", "second_manager", True), ("per_worker", "service_manager", False),
    ("nfa", "service_manager", True), ("nfa", "manager", False),
    ("assessment_nfa", "service_manager", True), ("assessment_nfa", "manager", False),
    ("per_worker", "strategic_manager", False), ("per_worker", "decision_maker", False), ("per_worker", "officer", False),
])
def test_who_audits_which_stream(users, stream, who, allowed):
    sample = sample_of(users, stream, users.decision_maker)
    assert services.may_audit(getattr(users, who), sample) is allowed
    if not allowed:
        with pytest.raises(OversightRefused):
            services.complete_audit(sample, getattr(users, who), **AUDIT)
        assert not CaseAudit.objects.exists()


def test_nobody_audits_their_own_case(users):
    sample = sample_of(users, "per_worker", users.second_manager)
    with pytest.raises(OversightRefused, match="your own case"):
        services.complete_audit(sample, users.second_manager, **AUDIT)
    assert services.may_audit(users.manager, sample)


@pytest.mark.parametrize("missing", ["grade", "findings", "learning"])
def test_an_audit_needs_a_grade_findings_and_learning(users, missing):
    sample = sample_of(users, "per_worker", users.decision_maker)
    with pytest.raises(OversightRefused):
        services.complete_audit(sample, users.manager, **{**AUDIT, missing: ""})


# =========================================================================== who may see findings (all 14 demo users)

FINDINGS_READERS = {"manager", "second_manager", "service_manager", "strategic_manager", "assistant_director"}
ALL_USERS = ["officer", "decision_maker", "manager", "second_manager", "police", "health", "education", "administrator",
             "probation", "receiving", "dpo", "service_manager", "strategic_manager", "assistant_director"]


@pytest.mark.parametrize("who", ALL_USERS)
def test_audit_findings_access_matrix(users, client, who):
    own = sample_of(users, "per_worker", users.decision_maker)
    services.complete_audit(own, users.manager, **AUDIT)
    others = sample_of(users, "per_worker", users.second_manager)
    services.complete_audit(others, users.manager, **{**AUDIT, "findings": "OTHER-WORKER-FINDINGS"})
    client.force_login(getattr(users, who))

    expected = 200 if who in FINDINGS_READERS or who == "decision_maker" else 403
    page = client.get(f"/oversight/audits/{own.pk}/")
    assert page.status_code == expected
    assert ("Analysis thin on the history." in page.content.decode()) is (expected == 200)

    expected = 200 if who in FINDINGS_READERS else 403  # the decision maker is not the worker here
    page = client.get(f"/oversight/audits/{others.pk}/")
    assert page.status_code == expected
    assert ("OTHER-WORKER-FINDINGS" in page.content.decode()) is (expected == 200)

    expected = 200 if who in FINDINGS_READERS else 403
    assert client.get("/oversight/audits/?month=2026-10").status_code == expected


def test_reading_findings_is_audited_and_senior_managers_see_no_child_details(users, client):
    sample = sample_of(users, "nfa", users.decision_maker)
    services.complete_audit(sample, users.service_manager, **AUDIT)
    client.force_login(users.strategic_manager)
    body = client.get(f"/oversight/audits/{sample.pk}/").content.decode()
    assert "Analysis thin on the history." in body
    assert "Sampled" not in body and "Analysis of the case." not in body  # no child's name, no MASH analysis
    assert f"/contacts/{sample.contact_id}/" not in body
    client.force_login(users.service_manager)
    body = client.get(f"/oversight/audits/{sample.pk}/").content.decode()
    assert "Sampled" in body and f"/contacts/{sample.contact_id}/" in body
    assert AuditEvent.objects.filter(action="oversight.case_audit_viewed").count() == 2


def test_the_audit_form(users, client):
    sample = sample_of(users, "per_worker", users.decision_maker)
    client.force_login(users.manager)
    page = client.get(f"/oversight/audits/{sample.pk}/")
    assert page.status_code == 200 and "Complete the audit" in page.content.decode()
    response = client.post(f"/oversight/audits/{sample.pk}/", {**AUDIT, "learning": ""})
    assert response.status_code == 200 and "Write the learning from this case." in response.content.decode()
    assert client.post(f"/oversight/audits/{sample.pk}/", AUDIT).status_code == 302
    assert CaseAudit.objects.get(sample=sample).auditor == users.manager


@pytest.mark.parametrize("who", ["service_manager", "strategic_manager", "decision_maker"])
def test_readers_who_may_not_audit_cannot_post(users, client, who):
    sample = sample_of(users, "per_worker", users.decision_maker)
    client.force_login(getattr(users, who))
    assert client.post(f"/oversight/audits/{sample.pk}/", AUDIT).status_code == 403
    assert not CaseAudit.objects.exists()


def test_own_case_shows_why_there_is_no_form(users, client):
    sample = sample_of(users, "per_worker", users.second_manager)
    client.force_login(users.second_manager)
    body = client.get(f"/oversight/audits/{sample.pk}/").content.decode()
    assert "This is your own case" in body and "Complete the audit" not in body
    assert client.post(f"/oversight/audits/{sample.pk}/", AUDIT).status_code == 403


# =========================================================================== the monthly summary


def test_the_monthly_summary(users, client, october):
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
        per_worker = AuditSample.objects.get(month=OCTOBER, stream="per_worker", worker=users.decision_maker)
        services.complete_audit(per_worker, users.manager, **{**AUDIT, "grade": "good", "learning": "LEARNING-THEME-ONE"})
        nfa = AuditSample.objects.filter(month=OCTOBER, stream="nfa").first()
        services.complete_audit(nfa, users.service_manager, **{**AUDIT, "grade": "inadequate", "learning": "LEARNING-THEME-TWO"})
        summary = services.month_summary(OCTOBER)
        client.force_login(users.strategic_manager)
        body = client.get("/oversight/audits/?month=2026-10").content.decode()
    streams = {s.stream: (s.drawn, s.done, s.outstanding) for s in summary.streams}
    assert streams == {"per_worker": (2, 1, 1), "nfa": (2, 1, 1), "assessment_nfa": (1, 0, 1)}
    assert dict(summary.grades) == {"Outstanding": 0, "Good": 1, "Requires improvement": 0, "Inadequate": 1}
    assert (summary.cases_signed_off, summary.nfa_outcomes) == (7, 6)
    workers = {str(w.worker): (w.drawn, w.done) for w in summary.workers}
    assert workers[str(users.second_manager)] == (2, 0)  # per worker and assessment NFA
    assert "LEARNING-THEME-ONE" in body and "LEARNING-THEME-TWO" in body
    assert "October 2026" in body
    assert "Draw the samples" not in body  # the strategic manager reads; managers draw


def test_the_summary_explains_a_bad_month(users, client):
    client.force_login(users.manager)
    with at(IN_NOVEMBER):
        response = client.get("/oversight/audits/?month=2026-13")
        assert response.status_code == 400
        assert "is not a month. Enter the month as YYYY-MM, for example 2026-10." in response.content.decode().replace("&#x27;", "'")
        response = client.get("/oversight/audits/?month=2027-02")
        assert response.status_code == 400 and "has not started yet" in response.content.decode()
        response = client.get("/oversight/audits/")
        assert response.status_code == 200 and "October 2026" in response.content.decode()


def test_a_manager_draws_a_month_by_hand(users, client, october):
    client.force_login(users.service_manager)
    with at(IN_NOVEMBER):
        response = client.post("/oversight/audits/draw/", {"month": "2026-10"})
        assert response.status_code == 302 and response["Location"] == "/oversight/audits/?month=2026-10"
        assert AuditSample.objects.filter(month=OCTOBER).count() == 5
        client.post("/oversight/audits/draw/", {"month": "2026-10"})
        assert AuditSample.objects.filter(month=OCTOBER).count() == 5
        response = client.post("/oversight/audits/draw/", {"month": "soon"})
        assert response.status_code == 400 and "is not a month" in response.content.decode()
    client.force_login(users.decision_maker)
    assert client.post("/oversight/audits/draw/", {"month": "2026-10"}).status_code == 403


# =========================================================================== queues


def queue(user, title):  # noqa: ANN001, ANN201
    found = [q for q in services.queue_items(user) if q.title == title]
    return found[0].items if found else None


def test_case_audits_reach_the_right_auditors(users, october):
    with at(IN_NOVEMBER):
        services.draw_month(OCTOBER)
        manager = queue(users.manager, "Case audits to complete")
        second = queue(users.second_manager, "Case audits to complete")
        service = queue(users.service_manager, "Case audits to complete")
    assert len(manager) == 2 and len(second) == 1  # the second manager's own case is not on their queue
    assert len(service) == 3  # two NFA outcomes and one assessment NFA
    assert all(item.url.startswith("/oversight/audits/") for item in manager + service)
    assert str(manager[0].due_at.date()) == "2026-12-01"
    for who in ("officer", "decision_maker", "strategic_manager", "police", "receiving"):
        assert queue(getattr(users, who), "Case audits to complete") is None
    services.complete_audit(AuditSample.objects.get(stream="assessment_nfa"), users.service_manager, **AUDIT)
    with at(IN_NOVEMBER):
        assert len(queue(users.service_manager, "Case audits to complete")) == 2


# =========================================================================== assessment results


def test_the_receiving_team_records_the_assessment_result(users, client):
    contact = signed_off_at(users, london(2026, 10, 6, 15, 0), outcome="s17_assessment", team=team(), surname="Assessed")
    with at(london(2026, 10, 19, 9, 0)):
        assert [i.contact for i in queue(users.receiving, "Assessment results to record")] == [contact]
        client.force_login(users.receiving)
        url = f"/transfers/{contact.pk}/assessment-result/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"result": "nfa", "completed_on_day": "20", "completed_on_month": "10", "completed_on_year": "2026"})
        assert response.status_code == 200 and "must be today or in the past" in response.content.decode()
        response = client.post(url, {"result": "nfa", "completed_on_day": "1", "completed_on_month": "10", "completed_on_year": "2026"})
        assert response.status_code == 200 and "before the MASH decision" in response.content.decode()
        response = client.post(url, {"result": "nfa", "completed_on_day": "16", "completed_on_month": "10", "completed_on_year": "2026", "summary": "Fine."})
        assert response.status_code == 302 and response["Location"] == f"/transfers/{contact.pk}/"
        assert queue(users.receiving, "Assessment results to record") == []
    outcome = AssessmentOutcome.objects.get(contact=contact)
    assert (outcome.result, outcome.completed_on, outcome.recorded_by) == ("nfa", date(2026, 10, 16), users.receiving)
    assert AuditEvent.objects.filter(action="oversight.assessment_result_recorded", object_id=str(contact.pk)).exists()
    assert AuditEvent.objects.filter(action="oversight.assessment_result_viewed", object_id=str(contact.pk)).exists()


def test_the_assessment_result_page_is_for_the_team_it_was_sent_to(users, client):
    sent = signed_off_at(users, london(2026, 10, 6, 15, 0), outcome="s17_assessment", team=team(), surname="Assessed")
    elsewhere = signed_off_at(users, london(2026, 10, 6, 16, 0), outcome="s17_assessment", team=team("Safeguarding Team East"), surname="Other")
    client.force_login(users.receiving)
    assert client.get(f"/transfers/{elsewhere.pk}/assessment-result/").status_code == 404
    for who in ("officer", "manager", "police", "strategic_manager", "administrator"):
        client.force_login(getattr(users, who))
        assert client.get(f"/transfers/{sent.pk}/assessment-result/").status_code == 403
    with pytest.raises(OversightRefused):
        services.record_assessment_result(elsewhere, users.receiving, result="nfa", completed_on=date(2026, 10, 7))


# =========================================================================== the scheduled task


def test_the_task_draws_the_previous_month(users, settings, october):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    with at(london(2026, 11, 1, 6, 0)):
        assert tasks.draw_previous_month.enqueue().return_value == 5
        assert tasks.draw_previous_month.enqueue().return_value == 0
    assert AuditSample.objects.filter(month=OCTOBER).count() == 5
    assert AuditEvent.objects.filter(action="oversight.audit_sample_drawn", actor_id__isnull=True).count() == 5


def test_the_task_schedules_itself_for_the_first_of_next_month(db):
    from django_tasks_db.models import DBTaskResult

    with at(london(2026, 11, 1, 6, 0, )):
        when = tasks.schedule_next_month(tasks.draw_previous_month)
    assert when == london(2026, 12, 1, 6, 0)
    result = DBTaskResult.objects.get(task_path="mash.oversight.tasks.draw_previous_month")
    assert result.run_after == london(2026, 12, 1, 6, 0)
    with at(london(2026, 12, 1, 6, 0)):
        assert tasks.next_first_of_month() == london(2027, 1, 1, 6, 0)


def test_schedule_tasks_starts_the_monthly_draw(db):
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("schedule_tasks", stdout=out)
    assert "mash.oversight.tasks.draw_previous_month" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path="mash.oversight.tasks.draw_previous_month").exists()
