"""Database ids from outside: the ``<id:...>`` URL converter and the same rule for forms.

An id is ASCII digits no larger than the database's ids (signed 64-bit in SQLite and
PostgreSQL's bigint). Python's own test for digits is not that rule: it accepts "²",
which ``int()`` refuses, and "٣", which ``int()`` reads as 3.
"""

import re

from django.http import Http404

MAX_ID = 2**63 - 1
ID_DIGITS = "[0-9]{1,19}"
_ID = re.compile(ID_DIGITS)


def parse_id(value: object) -> int | None:
    """``value`` as an id, or None when it cannot be one."""
    text = str(value)
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def id_or_404(value: object) -> int:
    """``value`` as an id; one that cannot be an id is missing, so Http404."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


class IdConverter:
    """``<id:name>``: a URL whose id cannot be one does not match, so it answers 404."""

    regex = ID_DIGITS

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not an id")
        return number

    def to_url(self, value: object) -> str:
        return str(value)
