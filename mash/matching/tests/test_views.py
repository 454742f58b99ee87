"""Matching pages: who may open them, the review decisions, uploads, the job page's progress, and the audit of every view."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.matching import services
from mash.matching.forms import spark_available
from mash.matching.models import CandidatePair, LinkageJob, PersonMerge
from mash.partnership.models import Agency
from mash.people.services import person_record

from .conftest import crowd, default_model, make_person

pytestmark = pytest.mark.django_db

REASON = "Same NHS number, and the school confirmed the spelling."


def pair_between(users, left, right, *, job=None, probability=0.9, status=CandidatePair.Status.PENDING, **fields):  # noqa: ANN001
    job = job or LinkageJob.objects.create(kind=LinkageJob.Kind.DEDUPLICATE, started_by=users.administrator, status=LinkageJob.Status.DONE)
    result = services.explain(person_record(left), person_record(right), default_model())
    return CandidatePair.objects.create(
        job=job, left=left, right=right, probability=probability, match_weight=result.match_weight,
        comparisons=services.comparisons_as_dicts(result), status=status, **fields,
    )


@pytest.fixture
def scene(users, model_row):  # noqa: ANN001
    """A finished job with one pending pair, one rejected pair and a merge."""
    amelia, amelie = make_person(), make_person(forenames="Amelie", postcode="NN4 7SX")
    josh, joshua = make_person(forenames="Josh", sex="M"), make_person(forenames="Joshua", sex="M")
    kai, kai2 = make_person(forenames="Kai", surname="Other"), make_person(forenames="Kai", surname="Others")
    pending = pair_between(users, amelia, amelie)
    rejected = pair_between(users, josh, joshua, job=pending.job, status=CandidatePair.Status.REJECTED)
    merge = services.merge_people(users.manager, survivor=kai, merged=kai2, reason=REASON)
    return {"job": pending.job, "pending": pending, "rejected": rejected, "merge": merge}


def urls(scene) -> dict[str, str]:  # noqa: ANN001
    return {
        "overview": reverse("matching:index"),
        "models": reverse("matching:models"),
        "model": reverse("matching:model", kwargs={"version": 1}),
        "job": reverse("matching:job", kwargs={"job_id": scene["job"].pk}),
        "progress": reverse("matching:job-progress", kwargs={"job_id": scene["job"].pk}),
        "review": reverse("matching:review"),
        "pair": reverse("matching:pair", kwargs={"pair_id": scene["pending"].pk}),
        "merges": reverse("matching:merges"),
        "merge": reverse("matching:merge", kwargs={"merge_id": scene["merge"].pk}),
    }


def posts(scene) -> list[str]:  # noqa: ANN001
    job = scene["job"].pk
    return [
        reverse("matching:deduplicate"),
        reverse("matching:upload"),
        reverse("matching:activate-model", kwargs={"version": 1}),
        reverse("matching:retry-job", kwargs={"job_id": job}),
        reverse("matching:confirm-cluster", kwargs={"job_id": job, "cluster": 1}),
        reverse("matching:pair", kwargs={"pair_id": scene["pending"].pk}),
        reverse("matching:merge", kwargs={"merge_id": scene["merge"].pk}),
    ]


REVIEW_ONLY = ("review", "pair", "merges", "merge")


@pytest.mark.parametrize("role", ["officer", "decision_maker", "police", "receiving", "dpo", "strategic_manager"])
def test_people_outside_matching_get_403_on_every_page(client, users, scene, role):
    client.force_login(getattr(users, role))
    for name, url in urls(scene).items():
        assert client.get(url).status_code == 403, name
    for url in posts(scene):
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    scene["pending"].refresh_from_db()
    assert scene["pending"].status == CandidatePair.Status.PENDING and not scene["merge"].is_undone


@pytest.mark.parametrize("role", ["manager", "service_manager"])
def test_reviewers_open_every_page(client, users, scene, role):
    client.force_login(getattr(users, role))
    for name, url in urls(scene).items():
        assert client.get(url).status_code == 200, name


def test_the_administrator_runs_jobs_but_never_sees_the_children(client, users, scene):
    """Configuration, not casework: progress, counts and the model, but no names, and no review pages."""
    client.force_login(users.administrator)
    for name, url in urls(scene).items():
        expected = 403 if name in REVIEW_ONLY else 200
        response = client.get(url)
        assert response.status_code == expected, name
        if expected == 200:
            text = response.content.decode()
            for held in ("Amelia", "Amelie", "Josh", "Kai Other"):
                assert held not in text, (name, held)
    for url in posts(scene)[4:]:
        assert client.post(url, {"reason": "x"}).status_code == 403, url


def test_only_administrators_start_jobs_and_change_the_model(client, users, scene):
    client.force_login(users.manager)
    page = client.get(reverse("matching:index")).content.decode()
    assert "Start deduplication" not in page and "Upload and link" not in page
    assert client.post(reverse("matching:deduplicate"), {"dedupe-backend": "duckdb"}).status_code == 403
    client.force_login(users.administrator)
    page = client.get(reverse("matching:index")).content.decode()
    assert "Start deduplication" in page and "Upload and link" in page


def test_unknown_ids_are_404(client, users, scene):
    client.force_login(users.manager)
    for url in [
        reverse("matching:job", kwargs={"job_id": 9999}),
        reverse("matching:job-progress", kwargs={"job_id": 9999}),
        reverse("matching:pair", kwargs={"pair_id": 9999}),
        reverse("matching:merge", kwargs={"merge_id": 9999}),
        reverse("matching:model", kwargs={"version": 99}),
        reverse("matching:review") + "?job=9999",
        reverse("matching:review") + "?job=abc",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("matching:confirm-cluster", kwargs={"job_id": scene["job"].pk, "cluster": 7}), {}).status_code == 404
    client.force_login(users.administrator)
    for url in [reverse("matching:job", kwargs={"job_id": 9999}), reverse("matching:model", kwargs={"version": 99})]:
        assert client.get(url).status_code == 404, url


def test_the_review_queue_lists_only_pending_pairs_and_is_audited(client, users, scene):
    client.force_login(users.manager)
    page = client.get(reverse("matching:review") + f"?job={scene['job'].pk}")
    text = page.content.decode()
    assert reverse("matching:pair", kwargs={"pair_id": scene["pending"].pk}) in text
    assert reverse("matching:pair", kwargs={"pair_id": scene["rejected"].pk}) not in text
    assert "1 pair waiting" in text
    event = AuditEvent.objects.get(action="match_pair.list_viewed")
    assert f"#{scene['pending'].pk}" in event.summary and event.actor_id == users.manager.pk


def test_the_pair_page_shows_both_records_and_the_reasons_and_is_audited(client, users, scene):
    client.force_login(users.manager)
    text = client.get(reverse("matching:pair", kwargs={"pair_id": scene["pending"].pk})).content.decode()
    assert "Amelia" in text and "Amelie" in text and "NN4 7SX" in text
    assert "What agrees" in text and "What differs" in text
    assert "90% likely" in text
    assert AuditEvent.objects.filter(action="match_pair.viewed", object_id=str(scene["pending"].pk)).count() == 1


def test_confirming_without_a_reason_keeps_what_was_chosen(client, users, scene):
    pair = scene["pending"]
    client.force_login(users.manager)
    url = reverse("matching:pair", kwargs={"pair_id": pair.pk})
    page = client.post(url, {"decision": "confirm", "survivor": str(pair.right_id), "reason": ""})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text and "Give a reason for your decision." in text
    assert re.search(r'value="confirm"[^>]*checked', text)
    assert re.search(rf'value="{pair.right_id}"[^>]*checked', text)
    page = client.post(url, {"decision": "confirm", "reason": REASON})
    text = page.content.decode()
    assert "Choose which record to keep." in text and REASON in text
    page = client.post(url, {"decision": "reject", "reason": ""})
    assert "Give a reason for your decision." in page.content.decode()
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.PENDING and not PersonMerge.objects.filter(pair=pair).exists()


def test_confirming_merges_and_rejecting_records_different_people(client, users, scene):
    pair = scene["pending"]
    client.force_login(users.manager)
    url = reverse("matching:pair", kwargs={"pair_id": pair.pk})
    page = client.post(url, {"decision": "confirm", "survivor": str(pair.left_id), "reason": REASON})
    assert page.status_code == 302 and page["Location"].endswith(f"?job={pair.job_id}")
    merge = PersonMerge.objects.get(pair=pair)
    assert merge.survivor_id == pair.left_id and merge.merged_id == pair.right_id and merge.reason == REASON
    # Decided pairs show the decision, not the form, and a second post changes nothing.
    text = client.get(url).content.decode()
    assert "Record the decision" not in text and f"Merge #{merge.pk}" in text
    client.post(url, {"decision": "reject", "reason": "Changed my mind"})
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.CONFIRMED

    other = pair_between(users, make_person(forenames="Nia"), make_person(forenames="Nina"))
    client.post(reverse("matching:pair", kwargs={"pair_id": other.pk}), {"decision": "reject", "reason": "Different mothers."})
    other.refresh_from_db()
    assert other.status == CandidatePair.Status.REJECTED and other.decided_by == users.manager


def test_a_merge_page_lists_what_moved_and_undo_needs_a_reason(client, users, scene):
    merge = scene["merge"]
    client.force_login(users.manager)
    url = reverse("matching:merge", kwargs={"merge_id": merge.pk})
    text = client.get(url).content.decode()
    assert "Kai Others" in text and "Undo the merge" in text
    assert AuditEvent.objects.filter(action="person_merge.viewed", object_id=str(merge.pk)).count() == 1
    page = client.post(url, {"outcome": "different", "reason": ""})
    text = page.content.decode()
    assert "Give a reason for undoing the merge." in text and re.search(r'value="different"[^>]*checked', text)
    merge.refresh_from_db()
    assert not merge.is_undone
    assert client.post(url, {"outcome": "review", "reason": "Different children."}).status_code == 302
    merge.refresh_from_db()
    assert merge.is_undone and merge.merged.merged_into is None
    assert "Undo the merge" not in client.get(url).content.decode()


def test_the_merges_list_is_audited(client, users, scene):
    client.force_login(users.manager)
    text = client.get(reverse("matching:merges")).content.decode()
    assert "Kai Others" in text
    assert AuditEvent.objects.filter(action="person_merge.list_viewed").count() == 1


def test_the_progress_partial_polls_while_the_job_runs_and_stops_when_it_is_done(client, users, model_row):
    job = LinkageJob.objects.create(kind=LinkageJob.Kind.DEDUPLICATE, started_by=users.administrator, status=LinkageJob.Status.RUNNING,
                                    stage="Comparing pairs of records", percent=40)
    client.force_login(users.administrator)
    url = reverse("matching:job-progress", kwargs={"job_id": job.pk})
    text = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in text and f'hx-get="{url}"' in text
    assert 'value="40"' in text and "Comparing pairs of records: 40% done" in text
    assert '<label class="govuk-label" for="job-progress-bar">' in text
    page = client.get(reverse("matching:job", kwargs={"job_id": job.pk})).content.decode()
    assert 'hx-trigger="every 2s"' in page

    LinkageJob.objects.filter(pk=job.pk).update(status=LinkageJob.Status.DONE, percent=100, stage="Finished")
    response = client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in response.content.decode() and "hx-get" not in response.content.decode()
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in client.get(reverse("matching:job", kwargs={"job_id": job.pk})).content.decode()


def test_a_failed_job_shows_the_error_and_can_be_run_again(client, users, model_row):
    job = LinkageJob.objects.create(kind=LinkageJob.Kind.DEDUPLICATE, started_by=users.administrator, status=LinkageJob.Status.FAILED,
                                    error="The job stopped while comparing pairs of records: out of memory")
    client.force_login(users.administrator)
    text = client.get(reverse("matching:job", kwargs={"job_id": job.pk})).content.decode()
    assert "out of memory" in text and "Run the job again" in text
    assert client.post(reverse("matching:retry-job", kwargs={"job_id": job.pk})).status_code == 302
    job.refresh_from_db()
    assert job.status == LinkageJob.Status.QUEUED and job.error == ""


def test_starting_a_deduplication_from_the_overview(client, users, model_row):
    client.force_login(users.administrator)
    page = client.post(reverse("matching:deduplicate"), {"dedupe-backend": "duckdb"})
    job = LinkageJob.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("matching:job", kwargs={"job_id": job.pk})
    assert job.kind == LinkageJob.Kind.DEDUPLICATE and job.started_by == users.administrator and job.status == LinkageJob.Status.QUEUED


@pytest.mark.skipif(spark_available(), reason="pyspark is installed here")
def test_spark_is_refused_in_words_when_pyspark_is_missing(client, users, model_row):
    client.force_login(users.administrator)
    text = client.post(reverse("matching:deduplicate"), {"dedupe-backend": "spark"}).content.decode()
    assert "Spark is not installed on this server" in text and not LinkageJob.objects.exists()


def test_an_extract_with_no_name_columns_is_refused_on_the_page_keeping_the_agency(client, users, model_row):
    from django.core.files.uploadedfile import SimpleUploadedFile

    agency = Agency.objects.get(name="Demoshire Constabulary")
    client.force_login(users.administrator)
    upload = SimpleUploadedFile("police.csv", b"ref,dob\n1,2015-03-27\n", content_type="text/csv")
    page = client.post(reverse("matching:upload"), {"extract-agency": agency.pk, "extract-backend": "duckdb", "extract-file": upload})
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text and "has no name columns" in text
    assert re.search(rf'<option value="{agency.pk}" selected>', text)
    assert "govuk-file-upload--error" in text
    assert not LinkageJob.objects.exists()

    upload = SimpleUploadedFile("police.csv", b"first_name,last_name,dob\nAmelia,Testcase,27/03/2015\n", content_type="text/csv")
    page = client.post(reverse("matching:upload"), {"extract-agency": agency.pk, "extract-backend": "duckdb", "extract-file": upload})
    job = LinkageJob.objects.get()
    assert page.status_code == 302 and job.agency == agency and job.extract_name == "police.csv"


def test_an_upload_over_the_size_limit_is_refused(client, users, model_row, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mash.matching import forms

    monkeypatch.setattr(forms, "MAX_EXTRACT_MB", 0)
    client.force_login(users.administrator)
    upload = SimpleUploadedFile("police.csv", b"first_name,last_name\nAmelia,Testcase\n", content_type="text/csv")
    page = client.post(reverse("matching:upload"), {"extract-agency": Agency.objects.first().pk, "extract-backend": "duckdb", "extract-file": upload})
    assert "the largest you can upload here is 0 MB" in page.content.decode() and not LinkageJob.objects.exists()


def test_a_deduplication_job_page_shows_the_cluster_and_confirms_it(client, users, model_row):
    people = crowd()
    duplicate = make_person(
        forenames=people[2].forenames, surname=people[2].surname, date_of_birth=people[2].date_of_birth, sex=people[2].sex,
        postcode=people[2].postcode,
    )
    job = services.run_job(services.start_deduplication(users.administrator, enqueue=False).pk)
    client.force_login(users.manager)
    url = reverse("matching:job", kwargs={"job_id": job.pk})
    text = client.get(url).content.decode()
    assert "Cluster 1: 2 records" in text and "Confirm these are the same person" in text
    assert AuditEvent.objects.filter(action="linkage.job_viewed", object_id=str(job.pk)).count() == 1

    confirm = reverse("matching:confirm-cluster", kwargs={"job_id": job.pk, "cluster": 1})
    page = client.post(confirm, {"cluster-1-survivor": str(people[2].pk), "cluster-1-reason": ""})
    text = page.content.decode()
    assert "Give a reason for confirming these are the same person." in text
    assert re.search(rf'value="{people[2].pk}"[^>]*checked', text)
    page = client.post(confirm, {"cluster-1-survivor": str(people[2].pk), "cluster-1-reason": REASON})
    assert page.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == people[2]
    assert "Decided" in client.get(url).content.decode()


def test_an_extract_job_page_lists_rows_linked_queued_and_unmatched(client, users, model_row):
    people = crowd()
    oliver, isla = people[0], people[1]
    data = (
        "id,forenames,surname,dob,postcode,nhs_number\n"
        f"A1,{oliver.forenames},{oliver.surname},{oliver.date_of_birth},{oliver.postcode},\n"
        f"A2,{isla.forenames},{isla.surname},,{isla.postcode},\n"
        "A3,Zed,Nobody,2001-01-01,SW1A 1AA,1234567890\n"
    ).encode()
    agency = Agency.objects.get(name="Demoshire Constabulary")
    job = services.run_job(services.start_extract_link(users.administrator, agency=agency, filename="p.csv", data=data, enqueue=False).pk)
    client.force_login(users.administrator)
    text = client.get(reverse("matching:job", kwargs={"job_id": job.pk})).content.decode()
    assert "1 linked automatically; 1 with no match" in text and oliver.surname not in text
    client.force_login(users.manager)
    text = client.get(reverse("matching:job", kwargs={"job_id": job.pk})).content.decode()
    assert "Rows linked (1)" in text and "Rows waiting for review (1)" in text and "Rows with no match (1)" in text
    assert "NHS number &#x27;1234567890&#x27;" in text or "NHS number '1234567890'" in text
    queued = CandidatePair.objects.get(job=job, status=CandidatePair.Status.PENDING)
    pair_page = client.get(reverse("matching:pair", kwargs={"pair_id": queued.pk})).content.decode()
    assert "Is this agency record the person in the index?" in pair_page and "Demoshire Constabulary row 2" in pair_page
    assert client.post(reverse("matching:pair", kwargs={"pair_id": queued.pk}), {"decision": "confirm", "reason": REASON}).status_code == 302
    queued.source_record.refresh_from_db()
    assert queued.source_record.person == isla
