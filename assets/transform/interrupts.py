"""An interrupt (Ctrl-C, SIGTERM) that reaches a run while dagster-dbt reads dbt's output must stop the dbt step.

Inside a run, Dagster turns SIGINT and SIGTERM into a `DagsterExecutionInterruptedError` raised wherever the main
thread happens to be. dagster-dbt (0.29) parses each line of dbt's output inside a bare `try: ... except:` that
stands for "not JSON" (`DbtCliInvocation._stream_stdout`): an interrupt that lands there is swallowed, the line
is passed on as text, Dagster has already cleared its record of the interrupt, and dbt and the run go on to a
successful end. How often depends on how busy that loop is: seen once in the fault suite on a loaded machine, a
SIGTERM during the dbt build ending in exit 0.

`interrupt_watch` records every SIGINT/SIGTERM the process receives whatever handler is installed (Python writes
each signal's number to the `signal.set_wakeup_fd` pipe before running the handler), so the dbt asset can raise
the interrupt again after any event it passes on, if nothing raised it."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

from dagster._core.errors import DagsterExecutionInterruptedError

T = TypeVar("T")
INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


class InterruptWatch:
    """The interrupts received since the watch began (`received`); a no-op off the main thread."""

    def __init__(self, read_fd: int | None, forward_fd: int) -> None:
        self._read_fd = read_fd
        self._forward_fd = forward_fd  # a wakeup fd installed before ours still hears of every signal
        self._seen = False

    def received(self) -> bool:
        if self._read_fd is None:
            return False
        while True:
            try:
                data = os.read(self._read_fd, 512)
            except BlockingIOError:
                break
            if not data:
                break
            if self._forward_fd >= 0:
                with suppress(OSError):
                    os.write(self._forward_fd, data)
            self._seen = self._seen or any(number in INTERRUPTS for number in data)
        return self._seen


@contextmanager
def interrupt_watch() -> Iterator[InterruptWatch]:
    if threading.current_thread() is not threading.main_thread():  # only the main thread receives signals
        yield InterruptWatch(None, -1)
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    try:
        yield InterruptWatch(read_fd, previous)
    finally:
        signal.set_wakeup_fd(previous)
        os.close(read_fd)
        os.close(write_fd)


def raising_interrupts(events: Iterable[T]) -> Iterator[T]:
    """`events` passed on one by one; once an interrupt has arrived and nothing raised it, raise it."""
    with interrupt_watch() as watch:
        for event in events:
            yield event
            if watch.received():
                raise DagsterExecutionInterruptedError()
        if watch.received():
            raise DagsterExecutionInterruptedError()
