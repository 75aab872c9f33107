"""Framer: codes cut at each terminator, control bytes stripped, broken reads dropped."""
from hypothesis import given, strategies as st

from drivers.framing import Framer, clean

CODE = "1234567890123456789012345678"


def test_each_terminator_ends_a_code():
    for term, sep in (("CR", b"\r"), ("LF", b"\n"), ("CRLF", b"\r\n")):
        f = Framer(term)
        assert f.feed(CODE.encode() + sep + b"ABC" + sep, 0.0) == [CODE, "ABC"], term
        assert not f.pending


def test_crlf_split_between_writes():
    f = Framer("CRLF")
    assert f.feed(b"12345\r", 0.0) == []
    assert f.feed(b"\n", 0.01) == ["12345"]


def test_control_and_undecodable_bytes_stripped():
    assert clean(b"\x00\x02123\x07\x1b45\xff6\x03") == "123456"
    f = Framer("CR")
    assert f.feed(b"\x00\x00\r\x1b\r", 0.0) == []  # noise alone is not a code


def test_idle_gap_ends_a_code():
    f = Framer("idle", idle_s=0.08)
    assert f.feed(b"12345", 0.0) == []
    assert f.tick(0.05) == []
    assert f.feed(b"678", 0.06) == []
    assert f.tick(0.15) == ["12345678"]
    assert f.feed(b"9", 0.2) == []
    assert f.feed(b"0", 0.5) == ["9"]  # a late byte ends the previous code first


def test_stale_partial_is_dropped_not_glued():
    f = Framer("CR", stale_s=1.0)
    assert f.feed(b"12345", 0.0) == []
    assert f.feed(b"ABCDEF\r", 5.0) == ["ABCDEF"]
    assert f.dropped == 1


def test_reset_drops_partial():
    f = Framer("CR")
    f.feed(b"1234", 0.0)
    f.reset()
    assert f.feed(b"99\r", 0.01) == ["99"]


@given(st.lists(st.text(alphabet="0123456789ABCDEFabc", min_size=1, max_size=40), max_size=30),
       st.data())
def test_any_split_yields_the_same_codes(codes, data):
    stream = b"".join(c.encode() + b"\r\n" for c in codes)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    f, out, prev = Framer("CRLF"), [], 0
    for cut in cuts + [len(stream)]:
        out += f.feed(stream[prev:cut], 0.0)
        prev = cut
    assert out == codes
