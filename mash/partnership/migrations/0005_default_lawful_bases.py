"""The lawful bases and gateways for safeguarding shares listed in DOMAIN.md §4 (seeds 001 §11, 004 ISA).

Administrators can add, reword or retire them in the admin; these rows are the starting point.
"""

from django.db import migrations

BASES = [
    ("uk-gdpr-6-1-c", "Legal obligation", "UK GDPR Article 6(1)(c)",
     "Sharing is necessary to comply with a legal obligation, such as a statutory safeguarding duty.", False),
    ("uk-gdpr-6-1-e", "Public task", "UK GDPR Article 6(1)(e)",
     "Sharing is necessary to perform a task in the public interest or in the exercise of official authority.", False),
    ("uk-gdpr-6-1-d", "Vital interests", "UK GDPR Article 6(1)(d)",
     "Sharing is necessary to protect someone's life (an emergency).", False),
    ("uk-gdpr-9-2-b", "Employment, social security and social protection", "UK GDPR Article 9(2)(b)",
     "Special category data: obligations in social protection law, including safeguarding.", True),
    ("uk-gdpr-9-2-g", "Substantial public interest", "UK GDPR Article 9(2)(g)",
     "Special category data: necessary for reasons of substantial public interest.", True),
    ("dpa-2018-sch1-para18", "Safeguarding of children and individuals at risk", "Data Protection Act 2018 Schedule 1 paragraph 18",
     "Special category data may be processed without consent to protect a child or an adult at risk when consent "
     "cannot be given, cannot reasonably be obtained, or seeking it would prejudice the protection.", True),
    ("ca-1989-s17", "Children in need", "Children Act 1989 section 17",
     "The local authority's duty to safeguard and promote the welfare of children in need.", False),
    ("ca-1989-s47", "Child protection enquiries", "Children Act 1989 section 47",
     "Enquiries where there is reasonable cause to suspect a child is suffering, or likely to suffer, significant harm; "
     "other agencies must assist.", False),
    ("ca-2004-s10", "Co-operation to improve well-being", "Children Act 2004 section 10",
     "Partners must co-operate to improve the well-being of children.", False),
    ("ca-2004-s11", "Duty to safeguard and promote welfare", "Children Act 2004 section 11",
     "Named bodies must make arrangements to safeguard and promote the welfare of children.", False),
    ("cda-1998-s115", "Crime prevention and reduction", "Crime and Disorder Act 1998 section 115",
     "Any person may disclose information to a relevant authority where necessary for the purposes of the Act.", False),
    ("policing-purpose", "Policing purpose", "Common law policing purposes",
     "Protecting life and property, preserving order, preventing and detecting crime.", False),
]


def add_bases(apps, schema_editor):
    LawfulBasis = apps.get_model("partnership", "LawfulBasis")
    for order, (code, name, legislation, description, special) in enumerate(BASES, start=1):
        LawfulBasis.objects.get_or_create(
            code=code,
            defaults={"name": name, "legislation": legislation, "description": description, "special_category": special, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("partnership", "0004_stage2_configuration")]
    operations = [migrations.RunPython(add_bases, migrations.RunPython.noop)]
