"""Checks for contact details that families will rely on."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")
# UK numbers: 0 then 9 or 10 digits, or +44 then the same without the 0.
_UK_PHONE = re.compile(r"^(?:0|\+44)[1-9]\d{8,9}$")


def normalise_uk_phone(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def validate_uk_phone(value: str) -> None:
    if value and not _UK_PHONE.match(normalise_uk_phone(value)):
        raise ValidationError(
            _("Enter a UK phone number, like 024 7683 3003 or 07700 900 982."),
            code="invalid_phone",
        )
