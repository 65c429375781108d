"""Run a generator in a background thread, a bounded number of items and bytes ahead of its consumer.

``tracker import`` reads archives this way: decompression (zlib) and hashing (hashlib) release the GIL, so a
reader thread overlaps them with the writer's SQLite statements (which release it too) instead of taking turns.
"""

import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
U = TypeVar("U")

_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetched(source: Iterator[T], work: Callable[[T], U], depth: int = 256, *,
               max_bytes: int | None = None, size: Callable[[U], int] = lambda _: 0) -> Iterator[U]:
    """``work(item)`` for each item of ``source``, both run in a thread; results in order, at most ``depth``
    ahead and, with ``max_bytes``, holding at most that many bytes by ``size`` (one item may exceed it alone:
    it waits until the consumer has taken everything before it).

    An exception in the thread is raised here, in the consumer. If the consumer stops early (``close`` or an
    exception of its own), the thread stops at its next item.
    """
    ready: deque[tuple[object, int]] = deque()
    held = [0]  # bytes in ``ready``
    changed = threading.Condition()
    stop = threading.Event()

    def put(value: object, nbytes: int = 0) -> bool:
        with changed:
            while not stop.is_set() and ready and (
                    len(ready) >= depth or (max_bytes is not None and held[0] + nbytes > max_bytes)):
                changed.wait(0.1)
            if stop.is_set():
                return False
            ready.append((value, nbytes))
            held[0] += nbytes
            changed.notify_all()
            return True

    def run() -> None:
        try:
            for item in source:
                value = work(item)
                if not put(value, size(value)):
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
            with changed:
                while not ready:
                    changed.wait()
                value, nbytes = ready.popleft()
                held[0] -= nbytes
                changed.notify_all()
            if value is _DONE:
                return
            if isinstance(value, _Failure):
                raise value.exc
            yield value  # type: ignore[misc]
    finally:
        with changed:
            stop.set()
            changed.notify_all()
        thread.join()
