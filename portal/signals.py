"""Signals that let feature apps react to each other without importing each other.

Senders send them from ``transaction.on_commit``; receivers only call a service.
"""

from django.dispatch import Signal

# A peer mentor match was accepted: kwargs family, mentor (User), match_id.
mentor_match_started = Signal()
# A match ended (either side, or a manager): kwargs family, mentor (User), match_id, reason.
mentor_match_ended = Signal()
# A mentor raised a safeguarding concern: kwargs family, mentor (User), concern_id.
concern_raised = Signal()
# An adult was removed from a household (portal.services.family_member_remove): kwargs
# family, user (the account they used), member_id. Their access has already ended.
family_member_removed = Signal()
# Someone's time on a family's team ended (removed, or their end date passed; see
# portal.services.family_practitioner_leave): kwargs family, user, membership_id. Every
# page of the family already refuses them.
family_practitioner_left = Signal()
