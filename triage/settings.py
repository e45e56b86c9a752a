"""Whole-number settings read from the environment, with a clear error for a bad value."""
from __future__ import annotations

import os


def whole_number(name: str, default: int, unit: str) -> int:
    """The environment variable ``name`` as a whole number >= 1 (``default`` when unset or empty).
    Raises ValueError naming the variable and the unit when it is anything else."""
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of {unit}, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value
