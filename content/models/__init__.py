"""Wagtail pages and snippets that families read, and the bookings they make.

Pages (``pages``): home, resource index and resources. Groups (``sessions``): the session
index and session series, with their dates as occurrences. Snippets (``directory``):
venues, local services and their taxonomy. Bookings and invitations (``bookings``) belong
to a family member and are only written through ``content.services``. The editorial
workflow's approval task is in ``moderation``.

Every model is imported here, so Django finds them all in the ``content`` app and code
keeps importing from ``content.models``.
"""

from .bookings import Booking, BookingQuerySet, SessionInvitation
from .directory import (
    EMAIL_INVALID,
    LocalService,
    LocalServiceForm,
    LocalServiceQuerySet,
    Taxonomy,
    TaxonomyTerm,
    Venue,
)
from .moderation import SecondEditorApprovalTask
from .pages import HomePage, ResourceIndexPage, ResourcePage
from .sessions import SessionIndexPage, SessionOccurrence, SessionSeriesForm, SessionSeriesPage

__all__ = [
    "EMAIL_INVALID",
    "Booking",
    "BookingQuerySet",
    "HomePage",
    "LocalService",
    "LocalServiceForm",
    "LocalServiceQuerySet",
    "ResourceIndexPage",
    "ResourcePage",
    "SecondEditorApprovalTask",
    "SessionIndexPage",
    "SessionInvitation",
    "SessionOccurrence",
    "SessionSeriesForm",
    "SessionSeriesPage",
    "Taxonomy",
    "TaxonomyTerm",
    "Venue",
]
