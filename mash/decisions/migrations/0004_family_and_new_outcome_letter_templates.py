"""Letters to families for every outcome, and letters to referrers for the four outcomes added with issue #4.

Plain, kind wording that administrators edit in the admin. The family letter never names the
referrer and never describes the concern: it is given only the shareable fields of
decisions.services.letter_context (family_name, child_name, child_first_name, child_dob,
contact_reference, received_date, outcome, outcome_explanation, receiving_team,
receiving_team_phone, destination, mash_phone, signatory, partnership_name, today).
"""

from django.db import migrations

REFERRER_OPENING = """Dear {{ referrer_name }},

Thank you for contacting the Multi-Agency Safeguarding Hub on {{ received_date|date:"j F Y" }} about {{ child_name }}{% if child_dob %} (born {{ child_dob|date:"j F Y" }}){% endif %}. Our reference is {{ contact_reference }}.
"""

FAMILY_OPENING = """Dear {{ family_name }},

We are writing to let you know what has happened after the Multi-Agency Safeguarding Hub (MASH) received information about {{ child_name }}{% if child_dob %} (born {{ child_dob|date:"j F Y" }}){% endif %} on {{ received_date|date:"j F Y" }}. Our reference is {{ contact_reference }}.

The MASH is where children's social care, the police, health and other services look together at worries about a child, so that children and families get the right help at the right time.
"""

CLOSING = """
If you have further concerns, or the situation changes, please contact the MASH{% if mash_phone %} on {{ mash_phone }}{% endif %} quoting the reference above. If a child is in immediate danger, call 999.

Yours sincerely,

{{ signatory }}
{{ partnership_name }}"""

FAMILY_CLOSING = """
If you would like to talk about this letter, or you disagree with what it says, please ring the MASH{% if mash_phone %} on {{ mash_phone }}{% endif %} and quote the reference above. You can ask for an interpreter. If you are worried that a child is in immediate danger, call 999.

Yours sincerely,

{{ signatory }}
{{ partnership_name }}"""

REFERRER_BODIES = {
    "adult_social_care": (
        "Outcome of your contact: referred to adult social care",
        "We have considered the information carefully. {{ outcome_explanation }}{% if destination %} It has gone to {{ destination }}.{% endif %} "
        "There is no role for children's social care at present, so the MASH has closed the contact.",
    ),
    "other_local_authority": (
        "Outcome of your contact: passed to another local authority",
        "We have considered the information carefully. {{ outcome_explanation }}{% if destination %} The authority now responsible is "
        "{{ destination }}; please contact them with any further information.{% endif %}",
    ),
    "police_action": (
        "Outcome of your contact: police action",
        "We have considered the information carefully. {{ outcome_explanation }}{% if destination %} The matter is with {{ destination }}.{% endif %} "
        "There is no role for children's social care at present.",
    ),
    "marac": (
        "Outcome of your contact: MARAC referral",
        "We have considered the information carefully. {{ outcome_explanation }} An independent domestic violence adviser will offer support. "
        "Please do not discuss this referral with anyone who may be causing harm.",
    ),
}

FAMILY_BODIES = {
    "nfa": (
        "About {{ child_first_name }}: no further action",
        "We looked carefully at the information, together with what services already know. We have decided that {{ child_first_name }} "
        "does not need help from children's social care or early help at the moment, so we have closed our record of it. "
        "This is not a judgement about your family. Your school, health visitor or GP are always there to help.",
    ),
    "advice_signpost": (
        "About {{ child_first_name }}: advice and support near you",
        "We looked carefully at the information. We think {{ child_first_name }}'s needs can be met by services everyone can use, such as "
        "the school, the health visitor, the GP or the local children's centre. They can tell you about support near you. "
        "We have closed our record of this contact.",
    ),
    "early_help": (
        "About {{ child_first_name }}: an offer of early help",
        "We looked carefully at the information. We think your family could be helped by {{ receiving_team|default:'the early help service' }}. "
        "Someone from the team will contact you to talk about what would help. Early help is only offered with your agreement.",
    ),
    "s17_assessment": (
        "About {{ child_first_name }}: a child in need assessment",
        "We looked carefully at the information. We think your family may need more support, so a social worker from "
        "{{ receiving_team }}{% if receiving_team_phone %} ({{ receiving_team_phone }}){% endif %} will contact you to carry out an assessment "
        "with you. This is called a child in need assessment (section 17 of the Children Act 1989). It is about understanding what help "
        "{{ child_first_name }} and your family need.",
    ),
    "s47_strategy": (
        "About {{ child_first_name }}: what happens next",
        "This letter confirms our telephone conversation. {{ outcome_explanation }} A social worker from {{ receiving_team }} will stay in touch "
        "with you and explain each step.",
    ),
    "transfer_allocated": (
        "About {{ child_first_name }}: information passed to your social worker",
        "{{ child_first_name }} already has a social worker. We have passed the information to them{% if receiving_team %} ({{ receiving_team }}){% endif %} "
        "and they will talk to you about it.",
    ),
    "transfer_previous_team": (
        "About {{ child_first_name }}: information passed to the team you know",
        "You worked with {{ receiving_team|default:'a social care team' }} recently. We have passed the information to them, and they will "
        "contact you to talk about it.",
    ),
    "adult_social_care": (
        "About your family: a referral to adult social care",
        "We looked carefully at the information. We think an adult in your family may benefit from support from adult social care, "
        "so we have passed the information to {{ destination|default:'adult social care' }}. They will contact you. "
        "There is no role for children's social care at present.",
    ),
    "other_local_authority": (
        "About {{ child_first_name }}: information passed to your local council",
        "Because you live in another council's area, we have passed the information to {{ destination|default:'your local council' }}, "
        "who are now responsible. They may contact you.",
    ),
    "police_action": (
        "About {{ child_first_name }}: information passed to the police",
        "We looked carefully at the information. We have passed it to the police, who will decide what to do and may contact you. "
        "There is no role for children's social care at present.",
    ),
    "marac": (
        "About {{ child_first_name }}: support for your family",
        "We looked carefully at the information. We have asked local services that help families affected by domestic abuse to offer you "
        "support. Someone will contact you in a safe way.",
    ),
}


def load(apps, schema_editor):
    LetterTemplate = apps.get_model("decisions", "LetterTemplate")
    for outcome, (subject, middle) in REFERRER_BODIES.items():
        LetterTemplate.objects.get_or_create(
            outcome=outcome,
            recipient="referrer",
            defaults={"subject": f"{subject} (ref. {{{{ contact_reference }}}})", "body": REFERRER_OPENING + "\n" + middle + "\n" + CLOSING},
        )
    for outcome, (subject, middle) in FAMILY_BODIES.items():
        LetterTemplate.objects.get_or_create(
            outcome=outcome,
            recipient="family",
            defaults={"subject": f"{subject} (ref. {{{{ contact_reference }}}})", "body": FAMILY_OPENING + "\n" + middle + "\n" + FAMILY_CLOSING},
        )


def unload(apps, schema_editor):
    LetterTemplate = apps.get_model("decisions", "LetterTemplate")
    LetterTemplate.objects.filter(recipient="family").delete()
    LetterTemplate.objects.filter(recipient="referrer", outcome__in=list(REFERRER_BODIES)).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_outcomes_feedback_early_help_malicious")]
    operations = [migrations.RunPython(load, unload)]
