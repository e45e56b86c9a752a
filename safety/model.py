"""The safety layer's own model: two small linear classifiers (understanding.linear), trained only on
the safety layer's own labelled examples (safety/data/*.yml), never on the topic classifier's NLU
data. One says what kind of harm a message tells of (or none), the other who is speaking.

Built by `python -m safety.model` (make does it) into FAMILY_HELP_BUILD/safety_model.pkl and loaded
by the Rasa server's NLU pipeline (safety.component). Retraining or changing the topic model
cannot change it: nothing of the topic model goes in.
"""
from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

import yaml

from safety.kinds import KINDS, NONE, SPEAKERS, UNKNOWN
from understanding.linear import LinearTextModel

DATA_DIR = Path(__file__).with_name("data")
FILE_NAME = "safety_model.pkl"


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    speaker: str
    secret: bool = False


class DataError(ValueError):
    pass


def load_examples(folder: Path = DATA_DIR) -> List[Example]:
    """Every labelled example in the folder's YAML files, checked."""
    out: List[Example] = []
    for path in sorted(folder.glob("*.yml")):
        for i, item in enumerate((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []):
            where = f"{path.name} example {i + 1}"
            text, kind, speaker = str(item.get("text") or "").strip(), item.get("kind"), item.get("speaker")
            if not text:
                raise DataError(f"{where}: no text")
            if kind not in KINDS + (NONE,):
                raise DataError(f"{where}: unknown kind {kind!r}")
            if speaker not in SPEAKERS + (UNKNOWN,):
                raise DataError(f"{where}: unknown speaker {speaker!r}")
            out.append(Example(text, kind, speaker, bool(item.get("secret"))))
    if not out:
        raise DataError(f"no safety examples in {folder}")
    return out


def fingerprint(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.text}\t{e.kind}\t{e.speaker}\t{e.secret}\n".encode())
    return digest.hexdigest()[:16]


class SafetyModel:
    """Kind of harm and speaker, each a ranked list of (label, probability)."""

    def __init__(self) -> None:
        self.kinds = LinearTextModel()
        self.speakers = LinearTextModel()
        self.data_fingerprint = ""

    def fit(self, examples: Sequence[Example]) -> SafetyModel:
        self.kinds.fit([e.text for e in examples], [e.kind for e in examples])
        spoken = [e for e in examples if e.speaker != UNKNOWN]
        self.speakers.fit([e.text for e in spoken], [e.speaker for e in spoken])
        self.data_fingerprint = fingerprint(examples)
        return self

    def rank_kinds(self, text: str, top: int = 3) -> List[Tuple[str, float]]:
        return self.kinds.rank(text, top)

    def speaker(self, text: str) -> Tuple[str, float]:
        return self.speakers.rank(text, top=1)[0]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(self))
        tmp.replace(path)

    @staticmethod
    def load(path: Path) -> SafetyModel:
        model = pickle.loads(path.read_bytes())  # our own file, made by build() below
        if not isinstance(model, SafetyModel):
            raise DataError(f"{path} is not a safety model")
        return model


def default_path() -> Path:
    import settings

    return Path(settings.get("FAMILY_HELP_BUILD")) / FILE_NAME


def build(out: Optional[Path] = None, folder: Path = DATA_DIR) -> Path:
    examples = load_examples(folder)
    out = out or default_path()
    SafetyModel().fit(examples).save(out)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description="Train the safety layer's own model from safety/data.")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    # Run as `python -m safety.model`, this module is __main__: build with the importable one, so the
    # pickle names safety.model.SafetyModel (a __main__ class cannot be loaded by the Rasa server).
    from safety import model as importable

    try:
        examples = importable.load_examples()
        out = importable.build(args.out)
    except DataError as exc:
        print(f"safety model: {exc}", file=sys.stderr)
        return 1
    kinds = sum(e.kind != NONE for e in examples)
    print(f"safety model: {len(examples)} examples ({kinds} of harm), written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
