"""The demo partnership's people and their history, loaded by `manage.py load_demo`.

Everything here is fictional. The families, streets and towns of "Demoshire" do not exist;
postcodes use the format-valid but unused area "DM"; NHS numbers are in the 999 range the
NHS reserves for test data; telephone numbers are Ofcom's drama ranges (01632 960xxx,
07700 900xxx); e-mail addresses end in .example.

The person index (people, relationships, social care and early help involvements) is
written directly, as a migration from a legacy case management system would be. Every
contact, on the other hand, goes through the same services as the web pages
(record -> link -> submit -> triage -> recommend -> challenge/sign off -> letter), so the
audit chain and the state machine are exercised exactly as in real use. Historical
contacts are then moved back in time by updating the timestamps of their workflow rows
(never `Contact.status`, and never an audit event: the audit log truthfully says when the
demo was loaded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mash.audit import services as audit
from mash.decisions import services as decisions
from mash.decisions.models import Decision, OutcomeLetter
from mash.domain.identifiers import normalise_postcode, upn_check_letter, validate_nhs_number, validate_upn
from mash.domain.workflow import ContactEvent, ContactStatus
from mash.domain.worktime import WorkingCalendar
from mash.intake import services as intake
from mash.intake.models import Contact, ContactPerson, StatusChange
from mash.intake.workflow import apply_event
from mash.partnership.models import ConcernCategory, LevelOfNeed, RagRating, Team, UrgentTrigger
from mash.partnership.services import working_calendar
from mash.people.models import Ethnicity, Involvement, InvolvementKind, Person, Relationship
from mash.triage import services as triage_services
from mash.triage.models import RatingChange, UrgentTriggerFlag
from mash.workqueue import services as workqueue
from mash.workqueue.models import Alert

from .builders import DemoUsers

SEED = 2026

# The person whose presence means the demo has already been loaded.
SENTINEL = {"forenames": "Alfred", "surname": "Smith", "postcode": "DM4 2LT"}


def already_loaded() -> bool:
    return Person.objects.filter(**SENTINEL).exists()


# ---------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------

TOWNS: dict[str, dict[str, str]] = {
    "Demotown": {
        "nursery": "Little Acorns Nursery, Demotown",
        "primary": "Demotown St Mary's CE Primary School",
        "secondary": "Demotown High School",
        "gp": "Market Street Medical Centre",
    },
    "Brackenford": {
        "nursery": "Brackenford Family Hub Nursery",
        "primary": "Brackenford Primary School",
        "secondary": "Brackenford Academy",
        "gp": "Riverside Medical Practice",
    },
    "Eastholme": {
        "nursery": "Sunflower Day Nursery, Eastholme",
        "primary": "Eastholme Park Primary School",
        "secondary": "Eastholme Academy",
        "gp": "Eastholme Health Centre",
    },
    "Wexley Green": {
        "nursery": "Tiny Steps Pre-school, Wexley Green",
        "primary": "Wexley Green Infant and Junior School",
        "secondary": "Wexley Green Community College",
        "gp": "Wexley Green Surgery",
    },
    "Oakhurst": {
        "nursery": "Oakhurst Children's Centre Nursery",
        "primary": "Oakhurst Primary School",
        "secondary": "St Aidan's Catholic High School",
        "gp": "Oakhurst Family Practice",
    },
}
COLLEGE = "Demoshire College"
CATHOLIC_PRIMARY = "St Brigid's Catholic Primary School"


# ---------------------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One person in a family. `relation` is what an adult is to the children ('mother')."""

    key: str
    forenames: str
    sex: str
    age: int | None = None  # years; None with months=None means unborn
    months: int | None = None  # for babies
    relation: str = ""  # empty for a child
    lives_with: bool = True
    surname: str = ""
    other_names: str = ""
    ethnicity: str = ""
    first_language: str = ""
    place_of_birth: str = ""
    disability: str = ""
    address: str = ""  # for an adult living elsewhere: "street, town, postcode"
    to: dict[str, str] = field(default_factory=dict)  # relation to particular children
    group: str = "a"  # children in different groups are half-siblings
    birthday: tuple[int, int] | None = None  # (month, day) when it matters for the demo

    @property
    def is_child(self) -> bool:
        return not self.relation


@dataclass(frozen=True)
class Family:
    key: str
    surname: str
    ethnicity: str
    language: str
    religion: str
    street: str
    town: str
    postcode: str
    members: tuple[Member, ...]
    catholic_school: bool = False


M, F = "M", "F"

FAMILIES: tuple[Family, ...] = (
    Family(
        "smith",
        "Smith",
        Ethnicity.WBRI,
        "English",
        "",
        "14 Larkspur Close",
        "Brackenford",
        "DM4 2LT",
        (
            Member("kerry", "Kerry", F, 33, relation="mother"),
            Member(
                "dean", "Dean", M, 36, relation="father", lives_with=False, address="Flat 3, 22 Wharf Street, Demotown, DM1 3UA"
            ),
            Member("alfie", "Alfred", M, 9, other_names="Alfie", birthday=(3, 7)),
            Member("lacey", "Lacey", F, 6),
            Member("tommy", "Thomas", M, 3, other_names="Tommy"),
        ),
    ),
    Family(
        "kowalski",
        "Kowalski",
        Ethnicity.WOTH,
        "Polish",
        "Roman Catholic",
        "7 Mill Race Lane",
        "Eastholme",
        "DM6 4HN",
        (
            Member("agnieszka", "Agnieszka", F, 38, relation="mother", surname="Kowalska", place_of_birth="Poznan, Poland"),
            Member("piotr", "Piotr", M, 40, relation="father", place_of_birth="Poznan, Poland"),
            Member(
                "maja", "Maja", F, 12, surname="Kowalska", place_of_birth="Poznan, Poland", first_language="Polish and English"
            ),
            Member("szymon", "Szymon", M, 8, place_of_birth="Demotown", first_language="Polish and English"),
        ),
        catholic_school=True,
    ),
    Family(
        "campbell",
        "Campbell",
        Ethnicity.BCRB,
        "English",
        "Christian (Pentecostal)",
        "31 Jubilee Road",
        "Demotown",
        "DM2 5RW",
        (
            Member("marcia", "Marcia", F, 58, relation="maternal grandmother", place_of_birth="Kingston, Jamaica"),
            Member("shanice", "Shanice", F, 29, relation="mother"),
            Member(
                "jermaine",
                "Jermaine",
                M,
                31,
                relation="mother's partner",
                lives_with=False,
                surname="Ellis",
                address="12 Nelson Court, Eastholme, DM6 3PF",
                to={"malik": "father"},
            ),
            Member("jayden", "Jayden", M, 10),
            Member("amara", "Amara", F, 4),
            Member("malik", "Malik", M, months=14, surname="Ellis", group="b"),
        ),
    ),
    Family(
        "hussain",
        "Hussain",
        Ethnicity.APKN,
        "Urdu",
        "Muslim",
        "52 Cedar Avenue",
        "Wexley Green",
        "DM7 3EJ",
        (
            Member("imran", "Imran", M, 41, relation="father", place_of_birth="Mirpur, Pakistan"),
            Member("saima", "Saima", F, 37, relation="mother", place_of_birth="Demotown"),
            Member("zain", "Zain", M, 14, first_language="English"),
            Member("aleena", "Aleena", F, 11, first_language="English"),
            Member("hamza", "Hamza", M, 7, first_language="English"),
            Member("maryam", "Maryam", F, 2),
        ),
    ),
    Family(
        "adeyemi",
        "Adeyemi",
        Ethnicity.BAFR,
        "Yoruba and English",
        "Christian",
        "Flat 12, Harbour Court, 3 Quay Street",
        "Oakhurst",
        "DM9 1TF",
        (
            Member("folake", "Folake", F, 30, relation="mother", place_of_birth="Lagos, Nigeria"),
            Member("tunde", "Babatunde", M, 34, relation="father", other_names="Tunde", place_of_birth="Ibadan, Nigeria"),
            Member("daniel", "Daniel", M, 5, first_language="English"),
            Member("grace", "Grace", F, 2, first_language="English"),
            Member("unborn", "Unborn baby", "U"),
        ),
    ),
    Family(
        "asante",
        "Asante",
        Ethnicity.BAFR,
        "English and Twi",
        "Christian (Methodist)",
        "88 Kingfisher Way",
        "Demotown",
        "DM1 6NB",
        (
            Member("kwame", "Kwame", M, 45, relation="father", place_of_birth="Kumasi, Ghana"),
            Member("abena", "Abena", F, 42, relation="mother", place_of_birth="Accra, Ghana"),
            Member("kofi", "Kofi", M, 16),
            Member("esi", "Esi", F, 13),
            Member("yaw", "Yaw", M, 9),
        ),
    ),
    Family(
        "abdi",
        "Abdi",
        Ethnicity.BAFR,
        "Somali",
        "Muslim",
        "Flat 4, Tenter House, Albion Street",
        "Eastholme",
        "DM6 1BX",
        (
            Member("hodan", "Hodan", F, 35, relation="mother", surname="Warsame", place_of_birth="Mogadishu, Somalia"),
            Member("abdirahman", "Abdirahman", M, 39, relation="father", place_of_birth="Hargeisa, Somaliland"),
            Member("mohamed", "Mohamed", M, 12, first_language="Somali and English"),
            Member("hibo", "Hibo", F, 9, first_language="Somali and English"),
            Member("ayaan", "Ayaan", F, 5, first_language="Somali and English"),
        ),
    ),
    Family(
        "doherty",
        "Doherty",
        Ethnicity.WIRT,
        "English",
        "Roman Catholic",
        "Plot 6, Greenacre Park, Moor Lane",
        "Wexley Green",
        "DM7 8PD",
        (
            Member("bridget", "Bridget", F, 32, relation="mother"),
            Member("patrick", "Patrick", M, 35, relation="father", other_names="Paddy"),
            Member("johnny", "John", M, 13, other_names="Johnny"),
            Member("marykate", "Mary-Kate", F, 10),
            Member("michael", "Michael", M, 6),
            Member("kathleen", "Kathleen", F, 4),
        ),
        catholic_school=True,
    ),
    Family(
        "patel",
        "Patel",
        Ethnicity.AIND,
        "Gujarati",
        "Hindu",
        "19 Beechwood Drive",
        "Demotown",
        "DM2 7HL",
        (
            Member("nikesh", "Nikesh", M, 44, relation="father", place_of_birth="Leicester"),
            Member("hetal", "Hetal", F, 40, relation="mother", place_of_birth="Vadodara, India"),
            Member("kantaben", "Kantaben", F, 70, relation="paternal grandmother", place_of_birth="Kampala, Uganda"),
            Member("riya", "Riya", F, 15, first_language="English"),
            Member("aarav", "Aarav", M, 10, first_language="English"),
        ),
    ),
    Family(
        "miah",
        "Miah",
        Ethnicity.ABAN,
        "Bengali (Sylheti)",
        "Muslim",
        "5 Providence Terrace",
        "Eastholme",
        "DM6 2AQ",
        (
            Member("rahima", "Rahima", F, 36, relation="mother", surname="Begum", place_of_birth="Sylhet, Bangladesh"),
            Member("abdul", "Abdul", M, 45, relation="father", place_of_birth="Sylhet, Bangladesh"),
            Member("tahmid", "Tahmid", M, 13, first_language="English"),
            Member("nusrat", "Nusrat", F, 8, first_language="English"),
        ),
    ),
    Family(
        "nowak",
        "Nowak",
        Ethnicity.WOTH,
        "Polish",
        "Roman Catholic",
        "Flat 2, 40 Station Road",
        "Brackenford",
        "DM4 6SU",
        (
            Member("kasia", "Katarzyna", F, 27, relation="mother", other_names="Kasia", place_of_birth="Wroclaw, Poland"),
            Member(
                "marek",
                "Marek",
                M,
                30,
                relation="father",
                lives_with=False,
                surname="Zielinski",
                address="Flat 8, 91 Bridge Street, Demotown, DM1 2HW",
            ),
            Member("oliwia", "Oliwia", F, 7, first_language="Polish and English"),
            Member("kacper", "Kacper", M, 4, first_language="Polish and English"),
        ),
    ),
    Family(
        "harper",
        "Harper",
        Ethnicity.WBRI,
        "English",
        "",
        "23 Foxglove Crescent",
        "Oakhurst",
        "DM9 4GH",
        (
            Member("leanne", "Leanne", F, 31, relation="mother"),
            Member("craig", "Craig", M, 34, relation="mother's partner", surname="Dobson"),
            Member("connor", "Connor", M, 11),
            Member("elliemae", "Ellie-Mae", F, 7),
        ),
    ),
    Family(
        "obrien",
        "O'Brien",
        Ethnicity.WIRI,
        "English",
        "Roman Catholic",
        "2 Shannon Mews",
        "Demotown",
        "DM1 8WE",
        (
            Member("siobhan", "Siobhan", F, 39, relation="mother", place_of_birth="Cork, Ireland"),
            Member("declan", "Declan", M, 41, relation="father", place_of_birth="Limerick, Ireland"),
            Member("niamh", "Niamh", F, 16),
            Member("ciaran", "Ciaran", M, 12),
        ),
        catholic_school=True,
    ),
    Family(
        "turner",
        "Turner",
        Ethnicity.WBRI,
        "English",
        "",
        "Flat 9, Willow House, Hollis Street",
        "Wexley Green",
        "DM7 2DA",
        (
            Member("chloe", "Chloe", F, 19, relation="mother"),
            Member(
                "reece",
                "Reece",
                M,
                21,
                relation="father",
                lives_with=False,
                surname="Bailey",
                ethnicity=Ethnicity.MWBC,
                address="27 Coronation Street, Wexley Green, DM7 4RL",
            ),
            Member("avarose", "Ava-Rose", F, months=4, ethnicity=Ethnicity.MWBC),
        ),
    ),
    Family(
        "chen",
        "Chen",
        Ethnicity.CHNE,
        "Cantonese",
        "",
        "61 Orchard Rise",
        "Eastholme",
        "DM6 5JL",
        (
            Member("wei", "Wei", M, 43, relation="father", place_of_birth="Hong Kong"),
            Member("lina", "Li Na", F, 41, relation="mother", place_of_birth="Guangzhou, China"),
            Member("jessica", "Jessica", F, 14, first_language="English"),
            Member("ryan", "Ryan", M, 11, first_language="English"),
        ),
    ),
    Family(
        "eze",
        "Eze",
        Ethnicity.BAFR,
        "English and Igbo",
        "Christian (Catholic)",
        "10 Primrose Hill",
        "Brackenford",
        "DM4 3NR",
        (
            Member("chinedu", "Chinedu", M, 38, relation="father", place_of_birth="Enugu, Nigeria"),
            Member("ngozi", "Ngozi", F, 36, relation="mother", place_of_birth="Onitsha, Nigeria"),
            Member("chidi", "Chidi", M, 9, first_language="English"),
            Member("adaeze", "Adaeze", F, 6, first_language="English"),
            Member("obinna", "Obinna", M, 3, first_language="English"),
        ),
    ),
    Family(
        "williams",
        "Williams",
        Ethnicity.MWBC,
        "English",
        "",
        "47 Tudor Walk",
        "Brackenford",
        "DM4 9LD",
        (
            Member("gemma", "Gemma", F, 28, relation="mother", ethnicity=Ethnicity.WBRI),
            Member(
                "andre",
                "Andre",
                M,
                30,
                relation="father",
                lives_with=False,
                surname="Baptiste",
                ethnicity=Ethnicity.BCRB,
                address="5 Garnet Street, Demotown, DM2 8JT",
            ),
            Member("kayden", "Kayden", M, 8),
            Member("tia", "Tia", F, 5),
        ),
    ),
    Family(
        "jones",
        "Jones",
        Ethnicity.WBRI,
        "English",
        "",
        "3 Hawthorn Cottages, Church Lane",
        "Oakhurst",
        "DM9 6QZ",
        (
            Member("patricia", "Patricia", F, 61, relation="maternal grandmother (kinship carer)", other_names="Pat"),
            Member("jade", "Jade", F, 26, relation="mother", lives_with=False, address="no fixed abode (sofa surfing), Demotown"),
            Member("logan", "Logan", M, 12),
            Member("poppy", "Poppy", F, 9),
        ),
    ),
    Family(
        "stoica",
        "Stoica",
        Ethnicity.WROM,
        "Romanian",
        "Romanian Orthodox",
        "118 Victoria Street",
        "Eastholme",
        "DM6 7TG",
        (
            Member("marian", "Marian", M, 33, relation="father", place_of_birth="Craiova, Romania"),
            Member("daniela", "Daniela", F, 30, relation="mother", place_of_birth="Craiova, Romania"),
            Member("denisa", "Denisa", F, 11, first_language="Romanian and English", place_of_birth="Craiova, Romania"),
            Member("gabriel", "Gabriel", M, 7, first_language="Romanian and English"),
            Member("bianca", "Bianca", F, 2),
        ),
    ),
    Family(
        "singh",
        "Singh",
        Ethnicity.AIND,
        "Punjabi",
        "Sikh",
        "26 Linden Grove",
        "Demotown",
        "DM2 4BS",
        (
            Member("harjit", "Harjit", M, 42, relation="father", place_of_birth="Jalandhar, India"),
            Member("kulwinder", "Kulwinder", F, 39, relation="mother", surname="Kaur", place_of_birth="Demotown"),
            Member("jaspreet", "Jaspreet", F, 16, surname="Kaur", first_language="English"),
            Member("arjun", "Arjun", M, 13, first_language="English"),
        ),
    ),
    Family(
        "evans",
        "Evans",
        Ethnicity.WBRI,
        "English",
        "",
        "9 Dyfed Close",
        "Oakhurst",
        "DM9 2UB",
        (
            Member("rhys", "Rhys", M, 36, relation="father", place_of_birth="Swansea"),
            Member("nia", "Nia", F, 34, relation="mother", lives_with=False, address="44 Marine Parade, Brackenford, DM4 8WB"),
            Member("ffion", "Ffion", F, 10, first_language="English and Welsh"),
            Member("cai", "Cai", M, 7, disability="Cerebral palsy; uses a wheelchair; education, health and care plan (EHCP)."),
        ),
    ),
    Family(
        "ahmadzai",
        "Ahmadzai",
        Ethnicity.AOTH,
        "Dari and Pashto",
        "Muslim",
        "Flat 6, Meridian House, Canal Street",
        "Demotown",
        "DM1 3QP",
        (
            Member("farid", "Farid", M, 40, relation="father", place_of_birth="Kabul, Afghanistan"),
            Member("zarghuna", "Zarghuna", F, 35, relation="mother", place_of_birth="Jalalabad, Afghanistan"),
            Member("omid", "Omid", M, 15, place_of_birth="Kabul, Afghanistan"),
            Member("parisa", "Parisa", F, 12, place_of_birth="Kabul, Afghanistan"),
            Member("samir", "Samir", M, 8, place_of_birth="Islamabad, Pakistan"),
        ),
    ),
    Family(
        "brown",
        "Brown",
        Ethnicity.WBRI,
        "English",
        "Church of England",
        "15 Heather View",
        "Wexley Green",
        "DM7 5NX",
        (
            Member("sarah", "Sarah", F, 44, relation="mother"),
            Member("mark", "Mark", M, 47, relation="father"),
            Member("ethan", "Ethan", M, 17),
            Member("isla", "Isla", F, 14),
        ),
    ),
    Family(
        "haddad",
        "Haddad",
        Ethnicity.OOTH,
        "Arabic",
        "Muslim",
        "72 Alexandra Road",
        "Brackenford",
        "DM4 1HJ",
        (
            Member("rami", "Rami", M, 39, relation="father", place_of_birth="Homs, Syria"),
            Member("rana", "Rana", F, 34, relation="mother", place_of_birth="Aleppo, Syria"),
            Member("yousef", "Yousef", M, 10, place_of_birth="Amman, Jordan", first_language="Arabic and English"),
            Member("sara", "Sara", F, 6, place_of_birth="Demotown"),
            Member("karim", "Karim", M, months=13),
        ),
    ),
    Family(
        "kelly",
        "Kelly",
        Ethnicity.WBRI,
        "English",
        "",
        "36 Bluebell Road",
        "Demotown",
        "DM2 9EA",
        (
            Member("stacey", "Stacey", F, 24, relation="mother"),
            Member(
                "jordan",
                "Jordan",
                M,
                26,
                relation="father",
                lives_with=False,
                surname="Price",
                address="Flat 1, 8 Ropewalk, Brackenford, DM4 5DU",
            ),
            Member("mason", "Mason", M, 5),
            Member("lilyrose", "Lily-Rose", F, 3),
            Member("harley", "Harley", M, months=8),
        ),
    ),
)

# Records the legacy system holds twice: a misspelling, swapped names, an anglicised spelling.
# (original key, changes to apply to a copy of the original)
NEAR_DUPLICATES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("campbell.jayden", {"surname": "Cambell", "nhs_number": "", "upn": "", "school": ""}),
    ("hussain.zain", {"forenames": "Hussain", "surname": "Zain", "nhs_number": "", "ethnicity": Ethnicity.NOBT}),
    ("nowak.oliwia", {"forenames": "Olivia", "surname": "Novak", "upn": "", "address": "Flat 2, 40 Station Rd, Brackenford"}),
    # A Somali family's son recorded by another service with the Arabic spelling and day and month swapped.
    ("abdi.mohamed", {"forenames": "Muhammad", "nhs_number": "", "upn": "", "date_of_birth": lambda p: _misrecorded_birthday(p.date_of_birth)}),
    # A misspelt surname and an old address (before the family moved).
    ("asante.yaw", {"surname": "Assante", "upn": "", "address": "7 Mill Lane, Demotown", "postcode": "DM1 4QA"}),
)


def _misrecorded_birthday(day: date | None) -> date | None:
    if day is None or day.day > 12 or day.day == day.month:
        return day.replace(year=day.year - 1) if day else None  # no swap possible: a year out instead
    return day.replace(month=day.day, day=day.month)


# ---------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------


def make_nhs_number(rng: random.Random) -> str:
    """A number in the 999 range reserved by the NHS for test data, with a valid check digit."""
    while True:
        body = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check == 10:
            continue
        return validate_nhs_number(body + str(check))


def make_upn(rng: random.Random, la_code: str = "999") -> str:
    body = f"{la_code}{rng.randint(2000, 2999):04d}{rng.randint(10, 24):02d}{rng.randint(1, 999):03d}"
    return validate_upn(upn_check_letter(body) + body)


def _years_ago(today: date, years: int, month: int, day: int) -> date:
    """The date with this month and day on which someone born then is `years` old today."""
    born = date(today.year - years, month, day)
    if (today.month, today.day) < (month, day):
        born = date(today.year - years - 1, month, day)
    return born


def _date_of_birth(member: Member, today: date, rng: random.Random) -> date | None:
    if member.birthday is not None and member.age is not None:
        return _years_ago(today, member.age, *member.birthday)
    if member.months is not None:
        return today - timedelta(days=int(member.months * 30.44) + rng.randint(0, 20))
    if member.age is None:
        return None
    return today - timedelta(days=int(member.age * 365.25) + rng.randint(20, 330))


def _school(family: Family, age: int | None) -> str:
    places = TOWNS[family.town]
    if age is None or age < 2:
        return ""
    if age < 4:
        return places["nursery"]
    if age < 11:
        return CATHOLIC_PRIMARY if family.catholic_school else places["primary"]
    if age < 16:
        return places["secondary"]
    return COLLEGE


def _sibling_word(sex: str, half: bool) -> str:
    word = {"M": "brother", "F": "sister"}.get(sex, "sibling")
    return f"half-{word}" if half else word


# ---------------------------------------------------------------------------------------
# The person index
# ---------------------------------------------------------------------------------------


@dataclass
class Index:
    people: dict[str, Person] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]


def build_people(rng: random.Random, today: date, now: datetime) -> Index:
    index = Index()
    relationships: list[Relationship] = []
    for family in FAMILIES:
        assert normalise_postcode(family.postcode) == family.postcode, family.postcode
        index.families[family.key] = family
        home = f"{family.street}\n{family.town}"
        children: list[tuple[Member, Person]] = []
        adults: list[tuple[Member, Person]] = []
        for member in family.members:
            dob = _date_of_birth(member, today, rng)
            unborn = member.is_child and dob is None
            age = None if dob is None else today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
            address, postcode = home, family.postcode
            if member.address:
                parts = [p.strip() for p in member.address.split(",")]
                postcode = normalise_postcode(parts[-1]) or ""
                address = "\n".join(parts[:-1] if postcode else parts)
            person = Person(
                forenames=member.forenames,
                surname=member.surname or family.surname,
                other_names=member.other_names,
                date_of_birth=dob,
                expected_date_of_birth=(today + timedelta(days=73)) if unborn else None,
                sex=member.sex if member.sex in {"M", "F"} else "U",
                ethnicity=member.ethnicity or (Ethnicity.NOBT if unborn else family.ethnicity),
                first_language=member.first_language or ("" if unborn else family.language),
                religion="" if unborn else family.religion,
                place_of_birth=member.place_of_birth or ("" if unborn or not member.is_child else "Demoshire General Hospital"),
                disability=member.disability,
                address=address,
                postcode=postcode,
                school=_school(family, age) if member.is_child else "",
                gp=TOWNS[family.town]["gp"] if (member.lives_with or member.is_child) else "",
            )
            if not unborn and rng.random() < (0.9 if member.is_child else 0.55):
                person.nhs_number = make_nhs_number(rng)
            if member.is_child and age is not None and age >= 4 and rng.random() < 0.8:
                person.upn = make_upn(rng)
            person.save()
            # Known to the legacy system for some years (or since birth).
            first_known = now - timedelta(days=rng.randint(400, 2500))
            if dob is not None:
                first_known = max(
                    first_known, timezone.make_aware(datetime.combine(dob, datetime.min.time())) + timedelta(days=14)
                )
            Person.objects.filter(pk=person.pk).update(created_at=min(first_known, now))
            index.people[f"{family.key}.{member.key}"] = person
            (children if member.is_child else adults).append((member, person))
        for member, child in children:
            for adult_member, adult in adults:
                relationships.append(
                    Relationship(
                        person=child,
                        relative=adult,
                        relationship=adult_member.to.get(member.key, adult_member.relation),
                        lives_with=adult_member.lives_with,
                    )
                )
            for other_member, other in children:
                if other is child:
                    continue
                relationships.append(
                    Relationship(
                        person=child,
                        relative=other,
                        relationship=_sibling_word(other_member.sex, other_member.group != member.group),
                        lives_with=True,
                    )
                )
        # The parents (or carers) to each other.
        for i, (first_member, first) in enumerate(adults):
            for second_member, second in adults[i + 1 :]:
                relationships.append(
                    Relationship(
                        person=first,
                        relative=second,
                        relationship=_adult_tie(first_member, second_member),
                        lives_with=first_member.lives_with and second_member.lives_with,
                    )
                )
    Relationship.objects.bulk_create(relationships)

    for original_key, changes in NEAR_DUPLICATES:
        original = index[original_key]
        copy = Person(
            **{f.name: getattr(original, f.name) for f in Person._meta.concrete_fields if f.name not in {"id", "created_at"}}
        )
        for name, value in changes.items():
            setattr(copy, name, value(original) if callable(value) else value)
        copy.save()
        Person.objects.filter(pk=copy.pk).update(created_at=now - timedelta(days=rng.randint(900, 2000)))
        index.people[f"duplicate.{original_key}"] = copy
    return index


def _adult_tie(first: Member, second: Member) -> str:
    """What `second` is to `first`, for the adults of one family."""
    a, b = first.relation, second.relation
    if "grandmother" in a:
        own_child = "mother" if "maternal" in a else "father"
        if b == own_child:
            return "son" if second.sex == "M" else "daughter"
        return "daughter's partner" if "maternal" in a else "daughter-in-law"
    if "grandmother" in b:
        own_child = "mother" if "maternal" in b else "father"
        return "mother" if a == own_child else "mother-in-law"
    together = first.lives_with and second.lives_with
    if {a, b} == {"mother", "father"}:
        if not together:
            return "ex-partner"
        return "husband" if b == "father" else "wife"
    if "mother's partner" in (a, b):
        return "partner" if together else "partner (not living in the household)"
    return "family member"


# ---------------------------------------------------------------------------------------
# Social care and early help history (the open-case and 12-week checks)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvolvementSpec:
    people: tuple[str, ...]
    kind: str
    team: str
    worker: str
    phone: str
    started_days_ago: int
    closed_days_ago: int | None
    closure_reason: str
    summary: str


INVOLVEMENTS: tuple[InvolvementSpec, ...] = (
    InvolvementSpec(
        ("campbell.jayden", "campbell.amara", "campbell.malik"),
        InvolvementKind.CHILD_PROTECTION,
        "Safeguarding Team East",
        "Sian Roberts (social worker)",
        "01632 960127",
        200,
        None,
        "",
        "Child protection plan, category emotional abuse, after a domestic abuse incident in which Jayden tried to "
        "protect his mother. Mother's partner not to live in the household under the safety plan. Next review "
        "conference in six weeks.",
    ),
    InvolvementSpec(
        ("kowalski.maja", "kowalski.szymon"),
        InvolvementKind.SOCIAL_CARE,
        "First Response Team North",
        "Tom Greaves (social worker)",
        "01632 960115",
        155,
        42,
        "Single assessment completed: no further social care role; school and CAMHS support in place",
        "Section 17 assessment after Maja (12) was found to be self-harming and mother was struggling with low mood.",
    ),
    InvolvementSpec(
        ("hussain.zain",),
        InvolvementKind.EARLY_HELP,
        "Early Help Hub",
        "Ruth Jennings (family support worker)",
        "01632 960155",
        410,
        270,
        "Outcomes achieved: attendance above 95% for a full term",
        "Early help assessment for poor school attendance while father was unwell; family plan with the school.",
    ),
    InvolvementSpec(
        ("hussain.hamza", "hussain.maryam"),
        InvolvementKind.EARLY_HELP,
        "Early Help Hub",
        "Farah Iqbal (family support worker)",
        "01632 960156",
        38,
        None,
        "",
        "Early help assessment: Hamza's behaviour at school, mother caring alone while father is in hospital. "
        "Team around the family meeting every six weeks.",
    ),
    InvolvementSpec(
        ("asante.kofi",),
        InvolvementKind.SOCIAL_CARE,
        "First Response Team South",
        "Marcus Hale (social worker)",
        "01632 960118",
        185,
        100,
        "Assessment completed: referred to the youth justice prevention programme",
        "Section 17 assessment after Kofi (then 15) was stopped by police with older young people linked to a drug supply line.",
    ),
    InvolvementSpec(
        ("obrien.niamh",),
        InvolvementKind.SOCIAL_CARE,
        "First Response Team South",
        "Priyanka Desai (social worker)",
        "01632 960117",
        17,
        None,
        "",
        "Section 17 assessment in progress: concerns about an older adult contacting Niamh online and meeting her in town.",
    ),
    InvolvementSpec(
        ("evans.cai",),
        InvolvementKind.CHILD_IN_NEED,
        "Children with Disabilities Team",
        "Gwen Morgan (social worker)",
        "01632 960143",
        1100,
        None,
        "",
        "Child in need plan: short breaks, equipment and support for father as sole carer.",
    ),
    InvolvementSpec(
        ("jones.logan", "jones.poppy"),
        InvolvementKind.CHILD_PROTECTION,
        "Safeguarding Team East",
        "Michelle Okoro (social worker)",
        "01632 960126",
        1050,
        760,
        "Plan ended: children living safely with maternal grandmother under a special guardianship order",
        "Child protection plan, category neglect, linked to mother's drug use.",
    ),
    InvolvementSpec(
        ("doherty.johnny", "doherty.marykate"),
        InvolvementKind.CHILD_IN_NEED,
        "Children in Need Team West",
        "Alan Fitch (social worker)",
        "01632 960133",
        1400,
        1150,
        "Needs met: family settled on the site and children attending school",
        "Child in need plan after the family were evicted from an unauthorised encampment.",
    ),
)


def build_involvements(index: Index, today: date) -> list[Involvement]:
    teams = {team.name: team for team in Team.objects.all()}
    made = []
    for spec in INVOLVEMENTS:
        for key in spec.people:
            made.append(
                Involvement(
                    person=index[key],
                    kind=spec.kind,
                    team=teams[spec.team],
                    allocated_worker=spec.worker,
                    worker_phone=spec.phone,
                    started_on=today - timedelta(days=spec.started_days_ago),
                    closed_on=None if spec.closed_days_ago is None else today - timedelta(days=spec.closed_days_ago),
                    closure_reason=spec.closure_reason,
                    summary=spec.summary,
                )
            )
    return Involvement.objects.bulk_create(made)


# ---------------------------------------------------------------------------------------
# Referrers
# ---------------------------------------------------------------------------------------

REFERRERS: dict[str, dict[str, str]] = {
    "brackenford_primary": {
        "referrer_name": "Joanne Fielding",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Brackenford Primary School",
        "referrer_phone": "01632 960201",
        "referrer_email": "dsl@brackenford-primary.example",
        "referrer_address": "Brackenford Primary School\nSchool Lane\nBrackenford\nDM4 2PE",
        "referrer_source": "2A",
    },
    "eastholme_academy": {
        "referrer_name": "Owen Whitaker",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Eastholme Academy",
        "referrer_phone": "01632 960221",
        "referrer_email": "safeguarding@eastholme-academy.example",
        "referrer_address": "Eastholme Academy\nPark Road\nEastholme\nDM6 3AX",
        "referrer_source": "2A",
    },
    "eastholme_primary": {
        "referrer_name": "Patience Boateng",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Eastholme Park Primary School",
        "referrer_phone": "01632 960223",
        "referrer_email": "dsl@eastholme-park.example",
        "referrer_address": "Eastholme Park Primary School\nHolme Lane\nEastholme\nDM6 2QS",
        "referrer_source": "2A",
    },
    "wexley_primary": {
        "referrer_name": "Anjali Mistry",
        "referrer_role": "Deputy head and designated safeguarding lead",
        "referrer_agency": "Wexley Green Infant and Junior School",
        "referrer_phone": "01632 960231",
        "referrer_email": "office@wexley-green-school.example",
        "referrer_address": "",
        "referrer_source": "2A",
    },
    "wexley_college": {
        "referrer_name": "Stuart Penrose",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Wexley Green Community College",
        "referrer_phone": "01632 960233",
        "referrer_email": "safeguarding@wexley-college.example",
        "referrer_address": "",
        "referrer_source": "2A",
    },
    "wexley_attendance": {
        "referrer_name": "Lorraine Pike",
        "referrer_role": "Attendance officer",
        "referrer_agency": "Wexley Green Community College",
        "referrer_phone": "01632 960234",
        "referrer_email": "attendance@wexley-college.example",
        "referrer_address": "",
        "referrer_source": "2A",
    },
    "demotown_high": {
        "referrer_name": "Fiona Carver",
        "referrer_role": "Head of year 10",
        "referrer_agency": "Demotown High School",
        "referrer_phone": "01632 960241",
        "referrer_email": "f.carver@demotown-high.example",
        "referrer_address": "",
        "referrer_source": "2A",
    },
    "oakhurst_primary": {
        "referrer_name": "Rachel Dunn",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Oakhurst Primary School",
        "referrer_phone": "01632 960251",
        "referrer_email": "dsl@oakhurst-primary.example",
        "referrer_address": "",
        "referrer_source": "2A",
    },
    "school_nurse": {
        "referrer_name": "Beverley Grant",
        "referrer_role": "School nurse",
        "referrer_agency": "Demoshire Community Health Services",
        "referrer_phone": "01632 960411",
        "referrer_email": "beverley.grant@demoshire-health.example",
        "referrer_address": "",
        "referrer_source": "3C",
    },
    "health_visitor": {
        "referrer_name": "Hannah Morris",
        "referrer_role": "Health visitor",
        "referrer_agency": "Demoshire Community Health Services",
        "referrer_phone": "01632 960412",
        "referrer_email": "hannah.morris@demoshire-health.example",
        "referrer_address": "",
        "referrer_source": "3B",
    },
    "a_and_e": {
        "referrer_name": "Claire Whitby",
        "referrer_role": "Paediatric liaison nurse",
        "referrer_agency": "Demoshire General Hospital",
        "referrer_phone": "01632 960401",
        "referrer_email": "paediatric.liaison@demoshire-hospital.example",
        "referrer_address": "",
        "referrer_source": "3E",
    },
    "police_blake": {
        "referrer_name": "PC 4471 Aaron Blake",
        "referrer_role": "Response officer",
        "referrer_agency": "Demoshire Constabulary",
        "referrer_phone": "01632 960301",
        "referrer_email": "aaron.blake@police.demoshire.example",
        "referrer_address": "",
        "referrer_source": "6",
    },
    "police_marsh": {
        "referrer_name": "DC 2318 Leah Marsh",
        "referrer_role": "Detective constable, public protection unit",
        "referrer_agency": "Demoshire Constabulary",
        "referrer_phone": "01632 960302",
        "referrer_email": "ppu@police.demoshire.example",
        "referrer_address": "",
        "referrer_source": "6",
    },
    "police_sutcliffe": {
        "referrer_name": "PC 1097 Imogen Sutcliffe",
        "referrer_role": "Neighbourhood officer",
        "referrer_agency": "Demoshire Constabulary",
        "referrer_phone": "01632 960303",
        "referrer_email": "imogen.sutcliffe@police.demoshire.example",
        "referrer_address": "",
        "referrer_source": "6",
    },
    "police_chauhan": {
        "referrer_name": "PC 3362 Ravi Chauhan",
        "referrer_role": "Response officer",
        "referrer_agency": "Demoshire Constabulary",
        "referrer_phone": "01632 960304",
        "referrer_email": "ravi.chauhan@police.demoshire.example",
        "referrer_address": "",
        "referrer_source": "6",
    },
    "neighbour": {
        "referrer_name": "Denise Hall",
        "referrer_role": "Neighbour",
        "referrer_agency": "",
        "referrer_phone": "07700 900123",
        "referrer_email": "",
        "referrer_address": "",
        "referrer_source": "1B",
    },
    "youth_project": {
        "referrer_name": "Kieran Walsh",
        "referrer_role": "Senior youth worker",
        "referrer_agency": "Demotown Youth Project",
        "referrer_phone": "01632 960501",
        "referrer_email": "kieran@demotown-youth.example",
        "referrer_address": "",
        "referrer_source": "8",
    },
}


# ---------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One recommendation by the decision maker, optionally challenged by the manager."""

    outcome: str
    analysis: str
    rationale: str
    team: str = ""
    challenge: str = ""


@dataclass(frozen=True)
class ContactSpec:
    key: str
    subject: str
    others: tuple[tuple[str, str, str], ...]  # (person key, role, relationship to the child)
    channel: str
    referrer: str
    categories: tuple[str, ...]
    concern_details: str
    impact_on_child: str
    child_whereabouts: str
    state: ContactStatus
    days_ago: float = 0  # historical contacts
    hours_ago: float = 0  # current contacts
    at: tuple[int, int] | None = None  # time of day received, for historical contacts
    contact_type: str = "new_concern"
    concern_when: str = ""
    concern_how_known: str = ""
    complicating_factors: str = ""
    child_voice: str = ""
    strengths_and_safety: str = ""
    safety_scale: int | None = None
    what_needs_to_change: str = ""
    if_nothing_changes: str = ""
    referrer_wants: str = ""
    parents_aware: str = "yes"
    consent: str = "given"
    consent_not_sought_reason: str = ""
    consent_notes: str = ""
    described: dict[str, dict[str, Any]] = field(default_factory=dict)  # how the referrer got people's details
    new_people: tuple[dict[str, Any], ...] = ()  # people not yet in the index
    link_only: tuple[str, ...] | None = None  # for a contact still being recorded: the people linked so far
    triage: tuple[int, str, str, tuple[str, ...]] | None = None  # level, RAG, reason, urgent triggers
    rounds: tuple[Round, ...] = ()
    signed_off_by: str = "manager"
    sign_off_comment: str = ""
    letter_method: str = "email"
    overdue_triage: bool = False
    acknowledge_alerts: bool = False


CLOSED, RECORDED, AWAITING_TRIAGE = ContactStatus.CLOSED, ContactStatus.RECORDED, ContactStatus.AWAITING_TRIAGE
TRIAGED, AWAITING_SIGN_OFF = ContactStatus.TRIAGED, ContactStatus.AWAITING_SIGN_OFF
CHALLENGED, SIGNED_OFF = ContactStatus.CHALLENGED, ContactStatus.SIGNED_OFF
HOUSEHOLD, SIGNIFICANT = ContactPerson.Role.HOUSEHOLD_MEMBER.value, ContactPerson.Role.SIGNIFICANT_ADULT.value

HISTORICAL_CONTACTS: tuple[ContactSpec, ...] = (
    # -- The Smith family: four low-level contacts about Alfie in a year (cumulative harm) --
    ContactSpec(
        "smith-hunger",
        "smith.alfie",
        (("smith.kerry", HOUSEHOLD, "mother"), ("smith.lacey", HOUSEHOLD, "sister"), ("smith.tommy", HOUSEHOLD, "brother")),
        "telephone",
        "brackenford_primary",
        ("neglect",),
        concern_details="Alfie has come to school hungry on most days this half term and has asked other children for food at "
        "lunch. His uniform is often unwashed and his plimsolls have had a split sole for several weeks. Mum (Kerry) told us "
        "money has been tight since Dad moved out in the summer.",
        concern_when="Most days over the last six weeks.",
        concern_how_known="Seen by the class teacher and lunchtime staff; Kerry told me herself at pick-up.",
        complicating_factors="Parents separated in the summer. Kerry works evening shifts at a care home. Three children.",
        impact_on_child="Alfie is tired and struggles to concentrate in the afternoons. He is embarrassed about his shoes.",
        child_voice="'Mum says we have to wait until Friday for the big shop.'",
        strengths_and_safety="Kerry is warm with the children and collects them every day. The maternal aunt helps with childcare.",
        safety_scale=6,
        what_needs_to_change="Help with food and uniform; a family hub contact for Kerry.",
        if_nothing_changes="Alfie's needs will keep being missed and he may start avoiding school.",
        referrer_wants="Advice on support for the family. We have already offered breakfast club.",
        child_whereabouts="In school.",
        state=CLOSED,
        days_ago=330,
        at=(10, 5),
        triage=(2, "GREEN", "Needs appear linked to low income after separation; no indication of significant harm.", ()),
        rounds=(
            Round(
                "advice_signpost",
                "First contact. Emerging neglect linked to a fall in income after separation. Mother open with school; protective "
                "factors present (warm care, extended family). Threshold for social care not met.",
                "School can meet the needs with breakfast club and the uniform bank; Kerry signposted to the Brackenford family hub "
                "and the household support fund. Referrer advised to start an early help assessment if needs persist.",
            ),
        ),
    ),
    ContactSpec(
        "smith-argument",
        "smith.alfie",
        (
            ("smith.kerry", HOUSEHOLD, "mother"),
            ("smith.dean", SIGNIFICANT, "father"),
            ("smith.lacey", HOUSEHOLD, "sister"),
            ("smith.tommy", HOUSEHOLD, "brother"),
        ),
        "police_notification",
        "police_blake",
        ("domestic-abuse",),
        contact_type="police_notification",
        concern_details="Police called by a neighbour at 22:40 to a verbal argument between Kerry Smith and Dean Smith at the "
        "family home about child contact arrangements. No assault alleged and no offences disclosed. DASH risk assessment: "
        "standard. The children were upstairs in bed.",
        concern_when="Single incident, Saturday evening.",
        concern_how_known="Officers attended and spoke to both adults.",
        complicating_factors="Separated parents in dispute over contact; Dean had been drinking.",
        impact_on_child="The children may have heard the argument. Alfie came downstairs and was seen by officers: calm and settled.",
        child_voice="Alfie told officers 'they always shout about weekends'.",
        strengths_and_safety="Kerry asked Dean to leave and he did. Both parents cooperative with police.",
        if_nothing_changes="Arguments may escalate and the children keep hearing them.",
        referrer_wants="For information. School informed under Operation Encompass.",
        child_whereabouts="At home with mother.",
        state=CLOSED,
        days_ago=245,
        at=(8, 30),
        triage=(
            1,
            "GREEN",
            "Standard-risk verbal argument between separated parents, no injury; second contact in four months.",
            (),
        ),
        rounds=(
            Round(
                "nfa",
                "Verbal argument, standard risk, children not directly involved. Previous contact (hunger at school) closed with advice "
                "and school reports improvement.",
                "No further action for the MASH. School notified under Operation Encompass; both parents given information about "
                "family mediation and the Demoshire domestic abuse helpline.",
            ),
        ),
        letter_method="post",
    ),
    ContactSpec(
        "smith-health",
        "smith.alfie",
        (("smith.kerry", HOUSEHOLD, "mother"),),
        "email",
        "school_nurse",
        ("neglect",),
        concern_details="Alfie has had untreated head lice for several weeks despite letters home. He has missed two dental "
        "appointments and told me he has toothache. Kerry has not replied to my calls.",
        concern_when="Since the start of term.",
        concern_how_known="Seen at school health drop-in; dental practice told me about the missed appointments.",
        impact_on_child="Alfie is in pain and other children have started to tease him.",
        strengths_and_safety="Attendance is good and the school says Alfie is always collected on time.",
        referrer_wants="Advice; I think the family needs more help than the school nursing service can give.",
        child_whereabouts="In school.",
        state=CLOSED,
        days_ago=150,
        at=(14, 20),
        triage=(2, "GREEN", "Health neglect, third contact in a year; no immediate risk.", ()),
        rounds=(
            Round(
                "nfa",
                "Untreated head lice and missed dental appointments. Health needs that universal services can meet.",
                "No further action: school nursing to follow up.",
                challenge="This is the third contact about Alfie's basic care in under a year. Look at the pattern, not the "
                "single incident: at least signpost to early help and record the cumulative concern.",
            ),
            Round(
                "advice_signpost",
                "Third contact in a year (hunger, parental argument, health neglect). Each alone is low level; together they show "
                "an emerging pattern of neglect. Mother struggling with work and three children. Threshold for social care not met "
                "but early help is appropriate if the family agrees.",
                "Signposted to early help: referrer asked to offer an early help assessment with the family hub. Community dental "
                "service contacted. Pattern recorded for any future contact.",
            ),
        ),
        letter_method="secure_email",
    ),
    ContactSpec(
        "smith-playing-out",
        "smith.alfie",
        (("smith.lacey", HOUSEHOLD, "sister"), ("smith.kerry", HOUSEHOLD, "mother")),
        "telephone",
        "neighbour",
        ("neglect",),
        concern_details="Alfie and Lacey have been playing out on the close after 9pm on several evenings, without an adult, "
        "while their mum is at work.",
        concern_when="Three or four evenings in the last fortnight.",
        concern_how_known="I see them from my window.",
        impact_on_child="They look tired and Lacey was crying one night.",
        strengths_and_safety="The aunt is sometimes there.",
        safety_scale=6,
        what_needs_to_change="Someone to make sure they are in at a proper time.",
        if_nothing_changes="One of them will get hurt on the road.",
        referrer_wants="Someone to check on them.",
        child_whereabouts="At home.",
        state=CLOSED,
        days_ago=58,
        at=(16, 10),
        parents_aware="no",
        consent="not_sought",
        consent_not_sought_reason="undue_delay",
        consent_notes="Neighbour does not want the family to know she called.",
        triage=(1, "GREEN", "Low-level supervision concern; check with school and the family hub before deciding.", ()),
        rounds=(
            Round(
                "nfa",
                "School and the family hub report that Kerry's sister babysits during Kerry's shifts; the children were on the close "
                "outside the house with their aunt watching from the door. Fourth contact in 12 months noted.",
                "Concern not substantiated by checks. No further action; school asked to share any new concern and the family hub "
                "to continue its offer of support.",
            ),
        ),
        letter_method="post",
    ),
    # -- Kowalski: assessment, closed six weeks ago (12-week rule) --
    ContactSpec(
        "kowalski-self-harm",
        "kowalski.maja",
        (
            ("kowalski.agnieszka", HOUSEHOLD, "mother"),
            ("kowalski.piotr", HOUSEHOLD, "father"),
            ("kowalski.szymon", HOUSEHOLD, "brother"),
        ),
        "online_form",
        "eastholme_academy",
        ("self-harm-and-suicide", "parental-mental-ill-health"),
        concern_details="Maja showed a friend cuts on her forearm. The first aider saw several healing superficial cuts. Maja said "
        "she has been cutting for about a month because 'home is sad'. Mum has been off work with depression and Dad works away "
        "during the week.",
        concern_when="About a month; the most recent cut two days ago.",
        concern_how_known="Maja told her friend, then the first aider and me.",
        impact_on_child="Maja is withdrawn, her grades have dropped and she has stopped going to netball.",
        child_voice="'I don't want Mum to get in trouble. She just stays in bed.'",
        strengths_and_safety="Maja has a close friend and trusts her form tutor. Dad is home at weekends and is worried.",
        referrer_wants="An assessment of the family's needs and help for Maja.",
        child_whereabouts="In school.",
        state=CLOSED,
        days_ago=160,
        at=(11, 40),
        triage=(3, "AMBER", "Self-harm in a 12 year old with parental mental ill-health: needs an assessment.", ()),
        rounds=(
            Round(
                "s17_assessment",
                "Ongoing self-harm, maternal depression and father away in the week. Maja is carrying worry about her mother. "
                "Parents consent and want help. Needs are complex but no indication of significant harm.",
                "Section 17 child in need assessment by First Response Team North; CAMHS single point of access informed.",
                team="First Response Team North",
            ),
        ),
        letter_method="secure_email",
    ),
    # -- Campbell: domestic abuse, strategy discussion, child protection plan (open case) --
    ContactSpec(
        "campbell-da",
        "campbell.jayden",
        (
            ("campbell.shanice", HOUSEHOLD, "mother"),
            ("campbell.marcia", HOUSEHOLD, "grandmother"),
            ("campbell.amara", HOUSEHOLD, "sister"),
            ("campbell.malik", HOUSEHOLD, "half-brother"),
            ("campbell.jermaine", HOUSEHOLD, "mother's partner"),
        ),
        "police_notification",
        "police_marsh",
        ("domestic-abuse", "physical-abuse"),
        contact_type="police_notification",
        concern_details="Police attended at 01:15 after a 999 call made by Jayden. Jermaine Ellis is alleged to have punched "
        "Shanice Campbell and put his hands round her neck in front of Jayden. Jayden tried to pull him away and was pushed into a "
        "door frame: small bruise to his forehead. Amara and baby Malik were in the house. Jermaine arrested. DASH: high risk; "
        "referred to MARAC. PPU requests a strategy discussion.",
        concern_when="Last night; mother discloses previous incidents over a year, none reported.",
        concern_how_known="Officers attended; body-worn video; Jayden's 999 call.",
        complicating_factors="Non-fatal strangulation alleged; escalating abuse; baby in the household.",
        impact_on_child="Jayden was very frightened and has an injury. He told officers he 'has to look after Mum'.",
        child_voice="'He was squeezing Mum's neck. I rang 999 like Nan showed me.'",
        strengths_and_safety="Maternal grandmother lives with the family and is protective. Mother supporting the prosecution.",
        referrer_wants="Strategy discussion today.",
        child_whereabouts="At home with mother and grandmother; Jermaine in custody.",
        state=CLOSED,
        days_ago=208,
        at=(7, 45),
        consent="not_sought",
        consent_not_sought_reason="undue_delay",
        consent_notes="Mother told by officers that the notification would be made; shared under s47 Children Act 1989.",
        triage=(
            4,
            "RED",
            "High-risk domestic abuse with alleged strangulation and an injury to a child; PPU request a strategy discussion.",
            ("ppu-strategy-request",),
        ),
        acknowledge_alerts=True,
        rounds=(
            Round(
                "s47_strategy",
                "Serious physical assault with alleged strangulation witnessed by a 10 year old who was injured intervening. Three "
                "children including a baby. High DASH risk. Protective grandmother and mother engaging.",
                "Strategy discussion held the same day with police and health; section 47 enquiries by Safeguarding Team East. "
                "Bail conditions keep Jermaine Ellis away from the address.",
                team="Safeguarding Team East",
            ),
        ),
        signed_off_by="second_manager",
        letter_method="secure_email",
    ),
    # -- Hussain: early help, one closed episode and one open --
    ContactSpec(
        "hussain-attendance",
        "hussain.zain",
        (("hussain.saima", HOUSEHOLD, "mother"), ("hussain.imran", HOUSEHOLD, "father")),
        "email",
        "wexley_attendance",
        ("missing-from-care-home-or-education", "young-carer"),
        concern_details="Zain's attendance has fallen to 78% this term. He says he stays at home to help his mum while his dad is "
        "having treatment, and to look after his little brother and sister.",
        concern_when="This term.",
        concern_how_known="Attendance records; conversation with Zain.",
        impact_on_child="Zain is falling behind in maths and English and is anxious about his dad.",
        child_voice="'Mum can't do it all on her own.'",
        strengths_and_safety="Loving family; mother keen for help; extended family nearby.",
        referrer_wants="Early help for the family and a young carers assessment for Zain.",
        child_whereabouts="In school today.",
        state=CLOSED,
        days_ago=418,
        at=(9, 50),
        triage=(2, "GREEN", "Young carer with falling attendance; family asking for support.", ()),
        rounds=(
            Round(
                "early_help",
                "Needs arise from father's illness. No safeguarding concern. Family consents to early help.",
                "Step down to the Early Help Hub for an early help assessment and a young carers referral.",
                team="Early Help Hub",
            ),
        ),
    ),
    ContactSpec(
        "hussain-behaviour",
        "hussain.hamza",
        (("hussain.saima", HOUSEHOLD, "mother"), ("hussain.maryam", HOUSEHOLD, "sister"), ("hussain.imran", HOUSEHOLD, "father")),
        "telephone",
        "wexley_primary",
        ("other",),
        concern_details="Hamza has hit other children three times this week and yesterday hid under a table for an hour. Mum "
        "says she cannot cope since Dad was admitted to hospital for a long stay. Maryam has stopped going to nursery.",
        concern_when="The last three weeks, since Dad went into hospital.",
        concern_how_known="Seen in class; conversation with Mum.",
        complicating_factors="Father in hospital; mother managing four children; previous early help for Zain closed last year.",
        impact_on_child="Hamza is distressed and is being excluded from playtimes.",
        child_voice="'I want Abbu to come home.'",
        strengths_and_safety="Mum is very caring and asked for help herself. Grandparents visit at weekends.",
        safety_scale=7,
        what_needs_to_change="Practical and emotional support for Mum; help for Hamza to manage his feelings.",
        if_nothing_changes="Hamza may be excluded and Mum may become unwell herself.",
        referrer_wants="Early help for the family.",
        child_whereabouts="In school.",
        state=CLOSED,
        days_ago=44,
        at=(13, 15),
        triage=(2, "GREEN", "Family under strain from father's illness; mother asking for support.", ()),
        rounds=(
            Round(
                "early_help",
                "Emerging needs; previous early help episode for Zain achieved its outcomes. Family consents.",
                "Step down to the Early Help Hub for an early help assessment for Hamza and Maryam.",
                team="Early Help Hub",
            ),
        ),
        signed_off_by="second_manager",
    ),
    # -- Doherty: A&E injury, challenged then NFA --
    ContactSpec(
        "doherty-scald",
        "doherty.michael",
        (("doherty.bridget", HOUSEHOLD, "mother"), ("doherty.patrick", HOUSEHOLD, "father")),
        "health_notification",
        "a_and_e",
        ("physical-abuse",),
        concern_details="Michael was brought to A&E by both parents with a scald to his left forearm (about 3 cm) from a kettle "
        "he pulled over by the flex. The explanation is consistent with the injury and his age; parents sought treatment "
        "straight away. Routine notification under the hospital's injury policy.",
        concern_when="Yesterday evening.",
        concern_how_known="Examined in A&E by the paediatric registrar.",
        impact_on_child="Painful superficial scald; dressed and discharged.",
        strengths_and_safety="Both parents present, appropriate and worried.",
        referrer_wants="For information and any checks you think necessary.",
        child_whereabouts="At home with his parents.",
        state=CLOSED,
        days_ago=290,
        at=(12, 30),
        triage=(3, "AMBER", "Injury to a young child: needs health and GP checks before a decision.", ()),
        rounds=(
            Round(
                "nfa",
                "Accidental scald with a consistent explanation and prompt treatment.",
                "No further action.",
                challenge="Before closing, check GP and health visiting records for any previous injuries or attendances, and "
                "record what was found.",
            ),
            Round(
                "nfa",
                "GP and school nurse report no previous injuries, attendances or concerns; immunisations up to date. Explanation "
                "consistent with the injury. Parents sought help promptly.",
                "No further action. Health visiting team to offer home safety advice and a kettle-guard through the safety scheme.",
            ),
        ),
        letter_method="post",
    ),
    # -- Asante: criminal exploitation, assessment closed over 12 weeks ago --
    ContactSpec(
        "asante-exploitation",
        "asante.kofi",
        (("asante.kwame", HOUSEHOLD, "father"), ("asante.abena", HOUSEHOLD, "mother")),
        "police_notification",
        "police_sutcliffe",
        ("child-criminal-exploitation", "gangs-and-serious-youth-violence"),
        contact_type="police_notification",
        concern_details="Kofi was stopped in a car in Brackenford with two adults known for drug supply. £400 in cash and two "
        "phones were found on him. He was released to his father. The investigation into the adults is live.",
        concern_when="Yesterday at 16:30, after school.",
        concern_how_known="Officers' stop and search.",
        complicating_factors="Older associates; unexplained money and phones.",
        impact_on_child="Kofi is at risk of criminal exploitation and violence.",
        child_voice="'I was just getting a lift.'",
        strengths_and_safety="Parents shocked and supportive; good attendance at school.",
        referrer_wants="An assessment of the risk of exploitation.",
        child_whereabouts="At home.",
        state=CLOSED,
        days_ago=190,
        at=(10, 0),
        consent="not_sought",
        consent_not_sought_reason="prejudice_crime",
        consent_notes="Parents informed of the notification; consent to share not sought because the investigation is live.",
        triage=(3, "AMBER", "Indicators of child criminal exploitation; needs assessment.", ()),
        rounds=(
            Round(
                "s17_assessment",
                "Clear indicators of criminal exploitation (older associates, cash, phones). Parents protective but unaware.",
                "Section 17 assessment by First Response Team South with an exploitation screening tool; youth justice prevention team consulted.",
                team="First Response Team South",
            ),
        ),
        letter_method="secure_email",
    ),
    # -- Patel: single self-harm episode, advice --
    ContactSpec(
        "patel-overdose",
        "patel.riya",
        (("patel.hetal", HOUSEHOLD, "mother"), ("patel.nikesh", HOUSEHOLD, "father")),
        "telephone",
        "demotown_high",
        ("self-harm-and-suicide",),
        concern_details="Riya told a friend she took eight paracetamol last night after an argument about her mock exam results. "
        "Her friend told me. Riya went to the GP with her mum the same day and is medically fine.",
        concern_when="Last night; she says it was the first time.",
        concern_how_known="Riya's friend, then Riya and her mum.",
        impact_on_child="Riya is ashamed and anxious about exams.",
        child_voice="'I didn't want to die, I just wanted it all to stop for a bit.'",
        strengths_and_safety="Parents very worried and supportive; GP involved; Riya agreed a safety plan with school.",
        safety_scale=7,
        what_needs_to_change="Support with anxiety and exam pressure.",
        if_nothing_changes="Riya could harm herself again.",
        referrer_wants="Advice about support for Riya.",
        child_whereabouts="At home with her mother.",
        state=CLOSED,
        days_ago=118,
        at=(9, 20),
        triage=(2, "GREEN", "Single self-harm episode; parents protective; health already involved.", ()),
        rounds=(
            Round(
                "advice_signpost",
                "First contact. Single overdose, medically reviewed. Parents protective. Needs met by health and school.",
                "GP has referred to CAMHS single point of access; school counsellor and Kooth offered. Advice given to referrer.",
            ),
        ),
    ),
    # -- Eze: bruise with a consistent explanation --
    ContactSpec(
        "eze-bruise",
        "eze.chidi",
        (("eze.chinedu", HOUSEHOLD, "father"), ("eze.ngozi", HOUSEHOLD, "mother")),
        "email",
        "brackenford_primary",
        ("physical-abuse",),
        concern_details="Chidi has a bruise (about 4 cm) on his upper arm. He said he was kicked during football at the park with "
        "his cousins. Dad gave the same account at pick-up without being asked.",
        concern_when="Noticed this morning.",
        concern_how_known="Seen by the class teacher when Chidi changed for PE.",
        impact_on_child="None noticed; Chidi is cheerful and settled.",
        strengths_and_safety="Engaged parents; good attendance; no previous concerns.",
        referrer_wants="Advice; our policy is to report all unexplained bruises and we wanted to check.",
        child_whereabouts="In school.",
        state=CLOSED,
        days_ago=96,
        at=(15, 40),
        triage=(1, "GREEN", "Injury with a consistent explanation from child and parent; no history.", ()),
        rounds=(
            Round(
                "nfa",
                "Consistent account from child and parent, no history, no other concerns from school or health.",
                "No further action; school to continue to monitor as usual.",
            ),
        ),
    ),
    # -- Williams: non-resident father at the door --
    ContactSpec(
        "williams-da",
        "williams.kayden",
        (
            ("williams.gemma", HOUSEHOLD, "mother"),
            ("williams.tia", HOUSEHOLD, "sister"),
            ("williams.andre", SIGNIFICANT, "father"),
        ),
        "police_notification",
        "police_chauhan",
        ("domestic-abuse",),
        contact_type="police_notification",
        concern_details="Andre Baptiste (father, lives separately) came to Gemma Williams's home at 19:00, shouting and kicking the "
        "door after being refused contact outside the agreed times. The children were inside and frightened. No injuries. "
        "DASH: medium.",
        concern_when="Sunday evening; second time this year according to Gemma.",
        concern_how_known="Officers attended.",
        impact_on_child="Kayden and Tia were frightened and crying.",
        strengths_and_safety="Gemma protective; called police straight away.",
        referrer_wants="For information; Operation Encompass notification made to school.",
        child_whereabouts="At home with mother.",
        state=CLOSED,
        days_ago=74,
        at=(8, 10),
        triage=(2, "GREEN", "Medium-risk domestic abuse by a non-resident parent; protective mother.", ()),
        rounds=(
            Round(
                "advice_signpost",
                "Medium-risk incident, protective mother, children not injured. No previous contacts.",
                "Mother given details of the domestic abuse service and advice on child arrangements; school notified under "
                "Operation Encompass.",
            ),
        ),
    ),
    # -- O'Brien: exploitation concern, assessment now open --
    ContactSpec(
        "obrien-cse",
        "obrien.niamh",
        (
            ("obrien.siobhan", HOUSEHOLD, "mother"),
            ("obrien.declan", HOUSEHOLD, "father"),
            ("obrien.ciaran", HOUSEHOLD, "brother"),
        ),
        "telephone",
        "youth_project",
        ("child-sexual-exploitation", "online-abuse"),
        concern_details="Niamh has been seen getting into a car with a man in his twenties outside the youth centre. She told a "
        "friend he buys her vapes and has asked her for photos. Her mum told me Niamh has stayed out overnight twice this month.",
        concern_when="Over the last month.",
        concern_how_known="Seen by youth workers; what Niamh's friend and mother told me.",
        complicating_factors="Older male; gifts; missing overnight.",
        impact_on_child="Niamh is secretive, tired and has fallen out with her friends.",
        child_voice="'He's my boyfriend, he's not like that.'",
        strengths_and_safety="Parents worried and cooperative; Niamh still comes to the youth project.",
        safety_scale=3,
        what_needs_to_change="Identify the man; safety planning with Niamh and her parents.",
        if_nothing_changes="Niamh will be sexually exploited.",
        referrer_wants="An assessment and police involvement.",
        child_whereabouts="At school.",
        state=CLOSED,
        days_ago=21,
        at=(16, 45),
        triage=(3, "AMBER", "Indicators of child sexual exploitation; needs partner checks and an assessment.", ()),
        rounds=(
            Round(
                "s17_assessment",
                "Several indicators of sexual exploitation. Police intelligence shared inside the MASH. Parents protective.",
                "Section 17 assessment by First Response Team South with an exploitation risk assessment; police to identify the male.",
                team="First Response Team South",
            ),
        ),
        letter_method="secure_email",
    ),
)

CURRENT_CONTACTS: tuple[ContactSpec, ...] = (
    # -- Two still being recorded --
    ContactSpec(
        "smyth-recorded",
        "smith.alfie",
        (("smith.kerry", HOUSEHOLD, "mother"),),
        "telephone",
        "brackenford_primary",
        ("physical-abuse", "neglect"),
        concern_details="Alfie came in today with a black eye. He said he 'fell off the trampoline at Dad's'. He was reluctant "
        "to talk and flinched when his teacher reached for his bag. His attendance has dropped to 86% this term.",
        concern_when="Noticed at registration this morning.",
        concern_how_known="Seen by the class teacher and by me.",
        complicating_factors="Mum works nights; we understand Dad has a new partner.",
        impact_on_child="Alfie is quiet and withdrawn and did not want to go out at break.",
        child_voice="'I don't want to talk about it.'",
        strengths_and_safety="Mum answers the phone and usually comes in when asked.",
        safety_scale=4,
        what_needs_to_change="We need to know how Alfie got the injury and that he is safe at both homes.",
        if_nothing_changes="He may be getting hurt and not telling anyone.",
        referrer_wants="Advice today about whether we can send him home.",
        child_whereabouts="In school until 15:15.",
        state=RECORDED,
        hours_ago=1.5,
        # How the caller gave the details: nickname, a misspelt surname and the day and month swapped.
        described={
            "smith.alfie": {"forenames": "Alfie", "surname": "Smyth", "swap_dob": True, "address": "14 Larkspur Cl\nBrackenford"},
            "smith.kerry": {"surname": "Smyth", "date_of_birth": None},
        },
        link_only=(),
    ),
    ContactSpec(
        "chen-recorded",
        "chen.jessica",
        (("chen.lina", HOUSEHOLD, "mother"), ("chen.wei", HOUSEHOLD, "father")),
        "online_form",
        "eastholme_academy",
        ("online-abuse",),
        concern_details="Jess told her form tutor that someone she met on a gaming site has been messaging her for pictures and "
        "is threatening to share a photo she already sent unless she sends more. She is very anxious and has not told her parents.",
        concern_when="The last two weeks; the threats started on Saturday.",
        concern_how_known="Jess told her form tutor and showed her the messages.",
        impact_on_child="Jess is crying in lessons, not sleeping and frightened the photo will be shared.",
        child_voice="'Please don't tell my dad, he'll take my phone away forever.'",
        strengths_and_safety="Jess asked for help; she agreed we could contact you.",
        referrer_wants="Help telling her parents and police involvement.",
        child_whereabouts="In school with the pastoral lead.",
        state=RECORDED,
        hours_ago=20,
        parents_aware="no",
        consent="given",
        consent_notes="Jess (14) agreed to the school sharing; she asked for help telling her parents.",
        described={
            "chen.jessica": {"forenames": "Jess"},
            "chen.wei": {"date_of_birth": None},
            "chen.lina": {"forenames": "Lina", "date_of_birth": None},
        },
        link_only=("chen.jessica",),
    ),
    # -- Three awaiting triage (one overdue; one RED-looking) --
    ContactSpec(
        "abdi-neglect",
        "abdi.hibo",
        (
            ("abdi.hodan", HOUSEHOLD, "mother"),
            ("abdi.abdirahman", HOUSEHOLD, "father"),
            ("abdi.mohamed", HOUSEHOLD, "brother"),
            ("abdi.ayaan", HOUSEHOLD, "sister"),
        ),
        "email",
        "eastholme_primary",
        ("neglect", "parental-mental-ill-health"),
        concern_details="Hibo and Ayaan have been late on 14 of the last 20 school days and have been collected after 4pm several "
        "times by their brother Mohamed (12). Hibo has had head lice and an untreated tooth abscess for two weeks. In a meeting "
        "with an interpreter, Mum said she has been unwell and Dad works nights.",
        concern_when="Since the start of this half term.",
        concern_how_known="Registers, staff observations and a meeting with Mum (Somali interpreter).",
        impact_on_child="Hibo is in pain and missing the start of lessons; Ayaan is often hungry.",
        child_voice="Hibo: 'Hooyo is always sleeping.'",
        strengths_and_safety="Mohamed is caring towards his sisters; Dad attended the meeting when asked.",
        referrer_wants="An assessment of the family's needs; we are worried about Mum.",
        child_whereabouts="In school.",
        state=AWAITING_TRIAGE,
        hours_ago=72,
        overdue_triage=True,
        consent_notes="Consent given by mother through a Somali interpreter.",
    ),
    ContactSpec(
        "turner-baby-injury",
        "turner.avarose",
        (("turner.chloe", HOUSEHOLD, "mother"), ("turner.reece", SIGNIFICANT, "father")),
        "health_notification",
        "a_and_e",
        ("physical-abuse",),
        concern_details="Ava-Rose (4 months) was brought to A&E by her mother at 06:10 with bruising to her left cheek and a small "
        "bruise behind her right ear. Mother says she rolled off the sofa yesterday evening. The health visitor's last check "
        "says Ava-Rose is not yet rolling. Skeletal survey and paediatric review booked for this morning.",
        concern_when="Injury noticed yesterday evening according to mother.",
        concern_how_known="Examined in A&E by the paediatric registrar.",
        complicating_factors="Young mother, father not living in the household; explanation inconsistent with development.",
        impact_on_child="Non-mobile baby with facial bruising; any injury to a non-mobile baby is a concern.",
        strengths_and_safety="Mother brought Ava-Rose in herself and is staying on the ward.",
        referrer_wants="Urgent MASH decision and a strategy discussion.",
        child_whereabouts="On the children's ward at Demoshire General Hospital with her mother.",
        state=AWAITING_TRIAGE,
        hours_ago=2,
        consent="not_sought",
        consent_not_sought_reason="undue_delay",
        consent_notes="Any injury to a non-mobile baby: hospital policy is to share without delay. Mother told of the notification.",
    ),
    ContactSpec(
        "campbell-breach",
        "campbell.jayden",
        (
            ("campbell.shanice", HOUSEHOLD, "mother"),
            ("campbell.amara", HOUSEHOLD, "sister"),
            ("campbell.malik", HOUSEHOLD, "half-brother"),
            ("campbell.jermaine", SIGNIFICANT, "mother's partner"),
        ),
        "out_of_hours",
        "police_blake",
        ("domestic-abuse",),
        contact_type="police_notification",
        concern_details="Police called at 23:30 by a neighbour: Jermaine Ellis was seen at the house in breach of the safety plan "
        "and shouting was heard. He left before officers arrived. Shanice said he came to drop off nappies for Malik. Jayden was "
        "awake and upset.",
        concern_when="Last night.",
        concern_how_known="Neighbour's call; officers spoke to Shanice and Jayden.",
        impact_on_child="Jayden is frightened that 'it will happen again'.",
        child_voice="'He's not supposed to be here.'",
        strengths_and_safety="Grandmother Marcia came round straight away.",
        safety_scale=4,
        what_needs_to_change="Jermaine must keep to the safety plan.",
        if_nothing_changes="Another assault, with the children present.",
        referrer_wants="Pass to the allocated social worker.",
        child_whereabouts="At school; Amara at nursery.",
        state=AWAITING_TRIAGE,
        hours_ago=10,
        consent="not_sought",
        consent_not_sought_reason="undue_delay",
        consent_notes="Child protection plan in place; shared with the MASH under s47 Children Act 1989.",
    ),
    # -- Two triaged (one RED with an urgent trigger) --
    ContactSpec(
        "harper-belt",
        "harper.elliemae",
        (
            ("harper.leanne", HOUSEHOLD, "mother"),
            ("harper.craig", HOUSEHOLD, "mother's partner"),
            ("harper.connor", HOUSEHOLD, "brother"),
        ),
        "telephone",
        "oakhurst_primary",
        ("physical-abuse",),
        concern_details="At 09:15 Ellie-Mae told her teacher that Craig 'hit me with his belt because I wet the bed'. The teacher "
        "saw three red linear marks on the back of her left thigh. Ellie-Mae is scared to go home. Craig Dobson is mum's partner "
        "and lives at the home.",
        concern_when="Last night, according to Ellie-Mae.",
        concern_how_known="Ellie-Mae's disclosure to her teacher; marks seen by the teacher and by me.",
        complicating_factors="Mum works early shifts, so Craig does the mornings.",
        impact_on_child="Ellie-Mae is tearful and frightened; she has been wetting the bed again.",
        child_voice="'Please don't tell Craig I told.'",
        strengths_and_safety="Connor (11) is protective of his sister; maternal grandmother lives nearby.",
        safety_scale=2,
        what_needs_to_change="Ellie-Mae needs to be safe from being hit.",
        if_nothing_changes="She will be hurt again.",
        referrer_wants="Someone to come today before home time.",
        child_whereabouts="In school with the DSL until 15:15.",
        state=TRIAGED,
        hours_ago=4,
        parents_aware="no",
        consent="not_sought",
        consent_not_sought_reason="increase_risk",
        consent_notes="Telling mum's partner before a strategy discussion could put Ellie-Mae at greater risk.",
        triage=(
            4,
            "RED",
            "Disclosure of physical abuse by mother's partner with visible marks; child afraid to go home. "
            "Strategy discussion today.",
            ("injury-with-disclosure",),
        ),
    ),
    ContactSpec(
        "nowak-intoxicated",
        "nowak.oliwia",
        (("nowak.kasia", HOUSEHOLD, "mother"), ("nowak.kacper", HOUSEHOLD, "brother"), ("nowak.marek", SIGNIFICANT, "father")),
        "police_notification",
        "police_chauhan",
        ("parental-substance-misuse", "neglect"),
        contact_type="police_notification",
        concern_details="Police attended 40 Station Road at 21:50 after a neighbour reported children crying. Katarzyna Nowak was "
        "heavily intoxicated and asleep; Oliwia (7) had made toast for Kacper (4). A man in the flat, Gary Lyons (known as "
        "'Gaz'), said he was mum's new partner and was looking after the children. A family friend collected the children at "
        "officers' request.",
        concern_when="The night before last.",
        concern_how_known="Officers attended.",
        complicating_factors="New adult in the household not known to services; mother's alcohol use.",
        impact_on_child="Oliwia is taking on care of her brother; both children were hungry and upset.",
        child_voice="Oliwia: 'Mummy was too tired to make tea.'",
        strengths_and_safety="Family friend able to help; father has regular contact.",
        referrer_wants="Checks on the new partner and support for mum.",
        child_whereabouts="Back at home with mother, who is now sober.",
        state=TRIAGED,
        hours_ago=30,
        new_people=(
            {
                "forenames": "Gary",
                "surname": "Lyons",
                "other_names": "Gaz",
                "sex": "M",
                "role": HOUSEHOLD,
                "relationship": "mother's partner",
                "address": "Flat 2, 40 Station Road\nBrackenford",
                "postcode": "DM4 6SU",
            },
        ),
        triage=(
            3,
            "AMBER",
            "Parental alcohol misuse with young children left without a sober carer; new adult in the "
            "household not known. Partner checks today.",
            (),
        ),
    ),
    # -- Awaiting sign-off: 12-week rule back to the previous team --
    ContactSpec(
        "kowalski-return",
        "kowalski.maja",
        (("kowalski.agnieszka", HOUSEHOLD, "mother"), ("kowalski.piotr", HOUSEHOLD, "father")),
        "telephone",
        "eastholme_academy",
        ("self-harm-and-suicide", "parental-mental-ill-health"),
        concern_details="Maja has new cuts on her forearm, seen in PE. She says things at home are 'the same as before' and that "
        "Mum has stopped taking her medication.",
        concern_when="The cuts look a few days old.",
        concern_how_known="Seen by the PE teacher; Maja talked to me afterwards.",
        impact_on_child="Maja is withdrawn again and missed two days last week.",
        child_voice="'I thought it was getting better.'",
        strengths_and_safety="Dad is home more now; Maja still sees the school counsellor.",
        safety_scale=5,
        what_needs_to_change="Mum to get help again; Maja to see CAMHS.",
        if_nothing_changes="The self-harm will get worse.",
        referrer_wants="For the social worker who worked with the family to be told.",
        child_whereabouts="In school.",
        state=AWAITING_SIGN_OFF,
        hours_ago=28,
        triage=(
            2,
            "GREEN",
            "Same concerns as the assessment closed six weeks ago by First Response Team North: 12-week rule.",
            (),
        ),
        rounds=(
            Round(
                "transfer_previous_team",
                "Case closed to First Response Team North six weeks ago after a single assessment of the same concerns (self-harm, "
                "maternal mental health). No new type of risk.",
                "Under the 12-week rule the contact returns to First Response Team North without further information sharing.",
                team="First Response Team North",
            ),
        ),
    ),
    # -- Challenged by the manager --
    ContactSpec(
        "haddad-low-mood",
        "haddad.karim",
        (
            ("haddad.rana", HOUSEHOLD, "mother"),
            ("haddad.rami", HOUSEHOLD, "father"),
            ("haddad.yousef", HOUSEHOLD, "brother"),
            ("haddad.sara", HOUSEHOLD, "sister"),
        ),
        "email",
        "health_visitor",
        ("parental-mental-ill-health", "neglect"),
        concern_details="Karim has missed his 12-month immunisations and two health visitor appointments. At a home visit Rana was "
        "tearful and said she feels alone since the family moved here and her husband works long hours. The home was clean and "
        "Karim was well presented and meeting his milestones.",
        concern_when="Over the last three months.",
        concern_how_known="Home visit with an Arabic interpreter.",
        impact_on_child="Karim is not protected by his immunisations; mother's low mood may affect her care of three children.",
        strengths_and_safety="Warm interaction between Rana and Karim; father supportive when at home.",
        referrer_wants="Support for Rana; I am not sure which service is right.",
        child_whereabouts="At home with mother.",
        state=CHALLENGED,
        hours_ago=45,
        consent_notes="Consent given by mother through an Arabic interpreter.",
        triage=(2, "GREEN", "Maternal low mood and missed health appointments; child's needs currently met.", ()),
        rounds=(
            Round(
                "nfa",
                "Karim is well cared for and meeting milestones. Mother's low mood is a matter for her GP.",
                "No further action for the MASH; health visitor to continue universal service.",
                challenge="Mother is isolated with three children, may be depressed, and the baby has missed immunisations. Check GP "
                "records and consider early help (with an Arabic interpreter) rather than NFA.",
            ),
        ),
    ),
    # -- Signed off, letter not yet sent --
    ContactSpec(
        "brown-bullying",
        "brown.isla",
        (("brown.sarah", HOUSEHOLD, "mother"), ("brown.mark", HOUSEHOLD, "father"), ("brown.ethan", HOUSEHOLD, "brother")),
        "online_form",
        "wexley_college",
        ("bullying", "online-abuse", "self-harm-and-suicide"),
        concern_details="Isla has been pushed out of her friendship group and targeted in a group chat. She has stopped eating at "
        "school and told the school counsellor she 'doesn't see the point'. Her parents are supportive and contacted us first.",
        concern_when="Since the start of term; worse in the last fortnight.",
        concern_how_known="Isla, her parents and the school counsellor.",
        impact_on_child="Low mood, not eating at school, avoiding lessons.",
        child_voice="'Everyone hates me, there's no point.'",
        strengths_and_safety="Close, supportive parents; Isla is talking to the school counsellor.",
        referrer_wants="Early help for Isla and advice for the family.",
        child_whereabouts="At home with her father.",
        state=SIGNED_OFF,
        hours_ago=50,
        triage=(2, "GREEN", "Emotional wellbeing and bullying; protective parents; no risk of significant harm identified.", ()),
        rounds=(
            Round(
                "early_help",
                "Bullying affecting Isla's mood and eating. Parents protective and engaged. No previous contacts.",
                "Step down to the Early Help Hub for an early help assessment; GP to review Isla's mood; school to act on the bullying.",
                team="Early Help Hub",
            ),
        ),
        signed_off_by="second_manager",
    ),
)


# ---------------------------------------------------------------------------------------
# Running a contact through the services
# ---------------------------------------------------------------------------------------

# Minutes each step typically takes after the one before it.
STEP_MINUTES = {
    "record_phone": 12,
    "record_written": 80,
    "link": 15,
    "submit": 10,
    "triage": 95,
    "triage_red": 25,
    "recommend": 220,
    "recommend_red": 90,
    "challenge": 70,
    "sign_off": 50,
    "letter": 100,
}
SUBJECT_FIELDS = intake.PERSON_FIELDS
OTHER_FIELDS = ("forenames", "surname", "other_names", "date_of_birth", "sex", "address", "postcode", "school")


@dataclass
class Context:
    users: DemoUsers
    index: Index
    rng: random.Random
    now: datetime
    levels: dict[int, LevelOfNeed]
    rags: dict[str, RagRating]
    triggers: dict[str, UrgentTrigger]
    categories: dict[str, ConcernCategory]
    teams: dict[str, Team]
    calendar: WorkingCalendar


# Notifications and handovers arrive at any hour; other channels when the MASH is open.
ANY_TIME_CHANNELS = frozenset({"police_notification", "health_notification", "out_of_hours", "email", "online_form"})


def _described(person: Person, names: tuple[str, ...], overrides: dict[str, Any]) -> dict[str, Any]:
    details = {name: getattr(person, name) for name in names}
    overrides = dict(overrides)
    if overrides.pop("swap_dob", False) and person.date_of_birth:
        dob = person.date_of_birth
        details["date_of_birth"] = date(dob.year, dob.day, dob.month)
    details.update(overrides)
    return details


def _received_at(spec: ContactSpec, ctx: Context) -> datetime:
    if spec.hours_ago:
        received = ctx.now - timedelta(hours=spec.hours_ago)
        if spec.overdue_triage:
            # "Received three days ago and still waiting": make sure the triage deadline has passed
            # whatever day of the week the demo is loaded on.
            while intake.initial_deadlines(received, spec.channel).triage_due_at > ctx.now - timedelta(hours=2):
                received -= timedelta(days=1)
        return received.replace(second=0, microsecond=0)
    hour, minute = spec.at or (ctx.rng.randint(9, 16), ctx.rng.randint(0, 59))
    day = timezone.localtime(ctx.now).date() - timedelta(days=int(spec.days_ago))
    if spec.channel not in ANY_TIME_CHANNELS:
        # Schools, GPs and neighbours ring the MASH when it is open.
        while not ctx.calendar.is_working_day(day):
            day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def _latest_status_change(contact: Contact, when: datetime) -> None:
    latest = StatusChange.objects.filter(contact=contact).order_by("-id").values_list("id", flat=True).first()
    StatusChange.objects.filter(pk=latest).update(occurred_at=when)


def _latest_decision(contact: Contact) -> Decision:
    decision = contact.decisions.order_by("-id").first()
    assert decision is not None
    return decision


def run_contact(spec: ContactSpec, ctx: Context) -> Contact:
    users, index = ctx.users, ctx.index
    received = _received_at(spec, ctx)
    # Each step gets its own gap; repeated steps (a second recommendation) are spaced on from the last.
    steps = _expand_steps(spec)
    timeline = _times(received, steps, ctx.now, ctx.calendar)

    contact_fields: dict[str, Any] = {
        "channel": spec.channel,
        "contact_type": spec.contact_type,
        "received_at": received,
        **REFERRERS[spec.referrer],
        "concern_details": spec.concern_details,
        "concern_when": spec.concern_when,
        "concern_how_known": spec.concern_how_known,
        "complicating_factors": spec.complicating_factors,
        "impact_on_child": spec.impact_on_child,
        "child_voice": spec.child_voice,
        "strengths_and_safety": spec.strengths_and_safety,
        "safety_scale": spec.safety_scale,
        "what_needs_to_change": spec.what_needs_to_change,
        "if_nothing_changes": spec.if_nothing_changes,
        "referrer_wants": spec.referrer_wants,
        "child_whereabouts": spec.child_whereabouts,
        "parents_aware": spec.parents_aware,
        "consent": spec.consent,
        "consent_not_sought_reason": spec.consent_not_sought_reason if spec.consent == "not_sought" else "",
        "consent_notes": spec.consent_notes,
    }
    child_fields = _described(index[spec.subject], SUBJECT_FIELDS, spec.described.get(spec.subject, {}))
    others: list[dict[str, Any]] = []
    keys: list[str | None] = [spec.subject]
    for key, role, relationship in spec.others:
        details = _described(index[key], OTHER_FIELDS, spec.described.get(key, {}))
        others.append({**details, "role": role, "relationship": relationship, "lives_with_child": role == HOUSEHOLD})
        keys.append(key)
    for new in spec.new_people:
        others.append({**new, "lives_with_child": new.get("role") == HOUSEHOLD})
        keys.append(None)
    categories = [ctx.categories[code] for code in spec.categories if code in ctx.categories]

    contact = intake.record_contact(users.officer, contact_fields, child_fields, others, concern_categories=categories)
    Contact.objects.filter(pk=contact.pk).update(recorded_at=timeline[0][1])
    step = 1

    # History check: link each person to the index (or create a new record).
    to_link = keys if spec.state != RECORDED else [k for k in keys if k is not None and k in (spec.link_only or ())]
    if to_link:
        for contact_person, key in zip(contact.people.order_by("order", "id"), keys, strict=True):
            if key is None and None in to_link:
                intake.link_to_new_person(users.officer, contact_person)
            elif key is not None and key in to_link:
                intake.link_to_existing(users.officer, contact_person, index[key])
    if spec.state == RECORDED:
        if to_link:
            ContactPerson.objects.filter(contact=contact, linked_at__isnull=False).update(
                linked_at=timeline[0][1] + timedelta(minutes=5)
            )
        return contact
    ContactPerson.objects.filter(contact=contact).update(linked_at=timeline[step][1])
    step += 1

    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    _latest_status_change(contact, timeline[step][1])
    step += 1
    if spec.state == AWAITING_TRIAGE:
        return contact

    assert spec.triage is not None
    level, rag_code, reason, trigger_codes = spec.triage
    rag = ctx.rags[rag_code]
    contact = triage_services.triage(
        contact,
        users.decision_maker,
        level=ctx.levels[level],
        rag=rag,
        reason=reason,
        triggers=[ctx.triggers[code] for code in trigger_codes if code in ctx.triggers],
    )
    triaged_at = timeline[step][1]
    step += 1
    RatingChange.objects.filter(contact=contact).update(changed_at=triaged_at)
    UrgentTriggerFlag.objects.filter(contact=contact).update(flagged_at=triaged_at)
    Alert.objects.filter(contact=contact).update(raised_at=triaged_at)
    _latest_status_change(contact, triaged_at)
    Contact.objects.filter(pk=contact.pk).update(outcome_due_at=ctx.calendar.add(triaged_at, rag.outcome_timescale()))
    if spec.acknowledge_alerts:
        for alert in Alert.objects.filter(contact=contact, acknowledged_at__isnull=True):
            workqueue.acknowledge_alert(alert, users.manager)
            Alert.objects.filter(pk=alert.pk).update(acknowledged_at=triaged_at + timedelta(minutes=7))
    if spec.state == TRIAGED:
        return contact

    for round_ in spec.rounds:
        decisions.recommend(
            contact,
            users.decision_maker,
            analysis=round_.analysis,
            outcome=round_.outcome,
            rationale=round_.rationale,
            receiving_team=ctx.teams.get(round_.team) if round_.team else None,
        )
        when = timeline[step][1]
        step += 1
        Decision.objects.filter(pk=_latest_decision(contact).pk).update(recommended_at=when)
        _latest_status_change(contact, when)
        if round_.challenge:
            decisions.challenge(contact, users.manager, comment=round_.challenge)
            when = timeline[step][1]
            step += 1
            Decision.objects.filter(pk=_latest_decision(contact).pk).update(reviewed_at=when)
            _latest_status_change(contact, when)
    if spec.state in {AWAITING_SIGN_OFF, CHALLENGED}:
        return contact

    signer = users.second_manager if spec.signed_off_by == "second_manager" else users.manager
    decisions.sign_off(contact, signer, comment=spec.sign_off_comment)
    decided_at = timeline[step][1]
    step += 1
    Decision.objects.filter(pk=_latest_decision(contact).pk).update(reviewed_at=decided_at)
    _latest_status_change(contact, decided_at)
    Contact.objects.filter(pk=contact.pk).update(decided_at=decided_at)
    Contact.objects.filter(pk=contact.pk, referral_at__isnull=False).update(referral_at=decided_at)
    # Letters to the referrer and the family; a section 47 outcome is given by telephone instead.
    OutcomeLetter.objects.filter(contact=contact).update(generated_at=decided_at)
    if spec.state == SIGNED_OFF:
        return contact

    sent_at = timeline[step][1]
    letters = list(contact.letters.order_by("id"))
    for letter in letters:
        decisions.mark_letter_sent(OutcomeLetter.objects.get(pk=letter.pk), users.officer, method=spec.letter_method)
    if letters:
        OutcomeLetter.objects.filter(contact=contact).update(sent_at=sent_at)
    else:
        for recipient, name in (("referrer", contact.referrer_name or "The referrer"), ("family", decisions.family_name(contact))):
            decisions.record_call(
                contact, users.decision_maker, recipient=recipient, spoken_to=name, called_at=sent_at,
                summary="Told that a child protection strategy discussion is being held and who will be in touch.",
            )
    _latest_status_change(contact, sent_at)
    Contact.objects.filter(pk=contact.pk).update(closed_at=sent_at)
    return contact


def _expand_steps(spec: ContactSpec) -> list[str]:
    red = spec.triage is not None and spec.triage[1] == "RED"
    steps = ["record_phone" if spec.channel in {"telephone", "out_of_hours"} else "record_written"]
    if spec.state == RECORDED:
        return steps
    steps += ["link", "submit"]
    if spec.state == AWAITING_TRIAGE:
        return steps
    steps.append("triage_red" if red else "triage")
    if spec.state == TRIAGED:
        return steps
    for round_ in spec.rounds:
        steps.append("recommend_red" if red else "recommend")
        if round_.challenge:
            steps.append("challenge")
    if spec.state in {AWAITING_SIGN_OFF, CHALLENGED}:
        return steps
    steps.append("sign_off")
    if spec.state == SIGNED_OFF:
        return steps
    steps.append("letter")
    return steps


def _times(start: datetime, steps: list[str], now: datetime, calendar: WorkingCalendar) -> list[tuple[str, datetime]]:
    """When each step happened: the typical gap between steps in working time, so work happens in
    office hours; for a contact received in the last few hours, if that would run past now, the
    same gaps in clock time squeezed to fit before now.
    """
    times, when = [], start
    for step in steps:
        when = calendar.add_working_hours(when, Decimal(STEP_MINUTES[step]) / 60)
        times.append((step, when))
    if when <= now - timedelta(minutes=5):
        return times
    offsets, total = [], 0.0
    for step in steps:
        total += STEP_MINUTES[step]
        offsets.append(total)
    room = (now - timedelta(minutes=5) - start).total_seconds() / 60
    scale = max(0.0, min(1.0, room / total))
    return [(step, start + timedelta(minutes=offset * scale)) for step, offset in zip(steps, offsets, strict=True)]


# ---------------------------------------------------------------------------------------
# Loading everything
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    children: int
    adults: int
    families: int
    involvements: int
    contacts: dict[str, int]


def load(users: DemoUsers, *, rng: random.Random | None = None, now: datetime | None = None) -> Summary:
    """Load the fictional people, history and contacts. Call inside a transaction."""
    rng = rng or random.Random(SEED)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    audit.record(
        None,
        "demo.loaded",
        object_type="demo",
        summary="Loaded the fictional Demoshire demonstration data (people, history and contacts)",
    )
    index = build_people(rng, today, now)
    involvements = build_involvements(index, today)
    ctx = Context(
        users=users,
        index=index,
        rng=rng,
        now=now,
        levels={level.level: level for level in LevelOfNeed.objects.all()},
        rags={rag.code.upper(): rag for rag in RagRating.objects.all()},
        triggers={trigger.code: trigger for trigger in UrgentTrigger.objects.all()},
        categories={category.code: category for category in ConcernCategory.objects.all()},
        teams={team.name: team for team in Team.objects.all()},
        calendar=working_calendar(),
    )
    for spec in sorted(HISTORICAL_CONTACTS, key=lambda s: -s.days_ago):
        run_contact(spec, ctx)
    for spec in sorted(CURRENT_CONTACTS, key=lambda s: -s.hours_ago):
        run_contact(spec, ctx)

    people = [p for key, p in index.people.items() if not key.startswith("duplicate.")]
    children = [p for p in people if p.is_unborn or (p.age is not None and p.age < 18)]
    counts: dict[str, int] = {}
    for status in Contact.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return Summary(
        children=len(children),
        adults=len(people) - len(children),
        families=len(FAMILIES),
        involvements=len(involvements),
        contacts=counts,
    )
