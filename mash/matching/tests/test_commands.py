"""The matching commands: link_people (deduplicate, link an extract) and train_matching_model."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mash.audit.models import AuditEvent
from mash.matching.forms import spark_available
from mash.matching.models import LinkageJob, MatchModel, SourceRecord
from mash.people.models import Person

from .conftest import DIFFERENT, crowd, make_person

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_deduplicate_prints_progress_and_a_summary(users, model_row):
    people = crowd()
    make_person(forenames=people[3].forenames, surname=people[3].surname, date_of_birth=people[3].date_of_birth, postcode=people[3].postcode)
    out = run("link_people", "--deduplicate", "--user", "manager")
    job = LinkageJob.objects.get()
    assert job.status == LinkageJob.Status.DONE and job.started_by == users.manager
    assert "%  Comparing pairs of records" in out and "100%  Finished" in out
    assert "People compared: 21" in out and "Clusters of likely duplicates: 1" in out and "Strong pairs: 1" in out and "below the strong threshold): 0" in out
    assert f"/matching/review/?job={job.pk}" in out


def test_an_extract_is_linked_from_a_file(users, model_row, tmp_path):
    oliver = crowd()[0]
    extract = tmp_path / "police.csv"
    extract.write_text(
        "id,first_name,last_name,dob,postcode\n"
        f"P1,{oliver.forenames},{oliver.surname},{oliver.date_of_birth:%d/%m/%Y},{oliver.postcode}\n"
        "P2,Zed,Nobody,01/01/2001,SW1A 1AA\n",
        encoding="utf-8",
    )
    out = run("link_people", "--extract", str(extract), "--agency", "demoshire-constabulary")
    job = LinkageJob.objects.get()
    assert job.agency.name == "Demoshire Constabulary" and job.started_by == users.administrator  # the default user
    assert "Rows in the extract: 2" in out and "Rows linked automatically: 1" in out and "Rows unmatched: 1" in out
    assert SourceRecord.objects.get(row_number=1).person == oliver


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--extract", "{tmp}/police.csv", "--agency", "no-such-agency"], "Unknown agency 'no-such-agency'"),
        (["--extract", "{tmp}/missing.csv", "--agency", "demoshire-constabulary"], "Cannot read"),
        (["--extract", "{tmp}/police.csv"], "Say which agency"),
        (["--extract", "{tmp}/no_names.csv", "--agency", "demoshire-constabulary"], "has no name columns"),
        (["--deduplicate", "--user", "nobody"], "no active user called 'nobody'"),
        (["--deduplicate", "--agency", "police"], "--agency goes with --extract"),
    ],
)
def test_link_people_refuses_in_words(users, model_row, tmp_path, args, message):
    (tmp_path / "police.csv").write_text("forenames,surname\nAmelia,Testcase\n", encoding="utf-8")
    (tmp_path / "no_names.csv").write_text("ref,dob\n1,2015-03-27\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("link_people", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert not LinkageJob.objects.exists()


def test_an_agency_is_found_by_id_name_or_a_kind_only_one_has(users, model_row, tmp_path):
    from mash.matching.management.commands.link_people import agency_named
    from mash.partnership.models import Agency

    police = Agency.objects.get(name="Demoshire Constabulary")
    assert agency_named(str(police.pk)) == police
    assert agency_named("DEMOSHIRE CONSTABULARY") == police
    if Agency.objects.filter(kind="police").count() == 1:
        assert agency_named("police") == police


@pytest.mark.skipif(spark_available(), reason="pyspark is installed here")
def test_spark_without_pyspark_is_a_clear_error(users, model_row):
    with pytest.raises(CommandError, match="pyspark"):
        run("link_people", "--deduplicate", "--backend", "spark")
    with pytest.raises(CommandError, match="pyspark"):
        run("train_matching_model", "--backend", "spark")
    assert not LinkageJob.objects.exists() and not MatchModel.objects.filter(source="trained").exists()


def test_training_on_too_few_people_is_a_clear_error(users):
    crowd()
    with pytest.raises(CommandError, match="has 20 un-merged people; training needs at least 1,000"):
        run("train_matching_model")
    assert not MatchModel.objects.exists()


def synthetic_index(n: int, seed: int = 7) -> None:
    """n people in households, a few recorded twice with a slip, written in bulk (the keys are not needed here)."""
    rng = random.Random(seed)
    forenames = [f for f, _ in DIFFERENT] + ["Amelia", "Oscar", "Lily", "Mohammed", "Poppy", "George", "Zara", "Adam", "Maya", "Luca"]
    surnames = [s for _, s in DIFFERENT] + ["Smith", "Green", "Walker", "Hall", "Young", "King", "Wright", "Hill", "Scott", "Moore"]
    people = []
    while len(people) < n:
        surname = rng.choice(surnames)
        postcode = f"NN{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        for _ in range(rng.randint(1, 4)):
            dob = date(2005, 1, 1) + timedelta(days=rng.randint(0, 6000))
            person = Person(forenames=rng.choice(forenames), surname=surname, date_of_birth=dob, sex=rng.choice("MF"), postcode=postcode)
            people.append(person)
            if rng.random() < 0.05:
                people.append(Person(forenames=person.forenames[:-1] + "e", surname=surname, date_of_birth=dob, sex=person.sex, postcode=postcode))
    Person.objects.bulk_create(people[:n], batch_size=500)


def test_training_saves_a_new_active_version_and_prints_its_parameters(users, model_row, monkeypatch):
    synthetic_index(1200)
    out = run("train_matching_model", "--user", "admin")
    trained = MatchModel.objects.get(is_active=True)
    assert trained.version == 2 and trained.source == MatchModel.Source.TRAINED and trained.trained_on_records == 1200
    assert trained.created_by == users.administrator and trained.splink_model
    assert "Match model version 2, trained on 1,200 people: now the active model." in out
    assert "forename:" in out and "exact: m=" in out and trained.report in out
    model_row.refresh_from_db()
    assert not model_row.is_active
    assert AuditEvent.objects.filter(action="match_model.trained", object_id=str(trained.pk)).exists()

    # The second run only checks --no-activate: it reuses what the first training produced rather than train again.
    from mash.domain.match_model import TrainedModel
    from mash.matching import linkage

    monkeypatch.setattr(linkage, "train", lambda frame, **kw: (TrainedModel.from_json(trained.parameters), trained.splink_model))
    out = run("train_matching_model", "--no-activate")
    assert MatchModel.objects.get(is_active=True) == trained and MatchModel.objects.get(version=3).is_active is False
    assert "saved, not active" in out
