"""Comparing what a prepared query returns with what its plain queryset returns."""

from __future__ import annotations

from typing import Any

from django.db.models import Model


def loaded(value: Any) -> Any:
    """A model instance as plain data: its class, its fields and annotations, and every
    relation ``select_related`` put in its cache, loaded the same way, all the way down."""
    if isinstance(value, Model):
        fields = {k: loaded(v) for k, v in vars(value).items() if k != "_state"}
        fields["_db"] = value._state.db
        fields["_adding"] = value._state.adding
        fields["_cache"] = {k: loaded(v) for k, v in value._state.fields_cache.items()}
        fields["_prefetched"] = {
            k: [loaded(o) for o in qs] for k, qs in getattr(value, "_prefetched_objects_cache", {}).items()
        }
        fields.pop("_prefetched_objects_cache", None)
        return (type(value), fields)
    if isinstance(value, list | tuple):
        return type(value)(loaded(v) for v in value)
    if isinstance(value, dict):
        return {k: loaded(v) for k, v in value.items()}
    return value
