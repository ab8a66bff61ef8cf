"""The stored text of an event's time: `float.__repr__`'s, written without its big integers for
the times of this era (`serde` writes six of them a step)."""

from __future__ import annotations


def time_text(t: float) -> str:
    """`float.__repr__(t)`, for any float.

    A time of this era (2**30 to 2**31 seconds: 2004 to 2038) has ten integer digits and 22
    bits of fraction. Its repr is the shortest decimal that reads back as it; for three times
    in four that takes seven places, and repr works them out with big integers (~7.7k
    instructions). When no decimal of six places (or fewer) is within half a unit of its last
    bit (2**-23) of it, the repr is the seven-place decimal nearest to it (ties to even),
    which the float formatting writes without them: the integer part (kept: it changes once
    a second) and the fraction times 10**7, rounded. Both products here are exact (22 bits
    of fraction times 10**6 or 10**7 fit in a double), and so is the six-place test: the
    distance of the fraction times 10**6 to an integer, against 10**6 / 2**23; a tie (equal
    distance) goes to repr, as does any other float."""
    if 1073741824.0 <= t < 2147483648.0:
        fraction = t % 1.0
        if 0.11920928955078125 < (fraction * 1000000.0) % 1.0 < 0.88079071044921875:
            whole = t - fraction
            second = _SECONDS.get(whole)
            if second is None:
                if len(_SECONDS) >= 1024:
                    _SECONDS.clear()
                second = _SECONDS[whole] = "%.0f." % whole
            return second + "%07.0f" % (fraction * 10000000.0)
    return float.__repr__(t)


_SECONDS: dict[float, str] = {}  # the text of a time's integer part and its point, by that part
