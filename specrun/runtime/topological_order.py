"""Kahn's algorithm taking, of the names whose upstream names are all placed, the smallest
first: the lexicographic topological order of a plan's steps (`plan.lexicographic_order`).

The names ready to be placed are kept in a list sorted largest first, so that the next is
popped from its end without a comparison, for as long as what each placed name makes ready
sorts before every name already waiting: a chain (one at a time), a fan-out (a batch, sorted
once), a fan-in (the roots, sorted once). A heap of the same names took ~2 comparisons of
strings a level of the heap to pop each: ~4.2k instructions a step of a 1,000-step fan-out
or fan-in, ~2.0k of a chain. The first name made ready that sorts after one waiting turns the
list into that heap (sorted smallest first, it is one), and the rest is the heap's: the same
order either way, with the heap's O(log n) a name at worst.

A path (one name waiting on none, and each name, but the last, with one downstream name: an
asset chain whose keys sort apart from their order, a_0, a_1, a_10, ...) has one order, which
is walked along `successors` by `path_order`, without counting `waiting` down (~1k
instructions a name less); its callers try that first.
"""

from __future__ import annotations

from heapq import heappop, heappush, heappushpop
from itertools import repeat
from typing import Optional


def kahn_order(ready: list[str], waiting: dict[str, int], successors: dict[str, list[str]]) -> list[str]:
    """The names in lexicographic topological order (shorter than `waiting` when there is a
    cycle), from Kahn's tables: `ready`, the names waiting on none (reordered here);
    `waiting`, each name's count of upstream names (counted down here); `successors`, each
    name's downstream names."""
    order: list[str] = []
    if not ready:
        return order
    place = order.append
    heap = False
    ready.sort(reverse=True)
    name = ready.pop()
    while True:
        place(name)
        first = more = None  # (what placing `name` made ready: the first, and a list of all)
        for down in successors[name]:
            count = waiting[down] = waiting[down] - 1
            if not count:
                if first is None:
                    first = down
                elif more is None:
                    more = [first, down]
                else:
                    more.append(down)
        if more is not None:
            heap = _add(ready, more, heap)
        elif first is not None:  # (a chain's every step: placed next, or pushed and popped)
            if not ready or (not heap and first < ready[-1]):
                name = first
                continue
            if not heap:
                ready.reverse()
                heap = True
            name = heappushpop(ready, first)
            continue
        if not ready:
            return order
        name = heappop(ready) if heap else ready.pop()


def path_order(ready: list[str], successors: dict[str, list[str]], size: int) -> Optional[list[str]]:
    """`kahn_order`'s order of a path (see the module docstring), else None: the names from
    the one name of `ready` on, each the one downstream name of the one before, when they are
    all `size` names and the last has none (each name is then placed once: a name met twice
    would start a cycle the walk would never leave)."""
    walked = path_walk(ready, successors, size)
    return None if walked is None else walked[0]


def path_walk(ready: list[str], successors: dict[str, list[str]], size: int
              ) -> Optional[tuple[list[str], list[list[str]]]]:
    """(`path_order(ready, successors, size)`, each of its names' list in `successors`, in
    that order: what the walk read), else None. Each name of a path but the first waits on
    one name, the one before it."""
    if len(ready) != 1:
        return None
    order = ready[:]
    place = order.append
    downs = successors[order[0]]
    read = [downs]
    keep = read.append
    try:
        for _ in repeat(None, size - 1):
            (name,) = downs  # (ValueError: none, or several)
            place(name)
            downs = successors[name]
            keep(downs)
    except ValueError:
        return None
    return None if downs else (order, read)


def _add(ready: list[str], names: list[str], heap: bool) -> bool:
    """Add `names` to `ready` (a heap, or a list sorted largest first); whether it is a heap now."""
    if heap:
        for name in names:
            heappush(ready, name)
        return True
    names.sort(reverse=True)
    if ready and ready[-1] < names[0]:  # (one of them comes after one waiting)
        ready += names
        ready.sort()
        return True
    ready += names
    return False
