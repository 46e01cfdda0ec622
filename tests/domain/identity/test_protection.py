"""Protection of the NIR at rest (PRIV-01): keyed lookup hash, Fernet with rotation, field."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test.utils import isolate_apps

from mcf.domain.identity.nir import Nir, NirError
from mcf.domain.identity.protection import (
    DecryptionError,
    EncryptedTextField,
    decrypt,
    encrypt,
    keyed_hasher,
    nir_lookup_hash,
    reencrypt,
)

NIR = "295109912611193"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


# --- Lookup hash --------------------------------------------------------------------------


def test_priv01_lookup_hash_is_the_hmac_sha256_of_the_canonical_value(settings):
    settings.NIR_HASH_KEY = "pepper"
    expected = hmac.new(b"pepper", NIR.encode(), hashlib.sha256).hexdigest()

    assert nir_lookup_hash(Nir.parse(NIR)) == expected
    assert len(expected) == 64


def test_priv01_lookup_hash_is_stable_across_typed_forms():
    typed_forms = [NIR, "2 95 10 99 126 111 93", "2.95.10.99.126.111.93", Nir.parse(NIR)]

    assert len({nir_lookup_hash(form) for form in typed_forms}) == 1
    assert nir_lookup_hash("141022a00200514") == nir_lookup_hash("1 41 02 2A 002 005 14")


def test_priv01_lookup_hash_depends_on_the_key(settings):
    first = nir_lookup_hash(NIR)
    settings.NIR_HASH_KEY = "another-pepper"

    assert nir_lookup_hash(NIR) != first


def test_lookup_hash_reads_strings_through_nir_parse():
    with pytest.raises(NirError) as error:
        nir_lookup_hash("295109912611199")
    assert error.value.code == "key"


@pytest.mark.parametrize("key", ["k", "x" * 64, "y" * 65, "z" * 200, b"\xff" * 70])
@pytest.mark.parametrize("text", [NIR, "", "login:1850578006084", "login:identifiant:é"])
def test_the_precomputed_keyed_hash_is_the_standard_hmac_for_any_key_length(text, key):
    """The feed's millions of lines and the lookup hash share ``keyed_hasher``, an HMAC
    whose key blocks are hashed once: it must be RFC 2104's, for any key length."""
    key_bytes = key if isinstance(key, bytes) else key.encode()
    expected = hmac.new(key_bytes, text.encode(), hashlib.sha256).hexdigest()

    assert keyed_hasher(key)(text) == expected


def test_lookup_hash_without_key_is_a_configuration_error(settings):
    settings.NIR_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        nir_lookup_hash(NIR)


# --- Encryption ---------------------------------------------------------------------------


def test_priv01_encrypt_decrypt_round_trip():
    token = encrypt(NIR)

    assert NIR not in token
    assert decrypt(token) == NIR
    assert decrypt(encrypt("Élodie Müller ✓")) == "Élodie Müller ✓"
    assert decrypt(encrypt("")) == ""


def test_encryption_is_randomised():
    assert encrypt(NIR) != encrypt(NIR)


def test_priv01_rotation_old_tokens_stay_readable_then_are_reencrypted(settings):
    settings.NIR_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = encrypt(NIR)

    # A new key put first: it encrypts, the old one still decrypts.
    settings.NIR_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert decrypt(old_token) == NIR
    new_token = reencrypt(old_token)
    assert Fernet(NEW_KEY.encode()).decrypt(new_token.encode()).decode() == NIR
    assert Fernet(NEW_KEY.encode()).decrypt(encrypt(NIR).encode()).decode() == NIR

    # The old key removed: re-encrypted tokens still open, old ones no longer.
    settings.NIR_ENCRYPTION_KEYS = [NEW_KEY]
    assert decrypt(new_token) == NIR
    with pytest.raises(DecryptionError):
        decrypt(old_token)


def test_the_cached_cipher_follows_the_setting(settings):
    settings.NIR_ENCRYPTION_KEYS = [OLD_KEY]
    token = encrypt(NIR)
    settings.NIR_ENCRYPTION_KEYS = [NEW_KEY]

    with pytest.raises(DecryptionError):
        decrypt(token)


def test_keys_given_as_a_comma_separated_string_are_accepted(settings):
    settings.NIR_ENCRYPTION_KEYS = f"{NEW_KEY}, {OLD_KEY}"
    token = encrypt(NIR)

    assert Fernet(NEW_KEY.encode()).decrypt(token.encode()).decode() == NIR


@pytest.mark.parametrize("keys", [[], "", ["not-a-fernet-key"]])
def test_missing_or_malformed_keys_are_configuration_errors(settings, keys):
    settings.NIR_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured):
        encrypt(NIR)


@pytest.mark.parametrize("garbage", ["not a token", "gAAAAAB", "é"])
def test_an_unreadable_token_is_a_decryption_error(garbage):
    with pytest.raises(DecryptionError):
        decrypt(garbage)


# --- EncryptedTextField --------------------------------------------------------------------


def test_field_stores_a_token_and_reads_back_the_plaintext():
    field = EncryptedTextField()

    stored = field.get_prep_value(NIR)
    saved = field.get_db_prep_save(NIR, connection)

    assert NIR not in stored
    assert NIR not in saved
    assert decrypt(stored) == NIR
    assert field.from_db_value(stored, None, connection) == NIR
    assert field.from_db_value(saved, None, connection) == NIR


def test_field_keeps_none_as_null():
    field = EncryptedTextField(null=True)

    assert field.get_prep_value(None) is None
    assert field.get_db_prep_save(None, connection) is None
    assert field.from_db_value(None, None, connection) is None
    assert field.from_db_value("", None, connection) == ""


def test_field_python_value_is_the_plaintext():
    field = EncryptedTextField()

    assert field.to_python(NIR) == NIR
    assert field.to_python(None) is None


def test_field_deconstructs_for_migrations():
    _name, path, args, kwargs = EncryptedTextField(null=True, blank=True).deconstruct()

    assert path == "mcf.domain.identity.protection.EncryptedTextField"
    assert args == []
    assert kwargs == {"null": True, "blank": True}
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.null and rebuilt.blank


@isolate_apps("mcf.domain.accounts")
def test_field_refuses_lookups_other_than_isnull():
    class Probe(models.Model):
        secret = EncryptedTextField(null=True)

        class Meta:
            app_label = "accounts"
            managed = False

        def __str__(self):
            return f"probe {self.pk}"

    # Allowed: IS NULL, however it is written.
    assert "IS NULL" in str(Probe.objects.filter(secret__isnull=True).query)
    assert "IS NOT NULL" in str(Probe.objects.filter(secret__isnull=False).query)
    assert "IS NULL" in str(Probe.objects.filter(secret=None).query)

    for lookup in ("secret", "secret__exact", "secret__iexact", "secret__in"):
        with pytest.raises(FieldError, match=r"cannot be searched.*hash"):
            Probe.objects.filter(**{lookup: NIR})
    for lookup in ("secret__icontains", "secret__startswith", "secret__lower"):
        with pytest.raises(FieldError, match="cannot be searched"):
            Probe.objects.filter(**{lookup: NIR})


PROBE_TABLE = "identity_encryption_probe"


@pytest.mark.django_db
@isolate_apps("mcf.domain.accounts")
def test_priv01_the_database_holds_only_the_token(settings):
    class Probe(models.Model):
        id = models.IntegerField(primary_key=True)
        secret = EncryptedTextField(null=True)

        class Meta:
            app_label = "accounts"
            managed = False
            db_table = PROBE_TABLE

        def __str__(self):
            return f"probe {self.pk}"

    table = connection.ops.quote_name(PROBE_TABLE)
    with connection.cursor() as cursor:
        # Inside the test transaction (rolled back): no migration, no new app.
        cursor.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, secret text NULL)")

    Probe.objects.create(id=1, secret=NIR)
    Probe.objects.create(id=2, secret=None)
    Probe.objects.bulk_create([Probe(id=3, secret="185057800608436")])
    Probe.objects.filter(id=2).update(secret="253072B07300470")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table} ORDER BY id")  # noqa: S608
        raw = dict(cursor.fetchall())
    assert all(value.startswith("gAAAAA") for value in raw.values())
    for plaintext in (NIR, "185057800608436", "253072B07300470"):
        assert all(plaintext not in value for value in raw.values())

    assert Probe.objects.get(id=1).secret == NIR
    assert dict(Probe.objects.values_list("id", "secret")) == {
        1: NIR,
        2: "253072B07300470",
        3: "185057800608436",
    }
    assert Probe.objects.filter(secret__isnull=True).count() == 0

    # Rotation: with a new first key, re-saving the rows re-encrypts them with it.
    settings.NIR_ENCRYPTION_KEYS = [NEW_KEY, *settings.NIR_ENCRYPTION_KEYS]
    rows = list(Probe.objects.order_by("id"))
    Probe.objects.bulk_update(rows, ["secret"])
    settings.NIR_ENCRYPTION_KEYS = [NEW_KEY]
    assert dict(Probe.objects.values_list("id", "secret"))[1] == NIR
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {table} WHERE id = 1")  # noqa: S608
        (token,) = cursor.fetchone()
    assert Fernet(NEW_KEY.encode()).decrypt(token.encode()).decode() == NIR
