"""Defaults for the outcome side: RED strategy discussions the same day, who must attend, the disagreement ladder."""

from django.db import migrations

LADDER = [("team_manager", 1), ("service_manager", 2), ("strategic_manager", 3), ("assistant_director", 4)]
REQUIRED_AT_STRATEGY = ["childrens_social_care", "police", "health"]


def load(apps, schema_editor):
    RagRating = apps.get_model("partnership", "RagRating")
    Agency = apps.get_model("partnership", "Agency")
    DisputeLevel = apps.get_model("partnership", "DisputeLevel")
    RagRating.objects.filter(code__iexact="RED").update(strategy_same_day=True)
    Agency.objects.filter(kind__in=REQUIRED_AT_STRATEGY).update(required_at_strategy=True)
    for level, order in LADDER:
        DisputeLevel.objects.get_or_create(level=level, defaults={"order": order, "amount": 2, "unit": "working_hours"})


class Migration(migrations.Migration):
    dependencies = [("partnership", "0006_outcomes_configuration")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
