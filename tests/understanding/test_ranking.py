"""Taking an intent away from a message: one rule for every component (understanding.ranking)."""
from __future__ import annotations

from understanding.ranking import FALLBACK, next_best

RANKING = [{"name": "safety", "confidence": 0.6}, {"name": FALLBACK, "confidence": 0.55},
           {"name": "s47_what", "confidence": 0.5}, {"name": "cin_what", "confidence": 0.1}]


def test_the_next_best_sure_intent_other_than_the_one_taken_away():
    assert next_best(RANKING, ("safety",), 0.45) == {"name": "s47_what", "confidence": 0.5}


def test_nlu_fallback_at_the_threshold_when_the_next_is_unsure():
    assert next_best(RANKING, ("safety",), 0.55) == {"name": FALLBACK, "confidence": 0.55}
    assert next_best([], ("safety",), 0.45) == {"name": FALLBACK, "confidence": 0.45}
