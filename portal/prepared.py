"""Queries of a fixed shape whose SQL is compiled once per process, not on every request.

Django compiles a queryset's SQL every time it runs it, and for a query with joins,
subqueries and annotations that compiling costs far more CPU than the database takes to
answer (about 1.4 ms for the signed-in person with six relations, against 0.07 ms for a
raw query). A ``PreparedQuery`` builds its queryset once with stand-in values for its
parameters, compiles it with Django's own compiler, and remembers the SQL, where each
stand-in landed among the SQL's parameters, and what the compiler worked out for reading
the rows. Each run then sends that SQL with the new values and builds the rows with
Django's own code (``Model.from_db``, the select_related populators, the backend's
converters), so it returns what the queryset would have: model instances with their
``select_related`` relations and annotations, ``values()`` dicts, ``values_list()``
tuples or flat values, and its ``prefetch_related`` lookups done.

    @prepared(family_id=int, today=dt.date)
    def _plan_for(family_id: int, today: dt.date) -> QuerySet[Plan]:
        return Plan.objects.filter(family_id=family_id, reviews__date__gte=today)[:1]

    plan = _plan_for.first(family_id=family.pk, today=timezone.localdate())

What the builder may do: whatever gives the same SQL for every value, with each parameter
used exactly once (a value needed twice is two parameters). It must not read anything else
that changes (the clock, the request, settings): that would be compiled in for good. A
parameter is an ``int``, ``str``, ``datetime.date`` or ``datetime.datetime``, never None
(``= NULL`` is a different query) and never a list (``IN`` changes with its length).

Compiling fails loudly, never guesses: a stand-in not found among the SQL's parameters, or
found more than once, or a second compile with other stand-ins giving other SQL, raises
``PreparedQueryError``. The compiled form is kept for each database alias and vendor,
compiled under a lock the first time each is asked for (gunicorn's threads share it; it is
not changed afterwards), and forgotten whenever a test overrides a setting.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, overload

from django.core.signals import setting_changed
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    RelatedPopulator,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

T = TypeVar("T")

ParamType = type[int] | type[str] | type[dt.date] | type[dt.datetime]
# How a value becomes what the database is sent, as the ORM's field would prepare it.
Adapter = Literal["as_is", "date", "datetime"]
Kind = Literal["model", "values", "values_list", "flat"]


class PreparedQueryError(Exception):
    """A builder whose queryset cannot be prepared (or a run given wrong values)."""


def _stand_in(kind: ParamType, index: int, *, aware: bool) -> object:
    """A value no real query would use, different for each parameter and each compile
    (inside a 32-bit integer: Django gives up on a lookup beyond its column's range)."""
    if kind is int:
        return 2_146_000_000 + index
    if kind is str:
        return f"\x1fprepared-{index}\x1f"
    if kind is dt.datetime:
        moment = dt.datetime(2999, 1, 1, 12, 34, 56, 789_000, tzinfo=dt.UTC)
        moment += dt.timedelta(days=index)
        return moment if aware else moment.replace(tzinfo=None)
    if kind is dt.date:
        return dt.date(2999, 1, 1) + dt.timedelta(days=index)
    raise PreparedQueryError(f"a parameter is an int, str, date or datetime, not {kind!r}")


def _adapt(adapter: Adapter, value: Any, connection: BaseDatabaseWrapper) -> Any:
    if adapter == "date":
        return connection.ops.adapt_datefield_value(value)
    if adapter == "datetime":
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _wrapped_int(param: Any, sent: Any) -> bool:
    """Whether ``param`` is ``sent``, an int, in the backend's own int type (never a bool)."""
    return (
        type(sent) is int
        and isinstance(param, int)
        and not isinstance(param, bool)
        and type(param) is not int
        and param == sent
    )


def _adapters(kind: ParamType) -> tuple[Adapter, ...]:
    if kind is dt.datetime:
        return ("as_is", "datetime")
    if kind is dt.date:
        return ("as_is", "date")
    return ("as_is",)


@dataclass(frozen=True)
class _Slot:
    position: int
    name: str
    adapter: Adapter
    # The int subclass the backend wraps this value in (psycopg's ``Int4`` for a value in a
    # ``CASE``), to wrap new values in as well; None for a plain value.
    wrap: type[int] | None = None


@dataclass(frozen=True)
class _Compiled:
    """One vendor's SQL for the query, and what reading its rows needs (never changed)."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    # Columns kept from each row (ordering can add more at the end).
    col_count: int
    trim: bool
    converters: tuple[tuple[int, Sequence[Callable[..., Any]], Any], ...]
    kind: Kind
    model: type[Model]
    # For model rows (as ``ModelIterable`` reads them).
    init_list: tuple[str, ...] = ()
    fields_start: int = 0
    fields_end: int = 0
    related: tuple[RelatedPopulator, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()
    # For ``values()`` rows.
    names: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()


_KINDS: dict[type, Kind] = {
    ModelIterable: "model",
    ValuesIterable: "values",
    ValuesListIterable: "values_list",
    FlatValuesListIterable: "flat",
}

_every: weakref.WeakSet[PreparedQuery[Any]] = weakref.WeakSet()


class PreparedQuery(Generic[T]):
    """A queryset of one shape, compiled once for each database, run with new values."""

    def __init__(
        self, build: Callable[..., QuerySet[Any, T]], params: dict[str, ParamType]
    ) -> None:
        for name, kind in params.items():
            _stand_in(kind, 0, aware=True)  # An unsupported type fails here, at import.
            if name == "using":
                raise PreparedQueryError("'using' names the database, not a parameter")
        self.build = build
        self.params = dict(params)
        self.name = getattr(build, "__qualname__", repr(build))
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._default_alias: str | None = None
        self._lock = threading.Lock()
        _every.add(self)

    def __repr__(self) -> str:
        return f"<PreparedQuery {self.name}>"

    def rows(self, *, using: str | None = None, **values: Any) -> list[T]:
        """The rows the queryset built with these values would give, in its order."""
        compiled, rows, alias = self._read(using, values)
        results: list[Any] = self._objects(compiled, rows, alias)
        if compiled.prefetch and results:
            prefetch_related_objects(results, *map(_fresh, compiled.prefetch))
        return results

    def lazy_rows(self, *, using: str | None = None, **values: Any) -> Rows[T]:
        """The same rows as ``rows``, kept as the database sent them; each object is
        built only when something first reads one (a kept fragment may need none)."""
        compiled, rows, alias = self._read(using, values)
        if compiled.kind != "model" or compiled.prefetch:
            raise PreparedQueryError(f"{self.name}: lazy rows are model rows without prefetches")
        return Rows(self, compiled, rows, alias)

    def first(self, *, using: str | None = None, **values: Any) -> T | None:
        """The first row, or None (slice the queryset to ``[:1]`` to read only one)."""
        rows = self.rows(using=using, **values)
        return rows[0] if rows else None

    def forget(self) -> None:
        """Compile again next time (settings changed)."""
        with self._lock:
            self._compiled = {}
            self._default_alias = None

    # How it works ------------------------------------------------------------------

    def _read(self, using: str | None, values: dict[str, Any]) -> tuple[_Compiled, list[Any], str]:
        """The compiled form, the rows read with ``values`` (converted as the ORM would)
        and the database they came from."""
        if values.keys() != self.params.keys():
            raise PreparedQueryError(
                f"{self.name} takes {sorted(self.params)}, was given {sorted(values)}"
            )
        for name, value in values.items():
            self._check(name, value)
        alias = using or self._alias()
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = self._compile(alias, connection)
        params = list(compiled.params)
        for slot in compiled.slots:
            value = _adapt(slot.adapter, values[slot.name], connection)
            params[slot.position] = value if slot.wrap is None else slot.wrap(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[Any] = cursor.fetchall()
        if compiled.trim:
            rows = [row[: compiled.col_count] for row in rows]
        if compiled.converters:
            rows = list(map(list, rows))
            for row in rows:
                for position, converters, expression in compiled.converters:
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
        return compiled, rows, alias

    def _check(self, name: str, value: Any) -> None:
        kind = self.params[name]
        wrong = (
            value is None
            or not isinstance(value, kind)
            or (kind is int and isinstance(value, bool))
            or (kind is dt.date and isinstance(value, dt.datetime))
        )
        if wrong:
            raise PreparedQueryError(
                f"{self.name}: {name} must be a {kind.__name__}, not {value!r}"
            )

    def _alias(self) -> str:
        """The database the queryset itself would read from (its ``using()``, or the
        router's choice), found by building it once."""
        alias = self._default_alias
        if alias is None:
            from django.conf import settings

            queryset = self.build(**self._stand_ins(0, aware=bool(settings.USE_TZ)))
            alias = self._default_alias = str(queryset.db)
        return alias

    def _stand_ins(self, round_: int, *, aware: bool) -> dict[str, object]:
        count = len(self.params)
        return {
            name: _stand_in(kind, round_ * count + index, aware=aware)
            for index, (name, kind) in enumerate(self.params.items())
        }

    def _compile(self, alias: str, connection: BaseDatabaseWrapper) -> _Compiled:
        with self._lock:
            key = (alias, connection.vendor)
            compiled = self._compiled.get(key)
            if compiled is None:
                compiled = self._compile_for(alias, connection)
                # A new dict, so a thread reading the old one never sees it change.
                self._compiled = {**self._compiled, key: compiled}
            return compiled

    def _sql(
        self, alias: str, connection: BaseDatabaseWrapper, round_: int
    ) -> tuple[QuerySet[Any, T], SQLCompiler, str, tuple[Any, ...], tuple[_Slot, ...]]:
        from django.conf import settings

        stand_ins = self._stand_ins(round_, aware=bool(settings.USE_TZ))
        queryset = self.build(**stand_ins)
        if not isinstance(queryset, QuerySet):
            raise PreparedQueryError(f"{self.name} must return a queryset, not {queryset!r}")
        self._refuse(queryset)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except Exception as error:  # EmptyResultSet and FullResultSet among them.
            raise PreparedQueryError(
                f"{self.name} has no fixed SQL ({type(error).__name__}: {error})"
            ) from error
        params = tuple(params)
        slots = []
        for name, value in stand_ins.items():
            found: dict[int, tuple[Adapter, type[int] | None]] = {}
            for adapter in _adapters(self.params[name]):
                sent = _adapt(adapter, value, connection)
                for position, param in enumerate(params):
                    if type(param) is type(sent) and param == sent:
                        found.setdefault(position, (adapter, None))
                    elif _wrapped_int(param, sent):
                        found.setdefault(position, (adapter, type(param)))
            if len(found) != 1:
                where = "not found" if not found else f"found {len(found)} times"
                raise PreparedQueryError(
                    f"{self.name}: parameter {name!r} was {where} among the SQL's parameters "
                    "(each is used exactly once, as a plain value the ORM compares with)"
                )
            [(position, (adapter, wrap))] = found.items()
            slots.append(_Slot(position, name, adapter, wrap))
        return queryset, compiler, sql, params, tuple(slots)

    def _compile_for(self, alias: str, connection: BaseDatabaseWrapper) -> _Compiled:
        queryset, compiler, sql, params, slots = self._sql(alias, connection, 0)
        # Again with other stand-ins: the same SQL, with them in the same places, shows
        # the shape does not depend on the values.
        _queryset, _compiler, sql_again, params_again, slots_again = self._sql(alias, connection, 1)
        taken = {slot.position for slot in slots}
        same = (
            sql == sql_again
            and slots == slots_again
            and len(params) == len(params_again)
            and all(
                a == b
                for i, (a, b) in enumerate(zip(params, params_again, strict=True))
                if i not in taken
            )
        )
        if not same:
            raise PreparedQueryError(f"{self.name}'s SQL changes with its parameters' values")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise PreparedQueryError(f"{self.name}: composite primary keys are not supported")
        converters = tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(fields).items()
        )
        kind = _KINDS[queryset._iterable_class]
        common: dict[str, Any] = {
            "sql": sql,
            "params": params,
            "slots": slots,
            "col_count": compiler.col_count,
            "trim": bool(compiler.has_extra_select),
            "converters": converters,
            "kind": kind,
            "model": queryset.model,
            # Private, and not in django-stubs.
            "prefetch": tuple(queryset._prefetch_related_lookups),  # type: ignore[attr-defined]
        }
        if kind != "model":
            query = queryset.query
            names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            return _Compiled(**common, names=tuple(names))
        klass_info = compiler.klass_info
        if klass_info is None:
            raise PreparedQueryError(f"{self.name} selects no model")
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        common["model"] = klass_info["model"]
        # django-stubs describes Django 6's signature (with ``fetch_mode``); 5.2 has none.
        populators = get_related_populators(klass_info, compiler.select, alias)  # type: ignore[call-arg]
        return _Compiled(
            **common,
            init_list=tuple(column[0].target.attname for column in compiler.select[start:end]),
            fields_start=start,
            fields_end=end,
            related=tuple(populators),
            annotations=tuple(compiler.annotation_col_map.items()),
        )

    def _refuse(self, queryset: QuerySet[Any, Any]) -> None:
        """What this does not do the ORM's way, so it is not done at all."""
        query = queryset.query
        if queryset._iterable_class not in _KINDS:
            refused = "named values_list()"
        elif queryset._known_related_objects:  # type: ignore[attr-defined]  # private, untyped
            refused = "a related manager's queryset (start from the model's manager)"
        elif query.combinator:
            refused = f"{query.combinator}()"
        elif query.select_for_update:
            refused = "select_for_update()"
        else:
            return
        raise PreparedQueryError(f"{self.name}: {refused} is not supported")

    def _objects(self, compiled: _Compiled, rows: list[Any], alias: str) -> list[Any]:
        if compiled.kind == "flat":
            return [row[0] for row in rows]
        if compiled.kind == "values_list":
            return [tuple(row) for row in rows]
        if compiled.kind == "values":
            names = compiled.names
            return [dict(zip(names, row, strict=False)) for row in rows]
        # As ModelIterable does.
        model, init_list = compiled.model, list(compiled.init_list)
        start, end = compiled.fields_start, compiled.fields_end
        objects = []
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in compiled.related:
                populator.populate(row, obj)
            for attr, position in compiled.annotations:
                setattr(obj, attr, row[position])
            objects.append(obj)
        return objects


class Rows(Sequence[T]):
    """A prepared query's model rows as the database sent them (after the ORM's
    converters), and the objects the queryset would have given, built all at once the
    first time one is read. ``column`` reads a field of the query's model without building
    any. A kept fragment (``portal.fragments``) describes the rows themselves while no
    object is built, and the objects once they are (something may have changed them)."""

    def __init__(
        self, query: PreparedQuery[T], compiled: _Compiled, rows: list[Any], alias: str
    ) -> None:
        self.query_name = query.name
        self.alias = alias
        self._query = query
        self._compiled = compiled
        self._rows = rows
        self._objects: list[T] | None = None
        # Kept by ``portal.fragments`` the first time it describes the rows (while no
        # object is built nothing can change them).
        self.description: str | None = None

    def __repr__(self) -> str:
        return f"<Rows of {self.query_name}: {len(self._rows)}>"

    def __len__(self) -> int:
        return len(self._rows)

    def __bool__(self) -> bool:
        return bool(self._rows)

    def __iter__(self) -> Iterator[T]:
        return iter(self.objects)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.objects[index]

    @property
    def objects(self) -> list[T]:
        if self._objects is None:
            self._objects = self._query._objects(self._compiled, self._rows, self.alias)
        return self._objects

    @property
    def built(self) -> bool:
        """Whether the objects have been built (and so may have been changed)."""
        return self._objects is not None

    @property
    def raw(self) -> list[Any]:
        """The rows as read, each a sequence of column values (do not change them)."""
        return self._rows

    def column(self, attname: str) -> list[Any]:
        """One field of the query's model (by its attribute name) from every row."""
        position = self._position(attname)
        return [row[position] for row in self._rows]

    def where(self, attname: str, value: Any) -> list[T]:
        """The objects of the rows whose field ``attname`` is ``value``, building only
        those while the rest are not built (then they are new objects, the caller's own:
        the rows' description for a kept fragment does not follow changes to them)."""
        position = self._position(attname)
        if self._objects is not None:
            pairs = zip(self._objects, self._rows, strict=True)
            return [obj for obj, row in pairs if row[position] == value]
        rows = [row for row in self._rows if row[position] == value]
        return self._query._objects(self._compiled, rows, self.alias)

    def _position(self, attname: str) -> int:
        compiled = self._compiled
        return compiled.fields_start + compiled.init_list.index(attname)

    def reverse(self) -> None:
        self._rows.reverse()
        self.description = None  # described in the other order
        if self._objects is not None:
            self._objects.reverse()


def _fresh(lookup: Any) -> Any:
    """A ``Prefetch`` to use once: Django notes hints on its queryset while prefetching, and
    the compiled form is shared by every request and thread."""
    if isinstance(lookup, Prefetch) and lookup.queryset is not None:
        lookup = copy.copy(lookup)
        lookup.queryset = lookup.queryset.all()
    return lookup


def prepared(**params: ParamType) -> Callable[[Callable[..., QuerySet[Any, T]]], PreparedQuery[T]]:
    """A builder of a queryset, with its parameters' types, as a ``PreparedQuery``."""

    def wrap(build: Callable[..., QuerySet[Any, T]]) -> PreparedQuery[T]:
        return PreparedQuery(build, params)

    return wrap


def _forget_all(**kwargs: Any) -> None:
    # A test changing settings may change the SQL (time zones, databases): compile again.
    for query in list(_every):
        query.forget()


setting_changed.connect(_forget_all, dispatch_uid="portal.prepared.forget")
