"""A query compiled once gives what its queryset gives, for any values, or fails loudly."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.test import override_settings
from django.utils import timezone

from portal.models import Family, FamilyMember, StaffProfile, User
from portal.prepared import PreparedQuery, PreparedQueryError, prepared
from tests import factories
from tests.helpers.prepared import loaded


def _users(user_id):
    return User.objects.select_related(
        "staff_profile", "family_membership__family__lead_key_worker__staff_profile"
    ).filter(pk=user_id)


def _families(worker_id, since, born_after, name):
    members = FamilyMember.objects.filter(family=OuterRef("pk")).order_by("pk")
    return (
        Family.objects.filter(lead_key_worker_id=worker_id, created_at__gte=since)
        .exclude(display_name=name)
        .select_related("lead_key_worker__staff_profile")
        .annotate(
            members_count=Count("members"),
            has_young=Exists(members.filter(date_of_birth__gt=born_after)),
            first_member=Subquery(members.values("name")[:1]),
        )
        .order_by("display_name", "pk")
    )


USERS = PreparedQuery(_users, {"user_id": int})
FAMILIES = PreparedQuery(
    _families, {"worker_id": int, "since": dt.datetime, "born_after": dt.date, "name": str}
)


@pytest.fixture
def households(key_worker, other_family):
    young = factories.family(key_worker=key_worker, name="Young family")
    factories.parent(young, name="Sam")
    FamilyMember.objects.create(
        family=young,
        name="Baby",
        relationship=FamilyMember.Relationship.CHILD,
        date_of_birth=dt.date(2025, 5, 1),
    )
    older = factories.family(key_worker=key_worker, name="Older family")
    FamilyMember.objects.create(
        family=older,
        name="Teen",
        relationship=FamilyMember.Relationship.CHILD,
        date_of_birth=dt.date(2010, 5, 1),
    )
    factories.family(key_worker=key_worker, name="Empty family")
    return [young, older]


def test_the_signed_in_person_comes_with_the_same_relations(
    parent, key_worker, django_assert_num_queries
):
    lonely = factories.staff(StaffProfile.Role.MANAGER)
    for user_id in (parent.pk, key_worker.pk, lonely.pk, 0, 999_999):
        with django_assert_num_queries(1):
            got = USERS.rows(user_id=user_id)
        assert loaded(got) == loaded(list(_users(user_id)))
    with django_assert_num_queries(1):
        user = USERS.first(user_id=parent.pk)
    with django_assert_num_queries(0):
        assert user.family_membership.family.lead_key_worker.staff_profile.role == "key_worker"
        assert user._state.fields_cache["staff_profile"] is None
    assert USERS.first(user_id=999_999) is None
    assert loaded(USERS.rows(using="default", user_id=parent.pk)) == loaded([user])


def test_annotations_and_every_kind_of_value_give_what_the_queryset_gives(
    households, key_worker, other_family, django_assert_num_queries
):
    now = timezone.now()
    cases = [
        (key_worker.pk, now - dt.timedelta(days=1), dt.date(2020, 1, 1), "Older family"),
        (key_worker.pk, now - dt.timedelta(days=1), dt.date(2000, 1, 1), "nobody"),
        (key_worker.pk, now + dt.timedelta(days=1), dt.date(2000, 1, 1), "nobody"),
        (other_family.lead_key_worker_id, now - dt.timedelta(days=1), dt.date(2000, 1, 1), ""),
    ]
    for worker_id, since, born_after, name in cases:
        values = {"worker_id": worker_id, "since": since, "born_after": born_after, "name": name}
        with django_assert_num_queries(1):
            got = FAMILIES.rows(**values)
        expected = list(_families(**values))
        assert loaded(got) == loaded(expected)
        with django_assert_num_queries(0):
            for family in got:
                assert family.lead_key_worker.staff_profile.role == "key_worker"
    young = FAMILIES.first(
        worker_id=key_worker.pk,
        since=now - dt.timedelta(days=1),
        born_after=dt.date(2020, 1, 1),
        name="",
    )
    assert (young.display_name, young.members_count) == ("Empty family", 0)


@pytest.mark.parametrize("shape", ["values", "values_list", "flat"])
def test_values_rows_are_the_queryset_rows(households, key_worker, shape):
    def build(worker_id):
        families = (
            Family.objects.filter(lead_key_worker_id=worker_id)
            .annotate(n=Count("members"))
            .order_by("display_name")
        )
        if shape == "values":
            return families.values("display_name", "created_at", "n")
        if shape == "values_list":
            return families.values_list("n", "display_name", "created_at")
        return families.values_list("created_at", flat=True)

    query = PreparedQuery(build, {"worker_id": int})
    for worker_id in (key_worker.pk, 0):
        assert query.rows(worker_id=worker_id) == list(build(worker_id))


def test_prefetched_relations_come_as_the_queryset_brings_them(
    households, key_worker, django_assert_num_queries
):
    def build(worker_id):
        return (
            Family.objects.filter(lead_key_worker_id=worker_id)
            .prefetch_related("members")
            .order_by("pk")
        )

    query = PreparedQuery(build, {"worker_id": int})
    with django_assert_num_queries(2):
        got = query.rows(worker_id=key_worker.pk)
    with django_assert_num_queries(0):
        assert [len(f.members.all()) for f in got] == [2, 1, 0]
    assert loaded(got) == loaded(list(build(key_worker.pk)))


def test_deferred_fields_are_deferred_as_the_queryset_defers_them(parent, family):
    def build(family_id):
        return FamilyMember.objects.filter(family_id=family_id).only("name").order_by("pk")

    query = PreparedQuery(build, {"family_id": int})
    assert loaded(query.rows(family_id=family.pk)) == loaded(list(build(family.pk)))
    assert query.first(family_id=family.pk).get_deferred_fields() >= {"relationship"}


def test_a_parameter_used_twice_fails_when_compiled(db):
    @prepared(user_id=int)
    def twice(user_id):
        return User.objects.filter(Q(pk=user_id) | Q(family_membership__user_id=user_id))

    with pytest.raises(PreparedQueryError, match="found 2 times"):
        twice.rows(user_id=1)


def test_a_parameter_the_sql_does_not_carry_as_given_fails_when_compiled(db):
    @prepared(name=str)
    def contains(name):
        return Family.objects.filter(display_name__icontains=name)

    @prepared(user_id=int)
    def unused(user_id):
        return User.objects.all()

    with pytest.raises(PreparedQueryError, match="not found"):
        contains.rows(name="Test")
    with pytest.raises(PreparedQueryError, match="not found"):
        unused.rows(user_id=1)


def test_a_query_whose_shape_follows_its_values_fails_when_compiled(db):
    @prepared(user_id=int)
    def shifty(user_id):
        users = User.objects.filter(pk=user_id)
        return users.filter(is_active=True) if user_id % 2 else users

    with pytest.raises(PreparedQueryError, match="changes with"):
        shifty.rows(user_id=1)


def test_an_empty_in_list_has_no_sql_to_keep(db):
    @prepared(user_id=int)
    def nothing(user_id):
        return User.objects.filter(pk=user_id, id__in=[])

    with pytest.raises(PreparedQueryError, match="no fixed SQL"):
        nothing.rows(user_id=1)


def test_wrong_values_are_refused_before_the_database_is_asked(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for values in ({"user_id": None}, {"user_id": "1"}, {"user_id": True}, {}):
            with pytest.raises(PreparedQueryError):
                USERS.rows(**values)
        with pytest.raises(PreparedQueryError, match="born_after must be a date"):
            FAMILIES.rows(worker_id=1, since=timezone.now(), born_after=timezone.now(), name="")


def test_only_supported_types_are_parameters():
    with pytest.raises(PreparedQueryError, match="int, str, date or datetime"):
        PreparedQuery(_users, {"user_id": float})  # type: ignore[dict-item]


def test_threads_asking_at_once_compile_it_once(db):
    calls = []

    def build(user_id):
        calls.append(user_id)
        return _users(user_id)

    query = PreparedQuery(build, {"user_id": int})
    start = threading.Barrier(8)

    def compile_it():
        start.wait()
        try:
            query._compile("default", connection)
        finally:
            connections.close_all()  # This thread's own (PostgreSQL asks for its version).

    threads = [threading.Thread(target=compile_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Built twice (two sets of stand-ins), once for the whole process.
    assert len(calls) == 2


def test_changed_settings_compile_it_again(households, key_worker):
    calls = []

    def build(worker_id, since):
        calls.append(since)
        return Family.objects.filter(lead_key_worker_id=worker_id, created_at__gte=since)

    query = PreparedQuery(build, {"worker_id": int, "since": dt.datetime})
    since = timezone.now() - dt.timedelta(days=1)
    assert len(query.rows(worker_id=key_worker.pk, since=since)) == 3
    built = len(calls)
    with override_settings(USE_TZ=False):
        naive = dt.datetime.now() - dt.timedelta(days=1)
        assert len(query.rows(worker_id=key_worker.pk, since=naive)) == 3
    assert len(calls) > built
    assert len(query.rows(worker_id=key_worker.pk, since=since)) == 3


def test_lazy_rows_build_the_same_objects_only_when_one_is_read(
    households, key_worker, django_assert_num_queries
):
    since = timezone.now() - dt.timedelta(days=1)
    values = {"worker_id": key_worker.pk, "since": since, "born_after": dt.date(2020, 1, 1)}
    with django_assert_num_queries(1):
        rows = FAMILIES.lazy_rows(**values, name="")
    assert not rows.built
    names = [family.display_name for family in _families(**values, name="")]
    assert len(rows) == len(names) > 1 and rows
    assert rows.column("display_name") == names
    [young] = rows.where("display_name", "Young family")
    assert young.display_name == "Young family" and not rows.built
    with django_assert_num_queries(0):
        built = list(rows)
    assert rows.built
    assert loaded(built) == loaded(list(_families(**values, name="")))
    assert rows.where("display_name", "Young family") == [rows[names.index("Young family")]]


def test_lazy_rows_are_model_rows_without_prefetches(db):
    flat = prepared(user_id=int)(lambda user_id: User.objects.filter(pk=user_id).values_list("pk"))
    with pytest.raises(PreparedQueryError, match="lazy rows"):
        flat.lazy_rows(user_id=1)
    with_families = prepared(user_id=int)(
        lambda user_id: User.objects.filter(pk=user_id).prefetch_related("chat_messages")
    )
    with pytest.raises(PreparedQueryError, match="lazy rows"):
        with_families.lazy_rows(user_id=1)
