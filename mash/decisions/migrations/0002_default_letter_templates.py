"""Default wording of the outcome letters to referrers; administrators edit it in the admin."""

from django.db import migrations

OPENING = """Dear {{ referrer_name }},

Thank you for contacting the Multi-Agency Safeguarding Hub on {{ received_date|date:"j F Y" }} about {{ child_name }}{% if child_dob %} (born {{ child_dob|date:"j F Y" }}){% endif %}. Our reference is {{ contact_reference }}.
"""
CLOSING = """
If you have further concerns, or the situation changes, please contact the MASH{% if mash_phone %} on {{ mash_phone }}{% endif %} quoting the reference above. If a child is in immediate danger, call 999.

Yours sincerely,

{{ signatory }}
{{ partnership_name }}"""

BODIES = {
    "nfa": ("Outcome of your contact: no further action", "We have considered the information carefully, together with what services already know. The threshold for children's social care or early help is not met, so no further action will be taken by the MASH. The contact has been closed."),
    "advice_signpost": ("Outcome of your contact: advice and signposting", "We have considered the information carefully. The child's needs can be met by universal services; the MASH has given advice and signposted the family to support available locally."),
    "early_help": ("Outcome of your contact: early help", "We have considered the information carefully. The family will be offered support by {{ receiving_team|default:'the early help service' }}. Early help is offered with the family's agreement."),
    "s17_assessment": ("Outcome of your contact: child in need assessment", "We have considered the information carefully. {{ outcome_explanation }} The referral has been passed to {{ receiving_team }}{% if receiving_team_phone %} ({{ receiving_team_phone }}){% endif %}, who may contact you as part of the assessment."),
    "s47_strategy": ("Outcome of your contact: child protection enquiry", "This confirms our telephone conversation. {{ outcome_explanation }} The referral has been passed to {{ receiving_team }}, who will lead the enquiry and may contact you."),
    "transfer_allocated": ("Outcome of your contact: passed to the allocated worker", "The child already has an allocated worker. {{ outcome_explanation }} ({{ receiving_team }})."),
    "transfer_previous_team": ("Outcome of your contact: passed to the previous team", "The child was recently known to children's social care. {{ outcome_explanation }} ({{ receiving_team }})."),
}


def load(apps, schema_editor):
    LetterTemplate = apps.get_model("decisions", "LetterTemplate")
    for outcome, (subject, middle) in BODIES.items():
        LetterTemplate.objects.get_or_create(
            outcome=outcome,
            defaults={"subject": f"{subject} (ref. {{{{ contact_reference }}}})", "body": OPENING + "\n" + middle + "\n" + CLOSING},
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
