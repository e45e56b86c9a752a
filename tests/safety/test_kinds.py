"""Which responses a safety reply is made of, for each kind of harm and each speaker (safety.kinds)."""
from __future__ import annotations

import pytest

from safety import kinds


@pytest.mark.parametrize("kind", kinds.KINDS + (kinds.SECRET,))
@pytest.mark.parametrize("speaker", kinds.SPEAKERS + (kinds.UNKNOWN,))
@pytest.mark.parametrize("own", [True, False])
def test_every_reply_is_honest_about_being_a_computer_and_lets_the_person_carry_on(domain, kind, speaker, own):
    plan = kinds.plan(kind, speaker, own=own)
    assert set(plan) <= set(domain["responses"])
    assert len(plan) == len(set(plan))
    assert {"utter_safety_computer", "utter_safety_secret"} & set(plan)
    assert plan[-1] == "utter_safety_carry_on"
    assert len(plan) <= 7


@pytest.mark.parametrize("kind, first", [
    ("danger_now", "utter_safety_danger_now"), ("self_harm", "utter_safety_self_harm"),
    ("online_sexual_harm", "utter_safety_online"), ("carer_breaking_point", "utter_safety_breaking_point"),
    ("homeless", "utter_safety_homeless"), ("sexual_abuse", "utter_safety_thanks"),
])
def test_the_reply_leads_with_what_the_kind_of_harm_needs(kind, first):
    assert kinds.plan(kind, "young_person")[0] == first


def test_a_parent_whose_child_is_at_risk_online_gets_ceop_not_the_young_persons_lines():
    plan = kinds.plan("online_sexual_harm", "parent")
    assert "utter_safety_online_adult" in plan and "utter_safety_online" not in plan
    assert "utter_safety_report_remove" not in plan and "utter_safety_adult_council" in plan


def test_a_carer_at_breaking_point_gets_a_helpline_then_the_council():
    for speaker in ("parent", "foster_or_kinship_carer"):
        plan = kinds.plan("carer_breaking_point", speaker)
        assert plan.index("utter_safety_breaking_point_help") < plan.index("utter_safety_adult_council")
        assert "utter_safety_childline" not in plan
    # not knowing who: a child may be telling it of their parent, so Childline and the council both
    plan = kinds.plan("carer_breaking_point", kinds.UNKNOWN)
    assert "utter_safety_childline" in plan and "utter_safety_trusted_adult" in plan


def test_an_adult_living_with_domestic_abuse_gets_the_national_helpline_then_the_council():
    for speaker in ("parent", "neighbour_or_relative"):
        plan = kinds.plan("domestic_abuse", speaker)
        assert plan.index("utter_safety_domestic_abuse") < plan.index("utter_safety_adult_council")
    # a child or young person who sees it at home gets Childline, not an adults' helpline
    plan = kinds.plan("domestic_abuse", "young_person")
    assert "utter_safety_childline" in plan and "utter_safety_domestic_abuse" not in plan


def test_a_friend_gets_childline_and_a_trusted_adult_not_the_professionals_steps():
    plan = kinds.plan("physical_abuse", "friend")
    assert "utter_safety_friend" in plan
    assert not {"utter_safety_professional", "utter_safety_adult_council"} & set(plan)


def test_a_friend_telling_of_a_parent_at_breaking_point_gets_the_councils_help_for_the_child_too():
    plan = kinds.plan("carer_breaking_point", "friend")
    assert "utter_safety_friend" in plan and "utter_safety_adult_council" in plan


def test_a_professional_gets_their_procedure():
    plan = kinds.plan("neglect", "professional")
    assert plan[:2] == ["utter_safety_thanks_adult", "utter_safety_danger_line"]
    assert "utter_safety_professional" in plan and "utter_safety_childline" not in plan


def test_asked_for_a_secret_the_reply_says_it_cannot_keep_one_instead_of_the_computer_line():
    plan = kinds.plan("sexual_abuse", "young_person", secret=True)
    assert "utter_safety_secret" in plan and "utter_safety_computer" not in plan


@pytest.mark.parametrize("this, earlier, audience, expected", [
    ("parent", ["professional"], "young_person", "parent"),
    ("unknown", ["professional", "unknown"], None, "professional"),
    ("unknown", ["friend", "parent", None], None, "parent"),
    ("unknown", [], "young_person", "young_person"),
    (None, [], None, "unknown"),
    ("unknown", [], "nonsense", "unknown"),
])
def test_who_is_speaking_this_message_then_earlier_then_the_page(this, earlier, audience, expected):
    assert kinds.speaker_for(this, earlier, audience) == expected


def test_a_second_kind_of_harm_adds_its_own_help():
    plan = kinds.plan("danger_now", "young_person", also="online_sexual_harm")
    assert plan[:2] == ["utter_safety_danger_now", "utter_safety_online"]
    assert "utter_safety_online_adult" in kinds.plan("physical_abuse", "parent", also="online_sexual_harm")
    assert "utter_safety_samaritans" in kinds.plan("online_sexual_harm", "friend", also="self_harm")
    assert kinds.plan("self_harm", "friend", also=["self_harm"]) == kinds.plan("self_harm", "friend")
    both = kinds.plan("danger_now", "parent", also=["self_harm", "online_sexual_harm"])
    assert "utter_safety_samaritans" in both and "utter_safety_online_adult" in both


def test_domestic_abuse_beside_danger_now_adds_the_helpline_for_an_adult_only():
    adult = kinds.plan("danger_now", "parent", also="domestic_abuse")
    assert adult[:2] == ["utter_safety_danger_now", "utter_safety_domestic_abuse"]
    young = kinds.plan("danger_now", "young_person", also="domestic_abuse")
    assert "utter_safety_domestic_abuse" not in young and "utter_safety_childline" in young


@pytest.mark.parametrize("speaker", ["friend", "parent", "foster_or_kinship_carer", "professional"])
def test_someone_telling_of_anothers_self_harm_gets_how_to_help_them_not_have_you_hurt_yourself(speaker):
    plan = kinds.plan("self_harm", speaker, own=False)
    assert plan[0] == "utter_safety_self_harm_other" and "utter_safety_self_harm" not in plan
    # their own thoughts ("they'd be better off without me") get the reply for them
    assert kinds.plan("self_harm", speaker, own=True)[0] == "utter_safety_self_harm"
    # a young person, or someone unknown, always gets the reply for themselves first
    assert kinds.plan("self_harm", "young_person", own=False)[0] == "utter_safety_self_harm"
    assert kinds.plan("self_harm", kinds.UNKNOWN, own=False)[0] == "utter_safety_self_harm"


def test_an_adult_telling_of_a_child_with_nowhere_to_sleep_is_not_asked_if_they_have_nowhere():
    assert kinds.plan("homeless", "professional")[0] == "utter_safety_homeless_other"
    assert kinds.plan("homeless", "young_person")[0] == "utter_safety_homeless"


@pytest.mark.parametrize("kind", kinds.KINDS + (kinds.SECRET,))
@pytest.mark.parametrize("speaker", kinds.SPEAKERS + (kinds.UNKNOWN,))
@pytest.mark.parametrize("secret", [True, False])
def test_a_reply_goes_out_in_at_most_three_bubbles_with_every_line_in_order(kind, speaker, secret):
    plan = kinds.plan(kind, speaker, secret, also="online_sexual_harm")
    grouped = kinds.bubbles(plan)
    assert [line for bubble in grouped for line in bubble] == plan
    assert len(grouped) <= 3
    assert grouped[-1][-1] == "utter_safety_carry_on"


def test_the_harm_the_speaker_and_the_closing_lines_are_bubbles_of_their_own():
    assert kinds.bubbles(kinds.plan("neglect", "professional")) == [
        ["utter_safety_thanks_adult", "utter_safety_danger_line"],
        ["utter_safety_professional", "utter_safety_professional_dont"],
        ["utter_safety_computer", "utter_safety_carry_on"]]


def test_who_was_heard_earlier_wins_over_a_guess_but_not_over_words():
    assert kinds.speaker_for("friend", ["parent"], guessed=True) == "parent"
    assert kinds.speaker_for("friend", ["parent"]) == "friend"
    assert kinds.speaker_for("friend", [None], guessed=True) == "friend"
