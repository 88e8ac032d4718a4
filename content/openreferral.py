"""The local services directory in the Open Referral UK (version 3) shape.

Only public fields are written out, from an explicit list: staff notes and referral
contacts never leave the portal.
"""

from __future__ import annotations

import math
import uuid

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator

from .models import LocalService, Taxonomy, TaxonomyTerm

ORUK_VERSION = "3.0"
# The feed is read by machines and other directories, so its words are not translated.
FREE = "Free"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Stable ids for things the directory stores inline (organisation, location, ...).
_NAMESPACE = uuid.UUID("3f0d6a3e-5c7b-4d8e-9a51-2f6c0b7e9d14")


def _derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def page_of(items, *, page_number: int, size: int, serialise) -> dict:
    """One page of results with the Open Referral UK paging fields."""
    paginator = Paginator(items, size)
    total_items = paginator.count
    total_pages = max(math.ceil(total_items / size), 1) if total_items else 0
    try:
        contents = [serialise(item) for item in paginator.page(page_number).object_list]
    except EmptyPage:
        contents = []
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": size,
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def taxonomy_json(taxonomy: Taxonomy) -> dict:
    return {
        "id": str(taxonomy.uid),
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri or None,
        "version": taxonomy.version or None,
    }


def taxonomy_term_json(term: TaxonomyTerm) -> dict:
    return {
        "id": str(term.uid),
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": str(term.parent.uid) if term.parent is not None else None,
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": str(term.taxonomy.uid),
        "language": "en",
        "term_uri": None,
        "taxonomy_detail": taxonomy_json(term.taxonomy),
    }


def service_json(service: LocalService) -> dict:
    sid = str(service.uid)
    organisation_id = _derived_id("organization", service.organisation.strip().lower())
    location_id = _derived_id("location", sid)
    base = settings.SITE_URL.rstrip("/")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": service.name,
        "address": [
            {
                "id": _derived_id("address", sid),
                "location_id": location_id,
                "address_1": ", ".join(
                    line.strip() for line in service.address.splitlines() if line.strip()
                ),
                "city": "",
                "state_province": "",
                "postal_code": service.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
        if service.address or service.postcode
        else [],
        "accessibility": [
            {
                "id": _derived_id("accessibility", sid),
                "location_id": location_id,
                "description": service.accessibility,
            }
        ]
        if service.accessibility
        else [],
    }
    return {
        "id": sid,
        "organization": {
            "id": organisation_id,
            "name": service.organisation,
            "description": "",
        },
        "name": service.name,
        "alternate_name": None,
        "description": service.description,
        "url": service.website or f"{base}{service.get_absolute_url()}",
        "email": service.email or None,
        "status": "active",
        "eligibility_description": service.who_for,
        "minimum_age": service.age_min,
        "maximum_age": service.age_max,
        "fees_description": FREE if service.is_free else service.cost,
        "cost_options": [
            {
                "id": _derived_id("cost", sid),
                "service_id": sid,
                "option": FREE if service.is_free else service.cost,
                "amount": 0 if service.is_free else None,
                "currency": "GBP",
            }
        ],
        "attending_type": "In person" if service.address else None,
        "phones": [{"id": _derived_id("phone", sid), "service_id": sid, "number": service.phone}]
        if service.phone
        else [],
        "languages": [
            {"id": _derived_id("language", sid, name), "service_id": sid, "name": name}
            for name in service.language_list
        ],
        "schedules": [
            {"id": _derived_id("schedule", sid), "service_id": sid, "description": service.when}
        ]
        if service.when
        else [],
        "service_at_locations": [
            {"id": _derived_id("service_at_location", sid), "service_id": sid, "location": location}
        ]
        if location["address"]
        else [],
        "taxonomy_terms": [taxonomy_term_json(term) for term in service.categories.all()],
        # HSDS 3 links a service to its terms through attributes.
        "attributes": [
            {
                "id": _derived_id("attribute", sid, str(term.uid)),
                "link_id": sid,
                "link_type": "service",
                "taxonomy_term_id": str(term.uid),
                "taxonomy_term": taxonomy_term_json(term),
            }
            for term in service.categories.all()
        ],
        "last_modified": service.updated_at.isoformat(),
    }
