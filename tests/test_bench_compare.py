"""bench/compare.py reads the numbers bench/settle.py and bench/agent.py print (samples from real runs) and says
after/before from paired rounds. Nothing here is timed."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_compare", ROOT / "bench" / "compare.py")
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)

SETTLE = """\
20 pharmacy sales (identify via http, 2101, 2102), Python 3.11.7, 2 cpu
                         median      p95   ms
    code-in -> settled    19.33    23.34
    waiting on service    13.99    17.11
          our own code     5.42     6.85
      of which journal     4.41     5.43
our share of the sale 27% (service 73%); ours / waiting on the service 0.37 (goal <= 0.25); journal 4.41 ms/sale median
SUMMARY settle: median 19.3 ms/sale, service 14.0 ms, ours 5.42 ms = 0.37 of the service's (goal <= 0.25), 2 synced
"""

AGENT = """\
ecpos agent on loopback, Python 3.11.7, 2 cpu, load average 2.3; a journal commit here costs 0.10 ms median
GET /v1/sales/{id}: 1,556 req/s one caller, 2,088 req/s with 4 callers (200 requests each, http.client)
10 rounds of pharmacy sales (identify via http, 2101, 2102), each way once a round:
                                               median      p95   ms
         through the API, http.client caller    23.13    30.50
               through the API, httpx caller    21.20    26.68
                        in process (Counter)    15.45    20.72
       the agent's adapter in process (Desk)    17.17    20.55
      added by the API (http.client), paired     6.61    12.35
CPU per sale: the agent process 10.00 ms, the same sale in process 9.15 ms (the API's own work: 0.85 ms)
SUMMARY agent: GET 1,556 req/s (x4: 2,088); a sale adds 6.61 ms median through the API (goal < 5 ms: NOT met; 6.06 ms
"""


def test_reads_the_numbers_each_bench_prints():
    assert compare.parse("settle", SETTLE) == {"sale ms": 19.33, "our own code ms": 5.42, "journal ms": 4.41}
    assert compare.parse("agent", AGENT) == {"API sale ms": 23.13, "in-process sale ms": 15.45,
                                             "added by the API ms": 6.61, "agent CPU ms/sale": 10.0,
                                             "GET req/s": 1556.0}
    assert compare.parse("chain", "anything") == {}  # other benches: wall and CPU seconds only


def test_a_line_the_bench_no_longer_prints_is_named():
    with pytest.raises(ValueError, match="our own code ms"):
        compare.parse("settle", SETTLE.replace("our own code", "our code"))


def runs(before, after):
    """A settle bench's runs with these sale ms, round by round."""
    def side(xs):
        return [{"wall s": 1, "cpu s": 1, "sale ms": x, "our own code ms": 1, "journal ms": 1} for x in xs]
    return {"before": side(before), "after": side(after)}


def test_verdict_is_the_median_of_each_rounds_ratio(capsys):
    # pooled medians would say 12/10 = 1.20; the rounds' own ratios are 1.10, 1.00, 1.20
    assert compare.report("settle --sales 5", runs((10, 20, 10), (11, 20, 12))) == (
        "settle --sales 5: after/before = 1.10 (sale ms, median of 3 paired rounds, range 1.00-1.20, after slower "
        "in 2): unclear, the rounds disagree: rerun on a quieter machine or with more rounds")
    assert "our own code ms" in capsys.readouterr().out
    assert compare.report("settle", runs((10, 20, 10), (11, 22, 12))).endswith("after slower in 3): SLOWER")
    assert compare.report("settle", runs((10, 20, 10), (9, 21, 10))).endswith("after slower in 1): no slower")
