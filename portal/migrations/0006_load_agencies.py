from django.db import migrations
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
    # Rows are written here and the columns made required in the next migration, each in
    # a transaction of its own (PostgreSQL will not alter a table with pending checks).
    dependencies = [("portal", "0005_agency_team")]

    operations = [migrations.RunPython(load_agencies, migrations.RunPython.noop)]
