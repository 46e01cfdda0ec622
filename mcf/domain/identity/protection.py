"""Protection of the NIR at rest (PRIV-01).

Why two values per NIR:

- an **encrypted copy** (Fernet: AES-128-CBC + HMAC-SHA256, random IV), so that database
  dumps and backups never hold a NIR in clear; the keys live in ``NIR_ENCRYPTION_KEYS``
  (environment, outside the database). Encryption is randomised, so the ciphertext can
  neither be searched nor be unique;
- a **keyed lookup hash** (HMAC-SHA256 of the canonical value with ``NIR_HASH_KEY``), which
  serves login, "is this NIR already registered?" and the unique constraint. Without the
  key, the 10^13 possible NIRs cannot be brute-forced from a dump.

Key rotation: ``NIR_ENCRYPTION_KEYS`` is a list; the first key encrypts, every key
decrypts (``MultiFernet``). To rotate, put the new key first, re-encrypt every row (saving
a row, or ``bulk_update`` on the field, encrypts with the first key; ``reencrypt()`` does
it for a raw token), then drop the old key. The hash key is not rotated this way (it would
need every NIR decrypted and re-hashed).

``EncryptedTextField`` stores the Fernet token and gives plaintext to Python code. It
refuses every lookup except ``isnull`` (and ``= None``), because comparing a value with a
random ciphertext would silently match nothing: search through the hash column instead.
Django serialisation (``dumpdata``) goes through the Python value, i.e. the plaintext:
never dump a model holding this field outside the protected environment.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

from mcf.domain.identity.nir import Nir, normalise_nir


class DecryptionError(RuntimeError):
    """A stored token that no configured key opens (a key was removed too early?)."""


# --- Keyed hashes -----------------------------------------------------------------------
#
# One HMAC-SHA256 keyed with NIR_HASH_KEY serves every value derived from a NIR: the lookup
# hash stored with the account and the counter, the login throttle's key, the feed's
# millions of lines. Its two padded key blocks are hashed once per key (``keyed_hasher``),
# which makes it about twice as fast as ``hmac.new`` per value (the feed needs it); a test
# compares it with the standard library's ``hmac``.


def _hash_key(key: str | bytes | None) -> bytes:
    if key is None:
        key = getattr(settings, "NIR_HASH_KEY", "")
    if not key:
        raise ImproperlyConfigured("NIR_HASH_KEY is not set.")
    return key if isinstance(key, bytes) else key.encode()


@functools.lru_cache(maxsize=8)
def _hasher(key_bytes: bytes) -> Callable[[str], str]:
    # RFC 2104 by hand, to keep the inner and outer states of the key from one call to the
    # next (the standard library's hmac recomputes them for every value).
    block = hashlib.sha256().block_size
    if len(key_bytes) > block:
        key_bytes = hashlib.sha256(key_bytes).digest()
    key_bytes = key_bytes.ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key_bytes)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key_bytes)).copy

    def keyed_hash(text: str) -> str:
        digest = inner_copy()
        digest.update(text.encode("utf-8"))
        result = outer_copy()
        result.update(digest.digest())
        return result.hexdigest()

    return keyed_hash


def keyed_hasher(key: str | bytes | None = None) -> Callable[[str], str]:
    """HMAC-SHA256 (hex, 64 characters) of a text, keyed with ``key`` (NIR_HASH_KEY unless
    given). Take it once for many values (the feed)."""
    return _hasher(_hash_key(key))


def keyed_hash(text: str) -> str:
    """HMAC-SHA256 (hex) of ``text`` keyed with NIR_HASH_KEY."""
    return keyed_hasher()(text)


def nir_lookup_hash(nir: Nir | str) -> str:
    """HMAC-SHA256 (hex, 64 characters) of the canonical NIR, keyed with NIR_HASH_KEY.

    A string is read with ``Nir.parse`` first (NirError if invalid), so ``2a``, spaces
    and dots all give the hash of the same canonical value.
    """
    if not isinstance(nir, Nir):
        nir = Nir.parse(nir)
    return keyed_hash(nir.value)


def typed_nir_lookup_hash(typed: str) -> str:
    """``nir_lookup_hash`` of whatever was typed as a NIR, without raising: the keyed hash
    of ``normalise_nir(typed)``. For a valid NIR (any spelling) that is the lookup hash of
    its canonical value; for anything else, a hash no account has (an account's hash is
    that of a valid canonical value, and a valid one would have parsed). One way for every
    input: the same work whether the NIR is valid, unknown or malformed (AUTH-12).
    """
    return keyed_hash(normalise_nir(typed))


def login_throttle_key(normalised_identifier: str) -> str:
    """Key of the login throttle's counter (AUTH-05) for an identifier already normalised
    by its owner (``nir_throttle_key`` for a NIR; the professionals' identifiers use the
    namespace ``identifiant:``, which a normalised NIR never holds: it is upper-case)."""
    return keyed_hash(f"login:{normalised_identifier}")


def nir_throttle_key(typed: str) -> str:
    """Key of the login throttle for whatever was typed as a NIR, valid or not (AUTH-05).

    Computed from ``normalise_nir``, the form ``Nir.parse`` reads: every spelling that
    reaches an account (spaces, dots, Unicode dashes, full-width digits, ``2a``…) shares
    the counter of its canonical value, and a malformed or unknown NIR is counted the same
    way. The login, the re-authentication and the « Mot de passe oublié » limit all use it.
    """
    return login_throttle_key(normalise_nir(typed))


# --- Encryption ---------------------------------------------------------------------------


def _configured_keys() -> tuple[str | bytes, ...]:
    keys: Any = getattr(settings, "NIR_ENCRYPTION_KEYS", None) or ()
    if isinstance(keys, str | bytes):
        keys = keys.split("," if isinstance(keys, str) else b",")
    cleaned = tuple(key.strip() for key in keys if key and key.strip())
    if not cleaned:
        raise ImproperlyConfigured("NIR_ENCRYPTION_KEYS is empty.")
    return cleaned


@functools.lru_cache(maxsize=8)
def _multifernet(keys: tuple[str | bytes, ...]) -> MultiFernet:
    # Cached per key tuple: a settings change (rotation, override_settings in tests)
    # gives a new tuple, hence a new MultiFernet, without any signal handler.
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "NIR_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes)."
        ) from error


def _cipher() -> MultiFernet:
    return _multifernet(_configured_keys())


def encrypt(text: str) -> str:
    """Fernet token (ASCII) of ``text`` with the first configured key."""
    return _cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Plaintext of a token made with any configured key; DecryptionError otherwise."""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError(
            "Cannot decrypt a stored value with NIR_ENCRYPTION_KEYS "
            "(key removed before re-encryption, or corrupted value)."
        ) from error


def reencrypt(token: str) -> str:
    """The same plaintext encrypted with the current first key (key rotation)."""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError("Cannot re-encrypt: no configured key opens the token.") from error


# --- Model field ---------------------------------------------------------------------------


class _NoneOnlyExact(Exact):
    """``field=None`` (turned into IS NULL by Django); any other value is refused."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            raise _refused_lookup(lhs.output_field, "exact")
        super().__init__(lhs, rhs)


def _refused_lookup(field: models.Field, lookup_name: str) -> FieldError:
    name = getattr(field, "name", None) or "?"
    return FieldError(
        f"Lookup {lookup_name!r} on the encrypted field {name!r} is not possible: "
        "encrypted values cannot be searched (each encryption is random). Use the lookup "
        "hash column (nir_lookup_hash) instead; only __isnull is allowed here."
    )


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext.

    ``to_python`` is TextField's: forms and deserialisers hand the plaintext.
    ``None`` stays NULL. The empty string is encrypted like any value (a raw ``''`` read
    from the database is returned as ``''``). Not searchable, not sortable meaningfully,
    never ``unique`` (random ciphertext): pair it with a hash column.
    """

    description = "Text encrypted with NIR_ENCRYPTION_KEYS (Fernet)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Any] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _NoneOnlyExact
        raise _refused_lookup(self, lookup_name)

    def get_transform(self, lookup_name: str) -> type[Any] | None:
        raise _refused_lookup(self, lookup_name)
