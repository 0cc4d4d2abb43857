import pytest
from django.core.exceptions import ValidationError

from bureau.validators import mask_id_number, uscc_check_char, validate_id_number, validate_uscc


@pytest.mark.parametrize("code", ["91310110666007217T", "91310115591693856A", "91310115591693856a "])
def test_valid_credit_codes(code):
    validate_uscc(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91310110666007217X", "check"),  # wrong check character
        ("91310115591693856B", "check"),
        ("9131011066600721", "length"),
        ("91310110666OO7217T", "alphabet"),  # letter O is not in the alphabet
        ("91310110666007217I", "alphabet"),
    ],
)
def test_invalid_credit_codes(code, reason):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(code)
    assert exc.value.code == reason


def test_credit_code_check_character_by_hand():
    # Σ index·weight over "91310110666007217" = 966; 966 mod 31 = 5; (31 − 5) mod 31 = 26 → ALPHABET[26] = "T"
    assert uscc_check_char("91310110666007217") == "T"


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x"])
def test_valid_id_numbers(number):
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check"),
        ("11010519491231002", "format"),
        ("1101051949123100AX", "format"),
        ("1101051949123100²X", "format"),  # a digit to str.isdigit(), not to int()
        ("1101051949123100٢X", "format"),  # an Arabic-Indic digit: int() takes it, an ID number does not
    ],
)
def test_invalid_id_numbers(number, reason):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == reason


def test_id_numbers_are_masked():
    assert mask_id_number("11010519491231002X") == "1101************2X"
    assert mask_id_number("") == ""
