"""time_text: an event time's stored text is `float.__repr__`'s, for every float; the times
of this era are written without repr's big integers when their repr takes seven places."""

import random

from hypothesis import given, settings, strategies as st

from specrun.runtime.storage import time_text as tt

ERA = (2 ** 52, 2 ** 53 - 1)  # the mantissas of [2**30, 2**31) seconds, in units of 2**-22


def _time(mantissa: int) -> float:
    return mantissa / 4194304.0  # (exact: a power of two)


@given(st.floats())
@settings(max_examples=500, deadline=None)
def test_any_floats_text_is_its_repr(t):
    assert tt.time_text(t) == repr(t)


@given(st.integers(*ERA))
@settings(max_examples=2000, deadline=None)
def test_a_time_of_this_eras_text_is_its_repr(mantissa):
    t = _time(mantissa)
    assert tt.time_text(t) == repr(t)


def test_times_next_to_six_and_seven_place_decimals_and_at_ties_are_written_as_repr():
    rnd = random.Random(11)
    times = [_time(m) for m in (ERA[0], ERA[1], ERA[0] + 1, ERA[1] - 1)] + [1073741823.9999999, 2147483648.0]
    for _ in range(3000):
        second = rnd.randrange(2 ** 30, 2 ** 31)
        for places in (10 ** 6, 10 ** 7):  # the mantissas nearest a decimal of six or seven places
            near = second * 4194304 + rnd.randrange(places) * 4194304 // places
            times += [_time(m) for m in range(near - 3, near + 4)]
        # a fraction of 2**-22 units f with f * 10**7 exactly halfway between integers: f = 16384 (mod 32768)
        times += [_time(second * 4194304 + 16384 + 32768 * rnd.randrange(128))]
    assert [tt.time_text(t) for t in times] == [repr(t) for t in times]


def test_a_seven_place_time_is_written_from_its_seconds_kept_text():
    t = 1796562759.9746976  # (seven places: no six-place decimal reads back as it)
    assert len(repr(t)) == 18
    tt._SECONDS.clear()
    assert tt.time_text(t) == repr(t) and tt._SECONDS == {1796562759.0: "1796562759."}
    assert tt.time_text(1796562759.5) == "1796562759.5" and len(tt._SECONDS) == 1  # (one place: repr's)


def test_no_time_of_this_era_is_written_through_repr_but_ties(monkeypatch):
    rnd = random.Random(5)
    through_repr = []
    monkeypatch.setattr(tt, "_repr", lambda t: through_repr.append(t) or float.__repr__(t))
    times = [float(2 ** 30), 1796562759.5, 1796562759.25, 2147483647.999999, 2147483647.9999998]
    for _ in range(3000):  # times of six places or fewer, and next to them
        t = rnd.randrange(2 ** 30, 2 ** 31) + rnd.randrange(10 ** rnd.randrange(7)) / 10 ** 6
        times += [t, _time(int(t * 4194304) + rnd.choice((-1, 1)))]
    texts = [tt.time_text(t) for t in times]
    assert texts == [repr(t) for t in times]
    assert sum(len(text) < 18 for text in texts) > 3000  # (six places or fewer: repr before)
    assert through_repr == []
