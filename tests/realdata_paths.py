"""Where the real feed files are: ``TRACKER_REALDATA``, default ``../shared/realdata`` beside the repository.

Tests read them in place and skip with the reason when they are absent, so a fresh clone still passes.
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def realdata_dir() -> Path:
    value = os.environ.get("TRACKER_REALDATA")
    return Path(value) if value else (REPO_ROOT.parent / "shared" / "realdata").resolve()


def require_realdata(*parts: str) -> Path:
    path = realdata_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not found at {path}; set TRACKER_REALDATA to the shared realdata folder")
    return path
