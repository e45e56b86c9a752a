"""Where the knowledge sources and built artefacts live (absolute paths, overridable)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTENT_DIR = Path(os.environ.get("FAMILY_HELP_CONTENT", ROOT / "knowledge"))
BUILD_DIR = Path(os.environ.get("FAMILY_HELP_BUILD", ROOT / "build"))


def kb_path() -> Path:
    """The SQLite knowledge base the actions read (env FAMILY_HELP_KB overrides)."""
    return Path(os.environ.get("FAMILY_HELP_KB", BUILD_DIR / "knowledge.db")).resolve()


def spacy_model_path() -> Path:
    return BUILD_DIR / "spacy_model"


def patterns_path() -> Path:
    return BUILD_DIR / "entity_patterns.jsonl"
