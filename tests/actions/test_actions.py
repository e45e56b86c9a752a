"""Each custom action with a real Tracker, a CollectingDispatcher and the real content:
the events it returns and the messages it sends."""
from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from knowledge import followup
from safety import kinds
from safety.fallback import response_text
from safety.replies import safety_values
from tests.conftest import responses_sent, texts


def flat(s: str) -> str:
    return "".join(s.lower().split())


@pytest.mark.parametrize("council, intent, must, must_not", [
    (None, "assessment_length", ["45 working days"], []),
    ("coventry", "mash_contact", ["024 7678 8555", "024 7683 2222"], []),
    ("coventry", "mash_decision_time", ["1 working day"], []),
    ("coventry", "assessment_child_seen", ["5 working days"], []),
    ("coventry", "cin_first_meeting", ["10 working days"], []),
    ("coventry", "complaints", ["08085 834 333", "CLYPCustomerrelations@coventry.gov.uk"], []),
    ("coventry", "cro", ["0800 0272 118"], []),
    ("coventry", "family_hubs", ["8"], []),
    ("hampshire", "assessment_length", ["15 days"], ["45 working days"]),
    ("hampshire", "s47_length", ["15 working days"], []),
    ("bolton", "looked_after", ["16"], []),
    ("bolton", "leaving_care", ["23"], []),
    (None, "core_group", ["10 working days"], []),
    (None, "review_conference", ["3 months", "three months"], []),
])
async def test_answer_topic_gives_the_councils_facts(make_tracker, dispatcher, domain, council, intent, must, must_not):
    slots = {"council": council} if council else {}
    events = await actions.ActionAnswerTopic().run(dispatcher, make_tracker(intent, slots=slots), domain)
    said = flat(texts(dispatcher))
    if intent == "review_conference":
        assert any(flat(m) in said for m in must), said
    else:
        for m in must:
            assert flat(m) in said, said
    for m in must_not:
        assert flat(m) not in said
    assert events == [SlotSet("topic", intent)]


async def test_council_from_metadata_and_from_the_message(make_tracker, dispatcher, domain):
    tracker = make_tracker("assessment_length", metadata={"council": "hampshire"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "15days" in flat(texts(dispatcher))

    d2 = CollectingDispatcher()
    tracker = make_tracker("assessment_length", text="how long in bolton?",
                           entities=[{"entity": "council", "value": "Bolton"}], metadata={"council": "hampshire"})
    events = await actions.ActionAnswerTopic().run(d2, tracker, domain)
    assert SlotSet("council", "bolton") in events
    assert "15days" not in flat(texts(d2))


async def test_a_council_named_inside_a_service_s_name_is_the_council(make_tracker, dispatcher, domain):
    # the entity ruler takes the longest name whole ("Hampshire children's social care" is a service): its council
    # is still the one named, kept for the next question
    text = "hampshire children's social care want to assess us, how long can it take"
    service = {"entity": "service", "value": "procedures", "start": 0, "end": len("hampshire children's social care")}
    tracker = make_tracker("assessment_length", text=text, entities=[service])
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("council", "hampshire") in events
    assert "15days" in flat(texts(dispatcher)) and "45workingdays" not in flat(texts(dispatcher))


async def test_topic_a_council_does_not_cover_says_so_and_gives_its_number(make_tracker, dispatcher, domain, kb):
    missing = [t for t in kb.topic_ids() if kb.topic("bolton", t) is None]
    assert missing, "expected some topics Bolton's documents don't cover"
    await actions.ActionAnswerTopic().run(dispatcher, make_tracker(missing[0], slots={"council": "bolton"}), domain)
    said = texts(dispatcher)
    assert "I don't have information about" in said and "01204 332010" in said
    assert "024 7678 8555" not in said  # never another council's number


async def test_referral_topics_say_the_assistant_cannot_refer(make_tracker, dispatcher, domain):
    await actions.ActionAnswerTopic().run(dispatcher, make_tracker("how_to_refer"), domain)
    assert any(m.get("response") == "utter_cannot_refer" for m in dispatcher.messages)


@pytest.mark.parametrize("text, entity, expect", [
    ("what does ICPC stand for", "ICPC", "initial child protection conference"),
    ("CIN meaning", None, "child in need"),
    ("what's a marf", None, "referral"),
])
async def test_define_term(make_tracker, dispatcher, domain, text, entity, expect):
    ents = [{"entity": "term", "value": entity}] if entity else []
    await actions.ActionDefineTerm().run(dispatcher, make_tracker("define_term", text=text, entities=ents), domain)
    assert expect in texts(dispatcher).lower()


async def test_lookup_contact_by_service_words(make_tracker, dispatcher, domain):
    await actions.ActionLookupContact().run(dispatcher, make_tracker("ask_contact", text="complaints phone number"),
                                            domain)
    assert "08085 834 333" in texts(dispatcher)


async def test_lookup_contact_unknown_service_gives_general_number(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_contact", text="number for the zebra department", slots={"council": "bolton"})
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    assert "01204 332010" in texts(dispatcher)


async def test_next_steps_with_a_date_counts_working_days(make_tracker, dispatcher, domain, monkeypatch):
    monkeypatch.setattr(actions.ActionNextSteps, "today", staticmethod(lambda: dt.date(2026, 11, 22)))
    tracker = make_tracker("next_steps", text="the initial conference was on 3 March 2026, what happens now?",
                           entities=[{"entity": "stage", "value": "initial conference"}])
    events = await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "10 working days" in said and "Tuesday 17 March 2026" in said   # core group due
    assert "guide, not a promise" in said
    timeline = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert timeline and timeline[0]["type"] == "timeline" and timeline[0]["stage"] == "icpc"
    assert SlotSet("stage", "icpc") in events


async def test_topic_question_with_a_stage_and_date_also_gives_due_dates(make_tracker, dispatcher, domain,
                                                                         monkeypatch):
    monkeypatch.setattr(actions.ActionNextSteps, "today", staticmethod(lambda: dt.date(2026, 11, 22)))
    tracker = make_tracker("core_group", text="the initial child protection conference was on 3 March 2026, "
                                              "when does the core group meet?")
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Tuesday 17 March 2026" in said and "guide, not a promise" in said
    assert SlotSet("stage", "icpc") in events


async def test_next_steps_without_a_stage_asks_which(make_tracker, dispatcher, domain):
    await actions.ActionNextSteps().run(dispatcher, make_tracker("next_steps", text="what happens next?"), domain)
    assert dispatcher.messages[0]["buttons"], "offers the stages as quick replies"


async def test_what_is_going_on_in_another_family_s_case_is_not_a_step_to_explain(make_tracker, dispatcher, domain):
    tracker = make_tracker("next_steps", text="a social worker was at my neighbour's flat, what's happening with "
                                              "their case?")
    await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Which step" not in said and "utter_cannot_do" in said


async def test_next_steps_naming_a_topic_and_asking_when_gets_that_fact(make_tracker, dispatcher, domain):
    tracker = make_tracker("next_steps", text="my son was put on a child protection plan on monday, when is it "
                                              "reviewed?", slots={"council": "hampshire"})
    events = await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    assert "3 months" in texts(dispatcher) and "Which step" not in texts(dispatcher)
    assert SlotSet("topic", "review_conference") in events


async def test_what_happens_next_after_a_stage_keeps_its_topic_for_a_follow_up(make_tracker, dispatcher, domain, kb):
    tracker = make_tracker("next_steps", text="the manager approved our assessment today, what now?",
                           entities=[{"entity": "stage", "value": "assessment_approved"}])
    events = await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    assert SlotSet("topic", kb.stage_topic("assessment_approved")) in events
    assert kb.topic_area(kb.stage_topic("assessment_approved")) == "assessment"


@pytest.mark.parametrize("value, council", [("Hampshire", "hampshire"), ("hants", "hampshire"), ("BOLTON", "bolton")])
async def test_set_council(make_tracker, dispatcher, domain, value, council):
    tracker = make_tracker("inform_council", text=f"I live in {value}",
                           entities=[{"entity": "council", "value": value}])
    events = await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert events == [SlotSet("council", council)]
    assert dispatcher.messages[0]["response"] == "utter_council_set"


async def test_set_council_unknown_place(make_tracker, dispatcher, domain):
    events = await actions.ActionSetCouncil().run(dispatcher, make_tracker("inform_council", text="I live in Leeds"),
                                                  domain)
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_council_unknown", "utter_ask_council"]


async def test_search_knowledge_finds_a_topic(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="private fostering arrangement looking after someone else's child")
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "28 days" in texts(dispatcher)


async def test_search_knowledge_uses_the_classifiers_guess_when_search_agrees(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="the kids social worker wants to see him by himself")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45}, {"name": "statutory_visits", "confidence": 0.2},
        {"name": "cin_what", "confidence": 0.19}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "alone" in texts(dispatcher)


async def test_search_knowledge_takes_the_second_opinion_when_it_is_among_the_classifiers_best(
        make_tracker, dispatcher, domain):
    """DIET torn between two neighbouring topics: the linear model's pick among them wins."""
    tracker = make_tracker("nlu_fallback", text="how long have they got to hold the conference")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45}, {"name": "icpc_outcomes", "confidence": 0.28},
        {"name": "icpc_what", "confidence": 0.28}]
    tracker.latest_message["topic_model"] = [{"name": "icpc_what", "confidence": 0.13},
                                             {"name": "mash_decision_time", "confidence": 0.1}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "15 working days" in texts(dispatcher)


async def test_both_classifiers_on_facets_of_one_process_give_the_second_opinions_facet(
        make_tracker, dispatcher, domain, kb):
    """"Tell me about Child in Need": the classifier's best is whether the plan is voluntary, the second
    opinion's the plan itself; both are facets of Child in Need, and the second opinion names which."""
    tracker = make_tracker("nlu_fallback", text="Tell me about Child in Need.")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45}, {"name": "cin_voluntary", "confidence": 0.27},
        {"name": "cin_first_meeting", "confidence": 0.15}, {"name": "cin_closure", "confidence": 0.15}]
    tracker.latest_message["topic_model"] = [{"name": "cin_what", "confidence": 0.17},
                                             {"name": "mash_contact", "confidence": 0.13}]
    events = await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert SlotSet("topic", "cin_what") in events
    assert kb.topic("coventry", "cin_what").answer.split(".")[0] in texts(dispatcher)


def test_facets_of_one_process_need_both_classifiers_fairly_sure_and_a_process_area(kb):
    area = actions.same_process(kb, {"name": "cin_voluntary", "confidence": 0.27},
                               {"name": "cin_what", "confidence": 0.17})
    assert area and area == kb.topic_area("cin_what")
    assert not actions.same_process(kb, {"name": "cin_voluntary", "confidence": 0.27},
                                    {"name": "cin_what", "confidence": 0.05})
    assert not actions.same_process(kb, {"name": "cin_voluntary", "confidence": 0.27},
                                    {"name": "mash_contact", "confidence": 0.3})


@pytest.mark.parametrize("text", ["why did they write to me rather than phone?", "should I speak to the parents first?",
                                  "so why didn't they ring me"])
def test_asking_why_or_whether_one_should_is_not_a_request_for_a_number(make_tracker, text):
    tracker = make_tracker("nlu_fallback", text=text)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": actions.CONTACT_INTENT, "confidence": 0.3}]
    assert not actions.asks_for_contact(tracker, text)
    assert actions.asks_for_contact(tracker, "why not, what number should I phone?")  # a number named still is


async def test_search_knowledge_takes_a_sure_second_opinion_on_its_own(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="a friend is looking after my son for a couple of months")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "mash_decision_time", "confidence": 0.24}]
    tracker.latest_message["topic_model"] = [{"name": "private_fostering", "confidence": 0.72}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "28 days" in texts(dispatcher)


async def test_search_knowledge_defines_a_term_named_in_a_short_question(make_tracker, dispatcher, domain):
    await actions.ActionSearchKnowledge().run(dispatcher, make_tracker("nlu_fallback", text="CIN meaning"), domain)
    assert "child in need" in texts(dispatcher).lower()


async def test_search_knowledge_gives_up_honestly_and_says_who_can_help(make_tracker, dispatcher, domain):
    await actions.ActionSearchKnowledge().run(dispatcher, make_tracker("nlu_fallback", text="zxqv blorp"), domain)
    assert dispatcher.messages[0].get("response") == "utter_no_answer"
    said = texts(dispatcher)
    assert "024 7678 8555" in said and "0800 1111" not in said


async def test_a_young_person_who_gets_no_answer_is_given_childline_first(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="zxqv blorp", metadata={"audience": "young_person"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "0800 1111" in said and said.index("0800 1111") < said.index("024 7678 8555")


async def test_a_number_asked_for_a_named_service_is_given_whatever_the_classifiers_guessed(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="wots childline's number",
                           entities=[{"entity": "service", "value": "childline"}])
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "0800 1111" in texts(dispatcher) and dispatcher.messages[0].get("response") != "utter_no_answer"


async def test_feelings_without_a_question_get_a_warm_reply_and_an_offer(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="this is all too much", safety={"distress": True})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert responses_sent(dispatcher, domain) == ["utter_distress", "utter_feelings_offer"]


async def test_a_frightened_question_nothing_fits_gets_an_honest_no_answer_not_the_feelings_offer(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="I'm terrified, what does zxqv blorp mean for us?",
                           safety={"distress": True})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    responses = responses_sent(dispatcher, domain)
    assert responses[:2] == ["utter_distress", "utter_no_answer"] and "utter_feelings_offer" not in responses


async def test_a_time_when_the_office_is_shut_after_how_to_refer_gets_the_out_of_hours_number(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("mash_contact", text="and if it's 8pm on a saturday?", confidence=0.5,
                           slots={"topic": "how_to_refer"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "024 7683 2222" in texts(dispatcher)
    assert any(e["event"] == "slot" and e["name"] == "topic" and e["value"] == "mash_out_of_hours" for e in events)
    # in office hours, the usual answer
    dispatcher.messages.clear()
    tracker = make_tracker("mash_contact", text="and if it's 11am on a tuesday?", confidence=0.5,
                           slots={"topic": "how_to_refer"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert not any(e["event"] == "slot" and e["value"] == "mash_out_of_hours" for e in events)
    # a night after who to call, whatever the classifier made of it ("night" is a word of the out-of-hours topic:
    # the message names no topic but a time)
    dispatcher.messages.clear()
    tracker = make_tracker("looked_after", text="but what about at night?", confidence=0.6,
                           slots={"topic": "mash_contact"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "024 7683 2222" in texts(dispatcher)
    assert any(e["event"] == "slot" and e["name"] == "topic" and e["value"] == "mash_out_of_hours" for e in events)


async def test_a_parent_unhappy_with_the_service_is_told_how_to_complain_not_a_child_in_cares_way(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("unhappy_with_care", text="fed up, my kids have had a social worker for months and nothing",
                           safety={"speaker": "parent"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "08085 834 333" in texts(dispatcher).split("\n")[0]
    assert any(e["event"] == "slot" and e["name"] == "topic" and e["value"] == "complaints" for e in events)
    # a young person in care still gets their own answer
    dispatcher.messages.clear()
    tracker = make_tracker("unhappy_with_care", text="i hate my placement", safety={"speaker": "young_person"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert any(e["event"] == "slot" and e["name"] == "topic" and e["value"] == "unhappy_with_care" for e in events)


async def test_a_follow_up_gets_the_fact_it_asks_about_the_current_topic(make_tracker, dispatcher, domain):
    # the classifier's guess (another topic's timescale) is not what the person asked about
    tracker = make_tracker("mash_decision_time", text="how long does that take?", slots={"topic": "assessment_what"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "45 working days" in said and "1 working day" not in said
    assert dispatcher.messages[0]["buttons"][0]["title"] == "Tell me more"
    assert any(e["event"] == "slot" and e["name"] == "topic" and e["value"].startswith("assessment") for e in events)


async def test_a_follow_up_with_nothing_to_go_on_is_answered_as_usual(make_tracker, dispatcher, domain):
    tracker = make_tracker("assessment_length", text="how long does an assessment take?",
                           slots={"topic": "family_hubs"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "45 working days" in texts(dispatcher)


async def test_a_topic_answer_remembers_the_topic(make_tracker, dispatcher, domain):
    events = await actions.ActionAnswerTopic().run(dispatcher, make_tracker("family_hubs", text="family hubs?"), domain)
    assert SlotSet("topic", "family_hubs") in events


@pytest.mark.parametrize("intent, action", [("inform_council", actions.ActionSetCouncil),
                                            ("nlu_fallback", actions.ActionSearchKnowledge),
                                            ("mash_contact", actions.ActionAnswerTopic),
                                            # taken for asking what the assistant does
                                            ("help", actions.ActionHelp)])
async def test_a_change_of_council_answers_the_last_question_again(make_tracker, dispatcher, domain, intent, action):
    tracker = make_tracker(intent, text="oh I'm in Bolton actually", slots={"topic": "leaving_care"},
                           entities=[{"entity": "council", "value": "bolton"}])
    events = await action().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_council_changed"
    assert "23" in texts(dispatcher)
    assert SlotSet("council", "bolton") in events and SlotSet("topic", "leaving_care") in events


async def test_a_council_named_before_any_question_comes_with_its_number(make_tracker, dispatcher, domain, kb):
    tracker = make_tracker("inform_council", text="hampshire", entities=[{"entity": "council", "value": "hampshire"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    general = kb.general_contact("hampshire")
    assert dispatcher.messages[0]["response"] == "utter_council_set"
    assert general.service in texts(dispatcher)


async def test_a_change_of_council_with_words_a_topic_shares_is_still_a_change(make_tracker, dispatcher, domain):
    text = "we live in Bolton, does that make a difference?"
    start = text.index("Bolton")
    tracker = make_tracker("inform_council", text=text, slots={"topic": "leaving_care"},
                           entities=[{"entity": "council", "value": "Bolton", "start": start, "end": start + 6}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_council_changed" and "23" in texts(dispatcher)


@pytest.mark.parametrize("intent", ["cp_plan", "nlu_fallback"])
async def test_whether_a_plan_can_become_child_protection_is_how_its_area_steps_up(make_tracker, dispatcher, domain,
                                                                                    intent):
    tracker = make_tracker(intent, text="might it turn into child protection one day?", confidence=0.5,
                           slots={"topic": "cin_what", "council": "hampshire"})
    action = actions.ActionAnswerTopic if intent == "cp_plan" else actions.ActionSearchKnowledge
    await action().run(dispatcher, tracker, domain)
    said = texts(dispatcher).lower()
    assert "step up to child protection" in said and "strategy discussion" in said


async def test_a_change_of_council_that_names_the_old_one_too_goes_to_the_new_one(make_tracker, dispatcher, domain):
    text = "no, it's for Bolton rather than Hampshire"
    entities = [{"entity": "council", "value": name, "start": text.index(name), "end": text.index(name) + len(name)}
                for name in ("Hampshire", "Bolton")]  # (in whatever order the extractor gives them)
    tracker = make_tracker("inform_council", text=text, slots={"topic": "leaving_care", "council": "hampshire"},
                           entities=entities)
    events = await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_council_changed" and "23" in texts(dispatcher)
    assert SlotSet("council", "bolton") in events


@pytest.mark.parametrize("sure, says", [(0.5, "5 working days"), (0.95, "10 days")])
async def test_an_unsure_guess_gives_way_to_the_conversations_process(make_tracker, dispatcher, domain, sure, says):
    # the assessment was talked about; a copy asked for, guessed (unsure) to be a meeting's minutes
    tracker = make_tracker("cin_minutes", text="how soon can we read a copy?", slots={"topic": "assessment_outcome"},
                           confidence=sure)
    tracker.latest_message["intent_ranking"] = [{"name": "cin_minutes", "confidence": sure},
                                                {"name": "assessment_copy", "confidence": 0.2}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert says in texts(dispatcher)


async def test_naming_the_same_council_again_does_not_repeat_the_answer(make_tracker, dispatcher, domain):
    tracker = make_tracker("inform_council", text="I'm in Coventry", slots={"topic": "leaving_care"},
                           entities=[{"entity": "council", "value": "coventry"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert responses_sent(dispatcher, domain) == ["utter_council_set"]


async def test_out_of_scope_unless_it_follows_on(make_tracker, dispatcher, domain):
    weather = make_tracker("out_of_scope", text="what will the weather be tomorrow")
    await actions.ActionOutOfScope().run(dispatcher, weather, domain)
    assert responses_sent(dispatcher, domain) == ["utter_out_of_scope"]
    followed = CollectingDispatcher()
    tracker = make_tracker("out_of_scope", text="is there an age limit?", slots={"topic": "young_carers"})
    await actions.ActionOutOfScope().run(followed, tracker, domain)
    assert "18" in texts(followed)


async def test_human_handoff_gives_numbers(make_tracker, dispatcher, domain):
    await actions.ActionHumanHandoff().run(dispatcher, make_tracker("human_handoff"), domain)
    said = texts(dispatcher)
    assert "024 7678 8555" in said and "can't pass you to a person" in said


async def test_a_young_person_asking_to_talk_to_someone_gets_childline_first(make_tracker, dispatcher, domain):
    tracker = make_tracker("human_handoff", text="can i talk to someone", metadata={"audience": "young_person"})
    await actions.ActionHumanHandoff().run(dispatcher, tracker, domain)
    numbers = next(m["text"] for m in dispatcher.messages if "For Coventry" in (m.get("text") or ""))
    assert numbers.index("Childline") < numbers.index("024 7678 8555")


def _said_first(domain: dict, name: str) -> str:
    """The words a response starts with, before its first value."""
    return domain["responses"][name][0]["text"].split("{")[0]


@pytest.mark.parametrize("kind", kinds.KINDS)
@pytest.mark.parametrize("council", ["coventry", "hampshire", "bolton"])
async def test_safety_response_has_numbers_and_never_claims_action(make_tracker, dispatcher, domain, kb, kind,
                                                                   council):
    judgement = {"kind": kind, "speaker": "unknown", "secret": False}
    await actions.ActionSafetyResponse().run(
        dispatcher, make_tracker("safety", slots={"council": council}, safety=judgement), domain)
    values = safety_values(kb, council)
    # the plan's lines, filled with the council's numbers, in at most three bubbles
    wanted = ["\n".join(response_text(domain["responses"], name, values) for name in bubble)
              for bubble in kinds.bubbles(kinds.plan(kind, "unknown"))]
    assert [m.get("text") for m in dispatcher.messages[:len(wanted)]] == wanted
    assert len(wanted) <= 3
    assert dispatcher.messages[-1]["custom"] == {"type": "safety_response", "kind": kind, "speaker": "unknown"}
    said = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "999" in said and "{" not in said and "None" not in said
    assert _said_first(domain, "utter_safety_computer") in said  # says plainly that it is a computer


@pytest.mark.parametrize("speaker, says, never", [
    # a teenager about a friend: Childline and a trusted adult, not the professional's steps
    ("friend", "utter_safety_friend", "utter_safety_professional"),
    ("professional", "utter_safety_professional", "utter_safety_childline"),
    ("parent", "utter_safety_adult_council", "utter_safety_childline"),
    ("young_person", "utter_safety_childline", "utter_safety_professional"),
])
async def test_the_reply_is_for_who_is_speaking(make_tracker, dispatcher, domain, speaker, says, never):
    judgement = {"kind": "physical_abuse", "speaker": speaker, "secret": False}
    await actions.ActionSafetyResponse().run(dispatcher, make_tracker("safety", safety=judgement), domain)
    said = texts(dispatcher)
    assert _said_first(domain, says) in said and _said_first(domain, never) not in said
    assert dispatcher.messages[-1]["custom"]["speaker"] == speaker


async def test_a_question_beside_a_concern_is_answered_from_the_topic_of_that_harm(make_tracker, dispatcher, domain,
                                                                                   kb):
    judgement = {"kind": "exploitation", "speaker": "parent", "secret": False}
    tracker = make_tracker("safety", text="older lads have got my boy selling for them. who can help with that?",
                           safety=judgement)
    events = await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    team = kb.topic("coventry", "exploitation").answer.split(".")[0]
    assert "About your question:" in texts(dispatcher) and team in texts(dispatcher)
    assert dispatcher.messages[-1]["custom"]["type"] == "safety_response"
    assert SlotSet("topic", "exploitation") in events
    dispatcher.messages.clear()
    # asked whether anyone helps, in words that ask "who": what the topic is, the team, not who fills in a form
    dispatcher.messages.clear()
    asked = make_tracker("safety", safety=judgement,
                         text="older lads have got my boy selling for them. are there people who help with this")
    await actions.ActionSafetyResponse().run(dispatcher, asked, domain)
    assert team in texts(dispatcher)
    dispatcher.messages.clear()
    # said, not asked: the safety reply alone
    said = make_tracker("safety", text="older lads have got my boy selling for them", safety=judgement)
    events = await actions.ActionSafetyResponse().run(dispatcher, said, domain)
    assert "About your question:" not in texts(dispatcher)
    # ... and the conversation is about that harm's topic, so "is there a team for that?" next is about it
    assert SlotSet("topic", "exploitation") in events


async def test_a_professionals_safety_reply_leaves_the_referral_as_the_topic(make_tracker, dispatcher, domain):
    judgement = {"kind": "physical_abuse", "speaker": "professional", "secret": False}
    events = await actions.ActionSafetyResponse().run(
        dispatcher, make_tracker("safety", text="a pupil has just shown me bruises", safety=judgement), domain)
    assert SlotSet("topic", actions.REFERRAL_TOPIC) in events
    parent = {**judgement, "speaker": "parent"}
    events = await actions.ActionSafetyResponse().run(
        dispatcher, make_tracker("safety", text="my son came home with bruises", safety=parent), domain)
    assert SlotSet("topic", actions.REFERRAL_TOPIC) not in events


async def test_who_is_speaking_is_remembered_from_earlier_in_the_conversation(make_tracker, dispatcher, domain):
    earlier = [{"text": "I'm a teacher", "safety": {"kind": None, "speaker": "professional"}}]
    judgement = {"kind": "sexual_abuse", "speaker": "unknown", "secret": False}
    await actions.ActionSafetyResponse().run(
        dispatcher, make_tracker("safety", safety=judgement, earlier=earlier), domain)
    assert dispatcher.messages[-1]["custom"] == {"type": "safety_response", "kind": "sexual_abuse",
                                                 "speaker": "professional"}


async def test_the_young_peoples_app_gets_childline_first(make_tracker, dispatcher, domain):
    judgement = {"kind": "neglect", "speaker": "unknown", "secret": False}
    await actions.ActionSafetyResponse().run(
        dispatcher, make_tracker("safety", safety=judgement, metadata={"audience": "young_person"}), domain)
    responses = responses_sent(dispatcher, domain)
    assert "utter_safety_childline" in responses and "utter_safety_adult_council" not in responses


async def test_asked_to_keep_a_secret_it_never_promises(make_tracker, dispatcher, domain):
    judgement = {"kind": "secret", "speaker": "unknown", "secret": True}
    await actions.ActionSafetyResponse().run(dispatcher, make_tracker("safety", safety=judgement), domain)
    responses = responses_sent(dispatcher, domain)
    assert responses[0] == "utter_safety_secret" and "utter_safety_childline" in responses
    wording = domain["responses"]["utter_safety_secret"][0]["text"]
    assert "can't promise to keep a secret" in wording and "computer" in wording


async def test_a_warm_line_before_the_answer_when_someone_is_upset(make_tracker, dispatcher, domain):
    tracker = make_tracker("icpc_what", text="I can't stop crying, what happens at the conference?",
                           safety={"kind": None, "distress": True})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    responses = responses_sent(dispatcher, domain)
    assert responses[0] == "utter_distress" and len(dispatcher.messages) > 1


async def test_session_start_takes_council_from_metadata(make_tracker, dispatcher, domain):
    tracker = make_tracker("greet", slots={"session_started_metadata": {"council": "Bolton"}})
    events = await actions.ActionSessionStart().run(dispatcher, tracker, domain)
    assert SlotSet("council", "bolton") in events
    assert events[-1].get("name") == "action_listen"


async def test_a_part_asking_for_a_way_in_gets_that_way_in(make_tracker, dispatcher, domain):
    # the rights officers answered; "can we complain by email" asks for the complaints email, not any sentence of
    # the complaints topic
    tracker = make_tracker("cro", text="can we complain by email, and can a rights officer help my son complain?")
    tracker.latest_message["topic_parts"] = [
        {"text": "can we complain by email", "ranking": [{"name": "complaints", "confidence": 0.93}]},
        {"text": "can a rights officer help my son complain?", "ranking": [{"name": "cro", "confidence": 0.88}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "0800 0272 118" in said and "CLYPCustomerrelations@coventry.gov.uk".lower() in said.lower()


async def test_two_questions_in_one_message_are_both_answered(make_tracker, dispatcher, domain):
    tracker = make_tracker("core_group", text="when does the core group first meet, and how often is the review?")
    tracker.latest_message["topic_parts"] = [
        {"text": "when does the core group first meet", "ranking": [{"name": "core_group", "confidence": 0.8}]},
        {"text": "how often is the review?", "ranking": [{"name": "review_conference", "confidence": 0.6}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = flat(texts(dispatcher))
    # how often: "After that, plans are reviewed at least every 6 months"
    assert flat("10 working days") in said and flat("every 6 months") in said


async def test_when_the_first_answer_was_about_the_second_question_the_first_is_answered_too(
        make_tracker, dispatcher, domain):
    # the classifier chose the review; the first question was what a conference can decide
    tracker = make_tracker("review_conference", text="What can a child protection conference decide, and when is "
                                                     "the review conference?", slots={"council": "hampshire"})
    tracker.latest_message["topic_parts"] = [
        {"text": "What can a child protection conference decide", "ranking": [{"name": "icpc_outcomes",
                                                                              "confidence": 0.7}]},
        {"text": "when is the review conference?", "ranking": [{"name": "review_conference", "confidence": 0.8}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher).lower()
    assert "3 months" in said and "child protection plan" in said


async def test_a_second_question_already_answered_by_the_first_answer_is_not_repeated(make_tracker, dispatcher,
                                                                                      domain):
    tracker = make_tracker("early_help_what", text="what is early help and do I have to say yes to it?")
    tracker.latest_message["topic_parts"] = [
        {"text": "what is early help", "ranking": [{"name": "early_help_what", "confidence": 0.9}]},
        {"text": "do I have to say yes to it?", "ranking": [{"name": "cin_voluntary", "confidence": 0.4}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert texts(dispatcher).lower().count("voluntary") == 1


async def test_a_second_question_whose_fact_was_already_said_gets_one_from_its_own_topic(make_tracker, dispatcher,
                                                                                         domain):
    # the part about what goes in the plan, read with the first part's topic, finds what was already said; its own
    # best topic (though the second opinion is not sure of it) says what the plan sets out
    tracker = make_tracker("cin_voluntary", text="do we have to agree to a CIN plan? and what do plans set out?",
                           confidence=0.6)
    tracker.latest_message["topic_parts"] = [
        {"text": "do we have to agree to a CIN plan?", "ranking": [{"name": "cin_voluntary", "confidence": 0.8}]},
        {"text": "and what do plans set out?", "ranking": [{"name": "cin_what", "confidence": 0.12}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "voluntary" in said and "sets out" in said


async def test_who_does_it_in_one_of_two_questions_is_answered_from_where_the_council_says_it(make_tracker, dispatcher,
                                                                                                 domain):
    tracker = make_tracker("review_conference", slots={"council": "bolton"},
                           text="who is in charge of a child protection conference, and how often are plans checked?")
    tracker.latest_message["topic_parts"] = [
        {"text": "who is in charge of a child protection conference", "ranking": [{"name": "icpc_what",
                                                                                   "confidence": 0.7}]},
        {"text": "how often are plans checked?", "ranking": [{"name": "review_conference", "confidence": 0.6}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Independent Reviewing Officers" in said and "6 months" in said
    assert said.count("6 months") == 1  # one fact is not sent twice in one reply


@pytest.mark.parametrize("intent, action", [("statutory_visits", actions.ActionAnswerTopic),
                                            ("nlu_fallback", actions.ActionSearchKnowledge),
                                            ("out_of_scope", actions.ActionOutOfScope)])
async def test_asked_to_do_something_it_cannot_it_says_so_and_who_can(make_tracker, dispatcher, domain, intent,
                                                                       action):
    tracker = make_tracker(intent, text="can you pass a message to my social worker for me?")
    await action().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_cannot_do"
    assert "024 7678 8555" in texts(dispatcher)


async def test_an_answer_given_on_a_guess_offers_the_other_likely_topics(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="a friend is looking after my son for a couple of months")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "kinship_care", "confidence": 0.3},
                                                {"name": "private_fostering", "confidence": 0.24}]
    tracker.latest_message["topic_model"] = [{"name": "private_fostering", "confidence": 0.72},
                                             {"name": "kinship_care", "confidence": 0.1}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "28 days" in texts(dispatcher)
    offer = dispatcher.messages[-1]
    payloads = [b["payload"] for b in offer["buttons"]]
    assert offer["text"].startswith("Not what you asked?") and "/kinship_care" in payloads
    assert "/private_fostering" not in payloads and len(payloads) <= actions.OTHER_GUESSES


@pytest.mark.parametrize("diet, second, answered", [
    (0.6, {"name": "private_fostering", "confidence": 0.7}, "private_fostering"),  # DIET unsure, second sure
    (0.9, {"name": "private_fostering", "confidence": 0.7}, "kinship_care"),  # DIET very sure
    (0.6, {"name": "private_fostering", "confidence": 0.3}, "kinship_care"),  # second unsure too
    (0.6, {"name": "greet", "confidence": 0.9}, "kinship_care"),  # not a topic
])
async def test_a_sure_second_opinion_wins_over_an_unsure_classifier(make_tracker, dispatcher, domain, diet, second,
                                                                     answered):
    tracker = make_tracker("kinship_care", text="my friend has been looking after my boy while I'm away",
                           confidence=diet)
    tracker.latest_message["topic_model"] = [second]
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("topic", answered) in events


@pytest.mark.parametrize("second, answered", [
    # fairly sure of another topic, and all but ruling out DIET's
    ([{"name": "private_fostering", "confidence": 0.45}, {"name": "kinship_care", "confidence": 0.05}],
     "private_fostering"),
    # fairly sure, but DIET's is among its likely ones too
    ([{"name": "private_fostering", "confidence": 0.45}, {"name": "kinship_care", "confidence": 0.2}],
     "kinship_care"),
    ([{"name": "private_fostering", "confidence": 0.35}], "kinship_care"),  # not sure enough
])
async def test_a_fairly_sure_second_opinion_that_rules_out_diet_s_topic_wins(make_tracker, dispatcher, domain,
                                                                             second, answered):
    tracker = make_tracker("kinship_care", text="my friend has been looking after my boy while I'm away",
                           confidence=0.6)
    tracker.latest_message["topic_model"] = second
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("topic", answered) in events


@pytest.mark.parametrize("sure, topic", [(0.65, "s47_what"), (0.2, None)])
async def test_a_term_explained_puts_the_conversation_on_the_topic_heard_for_a_follow_up(
        make_tracker, dispatcher, domain, sure, topic):
    tracker = make_tracker("nlu_fallback", text="people keep saying section 47, what does it mean?")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45}]
    tracker.latest_message["topic_model"] = [{"name": "s47_what", "confidence": sure}]
    events = await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "Children Act 1989" in texts(dispatcher)
    assert [e["value"] for e in events if e.get("name") == "topic"] == ([topic] if topic else [])


async def test_a_topic_not_covered_is_named_with_its_acronyms_explained(make_tracker, dispatcher, domain, kb):
    if kb.topic("bolton", "mash_decision_time") is not None:
        pytest.skip("Bolton's documents now cover it")
    await actions.ActionAnswerTopic().run(dispatcher, make_tracker("mash_decision_time", slots={"council": "bolton"}),
                                          domain)
    said = texts(dispatcher)
    assert "don't have information about how long the MASH (Multi-Agency Safeguarding Hub) takes to decide" in said


async def test_a_place_without_documents_gets_an_honest_answer_not_another_councils_facts(make_tracker, dispatcher,
                                                                                           domain):
    tracker = make_tracker("assessment_length", text="We live in Birmingham. How long does the assessment take?")
    assert await actions.ActionAnswerTopic().run(dispatcher, tracker, domain) == []
    said = texts(dispatcher)
    assert "I don't have information for Birmingham" in said
    assert "Coventry City Council" in said and "Bolton" in said and "Hampshire" in said
    assert "024 7678 8555" not in said and "45 working days" not in said  # never Coventry's number or timescale
    assert any(m.get("response") == "utter_safety_danger_line" for m in dispatcher.messages)


async def test_a_place_without_documents_when_asking_for_a_number(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_contact", text="what's the phone number for Warwickshire's MASH?")
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "I don't have information for Warwickshire" in said and "024 7678 8555" not in said


@pytest.mark.parametrize("action, response", [(actions.ActionGreet, "utter_greet"), (actions.ActionHelp, "utter_help")])
@pytest.mark.parametrize("council", ["coventry", "hampshire", "bolton"])
async def test_greeting_and_help_offer_only_questions_the_council_answers(make_tracker, dispatcher, domain, kb,
                                                                          action, response, council):
    await action().run(dispatcher, make_tracker("greet", slots={"council": council}), domain)
    [message] = dispatcher.messages
    topics = [b["payload"].lstrip("/") for b in message["buttons"]]
    assert message["response"] == response and 2 <= len(topics) <= 4
    assert all(kb.topic(council, t) for t in topics), topics  # never a topic its documents do not cover


async def test_the_greeting_on_the_app_offers_a_young_persons_questions(make_tracker, dispatcher, domain):
    await actions.ActionGreet().run(dispatcher, make_tracker("greet", metadata={"audience": "young_person"}), domain)
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/young_carers"


async def test_a_subject_outside_childrens_services_is_said_honestly(make_tracker, dispatcher, domain):
    tracker = make_tracker("looked_after", text="How do I apply for a secondary school place for September?")
    assert await actions.ActionAnswerTopic().run(dispatcher, tracker, domain) == []
    said = texts(dispatcher)
    assert "I don't have information about school places" in said and "Coventry City Council's website" in said
    assert "looked after" not in said.lower()  # never the classifier's guess


async def test_an_outside_subject_beside_a_topic_of_its_own_gets_the_topic(make_tracker, dispatcher, domain):
    tracker = make_tracker("assessment_length", text="I'm on universal credit. How long will the assessment take?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "45 working days" in said and "benefits" not in said


async def test_legal_aid_asked_beside_a_topic_is_still_a_question_about_legal_aid(make_tracker, dispatcher, domain):
    tracker = make_tracker("youth_justice", text="Will I get legal aid if they start care proceedings?",
                           confidence=0.8)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "I don't have information about legal aid" in said and "Youth Justice" not in said


async def test_an_unsure_follow_up_naming_what_the_topic_says_gets_that_fact(make_tracker, dispatcher, domain):
    # the classifier is unsure; "Step Up" is named by the current topic's own answer
    tracker = make_tracker("nlu_fallback", text="how long does the Step Up one take?",
                           slots={"topic": "social_work_careers"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "14 months" in texts(dispatcher)


async def test_a_follow_up_no_sentence_answers_gets_the_topic_again_not_another_topic(make_tracker, dispatcher,
                                                                                   domain):
    tracker = make_tracker("nlu_fallback", text="is that all of it?", slots={"topic": "family_hubs"})
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "mash_what", "confidence": 0.3}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "8 Family Hubs" in said
    assert "Multi-Agency Safeguarding Hub" not in said


async def test_asked_for_an_email_after_a_topic_gives_its_email(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_contact", text="can I just email instead?", slots={"topic": "complaints"})
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "@coventry.gov.uk" in said.lower() and "not sure which service" not in said


async def test_asked_for_a_figure_the_documents_do_not_give_it_says_so_first(make_tracker, dispatcher, domain):
    tracker = make_tracker("complaints", text="how many days does the council have to reply to my complaint?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]["text"]
    assert "don't have that exact detail" in first
    assert "08085 834 333" in texts(dispatcher)  # then what it does know


async def test_a_follow_up_uses_the_topic_the_previous_message_also_named(make_tracker, dispatcher, domain):
    # "section 47... will they take my kids?" was answered about keeping families together; "how long
    # does that take?" is about the Section 47 enquiry, whose time Coventry's documents do not give
    earlier = [{"text": "I got a section 47 letter, are they going to take my kids?",
                "intent": {"name": "s47_what", "confidence": 0.58},
                "topic_model": [{"name": "family_together", "confidence": 0.8}]}]
    tracker = make_tracker("assessment_length", text="how long does that take?", earlier=earlier,
                           slots={"topic": "family_together"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "45 working days" not in said
    assert "don't have that exact detail about child protection enquiries (section 47)" in said.lower()
    assert "15 working days" in said


async def test_a_follow_up_answered_by_its_processs_own_item_for_that_figure_says_it_plainly(make_tracker, dispatcher,
                                                                                            domain):
    # told whether parents hear of a referral, "how long does that take?" is the MASH's time to decide: no
    # "I don't have that exact detail" before the very figure asked
    earlier = [{"text": "do parents get told about a referral", "intent": {"name": "referral_told", "confidence": 0.9}}]
    tracker = make_tracker("nlu_fallback", text="how long does that take?", earlier=earlier,
                           slots={"topic": "referral_told"}, confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "1 working day" in said and "exact detail" not in said


async def test_a_follow_up_the_conversations_topic_cannot_answer_is_answered_by_its_own(make_tracker, dispatcher,
                                                                                        domain):
    tracker = make_tracker("mash_contact", text="if I'm ever worried about him while he's there, who should I tell?",
                           slots={"topic": "private_fostering"}, confidence=0.55)
    tracker.latest_message["topic_model"] = [{"name": "mash_contact", "confidence": 0.45}]
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "024 7678 8555" in texts(dispatcher) and "exact detail" not in texts(dispatcher)
    assert SlotSet("topic", "mash_contact") in events


async def test_a_figure_the_topic_lacks_comes_from_the_item_beside_it_that_gives_it(make_tracker, dispatcher, domain):
    tracker = make_tracker("s47_what", text="they've begun a section 47 about my girls, how long will it go on?",
                           slots={"council": "hampshire"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "15 working days" in texts(dispatcher) and "exact detail" not in texts(dispatcher)
    assert SlotSet("topic", "s47_length") in events


async def test_a_figure_about_something_never_named_is_not_the_answer(make_tracker, dispatcher, domain):
    # after information sharing, "how long does it take?" has no figure: say so, and what the topic says,
    # not the nearest figure of an item beside it about something else
    tracker = make_tracker("nlu_fallback", text="how long does it all take?", slots={"topic": "information_sharing"},
                           confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "working days" not in said


async def test_a_follow_up_ignores_an_unsure_guess_at_the_previous_message(make_tracker, dispatcher, domain):
    earlier = [{"text": "are they going to take my kids?", "intent": {"name": "s47_what", "confidence": 0.1}}]
    tracker = make_tracker("assessment_length", text="how long does that take?", earlier=earlier,
                           slots={"topic": "family_together"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "section 47" not in texts(dispatcher).lower()


async def test_a_young_person_whose_council_does_not_cover_a_topic_also_gets_childline(make_tracker, dispatcher,
                                                                                        domain, kb):
    uncovered = next(t for t in kb.topic_ids() if kb.topic("bolton", t) is None and kb.topic("coventry", t))
    for metadata, childline in (({"audience": "young_person"}, True), ({}, False)):
        dispatcher.messages.clear()
        tracker = make_tracker("inform_council", text="wat about in bolton", metadata=metadata,
                               slots={"topic": uncovered, "council": "coventry"},
                               entities=[{"entity": "council", "value": "bolton"}])
        await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
        said = texts(dispatcher)
        assert "01204 332010" in said and ("0800 1111" in said) is childline


async def test_a_concern_raised_by_the_model_alone_stays_the_kind_told_just_before(make_tracker, dispatcher, domain):
    earlier = [{"text": "someone is blackmailing me with pics", "intent": {"name": "safety"},
                "safety": {"kind": "online_sexual_harm", "source": "patterns"}}]
    tracker = make_tracker("safety", text="im scared my mum will find out", earlier=earlier,
                           safety={"kind": "homeless", "source": "model", "speaker": "young_person"})
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    responses = responses_sent(dispatcher, domain)
    assert "utter_safety_online" in responses and "utter_safety_homeless" not in responses
    # a crisis pattern's own kind stands
    dispatcher.messages.clear()
    tracker = make_tracker("safety", text="my dad kicked me out tonight", earlier=earlier,
                           safety={"kind": "homeless", "source": "patterns", "speaker": "young_person"})
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    assert "utter_safety_homeless" in responses_sent(dispatcher, domain)


async def test_a_foster_carer_telling_of_a_childs_self_harm_is_told_how_to_help_the_child(make_tracker, dispatcher,
                                                                                        domain):
    tracker = make_tracker("safety", text="my foster son has been cutting himself",
                           safety={"kind": "self_harm", "source": "patterns", "speaker": "foster_or_kinship_carer",
                                   "own": False})
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    responses = responses_sent(dispatcher, domain)
    assert responses[0] == "utter_safety_self_harm_other" and "utter_safety_self_harm" not in responses


async def test_a_change_of_council_re_answers_the_fact_asked_not_the_whole_topic(make_tracker, dispatcher, domain):
    earlier = [{"text": "who chairs child protection conferences?", "intent": {"name": "icpc_what"}}]
    tracker = make_tracker("inform_council", text="what about in Bolton?", earlier=earlier,
                           slots={"topic": "icpc_what", "council": "coventry"},
                           entities=[{"entity": "council", "value": "bolton"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "chair child protection conferences" in said and "Independent Reviewing Officer" in said


async def test_a_change_of_council_re_answers_who_does_it_from_where_the_new_council_says_it(make_tracker,
                                                                                            dispatcher, domain):
    earlier = [{"text": "who is in charge of running a child protection conference?", "intent": {"name": "icpc_what"}}]
    tracker = make_tracker("inform_council", text="and for Bolton?", earlier=earlier,
                           slots={"topic": "icpc_what", "council": "coventry"},
                           entities=[{"entity": "council", "value": "bolton"}])
    events = await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert "Independent Reviewing Officers" in texts(dispatcher)
    assert SlotSet("topic", "teams_roles") in events


async def test_a_change_of_council_does_not_answer_a_guess_at_a_follow_up_that_only_pointed_back(make_tracker,
                                                                                               dispatcher, domain):
    earlier = [{"text": "how long does it take then?", "intent": {"name": "mash_decision_time", "confidence": 0.6}}]
    tracker = make_tracker("inform_council", text="and for Bolton?", earlier=earlier,
                           slots={"topic": "young_carers", "council": "coventry"},
                           entities=[{"entity": "council", "value": "bolton"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "1 working day" not in said and "young carers" in said.lower()


async def test_a_change_of_council_after_asking_for_a_number_gives_the_new_councils(make_tracker, dispatcher, domain):
    earlier = [{"text": "phone number for children's social care please", "intent": {"name": "ask_contact"}}]
    tracker = make_tracker("inform_council", text="sorry I'm actually in Bolton", earlier=earlier,
                           entities=[{"entity": "council", "value": "bolton"}])
    events = await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "01204 332010" in said and "024 7678 8555" not in said
    assert SlotSet("council", "bolton") in events


async def test_a_change_of_council_with_a_question_of_its_own_answers_that(make_tracker, dispatcher, domain):
    earlier = [{"text": "how soon will my child be seen after a referral", "intent": {"name": "assessment_length"}}]
    tracker = make_tracker("inform_council", text="ok back to coventry - who do i call out of hours", earlier=earlier,
                           slots={"topic": "assessment_length", "council": "hampshire"},
                           entities=[{"entity": "council", "value": "coventry"}])
    tracker.events.insert(0, {"event": "slot", "name": "council", "value": "hampshire"})
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "024 7683 2222" in said and "5 working days" not in said


async def test_a_change_of_council_asking_of_another_topic_the_classifier_is_sure_of_answers_that(
        make_tracker, dispatcher, domain):
    # after the core group in Hampshire: who chairs Bolton's conferences (its IROs), not Bolton's core group
    tracker = make_tracker("icpc_what", text="we live in Bolton now, who runs the child protection conferences there?",
                           slots={"topic": "core_group", "council": "hampshire"},
                           entities=[{"entity": "council", "value": "Bolton"}], confidence=0.85)
    tracker.events.insert(0, {"event": "slot", "name": "council", "value": "hampshire"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "utter_council_changed" in said and "chair child protection conferences" in said
    assert "A core group is" not in said


async def test_how_it_works_in_another_council_asks_the_last_question_again(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="how does it work in Coventry?", confidence=0.45,
                           slots={"topic": "early_help_voluntary", "council": "hampshire"},
                           entities=[{"entity": "council", "value": "Coventry"}])
    tracker.events.insert(0, {"event": "slot", "name": "council", "value": "hampshire"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "Early Help is your choice" in texts(dispatcher)


async def test_who_does_something_the_topic_does_not_say_gets_the_sentence_that_does(make_tracker, dispatcher,
                                                                                   domain):
    tracker = make_tracker("icpc_what", text="Who chairs child protection conferences in Bolton?",
                           entities=[{"entity": "council", "value": "bolton"}])
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]
    assert "chair child protection conferences" in first["text"] and first["buttons"][0]["title"] == "Tell me more"


async def test_what_happens_next_uses_the_stage_told_just_before(make_tracker, dispatcher, domain):
    earlier = [{"text": "someone made a referral about us to the MASH", "intent": {"name": "mash_what"}}]
    tracker = make_tracker("next_steps", text="so what happens now?", earlier=earlier)
    await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    assert "1 working day" in texts(dispatcher) and "Which step are you at" not in texts(dispatcher)


async def test_what_happens_next_after_a_topic_says_what_its_answer_says_comes_next(make_tracker, dispatcher, domain,
                                                                                    kb):
    tracker = make_tracker("next_steps", text="and what happens after it?", slots={"topic": "s47_what"})
    await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    assert kb.topic("coventry", "s47_what").next.split(".")[0] in texts(dispatcher)
    assert "Which step are you at" not in texts(dispatcher)


async def test_a_request_it_cannot_do_points_to_the_service_it_is_about(make_tracker, dispatcher, domain):
    tracker = make_tracker("family_hubs", text="can you book me an appointment with a family hub")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert dispatcher.messages[0].get("response") == "utter_cannot_do"
    assert "coventry.gov.uk/familyhubs" in said and "024 7678 8555" not in said


async def test_a_change_of_council_taken_for_a_contact_question_still_answers_again(make_tracker, dispatcher, domain):
    # "sorry, I meant Hampshire - that's where we live" asks for no way of getting in touch
    tracker = make_tracker("ask_contact", text="sorry, I meant Hampshire - that's where we live",
                           slots={"topic": "cin_closure"}, entities=[{"entity": "council", "value": "hampshire"}])
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_council_changed"
    assert "not sure which service" not in texts(dispatcher)


def _with_parts(tracker, parts):
    tracker.latest_message["topic_parts"] = [
        {"text": text, "ranking": [{"name": name, "confidence": confidence}]} for text, name, confidence in parts]
    return tracker


async def test_a_question_asked_beside_a_concern_is_answered_after_the_safety_reply(make_tracker, dispatcher,
                                                                                   domain, kb):
    judgement = {"kind": "domestic_abuse", "speaker": "parent", "secret": False}
    text = "my partner hit me last night, how long does a child protection conference take to be held?"
    tracker = _with_parts(make_tracker("safety", text=text, safety=judgement), [
        ("my partner hit me last night", "safety", 0.4),
        ("how long does a child protection conference take to be held?", "icpc_what", 0.6)])
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    responses = [r for r in responses_sent(dispatcher, domain) if r]
    assert responses == kinds.plan("domestic_abuse", "parent")  # the safety reply whole, first
    said = texts(dispatcher)
    assert "About your question:" in said and "conference" in said.lower()
    asked = next(i for i, m in enumerate(dispatcher.messages) if m.get("text") == "About your question:")
    assert dispatcher.messages[asked + 1]["buttons"][0]["title"] == "Tell me more"  # the fact, the rest one tap away
    assert dispatcher.messages[-1]["custom"]["type"] == "safety_response"  # still ends with the marker


@pytest.mark.parametrize("speaker, answered", [("parent", True), ("professional", True), ("young_person", False)])
async def test_an_adult_s_question_in_no_part_of_its_own_is_answered_when_both_classifiers_agree_on_it(
        make_tracker, dispatcher, domain, speaker, answered):
    text = "i'm at breaking point with it all. they started a section 47 last week, is there a time limit?"
    tracker = make_tracker("safety", text=text, safety={"kind": "carer_breaking_point", "speaker": speaker,
                                                        "secret": False}, slots={"council": "hampshire"})
    tracker.latest_message["intent_ranking"] = [{"name": "safety", "confidence": 0.9},
                                                {"name": "s47_length", "confidence": 0.05}]
    tracker.latest_message["topic_model"] = [{"name": "s47_length", "confidence": 0.5}]
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert ("About your question:" in said) is answered
    if answered:
        assert said.index("About your question:") > said.index("116 123")  # after the safety reply
        assert "15 working days" in said
    assert dispatcher.messages[-1]["custom"]["type"] == "safety_response"


@pytest.mark.parametrize("diet, second, kept", [
    ("fgm", "fgm", "fgm"),           # both classifiers see what the concern is about: a follow-up is about it
    ("fgm", "s47_what", None),       # they disagree: no guess
    ("mash_contact", "mash_contact", None),  # the safety reply already answers that
])
async def test_the_topic_behind_a_concern_is_kept_for_what_comes_next(make_tracker, dispatcher, domain, kb,
                                                                      diet, second, kept):
    tracker = make_tracker("safety", text="my niece has just told me something worrying",
                           safety={"kind": "physical_abuse", "speaker": "neighbour_or_relative", "secret": False})
    tracker.latest_message["intent_ranking"] = [{"name": "safety", "confidence": 0.98},
                                                {"name": diet, "confidence": 0.01}]
    tracker.latest_message["topic_model"] = [{"name": "safety", "confidence": 0.6}, {"name": second, "confidence": 0.1}]
    events = await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    assert [e["value"] for e in events if e.get("name") == "topic"] == ([kept] if kept else [])
    assert dispatcher.messages[-1]["custom"]["type"] == "safety_response"


@pytest.mark.parametrize("parts", [
    # the safety reply already gives the council's number for now
    [("my partner hit me last night", "safety", 0.4), ("how do I contact the MASH?", "mash_contact", 0.6)],
    # not a question, or not sure of its topic
    [("my partner hit me last night", "safety", 0.4), ("we had a conference last week", "icpc_what", 0.6)],
    [("my partner hit me last night", "safety", 0.4), ("what happens now?", "icpc_what", 0.2)],
])
async def test_no_second_answer_without_a_clear_question_it_does_not_already_answer(make_tracker, dispatcher,
                                                                                    domain, parts):
    judgement = {"kind": "domestic_abuse", "speaker": "parent", "secret": False}
    tracker = _with_parts(make_tracker("safety", text=" ".join(p[0] for p in parts), safety=judgement), parts)
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    assert "About your question:" not in texts(dispatcher)


async def test_an_outside_subject_wins_over_a_word_in_passing_when_the_classifier_is_unsure(make_tracker, dispatcher,
                                                                                         domain):
    # "baby" names a topic of the assistant's own, but the classifier is not sure of any topic
    tracker = make_tracker("nlu_fallback", text="How do I claim child benefit for my new baby?", confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "I don't have information about benefits" in said and "GOV.UK" in said
    assert "statutory visits" not in said.lower()
    assert "024 7678 8555" in said  # and where children's services are, for a worry behind the question


async def test_an_outside_subject_gives_the_councils_own_childrens_services_number(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="can social care get our landlord to sort the damp in the flat?",
                           confidence=0.45, slots={"council": "bolton"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "I don't have information about council tax, housing" in said
    assert "01204 332010" in said and "024 7678 8555" not in said
    assert said.count("01204 332010") == 1


async def test_the_councils_own_fact_wins_over_the_national_answer(make_tracker, dispatcher, domain):
    # Bolton's documents say who decides between the plans; the national child protection plan item
    # says only what a conference decides
    tracker = make_tracker("cp_plan", text="who decides if my child gets a CIN plan or a CP plan?",
                           slots={"council": "bolton"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "team manager" in said.lower() and "Bolton" in said
    assert "024 7678 8555" not in said


async def test_a_question_the_council_has_no_item_for_gets_its_own_sentence_that_answers_it(make_tracker, dispatcher,
                                                                                          domain):
    tracker = make_tracker("how_to_refer", text="where does a safeguarding referral get triaged?",
                           slots={"council": "bolton"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "MASSS" in said and "don't have information" not in said


async def test_a_count_no_sentence_gives_says_so_with_the_councils_number(make_tracker, dispatcher, domain):
    tracker = make_tracker("looked_after", text="How many children are in care in Coventry right now?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]["text"]
    assert "don't have that exact detail" in first and "024 7678 8555" in first


async def test_a_subject_outside_the_service_gets_a_way_to_ask(make_tracker, dispatcher, domain):
    tracker = make_tracker("family_hubs", text="What time does the family hub open on a Saturday?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "I don't have information about opening times" in said
    assert "familyhubs" in said.lower()  # the Family Hubs page, not only "the council's website"


async def test_a_very_sure_second_opinion_comes_before_a_shared_word(make_tracker, dispatcher, domain):
    # DIET leans to the conference's outcomes, which the full-text search also finds from "conference";
    # the second opinion is very sure the parent asks whether their children will be taken
    tracker = make_tracker("nlu_fallback", text="there's going to be a child protection conference. "
                                                "are they going to take my kids")
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "icpc_outcomes", "confidence": 0.3}]
    tracker.latest_message["topic_model"] = [{"name": "family_together", "confidence": 0.92}]
    events = await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert {"event": "slot", "name": "topic", "value": "family_together"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


async def test_a_young_person_gets_the_topic_in_their_words_and_the_rest_on_tell_me_more(make_tracker, dispatcher,
                                                                                        domain):
    young = {"audience": "young_person"}
    tracker = make_tracker("referral_told", text="if i tell someone will they tell him", metadata=young)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "If you tell an adult" in said and "Tell me more" in said
    assert "Parents and carers should be told" not in said
    dispatcher.messages.clear()
    more = make_tracker("referral_told", text="/referral_told", metadata=young, slots={"topic": "referral_told"})
    await actions.ActionAnswerTopic().run(dispatcher, more, domain)
    assert "Parents and carers should be told" in texts(dispatcher)


async def test_an_adult_gets_the_whole_topic_not_the_young_persons_words(make_tracker, dispatcher, domain):
    tracker = make_tracker("referral_told", text="will I be told if the school refers us?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Parents and carers should be told" in said and "If you tell an adult" not in said


async def test_an_unsure_follow_up_no_sentence_answers_stays_with_the_conversations_topic(make_tracker, dispatcher,
                                                                                        domain):
    tracker = make_tracker("social_work_support", text="is there like a club or something",
                           slots={"topic": "young_carers"}, confidence=0.74)
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "young carer" in said.lower()
    assert "academy" not in said.lower()
    assert not any(e.get("name") == "topic" and e.get("value") == "social_work_support" for e in events)


async def test_a_young_person_asking_a_time_the_topic_does_not_give_is_told_so_not_the_topic_again(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="and how long does that take?", slots={"topic": "young_carers"},
                           metadata={"audience": "young_person"}, confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "0800 1111" in said
    assert "cares for another person" not in said  # the topic's answer is not sent again
    assert "024 7678 8555" not in said  # the safeguarding hub is not who a young carer asks for a detail


async def test_a_bare_time_question_is_not_answered_with_the_figure_of_a_process_the_classifier_guessed(
        make_tracker, dispatcher, domain):
    # the second opinion reads "how long does it take" as the MASH's decision time (it has only the question's
    # words to go on); the conversation is about young carers, whose documents give no timescale
    tracker = make_tracker("nlu_fallback", text="how long does it take", slots={"topic": "young_carers"},
                           metadata={"audience": "young_person"}, confidence=0.45)
    tracker.latest_message["topic_model"] = [{"name": "mash_decision_time", "confidence": 0.59}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "young carer" in said.lower() and "0800 1111" in said
    assert "working day" not in said


async def test_a_detail_the_documents_do_not_give_is_for_the_council_to_tell_a_professional(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("looked_after", text="As a teacher, how many children are in care in Coventry today?",
                           safety={"speaker": "professional"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]["text"]
    assert "don't have that exact detail" in first and "024 7678 8555" in first and "social worker" not in first


async def test_a_professional_gets_their_part_not_the_parents_words(make_tracker, dispatcher, domain):
    tracker = make_tracker("referral_consent", text="I'm a teacher - do I need the parents' permission to refer?",
                           safety={"speaker": "professional"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "safeguarding lead" in said and "increased risk of harm" in said
    assert "You should always be asked to agree" not in said


@pytest.mark.parametrize("council", ["coventry", "hampshire", "bolton"])
async def test_a_young_person_gets_their_words_in_every_council(make_tracker, dispatcher, domain, council):
    tracker = make_tracker("statutory_visits", text="does the social worker have to see me on my own",
                           metadata={"audience": "young_person"}, slots={"council": council})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "see you on your own" in said and "Tell me more" in said


async def test_an_unsure_guess_the_council_does_not_cover_gives_way_to_one_it_does(make_tracker, dispatcher,
                                                                                   domain, kb):
    uncovered = next(t for t in kb.topic_ids() if kb.topic("bolton", t) is None and kb.topic("coventry", t))
    covered = "statutory_visits"
    tracker = make_tracker(uncovered, text="does the social worker have to visit?", slots={"council": "bolton"},
                           confidence=0.6)
    tracker.latest_message["topic_model"] = [{"name": covered, "confidence": 0.45}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "don't have information" not in said and "seen alone" in said

    # both classifiers chose it: a real gap, said honestly
    dispatcher.messages.clear()
    tracker.latest_message["topic_model"] = [{"name": uncovered, "confidence": 0.7},
                                             {"name": covered, "confidence": 0.2}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "don't have information" in texts(dispatcher)


async def test_an_unsure_question_for_a_number_gets_the_number_then_again_for_another_council(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="what's the safeguarding number?", slots={"council": "bolton"})
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "ask_contact", "confidence": 0.3}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "01204 332010" in said and "Keeping children safe" not in said

    dispatcher.messages.clear()
    earlier = [{"text": "what's the safeguarding number?", "intent": {"name": "nlu_fallback", "confidence": 0.45}}]
    tracker = make_tracker("inform_council", text="what about Coventry?", earlier=earlier,
                           slots={"council": "bolton", "session_started_metadata": {"council": "bolton"}},
                           entities=[{"entity": "council", "value": "Coventry"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    assert "024 7678 8555" in texts(dispatcher)


async def test_a_follow_up_whose_own_topic_answers_much_better_gets_that_fact(make_tracker, dispatcher, domain):
    tracker = make_tracker("statutory_visits", text="does the social worker have to see him without me?",
                           slots={"topic": "cp_plan", "council": "bolton"}, confidence=0.79)
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "seen alone" in texts(dispatcher)
    assert SlotSet("topic", "statutory_visits") in events


async def test_a_follow_up_pointing_back_keeps_the_fact_with_more_of_its_words(make_tracker, dispatcher, domain):
    # "when has his first review got to be held?" after an asylum-seeking boy arrived, the classifier fairly sure
    # of plans' reviews: his first review (20 working days), not every plan's six-monthly one
    tracker = make_tracker("cin_review", text="when has his first review got to be held?",
                           slots={"topic": "asylum"}, confidence=0.6)
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "20 working days" in texts(dispatcher) and "6 months" not in texts(dispatcher)
    assert SlotSet("topic", "asylum") in events


async def test_an_unsure_follow_up_naming_what_a_fact_of_the_process_gives_gets_that_fact(make_tracker, dispatcher,
                                                                                          domain):
    # "when should we be given our copy?" after the assessment: its copy, not the minutes of a meeting
    tracker = make_tracker("nlu_fallback", text="when should we be given our copy?", slots={"topic": "assessment_what"},
                           confidence=0.45)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "cin_minutes", "confidence": 0.3}]
    tracker.latest_message["topic_model"] = [{"name": "cin_minutes", "confidence": 0.4}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "5 working days" in texts(dispatcher) and "10 days" not in texts(dispatcher)


async def test_a_follow_up_pointing_back_is_answered_from_an_earlier_topic_with_more_of_its_words(
        make_tracker, dispatcher, domain):
    # an asylum-seeking boy, then whether he is in care, then "and who leads her first review?": the IRO of his
    # first review (the asylum item), not the independent review of every child in care's plan
    tracker = make_tracker("nlu_fallback", text="and who leads her first review?", slots={"topic": "looked_after"})
    tracker.events[:0] = [{"event": "slot", "name": "topic", "value": "asylum"},
                          {"event": "slot", "name": "topic", "value": "looked_after"}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "IRO" in texts(dispatcher)


async def test_a_process_asked_about_in_fear_of_removal_also_gets_what_the_work_is_for(make_tracker, dispatcher,
                                                                                       domain, kb):
    tracker = make_tracker("s47_what", text="theres a section 47 on my son and im terrified are they taking him")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Section 47 enquiry is" in said and "stay together" in said
    # the fear, what was asked, first; then the process briefly (its first part, the rest one tap away), so both
    # fit on a phone
    assert said.index("stay together") < said.index("Section 47 enquiry is")
    later = kb.topic("coventry", "s47_what").prose[1]
    assert later not in said
    assert {"title": "Tell me more", "payload": "/s47_what"} in [
        b for m in dispatcher.messages for b in m.get("buttons") or []]
    # the fear asked the other way round ("will they take her off me?") is the same fear
    dispatcher.messages.clear()
    tracker = make_tracker("s47_what", text="a section 47 on my girl, im so scared, will they take her off me")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "stay together" in texts(dispatcher)
    # and when the classifier was unsure, the search's answer about the process gets the same
    dispatcher.messages.clear()
    tracker = make_tracker("nlu_fallback", text="a section 47 on my girl, im so scared, will they take her off me",
                           confidence=0.45, entities=[{"entity": "term", "value": "section 47"}])
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "s47_what", "confidence": 0.22}]
    tracker.latest_message["topic_model"] = [{"name": "family_together", "confidence": 0.33}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Section 47 enquiry is" in said and "stay together" in said
    # no fear of removal: the process alone
    dispatcher.messages.clear()
    tracker = make_tracker("s47_what", text="will they take him to the meeting about the section 47?")
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "stay together" not in texts(dispatcher) and later in texts(dispatcher)


async def test_a_follow_up_with_more_words_of_the_next_steps_topic_is_answered_from_it(make_tracker, dispatcher,
                                                                                       domain):
    # the assessment is over and says a Child in Need plan; "when should the first meeting be?" is the plan's first
    # meeting (the second opinion is sure of it, and its fact has both "first" and "meeting"), not when the
    # assessment is shared
    tracker = make_tracker("nlu_fallback", text="when should the first meeting be?", confidence=0.45,
                           slots={"topic": "assessment_length"},
                           earlier=[{"text": "the assessment is done and it says a child in need plan"}])
    tracker.latest_message["topic_model"] = [{"name": "cin_first_meeting", "confidence": 0.76}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "10 working days" in texts(dispatcher)


async def test_a_guess_answered_from_another_topic_does_not_offer_that_topic_again(make_tracker, dispatcher, domain):
    # taken for what a Section 47 enquiry is, "when will it be over?" is answered by how long the enquiries take;
    # "not what you asked?" offers other topics, not the one the answer came from
    text = "they've started a section 47 on us in Hampshire. when will it be over?"
    tracker = make_tracker("nlu_fallback", text=text, confidence=0.45, slots={"council": "hampshire"})
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "s47_what", "confidence": 0.3},
                                                {"name": "s47_length", "confidence": 0.05}]
    tracker.latest_message["topic_model"] = [{"name": "s47_what", "confidence": 0.4},
                                             {"name": "significant_harm", "confidence": 0.1}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "15 working days" in said
    offered = [b["payload"] for m in dispatcher.messages if (m.get("text") or "").startswith("Not what you asked")
               for b in m.get("buttons") or []]
    assert offered and "/s47_length" not in offered


async def test_a_question_with_meant_in_it_is_not_asking_what_an_acronym_means(make_tracker, dispatcher, domain):
    # "send it off" is not SEND, and "meant to" asks nothing of what a word means
    tracker = make_tracker("nlu_fallback", text="are they meant to ask me first before they send the form?",
                           slots={"topic": "how_to_refer"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "Special Educational Needs" not in texts(dispatcher)
    dispatcher.messages.clear()
    tracker = make_tracker("nlu_fallback", text="what does SEND actually mean in a school report?")
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "Special Educational Needs" in texts(dispatcher)


async def test_a_follow_up_that_carries_on_is_one_even_when_it_names_what_the_topic_mentions(
        make_tracker, dispatcher, domain):
    # "and by when ... counting from the strategy discussion?" after what an ICPC is: the ICPC's timing,
    # however sure the classifier is that the message is about strategy discussions
    tracker = make_tracker("strategy_discussion", text="and by when does it have to be held, counting from the "
                                                       "strategy discussion?", slots={"topic": "icpc_what"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "15 working days of the strategy discussion" in texts(dispatcher)


async def test_before_saying_it_does_not_know_a_short_message_is_taken_as_about_the_topic(
        make_tracker, dispatcher, domain):
    # "how long until it gets reviewed?" after a conference: the review, from the topic's area
    tracker = make_tracker("nlu_fallback", text="how long until it gets reviewed?",
                           slots={"topic": "icpc_what", "council": "hampshire"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "3 months" in texts(dispatcher) and "utter_no_answer" not in texts(dispatcher)

    # nothing in the topic says what it names: the topic again, saying the exact detail may not be there
    dispatcher.messages.clear()
    tracker = make_tracker("nlu_fallback", text="do I get some kind of plan?",
                           slots={"topic": "leaving_care", "council": "bolton"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "Pathway Plan" in said

    # no topic yet: an honest "I don't know"
    dispatcher.messages.clear()
    tracker = make_tracker("nlu_fallback", text="do I get one?")
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "utter_no_answer" in texts(dispatcher)


async def test_an_unsure_wish_to_talk_to_someone_gets_people_to_talk_to(make_tracker, dispatcher, domain):
    # on the young people's app, in text-speak, during a conversation about young carers
    tracker = make_tracker("nlu_fallback", text="i just want sum1 to talk 2", slots={"topic": "young_carers"},
                           metadata={"audience": "young_person"})
    tracker.latest_message["topic_model"] = [{"name": "human_handoff", "confidence": 0.52}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "0800 1111" in said and said.index("0800 1111") < said.index("024 7678 8555")
    assert "A young carer is" not in said


async def test_a_sure_message_that_points_back_is_a_follow_up_when_the_topic_says_what_it_names(
        make_tracker, dispatcher, domain):
    # "when will her first review be?" after an asylum-seeking girl arrived: his review (20 working days), not the
    # child protection review the classifier is sure of
    tracker = make_tracker("review_conference", text="when will her first review be?", slots={"topic": "asylum"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "20 working days" in said and "3 months" not in said

    # naming something the topic does not talk about, it is answered as usual
    dispatcher.messages.clear()
    tracker = make_tracker("review_conference", text="when will her review conference be?",
                           slots={"topic": "family_hubs"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "3 months" in texts(dispatcher)


async def test_a_sure_message_naming_a_thing_as_known_is_a_follow_up_when_the_topic_talks_of_it(
        make_tracker, dispatcher, domain, kb):
    # "what does the council's assessment actually check?" after private fostering: its assessment (whether
    # the carer is suitable), not the Child and Family Assessment the classifier is sure of
    tracker = make_tracker("assessment_what", text="what does the council's assessment actually check?",
                           slots={"topic": "private_fostering"})
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "suitable" in texts(dispatcher)
    assert SlotSet("topic", "assessment_what") not in events


async def test_a_question_with_a_rare_word_the_topic_never_uses_gets_the_sentence_that_has_it(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("looked_after", text="who works with children in care proceedings in Coventry?")
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "care proceedings" in texts(dispatcher) and SlotSet("topic", "teams_roles") in events


@pytest.mark.parametrize("intent, text, slots, confidence, wanted, unwanted", [
    # "which plan do I get then?" after Bolton's leaving care team is not "no information about CIN plans"
    ("cin_what", "which plan do I get then?", {"topic": "leaving_care", "council": "bolton"}, 0.55,
     "Pathway Plan", "don't have information"),
    # what something is, where the council has no item on it: the glossary, not a sentence that names it
    ("iro_what", "wats an IRO?", {"council": "coventry"}, 0.99, "Independent Reviewing Officer", "working days"),
])
async def test_a_topic_the_council_does_not_cover_is_answered_from_what_it_does_hold(
        make_tracker, dispatcher, domain, intent, text, slots, confidence, wanted, unwanted):
    tracker = make_tracker(intent, text=text, slots=slots, confidence=confidence)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert wanted in said and unwanted not in said


async def test_the_second_opinions_topic_answers_an_unsure_follow_up_it_has_the_word_for(
        make_tracker, dispatcher, domain):
    # "when is the next conference then?" after the first one: the review (3 months), not the core group, the
    # only sentence of the conversation's topic that says when
    tracker = make_tracker("nlu_fallback", text="when is the next conference then?",
                           slots={"topic": "icpc_outcomes", "council": "hampshire"}, confidence=0.45)
    tracker.latest_message["topic_model"] = [{"name": "review_conference", "confidence": 0.64}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "3 months" in said and "10 working days" not in said


async def test_a_message_that_points_back_is_not_answered_by_a_search_hit_on_two_words(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="do they use some sort of tool or form?",
                           slots={"topic": "exploitation"}, confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "Indicator Tool" in texts(dispatcher) and "Youth Justice" not in texts(dispatcher)


async def test_a_doubtful_guess_the_full_text_search_clearly_disagrees_with_gives_way(make_tracker, dispatcher, domain):
    text = "which way of working, first developed in Australia, did Coventry adopt to help social workers build " \
           "relationships with families?"
    tracker = make_tracker("family_hubs", text=text, confidence=0.45)
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "Signs of Safety" in texts(dispatcher) and SlotSet("topic", "signs_of_safety") in events

    # DIET surer, or the second opinion agreeing with it: its guess stands
    dispatcher.messages.clear()
    tracker = make_tracker("family_hubs", text=text, confidence=0.7)
    events = await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert SlotSet("topic", "family_hubs") in events


async def test_a_change_of_council_that_does_not_cover_the_guess_answers_another_guess_it_covers(
        make_tracker, dispatcher, domain):
    # the last question was taken for the support of new social workers (Coventry's academy) and, less
    # surely, for teams and roles: Bolton covers only the second
    earlier = [{"text": "apart from social workers, what other jobs are there in the teams?",
                "intent": {"name": "social_work_support", "confidence": 0.5},
                "topic_model": [{"name": "teams_roles", "confidence": 0.35}]}]
    tracker = make_tracker("inform_council", text="and in Bolton?", earlier=earlier,
                           slots={"topic": "social_work_support"}, entities=[{"entity": "council", "value": "Bolton"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "deputy team managers" in said and "don't have information" not in said


async def test_a_time_asked_after_a_stage_is_given_by_the_step_beside_it_with_no_i_dont_know(
        make_tracker, dispatcher, domain):
    # the conversation is about what the hub does; its decision time is another item of the same area
    tracker = make_tracker("mash_decision_time", text="so how soon do they make up their minds?",
                           slots={"topic": "mash_what"}, confidence=0.4)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "1 working day" in said and "don't have that exact detail" not in said


def test_the_search_gives_way_to_the_second_opinion_among_its_best_or_when_it_found_little(kb):
    young, work, visits = (kb.topic("coventry", t) for t in ("young_carers", "social_work_careers", "statutory_visits"))
    # two words shared with other items; the second opinion fairly sure of another topic
    assert actions.searched_or_second([(work, 2), (visits, 2)], {"name": "young_carers", "confidence": 0.4}) \
        == "young_carers"
    # the second opinion unsure: the search stands
    assert actions.searched_or_second([(work, 2), (visits, 2)], {"name": "young_carers", "confidence": 0.2}) \
        == "social_work_careers"
    # tied for the most words: the second opinion's pick among them, however unsure
    assert actions.searched_or_second([(work, 4), (young, 4)], {"name": "young_carers", "confidence": 0.1}) \
        == "young_carers"
    # the search found many more words of another item: it stands
    assert actions.searched_or_second([(work, 4), (young, 3)], {"name": "young_carers", "confidence": 0.4}) \
        == "social_work_careers"


async def unsure_search(make_tracker, dispatcher, domain, text: str, second: list, **given):
    """ActionSearchKnowledge on a message NLU was unsure of, with the second opinion's ranking `second`:
    what it said and the events it returned."""
    dispatcher.messages.clear()
    tracker = make_tracker("nlu_fallback", text=text, confidence=0.45, **given)
    tracker.latest_message["topic_model"] = second
    events = await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    return texts(dispatcher), events


async def test_a_number_for_a_service_described_not_named_is_the_one_the_message_is_about(
        make_tracker, dispatcher, domain):
    said, _ = await unsure_search(make_tracker, dispatcher, domain,
                                  "could i get the number of someone i can talk to about my rights as a kid in care",
                                  [{"name": "cro", "confidence": 0.2}],
                                  entities=[{"entity": "service", "value": "someone i can talk to"}])
    assert "0800 0272 118" in said
    # a service named by its own name is given whatever the message seems to be about
    said, _ = await unsure_search(make_tracker, dispatcher, domain, "what's the phone number for the samaritans",
                                  [{"name": "cro", "confidence": 0.3}],
                                  entities=[{"entity": "service", "value": "number for the samaritans"}])
    assert "116 123" in said and "0800 0272 118" not in said


async def test_an_unsure_message_the_search_matches_on_two_words_gets_the_fairly_sure_second_opinion(
        make_tracker, dispatcher, domain):
    text = "im 13 and i do the shopping and cooking for my dad cos hes poorly and my sister, does anyone help kids " \
           "in my situation?"
    said, events = await unsure_search(make_tracker, dispatcher, domain, text,
                                       [{"name": "young_carers", "confidence": 0.4}])
    assert "young carer" in said.lower() and SlotSet("topic", "young_carers") in events


async def test_asking_for_help_with_the_conversations_topic_gets_who_to_contact(make_tracker, dispatcher, domain):
    # taken for the help menu
    tracker = make_tracker("help", text="could i get some help with that", slots={"topic": "young_carers"},
                           metadata={"audience": "young_person"})
    await actions.ActionHelp().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "young-carers" in said and "0800 1111" in said and "utter_help" not in said
    # taken for another topic
    dispatcher.messages.clear()
    tracker = make_tracker("early_help_how", text="is there support for that", slots={"topic": "young_carers"},
                           confidence=0.5)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "young-carers" in texts(dispatcher)
    # the menu when nothing points back
    dispatcher.messages.clear()
    await actions.ActionHelp().run(dispatcher, make_tracker("help", text="what can you help with",
                                                            slots={"topic": "young_carers"}), domain)
    assert dispatcher.messages[0].get("response") == "utter_help"


async def test_a_follow_up_after_a_message_that_only_pointed_back_stays_on_the_topic(make_tracker, dispatcher, domain):
    # "could i get some help with that" was taken for how to get early help; the time asked next is
    # about young carers, which gives none
    earlier = [{"text": "could i get some help with that", "intent": {"name": "early_help_how", "confidence": 0.6}}]
    tracker = make_tracker("nlu_fallback", text="and how long will that take?", earlier=earlier,
                           slots={"topic": "young_carers"}, confidence=0.45)
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "exact detail" in said and "early help" not in said.lower()


async def test_a_professional_reads_about_the_child_not_your_child(make_tracker, dispatcher, domain):
    tracker = make_tracker("s47_police", text="as a teacher, do the police join section 47 enquiries?",
                           safety={"speaker": "professional"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "see the child" in said and "your child" not in said.lower()
    family = CollectingDispatcher()
    await actions.ActionAnswerTopic().run(family, make_tracker("s47_police", text="do the police join section 47s?"),
                                          domain)
    assert "see your child" in texts(family)


async def test_a_number_asked_beside_another_question_comes_with_the_answer_to_it(make_tracker, dispatcher, domain):
    tracker = _with_parts(make_tracker("ask_contact", text="what do rights officers do when they visit, and how do "
                                                           "I ring them?"), [
        ("what do rights officers do when they visit", "cro", 0.8), ("how do I ring them?", "ask_contact", 0.4)])
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "0800 0272 118" in said and "children's homes" in said
    assert said.index("children's homes") < said.index("- Children's Rights Officers")  # in the order asked
    assert said.count("Source:") == 1  # one document, one source line


async def test_a_message_asking_only_for_a_number_gets_the_contacts_alone(make_tracker, dispatcher, domain):
    tracker = _with_parts(make_tracker("ask_contact", text="whats the number for the rights officers"), [
        ("whats the number for the rights officers", "ask_contact", 0.6)])
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    assert "0800 0272 118" in texts(dispatcher) and "children's homes" not in texts(dispatcher)


async def test_asked_who_decides_what_comes_next_it_says_who_not_only_what_comes_next(make_tracker, dispatcher,
                                                                                      domain):
    tracker = make_tracker("next_steps", text="who will make the decision about what comes next?",
                           slots={"topic": "unborn"})
    await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    assert "decides" in texts(dispatcher) and "MASH" in texts(dispatcher)


async def test_a_question_in_everyday_words_the_second_opinion_is_sure_of_is_answered_too(make_tracker, dispatcher,
                                                                                           domain):
    tracker = _with_parts(make_tracker("send_local_offer", slots={"council": "bolton"},
                                       text="which teams has Bolton got, and is one of them for disabled kids?"), [
        ("which teams has Bolton got", "teams_roles", 0.9),
        ("is one of them for disabled kids?", "send_local_offer", 0.9)])
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "Children with Disability" in said and "Referral and Assessment" in said


_CONCERN = [{"text": "my stepdad hits my mum when he's drunk and i'm scared", "intent": {"name": "safety"},
             "safety": {"kind": "domestic_abuse", "source": "patterns", "speaker": "young_person"}}]


@pytest.mark.parametrize("intent, action", [("nlu_fallback", actions.ActionSearchKnowledge),
                                            ("out_of_scope", actions.ActionOutOfScope),
                                            ("safeguarding_advice", actions.ActionAnswerTopic)])
async def test_just_after_a_safety_reply_a_question_with_no_answer_of_its_own_gets_its_steps_again(
        make_tracker, dispatcher, domain, intent, action):
    tracker = make_tracker(intent, text="right so what now", earlier=_CONCERN, slots={"safety_concern": True},
                           metadata={"audience": "young_person"})
    await action().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "999" in said and "0800 1111" in said and "safety_response" in said
    assert "Sorry" not in said and "NSPCC helpline" not in said


async def test_the_council_named_just_after_a_safety_reply_gets_its_steps_with_that_councils_numbers(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("inform_council", text="we're in bolton", earlier=_CONCERN,
                           slots={"safety_concern": True, "council": "coventry"},
                           entities=[{"entity": "council", "value": "bolton"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "01204 332010" in said and "999" in said and "024 7683 2222" not in said


async def test_with_no_concern_before_the_same_question_is_answered_as_usual(make_tracker, dispatcher, domain):
    tracker = make_tracker("out_of_scope", text="right so what now")
    await actions.ActionOutOfScope().run(dispatcher, tracker, domain)
    assert "safety_response" not in texts(dispatcher)


async def test_asking_if_they_are_in_trouble_just_after_telling_gets_the_reply_that_says_they_are_not(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("youth_justice", text="would i be in trouble for that", earlier=_CONCERN,
                           slots={"safety_concern": True})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "not in trouble" in said and "Youth Justice" not in said


@pytest.mark.parametrize("text", ["will my social worker be able to read what i typed here?",
                                  "is this conversation saved"])
async def test_asked_about_this_chat_it_says_what_happens_to_it(make_tracker, dispatcher, domain, text):
    tracker = make_tracker("information_sharing", text=text)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0].get("response") == "utter_about_this_chat"
    assert dispatcher.messages[0].get("days") == 30


async def test_a_number_for_out_of_hours_where_the_council_gives_none_says_so(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_contact", text="who do i phone at the weekend", slots={"council": "bolton"})
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "don't have" in said and "01204 332010" in said


async def test_a_change_of_council_after_a_question_asked_since_the_concern_answers_that_question(
        make_tracker, dispatcher, domain):
    earlier = _CONCERN + [{"text": "how long do child protection enquiries take?", "intent": {"name": "s47_length"}}]
    tracker = make_tracker("inform_council", text="and in hampshire?", earlier=earlier,
                           slots={"safety_concern": True, "council": "coventry", "topic": "s47_length"},
                           entities=[{"entity": "council", "value": "hampshire"}])
    await actions.ActionSetCouncil().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "safety_response" not in said and "15 working days" in said


@pytest.mark.parametrize("text, short", [
    ("where does it go?", True),
    ("honestly I am rubbish on the phone and prefer paper - where does it go?", True),
    ("honestly I am rubbish on the phone and prefer paper and would like to know where it goes", False),
    ("honestly I am rubbish on the phone and prefer paper - I really want to know where exactly it should go "
     "once I have written it all out?",
     False),
])
def test_a_short_question_may_follow_what_sets_the_scene(text, short):
    assert actions.short_question(text) is short


async def test_a_second_question_pointing_back_is_about_the_question_before_it(make_tracker, dispatcher, domain):
    # "its" is the core group of the first question, not the conference the classifier chose for the message
    text = "when does the core group first meet after the conference, and what's its job?"
    tracker = _with_parts(make_tracker("icpc_what", text=text, slots={"council": "hampshire"}), [
        ("when does the core group first meet after the conference", "core_group", 0.5),
        ("what's its job?", "youth_justice", 0.1)])
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "10 working days" in said and "implementing" in said



@pytest.mark.parametrize("text, asks", [
    ("I do nights so my phone is off all day - what if they can't get hold of me?", False),
    ("what number do I ring if I miss their call?", True),
])
def test_what_if_they_cannot_reach_me_is_what_happens_then_not_a_number(make_tracker, text, asks):
    tracker = make_tracker("nlu_fallback", text=text)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "ask_contact", "confidence": 0.3}]
    assert actions.asks_for_contact(tracker, text) is asks


def test_a_guess_without_the_figure_asked_gives_way_to_a_close_guess_with_it(make_tracker, kb):
    """The fear in "...terrified they'll take my kids. How long is this going to hang over our heads?" pulls
    towards keeping families together, which gives no time; the assessment, a close guess, does."""
    text = "Social services want to assess us and I'm terrified. How long is this going to hang over us?"
    tracker = make_tracker("nlu_fallback", text=text)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45}, {"name": "assessment_what", "confidence": 0.41},
        {"name": "family_together", "confidence": 0.27}]
    tracker.latest_message["topic_model"] = [{"name": "family_together", "confidence": 0.6}]
    assert followup.lacks_asked_figure(kb, "coventry", "family_together", text)
    assert actions.figure_choice(tracker, kb, "coventry", "family_together", text) == "assessment_what"
    # how long it goes on is answered by "as long as it is needed", not a figure from another topic
    text = "They've put him on a child in need plan. How long are social services going to be in our lives?"
    tracker = make_tracker("nlu_fallback", text=text)
    tracker.latest_message["intent_ranking"] = [{"name": "icpc_outcomes", "confidence": 0.3}]
    assert actions.figure_choice(tracker, kb, "coventry", "cin_what", text) == "cin_what"


async def test_the_same_question_asked_of_another_thing_gets_that_things_answer(make_tracker, dispatcher, domain):
    # "how often do plans get reviewed?", then "is it the same for looked after kids?": how often, for them
    earlier = [{"text": "how often do plans for children get reviewed?",
                "intent": {"name": "cin_review", "confidence": 0.76}}]
    tracker = make_tracker("looked_after", text="is it the same for looked after kids?", earlier=earlier,
                           slots={"topic": "cin_review", "council": "bolton"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "6 months" in texts(dispatcher)


async def test_the_same_frame_without_a_question_before_it_gets_the_topic(make_tracker, dispatcher, domain):
    tracker = make_tracker("looked_after", text="what about looked after kids?", slots={"council": "bolton"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "Looked After Children teams" in texts(dispatcher)


async def test_a_change_of_council_after_a_named_team_gives_the_new_council_s_own_name_for_it(make_tracker, dispatcher,
                                                                                              domain):
    # asked in Bolton what its Children with Disability team does, then "what about Coventry?": Coventry's own
    # Children's Disability Team, not its social work teams again
    tracker = make_tracker(
        "nlu_fallback", text="and in Coventry, what is theirs called?", confidence=0.45,
        slots={"topic": "teams_roles", "council": "bolton"}, entities=[{"entity": "council", "value": "coventry"}],
        earlier=[{"text": "is there a disability team for children there?",
                  "intent": {"name": "teams_roles", "confidence": 0.8}, "metadata": {"council": "bolton"}}])
    tracker.events[:0] = [{"event": "slot", "name": "council", "value": "bolton"}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert dispatcher.messages[0].get("response") == "utter_council_changed"
    assert "Children's Disability Team" in said, said


def test_a_step_of_the_conversation_s_process(kb):
    assert actions.in_the_conversation_s_process(kb, "assessment_what", "assessment_copy")
    assert not actions.in_the_conversation_s_process(kb, "assessment_what", "cin_minutes")
    assert not actions.in_the_conversation_s_process(kb, None, "assessment_copy")


async def test_an_unsure_question_is_answered_from_a_step_of_the_conversation_s_process(make_tracker, dispatcher,
                                                                                        domain):
    # "when do we get our copy?" after the assessment: the second opinion's step of that process (getting a copy),
    # not the minutes of meetings a search finds for the word
    # (the classifier's unsure best, alone, is the minutes)
    tracker = make_tracker("nlu_fallback", text="when do we actually receive a copy?", confidence=0.45,
                           slots={"topic": "assessment_what"})
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "cin_minutes", "confidence": 0.35}]
    tracker.latest_message["topic_model"] = [{"name": "assessment_copy", "confidence": 0.2},
                                             {"name": "cin_minutes", "confidence": 0.14}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "5 working days" in texts(dispatcher)


async def test_a_change_of_council_with_a_question_naming_no_topic_stays_on_the_conversation_s(make_tracker, dispatcher,
                                                                                              domain):
    # after the core group in Coventry, the classifier sure of another topic: "by when must it meet?" is still
    # the core group's meeting, for Hampshire
    tracker = make_tracker("s47_length", text="and for Hampshire, when does it need to meet?",
                           slots={"topic": "core_group"}, entities=[{"entity": "council", "value": "Hampshire"}],
                           confidence=0.9)
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "utter_council_changed" in said and "10 working days" in said and "15 working days" not in said, said


async def test_a_second_question_pointing_back_is_answered_from_the_topic_before_it(make_tracker, dispatcher, domain):
    # "...and by when must her first review be?" of an asylum-seeking girl: her review (said in the first answer), not
    # a child protection review conference the part's classifier guessed
    text = "a girl arrived here alone seeking asylum, is she looked after, and by when must her first review be?"
    tracker = _with_parts(make_tracker("asylum", text=text), [
        ("a girl arrived here alone seeking asylum, is she looked after", "asylum", 0.9),
        ("by when must her first review be?", "review_conference", 0.6)])
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "20 working days" in said and "3 months" not in said, said


async def test_a_second_question_naming_its_own_topic_is_answered_from_it(make_tracker, dispatcher, domain):
    text = "how quickly is the assessment shared with us, and if it becomes a CIN plan, by when is the first meeting?"
    tracker = _with_parts(make_tracker("assessment_copy", text=text), [
        ("how quickly is the assessment shared with us", "assessment_copy", 0.9),
        ("if it becomes a CIN plan, by when is the first meeting?", "cin_first_meeting", 0.6)])
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "5 working days" in said and "10 working days" in said, said


async def test_a_follow_up_both_classifiers_give_another_topic_is_answered_about_what_it_names(make_tracker, dispatcher,
                                                                                              domain):
    # the police are named in the Section 47 enquiry's answer, so this is taken for a follow-up; its "why" is best
    # given by why an enquiry is made, which says nothing of the police
    tracker = make_tracker("s47_police", text="and why are the police in it as well?", slots={"topic": "s47_what"},
                           confidence=0.9)
    tracker.latest_message["topic_model"] = [{"name": "s47_police", "confidence": 0.9}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "jointly" in texts(dispatcher)
    # one classifier alone is not enough
    dispatcher.messages.clear()
    tracker.latest_message["topic_model"] = [{"name": "s47_what", "confidence": 0.9}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "jointly" not in texts(dispatcher)


async def test_a_figure_asked_beside_the_fear_of_losing_the_children_is_answered_with_the_fear(make_tracker, dispatcher,
                                                                                                domain):
    # the second opinion hears the fear (keeping families together), DIET the assessment: the fear's words, then the
    # assessment's timescale, not "I don't have that exact detail" about keeping families together
    text = "we're so scared they're going to take our son away. the assessment has begun, how many days can it run?"
    tracker = make_tracker("assessment_what", text=text, confidence=0.66)
    tracker.latest_message["intent_ranking"] = [{"name": "assessment_what", "confidence": 0.66},
                                                {"name": "assessment_length", "confidence": 0.06}]
    tracker.latest_message["topic_model"] = [{"name": "family_together", "confidence": 0.7}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = flat(texts(dispatcher))
    assert "45workingdays" in said and "exactdetail" not in said
    assert flat("stay together") in said


async def test_their_number_asked_after_who_helps_is_the_number_of_who_was_named(make_tracker, dispatcher, domain):
    # "their" is whom the first part is answered with (the rights officers), not the complaints line that the word
    # "complaint" names
    text = "who could help a young person in foster care to complain, and what number do I ring for them?"
    tracker = make_tracker("ask_contact", text=text, confidence=0.6)
    tracker.latest_message["topic_parts"] = [
        {"text": "who could help a young person in foster care to complain", "ranking": [{"name": "cro",
                                                                                     "confidence": 0.8}]},
        {"text": "and what number do I ring for them?", "ranking": [{"name": "ask_contact", "confidence": 0.7}]}]
    await actions.ActionLookupContact().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "0800 0272 118" in said and "08085 834 333" not in said, said


async def test_the_first_of_two_questions_is_answered_from_its_own_words(make_tracker, dispatcher, domain):
    # the whole message's words lead to whether parents can decide; the first question asks whom the worker talks to
    text = "which people does the worker speak to during the assessment, and whose call is the need level after?"
    tracker = make_tracker("assessment_who", text=text, slots={"council": "hampshire"}, confidence=0.6)
    tracker.latest_message["topic_parts"] = [
        {"text": "which people does the worker speak to during the assessment",
         "ranking": [{"name": "assessment_who", "confidence": 0.6}]},
        {"text": "and whose call is the need level after?", "ranking": [{"name": "assessment_who",
                                                                          "confidence": 0.5}]}]
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "teachers" in said, said


async def test_a_question_beside_a_concern_is_read_from_the_question_not_what_was_told(make_tracker, dispatcher, domain,
                                                                                        kb):
    # "run" in what was told ("made to run drugs") is no question of who runs a meeting: "who handles it?" is answered
    # by the team
    judgement = {"kind": "exploitation", "speaker": "parent", "secret": False}
    tracker = make_tracker("safety", text="I think older men make my son run drugs for them. Who handles that here?",
                           safety=judgement)
    await actions.ActionSafetyResponse().run(dispatcher, tracker, domain)
    team = kb.topic("coventry", "exploitation").answer.split(".")[0]
    assert team in texts(dispatcher) and "Indicator Tool" not in texts(dispatcher)


async def test_a_group_asked_for_after_young_carers_stays_with_young_carers(make_tracker, dispatcher, domain):
    # "group" names no topic of its own (the safeguarding partnership is "a group of agencies"): a young carer asking
    # for a group is asking about young carers
    tracker = make_tracker("nlu_fallback", text="are there any groups for kids who care for someone",
                           slots={"topic": "young_carers"}, confidence=0.45)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "cin_first_meeting", "confidence": 0.3}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "young carer" in said.lower() and "CSCP" not in said, said


async def test_what_happens_now_after_being_told_nothing_was_found(make_tracker, dispatcher, domain):
    # not "If the worries are confirmed, a conference is held"
    earlier = [{"text": "the enquiries didn't confirm any significant harm", "intent": {"name": "significant_harm"}}]
    tracker = make_tracker("next_steps", text="right, what happens now?", earlier=earlier,
                           slots={"topic": "significant_harm", "council": "hampshire"})
    await actions.ActionNextSteps().run(dispatcher, tracker, domain)
    said = texts(dispatcher)
    assert "other services" in said and "If the worries are confirmed" not in said, said


async def test_a_first_question_whether_closing_means_all_is_well_gets_what_it_means(make_tracker, dispatcher,
                                                                                     domain):
    tracker = make_tracker("cin_closure", text="They shut our plan last week. Doesn't closing it show we're fine?",
                           slots={"council": "hampshire"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "does not mean" in dispatcher.messages[0]["text"], texts(dispatcher)


async def test_several_things_told_then_one_asked_about_by_that_is_the_last_named(make_tracker, dispatcher, domain):
    text = "The meeting agreed a child protection plan, then they brought up a core group. How soon does that meet?"
    tracker = make_tracker("icpc_what", text=text, slots={"council": "hampshire"})
    await actions.ActionAnswerTopic().run(dispatcher, tracker, domain)
    assert "10 working days" in texts(dispatcher), texts(dispatcher)


async def test_if_they_cannot_reach_me_is_a_follow_up_whatever_the_message_says_of_my_life(make_tracker, dispatcher,
                                                                                           domain):
    # ("nights" names the out-of-hours service; the question is what comes of a call that does not get through)
    said = "if they cannot ring me, because i sleep days after nights shifts, then what"
    tracker = make_tracker("mash_out_of_hours", text=said,
                           slots={"topic": "referral_told"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "letter" in texts(dispatcher), texts(dispatcher)


async def test_whether_closing_means_all_is_well_is_no_question_about_what_cin_means(make_tracker, dispatcher, domain):
    tracker = make_tracker("nlu_fallback", text="They shut the CIN plan. So doesn't closing it mean we're ok?",
                           slots={"council": "hampshire"})
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "CIN stands for" not in texts(dispatcher), texts(dispatcher)


async def test_a_new_council_with_a_question_of_another_area_the_classifier_only_guesses_is_answered_as_asked(
        make_tracker, dispatcher, domain):
    # (after whether a Child in Need plan is voluntary: the assessment's time limit in Hampshire, not the plan again)
    tracker = make_tracker("nlu_fallback", text="Since May we're in Hampshire. Their assessment, how quick is it?",
                           slots={"topic": "cin_voluntary", "council": "coventry"},
                           entities=[{"entity": "council", "value": "hampshire"}], confidence=0.45)
    tracker.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.45},
                                                {"name": "assessment_length", "confidence": 0.3}]
    await actions.ActionSearchKnowledge().run(dispatcher, tracker, domain)
    assert "15 days" in texts(dispatcher), texts(dispatcher)
