"""The plain-English checker lives in the core now: import it from ``portal.plain_english``.

Kept only for ``plans/views.py``, which is being rewritten in another branch; delete this
module once nothing imports it.
"""

from portal.plain_english import JargonHit, Report, check

__all__ = ["JargonHit", "Report", "check"]
