"""Shared fixtures. Real public data is read from ../shared/data and tests skip cleanly without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_file(rel: str) -> Path:
    """Path of a file in ../shared/data, or skip the test when it is absent."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared data not available: {rel}")
    return p


@pytest.fixture
def shared():
    return shared_file
