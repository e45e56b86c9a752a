"""The linear second opinion (understanding/linear.py, understanding/topic_model.py)."""
from __future__ import annotations

from understanding.linear import LinearTextModel
from understanding.topic_model import TopicModel

EXAMPLES = [
    ("how long does an assessment take", "assessment_length"), ("how many days is the assessment", "assessment_length"),
    ("when will the assessment finish", "assessment_length"), ("what is early help", "early_help_what"),
    ("tell me about early help", "early_help_what"), ("early help meaning", "early_help_what"),
    ("a friend is looking after my child", "private_fostering"),
    ("my kid is staying with a family friend", "private_fostering"),
    ("someone else is caring for my child for weeks", "private_fostering"),
]


def model() -> LinearTextModel:
    return LinearTextModel().fit([t for t, _ in EXAMPLES], [label for _, label in EXAMPLES])


def test_it_ranks_the_right_topic_first_for_new_wording():
    ranked = model().rank("my child is living with a friend of ours for two months")
    assert ranked[0][0] == "private_fostering"
    assert len(ranked) == 3 and ranked[0][1] >= ranked[1][1] >= ranked[2][1]


def test_the_same_examples_give_the_same_model():
    a, b = model(), model()
    for text in ("assessment days", "what's early help about", "nan is looking after him"):
        assert a.rank(text) == b.rank(text)


def test_the_component_adds_its_three_best_topics(tmp_path):
    component = TopicModel(None, None, model())
    out = component.output(component._model, "how long is the assessment")
    assert out[0]["name"] == "assessment_length" and len(out) == 3
    assert all(0 <= r["confidence"] <= 1 for r in out)
