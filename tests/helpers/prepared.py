"""Comparing what a prepared query returns with what its plain queryset returns."""

from __future__ import annotations

from typing import Any

from django.db.models import Model


def loaded(value: Any, _path: tuple[int, ...] = ()) -> Any:
    """A model instance as plain data: its class, its fields and annotations, and every
    relation ``select_related`` put in its cache, loaded the same way, all the way down
    (a relation back to an object on the way is named, not followed again)."""
    if isinstance(value, Model):
        if id(value) in _path:
            return ("back to", type(value), value.pk)
        path = (*_path, id(value))
        fields = {k: loaded(v, path) for k, v in vars(value).items() if k != "_state"}
        prefetched = fields.pop("_prefetched_objects_cache", {})
        fields["_prefetched"] = {k: [loaded(o, path) for o in qs] for k, qs in prefetched.items()}
        fields["_db"] = value._state.db
        fields["_adding"] = value._state.adding
        fields["_cache"] = {k: loaded(v, path) for k, v in value._state.fields_cache.items()}
        return (type(value), fields)
    if isinstance(value, list | tuple):
        return type(value)(loaded(v, _path) for v in value)
    if isinstance(value, dict):
        return {k: loaded(v, _path) for k, v in value.items()}
    return value
