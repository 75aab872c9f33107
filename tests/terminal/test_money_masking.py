from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from terminal.masking import mask_id, mask_name
from terminal.money import total, wire, yuan


def test_yuan_rounds_half_up_to_the_cent():
    assert yuan("1.005") == Decimal("1.01")
    assert yuan("2") == Decimal("2.00")
    assert yuan(Decimal("0.125")) == Decimal("0.13")
    assert wire(Decimal("3.1")) == "3.10"


def test_floats_and_garbage_are_refused():
    with pytest.raises(TypeError):
        yuan(0.1)
    for bad in ("abc", "", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            yuan(bad)


@given(st.lists(st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False), max_size=50))
def test_total_is_exact(amounts):
    assert total(amounts) == sum(amounts, Decimal("0"))


def test_masking_keeps_only_the_ends():
    assert mask_id("320102198001011234") == "3201**********1234"
    assert mask_id("1234") == "****"
    assert mask_id(None) == ""
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧***"
    assert mask_name("") == ""
