"""The 2022-25 Supporting Families outcome framework, as data: each headline outcome's
descriptors in staff words and in plain words, with the six-month test where an agency
record can show the need has come back. Managers may add later versions beside it."""

from django.db import migrations

NAME = "Supporting Families outcome framework"
VERSION = "2022-25"

# (outcome, code, staff words, family words, test kind code, breaks when, threshold,
#  breaking statuses)
DESCRIPTORS = [
    ("education", "persistent-absence",
     "A child's attendance is below 90% (persistently absent)",
     "Going to school most days", "school-attendance", "below", "90", []),
    ("education", "suspension-exclusion",
     "A child has been suspended or excluded from school",
     "Not being sent home from school", "suspensions", "above", "0", []),
    ("education", "permanent-exclusion",
     "A child has been permanently excluded or is at risk of it",
     "Staying in school", "permanent-exclusion", "yes", None, []),
    ("education", "not-in-education",
     "A child is missing education or not in suitable education",
     "Being in school or learning every day", None, "", None, []),
    ("education", "send-support",
     "A child has special educational needs that are not being met",
     "Getting the help at school a child needs", None, "", None, []),
    ("early_years", "development",
     "A young child's development is not on track for their age",
     "A little one growing and learning well", None, "", None, []),
    ("early_years", "early-years-parenting",
     "Parents need support with a young child's care and routines",
     "Help with looking after a baby or toddler", None, "", None, []),
    ("health", "mental-health",
     "An adult or child has mental health needs that are not met",
     "Feeling better in ourselves", "health-engagement", "status", None,
     ["Not attending"]),
    ("health", "physical-health",
     "An adult or child has physical health needs or a disability not being supported",
     "Getting the health care we need", "health-engagement", "status", None,
     ["Not attending"]),
    ("substance_use", "adult-substance-use",
     "An adult's drug or alcohol use is harming them or the family",
     "Less harm from drink or drugs", "treatment-engagement", "status", None,
     ["Not attending"]),
    ("substance_use", "young-person-substance-use",
     "A young person's drug or alcohol use is a worry",
     "A young person staying safe from drink and drugs", "treatment-engagement", "status",
     None, ["Not attending"]),
    ("family_relationships", "parental-conflict",
     "Conflict between parents or carers is harming the children",
     "Getting on better at home", None, "", None, []),
    ("family_relationships", "parenting",
     "Parents need support to manage a child's behaviour",
     "Feeling more confident as a parent", None, "", None, []),
    ("family_relationships", "young-carer",
     "A child is caring for someone in the family beyond their age",
     "A child having time to be a child", None, "", None, []),
    ("safe_from_exploitation", "exploitation-risk",
     "A child is at risk of criminal or sexual exploitation",
     "A child staying safe outside the home", "police-intelligence-flag", "yes", None, []),
    ("safe_from_exploitation", "missing-episodes",
     "A child has gone missing from home",
     "A child staying safe and coming home", None, "", None, []),
    ("safe_from_exploitation", "neglect-risk",
     "A child's basic needs are not being met",
     "The children having what they need every day", None, "", None, []),
    ("crime", "offending-asb",
     "An adult or child is involved in crime or anti-social behaviour",
     "Staying out of trouble", "asb-report", "above", "0", []),
    ("crime", "police-call-outs",
     "The police have been called to the home",
     "Fewer problems needing the police", "police-call-out", "above", "0", []),
    ("domestic_abuse", "domestic-abuse",
     "The family is affected by domestic abuse",
     "Everyone safe at home", "domestic-abuse-incident", "above", "0", []),
    ("housing", "risk-of-losing-home",
     "The family is at risk of losing their home",
     "Keeping our home", "housing-status", "status", None,
     ["At risk of losing the home", "Temporary accommodation", "Homeless"]),
    ("housing", "unsuitable-housing",
     "The family is homeless, in temporary housing or in a home that is not safe",
     "A safe, settled home", "housing-status", "status", None,
     ["Temporary accommodation", "Homeless"]),
    ("financial_stability", "worklessness",
     "An adult is out of work and wants help to find work",
     "Finding work", "employment-status", "status", None, ["Looking for work"]),
    ("financial_stability", "debt",
     "The family has debts it cannot manage",
     "Money worries under control", "rent-arrears", "above", "0", []),
    ("financial_stability", "neet",
     "A young person is not in education, employment or training",
     "A young person in work, training or learning", None, "", None, []),
]


def load(apps, schema_editor):
    Framework = apps.get_model("casework", "Framework")
    Descriptor = apps.get_model("casework", "Descriptor")
    RecordKind = apps.get_model("casework", "RecordKind")
    kinds = {kind.code: kind for kind in RecordKind.objects.all()}
    framework, _created = Framework.objects.get_or_create(
        name=NAME, version=VERSION, defaults={"in_use": True}
    )
    for order, (outcome, code, text, family_text, kind_code, breaks, threshold,
                statuses) in enumerate(DESCRIPTORS):
        kind = kinds.get(kind_code) if kind_code else None
        Descriptor.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={
                "outcome": outcome,
                "text": text,
                "family_text": family_text,
                "order": order,
                "test_kind": kind,
                "breaks_when": breaks if kind is not None else "",
                "threshold": threshold if kind is not None else None,
                "breaking_statuses": statuses if kind is not None else [],
            },
        )



class Migration(migrations.Migration):
    dependencies = [("casework", "0003_family_journey")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
