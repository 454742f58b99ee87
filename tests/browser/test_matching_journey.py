"""Person matching (issue #5) through the real pages: an agency extract, the review queue, a merge and its undo,
and a partner's "Is this child known?".

Arranged with the ORM: twenty different children in the person index and the hand-set match model as the active
version (as the matching tests do), so Splink's scores are the ones those tests pin down.

The administrator opens "Duplicates and linkage" and uploads a school-roll extract from Demoshire Education
Safeguarding (four rows: a child the index holds exactly, a child given by name and postcode only, a child nobody
knows, and a child whose NHS number fails its check digit). The job page says it waits for a background worker;
the test runs the job as the worker would, and the page's polling shows it finished, with counts only: no child's
name appears on any page the administrator sees, and the review queue is refused her.

A team manager opens the review queue and the uncertain pair: both records side by side and the reasons in words.
Confirming without a reason is refused with an error summary that keeps the choice; with a reason the row is linked.
A second record of a child then arrives in the index and a deduplication job finds it: the manager confirms the
merge, keeping the newer record; the older one's page says it is a confirmed duplicate; from there she opens the
merge and undoes it with a reason, and the child is a separate record again.

A police officer checks two children on "Is this child known?" (submitted from the keyboard): one is known and the
page says only that a record of interest exists, never whose or what; the other is not. A MASH officer is refused
the page. Each new page is checked with axe-core.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in, sign_out

AGENCY = "Demoshire Education Safeguarding"
EXTRACT_NAME = "school-roll.csv"
NEW_PUPIL = ("Marigold", "Thistlewaite", "14/02/2017", "F", "3 Orchard Close, Demotown", "DM3 8PL")
REASON_TO_LINK = "Same name and postcode, and the school confirmed her date of birth by telephone."
REASON_TO_MERGE = "Same name, date of birth and address; the new record has the NHS number, so keep that one."
REASON_TO_UNDO = "Merged too early: health say the NHS number on the new record belongs to a cousin. Checking first."
PERMISSION_HEADING = "You do not have permission to see this page"


def _index() -> list[Any]:
    """Twenty different children, and the hand-set weights as the active model (version 1)."""
    from mash.matching.models import MatchModel
    from mash.matching.tests.conftest import crowd, default_model

    model = default_model()
    MatchModel.objects.create(
        version=1,
        source=MatchModel.Source.SHIPPED,
        parameters=model.to_json(),
        report="\n".join(model.describe()),
        is_active=True,
    )
    return crowd()


def _bad_nhs_number() -> str:
    from mash.matching.tests.conftest import nhs_number

    good = nhs_number("943476591")
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def _extract(exact: Any, vague: Any, mistyped: Any) -> bytes:
    """A school roll as a school's system sends it: its own column names, dates as DD/MM/YYYY."""

    def pupil(reference: str, person: Any, nhs: str = "") -> list[str]:
        born = f"{person.date_of_birth:%d/%m/%Y}"
        return [reference, person.forenames, person.surname, born, person.sex, person.address, person.postcode, nhs]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["reference", "first_name", "last_name", "dob", "gender", "address", "postcode", "nhs_number"])
    writer.writerow(pupil("DES-1", exact))
    writer.writerow(["DES-2", vague.forenames, vague.surname, "", "", "", vague.postcode, ""])  # name and postcode only
    writer.writerow(["DES-3", *NEW_PUPIL, ""])
    writer.writerow(pupil("DES-4", mistyped, _bad_nhs_number()))
    return buffer.getvalue().encode()


def _assert_no_child_named(page: Any, names: list[str], what: str) -> None:
    text = page.content()
    shown = [name for name in names if name in text]
    assert not shown, f"the administrator must never see a child, but {what} ({page.url}) shows {shown}"


@pytest.mark.browser
def test_extract_linked_by_the_administrator_then_reviewed_merged_and_unmerged_by_a_manager(page: Any, mash_users: Any) -> None:
    from mash.matching import services
    from mash.matching.models import CandidatePair, LinkageJob, PersonMerge, SourceRecord
    from mash.matching.tests.conftest import make_person, nhs_number
    from mash.people.models import Person

    people = _index()
    exact, vague, mistyped = people[0], people[1], people[3]
    names = [p.full_name for p in people] + [f"{NEW_PUPIL[0]} {NEW_PUPIL[1]}", NEW_PUPIL[1]]

    # -- The administrator uploads the extract: progress and counts, never a child.
    sign_in(page, "administrator")
    _assert_no_child_named(page, names, "the home page")
    page.get_by_role("link", name="Duplicates and linkage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Person matching")
    _assert_no_child_named(page, names, "the matching overview")
    assert_accessible(page, "the matching overview")
    upload = page.locator("form").filter(has=page.get_by_role("button", name="Upload and link"))
    upload.get_by_label("Which agency sent the extract?").select_option(label=AGENCY)
    upload.get_by_label("Upload the extract").set_input_files(
        files=[{"name": EXTRACT_NAME, "mimeType": "text/csv", "buffer": _extract(exact, vague, mistyped)}]
    )
    expect(upload.get_by_role("group", name="Where should the job run?").get_by_label(re.compile(r"DuckDB"))).to_be_checked()
    upload.get_by_role("button", name="Upload and link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Linking {EXTRACT_NAME} from {AGENCY}")
    job = LinkageJob.objects.get(extract_name=EXTRACT_NAME)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{EXTRACT_NAME} uploaded (job #{job.pk})")
    progress = page.locator("#job-progress")
    expect(progress).to_contain_text("Waiting for a background worker to start the job.")
    assert job.status == LinkageJob.Status.QUEUED
    _assert_no_child_named(page, names, "the queued job page")
    assert_accessible(page, "the job page while the job waits")

    # The test is the background worker. The page polls every 2 seconds; hold its polls in the browser while the
    # job writes (the live server shares the test's in-memory database connection), then let them through.
    held: list[Any] = []
    holding = True

    def _hold(route: Any) -> None:
        if holding:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/matching/jobs/\d+/progress/$"), _hold)
    for _ in range(50):  # until a poll is held: then none is being served while the job runs
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the job page should poll its progress every 2 seconds"
    finished = services.run_job(job.pk)
    assert finished.status == LinkageJob.Status.DONE, finished.error
    holding = False
    for route in held:
        route.continue_()

    # The poll sees the job finished and reloads the page once: the results, as counts.
    expect(progress).to_contain_text("Finished at", timeout=15_000)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    counts = page.get_by_role("main")
    expect(counts).to_contain_text("4 records compared;")
    expect(counts).to_contain_text("1 for review; 2 linked automatically; 1 with no match.")
    expect(counts).to_contain_text("The people themselves are shown only to the team managers")
    expect(progress.locator(".govuk-summary-list__row").filter(has_text="Rows linked automatically")).to_contain_text("2")
    expect(progress.locator(".govuk-summary-list__row").filter(has_text="Rows for review")).to_contain_text("1")
    expect(progress.locator(".govuk-summary-list__row").filter(has_text="Rows with no match")).to_contain_text("1")
    expect(page.get_by_role("link", name=re.compile("Review"))).to_have_count(0)
    _assert_no_child_named(page, names, "the finished job page")
    assert_accessible(page, "the finished job page")
    page.unroute(re.compile(r"/matching/jobs/\d+/progress/$"))

    page.get_by_role("link", name="Back to person matching").click()
    expect(page.get_by_role("table", name="The ten most recent linkage jobs")).to_contain_text(
        f"#{job.pk} {EXTRACT_NAME} ({AGENCY})"
    )
    _assert_no_child_named(page, names, "the overview after the job")
    response = page.goto("/matching/review/")
    assert response is not None and response.status == 403, (
        f"the review queue for the administrator: got {response and response.status}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(PERMISSION_HEADING)
    _assert_no_child_named(page, names, "the refused review queue")
    assert_accessible(page, "the 'permission' page")
    sign_out(page)

    rows = {sr.source_id: sr for sr in SourceRecord.objects.filter(job=job)}
    assert rows["DES-1"].person == exact and rows["DES-1"].linked_by == SourceRecord.LinkedBy.AUTOMATIC
    assert rows["DES-4"].person == mistyped and any("NHS number" in p for p in rows["DES-4"].problems)
    assert rows["DES-2"].person is None and rows["DES-3"].person is None
    uncertain = CandidatePair.objects.get(source_record=rows["DES-2"])
    assert uncertain.right == vague and uncertain.status == CandidatePair.Status.PENDING

    # -- The team manager reviews the uncertain row.
    sign_in(page, "manager")
    page.get_by_role("link", name="Duplicates and linkage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Person matching")
    page.get_by_role("link", name="Open the review queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    queue = page.get_by_role("table", name="1 pair waiting for a decision")
    row = queue.get_by_role("row").filter(has_text=vague.full_name)
    expect(row).to_contain_text(f"{AGENCY} row 2: {vague.forenames} {vague.surname}")
    assert_accessible(page, "the review queue")
    row.get_by_role("link", name=f"Review pair #{uncertain.pk}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Is this agency record the person in the index?")
    sides = page.get_by_role("table", name="The agency's record and the person in the index")
    expect(sides.get_by_role("columnheader", name=f"{AGENCY} row 2 (their reference DES-2)")).to_be_visible()
    expect(sides.get_by_role("columnheader", name="Person in the index")).to_be_visible()
    dob_row = sides.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Date of birth"))
    expect(dob_row.get_by_role("cell")).to_have_text(["–", f"{vague.date_of_birth:%d/%m/%Y}"])
    postcode_row = sides.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Postcode"))
    expect(postcode_row.get_by_role("cell")).to_have_text([vague.postcode, vague.postcode])
    agrees = page.locator("h2:text-is('What agrees') + ul")
    expect(agrees).to_contain_text(f"Surname '{vague.surname}' is the same on both records")
    expect(agrees).to_contain_text(f"Postcode {vague.postcode} is the same on both records")
    assert_accessible(page, "the pair page")

    decision = page.get_by_role("group", name="Are these the same person?")
    decision.get_by_label("Yes, the same person").check()
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Give a reason for your decision.")).to_be_visible()
    expect(page.get_by_role("group", name="Are these the same person?").get_by_label("Yes, the same person")).to_be_checked()
    assert_accessible(page, "the pair page with an error")
    uncertain.refresh_from_db()
    assert uncertain.status == CandidatePair.Status.PENDING
    page.get_by_label("Reason", exact=True).fill(REASON_TO_LINK)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"is now linked to {vague.full_name}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review queue: job #{job.pk}")
    expect(page.get_by_role("main")).to_contain_text("No pairs are waiting for a decision from this job.")
    rows["DES-2"].refresh_from_db()
    assert rows["DES-2"].person == vague and rows["DES-2"].linked_by == SourceRecord.LinkedBy.REVIEWER

    # -- A second record of the first child arrives (with an NHS number); a deduplication job finds the pair.
    newer = make_person(
        forenames=exact.forenames,
        surname=exact.surname,
        date_of_birth=exact.date_of_birth,
        sex=exact.sex,
        postcode=exact.postcode,
        address=exact.address,
        nhs_number=nhs_number("943476591"),
    )
    dedupe = services.run_job(services.start_deduplication(mash_users.administrator, enqueue=False).pk)
    assert dedupe.status == LinkageJob.Status.DONE, dedupe.error
    duplicate = CandidatePair.objects.get(job=dedupe)
    assert {duplicate.left_id, duplicate.right_id} == {exact.pk, newer.pk} and duplicate.strong

    page.get_by_role("link", name="Back to person matching").click()
    page.get_by_role("link", name="Open the review queue").click()
    row = page.get_by_role("table", name="1 pair waiting for a decision").get_by_role("row").filter(has_text=f"#{newer.pk}")
    expect(row.get_by_role("strong")).to_have_text("Strong")
    row.get_by_role("link", name=f"Review pair #{duplicate.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    sides = page.get_by_role("table", name="The two records side by side")
    nhs_row = sides.get_by_role("row").filter(has=page.get_by_role("rowheader", name="NHS number"))
    expect(nhs_row.get_by_role("cell")).to_have_text(["–", newer.nhs_number])
    expect(page.locator("h2:text-is('What agrees') + ul")).to_contain_text(
        f"Date of birth {exact.date_of_birth:%d/%m/%Y} is the same on both records"
    )
    assert_accessible(page, "the pair page for two index records")
    page.get_by_role("group", name="Are these the same person?").get_by_label("Yes, the same person").check()
    keep = page.get_by_role("group", name=re.compile(r"^If they are the same person, which record should be kept\?"))
    keep.get_by_label(re.compile(rf"\(#{newer.pk}, born ")).check()
    page.get_by_label("Reason", exact=True).fill(REASON_TO_MERGE)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Merged into {exact.full_name}.")
    merge = PersonMerge.objects.get(survivor=newer, merged=exact)
    exact.refresh_from_db()
    rows["DES-1"].refresh_from_db()
    assert exact.merged_into == newer and rows["DES-1"].person == newer

    # The older record's page says it is a confirmed duplicate, and leads to the merge.
    page.goto(f"/people/{exact.pk}/")
    banner = page.locator("#merged-into")
    expect(banner).to_contain_text("This record is a confirmed duplicate")
    expect(banner).to_contain_text(f"It was merged into {newer.full_name} (person #{newer.pk})")
    assert_accessible(page, "the merged person's page")
    banner.get_by_role("link", name=f"merge #{merge.pk}").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"{exact.full_name} (#{exact.pk}) merged into {newer.full_name} (#{newer.pk})"
    )
    moved = page.get_by_role("table", name="Rows moved from the merged record to the kept record")
    expect(moved.get_by_role("row").filter(has_text="Agency record")).to_contain_text(f"{AGENCY} row 1")
    assert_accessible(page, "the merge page")
    undo = page.locator("form").filter(has=page.get_by_role("button", name="Undo the merge"))
    expect(
        undo.get_by_role("group", name="What should happen to the pair?").get_by_label(
            re.compile(r"^Put it back in the review queue")
        )
    ).to_be_checked()
    undo.get_by_label("Why are you undoing the merge?").fill(REASON_TO_UNDO)
    # From the keyboard: tab from the reason to the button and press Enter.
    page.keyboard.press("Tab")
    expect(undo.get_by_role("button", name="Undo the merge")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Merge undone: {exact.full_name} is a separate record again."
    )
    expect(page.get_by_role("heading", level=1).get_by_text("Undone")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(REASON_TO_UNDO)
    expect(page.get_by_role("button", name="Undo the merge")).to_have_count(0)
    assert_accessible(page, "the undone merge page")

    # The child is a separate record again, with the school's row back.
    page.goto(f"/people/{exact.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(exact.full_name)
    expect(page.locator("#merged-into")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(f"{AGENCY} record DES-1")
    exact.refresh_from_db()
    rows["DES-1"].refresh_from_db()
    duplicate.refresh_from_db()
    assert exact.merged_into is None and rows["DES-1"].person == exact
    assert duplicate.status == CandidatePair.Status.PENDING
    assert Person.objects.filter(pk__in=[exact.pk, newer.pk], merged_into__isnull=True).count() == 2


@pytest.mark.browser
def test_a_partner_is_told_only_whether_a_child_is_known(page: Any, mash_users: Any) -> None:
    from mash.matching.tests.conftest import make_person, nhs_number
    from mash.people.models import Relationship

    _index()
    child = make_person(
        forenames="Ottoline",
        surname="Quarrington",
        date_of_birth=date(2016, 5, 14),
        sex="F",
        postcode="DM2 4RT",
        address="7 Larkspur Row, Demotown",
        other_names="Lina Q",
        nhs_number=nhs_number("401023213"),
    )
    mother = make_person(forenames="Rosalind", surname="Quarrington", date_of_birth=date(1988, 9, 2), postcode="DM2 4RT")
    Relationship.objects.create(person=child, relative=mother, relationship="mother", lives_with=True)
    held = [
        child.address,
        "Larkspur",
        "Lina Q",
        child.nhs_number,
        "Rosalind",
        "14 May 2016",
        "14/05/2016",
        f"/people/{child.pk}/",
    ]

    sign_in(page, "police")
    page.get_by_role("link", name="Is this child known?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is this child known to the MASH?")
    assert_accessible(page, "the 'Is this child known?' page")

    def check(forenames: str, surname: str, born: date, postcode: str) -> None:
        page.get_by_label("First name").fill(forenames)
        page.get_by_label("Last name").fill(surname)
        born_group = page.get_by_role("group", name=re.compile(r"^Date of birth"))
        born_group.get_by_label("Day").fill(str(born.day))
        born_group.get_by_label("Month").fill(str(born.month))
        born_group.get_by_label("Year").fill(str(born.year))
        postcode_box = page.get_by_label("Postcode")
        postcode_box.fill(postcode)
        postcode_box.press("Enter")  # submitted from the keyboard

    check("Ottoline", "Quarrington", date(2016, 5, 14), "DM2 4RT")
    result = page.get_by_role("status")
    expect(result.get_by_role("heading")).to_have_text("A record of interest exists")
    expect(result).to_have_text(
        re.compile(r"^\s*A record of interest exists\s*The MASH holds a record that may be this child\.\s*$")
    )
    text = page.content()
    shown = [value for value in held if value in text]
    assert not shown, f"a partner must learn only that a record exists, but the page shows {shown}"
    expect(page.get_by_role("link", name=re.compile("Ottoline|Quarrington"))).to_have_count(0)
    assert_accessible(page, "the answer 'a record of interest exists'")

    check("Bartholomew", "Winterbourne-Ash", date(2014, 11, 3), "DM9 9ZZ")
    expect(page.get_by_role("status").get_by_role("heading")).to_have_text("No record found")
    expect(page.get_by_role("main")).to_contain_text("This does not mean the child is safe")
    assert_accessible(page, "the answer 'no record found'")
    sign_out(page)

    # A MASH officer searches the index itself; the partner's yes-or-no page is not theirs.
    sign_in(page, "officer")
    expect(page.get_by_role("link", name="Is this child known?")).to_have_count(0)
    response = page.goto("/people/known/")
    assert response is not None and response.status == 403, (
        f"/people/known/ for a MASH officer: got {response and response.status}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(PERMISSION_HEADING)
    assert_accessible(page, "the 'permission' page for a MASH officer")
