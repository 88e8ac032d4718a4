"""The ten national Supporting Families headline outcomes, as data managers can edit."""

from django.db import migrations

OUTCOMES = [
    ("education", "Getting a good education", "Going to school or college regularly and getting on well."),
    ("early_years", "Good early years development", "Young children growing, learning and ready for school."),
    ("health", "Improved mental and physical health", "Feeling well in body and mind, and getting help when needed."),
    ("substance_use", "Reducing harm from substance use", "Less harm from drugs or alcohol."),
    ("family_relationships", "Improved family relationships", "Getting on better at home and with each other."),
    ("safe_from_exploitation", "Children safe from abuse and exploitation", "Children kept safe inside and outside the home."),
    ("crime", "Crime prevention", "Staying away from crime and antisocial behaviour."),
    ("domestic_abuse", "Safe from domestic abuse", "Everyone at home safe from abuse."),
    ("housing", "Secure housing", "A safe, settled place to live."),
    ("financial_stability", "Financial stability", "Money coming in, bills paid, less debt."),
]


def seed(apps, schema_editor):
    OutcomeArea = apps.get_model("plans", "OutcomeArea")
    for order, (slug, name, description) in enumerate(OUTCOMES, start=1):
        OutcomeArea.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("plans", "OutcomeArea").objects.filter(
        slug__in=[slug for slug, _name, _description in OUTCOMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
