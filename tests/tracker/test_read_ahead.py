"""What an import holds in memory ahead of its writer is bounded in bytes, not only in documents: a folder or
archive of large files must not pile up (tracker.prefetch, tracker.importer)."""

import time
from collections.abc import Iterator

from tracker.importer import _Candidate, _prepared
from tracker.prefetch import prefetched

MB = 1024 * 1024


def test_the_reader_thread_stays_within_its_bytes() -> None:
    made: list[int] = []
    ahead: list[int] = []

    def source() -> Iterator[int]:
        yield from range(40)

    def work(i: int) -> bytes:
        made.append(i)
        return bytes(10)

    taken = 0
    for i, value in enumerate(prefetched(source(), work, depth=100, max_bytes=25, size=len)):
        time.sleep(0.002)  # a slow consumer: the thread would run far ahead if only the count bounded it
        taken += 1
        ahead.append(len(made) - taken)
        assert value == bytes(10) and i < 40
    assert taken == 40 and max(ahead) <= 3  # two in the queue (20 of 25 bytes), one more in the thread's hand


def test_one_item_larger_than_the_bound_still_passes() -> None:
    assert [len(v) for v in prefetched(iter([5, 50, 5]), bytes, max_bytes=10, size=len)] == [5, 50, 5]


def test_documents_in_flight_to_the_parsers_are_bounded_in_bytes() -> None:
    pulled: list[int] = []
    ahead: list[int] = []

    def candidates() -> Iterator[_Candidate]:
        for i in range(60):  # 60 documents of 0.5 MB: 30 MB, well under the 256 documents of the count bound
            pulled.append(i)
            yield _Candidate(f"/big/{i}.xml", b"<billStatus>" + b" " * (MB // 2), f"digest{i}", None)

    results = []
    for candidate, outcome in _prepared(candidates(), workers=2, parallel_min=256, batch_size=500,
                                        in_flight_bytes=4 * MB):
        results.append(candidate.locator)
        ahead.append(len(pulled) - len(results))
        assert isinstance(outcome, str)  # not a bill document: the parser's reason, as for any bad file
    assert results == [f"/big/{i}.xml" for i in range(60)]
    assert max(ahead) <= 16  # 4 MB of documents in flight, and the one chunk that passed it
