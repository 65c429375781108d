"""Run a generator in a background thread, a bounded number of items ahead of its consumer.

``tracker import`` reads archives this way: decompression (zlib) and hashing (hashlib) release the GIL, so a
reader thread overlaps them with the writer's SQLite statements (which release it too) instead of taking turns.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetched(source: Iterator[T], work: Callable[[T], U], depth: int = 256) -> Iterator[U]:
    """``work(item)`` for each item of ``source``, both run in a thread; results in order, at most ``depth`` ahead.

    An exception in the thread is raised here, in the consumer. If the consumer stops early (``close`` or an
    exception of its own), the thread stops at its next item.
    """
    items: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                items.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in source:
                if not put(work(item)):
                    return
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer, which raises it)
            put(_Failure(exc))
            return
        finally:
            close = getattr(source, "close", None)
            if close is not None and stop.is_set():
                close()  # release the archive's file handle when the consumer gave up
        put(_DONE)

    thread = threading.Thread(target=run, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            value = items.get()
            if value is _DONE:
                return
            if isinstance(value, _Failure):
                raise value.exc
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
