"""The stored text of an event's time: `float.__repr__`'s, written without its big integers for
the times of this era (`serde` writes six of them a step)."""

from __future__ import annotations


def time_text(t: float) -> str:
    """`float.__repr__(t)`, for any float.

    A time of this era (2**30 to 2**31 seconds: 2004 to 2038) has ten integer digits and 22
    bits of fraction. Its repr is the shortest decimal that reads back as it, and repr works
    it out with big integers (~7.7k instructions; the float formatting of a fixed number of
    places uses them too). Both cases of such a time are written from integers instead: the
    integer part (kept: it changes once a second), then the places.
    - When no decimal of six places (or fewer) is within half a unit of its last bit
      (2**-23) of it (three times in four), the repr is the seven-place decimal nearest to it
      (ties to even, as `round` does).
    - Else that decimal of six places is the only one so near (six-place decimals are 10**-6
      apart, the window 2**-22 wide), every shorter decimal is one of six places with zeros at
      its end, and the repr is it without those zeros (``.0`` for none left).
    The products here are exact (22 bits of fraction times 10**6 or 10**7 fit in a double), and
    so is the six-place test: the distance of the fraction times 10**6 to an integer, against
    10**6 / 2**23; a tie (equal distance) goes to repr, as does any other float."""
    if 1073741824.0 <= t < 2147483648.0:
        fraction = t % 1.0
        micro = fraction * 1000000.0
        off = micro % 1.0
        whole = t - fraction
        # (half a unit of the last bit, 2**-23 s, is 0.11920928955078125 millionths)
        if 0.11920928955078125 < off < 0.88079071044921875:  # (seven places)
            return (_SECONDS.get(whole) or _second(whole)) + "%07d" % round(fraction * 10000000.0)
        if off != 0.11920928955078125 and off != 0.88079071044921875:  # (six places or fewer)
            places = round(micro)  # (below 10**6: a fraction of 1 - 2**-22 is .24 from it)
            second = _SECONDS.get(whole) or _second(whole)
            return second + ("%06d" % places).rstrip("0") if places else second + "0"
    return _repr(t)


def _second(whole: float) -> str:
    """The text of a time's integer part and its point, kept."""
    if len(_SECONDS) >= 1024:
        _SECONDS.clear()
    second = _SECONDS[whole] = "%.0f." % whole
    return second


_SECONDS: dict[float, str] = {}  # the text of a time's integer part and its point, by that part
_repr = float.__repr__
