"""An interrupt swallowed by the code that streams a step's events still stops the run (assets/transform/interrupts.py).

The stream below parses its lines the way dagster-dbt's `DbtCliInvocation._stream_stdout` does, inside a bare
`except:`, and the interrupt is a real signal handled by Dagster's own interrupt machinery in a real in-process
run. Without the watch the run ends successfully (the premise: the interrupt is lost); with it the step fails as
interrupted."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import dagster as dg
import pytest

from assets.transform.interrupts import raising_interrupts

LINES = 6


def lines_parsed_like_dagster_dbt(interrupt_at: int) -> Iterator[object]:
    for i in range(LINES):
        try:
            if i == interrupt_at:
                # Python runs the handler (Dagster's: raise DagsterExecutionInterruptedError) right after this call
                os.kill(os.getpid(), signal.SIGTERM)
            yield {"line": i}
        except:  # noqa: E722 — exactly what dagster-dbt does around each line
            yield f"line {i}"


def run(watched: bool) -> dg.ExecuteInProcessResult:
    @dg.asset
    def streamed() -> int:
        events = lines_parsed_like_dagster_dbt(interrupt_at=2)
        return sum(1 for _ in (raising_interrupts(events) if watched else events))

    return dg.materialize([streamed], raise_on_error=False)


@pytest.fixture
def no_interrupt_escapes():
    """Anything that escaped Dagster would end the test session: record it instead."""
    escaped: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: escaped.append(signum))
    try:
        yield escaped
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_unwatched_the_interrupt_is_lost(no_interrupt_escapes):
    result = run(watched=False)
    assert result.success and result.output_for_node("streamed") == LINES
    assert no_interrupt_escapes == []


def test_watched_the_step_fails_as_interrupted(no_interrupt_escapes):
    result = run(watched=True)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_failure_data.error.cls_name == "DagsterExecutionInterruptedError"
    assert no_interrupt_escapes == []


def test_watch_passes_events_through_and_restores_the_wakeup_fd():
    before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(before)
    assert list(raising_interrupts(iter(range(3)))) == [0, 1, 2]
    assert signal.set_wakeup_fd(before) == before
