"""What comes back and what stays (terminal/returns.split), without a platform: the parts add up to the cent,
boxes take the line's last scanned codes, 拆零 lines come back whole, and bad picks say what to type."""
from decimal import Decimal

import pytest

from terminal.returns import Pick, ReturnError, parse_picks, split
from terminal.money import yuan


def line(n, qty, price, code="X1"):
    return {"line": n, "code": code, "name": f"药{n}", "qty": Decimal(qty), "price": price}


def test_the_returned_and_kept_parts_add_up_to_the_cent():
    lines = [line(1, "3", "3.335")]  # 3 x 3.335 = 10.005 -> 10.01; 2 x 3.335 = 6.67
    back, kept = split(lines, {}, [Pick(1, Decimal(1))])
    assert back[0]["amount"] == "3.34" and kept[0]["qty"] == "2"
    assert yuan(back[0]["amount"]) + yuan(Decimal(kept[0]["qty"]) * Decimal("3.335")) == yuan(Decimal(3) * Decimal("3.335"))


def test_boxes_take_the_last_scanned_codes_and_the_rest_stay_with_the_kept_line():
    back, kept = split([line(1, "3", "12.50")], {1: ["A", "B", "C"]}, [Pick(1, Decimal(2))])
    assert back[0]["codes"] == ["B", "C"] and kept[0]["trace"] == ["A"]


def test_a_split_pack_line_comes_back_whole_or_not_at_all():
    assert split([line(1, "0.5", "20")], {}, [Pick(1)])[0][0]["qty"] == "0.5"
    with pytest.raises(ReturnError):
        split([line(1, "2.5", "20")], {}, [Pick(1, Decimal(1))])


@pytest.mark.parametrize("spec", ["", "x", "0", "1:0", "2:-1", "1:abc"])
def test_bad_picks_say_how_to_write_them(spec):
    with pytest.raises(ReturnError) as e:
        parse_picks([spec])
    assert e.value.key == "return_lines"


def test_picks_parse_lines_and_boxes():
    assert parse_picks(["2:1", "3", "4:2，5"]) == [Pick(2, Decimal(1)), Pick(3), Pick(4, Decimal(2)), Pick(5)]
