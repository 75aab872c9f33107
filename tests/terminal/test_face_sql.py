"""The faces ask the store (issue 22): no SQL in ui/, ecpos/ or agent/ — a face reads a sale, a refund or a
settlement's request through the journal's and the store's named queries (terminal/journal/journal.py Journal.sale,
sale_by_setl, refund, sent, sales_in; terminal/sale/sales.py SaleStore; the agent's pushed bills through the
Counter's `pushed`, terminal/journal/pushed.py)."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACES = ("ui", "agent", "ecpos")
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE) ")  # the codebase spells SQL upper case


def sql_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and SQL.match(n.value)]


def test_no_face_reads_the_journal_with_its_own_sql():
    found = [hit for face in FACES for path in sorted((ROOT / face).rglob("*.py"))
             for hit in sql_in(path)]
    assert found == []


def test_the_check_sees_sql_where_it_is():
    assert sql_in(ROOT / "terminal" / "journal" / "pushed.py")  # the pushed bills' store does hold its SQL
