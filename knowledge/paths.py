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


def council_ids(content_dir: Path | None = None) -> tuple[str, ...]:
    """The councils the knowledge content covers: each folder with a council.yml (national is not
    a council). The one list of councils; the build and the triage queue both follow it."""
    folder = Path(content_dir or CONTENT_DIR)
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.name for p in folder.iterdir()
                        if p.is_dir() and p.name != "national" and not p.name.startswith(("_", "."))
                        and (p / "council.yml").is_file()))
