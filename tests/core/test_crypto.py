"""Encryption at rest, blind indexes, the encrypted model field and masked display."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from gigunion.core import crypto
from gigunion.core.crypto import DecryptionError
from gigunion.core.masking import mask_id_number, mask_name, mask_phone
from gigunion.orgs.models import StaffAccount, StaffRole
from gigunion.orgs.services import phone_blind_index, staff_account_create
from tests.conftest import PASSWORD

ID_NUMBER = "51010419900307123X"
PHONE = "13985000002"


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def test_it_round_trips_an_id_number_and_a_phone():
    id_token = crypto.encrypt(ID_NUMBER)
    phone_token = crypto.encrypt(PHONE)

    assert crypto.decrypt(id_token) == ID_NUMBER
    assert crypto.decrypt(phone_token) == PHONE
    assert ID_NUMBER not in id_token
    assert PHONE not in phone_token


def test_it_round_trips_non_ascii_text():
    assert crypto.decrypt(crypto.encrypt("买买提·艾力")) == "买买提·艾力"


def test_two_encryptions_of_the_same_value_differ():
    first = crypto.encrypt(ID_NUMBER)
    second = crypto.encrypt(ID_NUMBER)

    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == ID_NUMBER


def _nonce(token: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(token[len("g2.") :])[:12]


def test_the_bulk_encryptor_never_repeats_a_nonce_in_a_process_or_after_a_fork():
    import os

    encrypt = crypto.encryptor()
    tokens = [encrypt(PHONE) for _ in range(10_000)]  # more than two draws of the nonce pool
    assert len({_nonce(token) for token in tokens}) == 10_000
    assert {crypto.decrypt(token) for token in tokens} == {PHONE}

    # A forked child holds a copy of the parent's pool: it must draw its own.
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        os.write(write, _nonce(encrypt(PHONE)))
        os._exit(0)
    os.waitpid(child, 0)
    childs = os.read(read, 12)
    os.close(read)
    os.close(write)
    parents = _nonce(encrypt(PHONE))
    assert len(childs) == 12
    assert childs != parents


def test_it_decrypts_a_token_of_the_old_key_after_rotation(settings):
    old, new = new_key(), new_key()
    settings.DATA_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt(PHONE)

    settings.DATA_ENCRYPTION_KEYS = [new, old]

    assert crypto.decrypt(token) == PHONE


def test_rotate_re_encrypts_under_the_new_key(settings):
    old, new = new_key(), new_key()
    settings.DATA_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt(PHONE)
    settings.DATA_ENCRYPTION_KEYS = [new, old]

    rotated = crypto.rotate(token)

    assert rotated != token
    settings.DATA_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == PHONE
    with pytest.raises(DecryptionError):
        crypto.decrypt(token)


def test_encrypt_uses_the_first_key(settings):
    old, new = new_key(), new_key()
    settings.DATA_ENCRYPTION_KEYS = [new, old]
    token = crypto.encrypt(PHONE)

    settings.DATA_ENCRYPTION_KEYS = [new]

    assert crypto.decrypt(token) == PHONE


def test_a_token_of_an_unknown_key_raises_decryption_error(settings):
    foreign = Fernet(Fernet.generate_key()).encrypt(PHONE.encode()).decode("ascii")

    with pytest.raises(DecryptionError, match="cannot be decrypted"):
        crypto.decrypt(foreign)


def test_a_token_from_a_retired_key_raises_decryption_error(settings):
    settings.DATA_ENCRYPTION_KEYS = [new_key()]
    token = crypto.encrypt(PHONE)
    settings.DATA_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(DecryptionError):
        crypto.decrypt(token)


def test_a_garbled_token_raises_decryption_error():
    with pytest.raises(DecryptionError):
        crypto.decrypt("not-a-token")


def test_blind_index_is_deterministic_64_hex_characters():
    first = crypto.blind_index(PHONE, purpose="phone")
    second = crypto.blind_index(PHONE, purpose="phone")

    assert first == second
    assert len(first) == 64
    assert set(first) <= set("0123456789abcdef")


def test_blind_index_differs_by_value_and_by_purpose():
    phone = crypto.blind_index(PHONE, purpose="phone")

    assert crypto.blind_index(PHONE, purpose="id_number") != phone
    assert crypto.blind_index("13985000003", purpose="phone") != phone


def test_blind_index_differs_by_key(settings):
    settings.BLIND_INDEX_KEY = "a" * 40
    under_a = crypto.blind_index(PHONE, purpose="phone")
    settings.BLIND_INDEX_KEY = "b" * 40
    under_b = crypto.blind_index(PHONE, purpose="phone")

    assert under_a != under_b
    settings.BLIND_INDEX_KEY = "a" * 40
    assert crypto.blind_index(PHONE, purpose="phone") == under_a


@pytest.mark.django_db
def test_the_encrypted_field_stores_ciphertext(cast):
    account = staff_account_create(
        username="phone_staff",
        password=PASSWORD,
        display_name="陈静",
        organization=cast.district,
        role=StaffRole.OPERATOR,
        phone="+86 139-8500-0002",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM orgs_staffaccount WHERE id=%s", [account.pk])
        (raw,) = cursor.fetchone()

    assert PHONE not in raw
    assert crypto.decrypt(raw) == PHONE
    stored = StaffAccount.objects.get(pk=account.pk)
    assert stored.phone == PHONE
    assert stored.phone_index == phone_blind_index(PHONE)
    assert StaffAccount.objects.get(phone_index=phone_blind_index(PHONE)).pk == account.pk


@pytest.mark.django_db
def test_an_empty_encrypted_field_stays_empty(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM orgs_staffaccount WHERE id=%s", [cast.district_staff.pk])
        row = cursor.fetchone()

    assert row == ("", "")
    assert StaffAccount.objects.get(pk=cast.district_staff.pk).phone == ""


def test_mask_id_number():
    assert mask_id_number("51010419900307123X") == "5101**********123X"


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张*丰"), ("买买提·艾力", "买****力"), ("李", "李"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_stored_values_are_aes_gcm_and_values_written_as_fernet_still_read(settings):
    key = new_key()
    settings.DATA_ENCRYPTION_KEYS = [key]
    legacy = Fernet(key.encode("ascii")).encrypt(ID_NUMBER.encode()).decode("ascii")

    assert crypto.encrypt(ID_NUMBER).startswith("g2.")
    assert crypto.decrypt(legacy) == ID_NUMBER
    rotated = crypto.rotate(legacy)
    assert rotated.startswith("g2.")
    assert crypto.decrypt(rotated) == ID_NUMBER


def test_a_tampered_aes_gcm_value_raises_decryption_error():
    token = crypto.encrypt(ID_NUMBER)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    with pytest.raises(DecryptionError):
        crypto.decrypt(tampered)
    with pytest.raises(DecryptionError):
        crypto.decrypt("g2.@@not-base64@@")
