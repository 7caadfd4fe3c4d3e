"""Calls made at the same moment, as separate processes would make them: each in a thread of
its own with its own app context (so its own session and connection), all released together
by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(app, calls: list[Callable[[], Any]], *, timeout: float = 120) -> list[Any]:
    """What each call returned, in the order of `calls`; the first exception a call raised is
    raised here (a thread's own would be lost), and TimeoutError when a call is still running
    after `timeout` seconds."""
    start = threading.Barrier(len(calls), timeout=30)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            with app.app_context():
                start.wait()
                results[index] = call()
        except BaseException as exc:  # raised by the calling thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    if running := sum(thread.is_alive() for thread in threads):
        raise TimeoutError(f"{running} of {len(calls)} calls still running after {timeout} s")
    return [results[i] for i in range(len(calls))]
