"""Person matching in the demo: the near-duplicates the index already holds (see history.NEAR_DUPLICATES) are
found by a deduplication run, and a small school-roll extract from Demoshire Education Safeguarding is linked to
the index, so the review queue, the clusters and the linked rows all have something to show.

The extract is made from the demo children at load time (their dates of birth move with today's date), the way
a school's management information system would send it: its own spellings, nicknames, a swapped day and month,
a mistyped NHS number, an NHS pseudo-postcode, and two pupils the MASH has never heard of. A copy is written to
var/demo/ so an administrator can upload it again from the matching page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from mash.demo.builders import DemoUsers
from mash.partnership.models import Agency
from mash.people.models import Person

EXTRACT_AGENCY = "Demoshire Education Safeguarding"
EXTRACT_FILENAME = "demoshire-school-roll.csv"
COLUMNS = ("pupil_ref", "first_name", "last_name", "dob", "gender", "address", "postcode", "nhs_number", "upn")


@dataclass(frozen=True)
class Pupil:
    """One extract row made from a demo child, and what the school's system did to their details."""

    forenames: str
    surname: str
    change: Callable[[dict[str, str], Person], None] | None = None


def _swap_day_month(row: dict[str, str], person: Person) -> None:
    dob = person.date_of_birth
    if dob and dob.day <= 12 and dob.day != dob.month:
        row["dob"] = date(dob.year, dob.day, dob.month).strftime("%d/%m/%Y")


def _nickname(name: str) -> Callable[[dict[str, str], Person], None]:
    def change(row: dict[str, str], person: Person) -> None:
        row["first_name"] = name

    return change


def _mistyped_nhs_number(row: dict[str, str], person: Person) -> None:
    row["nhs_number"] = (person.nhs_number[:-1] + str((int(person.nhs_number[-1]) + 1) % 10)) if person.nhs_number else "123 456 7890"


def _pseudo_postcode(row: dict[str, str], person: Person) -> None:
    row["postcode"] = "ZZ99 3VZ"  # the NHS "no fixed abode" pseudo-postcode: treated as blank
    row["address"] = "No fixed abode"


def _misspelt_surname(name: str) -> Callable[[dict[str, str], Person], None]:
    def change(row: dict[str, str], person: Person) -> None:
        row["last_name"] = name

    return change


def _vague(row: dict[str, str], person: Person) -> None:
    """A pupil recorded with a common name and a postcode, and no date of birth or identifiers: likely the same
    child, not certainly (a brother or a cousin could fit), so a person has to decide."""
    row.update({"dob": "", "nhs_number": "", "upn": "", "gender": "", "address": ""})


def _wrong_year_and_new_address(row: dict[str, str], person: Person) -> None:
    if person.date_of_birth:
        row["dob"] = person.date_of_birth.replace(year=person.date_of_birth.year + 2).strftime("%d/%m/%Y")
    row.update({"address": "Flat 9, Riverside Court, Brackenford", "postcode": "DM5 2QT", "nhs_number": "", "upn": ""})


PUPILS: tuple[Pupil, ...] = (
    Pupil("Alfred", "Smith", _nickname("Alfie")),
    Pupil("Lacey", "Smith"),
    Pupil("Szymon", "Kowalski", _swap_day_month),
    Pupil("Amara", "Campbell"),
    Pupil("Hamza", "Hussain", _mistyped_nhs_number),
    Pupil("Daniel", "Adeyemi"),
    Pupil("Kofi", "Asante", _misspelt_surname("Assante")),
    Pupil("Hibo", "Abdi", _pseudo_postcode),
    Pupil("Michael", "Doherty", _nickname("Mick")),
    Pupil("Aarav", "Patel"),
    Pupil("Nusrat", "Miah", _misspelt_surname("Mia")),
    Pupil("Kacper", "Nowak"),
    Pupil("Thomas", "Smith", _vague),
    Pupil("Esi", "Asante", _wrong_year_and_new_address),
)

# Pupils the MASH has never heard of: they stay unmatched.
NEW_PUPILS: tuple[dict[str, str], ...] = (
    {"first_name": "Evie", "last_name": "Marsh", "dob": "14/02/2017", "gender": "F", "address": "3 Orchard Close, Demotown",
     "postcode": "DM3 8PL"},
    {"first_name": "Tobiasz", "last_name": "Wojcik", "dob": "30/11/2015", "gender": "M", "address": "19 Canal Street, Brackenford",
     "postcode": "DM5 1XR"},
)


def extract_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for number, pupil in enumerate(PUPILS, start=1):
        person = Person.objects.filter(
            forenames=pupil.forenames, surname=pupil.surname, merged_into__isnull=True
        ).order_by("pk").first()
        if person is None:
            raise LookupError(f"The demo has no {pupil.forenames} {pupil.surname} to put in the school extract")
        row = {
            "pupil_ref": f"DES-{number:05d}",
            "first_name": person.forenames,
            "last_name": person.surname,
            "dob": person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "",
            "gender": {"M": "M", "F": "F"}.get(person.sex, ""),
            "address": person.address.replace("\n", ", "),
            "postcode": person.postcode,
            "nhs_number": person.nhs_number,
            "upn": person.upn,
        }
        if pupil.change is not None:
            pupil.change(row, person)
        rows.append(row)
    for number, new in enumerate(NEW_PUPILS, start=len(PUPILS) + 1):
        rows.append({"pupil_ref": f"DES-{number:05d}", "nhs_number": "", "upn": "", **new})
    return rows


def extract_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(extract_rows())
    return buffer.getvalue().encode("utf-8")


def load(users: DemoUsers) -> str:
    """Run a deduplication of the index and link the school extract, as the administrator, synchronously."""
    from mash.matching import services

    data = extract_csv()
    copy = Path(settings.BASE_DIR) / "var" / "demo" / EXTRACT_FILENAME
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)

    dedupe = services.start_deduplication(users.administrator, backend="duckdb", enqueue=False)
    services.run_job(dedupe.pk)
    agency = Agency.objects.get(name=EXTRACT_AGENCY)
    link = services.start_extract_link(
        users.administrator, agency=agency, filename=EXTRACT_FILENAME, data=data, backend="duckdb", enqueue=False
    )
    services.run_job(link.pk)
    # One duplicate already confirmed by the team manager, so the merge (and its undo) can be seen.
    jayden = dedupe.pairs.filter(left__surname="Campbell", right__surname="Cambell", left__forenames="Jayden").first()
    if jayden is not None:
        services.confirm_pair(
            users.manager,
            jayden,
            survivor=jayden.left,
            reason="Same child: the legacy record misspells Campbell; same date of birth, address and school.",
        )
    dedupe.refresh_from_db()
    link.refresh_from_db()
    summary: dict[str, Any] = {
        "pairs": dedupe.queued_for_review + dedupe.strong_pairs,
        "linked": link.linked_automatically,
        "queued": link.queued_for_review,
        "unmatched": link.unmatched,
    }
    return (
        f"Person matching: deduplication found {summary['pairs']} possible duplicate pair(s); the school extract "
        f"({link.records} rows) linked {summary['linked']} automatically, {summary['queued']} for review, "
        f"{summary['unmatched']} unmatched (a copy is in var/demo/{EXTRACT_FILENAME}); Jayden Cambell merged into "
        "Jayden Campbell by the team manager"
    )
