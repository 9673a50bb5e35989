"""The USCC check character (GB 32100-2015), against codes published by real enterprises."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from htz.errors import IdentifierError
from htz.registry import uscc

# Published codes of real enterprises: an independent reference for the algorithm.
REAL = [
    "914403001922038216",  # Huawei Technologies Co., Ltd. (Shenzhen)
    "91330100716105852F",  # Alibaba (China) Co., Ltd. (Hangzhou)
    "91350100M000100Y43",  # the example code in GB 32100-2015 explanations
    "91110000802100433B",  # China Petroleum & Chemical Corporation (Sinopec)
]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass(code):
    assert uscc.problem(code) is None
    assert uscc.validate(code.lower()) == code


def test_hand_computed_check_character():
    # 9 1 3 5 0 1 0 0 M 0 0 0 1 0 0 Y 4 with weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 21*20 + 0 + 0 + 0 + 8 + 0 + 0 + 30*30 + 4*28 = 1640;
    # 1640 mod 31 = 28; 31 - 28 = 3 -> '3'
    assert uscc.check_character("91350100M000100Y4") == "3"


def test_wrong_check_character_names_position_and_expected():
    why = uscc.problem("914403001922038217")
    assert "position 18" in why and "expected '6'" in why


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91440300192203821", "17 characters"),
        ("9144030019220382I6", "position 17"),
        ("91ABCDEF1922038216", "positions 3-8"),
    ],
)
def test_malformed_codes(code, fragment):
    assert fragment in uscc.problem(code)


def test_validate_raises_identifier_error():
    with pytest.raises(IdentifierError, match="expected"):
        uscc.validate("914403001922038217")


def test_full_width_input_is_folded():
    assert uscc.normalise(" ９１４４０３００１９２２０３８２１６ ") == "914403001922038216"


@given(st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17))
def test_every_code_with_its_check_character_passes(first17):
    code = first17[:2] + "110108" + first17[8:]
    full = code + uscc.check_character(code)
    assert uscc.problem(full) is None
    wrong = next(c for c in uscc.ALPHABET if c != full[-1])
    assert uscc.problem(full[:-1] + wrong) is not None
