from datetime import date

import pytest

from domain.ids import InvalidIdNumber, birth_date_of, check_char, make_id_number, normalize_id_number, sex_of

STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example


def test_standard_example_validates() -> None:
    assert normalize_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert birth_date_of(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert sex_of(STANDARD_EXAMPLE) == "F"


@pytest.mark.parametrize(
    "dirty",
    [
        "11010519491231002x",  # lower-case x
        " 110105 19491231 002X ",  # spaces
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
        "1101051949123100\u30002X",  # ideographic space
        "'11010519491231002X",  # Excel's text marker
        "110105491231002",  # the 15-digit pre-1999 form
    ],
)
def test_dirt_is_repaired_to_the_same_number(dirty: str) -> None:
    assert normalize_id_number(dirty) == STANDARD_EXAMPLE


def test_fifteen_digit_number_gets_a_computed_check_digit() -> None:
    born = date(1962, 2, 6)
    full = make_id_number("370831", born, 123)
    old = full[:6] + full[8:17]
    assert len(old) == 15
    assert normalize_id_number(old) == full


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("3.70831E+17", "scientific notation"),
        ("370831196202065000", "Excel truncated"),
        ("110105194912310021", "check digit is 1, expected X"),
        ("11010519491331002X", "not a real date"),
        ("11010520991231002X", "impossible"),
        ("1101051949123100", "16 characters"),
        ("A1010519491231002X", "17 digits"),
        ("", "empty"),
    ],
)
def test_bad_numbers_are_rejected_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        normalize_id_number(raw)


def test_every_single_digit_typo_is_caught() -> None:
    for position in range(17):
        digit = int(STANDARD_EXAMPLE[position])
        typo = STANDARD_EXAMPLE[:position] + str((digit + 1) % 10) + STANDARD_EXAMPLE[position + 1 :]
        with pytest.raises(InvalidIdNumber):
            normalize_id_number(typo)


def test_a_real_number_ending_in_000_is_accepted() -> None:
    # Sequence 500, check digit 0: indistinguishable from Excel damage, and a real person.
    assert normalize_id_number("370831199510145000") == "370831199510145000"


def test_made_numbers_round_trip() -> None:
    for sequence in (0, 1, 2, 555, 998, 999):
        number = make_id_number("370831", date(2001, 7, 15), sequence)
        assert normalize_id_number(number) == number
        assert sex_of(number) == ("M" if sequence % 2 else "F")
