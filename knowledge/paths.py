"""Where the knowledge sources and built artefacts live: absolute paths, from the settings
registry (FAMILY_HELP_CONTENT, FAMILY_HELP_BUILD, FAMILY_HELP_KB), read when asked for."""
from __future__ import annotations

from pathlib import Path

import settings

ROOT = settings.ROOT


def content_dir() -> Path:
    return settings.get("FAMILY_HELP_CONTENT")


def build_dir() -> Path:
    return settings.get("FAMILY_HELP_BUILD")


def kb_path() -> Path:
    """The SQLite knowledge base the actions read (FAMILY_HELP_KB, default knowledge.db in the build folder)."""
    return (settings.get("FAMILY_HELP_KB") or build_dir() / "knowledge.db").resolve()


def spacy_model_path() -> Path:
    return build_dir() / "spacy_model"


def patterns_path() -> Path:
    return build_dir() / "entity_patterns.jsonl"


def council_ids(folder: Path | None = None) -> tuple[str, ...]:
    """The councils the knowledge content covers: each folder with a council.yml (national is not
    a council). The one list of councils; the build and the triage queue both follow it."""
    folder = Path(folder) if folder else content_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.name for p in folder.iterdir()
                        if p.is_dir() and p.name != "national" and not p.name.startswith(("_", "."))
                        and (p / "council.yml").is_file()))
