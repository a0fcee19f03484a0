"""The order the workers take the tests in (conftest.py): every test once, and each
worker's run of consecutive tests starts with its share of the long ones."""

from dataclasses import dataclass

from conftest import FIRST, _dealt


@dataclass(frozen=True)
class Item:
    nodeid: str


def _runs(order: list, workers: int) -> list[list]:
    """The runs pytest-xdist's worksteal hands out at the start: len // workers to the
    first, len(rest) // (workers - 1) to the next..."""
    runs, rest = [], list(order)
    for w in range(workers):
        size = len(rest) // (workers - w)
        runs.append(rest[:size])
        rest = rest[size:]
    return runs


def test_each_worker_starts_with_its_share_of_the_long_tests_and_none_is_lost():
    long = [Item(f"{FIRST[i % len(FIRST)]}x.py::test_{i}") for i in range(40)]
    short = [Item(f"src/escalade/app/tests/test_{i}.py::test") for i in range(500)]
    items = long + short
    for workers in (2, 3, 4):
        order = _dealt(items, workers)
        assert sorted(i.nodeid for i in order) == sorted(i.nodeid for i in items)
        for run in _runs(order, workers):
            mine = [i for i in run if i in long]
            assert len(mine) in (40 // workers, 40 // workers + 1)
            assert run[: len(mine)] == mine  # first in the run
    # mostly long tests (a run of the browser tests alone): the order they had
    assert _dealt(long, 3) == long
    # fewer tests than workers (a -k run): each still once
    assert sorted(i.nodeid for i in _dealt(short[:2], 3)) == sorted(i.nodeid for i in short[:2])
    assert _dealt(long[:1] + short[:1], 3) == long[:1] + short[:1]
