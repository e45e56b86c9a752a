"""The topic rules are made from the topic index (knowledge.rules) and the committed file is up to date."""
from __future__ import annotations

import yaml

from knowledge import rules


def test_the_committed_topic_rules_are_the_ones_made_from_the_index():
    assert rules.RULES_FILE.read_text(encoding="utf-8") == rules.render(), "run `make rules`"


def test_every_topic_is_answered_then_its_own_steps(tmp_path):
    index = tmp_path / "topics.yml"
    index.write_text(yaml.safe_dump({"topics": [
        {"id": "a_topic", "title": "A", "area": "x"},
        {"id": "b_topic", "title": "B", "area": "x", "then": ["utter_offer_cro"]}]}))
    made = yaml.safe_load(rules.render(index))["rules"]
    assert made == [
        {"rule": "answer a_topic", "steps": [{"intent": "a_topic"}, {"action": "action_answer_topic"}]},
        {"rule": "answer b_topic", "steps": [{"intent": "b_topic"}, {"action": "action_answer_topic"},
                                             {"action": "utter_offer_cro"}]}]


def test_a_step_that_sets_a_slot_the_rules_read_has_one_rule_for_each_value(tmp_path):
    # the CRO offer: a "yes" takes it up only when it was made (data/rules/cro_request.yml)
    index = tmp_path / "topics.yml"
    index.write_text(yaml.safe_dump({"topics": [
        {"id": "c_topic", "title": "C", "area": "x", "then": ["action_offer_cro"]}]}))
    made = yaml.safe_load(rules.render(index))["rules"]
    assert [r["steps"][-1] for r in made] == [{"slot_was_set": [{"cro_available": True}]},
                                              {"slot_was_set": [{"cro_available": False}]}]
    assert all(r["steps"][:3] == [{"intent": "c_topic"}, {"action": "action_answer_topic"},
                                  {"action": "action_offer_cro"}] for r in made)
    assert "&id" not in rules.render(index)  # plain YAML, no anchors
