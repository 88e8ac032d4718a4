from django.db import migrations


def start_history(apps, schema_editor):
    """Every family with a lead key worker today has led since the record was opened."""
    Family = apps.get_model("portal", "Family")
    LeadKeyWorker = apps.get_model("portal", "LeadKeyWorker")
    LeadKeyWorker.objects.bulk_create(
        LeadKeyWorker(family_id=pk, key_worker_id=lead, started_at=created)
        for pk, lead, created in Family.objects.filter(lead_key_worker__isnull=False)
        .values_list("pk", "lead_key_worker_id", "created_at")
        .iterator()
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_lead_key_worker_history")]

    operations = [migrations.RunPython(start_history, migrations.RunPython.noop)]
