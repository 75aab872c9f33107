"""The e-credential rate against the bureau's target: 'met' is decided on the exact fraction, not on the
rate as rounded for display."""
from __future__ import annotations

from terminal import config
from terminal.office import reports
from terminal.journal.journal import Journal, now


def test_a_rate_just_below_target_is_not_met_even_if_it_rounds_up(tmp_path):
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9",
                      env={"ECPOS_PROFILE": "pharmacy"})
    j = Journal.for_config(cfg)
    stamp = now()
    # 17,999 e-credential settlements of 20,000: 89.995 %, below a 90 % target.
    rows = [("pharmacy", "0001", 1, stamp, "2026-11-02", "settled", stamp, "01" if n < 17999 else "02")
            for n in range(20000)]
    with j.tx() as c:
        c.executemany("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, mdtrt_cert_type)"
                      " VALUES (?,?,?,?,?,?,?,?)", rows)
    st = reports.stats(j, cfg, "2026-11-01", "2026-11-30")
    j.close()
    assert st.total["settlements"] == 20000 and st.target == reports.Decimal("0.90")
    assert st.total["met"] == "否" and st.rows[0]["met"] == "否"
    assert st.total["ec_rate"] == "0.8999"  # shown rounded down, so the row does not contradict itself


def test_stats_csv_to_an_unwritable_place_is_exit_2_with_a_message(tmp_path):
    from tests.engine.helpers import ecpos
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    r = ecpos(cfg, "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--csv",
              str(tmp_path / "no-such-dir" / "rate.csv"))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "CSV" in r.stderr and "no-such-dir" in r.stderr


def test_a_rate_just_below_target_never_shows_as_the_target():
    """The screens show the rate cut like the core counts it: 89.99 % reads 89.9 % beside 未达标, not 90.0 %
    (Python's :.1f rounds it up to the target)."""
    from ui.views.qt_record_view import text_of
    assert reports.percent("0.8999") == "89.9" and reports.percent("0.9") == "90.0"
    assert reports.percent("0.8999", 0) == "89" and reports.percent("0.85", 0) == "85"
    # a target is shown as set: 87.5 % is not cut to 87 %, 85 % stays 85, 100 % stays 100
    assert [reports.percent(t, None) for t in ("0.875", "0.85", "0.8500", "1")] == ["87.5", "85", "85", "100"]
    assert text_of("0.8999", "ec_rate") == "89.9%"
