"""Walkthrough as a pharmacy supervisor: a wrong items file is refused with a message that names the problem."""
from __future__ import annotations

import pytest

from terminal.sale.items import ItemsError, load_items


@pytest.mark.parametrize("name", ["items.json", "items.csv", "items.txt"])
def test_empty_file_says_it_is_empty(tmp_path, name):
    p = tmp_path / name
    p.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ItemsError) as e:
        load_items(p)
    assert e.value.key == "items_empty"
    assert "空" in e.value.message and "code,name,qty,price" in e.value.message


def test_csv_row_with_more_columns_than_the_header(tmp_path):
    p = tmp_path / "items.csv"
    p.write_text("code,name,qty,price\nXA01,阿莫西林,1,1.00,extra\n", encoding="utf-8")
    with pytest.raises(ItemsError) as e:
        load_items(p)
    assert e.value.key == "items_columns"
    assert "第 1 项" in e.value.message and "4" in e.value.message
    assert "?" not in e.value.message


def test_csv_saved_by_excel_on_chinese_windows_is_read(tmp_path):
    """Excel's "CSV (逗号分隔)" on zh-CN Windows writes GBK with CRLF line ends."""
    p = tmp_path / "items.csv"
    p.write_bytes("code,name,qty,price\r\nXA01,阿莫西林胶囊,2,12.50\r\n".encode("gbk"))
    [item] = load_items(p)
    assert (item.code, item.name, str(item.qty), str(item.price)) == ("XA01", "阿莫西林胶囊", "2", "12.50")


def test_binary_file_is_refused_as_unreadable(tmp_path):
    p = tmp_path / "items.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(ItemsError) as e:
        load_items(p)
    assert e.value.key == "items_unreadable" and "UTF-8 或 GBK" in e.value.message
