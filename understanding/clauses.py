"""Two questions in one message ("Who leads the core group, and what is it for?"): the message split
into its questions, so that each can be answered. Plain text rules, no model."""
from __future__ import annotations

import re
from typing import List

# A new question starts after a question mark, or at "and"/"also"/"plus"/"but" (after an optional
# comma) followed by a question word.
_QUESTION_WORD = (r"(?:what|what's|whats|who|who's|how|when|where|which|why|whose|is|are|do|does|did|can|could|"
                  r"will|would|should|has|have|if|wat|wot|hw|wen|"
                  # ...or one that starts with how long or from when ("and till when does the help go on?", "and at
                  # what age can she leave?")
                  r"till|until|by when|(?:at|from|up to|in) (?:what|which|how))")
_SPLIT = re.compile(r"(?<=\?)\s+(?=\S)|\s*[,;]?\s+\b(?:and|also|plus|but|n)\s+(?:then\s+|also\s+)?(?=" +
                    _QUESTION_WORD + r"\b)", re.IGNORECASE)
MIN_WORDS = 3
MAX_PARTS = 3


def clauses(text: str) -> List[str]:
    """The questions in the text, in order; the whole text when it holds only one. A piece too short
    to be a question on its own ("and?") stays with the one before."""
    parts: List[str] = []
    for piece in _SPLIT.split(" ".join(text.split())):
        piece = piece.strip(" ,;")
        if not piece:
            continue
        if parts and len(piece.split()) < MIN_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) < 2 or any(len(p.split()) < MIN_WORDS for p in parts):
        return [" ".join(text.split())]
    return parts[:MAX_PARTS]
