from datetime import date

import pytest
from django.utils.translation import override

from zixun.core.testing import exactly
from zixun.creators.idcard import (
    ID_BIRTH_DATE,
    ID_CHARS,
    ID_CHECKSUM,
    ID_LENGTH,
    ID_REGION,
    IdNumberError,
    id_number_fingerprint,
    id_number_mask,
    id_number_validate,
)

TODAY = date(2025, 6, 1)
# The worked example in GB 11643-1999 itself; its check character is X.
STANDARD_EXAMPLE = "11010519491231002X"


def with_check(first17: str) -> str:
    """Append the check character, computed from the standard's definition.

    Independent of the module: the sum of a_i * 2**(18 - i) over all 18
    positions (the check character counting as 10 for X) is 1 modulo 11.
    """
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def with_wrong_check(first17: str) -> str:
    right = with_check(first17)[-1]
    return first17 + ("0" if right != "0" else "1")


@pytest.mark.parametrize(
    "number",
    [
        STANDARD_EXAMPLE,
        with_check("11010119900307123"),
        with_check("44030420000229551"),  # a leap day
        with_check("65010219000101001"),  # the earliest accepted birth date
        with_check("91000020250601000"),  # born today
        with_check("83000019851120888"),  # Taiwan residents' permit range
    ],
)
def test_valid_numbers_are_returned_unchanged(number):
    # when
    result = id_number_validate(number, today=TODAY)
    # then
    assert result == number


def test_helper_agrees_with_the_standard_example():
    assert with_check(STANDARD_EXAMPLE[:17]) == STANDARD_EXAMPLE


def test_some_valid_number_ends_in_x():
    # given: a number whose check character is X, found by varying the sequence code
    number = next(
        n for n in (with_check(f"310115198808080{i:02d}") for i in range(100)) if n.endswith("X")
    )
    # then
    assert id_number_validate(number, today=TODAY) == number


def test_spaces_are_removed_and_a_lowercase_x_is_uppercased():
    # given
    typed = " 110105 1949\u30001231\t002x "
    # when
    result = id_number_validate(typed, today=TODAY)
    # then
    assert result == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        STANDARD_EXAMPLE[:17],
        STANDARD_EXAMPLE + "0",
        "110105194912310",  # the retired 15-digit form
        "1" * 10_000,
    ],
)
def test_wrong_length_is_refused(value):
    with pytest.raises(IdNumberError, match=exactly(ID_LENGTH)):
        id_number_validate(value, today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        "１" + STANDARD_EXAMPLE[1:],  # full-width digit one
        STANDARD_EXAMPLE[:5] + "٣" + STANDARD_EXAMPLE[6:],  # Arabic-Indic three
        STANDARD_EXAMPLE[:17] + "Y",
        "X" + STANDARD_EXAMPLE[1:],
        STANDARD_EXAMPLE[:10] + "X" + STANDARD_EXAMPLE[11:],
        STANDARD_EXAMPLE[:17] + "-",
        STANDARD_EXAMPLE[:17] + "Ⅹ",  # Roman numeral ten, not the letter X
    ],
)
def test_non_ascii_digits_and_letters_are_refused(value):
    # given: still 18 characters
    assert len(value) == 18
    # then
    with pytest.raises(IdNumberError, match=exactly(ID_CHARS)):
        id_number_validate(value, today=TODAY)


@pytest.mark.parametrize("region", ["00", "10", "16", "20", "24", "38", "47", "55", "66", "72", "84", "99"])  # fmt: skip
def test_unknown_region_is_refused(region):
    # given: a checksum that is right, so only the region is wrong
    number = with_check(region + "010119900307123")
    # then
    with pytest.raises(IdNumberError, match=exactly(ID_REGION)):
        id_number_validate(number, today=TODAY)


@pytest.mark.parametrize(
    "birth",
    [
        "19900230",  # no 30 February
        "19000229",  # 1900 was not a leap year
        "19901301",
        "19900100",
        "00000000",
        "18991231",  # before 1900-01-01
        "20250602",  # tomorrow
        "29990101",
    ],
)
def test_impossible_birth_date_is_refused(birth):
    # given
    number = with_check("110101" + birth + "123")
    # then
    with pytest.raises(IdNumberError, match=exactly(ID_BIRTH_DATE)):
        id_number_validate(number, today=TODAY)


def test_birth_date_is_compared_with_the_real_today_by_default():
    # given: born in 2999
    number = with_check("11010129990101123")
    # then
    with pytest.raises(IdNumberError, match=exactly(ID_BIRTH_DATE)):
        id_number_validate(number)


@pytest.mark.parametrize("first17", [STANDARD_EXAMPLE[:17], "11010119900307123", "44030420000229551"])  # fmt: skip
def test_wrong_check_character_is_refused(first17):
    with pytest.raises(IdNumberError, match=exactly(ID_CHECKSUM)):
        id_number_validate(with_wrong_check(first17), today=TODAY)


def test_swapped_digits_are_caught_by_the_checksum():
    # given: two adjacent digits of the sequence code swapped
    typo = STANDARD_EXAMPLE[:14] + "020" + STANDARD_EXAMPLE[17]
    # then
    with pytest.raises(IdNumberError, match=exactly(ID_CHECKSUM)):
        id_number_validate(typo, today=TODAY)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("zh-hans", "身份证号校验位不符，请核对"),
        ("en", "The check digit does not match; check the number"),
    ],
)
def test_an_id_number_error_is_shown_in_the_readers_language(language, shown):
    # given: the error is raised in one language
    with override("zh-hans" if language == "en" else "en"), pytest.raises(IdNumberError) as caught:
        id_number_validate(with_wrong_check(STANDARD_EXAMPLE[:17]), today=TODAY)
    # then: it is worded in the language active where it is shown
    with override(language):
        assert str(caught.value) == shown


def test_mask_keeps_the_first_three_and_last_four():
    # when
    masked = id_number_mask(STANDARD_EXAMPLE)
    # then
    assert masked == "110***********002X"
    assert len(masked) == 18


def test_mask_normalizes_first():
    assert id_number_mask(" 110105 19491231 002x") == "110***********002X"


@pytest.mark.parametrize("value", ["", "123", "1" * 10_000])
def test_mask_refuses_the_wrong_length(value):
    with pytest.raises(IdNumberError, match=exactly(ID_LENGTH)):
        id_number_mask(value)


def test_fingerprint_is_stable_hex_without_the_number():
    # when
    first = id_number_fingerprint(STANDARD_EXAMPLE, key="k1")
    second = id_number_fingerprint(STANDARD_EXAMPLE, key="k1")
    # then
    assert first == second
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert STANDARD_EXAMPLE not in first


def test_fingerprint_depends_on_the_key_and_the_number():
    other = with_check("11010119900307123")
    assert id_number_fingerprint(STANDARD_EXAMPLE, key="k1") != id_number_fingerprint(
        STANDARD_EXAMPLE, key="k2"
    )
    assert id_number_fingerprint(STANDARD_EXAMPLE, key="k1") != id_number_fingerprint(
        other, key="k1"
    )


def test_fingerprint_is_the_same_however_the_number_was_typed():
    assert id_number_fingerprint(" 110105 19491231 002x", key="k") == id_number_fingerprint(
        STANDARD_EXAMPLE, key="k"
    )


def test_fingerprint_refuses_an_invalid_number():
    with pytest.raises(IdNumberError, match=exactly(ID_CHECKSUM)):
        id_number_fingerprint(with_wrong_check(STANDARD_EXAMPLE[:17]), key="k")


def test_fingerprint_refuses_an_empty_key():
    with pytest.raises(ValueError, match="key"):
        id_number_fingerprint(STANDARD_EXAMPLE, key="")
