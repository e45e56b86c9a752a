"""Build the project's own spaCy pipeline (no pretrained model can be installed here).

    python -m knowledge.nlp [--patterns FILE] [--out DIR]

English tokenizer, a lookup lemmatizer with tables from spacy-lookups-data, and an
entity ruler fed with the patterns the knowledge build writes (councils, glossary terms,
services, stages). Rasa's SpacyNLP component loads it from the output path.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from knowledge import paths


def build_pipeline(patterns: list[dict]):
    import spacy  # imported here: building is a command, not an import-time side effect

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    nlp.initialize()
    ruler.add_patterns(patterns)
    nlp.meta["name"] = "family_help"
    nlp.meta["description"] = "Tokenizer, lookup lemmatizer and knowledge-base entity ruler for the assistant"
    return nlp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patterns", type=Path, default=paths.patterns_path())
    ap.add_argument("--out", type=Path, default=paths.spacy_model_path())
    args = ap.parse_args(argv)
    if not args.patterns.exists():
        print(f"{args.patterns} not found: build the knowledge base first (python -m knowledge.build)", file=sys.stderr)
        return 1
    patterns = [json.loads(line) for line in args.patterns.read_text(encoding="utf-8").splitlines() if line.strip()]
    nlp = build_pipeline(patterns)
    nlp.to_disk(args.out)
    print(f"spaCy pipeline with {len(patterns)} entity patterns -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
