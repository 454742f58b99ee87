"""The interactive search ("is this child known?"): blocking, ranking with the trained model, merged records,
need-to-know for partner agencies, and the audit trail."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.people.models import Person, Relationship
from mash.people.services import SearchQuery, candidate_pool, check_known, find_candidates, search_people

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def person(forenames: str, surname: str, dob: date | None, postcode: str = "", **extra: object) -> Person:
    p = Person(forenames=forenames, surname=surname, date_of_birth=dob, postcode=postcode, **extra)
    p.save()
    return p


@pytest.fixture
def index(partnership):  # noqa: ANN001, ANN201
    alfie = person("Alfred", "Smith", date(2016, 7, 3), "DM4 2LT", sex="M", other_names="Alfie")
    lacey = person("Lacey", "Smith", date(2019, 2, 11), "DM4 2LT", sex="F")
    kerry = person("Kerry", "Smith", date(1992, 5, 20), "DM4 2LT", sex="F")
    Relationship.objects.create(person=alfie, relative=lacey, relationship="sister")
    Relationship.objects.create(person=alfie, relative=kerry, relationship="mother")
    twin_a = person("Amelia", "Nowak", date(2014, 9, 9), "DM6 4HN", sex="F")
    twin_b = person("Zofia", "Nowak", date(2014, 9, 9), "DM6 4HN", sex="F")
    mohamed = person("Mohamed", "Abdi", date(2013, 3, 14), "DM2 5RW", sex="M")
    strangers = [person(f"Child{i}", f"Family{i}", date(2010, 1, 1 + i % 28), f"DM9 {i % 9}AB") for i in range(30)]
    return {"alfie": alfie, "lacey": lacey, "kerry": kerry, "twin_a": twin_a, "twin_b": twin_b, "mohamed": mohamed,
            "strangers": strangers}


def test_nickname_and_swapped_day_month_rank_the_child_first_with_reasons_and_household(index) -> None:  # noqa: ANN001
    results = find_candidates(SearchQuery(forenames="Alfie", surname="Smith", date_of_birth=date(2016, 3, 7)), Person.objects.all())
    best = results[0]
    assert best.person == index["alfie"]
    levels = {c.field: c.level for c in best.match.comparisons}
    assert levels["dob"] == "day_month_swapped"
    assert levels["forename"] in {"exact", "nickname"}
    assert {p.pk for p in best.household} == {index["lacey"].pk, index["kerry"].pk}
    assert all(c.explanation for c in best.match.comparisons)


def test_first_and_last_names_swapped_are_found(index) -> None:  # noqa: ANN001
    pool = candidate_pool(Person.objects.all(), SearchQuery(forenames="Abdi", surname="Mohamed"))
    assert index["mohamed"] in pool
    results = find_candidates(SearchQuery(forenames="Abdi", surname="Muhammad", date_of_birth=date(2013, 3, 14)), Person.objects.all())
    assert results[0].person == index["mohamed"]


def test_the_pool_is_blocked_on_indexed_keys(index) -> None:  # noqa: ANN001
    def pool(**kwargs: object) -> set[Person]:
        return set(candidate_pool(Person.objects.all(), SearchQuery(**kwargs)))  # type: ignore[arg-type]

    # A year out, with the name spelt differently but starting with the same sound (Mohamed / Muhammad).
    assert index["mohamed"] in pool(forenames="Muhammad", surname="Abdy", date_of_birth=date(2014, 3, 14))
    # Same date of birth but nothing else in common: not a candidate.
    assert index["mohamed"] not in pool(forenames="Xavier", surname="Quinn", date_of_birth=date(2013, 3, 14))
    # Both names agree, born years apart: not a candidate either (a parent and child can share a name).
    assert index["mohamed"] not in pool(forenames="Mohamed", surname="Abdi", date_of_birth=date(1985, 3, 14))
    # Without a date of birth, the names are enough.
    assert index["mohamed"] in pool(forenames="Mohammed", surname="Abdi")
    # An identifier alone is enough.
    Person.objects.filter(pk=index["mohamed"].pk).update(nhs_number="9434765919")
    assert index["mohamed"] in pool(nhs_number="9434765919")
    # The postcode needs a name key too.
    assert index["lacey"] in pool(forenames="Lacy", postcode="DM4 2LT")
    assert index["lacey"] not in pool(forenames="Zara", postcode="DM4 2LT")


def test_the_search_sql_and_the_queryset_agree(index) -> None:  # noqa: ANN001
    from mash.people.services import _pool_rows

    for query in (
        SearchQuery(forenames="Alfie", surname="Smith", date_of_birth=date(2016, 3, 7), postcode="DM4 2LT"),
        SearchQuery(forenames="Abdi", surname="Mohamed"),
        SearchQuery(surname="Nowak", postcode="DM6 4HN"),
        SearchQuery(date_of_birth=date(2014, 9, 9)),
    ):
        assert {row[0] for row in _pool_rows(query)} == set(candidate_pool(Person.objects.all(), query).values_list("pk", flat=True))


def test_twins_are_told_apart(index) -> None:  # noqa: ANN001
    results = find_candidates(SearchQuery(forenames="Zofia", surname="Nowak", date_of_birth=date(2014, 9, 9), postcode="DM6 4HN"), Person.objects.all())
    assert results[0].person == index["twin_b"]
    twin = next((c for c in results if c.person == index["twin_a"]), None)
    assert twin is None or twin.match.probability < 0.05


def test_merged_duplicates_never_appear(index) -> None:  # noqa: ANN001
    duplicate = person("Alfie", "Smyth", date(2016, 7, 3), "DM4 2LT")
    query = SearchQuery(forenames="Alfie", surname="Smyth", date_of_birth=date(2016, 7, 3))
    assert duplicate in [c.person for c in find_candidates(query, Person.objects.all())]
    Person.objects.filter(pk=duplicate.pk).update(merged_into=index["alfie"])
    found = [c.person for c in find_candidates(query, Person.objects.all())]
    assert duplicate not in found
    assert found[0] == index["alfie"]


def test_the_display_threshold_is_partnership_configuration(index, partnership) -> None:  # noqa: ANN001
    query = SearchQuery(forenames="Lacey", surname="Smith")
    assert find_candidates(query, Person.objects.all())
    partnership.match_display_threshold = "1.0000"
    partnership.save()
    assert find_candidates(query, Person.objects.all()) == []


def test_every_search_is_audited(index, users) -> None:  # noqa: ANN001
    search_people(users.officer, SearchQuery(forenames="Lacey", surname="Smith"), purpose="History check for MASH-1")
    event = AuditEvent.objects.filter(action="person.searched").latest("id")
    assert event.actor_username == users.officer.username
    assert "Lacey Smith" in event.summary and event.reason == "History check for MASH-1"


def test_a_partner_learns_only_whether_a_record_of_interest_exists(index, users, client) -> None:  # noqa: ANN001
    client.force_login(users.police)
    response = client.get(reverse("people:known"), {"forenames": "Alfie", "surname": "Smith", "date_of_birth_day": "3", "date_of_birth_month": "7", "date_of_birth_year": "2016"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "A record of interest exists" in page
    # Nothing the MASH holds leaks: not the recorded name, the household, the probability or a link to the record.
    for held in ("Alfred", "Lacey", "Kerry", "DM4 2LT", "%", reverse("people:detail", args=[index["alfie"].pk])):
        assert held not in page
    event = AuditEvent.objects.filter(action="person.known_checked").latest("id")
    assert event.actor_username == users.police.username and event.object_id == str(index["alfie"].pk)

    response = client.get(reverse("people:known"), {"forenames": "Nobody", "surname": "Known", "date_of_birth_day": "1", "date_of_birth_month": "1", "date_of_birth_year": "2001"})
    assert "No record found" in response.content.decode()
    assert AuditEvent.objects.filter(action="person.known_checked").count() == 2


def test_the_partner_check_explains_bad_input_and_keeps_it(index, users, client) -> None:  # noqa: ANN001
    client.force_login(users.health)
    response = client.get(reverse("people:known"), {"forenames": "Alfie", "nhs_number": "0000000000"})
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'value="Alfie"' in page
    assert not AuditEvent.objects.filter(action="person.known_checked").exists()


def test_check_known_uses_the_review_threshold(index, users, partnership) -> None:  # noqa: ANN001
    query = SearchQuery(forenames="Alfie", surname="Smith", postcode="DM4 2LT")
    assert check_known(users.police, query).known
    partnership.match_review_threshold = "0.9999"
    partnership.match_strong_threshold = "0.9999"
    partnership.save()
    assert not check_known(users.police, query).known


@pytest.mark.parametrize("who", ["officer", "decision_maker", "manager"])
def test_mash_members_search_and_are_not_sent_to_the_partner_check(index, users, client, who) -> None:  # noqa: ANN001
    client.force_login(getattr(users, who))
    assert client.get(reverse("people:known")).status_code == 403
    response = client.get(reverse("people:search"), {"forenames": "Alfie", "surname": "Smith"})
    assert response.status_code == 200 and "Alfred Smith" in response.content.decode()


@pytest.mark.parametrize("who", ["police", "health", "education", "probation"])
def test_partners_may_check_but_not_search(users, client, who) -> None:  # noqa: ANN001
    client.force_login(getattr(users, who))
    assert client.get(reverse("people:search")).status_code == 403
    assert client.get(reverse("people:known")).status_code == 200


@pytest.mark.parametrize("who", ["receiving", "dpo", "administrator", "strategic_manager", "assistant_director"])
def test_others_may_neither_search_nor_check(users, client, who) -> None:  # noqa: ANN001
    client.force_login(getattr(users, who))
    assert client.get(reverse("people:search")).status_code == 403
    assert client.get(reverse("people:known")).status_code == 403


def test_a_merged_record_says_where_the_child_is_now(index, users, client) -> None:  # noqa: ANN001
    duplicate = person("Alfie", "Smyth", date(2016, 7, 3), "DM4 2LT")
    Person.objects.filter(pk=duplicate.pk).update(merged_into=index["alfie"])
    client.force_login(users.officer)
    page = client.get(reverse("people:detail", args=[duplicate.pk])).content.decode()
    assert "This record is a confirmed duplicate" in page
    assert reverse("people:detail", args=[index["alfie"].pk]) in page


def test_the_search_never_loads_splink_or_duckdb(tmp_path) -> None:
    """Interactive search reads the trained model as plain numbers: a request must not need DuckDB."""
    script = """
import sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from mash.demo.builders import build_partnership
build_partnership()
from datetime import date
from mash.people.models import Person
from mash.people.services import SearchQuery, find_candidates
Person(forenames="Alfred", surname="Smith", date_of_birth=date(2016, 7, 3)).save()
found = find_candidates(SearchQuery(forenames="Alfie", surname="Smith", date_of_birth=date(2016, 7, 3)), Person.objects.all())
assert found and found[0].person.forenames == "Alfred", found
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"splink", "duckdb", "pandas", "pyarrow"})
assert not loaded, loaded
print("ok")
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_the_contact_form_takes_identifiers_explains_bad_ones_and_the_check_uses_them(index, users, client) -> None:  # noqa: ANN001
    from mash.intake.models import Contact, ContactPerson
    from mash.intake.tests.test_recording import form_data

    Person.objects.filter(pk=index["mohamed"].pk).update(nhs_number="9434765919")
    client.force_login(users.officer)
    url = reverse("intake:record")
    assert 'name="child-nhs_number"' in client.get(url).content.decode()
    bad = client.post(url, form_data(**{"child-forenames": "Mo", "child-surname": "Abdy", "child-nhs_number": "943 476 5918"}))
    text = bad.content.decode()
    assert bad.status_code == 200 and "check digit" in text and 'value="943 476 5918"' in text
    assert not Contact.objects.exists()

    client.post(url, form_data(**{"child-forenames": "Mohammed", "child-surname": "Abdy", "child-sex": "M", "child-nhs_number": "943 476 5919"}))
    contact = Contact.objects.get()
    child = ContactPerson.objects.get(contact=contact, role=ContactPerson.Role.SUBJECT_CHILD)
    assert child.nhs_number == "9434765919"
    page = client.get(reverse("intake:link-people", args=[contact.pk])).content.decode()
    # The check compares the NHS number the referrer gave, and says so.
    assert "Mohamed Abdi" in page and "NHS number is the same on both records" in page
