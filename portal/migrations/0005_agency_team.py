import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The kinds of agency (portal.models.Agency.Kind) as they were when this was written.
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
    ]
