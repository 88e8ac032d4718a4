"""Agency records: append-only entries, corrections and the rule of which agency records
which kind, through the services."""

import ast
import inspect
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import casework
from casework import selectors, services
from casework.models import AgencyRecord, Outcome, RecordKind
from portal.models import AuditEvent
from portal.registry import OUTCOME_SLUGS
from tests import factories
from tests.helpers.casework_records import kind, record, records_access_for

pytestmark = pytest.mark.django_db


def test_the_standard_kinds_come_with_the_migration():
    codes = set(RecordKind.objects.values_list("code", flat=True))
    assert {
        "school-attendance",
        "suspensions",
        "police-call-out",
        "asb-report",
        "domestic-abuse-incident",
        "police-intelligence-flag",
        "employment-status",
        "rent-arrears",
        "housing-status",
        "health-engagement",
    } <= codes
    assert kind("police-intelligence-flag").sensitive
    assert not kind("school-attendance").sensitive
    assert kind("school-attendance").agency_kinds == ["school"]


def test_the_outcomes_are_the_ten_headline_outcomes():
    assert tuple(Outcome.values) == OUTCOME_SLUGS


def test_a_school_partner_records_attendance_and_it_is_audited(records_world):
    school = records_world["people"]["school"]
    entry = record(
        school, records_world["family"], "school-attendance", "87.5%", member=records_world["zara"]
    )
    assert entry.number == Decimal("87.5")
    assert entry.value_display == "87.5%"
    assert entry.agency.kind == "school"
    assert AuditEvent.objects.filter(
        actor=school,
        action=AuditEvent.Action.CREATE,
        object_type="AgencyRecord",
        object_id=str(entry.pk),
    ).exists()


def test_an_agency_records_only_the_kinds_its_kind_may(records_world):
    police = records_world["people"]["police"]
    with pytest.raises(PermissionDenied):
        record(
            police, records_world["family"], "school-attendance", "90", member=records_world["zara"]
        )
    assert not AgencyRecord.objects.exists()


def test_the_key_worker_reads_but_does_not_record(records_world):
    with pytest.raises(PermissionDenied):
        record(
            records_world["people"]["lead_key_worker"],
            records_world["family"],
            "school-attendance",
            "90",
            member=records_world["zara"],
        )


def test_a_retired_kind_cannot_be_recorded(records_world):
    services.record_kind_retire(
        kind=kind("suspensions"),
        reason="We count exclusions another way now.",
        actor=records_world["people"]["manager"],
    )
    with pytest.raises(PermissionDenied):
        record(
            records_world["people"]["school"],
            records_world["family"],
            "suspensions",
            "1",
            member=records_world["zara"],
        )


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("school-attendance", "100", Decimal("100")),
        ("rent-arrears", "£1,250.50", Decimal("125050")),
        ("suspensions", "2", Decimal("2")),
    ],
)
def test_values_are_read_by_the_kinds_value_type(code, text, expected):
    assert services.value_parse(kind=kind(code), text=text).number == expected


@pytest.mark.parametrize(
    ("code", "text", "message"),
    [
        ("school-attendance", "120", "The percentage must be 100 or less."),
        ("school-attendance", "lots", "Enter the percentage as a number, like 87.5."),
        ("suspensions", "1.5", "Enter a whole number, like 2."),
        ("housing-status", "castle", "Choose one of: Settled tenancy"),
        ("police-intelligence-flag", "maybe", "Enter yes or no."),
    ],
)
def test_a_wrong_value_says_what_to_type(code, text, message):
    with pytest.raises(ValidationError) as caught:
        services.value_parse(kind=kind(code), text=text)
    assert message in caught.value.messages[0]


def test_a_household_fact_is_about_no_one_and_a_persons_fact_needs_someone(records_world):
    housing, family = records_world["people"]["housing"], records_world["family"]
    entry = record(housing, family, "rent-arrears", "420", starts=date(2026, 10, 1))
    assert entry.member is None and entry.value_display == "£420.00"
    with pytest.raises(ValidationError) as caught:
        record(housing, family, "rent-arrears", "420", member=records_world["aisha"])
    assert "member" in caught.value.message_dict


def test_an_entry_for_the_future_or_another_family_is_refused(records_world, other_family):
    school, family = records_world["people"]["school"], records_world["family"]
    with pytest.raises(ValidationError) as caught:
        record(
            school,
            family,
            "permanent-exclusion",
            "no",
            member=records_world["zara"],
            starts=date(2099, 1, 1),
        )
    assert "starts" in caught.value.message_dict
    other_child = factories.child(other_family, name="Ola")
    with pytest.raises(ValidationError) as caught:
        record(school, family, "permanent-exclusion", "no", member=other_child)
    assert "member" in caught.value.message_dict


def test_a_correction_is_a_new_entry_and_the_entry_stays_as_it_was(records_world):
    school, family = records_world["people"]["school"], records_world["family"]
    wrong = record(school, family, "school-attendance", "58", member=records_world["zara"])
    allowed = records_access_for(school, family)
    fixed = services.agency_record_correct(
        records_access=allowed,
        record=wrong,
        member=records_world["zara"],
        value="85",
        starts=wrong.starts,
        ends=wrong.ends,
        reason="Typed the wrong column.",
        recorder=school,
    )
    wrong.refresh_from_db()
    assert wrong.number == Decimal("58")
    assert fixed.corrects == wrong and fixed.correction_reason == "Typed the wrong column."
    current = selectors.current_records(records_access=allowed)
    assert [r.pk for r in current] == [fixed.pk]
    assert AgencyRecord.objects.count() == 2


def test_a_correction_needs_a_reason(records_world):
    school, family = records_world["people"]["school"], records_world["family"]
    wrong = record(school, family, "school-attendance", "58", member=records_world["zara"])
    with pytest.raises(ValidationError) as caught:
        services.agency_record_correct(
            records_access=records_access_for(school, family),
            record=wrong,
            member=records_world["zara"],
            value="85",
            starts=wrong.starts,
            ends=wrong.ends,
            reason=" ",
            recorder=school,
        )
    assert "reason" in caught.value.message_dict
    assert AgencyRecord.objects.count() == 1


def test_an_entry_is_corrected_once_and_then_its_correction_is(records_world):
    school, family = records_world["people"]["school"], records_world["family"]
    zara = records_world["zara"]
    first = record(school, family, "school-attendance", "50", member=zara)
    allowed = records_access_for(school, family)

    def correct(entry, value):
        return services.agency_record_correct(
            records_access=allowed,
            record=entry,
            member=zara,
            value=value,
            starts=entry.starts,
            ends=entry.ends,
            reason="Wrong figure sent.",
            recorder=school,
        )

    second = correct(first, "60")
    first.refresh_from_db()
    with pytest.raises(PermissionDenied):
        correct(first, "70")
    third = correct(second, "70")
    assert [r.value_display for r in selectors.current_records(records_access=allowed)] == ["70%"]
    assert third.corrects.corrects == first


def test_only_the_agency_that_recorded_an_entry_corrects_it(records_world):
    family = records_world["family"]
    entry = record(
        records_world["people"]["police"], family, "asb-report", "1", member=records_world["imran"]
    )
    housing = records_world["people"]["housing"]
    with pytest.raises(PermissionDenied):
        services.agency_record_correct(
            records_access=records_access_for(housing, family),
            record=entry,
            member=records_world["imran"],
            value="2",
            starts=entry.starts,
            reason="Two reports, not one.",
            recorder=housing,
        )


def test_no_service_changes_or_deletes_an_entry():
    """Append-only: casework writes entries only by inserting them."""
    names = [name for name, _ in inspect.getmembers(services, inspect.isfunction)]
    assert not [
        n
        for n in names
        if n.startswith("agency_record_")
        and n not in {"agency_record_add", "agency_record_correct"}
    ]
    folder = inspect.getfile(casework).rsplit("/", 1)[0]
    import pathlib

    for path in pathlib.Path(folder).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = ast.unparse(node.func.value)
                assert not ("AgencyRecord" in target and node.func.attr in {"update", "delete"}), (
                    f"{path.name}: {ast.unparse(node)}"
                )
                assert not (
                    "record" in target.lower()
                    and "kind" not in target.lower()
                    and "import" not in target.lower()
                    and node.func.attr == "delete"
                ), f"{path.name}: {ast.unparse(node)}"


def test_managers_define_and_retire_kinds_audited(manager, key_worker):
    made = services.record_kind_create(
        actor=manager,
        name="Free school meals",
        family_label="Free school meals",
        value_type=RecordKind.ValueType.YES_NO,
        outcome=Outcome.EDUCATION,
        agency_kinds=["school"],
    )
    assert made.code == "free-school-meals" and made.is_active
    services.record_kind_retire(kind=made, reason="Counted by the council now.", actor=manager)
    assert not RecordKind.objects.get(pk=made.pk).is_active
    assert AuditEvent.objects.filter(actor=manager, object_type="RecordKind").count() == 2
    with pytest.raises(PermissionDenied):
        services.record_kind_create(
            actor=key_worker,
            name="X",
            family_label="X",
            value_type="count",
            outcome="crime",
            agency_kinds=["police"],
        )


def test_a_status_kind_needs_its_statuses(manager):
    with pytest.raises(ValidationError) as caught:
        services.record_kind_create(
            actor=manager,
            name="Benefit claim",
            family_label="Benefits",
            value_type=RecordKind.ValueType.STATUS,
            statuses=["Claiming"],
            outcome=Outcome.FINANCIAL_STABILITY,
            agency_kinds=["job_centre"],
        )
    assert "statuses" in caught.value.message_dict
