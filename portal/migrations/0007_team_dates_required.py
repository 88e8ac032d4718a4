import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_load_agencies")]

    operations = [
        migrations.AlterField(
            model_name="familypractitioner",
            name="agency",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="team_members", to="portal.agency", verbose_name="agency"),
        ),
        migrations.AlterField(
            model_name="familypractitioner",
            name="starts",
            field=models.DateField(verbose_name="start date"),
        ),
        migrations.AlterModelOptions(
            name="familypractitioner",
            options={"default_manager_name": "objects", "verbose_name": "team member", "verbose_name_plural": "team members"},
        ),
        migrations.AddConstraint(
            model_name="familypractitioner",
            constraint=models.CheckConstraint(condition=models.Q(("ends__isnull", True), ("ends__gte", models.F("starts")), _connector="OR"), name="family_practitioner_ends_after_starts"),
        ),
    ]
