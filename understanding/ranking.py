"""Taking an intent away from a message: the next best one, or nlu_fallback when that is unsure.
One rule for every component that does it (the safety layer, the CRO form's answers, the guard on
intents that cannot be undone)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List

FALLBACK = "nlu_fallback"
NAME, CONFIDENCE = "name", "confidence"  # Rasa's INTENT_NAME_KEY and PREDICTED_CONFIDENCE_KEY


def next_best(ranking: List[Dict[str, Any]], not_these: Iterable[str], threshold: float) -> Dict[str, Any]:
    """The best intent of the ranking that is not one of `not_these` (nor nlu_fallback), when it
    reaches the threshold; else nlu_fallback, at the threshold."""
    skip = set(not_these) | {FALLBACK}
    other = next((r for r in ranking if r.get(NAME) not in skip), None)
    if other and float(other.get(CONFIDENCE) or 0.0) >= threshold:
        return {NAME: other[NAME], CONFIDENCE: other[CONFIDENCE]}
    return {NAME: FALLBACK, CONFIDENCE: threshold}
