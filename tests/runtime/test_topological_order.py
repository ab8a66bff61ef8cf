"""specrun/runtime/topological_order.py: Kahn's order, smallest ready name first."""

from __future__ import annotations

import heapq
import random

import pytest

from specrun.runtime.topological_order import kahn_order, path_order


def _tables(edges: list[tuple[str, str]], names: list[str]) -> tuple[list, dict, dict]:
    waiting = {name: 0 for name in names}
    successors: dict[str, list[str]] = {name: [] for name in names}
    for up, down in edges:
        successors[up].append(down)
        waiting[down] += 1
    return [name for name in names if not waiting[name]], waiting, successors


def _heap_order(ready: list, waiting: dict, successors: dict) -> list[str]:
    """The heap-driven Kahn's algorithm kahn_order replaced."""
    heapq.heapify(ready)
    order = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for down in successors[name]:
            waiting[down] -= 1
            if not waiting[down]:
                heapq.heappush(ready, down)
    return order


def _order(edges: list[tuple[str, str]], names: list[str]) -> list[str]:
    return kahn_order(*_tables(edges, names))


def test_a_chain_fan_out_and_fan_in_come_in_dependency_then_name_order():
    assert _order([("b", "a"), ("a", "c")], ["b", "a", "c"]) == ["b", "a", "c"]
    leaves = ["leaf_1", "leaf_10", "leaf_2", "leaf_9"]
    assert _order([("root", x) for x in leaves], ["root", *leaves]) == ["root", *sorted(leaves)]
    assert _order([(x, "join") for x in leaves], [*leaves, "join"]) == [*sorted(leaves), "join"]


def test_a_name_made_ready_after_a_smaller_one_waits_comes_in_name_order():
    # z's successor "c" sorts after "b", which waits from the start: the list becomes a heap.
    assert _order([("a", "z"), ("z", "c")], ["a", "b", "z", "c"]) == ["a", "b", "z", "c"]
    assert _order([("a", "y"), ("a", "x"), ("x", "d")], ["a", "c", "x", "y", "d"]) == [
        "a", "c", "x", "d", "y"]


def test_a_cycle_leaves_its_names_out():
    assert _order([("a", "b"), ("b", "c"), ("c", "b")], ["a", "b", "c"]) == ["a"]
    assert _order([], []) == []


@pytest.mark.parametrize("seed", range(40))
def test_the_order_is_the_heap_driven_algorithms_on_random_graphs(seed):
    rnd = random.Random(seed)
    for _ in range(50):
        n = rnd.randint(0, 60)
        names = [f"n{rnd.randint(0, 10 ** 6)}_{i}" for i in range(n)]
        density = rnd.choice([0.02, 0.05, 0.2, 0.5])
        edges = [(names[i], names[j]) for j in range(n) for i in range(j) if rnd.random() < density]
        if edges and rnd.random() < 0.2:  # a cycle, now and then
            up, down = rnd.choice(edges)
            edges.append((down, up))
        expected = _heap_order(*_tables(edges, names))
        assert _order(edges, names) == expected


def test_a_path_whose_names_sort_apart_from_it_is_walked_in_kahns_order():
    names = [f"a_{i}" for i in range(12)]  # a_0, a_1, ..., a_11: sorted, a_10 comes before a_2
    ready, waiting, successors = _tables(list(zip(names, names[1:])), sorted(names))
    assert path_order(ready, successors, len(waiting)) == names == kahn_order(ready, waiting, successors)


@pytest.mark.parametrize("edges, names", [
    ([("a", "b"), ("b", "c"), ("c", "b")], ["a", "b", "c"]),  # a cycle at its end
    ([("a", "c"), ("c", "b"), ("c", "d")], ["a", "b", "c", "d"]),  # a branch
    ([("a", "b")], ["a", "b", "c"]),  # a second root
    ([("a", "b"), ("c", "b")], ["a", "b", "c"]),  # b waits on two
    ([], [])])
def test_a_graph_that_is_not_a_path_is_left_to_kahns(edges, names):
    ready, waiting, successors = _tables(edges, names)
    assert path_order(ready, successors, len(waiting)) is None


@pytest.mark.parametrize("seed", range(10))
def test_a_path_is_walked_wherever_kahns_order_is_one_path(seed):
    rnd = random.Random(seed)
    for _ in range(50):
        names = [f"n{rnd.randint(0, 10 ** 6)}_{i}" for i in range(rnd.randint(1, 30))]
        chained = rnd.sample(names, len(names))
        edges = list(zip(chained, chained[1:]))
        if rnd.random() < 0.5:  # another edge: a shortcut, a cycle or a branch
            edges.append(tuple(rnd.sample(names, 2)) if len(names) > 1 else (names[0], names[0]))
        ready, waiting, successors = _tables(edges, names)
        walked = path_order(ready, successors, len(waiting))
        expected = _heap_order(*_tables(edges, names))
        one_path = len(expected) == len(names) and all(
            successors[a] == [b] for a, b in zip(expected, expected[1:])) and not successors[expected[-1]]
        assert walked == (expected if one_path else None)
