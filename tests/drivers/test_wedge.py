"""Wedge detector with synthetic key timings: scanners are bursts, people are not."""
import random

from hypothesis import given, settings, strategies as st

from drivers.wedge import WedgeDetector, WedgeSource

CODE = "1100223344556677889900112233"


def type_keys(det, keys, start=0.0, gap=0.01):
    """Feed keys `gap` seconds apart; return (t_after, passed keys, resolved bursts)."""
    t, passed, done = start, [], []
    for k in keys:
        fed = det.feed(k, t, payload=k)
        done += fed.done
        if not fed.held:
            passed.append(k)
        t += gap
    return t, passed, done


def test_fast_scanner_with_enter_is_a_scan_and_swallowed():
    det = WedgeDetector(gap_ms=50, min_length=8)
    _, passed, done = type_keys(det, list(CODE) + ["Enter"], gap=0.004)
    assert [(b.scan, b.text, b.ended_by) for b in done] == [(True, CODE, "Enter")]
    assert passed == [] and not det.holding


def test_tab_suffix_and_idle_commit():
    det = WedgeDetector()
    _, _, done = type_keys(det, list("ABCDEFGH12") + ["Tab"], gap=0.02)
    assert done[0].scan and done[0].ended_by == "Tab"
    t, _, done = type_keys(det, list(CODE), start=10.0, gap=0.02)
    assert done == [] and det.holding
    assert det.poll(t - 0.02 + 0.049) == []  # not quiet long enough yet
    (burst,) = det.poll(t + 0.05)
    assert burst.scan and burst.text == CODE and burst.ended_by == "idle"


def test_repeated_characters_are_kept():
    det = WedgeDetector()
    _, _, done = type_keys(det, list("1111000022221111") + ["Enter"], gap=0.003)
    assert done[0].text == "1111000022221111"


def test_slow_human_is_not_a_scan_and_keys_come_back_in_order():
    det = WedgeDetector(gap_ms=50, min_length=8)
    rng = random.Random(7)
    t, replayed = 0.0, []
    for k in "hello world 12345678":
        fed = det.feed(k, t, payload=k)
        replayed += [p for b in fed.done for p in b.items]
        assert not any(b.scan for b in fed.done)
        t += rng.uniform(0.09, 0.3)
    for b in det.poll(t):
        assert not b.scan
        replayed += list(b.items)
    assert "".join(replayed) == "hello world 12345678"


def test_short_fast_burst_then_enter_goes_through_as_typing():
    det = WedgeDetector(min_length=8)
    _, passed, done = type_keys(det, list("42") + ["Enter"], gap=0.01)
    assert passed == ["Enter"] and [b.items for b in done] == [("4", "2")]
    assert not done[0].scan


def test_mixed_human_then_scanner_then_human():
    det = WedgeDetector()
    t, _, done1 = type_keys(det, list("abc"), gap=0.2)  # each key alone: released as typing
    t, _, done2 = type_keys(det, list(CODE) + ["Enter"], start=t + 0.3, gap=0.005)
    t, passed, done3 = type_keys(det, list("xy") + ["Backspace"], start=t + 0.5, gap=0.15)
    scans = [b.text for b in done1 + done2 + done3 if b.scan]
    typed = "".join(p for b in done1 + done2 + done3 if not b.scan for p in b.items)
    assert scans == [CODE]
    assert typed == "abcxy" and passed == ["Backspace"]


def test_other_key_ends_a_long_burst_as_scan():
    det = WedgeDetector()
    _, passed, done = type_keys(det, list(CODE) + ["Escape"], gap=0.005)
    assert passed == ["Escape"] and done[0].scan and done[0].ended_by == "Escape"


def test_source_emits_events_and_returns_typing():
    got = []
    src = WedgeSource(got.append, min_length=4, device="kbd")
    src.start()
    assert src.status.state == "connected"
    for i, k in enumerate("9876"):
        src.feed(k, i * 0.01)
    assert src.feed("Enter", 0.04).held
    assert [(e.text, e.source, e.device) for e in got] == [("9876", "wedge", "kbd")]
    src.feed("a", 1.0)
    (typed,) = src.poll(2.0)
    assert typed.items == (None,) and typed.text == "a"
    src.stop()
    assert src.status.state == "stopped"


KEYS = st.sampled_from(list("0123456789abcXYZ ") + ["Enter", "Tab", "Backspace", "Shift", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, st.floats(0, 0.5, allow_nan=False)), max_size=60),
       st.integers(1, 12), st.floats(1, 200))
def test_never_crashes_and_never_loses_or_reorders_keys(steps, min_length, gap_ms):
    det = WedgeDetector(gap_ms=gap_ms, min_length=min_length)
    t, out, swallowed = 0.0, [], []
    for i, (k, dt) in enumerate(steps):
        t += dt
        fed = det.feed(k, t, payload=i)
        for b in fed.done:
            out += b.items
            assert not b.scan or len(b.text) >= min_length
        if fed.held and not (len(k) == 1 and k.isprintable()):
            swallowed.append(i)  # a scan's terminator
        elif not fed.held:
            out.append(i)
    for b in det.poll(t + 1.0):
        out += b.items
    assert not det.holding
    assert sorted(out + swallowed) == list(range(len(steps)))
    assert out == sorted(out)  # replayed typing and passed keys keep their order


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789ABCDEF", min_size=8, max_size=40), min_size=1,
                max_size=6),
       st.lists(st.floats(0.051, 3.0, allow_nan=False), min_size=6, max_size=6),
       st.booleans())
def test_separate_bursts_are_never_merged(codes, pauses, with_enter):
    det = WedgeDetector(gap_ms=50, min_length=8)
    t, scans = 0.0, []
    for code, pause in zip(codes, pauses):
        t += pause
        keys = list(code) + (["Enter"] if with_enter else [])
        t, _, done = type_keys(det, keys, start=t, gap=0.01)
        scans += [b.text for b in done if b.scan]
    scans += [b.text for b in det.poll(t + 1) if b.scan]
    assert scans == codes
