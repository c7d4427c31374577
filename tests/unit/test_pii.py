"""ID checksums, keyed hashes, masking, and the log filter that masks ID and phone numbers."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ConfigError, InvalidInput
from core.records.pii import (
    PiiHasher,
    PiiLogFilter,
    birth_date_of,
    id_check_char,
    install_log_masking,
    mask_id_number,
    mask_phone,
    mask_text,
    normalize_id_number,
    normalize_phone,
)
from core.settings import Settings

# The worked example of GB 11643-1999 and a fictional number of the sample export (region 999001).
STANDARD_EXAMPLE = "11010519491231002X"
FICTIONAL = "999001198501010013"


def test_standard_example_passes_and_lowercase_x_is_normalised() -> None:
    assert normalize_id_number(STANDARD_EXAMPLE.lower()) == STANDARD_EXAMPLE
    assert normalize_id_number(f"  {FICTIONAL} ") == FICTIONAL
    assert birth_date_of(STANDARD_EXAMPLE) == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491231002", "17 digits"),
        ("1101051949123100211", "19 digits"),
        ("11010519491331002X", "birth date"),
        ("11010519490229002X", "birth date"),  # 1949 was not a leap year
        ("1101051949123100X2", "shape"),
        ("", "shape"),
    ],
)
def test_malformed_id_numbers_are_refused(number: str, why: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_id_number(number)


@given(
    region=st.integers(100000, 999999),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    seq=st.integers(0, 999),
    wrong=st.sampled_from("0123456789X"),
)
def test_checksum_accepts_exactly_the_computed_check_character(
    region: int, born: date, seq: int, wrong: str
) -> None:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    check = id_check_char(first17)
    assert normalize_id_number(first17 + check) == first17 + check
    if wrong != check:
        with pytest.raises(InvalidInput):
            normalize_id_number(first17 + wrong)


def test_a_single_changed_digit_is_caught() -> None:
    for i in range(17):
        digit = STANDARD_EXAMPLE[i]
        changed = STANDARD_EXAMPLE[:i] + str((int(digit) + 1) % 10) + STANDARD_EXAMPLE[i + 1 :]
        try:
            date(int(changed[6:10]), int(changed[10:12]), int(changed[12:14]))
        except ValueError:
            continue  # the date check catches it before the checksum
        with pytest.raises(InvalidInput):
            normalize_id_number(changed)


def test_masks_keep_only_the_ends() -> None:
    assert mask_id_number("110105194912310021") == "110***********0021"
    assert mask_id_number(STANDARD_EXAMPLE) == "110***********002X"
    assert mask_phone("13812341234") == "138****1234"


@pytest.mark.parametrize(
    "raw", ["13812341234", "138 1234 1234", "138-1234-1234", "+86 138 1234 1234", "8613812341234"]
)
def test_phone_numbers_are_normalised(raw: str) -> None:
    assert normalize_phone(raw) == "13812341234"


@pytest.mark.parametrize("raw", ["12812341234", "1381234123", "138123412345", "010-12345678", "abc"])
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_phone(raw)


def test_keyed_hashes_match_equal_values_only_under_the_same_key() -> None:
    a, b = PiiHasher("k" * 32), PiiHasher("other-key-" * 4)
    assert a.id_hash(FICTIONAL) == a.id_hash(FICTIONAL)
    assert a.id_hash(FICTIONAL) != b.id_hash(FICTIONAL)
    assert a.phone_hash("13800000001") != a.phone_hash("13800000002")
    # Domains are separated: the same digits hashed as a phone and as a code differ.
    assert a.phone_hash("13800000001") != a.digest("code", "13800000001")
    assert FICTIONAL not in a.id_hash(FICTIONAL)
    assert len(a.id_hash(FICTIONAL)) == 64


def test_the_development_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, env="development")
    first = PiiHasher.from_settings(settings).id_hash(FICTIONAL)
    assert settings.secret_file("secret_key").exists()
    assert PiiHasher.from_settings(Settings(data_dir=tmp_path, env="development")).id_hash(FICTIONAL) == first


@pytest.mark.parametrize("secret", [None, "", "changeme", "short"])
def test_production_refuses_to_start_without_a_real_key(tmp_path: Path, secret: str | None) -> None:
    with pytest.raises(ConfigError):
        Settings(
            data_dir=tmp_path, env="production", secret_key=secret, api_key="a-real-channel-key-0123456789"
        )


def test_mask_text_masks_ids_and_mobiles_but_not_other_numbers() -> None:
    text = f"id={FICTIONAL}, tel 13800001234, +86 13912345678, household 99000101010001, amount 2600"
    masked = mask_text(text)
    assert FICTIONAL not in masked and "999***********0013" in masked
    assert "13800001234" not in masked and "138****1234" in masked
    assert "13912345678" not in masked and "139****5678" in masked
    assert "99000101010001" in masked and "2600" in masked


def test_mask_text_masks_grouped_mobiles_old_ids_and_ids_glued_to_digits() -> None:
    masked = mask_text(
        "tel 138 1234 5678 / 138-1234-5678 / 013812345678, old id 110101900101123, 1101011990010112345"
    )
    assert (
        masked == "tel 138****5678 / 138****5678 / 138****5678, old id 110********1123, 110************2345"
    )
    assert mask_text("户 99000101010001 金额 2600 元 第15号") == "户 99000101010001 金额 2600 元 第15号"


def test_log_filter_masks_message_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.pii")
    caplog.handler.addFilter(PiiLogFilter())
    with caplog.at_level(logging.INFO, logger="test.pii"):
        logger.info("looked up %s with phone %s", FICTIONAL, "13800001234")
        try:
            raise ValueError(f"bad id {FICTIONAL}")
        except ValueError:
            logger.exception("failed")
    assert FICTIONAL not in caplog.text
    assert "13800001234" not in caplog.text
    assert "999***********0013" in caplog.text and "138****1234" in caplog.text


def test_install_log_masking_attaches_one_filter_per_handler() -> None:
    logger = logging.getLogger("test.pii.install")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        install_log_masking(logger)
        install_log_masking(logger)
        assert sum(isinstance(f, PiiLogFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


def test_age_of_fictional_birth_dates_is_plausible() -> None:
    born = birth_date_of(FICTIONAL)
    assert date.today() - born > timedelta(days=365 * 30)
