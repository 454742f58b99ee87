"""Matching services: merges and their undo, review decisions, extract parsing, and linkage jobs end to end."""

from __future__ import annotations

import io
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mash.audit.models import AuditEvent
from mash.decisions.models import EarlyHelpReferral
from mash.intake.models import ContactPerson
from mash.matching import services
from mash.matching.models import CandidatePair, LinkageJob, MatchModel, PersonMerge, SourceRecord
from mash.partnership.models import Agency, Team
from mash.people.models import Involvement, Person, Relationship
from tests import factories

from .conftest import crowd, default_model, make_person, nhs_number

pytestmark = pytest.mark.django_db

REASON = "Same NHS number and date of birth; the school confirmed the spelling."


def police() -> Agency:
    return Agency.objects.get(name="Demoshire Constabulary")


def extract_job(users) -> LinkageJob:  # noqa: ANN001
    return LinkageJob.objects.create(kind=LinkageJob.Kind.LINK_EXTRACT, started_by=users.administrator, agency=police(), extract_name="x.csv")


def duplicate_pair(users, left: Person, right: Person, **fields) -> CandidatePair:  # noqa: ANN001
    job = fields.pop("job", None) or LinkageJob.objects.create(kind=LinkageJob.Kind.DEDUPLICATE, started_by=users.administrator)
    fields.setdefault("probability", 0.97)
    fields.setdefault("match_weight", 15.0)
    return CandidatePair.objects.create(job=job, left=left, right=right, **fields)


def snapshot() -> dict[str, set[tuple]]:
    """Who every row points at: merges must move exactly what they say and undo must put it all back."""
    return {
        "contact_people": set(ContactPerson.objects.values_list("pk", "person_id")),
        "involvements": set(Involvement.objects.values_list("pk", "person_id")),
        "relationships": set(Relationship.objects.values_list("pk", "person_id", "relative_id")),
        "early_help": set(EarlyHelpReferral.objects.values_list("pk", "person_id")),
        "source_records": set(SourceRecord.objects.values_list("pk", "person_id")),
        "people": set(Person.objects.values_list("pk", "merged_into_id")),
    }


@pytest.fixture
def history(users):  # noqa: ANN001
    """A child known twice: `merged` has a contact, an involvement, relationships, early help and an agency record."""
    contact, decision = factories.recommended(users)
    child = contact.people.get(role=ContactPerson.Role.SUBJECT_CHILD)
    merged = child.person
    survivor = make_person(forenames="Amelia", surname="Testcase", nhs_number=nhs_number("943476591"))
    team = Team.objects.first()
    mother = make_person(forenames="Kelly", surname="Testcase", date_of_birth=date(1990, 6, 1))
    brother = make_person(forenames="Josh", surname="Testcase", date_of_birth=date(2012, 1, 5), sex="M")
    aunt = make_person(forenames="Jo", surname="Testcase", date_of_birth=date(1985, 2, 2))
    rows = {
        "involvement": Involvement.objects.create(person=merged, kind="child_in_need", team=team, started_on=date(2024, 1, 1)),
        "mother": Relationship.objects.create(person=merged, relative=mother, relationship="mother"),
        "brother_of": Relationship.objects.create(person=brother, relative=merged, relationship="sister"),
        # The survivor already records the aunt: moving this one would repeat it, so it stays.
        "aunt_dup": Relationship.objects.create(person=merged, relative=aunt, relationship="aunt"),
        "aunt_survivor": Relationship.objects.create(person=survivor, relative=aunt, relationship="aunt"),
        # A tie between the two records themselves would become a self-relationship: it stays.
        "self": Relationship.objects.create(person=merged, relative=survivor, relationship="sibling"),
        "early_help": EarlyHelpReferral.objects.create(contact=contact, decision=decision, person=merged, team=team),
    }
    job = extract_job(users)
    rows["source"] = SourceRecord.objects.create(
        job=job, agency=police(), row_number=1, fields={"forenames": "Amelia"}, raw={"forenames": "Amelia"}, person=merged
    )
    return survivor, merged, rows, child


# -- merges -----------------------------------------------------------------------------------------


def test_a_merge_moves_every_kind_of_row_and_undo_puts_back_exactly_what_moved(users, history):
    survivor, merged, rows, child = history
    before = snapshot()
    kept = {rows["aunt_dup"].pk, rows["self"].pk}
    as_person = sorted(set(Relationship.objects.filter(person=merged).values_list("pk", flat=True)) - kept)
    as_relative = sorted(Relationship.objects.filter(relative=merged).values_list("pk", flat=True))
    assert rows["mother"].pk in as_person and len(as_person) > 1  # the contact's household came with the child
    merge = services.merge_people(users.manager, survivor=survivor, merged=merged, reason=REASON)

    merged.refresh_from_db()
    assert merged.merged_into == survivor and Person.objects.filter(pk=merged.pk).exists()  # never deleted
    child.refresh_from_db()
    assert child.person == survivor
    assert Involvement.objects.get(pk=rows["involvement"].pk).person == survivor
    assert EarlyHelpReferral.objects.get(pk=rows["early_help"].pk).person == survivor
    assert SourceRecord.objects.get(pk=rows["source"].pk).person == survivor
    assert Relationship.objects.get(pk=rows["mother"].pk).person == survivor
    assert Relationship.objects.get(pk=rows["brother_of"].pk).relative == survivor
    assert merge.moved["contact_people"] == sorted(ContactPerson.objects.filter(person=survivor).values_list("pk", flat=True))
    assert merge.moved["involvements"] == [rows["involvement"].pk]
    assert merge.moved["early_help_referrals"] == [rows["early_help"].pk]
    assert merge.moved["source_records"] == [rows["source"].pk]
    assert merge.moved["relationships_person"] == as_person
    assert merge.moved["relationships_relative"] == as_relative and rows["brother_of"].pk in as_relative
    assert merge.moved["relationships_kept"] == sorted([rows["aunt_dup"].pk, rows["self"].pk])
    events = AuditEvent.objects.filter(action="person.merged")
    assert {e.object_id for e in events} == {str(survivor.pk), str(merged.pk)}
    assert all(e.reason == REASON and e.actor_id == users.manager.pk for e in events)

    services.undo_merge(users.manager, merge, reason="The school sent the wrong NHS number.")
    assert snapshot() == before
    merge.refresh_from_db()
    assert merge.is_undone and merge.undone_by == users.manager and merge.undo_reason
    assert AuditEvent.objects.filter(action="person.merge_undone").count() == 2


def test_a_relationship_that_would_repeat_or_point_at_itself_stays_with_the_merged_record(users, history):
    survivor, merged, rows, _ = history
    services.merge_people(users.manager, survivor=survivor, merged=merged, reason=REASON)
    assert Relationship.objects.get(pk=rows["aunt_dup"].pk).person == merged
    kept_self = Relationship.objects.get(pk=rows["self"].pk)
    assert (kept_self.person, kept_self.relative) == (merged, survivor)
    assert Relationship.objects.filter(person=survivor, relative=survivor).count() == 0
    assert Relationship.objects.filter(person=survivor, relative=rows["aunt_survivor"].relative).count() == 1


def test_merges_that_make_no_sense_are_refused_in_words(users, partnership):
    a, b, c = make_person(), make_person(forenames="Amelie"), make_person(forenames="Emilia")
    with pytest.raises(services.MergeRefused, match="into itself"):
        services.merge_people(users.manager, survivor=a, merged=a, reason=REASON)
    with pytest.raises(services.MatchingRefused, match="reason"):
        services.merge_people(users.manager, survivor=a, merged=b, reason="  ")
    services.merge_people(users.manager, survivor=a, merged=b, reason=REASON)
    with pytest.raises(services.MergeRefused, match="already been merged"):
        services.merge_people(users.manager, survivor=c, merged=b, reason=REASON)
    with pytest.raises(services.MergeRefused, match="has itself been merged"):
        services.merge_people(users.manager, survivor=b, merged=c, reason=REASON)
    assert PersonMerge.objects.count() == 1


def test_undo_is_refused_twice_and_while_the_survivor_is_merged_elsewhere(users, partnership):
    a, b, c = make_person(), make_person(forenames="Amelie"), make_person(forenames="Emilia")
    first = services.merge_people(users.manager, survivor=a, merged=b, reason=REASON)
    later = services.merge_people(users.manager, survivor=c, merged=a, reason=REASON)
    with pytest.raises(services.MergeRefused, match="Undo that merge first"):
        services.undo_merge(users.manager, first, reason="Wrong.")
    services.undo_merge(users.manager, later, reason="Wrong.")
    services.undo_merge(users.manager, first, reason="Wrong.")
    with pytest.raises(services.MergeRefused, match="already been undone"):
        services.undo_merge(users.manager, first, reason="Again.")
    with pytest.raises(services.MatchingRefused, match="reason"):
        services.undo_merge(users.manager, later, reason="")


def test_other_pending_pairs_about_the_merged_record_are_set_aside_and_come_back_on_undo(users, partnership):
    a, b, c = make_person(), make_person(forenames="Amelie"), make_person(forenames="Emilia")
    ab = duplicate_pair(users, a, b)
    bc = duplicate_pair(users, b, c, job=ab.job)
    merge = services.confirm_pair(users.manager, ab, survivor=a, reason=REASON)
    bc.refresh_from_db()
    assert bc.status == CandidatePair.Status.SUPERSEDED
    services.undo_merge(users.manager, merge, reason="Not the same child after all.")
    bc.refresh_from_db()
    ab.refresh_from_db()
    assert bc.status == CandidatePair.Status.PENDING
    assert ab.status == CandidatePair.Status.PENDING and ab.decided_by is None


def test_undoing_as_different_people_rejects_the_pair(users, partnership):
    a, b = make_person(), make_person(forenames="Amelie")
    pair = duplicate_pair(users, a, b)
    merge = services.confirm_pair(users.manager, pair, survivor=b, reason=REASON)
    assert merge.survivor == b and merge.merged == a and merge.pair == pair
    services.undo_merge(users.manager, merge, reason="Twins: the GP confirmed.", different_people=True)
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.REJECTED and pair.decided_by == users.manager


# -- review decisions ------------------------------------------------------------------------------


def test_confirming_and_rejecting_need_a_reason_and_a_pending_pair(users, partnership):
    a, b = make_person(), make_person(forenames="Amelie")
    pair = duplicate_pair(users, a, b)
    with pytest.raises(services.MatchingRefused, match="reason"):
        services.confirm_pair(users.manager, pair, survivor=a, reason="")
    with pytest.raises(services.MatchingRefused, match="reason"):
        services.reject_pair(users.manager, pair, reason=" ")
    with pytest.raises(services.MatchingRefused, match="which record to keep"):
        services.confirm_pair(users.manager, pair, reason=REASON)
    services.reject_pair(users.manager, pair, reason="Different dates of birth on the birth certificates.")
    pair.refresh_from_db()
    assert pair.status == CandidatePair.Status.REJECTED and pair.note.startswith("Different")
    assert AuditEvent.objects.filter(action="match_pair.rejected", object_id=str(pair.pk)).exists()
    with pytest.raises(services.MatchingRefused, match="already been decided"):
        services.confirm_pair(users.manager, pair, survivor=a, reason=REASON)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.merged_into is None and b.merged_into is None


def test_confirming_a_link_links_the_row_and_sets_its_other_candidates_aside(users, partnership):
    a, b = make_person(), make_person(forenames="Amelie")
    job = extract_job(users)
    row = SourceRecord.objects.create(job=job, agency=police(), row_number=3, fields={"forenames": "Amelia"}, raw={})
    first = CandidatePair.objects.create(job=job, source_record=row, right=a, probability=0.8, match_weight=8)
    second = CandidatePair.objects.create(job=job, source_record=row, right=b, probability=0.6, match_weight=6)
    linked = services.confirm_pair(users.manager, first, reason=REASON)
    row.refresh_from_db()
    second.refresh_from_db()
    assert linked == row and row.person == a and row.linked_by == SourceRecord.LinkedBy.REVIEWER and row.link_probability == 0.8
    assert second.status == CandidatePair.Status.SUPERSEDED
    event = AuditEvent.objects.get(action="source_record.linked")
    assert event.object_id == str(row.pk) and event.reason == REASON


def test_confirming_a_cluster_merges_everyone_into_the_record_kept(users, partnership):
    a, b, c = make_person(), make_person(forenames="Amelie"), make_person(forenames="Emilia")
    ab = duplicate_pair(users, a, b, strong=True, cluster=1)
    duplicate_pair(users, a, c, job=ab.job, strong=True, cluster=1)
    bc = duplicate_pair(users, b, c, job=ab.job, strong=True, cluster=1)
    merges = services.confirm_cluster(users.manager, ab.job, 1, survivor=a, reason=REASON)
    assert {m.merged for m in merges} == {b, c} and {m.survivor for m in merges} == {a}
    assert set(Person.objects.filter(merged_into=a)) == {b, c}
    bc.refresh_from_db()
    assert bc.status == CandidatePair.Status.SUPERSEDED
    assert AuditEvent.objects.filter(action="match_cluster.confirmed").count() == 1
    with pytest.raises(services.MatchingRefused, match="already been decided"):
        services.confirm_cluster(users.manager, ab.job, 1, survivor=a, reason=REASON)
    with pytest.raises(services.MatchingRefused, match="no cluster"):
        services.confirm_cluster(users.manager, ab.job, 9, survivor=a, reason=REASON)


# -- extracts ---------------------------------------------------------------------------------------

GOOD_NHS = nhs_number("943476591")
BAD_NHS = GOOD_NHS[:-1] + str((int(GOOD_NHS[-1]) + 1) % 10)


def test_a_csv_extract_is_read_with_the_agencys_own_column_names():
    data = (
        "\ufeffReference,First Name,Last_Name,DOB,Gender,Post Code,NHS No,UPN,Notes\n"
        f"P-1,Amelia,Testcase,27/03/2015,Female,nn47sl,{GOOD_NHS},,known to police\n"
        f"P-2,Josh,Testcase,2012-01-05,M,ZZ99 3VZ,{BAD_NHS},A12345678901,\n"
        "\n"
        "P-3,Kai,Nobody,31/02/2010,X,NOT A POSTCODE,,,\n"
    ).encode()
    parsed = services.parse_extract("police.csv", data)
    assert parsed.file_type == "CSV" and parsed.ignored_columns == ["Notes"]
    first, second, third = parsed.rows
    assert (first.row_number, first.source_id) == (1, "P-1")
    assert first.fields == {
        "forenames": "Amelia", "surname": "Testcase", "other_names": "", "date_of_birth": "2015-03-27", "sex": "F",
        "postcode": "NN4 7SL", "address": "", "nhs_number": GOOD_NHS, "upn": "",
    }
    assert first.problems == [] and first.raw["Notes"] == "known to police"
    # A bad NHS number and UPN are kept in the raw row, explained, and not used for matching.
    assert second.fields["nhs_number"] == "" and second.fields["upn"] == "" and second.fields["postcode"] == ""
    assert second.raw["NHS No"] == BAD_NHS
    assert any(p.startswith(f"NHS number '{BAD_NHS}'") and "Not used for matching" in p for p in second.problems)
    assert any(p.startswith("UPN 'A12345678901'") for p in second.problems)
    assert any("pseudo-postcode" in p for p in second.problems)
    assert second.fields["date_of_birth"] == "2012-01-05"
    assert third.row_number == 3 and third.fields["date_of_birth"] == "" and third.fields["postcode"] == ""
    assert any("31/02/2010" in p for p in third.problems) and any("not a valid UK postcode" in p for p in third.problems)
    record = services.source_record_person(second.fields)
    assert record.nhs_number is None and record.upn is None and record.dob == date(2012, 1, 5)


def test_a_parquet_extract_is_read_with_typed_columns():
    table = pa.table(
        {
            "given_name": ["Amelia", "Josh"],
            "family_name": ["Testcase", "Testcase"],
            "date_of_birth": [date(2015, 3, 27), None],
            "sex": ["F", "M"],
            "nhs_number": [int(GOOD_NHS), int(BAD_NHS)],
            "id": [101, 102],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    parsed = services.parse_extract("health.bin", buffer.getvalue())  # recognised by its content, not its name
    assert parsed.file_type == "Parquet"
    first, second = parsed.rows
    assert first.fields["date_of_birth"] == "2015-03-27" and first.fields["nhs_number"] == GOOD_NHS and first.source_id == "101"
    assert first.raw["date_of_birth"] == "2015-03-27"
    assert second.fields["nhs_number"] == "" and any("NHS number" in p for p in second.problems)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"reference,dob,postcode\n1,2015-03-27,NN4 7SL\n", "no name columns"),
        (b"forename,surname\n", "no rows"),
        ("forename,surname\nZoë,Brontë\n".encode("latin-1"), "not a UTF-8 CSV"),
        (b"PAR1 not really parquet", "could not be read as a Parquet file"),
    ],
)
def test_an_extract_that_cannot_be_used_is_refused_before_any_job_exists(users, data, message):
    with pytest.raises(services.ExtractRefused, match=message):
        services.start_extract_link(users.administrator, agency=police(), filename="extract.csv", data=data)
    assert not LinkageJob.objects.exists()


# -- the model --------------------------------------------------------------------------------------


def test_the_active_model_is_the_active_row_else_the_shipped_one(partnership, monkeypatch):
    shipped = default_model(version=0, prior=1 / 5000)
    monkeypatch.setattr(services.match_model, "load_shipped", lambda: shipped)
    monkeypatch.setattr(services, "_active", None)  # what an earlier test in this process may have cached
    assert services.active_model() is shipped
    row = MatchModel.objects.create(version=4, source="trained", parameters=default_model(version=4).to_json(), is_active=True)
    model = services.active_model()
    assert model.version == 4 and services.active_model() is model  # parsed once per version
    MatchModel.objects.filter(pk=row.pk).update(is_active=False)
    assert services.active_model() is shipped


def test_training_is_refused_on_too_few_people(users):
    make_person()
    with pytest.raises(services.TooFewRecords, match="at least 1,000"):
        services.train_from_index(users.administrator, min_records=10)
    assert not MatchModel.objects.exists()


# -- jobs end to end (the real linkage engine, on a small planted data set) -------------------------


def test_deduplication_finds_the_planted_duplicate_and_clusters_it(users, model_row):
    people = crowd()
    duplicate = make_person(
        forenames=people[0].forenames, surname=people[0].surname, date_of_birth=people[0].date_of_birth,
        sex=people[0].sex, postcode=people[0].postcode,
    )
    job = services.start_deduplication(users.administrator, enqueue=False)
    assert (job.review_threshold, job.strong_threshold, job.match_model) == (
        partnership_value("match_review_threshold"), partnership_value("match_strong_threshold"), model_row,
    )
    seen: list[tuple[str, int]] = []
    job = services.run_job(job.pk, progress=lambda stage, percent: seen.append((stage, percent)))

    assert job.status == LinkageJob.Status.DONE, job.error
    assert (job.records, job.clusters, job.strong_pairs, job.queued_for_review) == (21, 1, 1, 0)
    pair = CandidatePair.objects.get(job=job)
    assert {pair.left, pair.right} == {people[0], duplicate} and pair.left_id < pair.right_id
    assert pair.strong and pair.cluster == 1 and pair.probability >= 0.99 and pair.status == CandidatePair.Status.PENDING
    assert {c["field"] for c in pair.comparisons} >= {"forename", "surname", "dob", "postcode"}
    assert all(set(c) == {"field", "level", "weight", "explanation"} for c in pair.comparisons)
    assert seen[-1] == ("Finished", 100) and [p for _, p in seen] == sorted(p for _, p in seen)
    assert AuditEvent.objects.filter(action="linkage.job_started", object_id=str(job.pk)).count() == 1
    assert AuditEvent.objects.filter(action="linkage.job_finished", object_id=str(job.pk)).count() == 1

    # A pair someone rejected is not suggested again; a merged person is left out.
    services.reject_pair(users.manager, pair, reason="Different people: cousins.")
    again = services.run_job(services.start_deduplication(users.administrator, enqueue=False).pk)
    assert again.status == LinkageJob.Status.DONE and not again.pairs.exists()


def partnership_value(name: str):  # noqa: ANN201
    from mash.partnership.services import require_partnership

    return getattr(require_partnership(), name)


def test_an_extract_links_the_exact_duplicate_and_queues_the_uncertain_row(users, model_row):
    people = crowd()
    oliver, isla = people[0], people[1]
    csv_text = (
        "id,forenames,surname,dob,sex,postcode,nhs_number\n"
        f"A1,{oliver.forenames},{oliver.surname},{oliver.date_of_birth:%d/%m/%Y},{oliver.sex},{oliver.postcode},\n"
        f"A2,{isla.forenames},{isla.surname},,,{isla.postcode},{BAD_NHS}\n"
        "A3,Zed,Nobody,01/01/2001,M,SW1A 1AA,\n"
    )
    job = services.start_extract_link(users.administrator, agency=police(), filename="police.csv", data=csv_text.encode(), enqueue=False)
    job = services.run_job(job.pk)

    assert job.status == LinkageJob.Status.DONE, job.error
    assert (job.records, job.linked_automatically, job.queued_for_review, job.unmatched) == (3, 1, 1, 1)
    first, second, third = SourceRecord.objects.filter(job=job).order_by("row_number")
    assert first.person == oliver and first.linked_by == SourceRecord.LinkedBy.AUTOMATIC and first.link_probability >= 0.99
    assert second.person is None and any("NHS number" in p for p in second.problems)
    queued = CandidatePair.objects.get(source_record=second)
    assert queued.right == isla and queued.status == CandidatePair.Status.PENDING and 0.5 <= queued.probability < 0.99
    assert third.person is None and not third.pairs.exists()
    assert CandidatePair.objects.get(source_record=first).status == CandidatePair.Status.CONFIRMED
    linked = AuditEvent.objects.get(action="source_record.linked")
    assert linked.object_id == str(first.pk) and linked.actor_id is None
    assert bytes(job.extract_data) == csv_text.encode()


def test_a_failed_job_says_why_in_words_keeps_the_upload_and_can_run_again(users, model_row, monkeypatch, caplog):
    from mash.matching import linkage

    oliver = crowd()[0]
    data = f"forenames,surname,dob,postcode\n{oliver.forenames},{oliver.surname},{oliver.date_of_birth},{oliver.postcode}\n".encode()
    job = services.start_extract_link(users.administrator, agency=police(), filename="p.csv", data=data, enqueue=False)

    def broken(*args, **kwargs):
        raise MemoryError("DuckDB ran out of memory")

    monkeypatch.setattr(linkage, "link", broken)
    job = services.run_job(job.pk)
    assert job.status == LinkageJob.Status.FAILED
    assert job.error.startswith("The job stopped while") and "DuckDB ran out of memory" in job.error
    assert "Traceback" in caplog.text
    assert bytes(job.extract_data) == data and job.source_records.count() == 1 and not job.pairs.exists()
    assert "failed" in AuditEvent.objects.get(action="linkage.job_finished").summary

    monkeypatch.undo()
    services.retry_job(users.administrator, job, enqueue=False)
    job = services.run_job(job.pk)
    assert job.status == LinkageJob.Status.DONE and job.linked_automatically == 1
    assert job.source_records.count() == 1  # the rows were read once and reused
    with pytest.raises(services.MatchingRefused):
        services.retry_job(users.administrator, job)


def test_a_job_already_finished_is_not_run_twice(users, model_row):
    crowd()
    job = services.start_deduplication(users.administrator, enqueue=False)
    services.run_job(job.pk)
    finished = LinkageJob.objects.get(pk=job.pk).finished_at
    services.run_job(job.pk)
    assert LinkageJob.objects.get(pk=job.pk).finished_at == finished
    assert AuditEvent.objects.filter(action="linkage.job_finished").count() == 1


def test_the_background_task_runs_the_job(users, model_row, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    crowd()
    job = services.start_deduplication(users.administrator)  # enqueued: the immediate backend runs it now
    job.refresh_from_db()
    assert job.status == LinkageJob.Status.DONE and job.records == 20
