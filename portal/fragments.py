"""Parts of a page kept once made, under a key computed from everything they show.

``{% fragment %}...{% endfragment %}`` (``portal.templatetags.fragments``) keeps what its
block renders in the shared cache. Nobody lists what goes into the key: the block is read
once to find every variable it (and every template it includes) refers to, and the key is
a digest of those variables' values as the block would see them, walked mechanically:
each model instance by every field value it holds and every relation or prefetched list
loaded on it, each other object by its attributes. Add the block's place in its template,
the code's release (every template and module of the portal), the language and the time
zone. A change to anything
the block could show gives a new key, so nothing needs invalidating and nothing stale is
shown; the time limit only bounds the memory used. Under ``DEBUG``, where templates change
without a restart, nothing is kept.

A block is refused if it uses a tag that could read anything (one taking the whole
context) or the clock. ``{% csrf_token %}`` is kept as a marker and filled in with the
request's own token each time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import itertools
import logging
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.template import Context, Node, NodeList, TemplateSyntaxError
from django.template.base import FilterExpression, Token, TokenType, Variable
from django.template.defaulttags import NowNode
from django.template.library import InclusionNode, SimpleNode
from django.template.loader_tags import IncludeNode
from django.utils import timezone, translation
from django.utils.functional import LazyObject, Promise, empty

from portal.prepared import Rows

logger = logging.getLogger(__name__)

PREFIX = "fragment:"
# Long enough to be reused across a day's visits; only bounds the memory used.
SECONDS = 60 * 60 * 24
# Put where the block renders {% csrf_token %}, and replaced by each request's own token.
CSRF_MARKER = "csrfmarker0f6b2d9e4a71"

_PLAIN = (str, int, float, bool, decimal.Decimal, dt.date, dt.time, dt.timedelta, uuid.UUID)


class UnkeyableValue(ValueError):
    """A value a fragment depends on that has no stable description (its key would be new
    every time, or would not change when it should)."""


# What the block refers to --------------------------------------------------------------


def names_used(nodelist: NodeList, context: Context, seen: set[int] | None = None) -> set[str]:
    """Every context variable the nodes (and the templates they include) refer to, by
    the first part of its name (``goal`` for ``goal.title``)."""
    seen = set() if seen is None else seen
    found: set[str] = set()
    for node in _walk(nodelist, seen):
        if isinstance(node, SimpleNode | InclusionNode) and node.takes_context:
            raise TemplateSyntaxError(
                f"{{% fragment %}} cannot hold a tag that reads the whole context: {node.token}"
            )
        if isinstance(node, NowNode):
            raise TemplateSyntaxError("{% fragment %} cannot hold {% now %}: it shows the clock")
        if isinstance(node, IncludeNode):
            template = node.template.resolve(context)
            if not isinstance(template, str):
                raise TemplateSyntaxError("{% fragment %} can include templates by name only")
            included = context.template.engine.get_template(template)  # type: ignore[union-attr]
            found |= names_used(included.nodelist, context, seen)
        if isinstance(node, FilterExpression | Variable):
            found |= _names_in(node)
        if isinstance(node, Token) and node.token_type == TokenType.VAR:
            found.add(node.contents.split("|")[0].split(".")[0].strip())
    return found


def _names_in(expression: FilterExpression | Variable) -> set[str]:
    variables = [expression.var] if isinstance(expression, FilterExpression) else [expression]
    if isinstance(expression, FilterExpression):
        variables += [arg for _func, args in expression.filters for _lookup, arg in args]
    return {v.lookups[0] for v in variables if isinstance(v, Variable) and v.lookups}


def _walk(value: Any, seen: set[int]) -> Iterator[Any]:
    """Every node, expression and token reachable from ``value``."""
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, list | tuple | NodeList):
        children: Iterable[Any] = value
    elif isinstance(value, dict):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, Node) or type(value).__module__.startswith("django.template"):
        if hasattr(value, "__dict__"):
            attributes = vars(value)
        else:
            slots = getattr(type(value), "__slots__", ())
            attributes = {name: getattr(value, name, None) for name in slots}
        children = [v for k, v in attributes.items() if k != "origin"]
    else:
        return
    for child in children:
        yield from _walk(child, seen)


# What those variables hold -------------------------------------------------------------


def describe(value: Any) -> str:
    """A stable text for ``value`` and everything reachable from it that a template could
    show. Raises ``UnkeyableValue`` for what has none."""
    parts: list[str] = []
    _describe(value, parts, {})
    return "".join(parts)


# Values whose ``repr`` is a complete, stable description that also tells their type
# apart ('1', 1, 1.0, True, Decimal('1') all differ), looked up by exact type (a subclass,
# such as an enum member, takes the longer road below).
_REPR_IS_ENOUGH = frozenset(
    {
        type(None),
        str,
        int,
        float,
        bool,
        decimal.Decimal,
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        uuid.UUID,
    }
)


def _describe(value: Any, out: list[str], seen: dict[int, int]) -> None:
    kind = type(value)
    if kind in _REPR_IS_ENOUGH:
        out.append(repr(value))
        out.append(";")
        return
    if isinstance(value, enum.Enum):
        out.append(f"{kind.__name__}.{value.name};")
        return
    if isinstance(value, _PLAIN):  # a subclass of a plain type (a lazy string's result)
        out.append(f"{kind.__name__}:{value!r};")
        return
    if isinstance(value, Promise):
        out.append(f"str:{str(value)!r};")
        return
    if id(value) in seen:
        # The same object again (a family's members point back at it): its number.
        out.append(f"@{seen[id(value)]};")
        return
    if isinstance(value, LazyObject):
        # request.user and the like: what it stands for (its own attributes are private).
        if value._wrapped is empty:
            value._setup()
        _describe(value._wrapped, out, seen)
        return
    seen[id(value)] = len(seen)
    if isinstance(value, QuerySet):
        if value._result_cache is None:
            raise UnkeyableValue(
                f"A fragment depends on a query not yet run ({value.model.__name__}); "
                "run it before the template (list(...)) so its rows can be part of the key"
            )
        _describe(value._result_cache, out, seen)
        return
    if isinstance(value, Rows):
        if value.built:  # its objects, as anything may have changed them
            _describe(value.objects, out, seen)
            return
        # The rows as the database sent them: every column the query read, and so every
        # value its objects would hold, without building them.
        out.append(f"<rows {value.query_name} {value.alias}")
        rows = value.raw
        if value.description is not None:  # described before (unbuilt, they cannot change)
            out.append(value.description)
        elif _REPR_IS_ENOUGH.issuperset(map(type, itertools.chain.from_iterable(rows))):
            value.description = repr([tuple(row) for row in rows])
            out.append(value.description)
        else:
            for row in rows:
                _describe(tuple(row), out, seen)
        out.append(">")
        return
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        out.append(f"{kind.__name__}[")
        for item in items:
            _describe(item, out, seen)
        out.append("]")
        return
    if isinstance(value, dict):
        out.append("{")
        for key, item in value.items():
            _describe(key, out, seen)
            _describe(item, out, seen)
        out.append("}")
        return
    if isinstance(value, Model):
        out.append(f"<{value._meta.label}")
        _describe_attributes(vars(value), out, seen, public=True)
        _describe_attributes(value._state.fields_cache, out, seen)
        prefetched = vars(value).get("_prefetched_objects_cache")
        if prefetched:
            _describe_attributes(prefetched, out, seen)
        out.append(">")
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(f"<{kind.__qualname__}")
        if hasattr(value, "__dict__"):  # its fields and anything set on it besides
            _describe_attributes(vars(value), out, seen, public=True)
        else:  # slots: its fields are all it has
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
            _describe_attributes(fields, out, seen, public=True)
        out.append(">")
        return
    if hasattr(value, "__dict__") and not callable(value):
        out.append(f"<{kind.__qualname__}")
        _describe_attributes(vars(value), out, seen, public=True)
        out.append(">")
        return
    raise UnkeyableValue(f"A fragment depends on a value with no stable description: {value!r}")


# For each shape of attributes seen (which names, in which order, and whether only public
# ones count): the names described in name order, and their ``repr``. Objects of one kind
# read from the database share a shape, so this stays small; it is bounded all the same.
_SHAPES: dict[tuple[bool, tuple[str, ...]], tuple[tuple[str, ...], str]] = {}
_MOST_SHAPES = 10_000


def _describe_attributes(
    attributes: dict[str, Any], out: list[str], seen: dict[int, int], *, public: bool = False
) -> None:
    """Each attribute by name, in name order. With ``public``, only names a template can
    read (not starting with an underscore). When every value is plain (most rows from the
    database), all of them are described by one ``repr``."""
    shape = (public, tuple(attributes))
    known = _SHAPES.get(shape)
    if known is None:
        names = tuple(sorted(name for name in attributes if not (public and name[0] == "_")))
        known = (names, repr(names))
        if len(_SHAPES) < _MOST_SHAPES:
            _SHAPES[shape] = known
    names, label = known
    out.append(label)
    values = tuple(map(attributes.__getitem__, names))
    if _REPR_IS_ENOUGH.issuperset(map(type, values)):
        out.append(repr(values))
        return
    for value in values:
        _describe(value, out, seen)


# The key --------------------------------------------------------------------------------


@functools.cache
def release() -> str:
    """Changes when the portal's code or templates do, so a deploy never serves old markup."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR).resolve()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or "site-packages" in path.parts:
            continue  # a library's templates change only with its pinned version
        for file in sorted(path.rglob("*")):
            if file.suffix in {".py", ".html"} and file.is_file():
                digest.update(str(file.relative_to(base)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def key(block: str, values: dict[str, Any]) -> str:
    """The cache key for the ``block``-th fragment of the code's release, showing ``values``."""
    digest = hashlib.sha256()
    shared = (release(), block, translation.get_language(), timezone.get_current_timezone_name())
    digest.update(repr(shared).encode())
    for name in sorted(values):
        digest.update(f"\n{name}=".encode())
        digest.update(describe(values[name]).encode())
    return PREFIX + digest.hexdigest()
