"""Building blocks for the demo partnership, shared by `load_demo` and the test fixtures.

Everything here is fictional: the partnership, agencies, teams and people do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from mash.accounts.models import Role, User
from mash.partnership.models import Agency, AgencyKind, Partnership, Team, TeamKind

PARTNERSHIP_NAME = "Demoshire Safeguarding Children Partnership"

AGENCIES = [
    ("Demoshire Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE),
    ("Demoshire Early Help", AgencyKind.EARLY_HELP),
    ("Demoshire Constabulary", AgencyKind.POLICE),
    ("Demoshire Integrated Care Board", AgencyKind.HEALTH),
    ("Demoshire Education Safeguarding", AgencyKind.EDUCATION),
    ("Demoshire Probation Delivery Unit", AgencyKind.PROBATION),
    ("Demoshire Housing Options", AgencyKind.HOUSING),
    ("Demoshire Youth Justice Service", AgencyKind.YOUTH_OFFENDING),
    ("Demoshire Mental Health Trust", AgencyKind.MENTAL_HEALTH),
    ("Pathways Substance Misuse Service", AgencyKind.SUBSTANCE_MISUSE),
    ("Demoshire Early Years", AgencyKind.EARLY_YEARS),
    ("Demoshire Adult Social Care", AgencyKind.ADULT_SOCIAL_CARE),
    ("Northshire County Council Children's Services", AgencyKind.OTHER_LOCAL_AUTHORITY),
]

TEAMS = [
    ("MASH", TeamKind.MASH, "Demoshire Children's Services", "Priya Raman", "01632 960100"),
    ("First Response Team North", TeamKind.ASSESSMENT, "Demoshire Children's Services", "Gareth Pryce", "01632 960111"),
    ("First Response Team South", TeamKind.ASSESSMENT, "Demoshire Children's Services", "Helen Okafor", "01632 960112"),
    ("Safeguarding Team East", TeamKind.SAFEGUARDING, "Demoshire Children's Services", "Mark Doyle", "01632 960121"),
    ("Children in Need Team West", TeamKind.CHILDREN_IN_NEED, "Demoshire Children's Services", "Anita Shah", "01632 960131"),
    ("Children with Disabilities Team", TeamKind.DISABILITY, "Demoshire Children's Services", "Tom Ashworth", "01632 960141"),
    ("Early Help Hub", TeamKind.EARLY_HELP, "Demoshire Early Help", "Claire Bennett", "01632 960151"),
]

DEMO_PASSWORD = "demo-mash-2026"


@dataclass(frozen=True)
class DemoUsers:
    officer: User
    decision_maker: User
    manager: User
    second_manager: User
    police: User
    health: User
    education: User
    administrator: User
    probation: User
    receiving: User
    dpo: User
    service_manager: User
    strategic_manager: User
    assistant_director: User
    early_help: User

    def all(self) -> list[User]:
        return [
            self.officer, self.decision_maker, self.manager, self.second_manager, self.police, self.health,
            self.education, self.administrator, self.probation, self.receiving, self.dpo,
            self.service_manager, self.strategic_manager, self.assistant_director, self.early_help,
        ]


def build_partnership() -> Partnership:
    partnership, _ = Partnership.objects.get_or_create(
        name=PARTNERSHIP_NAME,
        defaults={
            "local_authority_code": "999",
            "mash_phone": "01632 960000",
            "mash_address": "Demoshire MASH\n1 Example Way\nDemotown\nDM1 1AA",
            "letter_sign_off_name": "Priya Raman, MASH Team Manager",
        },
    )
    agencies = {
        name: Agency.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                # The host authority's own social care is the MASH itself, not an agency it asks.
                "is_mash_partner": kind != AgencyKind.CHILDRENS_SOCIAL_CARE,
                "required_at_strategy": kind in (AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE, AgencyKind.HEALTH),
                "duty_email": f"mash-duty@{kind.value.replace('_', '-')}.demoshire.example",
                "duty_phone": f"01632 96{index:04d}",
            },
        )[0]
        for index, (name, kind) in enumerate(AGENCIES, start=200)
    }
    for name, kind, agency, manager, phone in TEAMS:
        Team.objects.get_or_create(name=name, defaults={"kind": kind, "agency": agencies[agency], "manager_name": manager, "phone": phone})
    return partnership


USERS = [
    # username, first, last, role, agency, team, job title
    ("officer", "Olivia", "Mensah", Role.MASH_OFFICER, "Demoshire Children's Services", "MASH", "MASH officer"),
    ("decider", "Daniel", "Hughes", Role.DECISION_MAKER, "Demoshire Children's Services", "MASH", "Social worker, decision maker"),
    ("manager", "Priya", "Raman", Role.TEAM_MANAGER, "Demoshire Children's Services", "MASH", "MASH team manager"),
    ("manager2", "Liam", "O'Connell", Role.TEAM_MANAGER, "Demoshire Children's Services", "MASH", "MASH practice manager"),
    ("police", "Sergeant Kate", "Whitfield", Role.PARTNER_PRACTITIONER, "Demoshire Constabulary", None, "Detective sergeant, public protection"),
    ("health", "Nadia", "Farouk", Role.PARTNER_PRACTITIONER, "Demoshire Integrated Care Board", None, "Safeguarding nurse"),
    ("education", "Robert", "Ellis", Role.PARTNER_PRACTITIONER, "Demoshire Education Safeguarding", None, "Education safeguarding officer"),
    ("probation", "Marcus", "Bell", Role.PARTNER_PRACTITIONER, "Demoshire Probation Delivery Unit", None, "Probation officer, MASH liaison"),
    ("receiving", "Sofia", "Nowak", Role.RECEIVING_PRACTITIONER, "Demoshire Children's Services", "First Response Team North", "Social worker, First Response Team North"),
    ("earlyhelp", "Megan", "Lloyd", Role.RECEIVING_PRACTITIONER, "Demoshire Early Help", "Early Help Hub", "Family support worker, Early Help Hub"),
    ("dpo", "Harriet", "Lund", Role.DATA_PROTECTION_OFFICER, "Demoshire Children's Services", None, "Data protection officer"),
    ("servicemgr", "Grace", "Adeyemi", Role.SERVICE_MANAGER, "Demoshire Children's Services", "MASH", "MASH service manager"),
    ("strategic", "Owen", "Price", Role.STRATEGIC_MANAGER, "Demoshire Children's Services", None, "Strategic manager, front door and assessment"),
    ("director", "Ruth", "Castellano", Role.ASSISTANT_DIRECTOR, "Demoshire Children's Services", None, "Assistant director, children's social care"),
    ("admin", "Ada", "Administrator", Role.ADMINISTRATOR, "Demoshire Children's Services", None, "MASH system administrator"),
]

# Administrators manage configuration through the Django admin: these model permissions
# and no others (they are never superusers, so need-to-know still applies to them).
ADMIN_MODELS = [
    ("partnership", ["partnership", "officehours", "closureday", "agency", "team", "levelofneed", "ragrating", "urgenttrigger", "concerncategory", "lawfulbasis", "disputelevel"]),
    ("decisions", ["lettertemplate"]),
    ("oversight", ["practicestandard"]),
    ("accounts", ["user"]),
    ("people", ["involvement"]),
]


def build_users(password: str = DEMO_PASSWORD) -> DemoUsers:
    made: dict[str, User] = {}
    for username, first, last, role, agency, team, title in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "agency": Agency.objects.get(name=agency),
                "team": Team.objects.get(name=team) if team else None,
                "job_title": title,
                "email": f"{username}@demoshire.example",
                "is_staff": role == Role.ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(password)
            user.save()
        if role == Role.ADMINISTRATOR:
            for app_label, models in ADMIN_MODELS:
                user.user_permissions.add(*Permission.objects.filter(content_type__app_label=app_label, content_type__model__in=models))
        made[username] = user
    return DemoUsers(
        officer=made["officer"],
        decision_maker=made["decider"],
        manager=made["manager"],
        second_manager=made["manager2"],
        police=made["police"],
        health=made["health"],
        education=made["education"],
        administrator=made["admin"],
        probation=made["probation"],
        receiving=made["receiving"],
        dpo=made["dpo"],
        service_manager=made["servicemgr"],
        strategic_manager=made["strategic"],
        assistant_director=made["director"],
        early_help=made["earlyhelp"],
    )
