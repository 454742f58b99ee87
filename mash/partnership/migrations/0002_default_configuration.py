"""Default configuration every partnership starts from, editable in the admin afterwards.

Values follow the Northamptonshire MASH procedure (seed 002: §8 office hours, §10 and
Appendix C RAG timescales, Appendix E urgent criteria, §15 concern categories) and the
West Sussex levels of need (seed 004).
"""

from datetime import time
from decimal import Decimal

from django.db import migrations

LEVELS = [
    (1, "Universal", "Needs met by universal services."),
    (2, "Emerging needs", "Early help: additional needs met by a single agency or an early help assessment."),
    (3, "Complex needs", "Targeted support or child in need: multiple or complex needs."),
    (4, "Specialist and safeguarding", "Statutory: section 17 assessment or section 47 enquiry; child at risk of significant harm."),
]

RAGS = [
    ("RED", "Red", 1, 4,
     "Complex or acute risk or harm: clear injury or harm that warrants action today. Relevant teams informed immediately; strategy discussion the same day.",
     ("4", "working_hours"), ("4", "working_hours")),
    ("AMBER", "Amber", 2, 3,
     "High or complex risk: significant concerns but immediate action not required. An investigation under section 47 may be required.",
     ("8", "working_hours"), ("1", "working_days")),
    ("GREEN", "Green", 3, 2,
     "Lower risk: early help may be relevant, or the case was closed to social care in the last 12 weeks with the same concerns.",
     ("8", "working_hours"), ("24", "calendar_hours")),
]

HOURS = {0: (time(9), time(17, 30)), 1: (time(9), time(17, 30)), 2: (time(9), time(17, 30)), 3: (time(9), time(17, 30)), 4: (time(9), time(17)), 5: None, 6: None}

MANAGERS = "mash_managers"
TEAM_MANAGER = "team_manager"
TRIGGERS = [
    ("removal-likely", "Home conditions unsafe and the child needs immediate removal (police protection likely)", MANAGERS),
    ("child-found-alone", "Child found alone and not safe and well", MANAGERS),
    ("non-accidental-injury", "Child in hospital with a non-accidental or unexplained injury, or an inconsistent explanation", MANAGERS),
    ("injury-with-disclosure", "Child has bruising or injury and has made a disclosure against a parent or family member", MANAGERS),
    ("sexual-abuse-disclosure", "Child discloses sexual abuse by someone they live with or stay with", MANAGERS),
    ("parents-detained", "Parents detained or remanded by police and no one else to care for the child", MANAGERS),
    ("carer-death-or-admission", "Death or emergency hospital admission of the parent or carer and no one else to care for the child", MANAGERS),
    ("court-remand", "Court minded to remand a young person to local authority care or secure accommodation", MANAGERS),
    ("uasc", "Unaccompanied asylum-seeking child", MANAGERS),
    ("homeless", "Homeless child or family", MANAGERS),
    ("ppu-strategy-request", "Police Public Protection Unit requests a strategy discussion", MANAGERS),
    ("paediatrician-needed", "A health professional says an injury or abuse needs a consultant paediatrician", TEAM_MANAGER),
    ("non-mobile-baby-injury", "Any injury to a non-mobile baby", TEAM_MANAGER),
    ("suspicious-injury", "Suspicious injury without a disclosure", TEAM_MANAGER),
    ("unborn-serious-concern", "Serious concern about the risk of significant harm to an unborn baby", TEAM_MANAGER),
]

CATEGORIES = [
    "Physical abuse", "Sexual abuse", "Emotional abuse", "Neglect", "Domestic abuse", "Parental substance misuse",
    "Parental mental ill-health", "Child sexual exploitation", "Child criminal exploitation", "Organised abuse", "Online abuse",
    "Missing from care, home or education", "Missing families", "Trafficking and modern slavery", "Female genital mutilation",
    "Radicalisation and extremism", "Fabricated or induced illness", "Gangs and serious youth violence", "Self-harm and suicide",
    "Bullying", "Harmful sexual behaviour", "Young carer", "Fire setting", "Extra-familial or contextual harm",
    "Private fostering", "Disability", "Homelessness", "Other",
]


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")[:60]


def load(apps, schema_editor):
    LevelOfNeed = apps.get_model("partnership", "LevelOfNeed")
    RagRating = apps.get_model("partnership", "RagRating")
    OfficeHours = apps.get_model("partnership", "OfficeHours")
    UrgentTrigger = apps.get_model("partnership", "UrgentTrigger")
    ConcernCategory = apps.get_model("partnership", "ConcernCategory")
    levels = {}
    for level, name, description in LEVELS:
        levels[level], _ = LevelOfNeed.objects.get_or_create(level=level, defaults={"name": name, "description": description})
    for code, name, priority, level, descriptor, sharing, outcome in RAGS:
        RagRating.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "priority": priority, "descriptor": descriptor, "typical_level": levels[level],
                "sharing_amount": Decimal(sharing[0]), "sharing_unit": sharing[1],
                "outcome_amount": Decimal(outcome[0]), "outcome_unit": outcome[1],
            },
        )
    for weekday, hours in HOURS.items():
        OfficeHours.objects.get_or_create(weekday=weekday, defaults={"opens": hours[0] if hours else None, "closes": hours[1] if hours else None})
    for order, (code, label, audience) in enumerate(TRIGGERS):
        UrgentTrigger.objects.get_or_create(code=code, defaults={"label": label, "audience": audience, "order": order})
    for order, name in enumerate(CATEGORIES):
        ConcernCategory.objects.get_or_create(code=slug(name), defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("partnership", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
