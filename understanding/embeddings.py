"""Dense sentence vectors from static pretrained token embeddings: WordLlama's `l2_supercat` at
256 dimensions (a 32000 x 256 table, one row per token of the Llama-2 vocabulary), shipped in the
PyPI package `wordllama` and unpacked into build/embeddings by bot/fetch_embeddings.sh.

A text's vector is what WordLlama's own inference does (wordllama/inference.py: `embed(norm=True)`):
the text is tokenized with the Llama-2 BPE tokenizer without special tokens, its token rows are
averaged (float32, no weighting), and the mean is scaled to unit length. A text with no tokens
(empty) gets the zero vector, where WordLlama would divide by zero.

WordLlama's Python code needs pydantic 2 and numpy 2, which Rasa 3.6 cannot have, so it is not
installed: this module reads its two data files itself. The tokenizer is a small reader of the
Hugging Face tokenizers JSON for exactly this configuration (BPE over the whole text with byte
fallback, '\u2581' for spaces and in front, the special tokens cut out first); it gives the same ids
as the `tokenizers` library (checked on every NLU example and on awkward input when it was written).

Nothing is read at import time. `Embeddings.shared(directory)` gives one loaded copy per directory
per process, and a pickled `Embeddings` is only its directory and a fingerprint of its weights: a
trained model that uses it does not carry the 16 MB table, and loads it from build/embeddings.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

WEIGHTS_FILE = "l2_supercat_256.safetensors"
TOKENIZER_FILE = "l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
SPACE = "\u2581"


def default_directory() -> Path:
    """build/embeddings in this repository (where bot/fetch_embeddings.sh puts the two files)."""
    return Path(__file__).resolve().parents[1] / "build" / "embeddings"


class MissingEmbeddings(FileNotFoundError):
    pass


class BPETokenizer:
    """The Llama-2 BPE of a Hugging Face tokenizers JSON, as `Tokenizer.encode(text,
    add_special_tokens=False).ids` gives it, for the configuration WordLlama ships: added tokens
    matched on the raw text first; each other piece normalised (prefix '\u2581', spaces to '\u2581')
    and merged as one word by merge rank (lowest first, then leftmost), as the library does;
    a character missing from the vocabulary falls back to its UTF-8 bytes (<0xNN>)."""

    def __init__(self, config: dict) -> None:
        model = config["model"]
        if model.get("type") != "BPE" or not model.get("byte_fallback"):
            raise ValueError("expected a BPE tokenizer with byte fallback (the Llama-2 tokenizer)")
        if model.get("continuing_subword_prefix") or model.get("end_of_word_suffix") or config.get("pre_tokenizer"):
            raise ValueError("this tokenizer configuration is not the one this reader follows")
        self.vocab: Dict[str, int] = model["vocab"]
        self.unk = self.vocab.get(model.get("unk_token") or "", None)
        self.merges: Dict[Tuple[int, int], Tuple[int, int]] = {}
        for rank, merge in enumerate(model["merges"]):
            left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
            self.merges[(self.vocab[left], self.vocab[right])] = (rank, self.vocab[left + right])
        self.bytes = [self.vocab.get(f"<0x{b:02X}>") for b in range(256)]
        self.added = {t["content"]: t["id"] for t in config.get("added_tokens", [])}
        for t in config.get("added_tokens", []):
            if t.get("normalized") or t.get("single_word") or t.get("lstrip") or t.get("rstrip"):
                raise ValueError("this reader expects added tokens matched verbatim")
        names = sorted(self.added, key=len, reverse=True)
        self.split = re.compile("(" + "|".join(map(re.escape, names)) + ")") if names else None
        self.normalise = self._normaliser(config.get("normalizer"))
        self._word = lru_cache(maxsize=50_000)(self._merge_word)

    @staticmethod
    def _normaliser(spec: Optional[dict]):
        steps = spec["normalizers"] if spec and spec.get("type") == "Sequence" else [spec] if spec else []
        known = [{"type": "Prepend", "prepend": SPACE},
                 {"type": "Replace", "pattern": {"String": " "}, "content": SPACE}]
        if steps != known:
            raise ValueError(f"unexpected normaliser {spec!r}")
        return lambda text: SPACE + text.replace(" ", SPACE) if text else text

    def encode(self, text: str) -> List[int]:
        ids: List[int] = []
        pieces = self.split.split(text) if self.split else [text]
        for piece in pieces:
            if not piece:
                continue
            if piece in self.added:
                ids.append(self.added[piece])
            else:
                ids.extend(self._word(self.normalise(piece)))
        return ids

    def _merge_word(self, word: str) -> Tuple[int, ...]:
        symbols: List[int] = []
        for char in word:
            token = self.vocab.get(char)
            if token is not None:
                symbols.append(token)
                continue
            fallback = [self.bytes[b] for b in char.encode("utf-8")]
            if all(t is not None for t in fallback):
                symbols.extend(fallback)  # type: ignore[arg-type]
            elif self.unk is not None and not (symbols and symbols[-1] == self.unk):  # fuse_unk
                symbols.append(self.unk)
        n = len(symbols)
        nxt = list(range(1, n + 1))
        prev = list(range(-1, n - 1))
        alive = [True] * n
        heap = []
        for i in range(n - 1):
            found = self.merges.get((symbols[i], symbols[i + 1]))
            if found:
                heap.append((found[0], i, found[1]))
        heapq.heapify(heap)
        while heap:
            rank, i, new = heapq.heappop(heap)
            j = nxt[i]
            if not alive[i] or j >= n:
                continue
            found = self.merges.get((symbols[i], symbols[j]))
            if not found or found[1] != new:
                continue  # stale: one of the two has merged since this entry was queued
            symbols[i] = new
            alive[j] = False
            nxt[i] = nxt[j]
            if nxt[j] < n:
                prev[nxt[j]] = i
            if prev[i] >= 0:
                found = self.merges.get((symbols[prev[i]], new))
                if found:
                    heapq.heappush(heap, (found[0], prev[i], found[1]))
            if nxt[i] < n:
                found = self.merges.get((new, symbols[nxt[i]]))
                if found:
                    heapq.heappush(heap, (found[0], i, found[1]))
        return tuple(s for s, a in zip(symbols, alive, strict=True) if a)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embeddings:
    """`vectors(texts)`: one unit-length 256-dim row per text (zeros for an empty one)."""

    def __init__(self, directory: Union[str, Path, None] = None) -> None:
        from safetensors.numpy import load_file

        self.directory = None if directory is None else Path(directory).resolve()
        folder = self.directory or default_directory()
        weights, tokenizer = folder / WEIGHTS_FILE, folder / TOKENIZER_FILE
        for path in (weights, tokenizer):
            if not path.is_file():
                raise MissingEmbeddings(f"{path} is missing: run bot/fetch_embeddings.sh")
        self.sha256 = file_sha256(weights)
        # Kept as stored (float16, 16 MB); rows are widened to float32 when gathered, which is exact.
        self.table: np.ndarray = load_file(str(weights))[TENSOR]
        if self.table.ndim != 2:
            raise ValueError(f"{weights}: expected a 2-D table under {TENSOR!r}")
        self.tokenizer = BPETokenizer(json.loads(tokenizer.read_text(encoding="utf-8")))

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def token_ids(self, text: str) -> List[int]:
        return self.tokenizer.encode(text)

    def vectors(self, texts: Iterable[str]) -> np.ndarray:
        encoded = [self.tokenizer.encode(str(t)) for t in texts]
        lengths = np.fromiter((len(ids) for ids in encoded), dtype=np.int64, count=len(encoded))
        out = np.zeros((len(encoded), self.dim), dtype=np.float32)
        if not lengths.any():
            return out
        flat = np.fromiter((i for ids in encoded for i in ids), dtype=np.int64, count=int(lengths.sum()))
        np.clip(flat, 0, self.table.shape[0] - 1, out=flat)  # as WordLlama does with an id past the table
        rows = self.table[flat].astype(np.float32)
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        out[nonempty] = np.add.reduceat(rows, starts, axis=0) / lengths[nonempty, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    # One loaded copy per directory per process; pickled as a reference to it.
    _shared: Dict[Optional[Path], Embeddings] = {}
    _lock = threading.Lock()

    @classmethod
    def shared(cls, directory: Union[str, Path, None] = None) -> Embeddings:
        key = None if directory is None else Path(directory).resolve()
        with cls._lock:
            if key not in cls._shared:
                cls._shared[key] = cls(key)
            return cls._shared[key]

    def __reduce__(self):
        return _restore, (None if self.directory is None else str(self.directory), self.sha256)


def _restore(directory: Optional[str], sha256: str) -> Embeddings:
    embeddings = Embeddings.shared(directory)
    if embeddings.sha256 != sha256:
        raise ValueError(f"the embeddings in {directory or default_directory()} are not the ones this model was "
                         f"trained with (sha256 {embeddings.sha256[:12]}..., expected {sha256[:12]}...): retrain it")
    return embeddings


def vectors(texts: Sequence[str], directory: Union[str, Path, None] = None) -> np.ndarray:
    return Embeddings.shared(directory).vectors(texts)
