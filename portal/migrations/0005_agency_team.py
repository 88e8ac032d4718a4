import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# The starting list of agencies, one of each kind; managers rename and add to it.
KINDS = [
    ("school", "School"),
    ("early_years", "Early years"),
    ("health_visiting", "Health visiting"),
    ("gp", "GP"),
    ("midwifery", "Midwifery"),
    ("adult_mental_health", "Adult mental health"),
    ("camhs", "Children and young people's mental health (CAMHS)"),
    ("substance_misuse", "Substance misuse service"),
    ("police", "Police"),
    ("youth_justice", "Youth justice"),
    ("housing", "Housing"),
    ("job_centre", "Job centre"),
    ("domestic_abuse", "Domestic abuse service"),
    ("voluntary", "Voluntary sector"),
]
# A practitioner's old agency (on their staff profile) to the kind of their new one.
FROM_PROFILE = {
    "school": "school",
    "health": "health_visiting",
    "police": "police",
    "housing": "housing",
}


def load_agencies(apps, schema_editor):
    Agency = apps.get_model("portal", "Agency")
    FamilyPractitioner = apps.get_model("portal", "FamilyPractitioner")
    StaffProfile = apps.get_model("portal", "StaffProfile")
    by_kind = {}
    for kind, name in KINDS:
        by_kind[kind], _ = Agency.objects.get_or_create(name=name, defaults={"kind": kind})
    profiles = dict(StaffProfile.objects.values_list("user_id", "agency"))
    for row in FamilyPractitioner.objects.all():
        kind = FROM_PROFILE.get(profiles.get(row.user_id), "voluntary")
        row.agency = by_kind[kind]
        row.starts = timezone.localdate(row.added_at) if row.added_at else timezone.localdate()
        row.save(update_fields=["agency", "starts"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_safe_word_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Agency",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, unique=True, verbose_name="name")),
                ("kind", models.CharField(choices=KINDS, max_length=30, verbose_name="kind of agency")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
                ("retired_reason", models.TextField(blank=True, verbose_name="why it was retired")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"verbose_name": "agency", "verbose_name_plural": "agencies", "ordering": ["name"]},
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="agency",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="team_members", to="portal.agency", verbose_name="agency"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="starts",
            field=models.DateField(null=True, verbose_name="start date"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="ends",
            field=models.DateField(blank=True, null=True, verbose_name="end date"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="role",
            field=models.CharField(blank=True, max_length=120, verbose_name="role"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="removed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="removed from the team"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="removed_reason",
            field=models.TextField(blank=True, verbose_name="why they were removed"),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="removed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="familypractitioner",
            name="left_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(load_agencies, migrations.RunPython.noop),
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
