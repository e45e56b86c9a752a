"""Two questions in one message, split into each question (understanding.clauses)."""
from __future__ import annotations

import pytest

from understanding.clauses import clauses


@pytest.mark.parametrize("text, parts", [
    ("Who runs the meeting, and what is it for?", ["Who runs the meeting", "what is it for?"]),
    ("what is early help? how do i get it?", ["what is early help?", "how do i get it?"]),
    ("is it voluntary and can i say no", ["is it voluntary", "can i say no"]),
    ("wat is a cin plan n how long does it last", ["wat is a cin plan", "how long does it last"]),
    # a second question that starts with how long or from when
    ("who runs the youth service, and till when can my son use it?",
     ["who runs the youth service", "till when can my son use it?"]),
    ("what does the leaving care team do and at what age does it start?",
     ["what does the leaving care team do", "at what age does it start?"]),
])
def test_each_question_is_found(text, parts):
    assert clauses(text) == parts


@pytest.mark.parametrize("text", ["what is a child in need plan", "my son and daughter are scared",
                                  "how long does it take and who decides", "tea and biscuits", "what?",
                                  "she lives with us and for what its worth she is happy"])
def test_one_question_stays_whole(text):
    assert clauses(text) == [text]
