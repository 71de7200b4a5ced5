"""The app's full garbage collection waits for the learner to stop pressing keys."""

from __future__ import annotations

import asyncio
import gc

import pytest

from stepper.tui import idle_gc
from stepper.tui.idle_gc import DUE, IDLE, OVERDUE, IdleCollector
from tests.tui_helpers import make_app, settle


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A clock the test moves, and a collector that only counts (no real collection)."""
    now = [100.0]
    monkeypatch.setattr(idle_gc.time, "monotonic", lambda: now[0])
    return now


def pending(monkeypatch: pytest.MonkeyPatch, young: int) -> list[int]:
    runs: list[int] = []
    monkeypatch.setattr(idle_gc.gc, "get_count", lambda: (0, 0, young))
    monkeypatch.setattr(idle_gc.gc, "collect", lambda: runs.append(1) or 0)
    return runs


def test_start_holds_the_full_collection_back_and_stop_gives_it_back() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.start()
    try:
        young, middle, old = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert old > 10**9
    finally:
        collector.stop()
    assert gc.get_threshold() == before


def test_a_due_collection_waits_while_keys_come(
    clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = pending(monkeypatch, DUE)
    collector = IdleCollector()
    collector.touched()
    clock[0] += IDLE / 2
    assert not collector.look()
    collector.touched()
    clock[0] += IDLE / 2
    assert not collector.look()
    assert runs == []
    clock[0] += IDLE
    assert collector.look()
    assert runs == [1]
    assert collector.collected == 1


def test_nothing_runs_when_idle_but_not_due(
    clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = pending(monkeypatch, DUE - 1)
    collector = IdleCollector()
    clock[0] += 10 * IDLE
    assert not collector.look()
    assert runs == []


def test_an_overdue_collection_runs_even_while_keys_come(
    clock: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = pending(monkeypatch, OVERDUE)
    collector = IdleCollector()
    collector.touched()
    assert collector.look()
    assert runs == [1]


def test_the_app_holds_the_full_collection_back_while_it_runs_and_notes_each_key() -> None:
    """A key press tells the collector the learner is busy; leaving gives Python its
    thresholds back."""
    before = gc.get_threshold()

    async def main() -> None:
        app = make_app("backprop-1")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert gc.get_threshold()[2] > 10**9
            app.collector.last_input = 0.0
            await pilot.press("enter")
            assert app.collector.last_input > 0.0
        assert gc.get_threshold() == before

    asyncio.run(main())
