"""Load the practice standards checklist of seed 002 Appendix D (2.1-2.19), verbatim.

"Practice Standards for Practitioners, Improving Outcomes for Children in Northamptonshire,
January 2019" numbers its standards 2.1 to 2.19 but has no 2.15: the numbering is kept as the
source has it (18 standards), so a checklist read beside the partnership's own document lines up.

The wording is partnership configuration: an administrator edits it in the admin. Each row
names the evidence rule (mash.oversight.services.EVIDENCE_RULES) that reads the record and
shows what it holds beside the tick; standards no record field can show have none.
"""

from django.db import migrations

STANDARDS = (
    ('2.1', 'threshold_rated',
     'I have used the Northamptonshire Thresholds and Pathways, Reporting a concern about a child or young person - guidance for professional to determine that the concerns are at level 3 or 4.'),
    ('2.2', '',
     'Where concerns were at lower levels I have signposted to the appropriate resource.'),
    ('2.3', 'consent_recorded',
     'I have ensured that the issue of consent has been discussed with the referrer.'),
    ('2.4', '',
     'I have ensured that the referrer has gained the consent of a person with PR where the issues are below the level of significant harm.'),
    ('2.5', 'consent_manager',
     'I have discussed with a manager the issue of consent where there are, or may be, concerns about significant harm.'),
    ('2.6', 'agency_checks',
     'I have undertaken all the relevant checks as outlined in the Thresholds & Pathways – windscreen.'),
    ('2.7', 'household_recorded',
     'I have recorded the details of all members of the household and all those adults with significant contact with the child/family but may not be resident in the family home. I have identified any other children living in the household, or connected to it, recorded their details, and made sure they are safe by making referrals to the appropriate agencies.'),
    ('2.8', 'decision_within_working_day',
     'I have ensured that a decision was made about the type of response required within one working day of the contact.'),
    ('2.9', 'time_in_mash',
     'Where a contact record was kept open for more than one day, this was agreed by a MASH Team or Practice Manager.'),
    ('2.10', 'record_completed_24h',
     'The contact record was completed in 24 hours.'),
    ('2.11', '',
     'I ensured that the referrer received acknowledgement within one working day.'),
    ('2.12', '',
     'I have ensured that all elements of risk in the contact were fully explored, using Thresholds & Pathways.'),
    ('2.13', 'agency_checks',
     'I have spoken to all relevant professionals involved with the child and family.'),
    ('2.14', 'history_checked',
     'I have considered previous information about the child and family when making my decision.'),
    ('2.16', 'parents_aware',
     'I have contacted and considered the views of the parents/carers.'),
    ('2.17', 'manager_authorised',
     'The contact and the referral has been authorised by a MASH Practice or Team Manager.'),
    ('2.18', 'letters_sent',
     'I have ensured that the standard letters have been sent to the referrer and the parents/carer detailing the response and rationale.'),
    ('2.19', '',
     'I have started a synopsis of concerns to inform the chronology.'),
)


def load(apps, schema_editor):
    PracticeStandard = apps.get_model("oversight", "PracticeStandard")
    for order, (code, rule, text) in enumerate(STANDARDS, start=1):
        PracticeStandard.objects.update_or_create(code=code, defaults={"text": text, "evidence_rule": rule, "order": order * 10})


def unload(apps, schema_editor):
    PracticeStandard = apps.get_model("oversight", "PracticeStandard")
    PracticeStandard.objects.filter(code__in=[code for code, _, _ in STANDARDS], checks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
