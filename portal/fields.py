"""Model fields whose values are kept encrypted in the database.

Fernet (AES in CBC mode with an HMAC, from ``cryptography``) with the keys in
``settings.FIELD_ENCRYPTION_KEYS``: the first writes, every one reads, so a key is
replaced by putting the new one first and re-saving the rows before the old one goes.
A database dump or backup then holds no such value in a form anyone can read.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _keys() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _keys().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A value kept encrypted could not be read: FIELD_ENCRYPTION_KEYS does not hold "
            "the key it was written with."
        ) from None


def is_encrypted(value: str) -> bool:
    """Whether a stored value is already a token (every Fernet token starts so)."""
    return value.startswith("gAAAAA")


class EncryptedCharField(models.CharField):
    """Text up to ``max_length`` characters, encrypted in a text column. Only the empty
    value can be looked up (``.exclude(field="")``): every token differs, even for the
    same text."""

    description = "Text kept encrypted in the database"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
