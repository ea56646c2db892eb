import pytest

from pojian.domain.uscc import ALPHABET, check_character, is_valid

# Real, published codes: a checksum error in the validator would reject them.
VALID = ["91350100M000100Y43", "91110000100006485K", "911100007109311097", "91440300708461136T", "9144030071526726XG"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_accepted(code):
    assert is_valid(code)


@pytest.mark.parametrize("code", VALID)
def test_lower_case_and_spaces_accepted(code):
    assert is_valid(f"  {code.lower()} ")


@pytest.mark.parametrize("code", VALID)
def test_every_wrong_check_character_rejected(code):
    for c in ALPHABET:
        if c != code[-1]:
            assert not is_valid(code[:-1] + c)


@pytest.mark.parametrize("bad", ["", "9111000010000648", "91110000100006485K0", "91110000I00006485K", "9111000010000648OK", None])
def test_malformed_codes_rejected(bad):
    assert not is_valid(bad)


def test_check_character_matches_the_standard_example():
    # The worked example of GB 32100-2015 ends in 3.
    assert check_character("91350100M000100Y4") == "3"


def test_numbered_codes_are_valid_and_distinct():
    from pojian.domain.uscc import numbered

    codes = {numbered("91220101", n) for n in range(2000)}
    assert len(codes) == 2000 and all(is_valid(c) and c.startswith("91220101") for c in codes)
