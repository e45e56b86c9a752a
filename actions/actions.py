"""The assistant's custom actions. Thin by design: read the tracker, query the
knowledge base (``knowledge.store``), render (``knowledge.answers``), dispatch."""
from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import settings
from actions.context import (
    audience,
    council_for,
    councils_named,
    entity_values,
    intent_confidence,
    intent_name,
    message_text,
    safety_judgement,
    second_opinion,
    second_opinion_of,
    understood_text,
    who_is_speaking,
    young_person_speaking,
)
from knowledge import answers, channels, followup, store, timescales
from knowledge.store import Contact, KnowledgeBase, Topic
from knowledge.suggestions import starters
from safety import kinds
from safety.fallback import response_text
from safety.replies import phone as _phone
from safety.replies import safety_values
from safety.signals import is_question
from understanding.council_words import only_names_a_council
from understanding.requests import about_this_chat, cannot_do

# Topics about making a referral: the reply also says the assistant cannot make one.
REFERRAL_TOPICS = {"mash_contact", "how_to_refer", "marf_what"}
# When NLU is unsure: full-text search must match this many words of the question, and the
# classifier's best topic is used when search also finds it, or on its own when fairly sure.
SEARCH_MIN_WORDS = 2
NLU_AGREES = 0.15
NLU_ALONE = 0.3
# The second opinion (understanding.topic_model) on its own, over about a hundred intents.
SECOND_ALONE = 0.5
# ... and first, over DIET and the full-text search agreeing on a word, when it is this sure ("a child
# protection conference... are they going to take my kids?" is about keeping families together)
SECOND_VERY_SURE = 0.85
# After an answer given on a guess, how many other topics it might have been are offered as buttons.
OTHER_GUESSES = 2


def kb() -> KnowledgeBase:
    return store.shared()


def warm_line(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A person upset about the process ("I can't stop crying", "this is a nightmare") gets a warm
    line before the answer to their question (the safety layer notices it: safety.judge)."""
    if safety_judgement(tracker).get("distress"):
        dispatcher.utter_message(response="utter_distress")


def send(dispatcher: CollectingDispatcher, messages: List[Dict[str, Any]]) -> None:
    """The messages, in order; a source line already in the reply is not said twice (two answers from
    the same document)."""
    for message in messages:
        if message.get("kind") == answers.REFERENCE and \
                any(m.get("text") == message["text"] for m in dispatcher.messages):
            continue
        if "custom" in message:
            dispatcher.utter_message(json_message=message["custom"])
        else:
            dispatcher.utter_message(text=message["text"], buttons=message.get("buttons") or [])


def worded_for_the_reader(run):
    """An answering action's replies in words for whom they are for: a professional asking about a family's
    process reads "the child", not "your child" (knowledge.answers.worded_for)."""
    @functools.wraps(run)
    async def reworded(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events = await run(self, dispatcher, tracker, domain)
        audience = audience_of(tracker)
        for message in dispatcher.messages:
            if message.get("text"):
                message["text"] = answers.worded_for(message["text"], audience)
        return events
    return reworded


def council_events(tracker: Tracker, council: str) -> List[EventType]:
    """Keep the council slot as a clean id once it is known."""
    return [SlotSet("council", council)] if tracker.get_slot("council") not in (None, council) or \
        councils_named(tracker, kb()) else []


def answer_topic(dispatcher: CollectingDispatcher, base: KnowledgeBase, council: str, topic_id: str,
                 text: str, young: bool = False, professional: bool = False,
                 one_question: bool = False, brief: bool = False, question: str = "") -> List[EventType]:
    """Send a topic's answer (`brief`: its first part, with the rest one tap away, as more follows). When the
    message also says when a stage happened ("the conference was on 3 March, when does the core group meet?"),
    add what is due next and by when. A `young` person whose council's documents do not cover the topic also
    gets Childline. A message that asks `one_question` may be answered by the one sentence of another item that
    has its rare words (followup.elsewhere_fact). `question`: the first of the message's questions, when it asks
    more than one (the others are answered after: answer_other_parts)."""
    covered = base.topic(council, topic_id) is not None
    audience = "young" if young else "professional" if professional else None
    # (the first of two questions is answered here, the others after: answer_other_parts; a topic the council does not
    # cover is looked for in its other items with all the message's words)
    whole, text = text, (question or text) if covered else text
    own = followup.own_fact(base, council, topic_id, text) if text else None
    if own is not None:
        # the council's own fact, from another of its items, over the national answer or none
        send(dispatcher, answers.fact_messages(base, council, own.topic, own.sentence))
        return [SlotSet("topic", own.topic.id)]
    subject = followup.what_it_is(text) if not covered and text else None
    term = base.term(council, subject) if subject else None
    if term is not None:
        # "what's an IRO?" where the council's documents have no item on them: what the glossary says
        send(dispatcher, answers.term_messages(base, council, term))
        return [SlotSet("topic", topic_id)]
    searched = followup.searched_own_fact(base, council, topic_id, text) if text and not text.startswith("/") else None
    if searched is not None:
        # nothing for the council on the guessed topic, and one of its own items plainly about the question
        # (the conversation stays on the topic asked: another council may have it, "what about Coventry?")
        send(dispatcher, answers.fact_messages(base, council, searched.topic, searched.sentence))
        return [SlotSet("topic", topic_id)]
    elsewhere = followup.elsewhere_fact(base, council, topic_id, text) \
        if covered and one_question and text and not text.startswith("/") else None
    if elsewhere is not None:
        # the question's own words are all in one sentence of another item, and some not in this topic
        # ("who works with children in care proceedings?" taken for children in care): that sentence
        send(dispatcher, answers.fact_messages(base, council, elsewhere.topic, elsewhere.sentence))
        return [SlotSet("topic", elsewhere.topic.id)]
    meaning = followup.meaning_fact(base, council, topic_id, text) if covered and text else None
    if meaning is not None:
        # "doesn't closing it mean we're fine?": the sentence that says what it means, not the whole topic
        send(dispatcher, answers.fact_messages(base, council, meaning.topic, meaning.sentence))
        return [SlotSet("topic", meaning.topic.id)]
    role = followup.role_fact(base, council, topic_id, text) if covered and text else None
    if role is not None:
        # "who chairs them?": the sentence that says who, with the rest one tap away
        send(dispatcher, answers.fact_messages(base, council, role.topic, role.sentence))
        return [SlotSet("topic", topic_id)]
    if covered and followup.lacks_asked_figure(base, council, topic_id, text):
        fact = followup.best_fact(base, council, topic_id, text)
        if fact is not None and fact.topic.id != topic_id and followup.says_what_was_asked(text, fact) and \
                not followup.lacks_asked_figure(base, council, fact.topic.id, text):
            # "section 47... how long does this go on for?": the figure, from the item of the same area that
            # gives it for what the question names
            send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
            return [SlotSet("topic", fact.topic.id)]
        send(dispatcher, [answers.figure_not_known(base, council, audience=audience)])
    send(dispatcher, answers.topic_messages(base, council, topic_id, audience=audience, brief=brief))
    if not covered and young:
        send(dispatcher, [answers.contacts_message(base.contacts(council, ("childline",)),
                                                   intro="You can also talk to:")])
    if topic_id in REFERRAL_TOPICS:
        dispatcher.utter_message(response="utter_cannot_refer")
    events: List[EventType] = [SlotSet("topic", topic_id)]
    when = timescales.parse_date(whole, ActionNextSteps.today())
    stage_id = base.find_stage(council, whole) if when else None
    if not stage_id:
        return events
    send(dispatcher, answers.next_steps_messages(base, council, base.stage(council, stage_id), when))
    return events + [SlotSet("stage", stage_id)]


# What a question asks for that one sentence answers (a time, an age, a number): after a change of
# council, the last question's fact again. Any other question gets the topic again (which leads with
# who does something when the question asks it: followup.role_fact).
NARROW_ASPECTS = {"time", "age", "count"}
# The intent of a question for a service's phone number or email.
CONTACT_INTENT = "ask_contact"
# The intent of asking for a person to talk to.
HANDOFF_INTENT = "human_handoff"
# A topic the previous message was also classified as, at least this sure, can answer a follow-up
# its chosen topic cannot.
PREVIOUS_TOPIC = 0.3
# A follow-up's own topic, when the classifier gives it at least this, is a candidate beside the
# conversation's topic.
OWN_TOPIC = 0.5
# ... and answers it instead when its fact scores at least this much better (followup.best_fact).
OWN_TOPIC_BETTER = 2.0
# Both classifiers (DIET and the second opinion) at least this sure of the same topic: agreed_on.
AGREED = 0.8
# A second question in the same message is answered about its own topic when the second opinion
# (understanding.topic_model) gives it at least this.
PART_TOPIC = 0.35
# ... or this, when the question asks one specific thing ("whose job is it to choose the plan after an
# assessment?"): one sentence answers it, and a sentence that does not give it is not chosen.
PART_TOPIC_SPECIFIC = 0.25
SPECIFIC_ASPECTS = {"who", "time", "age", "count"}
# ... or this, whatever words it uses.
PART_TOPIC_VERY_SURE = 0.8
# ... and when the fact found for a part was already said, the part's own best topic is tried if it has this
PART_TOPIC_INSTEAD = 0.1


def answer_other_parts(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                       main_topic: str) -> None:
    """Two questions in one message ("who leads the core group, and what is it for?"): after the
    first answer, each other question (understanding.clauses) gets the fact that answers it, about
    the topic of the question before it when it names none of its own ("how soon does the core group
    meet after the conference, and what is its job?": the core group's job). When the first answer was about a later
    question ("what can a conference decide, and when is the review?" answered about the review),
    the first question is answered too."""
    parts = (tracker.latest_message or {}).get("topic_parts") or []
    vocab, names = followup.vocabulary(base), base.council_names()
    topic_ids, answered = set(base.topic_ids()), {main_topic}
    before = main_topic  # the topic of the part before: what "its" and "they" in a part point back to
    for i, part in enumerate(parts):
        text = part.get("text") or ""
        best = next((r for r in part.get("ranking") or [] if r.get("name") in topic_ids), None)
        topic_id = before
        asked = followup.asked_aspects(text)
        needed = PART_TOPIC_SPECIFIC if asked & SPECIFIC_ASPECTS else PART_TOPIC
        if best and (best["confidence"] >= PART_TOPIC_VERY_SURE or (
                followup.names_a_topic(text, vocab, ignore=names) and best["confidence"] >= needed)):
            # (a part in everyday words the second opinion is very sure of, "what social work teams does
            # Bolton have", is about its own topic too)
            topic_id = best["name"]
            back = followup.best_fact(base, council, before, text) \
                if topic_id != before and followup.refers_back(text) else None
            own = followup.best_fact(base, council, topic_id, text) if back is not None else None
            if back is not None and back.topic.id == before and followup.gives_the_aspect_asked(text, back) and \
                    (own is None or followup.shared_words(text, back) >= followup.shared_words(text, own)):
                # ...unless it points back to the topic before, which answers it with as many of its words ("is an
                # asylum-seeking boy looked after, and by when must his first review happen?": his, within 20 working
                # days, not a review conference; but "...should it turn into a CIN plan, by when is the first meeting?"
                # is the plan's)
                topic_id = before
        before = topic_id
        if i == 0 and topic_id == main_topic:
            continue  # the first answer was about the first question
        people = channels.giving(channels.topic_contacts(base, council, topic_id), channels.asked_channels(text)) \
            if "contact" in asked and "miss" not in asked else []
        if people:
            # "can I complain by phone, and can a rights officer help my son?": the way in asked for, of that part's
            # topic, not a sentence that happens to share its words
            send(dispatcher, [answers.contacts_message(people[:2], intro=f"For {base.council(council).name}:")])
            answered.add(topic_id)
            continue
        fact = followup.role_fact(base, council, topic_id, text) or followup.best_fact(base, council, topic_id, text)
        if fact and said_already(dispatcher, fact.sentence):
            # an answer before it in this reply already says it; unless the part points back to it ("...and do I
            # have to say yes to it?"), its own best topic, when another, may say what was asked ("is the plan
            # voluntary? and what does the plan set out?")
            own_topic = best["name"] if best and not followup.refers_back(text) and \
                best["name"] not in (topic_id, main_topic) and \
                best["confidence"] >= PART_TOPIC_INSTEAD and base.topic(council, best["name"]) is not None else None
            other = followup.best_fact(base, council, own_topic, text) if own_topic else None
            if other is None or said_already(dispatcher, other.sentence):
                continue
            fact = other
        if fact:
            send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
            answered.add(fact.topic.id)
        elif topic_id not in answered:
            send(dispatcher, answers.topic_messages(base, council, topic_id))
            answered.add(topic_id)


def first_question(tracker: Tracker) -> str:
    """The first of the latest message's questions when it asks more than one (understanding.clauses), else ""."""
    parts = (tracker.latest_message or {}).get("topic_parts") or []
    return (parts[0].get("text") or "") if len(parts) >= 2 else ""


def said_already(dispatcher: CollectingDispatcher, sentence: str) -> bool:
    """Whether a message sent so far in this reply says the sentence."""
    return any(sentence in " ".join((m.get("text") or "").split()) for m in dispatcher.messages)


def is_young(tracker: Tracker) -> bool:
    """A young person: the page is the young people's /app, or what they said shows it."""
    return audience(tracker) == "young_person" or young_person_speaking(tracker)


def council_before(tracker: Tracker, base: KnowledgeBase) -> str:
    """The council the conversation was about before the latest message (its slot as set before
    that message, else the page's, else the default)."""
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    council = None
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") == "council":
            council = event.get("value")
    meta = tracker.get_slot("session_started_metadata") or {}
    return base.resolve_council(council) or base.resolve_council(
        meta.get("council") if isinstance(meta, dict) else None) or base.default_council


def cannot_do_that(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase) -> bool:
    """Asked to act for the person or about their own case (understanding.requests): say honestly
    that a computer can't, and who can. True when that was the answer."""
    if not cannot_do(understood_text(tracker)):
        return False
    council = council_for(tracker, base)
    dispatcher.utter_message(response="utter_cannot_do")
    send_who_can_help(dispatcher, base, council, understood_text(tracker),
                      intro=f"Your social worker, or {base.council(council).name}, can:")
    return True


def send_who_can_help(dispatcher: CollectingDispatcher, base: KnowledgeBase, council: str, text: str,
                      intro: str) -> None:
    """The service the message names ("book me in at a family hub": the Family Hubs page), else the
    council's general contact."""
    named = base.find_contacts(council, text)[:2]
    general = base.general_contact(council)
    message = answers.contacts_message(named or ([general] if general else []), intro=intro)
    if message:
        send(dispatcher, [message])


# A subject outside the service stands beside a topic of the assistant's own that the message names
# only when the classifier is at least this sure of that topic ("I'm on universal credit and they want
# to do an assessment"), not for a word in passing ("child benefit for my new baby").
TOPIC_BESIDE = 0.5


def outside_the_service(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase) -> bool:
    """A question the assistant has no documents for: about a place it does not cover ("we live in
    Birmingham", naming none of its councils), or about a subject outside children's services ("how do
    I apply for a school place?", naming no topic of its own beside it). Say so, and who can tell them,
    instead of another council's numbers or a confident answer about another topic. True when that was
    the answer."""
    text = understood_text(tracker)
    council = council_for(tracker, base)
    area = base.other_area(text)
    if area is not None:
        send(dispatcher, answers.outside_area(base, area))
        if young_person_speaking(tracker):
            childline = base.contacts(council, ("childline",))
            send(dispatcher, [answers.contacts_message(childline, intro="You can also talk to:")])
        dispatcher.utter_message(response="utter_safety_danger_line",
                                 emergency_phone=_phone(base, council, "emergency"))
        return True
    subject = base.outside_subject(text)
    if subject is None:
        return False
    rest = " ".join(text.lower().split()).replace(subject.words, " ")
    sure = intent_name(tracker) in set(base.topic_ids()) and intent_confidence(tracker) >= TOPIC_BESIDE
    if not subject.of_a_topic and sure and \
            followup.names_a_topic(rest, followup.vocabulary(base), ignore=base.council_names()):
        return False  # it asks about one of the assistant's own topics as well: answer that
    send(dispatcher, answers.outside_subject(base, council, subject.name, subject.ask))
    general = base.general_contact(council)  # (the answer above already gives it)
    named = [c for c in base.find_contacts(council, text)[:2] if c != general]
    if subject.ask != "gov.uk" and named:
        # a way forward the message names, beside the general one (the Family Hubs page for their opening times)
        send(dispatcher, [answers.contacts_message(named, intro="You can also ask:")])
    return True


def agreed_on(tracker: Tracker, topic_id: str) -> bool:
    """Whether DIET and the second opinion both give `topic_id` first, each at least AGREED sure."""
    name, sure = second_opinion(tracker)
    return name == topic_id == intent_name(tracker) and min(sure, intent_confidence(tracker)) >= AGREED


def answered_first(dispatcher: CollectingDispatcher, tracker: Tracker,
                   base: KnowledgeBase, unsure: bool = False,
                   domain: Optional[Dict[str, Any]] = None) -> Optional[List[EventType]]:
    """What is answered before the intent's own answer: a request the assistant cannot do, a place
    it has no documents for, then a follow-up or change of council about the conversation's topic
    (when the classifier is `unsure`, also one that names something the current topic's answer
    talks about). Their events, or None."""
    if cannot_do_that(dispatcher, tracker, base) or outside_the_service(dispatcher, tracker, base):
        return []
    if about_this_chat(understood_text(tracker)):
        # "is this chat private? will social services see what i write?": what happens to this chat
        dispatcher.utter_message(response="utter_about_this_chat", days=settings.get("FAMILY_HELP_RETENTION_DAYS"))
        return []
    if _IN_TROUBLE.search(message_text(tracker).lower()) and \
            safety_steps_again(dispatcher, tracker, base, council_for(tracker, base), domain):
        # "will i get in trouble?" just after telling: not the youth justice service, the reply that says it
        # is not their fault and they are not in trouble, again
        return []
    return follow_up(dispatcher, tracker, base, unsure=unsure, domain=domain)


_IN_TROUBLE = re.compile(r"\b(will|would|am|could|can|do|does|is) (i|we|my (mum|mom|dad|mam)|she|he) (get |be |go )?"
                         r"(in|into) (trouble|bother)\b|\b(get|getting|be) (arrested|told off)\b")


# Out of office hours, in a conversation about making a referral: the out-of-hours topic (knowledge/topics.yml).
OUT_OF_HOURS_AREA = "referrals"
OUT_OF_HOURS_TOPIC = "mash_out_of_hours"


def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
              unsure: bool = False, domain: Optional[Dict[str, Any]] = None) -> Optional[List[EventType]]:
    """A message about the conversation's current topic (the `topic` slot) that names no topic of
    its own: a change of council ("and in Bolton?") answers the topic again for the new council; a
    question about one aspect ("how long does that take?") gets the fact that answers it. When the
    classifier is `unsure` of the message's topic, a message naming only things the current topic's
    answer talks about ("how long does the Step Up one take?" after the routes into social work) is
    one too. None when the message is not one of these (the caller answers it as usual)."""
    topic_id = tracker.get_slot("topic")
    text = understood_text(tracker)
    if not topic_id or not text or text.startswith("/"):
        return None
    council = council_for(tracker, base)
    if help_with_the_topic(dispatcher, tracker, base, council):
        return council_events(tracker, council)
    vocab, names = followup.vocabulary(base), base.council_names()
    # a message that only says which council ("we're in Bolton if that makes a difference") names no topic,
    # whatever its filler words share with one ("difference")
    council_only = only_names_a_council(text, (tracker.latest_message or {}).get("entities") or [])
    # whether the conversation's process can become child protection, taken for a topic of another area ("could
    # it turn into child protection?" after a Child in Need plan): how its area says a case steps up
    stepping_up = followup.escalation_fact(base, council, topic_id, text) \
        if base.topic_area(intent_name(tracker)) != base.topic_area(topic_id) else None
    # ("and at 3 in the morning?" after how to make a referral names no topic but a time)
    out_of_hours = base.topic_area(topic_id) == OUT_OF_HOURS_AREA and followup.names_out_of_hours(text) and \
        not followup.names_a_topic(followup.without_out_of_hours(text), vocab, ignore=names)
    if not council_only and not out_of_hours and followup.names_a_topic(text, vocab, ignore=names) and not (
            (unsure or followup.continues(text) or followup.refers_back(text) or
             followup.names_as_known(text, vocab, ignore=names)) and
            followup.fits_current(base, council, topic_id, text, vocab, ignore=names)) and not (
            unsure and followup.fact_names_it(base, council, topic_id, text, vocab, ignore=names)) and \
            stepping_up is None and not unreachable_follow_up(base, council, topic_id, text):
        # (one that carries on from the last, "and by when, counting from the strategy discussion?", points
        # back to it, "when will her first review be?" after an asylum-seeking child arrived, or names a
        # thing as one already known, "what does the council's assessment check?" after private fostering,
        # naming only what the current topic's answer talks about, is a follow-up however sure the
        # classifier is; so is one the classifier was unsure of when a fact of the topic's process names what it
        # names and gives what it asks: "when should we be given our copy?" after an assessment was signed off; and
        # one asking whether the process can become child protection, taken for a topic of another area)
        return None
    named = next(iter(councils_named(tracker, base)), None) or base.resolve_council(text)
    if named and named != council_before(tracker, base):
        dispatcher.utter_message(response="utter_council_changed", council_name=base.council(named).name)
        # a question of its own with the change ("ok back to Coventry, who do I call out of hours?"):
        # that question, for the new council; else the last question again ("where" is left out: "what
        # about Bolton, where my grandchildren live?" asks nothing new)
        own = followup.asked_aspects(_HOW_IT_WORKS.sub(" ", " ".join(
            w for w in text.lower().split() if base.resolve_council(w) is None))) - {"what", "where"}
        classified = intent_name(tracker)
        sure = not not_sure_of(tracker)
        if not sure:
            # (the classifier's guess, unsure, of a topic of another area that the message names: "we're in
            # Hampshire since May - their assessment, is it quick?" after whether a plan is voluntary)
            named_words, topic_ids = vocab.topic_words(text), set(base.topic_ids())
            ranked = [r.get("name") for r in ((tracker.latest_message or {}).get("intent_ranking") or [])[:4]]
            guess = next((t for t in ranked if t in topic_ids and base.topic_area(t) != base.topic_area(topic_id) and
                          named_words & followup.content_words(base.topic_title(t) or "")), None)
            if guess:
                classified, sure = guess, True
        if own and classified != topic_id and sure and classified in set(base.topic_ids()) \
                and base.topic(named, classified) is not None and followup.names_a_topic(text, vocab, ignore=names):
            # a question of its own about another topic the classifier is sure of ("we live in Bolton now, who runs
            # the child protection conferences there?" after the core group): answered as a question
            # of its own, for the new council (council_for reads the council this message names); not one that
            # names no topic ("and in Hampshire, by when must it get together?" is about the core group still)
            return None
        if "contact" in own:
            give_contacts(dispatcher, base, named, text, entity_values(tracker, "service"), topic_id)
            return [SlotSet("council", named)]
        fact = followup.best_fact(base, named, topic_id, text) if own else None
        if fact is not None:
            send(dispatcher, answers.fact_messages(base, named, fact.topic, fact.sentence))
            return [SlotSet("council", named), SlotSet("topic", fact.topic.id)]
        return [SlotSet("council", named)] + answer_again(dispatcher, tracker, base, named, topic_id, domain)
    if stepping_up is not None:
        send(dispatcher, answers.fact_messages(base, council, stepping_up.topic, stepping_up.sentence))
        return council_events(tracker, council) + [SlotSet("topic", stepping_up.topic.id)]
    if not followup.asks_about_the_last(text, ignore=names):  # it names no topic: checked above
        return None
    topic = base.topic(council, topic_id)
    if base.topic_area(topic_id) == OUT_OF_HOURS_AREA and topic_id != OUT_OF_HOURS_TOPIC and \
            followup.names_out_of_hours(text) and base.topic(council, OUT_OF_HOURS_TOPIC) is not None:
        # "what if it's 7pm on a Friday?" after how to make a referral: the number for when the office is shut
        send(dispatcher, answers.topic_messages(base, council, OUT_OF_HOURS_TOPIC))
        return council_events(tracker, council) + [SlotSet("topic", OUT_OF_HOURS_TOPIC)]
    asked = followup.asked_aspects(text)
    if topic and topic.contacts and "contact" in asked and "miss" not in asked:
        # ("what if they can't get me on the phone?" asks what happens then, not for a number)
        send(dispatcher, [answers.contacts_message(base.contacts(council, topic.contacts),
                                                   intro=f"For {base.council(council).name}:")])
        return council_events(tracker, council)
    fact = followup.best_fact(base, council, topic_id, text, context=previous_question(tracker)[0])
    asked_about = topic_id
    classified = settled_topic(tracker, base)
    sure_of_own = intent_confidence(tracker) if classified == intent_name(tracker) else second_opinion(tracker)[1]
    if fact is not None and classified != topic_id and classified in set(base.topic_ids()) and \
            sure_of_own >= OWN_TOPIC:
        # the message's own topic, when a classifier is fairly sure of it (DIET, or the second opinion
        # when DIET was not sure: settled_topic), answers as well as the conversation's ("does the
        # social worker have to see him without me?" after a child protection plan is about statutory
        # visits): the better fact of the two
        own = followup.best_fact(base, council, classified, text)
        if own is not None and not (followup.refers_back(text) and
                                    followup.shared_words(text, fact) > followup.shared_words(text, own)) and \
                (own.score >= fact.score + OWN_TOPIC_BETTER or (
                own.score > fact.score and ((followup.shares_words(text, own) and
                                             not followup.shares_words(text, fact)) or
                                            followup.shared_words(text, own) > followup.shared_words(text, fact) or
                                            followup.gives_more(text, own, fact)))):
            # (or better at all, when only it has a word of the question, or more of them: "when is the next
            # conference?" after the first conference is about the review, not the core group; "when should the
            # first meeting be?" after an assessment that ends in a plan; or when it gives more of
            # what was asked: "who do I tell?" is answered by a number, not by who visits; not when the message
            # points back and the conversation's fact has more of its words: "when has his first review got to
            # be held?" after an asylum-seeking child arrived is his review, not plans' reviews in general)
            fact, asked_about = own, classified
        elif agreed_on(tracker, classified):
            # both classifiers sure of the message's own topic, whose own text names what the message names, when
            # the conversation's fact names none of it ("why are the police there?" after a Section 47 enquiry:
            # enquiries done jointly with the police, not why the enquiry is made)
            own = followup.best_fact(base, council, classified, text, only=True)
            if own is not None and followup.shares_words(text, own) and not followup.shares_words(text, fact):
                fact, asked_about = own, classified
    if fact is not None and followup.refers_back(text):
        # "and who leads her first review?" after an asylum-seeking boy, then whether he is in care: the
        # earlier topic's fact that has more of the question's words and gives what it asks
        for other in topics_answered_before(tracker, base, topic_id):
            earlier = followup.best_fact(base, council, other, text)
            if earlier is not None and followup.shared_words(text, earlier) > followup.shared_words(text, fact) \
                    and followup.gives_the_aspect_asked(text, earlier):
                fact, asked_about = earlier, other
                break
    if fact is None:
        # "section 47... are they going to take my kids?" was answered about keeping families together;
        # "how long does that take?" is about the Section 47 enquiry the message also named
        for other in topics_named_before(tracker, base, topic_id):
            fact = followup.best_fact(base, council, other, text)
            if fact is not None:
                asked_about = other
                break
    if fact is None and topic is not None and not followup.names_a_topic(text, vocab, ignore=names) and \
            figure_unknown(dispatcher, tracker, base, council, topic_id):
        # a bare "how long does it take?" after young carers, whose documents give no timescale: the classifier's
        # guess from the question's words alone (the MASH's one working day) would be another process's figure
        return council_events(tracker, council)
    if fact is None and classified != topic_id and classified in set(base.topic_ids()) and sure_of_own >= OWN_TOPIC:
        # nothing of the conversation's topic answers it, but the message's own topic does ("who do I tell?"
        # after private fostering: the number to call when worried about a child)
        fact = followup.best_fact(base, council, classified, text)
        asked_about = classified if fact is not None else asked_about
    if fact is None and topic and "where" in asked:
        # "where can I find them?": the web page or address the topic gives
        found = channels.prefer_channels(base, council, base.contacts(council, topic.contacts), "website address")
        if found:
            send(dispatcher, [answers.contacts_message(found, intro=f"For {base.council(council).name}:")])
            return council_events(tracker, council)
    if fact is None:
        return None
    if fact.topic.id != asked_about and followup.lacks_asked_figure(base, council, asked_about, text) and not (
            asked_about == topic_id and followup.says_what_was_asked(text, fact)) and \
            not process_item_for_figure(base, asked_about, fact, text):
        # (the process's own item for that figure answers it: "how long does that take?" after being told
        # about a referral, the MASH's one working day, needs no "I don't have that" before it)
        # the figure asked for is not given for that topic: say so, then the nearest fact that is (a
        # fact of the same area about what the question names answers it: no need to say so)
        send(dispatcher, [answers.figure_not_known(base, council, asked_about, audience=audience_of(tracker))])
        own_topic = base.topic(council, asked_about)
        if own_topic is not None and not base.is_process_area(base.topic_area(asked_about) or "") and \
                not followup.says_what_was_asked(text, fact) and \
                not followup.says_what_was_asked(own_topic.title, fact):
            # the nearest figure, of an item beside it that is not a step of the same process, is about nothing
            # the conversation named ("the first review is held within 20 working days", of an asylum-seeking
            # child, after information sharing): what the topic itself says
            fact = followup.Fact(own_topic, followup.sentences(own_topic)[0], 0.0)
    send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
    return council_events(tracker, council) + [SlotSet("topic", fact.topic.id)]


# "How does it work in Coventry?" asks the last question again, for that council: no question of its own.
_HOW_IT_WORKS = re.compile(r"\bhow (does|do|would|will|did) (it|that|this|they|things) work\b")


def unreachable_follow_up(base: KnowledgeBase, council: str, topic_id: str, text: str) -> bool:
    """Asked what happens if the services cannot reach the person ("and if they cannot ring me, as I sleep days
    after night shifts?"), when the conversation's process says (a letter is sent): a follow-up, whatever else the
    message names about the person's life."""
    if not followup.asks_if_unreachable(text):
        return False
    fact = followup.best_fact(base, council, topic_id, text)
    return fact is not None and "miss" in followup.given_aspects(fact.sentence)


def process_item_for_figure(base: KnowledgeBase, asked_about: str, fact: followup.Fact, text: str) -> bool:
    """Whether the fact is from the item of the same process that is about the figure asked ("How long the MASH
    takes to decide") and gives it."""
    area = base.topic_area(asked_about) or ""
    return base.is_process_area(area) and base.topic_area(fact.topic.id) == area and \
        followup.figures_asked(text) <= followup.figures_asked(fact.topic.title) and \
        followup.gives_figures(text, fact.sentence)


def earlier_user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The person's messages before the latest one, as the tracker holds them, oldest first."""
    return [e for e in tracker.events or [] if e.get("event") == "user"][:-1]


def previous_question(tracker: Tracker) -> Tuple[str, str, List[str]]:
    """The person's message before the latest one: its text, intent and the services it named
    (empty when there was none, or it was a button's payload)."""
    earlier = earlier_user_events(tracker)
    if not earlier:
        return "", "", []
    parse = earlier[-1].get("parse_data") or {}
    text = str(earlier[-1].get("text") or parse.get("text") or "")
    if text.startswith("/"):
        return "", "", []
    services = [str(e.get("value")) for e in parse.get("entities") or [] if e.get("entity") == "service"]
    return text, str((parse.get("intent") or {}).get("name") or ""), services


# A number or an email asked for in so many words (not "call", "ring": "what does Bolton call it?", "who do
# I ring that's not 999?")
_ASKS_NUMBER = re.compile(r"\b(number|numbers|no\.|phone no|e-?mail|email address|contact details)\b")


# A question asking why, or whether someone should: not a request for a way to get in touch.
_WHY_OR_WHETHER = re.compile(r"(?:\W*(?:so|and|but|ok|okay|then)\b)?\W*"
                             r"(?:why|how come|should|shall|must|do i have to)\b",
                             re.IGNORECASE)


def last_question(text: str) -> str:
    """The last part of the message (after a full stop or a dash): what is asked, after the scene."""
    return _PARTS.split(text.strip())[-1]


def asks_for_contact(tracker: Tracker, text: str) -> bool:
    """Whether a message the classifier was unsure of asks for a way to get in touch (a number, an
    email) and names a service, or a contact request is among its best guesses."""
    latest = tracker.latest_message or {}
    names_a_number = bool(_ASKS_NUMBER.search(text.lower()))
    if "miss" in followup.asked_aspects(text) and not names_a_number:
        return False  # "I never answer my phone - what if they can't reach me?": what happens then, not a number
    if _WHY_OR_WHETHER.match(last_question(text)) and not names_a_number:
        return False  # "why did they write rather than phone me?", "should I speak to the parents first?"
    if entity_values(tracker, "service") and names_a_number and len(latest.get("topic_parts") or []) < 2:
        return True  # "whats the childline number": a service named, and its number or email asked (only)
    second, sure = second_opinion(tracker)
    if second != CONTACT_INTENT and sure >= SECOND_ALONE:
        return False  # the second opinion is fairly sure of a topic ("out-of-hours number for social care?")
    guesses = [r.get("name") for r in (latest.get("intent_ranking") or [])[:3] + (latest.get("topic_model") or [])[:2]]
    return CONTACT_INTENT in guesses and bool(channels.asked_channels(text))


def was_contact_request(base: KnowledgeBase, text: str, intent: str) -> bool:
    """Whether an earlier message asked for a contact: its intent, or a number or email asked for in a
    message no topic was found for ("what's the safeguarding number?")."""
    return bool(text) and (intent == CONTACT_INTENT or (
        intent not in set(base.topic_ids()) and bool(channels.asked_channels(text) & {"phone", "email"})))


def answer_again(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                 topic_id: Optional[str], domain: Optional[Dict[str, Any]] = None) -> List[EventType]:
    """After a change of council ("what about in Bolton?"), the last question again for the new
    council: the contacts it asked for, the one fact it asked (who chairs, how long), or the topic."""
    if safety_steps_again(dispatcher, tracker, base, council, domain, carries=1):
        return []  # the last message was a concern: its steps, with the new council's numbers
    text, intent, services = previous_question(tracker)
    if was_contact_request(base, text, intent):
        give_contacts(dispatcher, base, council, text, services, topic_id)
        return []
    if not topic_id:
        return []
    before = council_before(tracker, base)
    stood_in = next((t for t in topics_named_before(tracker, base, topic_id) if base.topic(before, t) is None
                     and base.topic(council, t) is not None), None) if not followup.refers_back(text) else None
    if stood_in:
        # the last question was taken for a topic the old council's documents do not cover, so another
        # answered it ("where can a family get early help in Bolton?": Bolton's safeguarding teams); the new
        # council covers the topic asked: that, not the stand-in
        topic_id = stood_in
    elif base.topic(council, topic_id) is None and not followup.refers_back(text):
        # the new council does not cover the topic the last question was taken for: another topic it was
        # also taken for, that the council does cover ("who else is in the team?" taken for the support of
        # new social workers, and for teams and roles); not when the last question only pointed back to the
        # topic ("how long does that take?" after young carers was no question about referrals)
        topic_id = next((t for t in topics_named_before(tracker, base, topic_id) if base.topic(council, t)), topic_id)
    named = base.find_term(council, text) if text else None
    covered = base.topic(council, topic_id)
    if named is not None and named.council == council and covered is not None and \
            named.term.lower() not in " ".join(covered.prose).lower():
        # the last question named one of the new council's own teams or terms, that the topic's answer there does
        # not (Bolton's team for disabled children asked about, then "and Coventry?"): what the
        # council's glossary says of it (Coventry's Children's Disability Team)
        send(dispatcher, answers.term_messages(base, council, named))
        return [SlotSet("topic", topic_id)]
    role = followup.role_fact(base, council, topic_id, text) if text else None
    if role is not None:
        # "who runs a child protection conference?" then "and in Bolton?": Bolton's sentence that says who does
        send(dispatcher, answers.fact_messages(base, council, role.topic, role.sentence))
        return [SlotSet("topic", role.topic.id)]
    if text and followup.asked_aspects(text) & NARROW_ASPECTS and base.topic(council, topic_id) is not None:
        fact = followup.best_fact(base, council, topic_id, text)
        if fact is not None and (fact.topic.id == topic_id or followup.says_what_was_asked(text, fact)) and \
                not followup.lacks_asked_figure(base, council, fact.topic.id, text):
            # (or another item's, about what the question names: "how often are child protection plans
            # reviewed?" taken for Bolton's reviews of all plans is, for Hampshire, its review conference)
            send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
            return [SlotSet("topic", fact.topic.id)]
    # (asked again as one question: a sentence of another item that has all its words answers it, "which
    # team works with children in care proceedings?" for Coventry after Bolton's looked-after teams)
    return answer_topic(dispatcher, base, council, topic_id, text, young=is_young(tracker), one_question=bool(text))


# How many earlier topics of the conversation a follow-up pointing back may be about.
EARLIER_TOPICS = 2


def topics_answered_before(tracker: Tracker, base: KnowledgeBase, current: str) -> List[str]:
    """The conversation's topics before the `current` one, latest first (at most EARLIER_TOPICS)."""
    ids, found = set(base.topic_ids()), []
    for e in reversed(tracker.events or []):
        if e.get("event") == "slot" and e.get("name") == "topic" and e.get("value") in ids and \
                e["value"] != current and e["value"] not in found:
            found.append(e["value"])
    return found[:EARLIER_TOPICS]


def topics_named_before(tracker: Tracker, base: KnowledgeBase, current: str) -> List[str]:
    """Topics the person's previous message was also classified as, besides the conversation's
    `current` one (the classifier's best and the second opinion's best, when fairly sure)."""
    earlier = earlier_user_events(tracker)
    if not earlier:
        return []
    parse = earlier[-1].get("parse_data") or {}
    said = earlier[-1].get("text") or ""
    if said and followup.refers_back(said) and \
            not followup.names_a_topic(said, followup.vocabulary(base), ignore=base.council_names()):
        return []  # it only pointed back ("cn i get help with it?"): its guesses name nothing
    ids = set(base.topic_ids())
    named = [(parse.get("intent") or {})] + list((parse.get("topic_model") or [])[:1])
    return list(dict.fromkeys(r["name"] for r in named if r.get("name") in ids and r["name"] != current
                              and (r.get("confidence") or 0) >= PREVIOUS_TOPIC))


class ActionSessionStart(Action):
    """Start a session, taking the council from the web page's metadata if it sent one."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        meta = tracker.get_slot("session_started_metadata") or {}
        council = kb().resolve_council(meta.get("council")) if isinstance(meta, dict) else None
        # A council already chosen in this conversation carries over; otherwise take the page's.
        if council and not tracker.get_slot("council"):
            events.append(SlotSet("council", council))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(Action):
    """The greeting, with questions its council's documents answer (a young person's on the /app)."""

    def name(self) -> str:
        return "action_greet"

    response, pool = "utter_greet", "family"

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        young = is_young(tracker)
        buttons = starters(base, council, "young_person" if young else None, pool=self.pool)
        dispatcher.utter_message(response=self.response, buttons=buttons)
        return []


class ActionHelp(ActionGreet):
    """What the assistant can do, with questions its council's documents answer; or, asked in a
    conversation about a topic ("can I get help with it?"), how to get help with that topic."""

    def name(self) -> str:
        return "action_help"

    response, pool = "utter_help", "help"

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        if help_with_the_topic(dispatcher, tracker, base, council):
            return council_events(tracker, council)
        if tracker.get_slot("topic") and any(c != council_before(tracker, base) for c in councils_named(tracker, base)):
            # "and for Hampshire, could you say?" in a conversation about a topic, taken for asking what the
            # assistant does: a change of council, which answers the topic again for it (follow_up)
            events = follow_up(dispatcher, tracker, base, domain=domain)
            if events is not None:
                return events
        return await super().run(dispatcher, tracker, domain)


# Asking for help with what the conversation is about ("cn i get help with it?", "is there support for
# that?"): a short message that points back and asks for help or support.
_HELP_WITH_IT = re.compile(r"\b(help|support)\b( me| us)? (with|for|about) (it|that|this|them)\b")


def help_with_the_topic(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
                        council: str) -> bool:
    """A short message asking for help or support with the conversation's topic, naming no topic of its
    own ("how do I get help with that?" after young carers): who to contact about that topic (and
    Childline for a young person), else the topic's answer. True when sent."""
    current = tracker.get_slot("topic")
    text = understood_text(tracker)
    if not current or not text or base.topic(council, current) is None or \
            not _HELP_WITH_IT.search(text.lower()) or not followup.refers_back(text) or \
            followup.names_a_topic(text, followup.vocabulary(base), ignore=base.council_names()):
        return False
    people = channels.topic_contacts(base, council, current)
    if young_person_speaking(tracker):
        people = people + base.contacts(council, ("childline",))
    if not people:
        answer_topic(dispatcher, base, council, current, text, young=is_young(tracker),
                     professional=who_is_speaking(tracker) == "professional")
        return True
    send_contacts(dispatcher, base, people, intro="To get help with this, contact:")
    return True


class ActionAnswerTopic(Action):
    """Answer a topic question (the intent names the topic) for the person's council."""

    def name(self) -> str:
        return "action_answer_topic"

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        warm_line(dispatcher, tracker)
        first = answered_first(dispatcher, tracker, base, domain=domain)
        if first is not None:
            return first
        council, topic_id = council_for(tracker, base), settled_topic(tracker, base)
        if topic_id in SAFETY_ANSWERS and safety_steps_again(dispatcher, tracker, base, council, domain):
            # "ok so what do i do?" just after a safety reply: its steps again, not general advice
            return council_events(tracker, council)
        if tracker.get_slot("topic") != topic_id and not_sure_of(tracker) and \
                topic_again_for_follow_up(dispatcher, tracker, base, council):
            # "is there like a club or something?" after young carers, DIET guessing another topic
            return council_events(tracker, council)
        text, understood = message_text(tracker), understood_text(tracker)
        topic_id = conversation_choice(tracker, base, council, topic_id, understood)
        topic_id = covered_choice(tracker, base, council, topic_id, understood)
        topic_id = searched_choice(tracker, base, council, topic_id, understood)
        named_last = followup.last_named_topic(base, understood, followup.vocabulary(base), base.council_names())
        if named_last and base.topic(council, named_last) is not None:
            # several things told of, then one asked about by "that" ("a plan was agreed, then a core group set up.
            # Who sits in that one?"): the one named last
            topic_id = named_last
        if not_sure_of(tracker) or topic_id == FEAR_TOPIC:
            # a figure asked beside a fear ("we're frightened of losing the children; the assessment began last week,
            # how long can it go on?"): the guess that gives it, the fear answered too (answer_the_fear_too)
            topic_id = figure_choice(tracker, base, council, topic_id, understood)
        if followup.names_section(understood):
            # a process named by its section beside the fear of losing the child: the fear, then the process
            # (answer_the_fear_too)
            topic_id = followup.section_topic(base, council, understood, topic_id, guesses(
                tracker, base, [t.id for t, _ in base.search(council, understood, limit=5)]), general=(FEAR_TOPIC,))
        adult = base.adult_topic(topic_id) if kinds.speaker_group(who_is_speaking(tracker)) in ADULTS else None
        if adult and base.topic(council, adult) is not None:
            # an angry parent "on a plan for a year": complaints, not a child in care's rights officer
            topic_id = adult
        if base.topic(council, topic_id) is None and tracker.get_slot("topic") != topic_id and \
                not followup.names_a_topic(understood, followup.vocabulary(base), ignore=base.council_names()) and \
                last_resort_about_the_topic(dispatcher, tracker, base, council, understood):
            # a message naming no topic of its own ("which plan do I get then?" after Bolton's leaving care
            # team), taken for a topic the council's documents do not cover: the conversation's topic
            return council_events(tracker, council)
        fact = same_question_fact(tracker, base, council, topic_id, text, understood)
        if fact is not None:
            # "is it the same for looked after kids?" after "how often do plans get reviewed?": the fact that
            # answers the question before about what this message names
            send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
            return council_events(tracker, council) + [SlotSet("topic", topic_id)]
        # "Tell me more" after a young person's version of this topic: the whole answer
        more = text == f"/{topic_id}" and tracker.get_slot("topic") == topic_id
        # the fear of losing the child, asked beside a process ("a section 47... are they going to take him?"), is
        # what was asked: the council's words on it first, then the process briefly
        feared = answer_the_fear_too(dispatcher, base, council, topic_id, text)
        events = answer_topic(dispatcher, base, council, topic_id, text, young=is_young(tracker) and not more,
                              question=first_question(tracker),
                              professional=who_is_speaking(tracker) == "professional" and not more,
                              one_question=len((tracker.latest_message or {}).get("topic_parts") or []) < 2,
                              brief=feared)
        answer_other_parts(dispatcher, tracker, base, council, topic_id)
        return council_events(tracker, council) + events


# A parent who fears their child will be taken away, asking about a process ("theres a section 47 on my son and im
# terrified are they taking him"): after the process, what the council's work with a family is for.
FEAR_TOPIC = "family_together"
_KID = r"(him|her|them|(my|our|the) (kids?|children|child|son|daughter|baby|boy|girl|grandchild|grandchildren|" \
       r"grandkids))"
_FEARS_REMOVAL = re.compile(
    r"\b(they|social services|social care|social workers?|the council|the social worker)('ll| will| are|'re| might|"
    r" could| would| may)?( be)?( going to| gonna| try to| trying to| want to| wanna)? "
    rf"(take|taking|took|remove|removing|put|putting) {_KID}"
    r"( (away|off (me|us)|into care|in care|from (me|us))| ?(\?|$|\.|,|!))", re.I)


def answer_the_fear_too(dispatcher: CollectingDispatcher, base: KnowledgeBase, council: str, topic_id: str,
                        text: str) -> bool:
    """When the message also fears the child will be taken away and the answer is about something else: the
    council's words on what its work with families is for, before it (which the caller then keeps brief). True
    when sent."""
    topic = base.topic(council, FEAR_TOPIC)
    if topic_id == FEAR_TOPIC or topic is None or not _FEARS_REMOVAL.search(text or ""):
        return False
    send(dispatcher, answers.fact_messages(base, council, topic, " ".join(topic.answer.split())))
    return True


# "Is it the same for looked after kids?", "what about care leavers?": the question before, asked again of
# what this message names
_SAME_OF = re.compile(r"^\W*(and |but |so |ok |okay )?((is|would|does|are) (it|that|this|they) (be |work )?"
                      r"(the same|similar|any different|different)|(what|how) about|same (for|with))\b", re.I)


def same_question_fact(tracker: Tracker, base: KnowledgeBase, council: str, topic_id: str, text: str,
                       understood: str) -> Optional[followup.Fact]:
    """When the message asks the same of something it names ("is it the same for looked after kids?") and the
    question before asked something in particular (how often, who, how long): the fact that answers that
    question about the message's topic, if one gives what was asked; else None."""
    if not _SAME_OF.match(text) or followup.asked_aspects(text) - {"what", "case"}:
        return None
    before = last_question(previous_question(tracker)[0])
    if not before or not followup.asked_aspects(before) - {"what"} or \
            not followup.names_a_topic(understood, followup.vocabulary(base), ignore=base.council_names()):
        return None
    same = f"{before} {text}"  # "how often do plans get reviewed? is it the same for looked after kids?"
    fact = followup.best_fact(base, council, topic_id, same)
    return fact if fact is not None and (followup.asked_aspects(same) - {"what"}) & \
        followup.given_aspects(fact.sentence) else None


def guesses(tracker: Tracker, base: KnowledgeBase, searched: List[str]) -> List[str]:
    """The topics the message was taken for, best first: the classifier's, the second opinion's, then the
    full-text search's (`searched`)."""
    latest = tracker.latest_message or {}
    named = [r.get("name") for r in (latest.get("intent_ranking") or []) + (latest.get("topic_model") or [])]
    ids = set(base.topic_ids())
    return list(dict.fromkeys([n for n in named if n in ids] + searched))


# Speakers (safety.kinds.speaker_group) answered with the adults' version of a topic (knowledge/topics.yml).
ADULTS = ("adult", "professional")


# DIET swings from one training run to the next (a few new examples moved a third of the answers on
# the held-out set); the second opinion (understanding.topic_model) does not. When DIET is not very
# sure and the second opinion is sure of another topic, the second opinion's topic is answered.
DIET_SURE = 0.8
SECOND_SURE = 0.5
# ...or at least this, when it gives DIET's intent less than SECOND_RULES_OUT
SECOND_FAIRLY = 0.4
SECOND_RULES_OUT = 0.1


def topic_again_for_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
                              council: str) -> bool:
    """A follow-up about the conversation's topic that no sentence answers (follow_up found none): its
    whole answer again, not a guess at another topic from words that name none. True when sent."""
    current = tracker.get_slot("topic")
    if not current or current not in set(base.topic_ids()) or \
            not followup.is_follow_up(understood_text(tracker), followup.vocabulary(base),
                                      ignore=base.council_names()):
        return False
    if not figure_unknown(dispatcher, tracker, base, council, current):
        send(dispatcher, answers.topic_again(base, council, current))
    return True


# A topic the council's documents do not cover at all, guessed by a classifier that was not very sure,
# is more often a wrong guess than a real gap ("what support does Coventry offer disabled children?"
# taken for leaving care): the best guess the council does cover is answered instead, when a
# classifier gives it at least this.
COVERED_OTHER = 0.3


# A guess in another area than the conversation's, made without much certainty, gives way to a topic of the
# conversation's own process that a classifier ranks at least this (among its three best) and that has a
# sentence saying what was asked ("when do I get to see a copy?" after an assessment was signed off: the
# assessment's copy, not a meeting's minutes).
CONVERSATION_OTHER = 0.1


def conversation_choice(tracker: Tracker, base: KnowledgeBase, council: str, topic_id: str, text: str) -> str:
    current = tracker.get_slot("topic")
    area = base.topic_area(current) if current else None
    asked = followup.asked_aspects(text) - {"what"} if text else set()
    if not area or current == topic_id or not not_sure_of(tracker) or not base.is_process_area(area) or \
            base.topic_area(topic_id) == area or not asked:
        return topic_id
    latest = tracker.latest_message or {}
    for key in ("intent_ranking", "topic_model"):
        for r in (latest.get(key) or [])[:3]:
            name = r.get("name")
            if name == topic_id or (r.get("confidence") or 0.0) < CONVERSATION_OTHER or \
                    base.topic_area(name) != area or base.topic(council, name) is None:
                continue
            fact = followup.best_fact(base, council, name, text)
            if fact is not None and base.topic_area(fact.topic.id) == area and \
                    asked & followup.given_aspects(fact.sentence):
                return fact.topic.id
    return topic_id


# A guess that does not give the figure asked (a time, an age, a number) gives way to another of the
# classifiers' three best guesses that does, when a classifier gives it at least this ("Social services want
# to assess us and I'm terrified they'll take my kids. How long is this going to hang over us?": the fear
# pulls towards keeping families together, the question asks how long the assessment takes).
FIGURE_OTHER = 0.1


def figure_choice(tracker: Tracker, base: KnowledgeBase, council: str, topic_id: str, text: str) -> str:
    """The topic to answer a guessed question from: `topic_id`, unless it lacks the figure asked and another
    of the classifiers' best guesses gives it (FIGURE_OTHER)."""
    if not text or not followup.lacks_asked_figure(base, council, topic_id, text) or \
            followup.gives_duration(base, council, topic_id, text):
        return topic_id  # ("how long will they be in our lives?" is answered by "as long as it is needed")
    latest = tracker.latest_message or {}
    topic_ids = set(base.topic_ids()) - SAFETY_ANSWERS
    for key in ("intent_ranking", "topic_model"):
        for r in [r for r in latest.get(key) or [] if r.get("name") in topic_ids][:3]:
            name = r["name"]
            if name != topic_id and (r.get("confidence") or 0.0) >= FIGURE_OTHER and \
                    base.topic(council, name) is not None and \
                    not followup.lacks_asked_figure(base, council, name, text):
                return name
    return topic_id


def covered_choice(tracker: Tracker, base: KnowledgeBase, council: str, topic_id: str, text: str,
                   unsure: bool = False) -> str:
    """The topic to answer: `topic_id`, unless the council has no item for it (nor a national one),
    none of its own sentences answers the question (followup.own_fact), the choice was not sure and
    another candidate the council does cover is close enough."""
    if base.topic(council, topic_id) is not None or not (unsure or not_sure_of(tracker)) or \
            second_opinion(tracker)[0] == topic_id or \
            (text and followup.own_fact(base, council, topic_id, text) is not None):
        # (both classifiers chose it: a real gap in the council's documents, said honestly)
        return topic_id
    ids, scores = set(base.topic_ids()), {}
    latest = tracker.latest_message or {}
    for r in (latest.get("intent_ranking") or []) + (latest.get("topic_model") or []):
        if r.get("name") in ids:
            scores[r["name"]] = max(scores.get(r["name"], 0.0), float(r.get("confidence") or 0.0))
    for name, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        if name != topic_id and score >= COVERED_OTHER and base.topic(council, name) is not None:
            return name
    return topic_id


# DIET in doubt (under this), its guess not among the full-text search's three best, and the search's
# best matching at least SEARCH_CLEAR of the message's words and SEARCH_MARGIN more than the next: the
# search's topic ("what's the practice model called that social workers use to build relationships with
# parents?" taken for the MASH). The words of a long, precise question say more than a doubtful guess.
DIET_DOUBT = 0.6
SEARCH_CLEAR = 6
SEARCH_MARGIN = 2


def searched_choice(tracker: Tracker, base: KnowledgeBase, council: str, topic_id: str, text: str) -> str:
    """The topic to answer: `topic_id`, unless DIET doubted it, the second opinion did not choose it
    either and the full-text search clearly points elsewhere."""
    if not text or text.startswith("/") or intent_confidence(tracker) >= DIET_DOUBT or \
            second_opinion(tracker)[0] == topic_id:
        return topic_id
    hits = base.search(council, text, limit=3)
    if len(hits) < 2 or topic_id in {t.id for t, _ in hits}:
        return topic_id
    (best, n), (_, m) = hits[0], hits[1]
    return best.id if n >= SEARCH_CLEAR and n - m >= SEARCH_MARGIN else topic_id


def audience_of(tracker: Tracker) -> Optional[str]:
    """Whom a reply's wording is for: "young", "professional" or None (a family)."""
    return "young" if is_young(tracker) else "professional" if who_is_speaking(tracker) == "professional" else None


def figure_unknown(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                   current: str) -> bool:
    """A follow-up asking a time, an age or a number the conversation's topic does not give ("how long does
    that take?" after young carers): say so and who can tell them (Childline too for a young person), not
    the whole topic again. True when said."""
    text = understood_text(tracker)
    if not followup.lacks_asked_figure(base, council, current, text) or followup.gives_duration(base, council, current,
                                                                                                  text):
        return False  # ("how long will they work with us?" is answered by "they work short term")
    send(dispatcher, [answers.figure_not_known(base, council, current, more=False, audience=audience_of(tracker))])
    if is_young(tracker):
        send(dispatcher, [answers.contacts_message(base.contacts(council, ("childline",)),
                                                   intro="You can also talk to:")])
    return True


def not_sure_of(tracker: Tracker) -> bool:
    """Whether DIET is less than very sure of the message's intent."""
    return intent_confidence(tracker) < DIET_SURE


def settled_topic(tracker: Tracker, base: KnowledgeBase) -> str:
    """The topic to answer: DIET's, unless it is not very sure and the second opinion is sure of another, or
    fairly sure of another while it all but rules out DIET's."""
    name = intent_name(tracker)
    second, sure = second_opinion(tracker)
    if not_sure_of(tracker) and second not in ("", name) and second in set(base.topic_ids()) and (
            sure >= SECOND_SURE or (sure >= SECOND_FAIRLY and second_opinion_of(tracker, name) < SECOND_RULES_OUT)):
        return second
    return name


class ActionDefineTerm(Action):
    """Explain a word or acronym from the glossary."""

    def name(self) -> str:
        return "action_define_term"

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        found = None
        for value in entity_values(tracker, "term"):
            found = base.term(council, value)
            if found:
                break
        found = found or base.find_term(council, understood_text(tracker))
        if found:
            send(dispatcher, answers.term_messages(base, council, found))
            return council_events(tracker, council)
        return await ActionSearchKnowledge().run(dispatcher, tracker, domain)


class ActionLookupContact(Action):
    """Give the contact details of the service the person names, for their council."""

    def name(self) -> str:
        return "action_lookup_contact"

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        if outside_the_service(dispatcher, tracker, base):
            return []
        if not channels.asked_channels(understood_text(tracker)):
            # no way of getting in touch asked for ("sorry, I meant Hampshire"): a change of council or a
            # follow-up about the conversation's topic
            followed = follow_up(dispatcher, tracker, base, domain=domain)
            if followed is not None:
                return followed
        council = council_for(tracker, base)
        contacts_and_other_questions(dispatcher, tracker, base, council, understood_text(tracker))
        return council_events(tracker, council)


# A topic is taken as what a message seems to be about, for the contacts it asks for, when the classifier
# or the second opinion gives it at least this.
GUESS_MIN = 0.1


def guessed_topic(tracker: Tracker, base: KnowledgeBase) -> Optional[str]:
    """The topic the classifier or the second opinion likes best for the latest message, if either
    gives it at least GUESS_MIN; else None."""
    latest = tracker.latest_message or {}
    topic_ids = set(base.topic_ids())
    scores: Dict[str, float] = {}
    for r in (latest.get("intent_ranking") or [])[:3] + (latest.get("topic_model") or [])[:3]:
        if r.get("name") in topic_ids:
            scores[r["name"]] = max(scores.get(r["name"], 0.0), r.get("confidence") or 0.0)
    best = max(scores.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] >= GUESS_MIN else None


def _names_contact(contact, text: str) -> bool:
    """Whether a message names a service by its own name ("childline"), not only by words that
    describe it ("someone to talk to")."""
    name = re.sub(r"\s*\(.*?\)", "", contact.service).lower()
    return bool(name) and name in text.lower()


def give_contacts(dispatcher: CollectingDispatcher, base: KnowledgeBase, council: str, text: str,
                  services: List[str], topic_id: Optional[str], guessed: Optional[str] = None) -> None:
    """The contacts a question asks for: the services it names, else the conversation's topic's
    ("what's their number?"), in the way asked for (phone, email...); else the council's general one.
    `guessed`: the topic the message itself seems to be about, whose contacts come before services found
    only by describing words."""
    place = base.council(council).name
    if followup.names_out_of_hours(text) and base.topic(council, OUT_OF_HOURS_TOPIC) is None:
        # "is there an out of hours number?" where the council's documents give none: say so, with the number
        # they do give (not that number alone, which reads as if it were the out-of-hours line)
        send(dispatcher, answers.topic_messages(base, council, OUT_OF_HOURS_TOPIC))
        return
    found = [c for c in (base.contact(council, v) for v in services) if c]
    if not found:
        found = base.find_contacts(council, text)[:2]
        if guessed and not any(_names_contact(c, text) for c in found):
            # "a number for someone to talk to about my rights in care": the words only describe a
            # service, so the contacts of what the message is about come first (the rights officer)
            found = list({c.id: c for c in channels.topic_contacts(base, council, guessed) + found}.values())[:3]
    if not found and not followup.names_a_topic(text, followup.vocabulary(base), ignore=base.council_names()):
        # "what's their number?", "can I email instead?": the service the conversation is about
        found = channels.topic_contacts(base, council, topic_id)
    found = channels.prefer_channels(base, council, found, text)
    if found:
        send_contacts(dispatcher, base, found, intro=f"For {place}:")
        return
    general = base.general_contact(council)
    if general is None:
        send(dispatcher, answers.not_covered(base, council, "that service"))
        return
    send_contacts(dispatcher, base, [general],
                  intro=f"I'm not sure which service you mean. For {place}, you can contact:")


def other_part_fact(base: KnowledgeBase, council: str, part: Dict[str, Any],
                    about: List[str]) -> Optional[followup.Fact]:
    """The fact that answers one question of a message that also asks for a way to get in touch ("where
    do they visit" beside "what's their number?"): from the topic the question names, if the classifier
    is sure enough of it, else from the topics the message is about (`about`) or the best full-text match
    for the question; the best of those that is about what it asks."""
    text = part.get("text") or ""
    topic_ids = set(base.topic_ids())
    candidates = list(about)
    best = next((r for r in part.get("ranking") or [] if r.get("name") in topic_ids), None)
    needed = PART_TOPIC_SPECIFIC if followup.asked_aspects(text) & SPECIFIC_ASPECTS else PART_TOPIC
    if best and best["confidence"] >= needed and \
            followup.names_a_topic(text, followup.vocabulary(base), ignore=base.council_names()):
        candidates.insert(0, best["name"])
    candidates += [t.id for t, words in base.search(council, text, limit=2) if words >= SEARCH_MIN_WORDS]
    facts = [f for f in (followup.role_fact(base, council, t, text) or followup.best_fact(base, council, t, text)
                         for t in dict.fromkeys(c for c in candidates if c))
             if f is not None and followup.says_what_was_asked(text, f)]
    return max(facts, key=lambda f: f.score) if facts else None


def contacts_and_other_questions(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
                                 council: str, text: str, guessed: Optional[str] = None) -> None:
    """The contacts a message asks for and, when it asks something else too ("where do children's rights
    officers visit, and what's their number?"), the fact that answers each other question, in the order
    asked (understanding.clauses)."""
    parts = (tracker.latest_message or {}).get("topic_parts") or []
    asks = [bool(channels.asked_channels(p.get("text") or "")) for p in parts]
    topic = tracker.get_slot("topic")
    services = entity_values(tracker, "service")
    if len(parts) < 2 or all(asks) or not any(asks):
        give_contacts(dispatcher, base, council, text, services, topic, guessed=guessed)
        return
    about = [t for t in (guessed or guessed_topic(tracker, base), topic) if t]
    facts = [None if asking else other_part_fact(base, council, part, about)
             for part, asking in zip(parts, asks, strict=True)]
    given = False
    for i, (part, asking) in enumerate(zip(parts, asks, strict=True)):
        if asking:
            if not given:
                earlier = next((f for f in reversed(facts[:i]) if f is not None), None)
                own = part.get("text") or ""
                if earlier is not None and followup.refers_back(own):
                    # "who backs up a child in care who complains, and how do I reach them?": the number of whom the
                    # question before was answered with (the rights officers), not of a service the words name
                    give_contacts(dispatcher, base, council, own, [], earlier.topic.id)
                else:
                    give_contacts(dispatcher, base, council, text, services, topic, guessed=guessed)
                given = True
            continue
        if facts[i]:
            send(dispatcher, answers.fact_messages(base, council, facts[i].topic, facts[i].sentence))


def send_contacts(dispatcher: CollectingDispatcher, base: KnowledgeBase, people: List[Contact], intro: str) -> None:
    """The contacts, then the source of the first."""
    send(dispatcher, [answers.contacts_message(people, intro=intro)])
    src = answers.source_line(base, people[0].council, people[0].seed)
    if src:
        send(dispatcher, [src])


# A message taken for "what happens next" that names a topic by all the words of its title, at least
# this many, and asks something else about it (when, who...), is asking that of the topic it names.
NAMED_TOPIC_WORDS = 2


def named_topic_fact(base: KnowledgeBase, council: str, text: str) -> Optional[followup.Fact]:
    """The fact a message asks about a topic whose title it names (the best of up to three), when it asks
    a particular aspect other than what comes next and the fact gives it; else None."""
    asked = followup.asked_aspects(text) - {"what", "next"}
    if not asked:
        return None
    facts = [f for f in (followup.best_fact(base, council, t, text)
                         for t in followup.titled_topics(base, text, least=NAMED_TOPIC_WORDS)[:3])
             if f is not None and asked & followup.given_aspects(f.sentence)]
    return max(facts, key=lambda f: f.score) if facts else None


class ActionNextSteps(Action):
    """Explain what happens after a stage, with the council's timescales and due dates."""

    def name(self) -> str:
        return "action_next_steps"

    today = staticmethod(dt.date.today)

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        if cannot_do_that(dispatcher, tracker, base) or outside_the_service(dispatcher, tracker, base):
            # ("what's going on with the family next door's case?": only the people involved can say)
            return []
        council = council_for(tracker, base)
        text = message_text(tracker)
        stage_id = next((s for s in (base.find_stage(council, v) or v for v in entity_values(tracker, "stage"))
                         if base.stage(council, s)), None) or base.find_stage(council, text)
        if stage_id is None:
            stage_id = tracker.get_slot("stage") if base.stage(council, tracker.get_slot("stage") or "") else None
        if stage_id is None:
            # "we had the initial conference yesterday", then "what happens now?"
            before = previous_question(tracker)[0]
            stage_id = base.find_stage(council, before) if before else None
        if stage_id is None:
            topic = base.topic(council, tracker.get_slot("topic") or "")
            if topic is not None and topic.next:
                # "what happens after it?" about the conversation's topic: what its answer says comes next;
                # asked more than that ("who decides what happens next?"), the fact that gives it
                # ...or after being told it came to nothing ("no evidence turned up"), what
                # happens then ("If the worries are not confirmed, ...")
                asked = followup.asked_aspects(text) - {"next", "what"}
                before = previous_question(tracker)[0]
                nothing = followup.found_nothing(before) or followup.found_nothing(text)
                fact = followup.best_fact(base, council, topic.id, text, context=before) if asked or nothing else None
                if fact is not None and (asked & followup.given_aspects(fact.sentence) or
                                         nothing and followup.says_if_nothing(fact.sentence)):
                    send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
                    return council_events(tracker, council) + [SlotSet("topic", fact.topic.id)]
                send(dispatcher, answers.fact_messages(base, council, topic, topic.next))
                return council_events(tracker, council)
            fact = named_topic_fact(base, council, text)
            if fact is not None:
                # "she went on a child protection plan yesterday, when do they check it again?": the fact
                # asked about the topic the message names, not a choice of steps
                warm_line(dispatcher, tracker)
                send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
                return council_events(tracker, council) + [SlotSet("topic", fact.topic.id)]
            send(dispatcher, [answers.stage_choice_message(base, council)])
            return council_events(tracker, council)
        when: Optional[dt.date] = timescales.parse_date(text, self.today())
        send(dispatcher, answers.next_steps_messages(base, council, base.stage(council, stage_id), when))
        about = base.stage_topic(stage_id)
        return council_events(tracker, council) + [SlotSet("stage", stage_id)] + \
            ([SlotSet("topic", about)] if about else [])


class ActionSetCouncil(Action):
    """The person says which council they are in: keep it for the conversation."""

    def name(self) -> str:
        return "action_set_council"

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        followed = follow_up(dispatcher, tracker, base, domain=domain)
        if followed is not None:
            return followed
        named = councils_named(tracker, base) or [base.resolve_council(message_text(tracker))]
        council = named[0] if named and named[0] else None
        if council:
            if council != council_before(tracker, base) and concern_before(tracker, carries=1):
                # "im in hampshire" just after a safety reply: its steps with Hampshire's numbers
                dispatcher.utter_message(response="utter_council_changed", council_name=base.council(council).name)
                safety_steps_again(dispatcher, tracker, base, council, domain)
                return [SlotSet("council", council)]
            text, intent, services = previous_question(tracker)
            if was_contact_request(base, text, intent) and council != council_before(tracker, base):
                # "the number for social care?", then "sorry, I'm in Bolton": Bolton's number
                dispatcher.utter_message(response="utter_council_changed", council_name=base.council(council).name)
                give_contacts(dispatcher, base, council, text, services, tracker.get_slot("topic"))
                return [SlotSet("council", council)]
            dispatcher.utter_message(response="utter_council_set", council_name=base.council(council).name)
            general = base.general_contact(council) if not text and not tracker.get_slot("topic") else None
            if general is not None:
                # the council's name said first, before any question ("Bolton"): its children's services
                # number too, which is often what the person came for
                send(dispatcher, [answers.contacts_message([general], intro="Its children's services:")])
            return [SlotSet("council", council)]
        if any(w in message_text(tracker).lower() for w in ("live", "from", "council", "area", "in ")):
            dispatcher.utter_message(response="utter_council_unknown")
        dispatcher.utter_message(response="utter_ask_council")
        return []


class ActionSearchKnowledge(Action):
    """NLU was unsure: look for the answer in the knowledge base before giving up.

    In order: a glossary term the message asks about; the second opinion's best topic
    (understanding.topic_model) when it is among the classifier's three best or very sure; the classifier's best
    topic when the full-text search agrees with it; the second opinion's best topic when it is
    fairly sure; the best full-text match; the classifier's best topic if it is reasonably sure;
    otherwise an honest "not sure"."""

    def name(self) -> str:
        return "action_search_knowledge"

    @worded_for_the_reader
    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        text = understood_text(tracker)
        warm_line(dispatcher, tracker)
        first = answered_first(dispatcher, tracker, base, unsure=True, domain=domain)
        if first is not None:
            return first
        if topic_again_for_follow_up(dispatcher, tracker, base, council):
            return council_events(tracker, council)
        wanted, sure = second_opinion(tracker)
        if wanted == HANDOFF_INTENT and sure >= SECOND_ALONE:
            # "i just want sum1 to talk 2": someone to talk to, not the conversation's topic again
            return await ActionHumanHandoff().run(dispatcher, tracker, domain)
        if asks_for_contact(tracker, text):
            # "what's the safeguarding number?": a number, not what safeguarding means
            contacts_and_other_questions(dispatcher, tracker, base, council, text, guessed=guessed_topic(tracker, base))
            return council_events(tracker, council)
        topic_ids = set(base.topic_ids())
        term = base.term(council, text) or (base.find_term(council, text) if _asks_meaning(text) else None)
        if term:
            send(dispatcher, answers.term_messages(base, council, term))
            if wanted in topic_ids and sure >= SECOND_FAIR:
                # ("what's a section 47?" then "who decides whether one gets started?"): the conversation is now
                # on the topic the second opinion heard in the question, for the follow-up
                return council_events(tracker, council) + [SlotSet("topic", wanted)]
            return council_events(tracker, council)
        ranked = [r for r in (tracker.latest_message or {}).get("intent_ranking") or []
                  if r.get("name") in topic_ids]
        nlu_best = ranked[0] if ranked else None
        second = [r for r in (tracker.latest_message or {}).get("topic_model") or [] if r.get("name") in topic_ids]
        second_best = second[0] if second else None
        hits = base.search(council, text, limit=5)
        choice = None
        if second_best and (second_best["name"] in {r["name"] for r in ranked[:3]} or
                            second_best["confidence"] >= SECOND_VERY_SURE):
            choice = second_best["name"]
        elif (process := same_process(base, nlu_best, second_best)) and not (
                tracker.get_slot("topic") and followup.refers_back(text)):
            # "Tell me about Child in Need": the classifier's best is a facet of the plan (whether it is
            # voluntary), the second opinion's the plan itself; both say the process, the second opinion the
            # facet, unless the full-text search's best is another facet of it (a programme named in its words)
            searched = hits[0][0].id if hits and hits[0][1] >= SEARCH_MIN_WORDS else None
            same_area = searched and base.topic_area(searched) == process
            choice = searched if same_area else second_best["name"]
        elif nlu_best and nlu_best["confidence"] >= NLU_AGREES and nlu_best["name"] in {t.id for t, _ in hits}:
            choice = nlu_best["name"]
        elif second_best and second_best["confidence"] >= SECOND_ALONE:
            choice = second_best["name"]
        elif second_best and second_best["confidence"] >= SAME_PROCESS_MIN and \
                in_the_conversation_s_process(base, tracker.get_slot("topic"), second_best["name"]):
            # "and our copy, by when?" after the assessment was signed off: the second opinion's
            # step of the conversation's own process (getting a copy of the assessment), over a search hit that
            # shares a word or two (the minutes of meetings)
            choice = second_best["name"]
        elif hits and hits[0][1] >= SEARCH_MIN_WORDS and not (tracker.get_slot("topic") and followup.refers_back(text)):
            # (a short message that points back, "do they use some sort of tool?", is about the
            # conversation's topic more than about the item sharing two of its words: last_resort below)
            choice = searched_or_second(hits, second_best)
        elif nlu_best and nlu_best["confidence"] >= NLU_ALONE:
            choice = nlu_best["name"]
        if choice in SAFETY_ANSWERS and safety_steps_again(dispatcher, tracker, base, council, domain):
            return council_events(tracker, council)  # "ok what do i do?" just after a safety reply: its steps
        if choice:
            choice = followup.section_topic(base, council, text, choice,
                                            guesses(tracker, base, [t.id for t, _ in hits]), general=(FEAR_TOPIC,))
            choice = covered_choice(tracker, base, council, choice, text, unsure=True)
            choice = figure_choice(tracker, base, council, choice, text)
            feared = answer_the_fear_too(dispatcher, base, council, choice, text)  # what was asked, first
            events = answer_topic(dispatcher, base, council, choice, text, young=is_young(tracker), brief=feared,
                                  question=first_question(tracker))
            answer_other_parts(dispatcher, tracker, base, council, choice)
            # a guess: say what else it might have been, so a wrong guess is one tap from the right answer
            # (not the topic the answer came from: "how long child protection enquiries take" after its figure)
            answered = {choice} | {e.get("value") for e in events
                                   if e.get("event") == "slot" and e.get("name") == "topic"}
            others = [t for t in dict.fromkeys([r["name"] for r in ranked[:3]] + [r["name"] for r in second] +
                                               [t.id for t, _ in hits[:2]]) if t not in answered][:OTHER_GUESSES]
            if others:
                send(dispatcher, [answers.other_topics_message(base, others, council)])
            return council_events(tracker, council) + events
        if last_resort_about_the_topic(dispatcher, tracker, base, council, text):
            return council_events(tracker, council)
        no_answer(dispatcher, tracker, base, council, domain)
        return []


# The classifier's best topic and the second opinion's best, when both are facets of one process, each at
# least this sure.
SAME_PROCESS_MIN = 0.1


def same_process(base: KnowledgeBase, nlu_best: Optional[Dict[str, Any]],
                 second_best: Optional[Dict[str, Any]]) -> Optional[str]:
    """The process (knowledge/topics.yml: process_areas) of which the classifier's best topic and the
    second opinion's are both steps or facets, both at least SAME_PROCESS_MIN sure; None otherwise."""
    if not nlu_best or not second_best or min(nlu_best["confidence"], second_best["confidence"]) < SAME_PROCESS_MIN:
        return None
    area = base.topic_area(nlu_best["name"])
    return area if area == base.topic_area(second_best["name"]) and base.is_process_area(area) else None


def in_the_conversation_s_process(base: KnowledgeBase, current: Optional[str], topic_id: str) -> bool:
    """Whether a topic is a step or facet of the process (knowledge/topics.yml: process_areas) the conversation's
    `current` topic belongs to."""
    area = base.topic_area(current) if current else None
    return bool(area) and base.is_process_area(area) and base.topic_area(topic_id) == area


# The full-text search's best item gives way to the second opinion's best topic when that is among the items
# tied for the most words, or when the search found only SEARCH_MIN_WORDS words and the second opinion is
# at least this sure ("I look after my mum and my brother... is there help for kids like me?" shares two
# words with many items and is about young carers).
SECOND_FAIR = 0.35


def searched_or_second(hits: List[Tuple[Topic, int]], second_best: Optional[Dict[str, Any]]) -> str:
    """The topic to answer from the full-text search's hits (best first, with the words each shares with
    the message), weighed against the second opinion's best topic."""
    top = hits[0][1]
    if second_best:
        tied = {t.id for t, n in hits if n == top}
        if second_best["name"] in tied or (top <= SEARCH_MIN_WORDS and second_best["confidence"] >= SECOND_FAIR):
            return second_best["name"]
    return hits[0][0].id


# A message nothing else fits, in a conversation about a topic, is taken as about that topic when it
# is at most this many words ("do I get some kind of plan?" after leaving care).
SHORT_MESSAGE = 12


_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_PARTS = re.compile(r"(?<=[.!;:])\s+|\s+[-\u2013\u2014]+\s+")


def short_question(text: str) -> bool:
    """At most SHORT_MESSAGE words, or ending with a question that is ("I work nights and never answer
    in the day - what if they can't reach me?"): what the person says first only sets the scene."""
    if len(_WORDS.findall(text)) <= SHORT_MESSAGE:
        return True
    last = last_question(text)
    return last.rstrip().endswith("?") and len(_WORDS.findall(last)) <= SHORT_MESSAGE


def last_resort_about_the_topic(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
                                council: str, text: str) -> bool:
    """Before saying "I don't know": a short message in a conversation about a topic gets the sentence
    of that topic or its area that is about what it names ("how long until it gets reviewed?" after a
    conference: the review), else, when the council covers the topic, its answer again with "I'm not
    sure I have that exact detail". True when sent."""
    current = tracker.get_slot("topic")
    if not current or current not in set(base.topic_ids()) or not short_question(text) or text.startswith("/"):
        return False
    fact = followup.best_fact(base, council, current, text, context=previous_question(tracker)[0])
    if fact is not None and (followup.says_what_was_asked(text, fact) or
                             (fact.topic.id == current and followup.gives_the_aspect_asked(text, fact))):
        send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence))
        return True
    if base.topic(council, current) is None:
        return False
    if not figure_unknown(dispatcher, tracker, base, council, current):
        send(dispatcher, answers.topic_again(base, council, current))
    return True


def no_answer(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
              domain: Optional[Dict[str, Any]] = None) -> None:
    """Nothing fits. Just after a safety reply, its steps again (safety_steps_again). Feelings without a
    question (the warm line is already sent) get an offer of what can help; anything else (a frightened
    question too) an honest "I don't know that", and who can answer: the council, and Childline first for
    a child or young person."""
    if safety_steps_again(dispatcher, tracker, base, council, domain):
        return
    if safety_judgement(tracker).get("distress") and not is_question(message_text(tracker)):
        dispatcher.utter_message(response="utter_feelings_offer")
        return
    dispatcher.utter_message(response="utter_no_answer")
    general = base.general_contact(council)
    people = [general] if general else []
    if young_person_speaking(tracker):
        people = base.contacts(council, ("childline",)) + people
    message = answers.contacts_message(people, intro="A person can help with other questions:")
    if message:
        send(dispatcher, [message])


class ActionOutOfScope(Action):
    """Something the assistant does not cover, unless it follows on from the conversation's topic
    ("is there an age limit?")."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        first = answered_first(dispatcher, tracker, base, domain=domain)
        if first is not None:
            return first
        if safety_steps_again(dispatcher, tracker, base, council_for(tracker, base), domain):
            return []  # just after a safety reply, its steps again
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


# (whole words: "are they meant to ask me first before they send the form?" asks nothing of what SEND means)
MEANING_WORDS = re.compile(r"\b(mean|means|meaning|stand for|stands for|definition|define|short for|acronym)\b")


def _asks_meaning(text: str) -> bool:
    # (not whether one thing means another: "doesn't closing it mean we're fine?" asks nothing of what CIN means)
    lowered = text.lower()
    return len(lowered.split()) <= 4 or (bool(MEANING_WORDS.search(lowered)) and not followup.asks_if_it_means(text))


class ActionHumanHandoff(Action):
    """The person wants a human: give the council's numbers (the assistant can't transfer)."""

    def name(self) -> str:
        return "action_human_handoff"

    HANDOFF_CONTACTS = ("mash_out_of_hours", "cro", "complaints_phone")

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        general = base.general_contact(council)
        people = ([general] if general else []) + [
            c for c in base.contacts(council, self.HANDOFF_CONTACTS) if c.council == council]
        dispatcher.utter_message(text="I am a computer, so I can't pass you to a person. "
                                      "But you can talk to someone at these numbers.")
        if is_young(tracker):
            # a child or young person (or the young people's app): Childline first, free and open any time
            people = base.contacts(council, ("childline",)) + people
        else:
            people = people + base.contacts(council, ("nspcc", "childline"))
        send(dispatcher, [answers.contacts_message(people, intro=f"For {base.council(council).name}:")])
        dispatcher.utter_message(response="utter_safety_danger_line",
                                 emergency_phone=_phone(base, council, "emergency"))
        return council_events(tracker, council)


# A concern told this many messages before the latest one or fewer is what a message raised on the
# safety model's word alone is still about.
CONCERN_CARRIES = 2


def concern_before(tracker: Tracker, carries: int = CONCERN_CARRIES) -> Optional[str]:
    """The kind of harm of the latest concern in the person's `carries` messages just before this one, if any."""
    for event in reversed(earlier_user_events(tracker)[-carries:]):
        kind = ((event.get("parse_data") or {}).get(kinds.MESSAGE_KEY) or {}).get("kind")
        if kind in kinds.KINDS:
            return kind
    return None


# What a professional's safety reply is about: making a referral.
REFERRAL_TOPIC = "how_to_refer"
# Topics a safety reply already answers (it gives the council's number for now, day or night).
SAFETY_ANSWERS = frozenset({"mash_contact", "mash_out_of_hours", "safeguarding_advice", "how_to_refer"})


# Asking whether anyone or any service helps with something ("is there anyone who deals with this?", "are there people
# who help with that")
_IS_THERE_HELP = re.compile(r"\b(is|are) there (anyone|anybody|someone|somebody|ppl|people|a team|a service|"
                            r"any service|any help|help|support|a group|anything)\b")


def answer_beside_concern(dispatcher: CollectingDispatcher, base: KnowledgeBase, council: str, topic: Topic,
                          text: str) -> str:
    """Short, after a safety reply: the fact asked from `topic`, else what the topic is, with the rest one
    tap away. The topic answered."""
    # (whether anyone helps with it, "are there services for it?", is answered by what the topic is: the team)
    # (what is asked is in the question, not in what was told before it: "...made to run parcels across town. Who sorts
    # that out?" asks who sorts it out, not who runs a meeting)
    asked = last_question(text)
    fact = followup.best_fact(base, council, topic.id, asked) \
        if followup.asked_aspects(asked) - {"what"} and not _IS_THERE_HELP.search(text.lower()) else None
    dispatcher.utter_message(text="About your question:")
    send(dispatcher, answers.fact_messages(base, council, fact.topic, fact.sentence) if fact
         else answers.fact_messages(base, council, topic, topic.answer))
    return fact.topic.id if fact else topic.id


def answer_the_question_too(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase,
                            council: str) -> Optional[str]:
    """A concern told beside a question of its own ("my partner hit me last night, will they take the
    kids into care?"): after the safety reply, the question's answer, so that it is not lost. Only
    a part of the message (understanding.clauses) that asks something and whose topic is clear. The
    topic answered, or None."""
    parts = (tracker.latest_message or {}).get("topic_parts") or []
    if len(parts) < 2:
        return None
    topic_ids = set(base.topic_ids()) - SAFETY_ANSWERS
    for part in parts:
        text = part.get("text") or ""
        best = (part.get("ranking") or [{}])[0]
        if not (is_question(text) and best.get("name") in topic_ids and (best.get("confidence") or 0) >= PART_TOPIC):
            continue
        topic = base.topic(council, best["name"])
        if topic is None:
            continue
        return answer_beside_concern(dispatcher, base, council, topic, text)
    return None


# The topic that says who works with a kind of harm, for a question asked beside it ("my son's been pulled
# into a gang. Is there a team that deals with this?": the council's exploitation team).
KIND_TOPICS = {"exploitation": "exploitation", "forced_marriage_fgm": "fgm"}


def answer_about_the_harm(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                          kind: str) -> Optional[str]:
    """A question asked with a concern, in no part of its own: answered from the topic of that kind of
    harm when the council has one (after the safety reply). The topic answered, or None."""
    text = message_text(tracker)
    topic_id = harm_topic(base, council, kind)
    if topic_id is None or not is_question(text):
        return None
    return answer_beside_concern(dispatcher, base, council, base.topic(council, topic_id), text)


def answer_an_adult_s_question(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                               speaker: str) -> Optional[str]:
    """An adult's question about a process beside a concern, in no part of its own ("at breaking point. They
    started child protection enquiries two weeks ago, surely there's a time limit?"): when both classifiers
    agree on its topic (topic_behind_concern), its answer after the safety reply. Not a child's or a young
    person's ("will i get in trouble?" has its own reply). The topic answered, or None."""
    topic_id = topic_behind_concern(tracker, base)
    if topic_id is None or kinds.speaker_group(speaker) not in ADULTS or not is_question(message_text(tracker)):
        return None
    topic = base.topic(council, topic_id)
    return answer_beside_concern(dispatcher, base, council, topic, message_text(tracker)) if topic else None


def harm_topic(base: KnowledgeBase, council: str, kind: str) -> Optional[str]:
    """The council's topic about this kind of harm (KIND_TOPICS), if it has one: what a follow-up to the
    safety reply ("does Coventry have a team for that?") is about. None otherwise."""
    topic_id = KIND_TOPICS.get(kind)
    return topic_id if topic_id and base.topic(council, topic_id) else None


def topic_behind_concern(tracker: Tracker, base: KnowledgeBase) -> Optional[str]:
    """The topic a message that raised a concern is also about, when both classifiers' best topic
    (safety set aside) is the same ("a patient has just told me she had FGM": FGM), so that "who must I
    report it to?" next is about it; else None."""
    latest = tracker.latest_message or {}
    topic_ids = set(base.topic_ids()) - SAFETY_ANSWERS
    best = [next((r.get("name") for r in latest.get(key) or [] if r.get("name") in topic_ids), None)
            for key in ("intent_ranking", "topic_model")]
    return best[0] if best[0] and best[0] == best[1] else None


def send_safety_plan(dispatcher: CollectingDispatcher, domain: Optional[Dict[str, Any]], values: Dict[str, Any],
                     lines: List[str]) -> None:
    """A safety reply's lines (safety.kinds.plan), in its bubbles, with the council's numbers filled in."""
    responses = (domain or {}).get("responses") or {}
    for bubble in kinds.bubbles(lines):
        texts = [response_text(responses, name, values) for name in bubble]
        if all(texts):
            dispatcher.utter_message(text="\n".join(texts))  # the bubble's lines together
        else:  # (a domain sent without its responses: one message per line, as Rasa fills them)
            for name in bubble:
                dispatcher.utter_message(response=name, **values)


def safety_steps_again(dispatcher: CollectingDispatcher, tracker: Tracker, base: KnowledgeBase, council: str,
                       domain: Optional[Dict[str, Any]] = None, carries: int = CONCERN_CARRIES) -> bool:
    """Just after a safety reply (one of the person's `carries` messages before this one), a message with no
    answer of its own ("ok what do i do?"), or the council named ("im in hampshire"): that reply's steps
    again, with the council's numbers, not "I don't know" or a list of services. True when sent."""
    kind = concern_before(tracker, carries)
    if kind is None:
        return False
    speaker = who_is_speaking(tracker)
    send_safety_plan(dispatcher, domain, safety_values(base, council), kinds.plan(kind, speaker))
    dispatcher.utter_message(json_message=kinds.reply_marker(kind, speaker))
    return True


class ActionSafetyResponse(Action):
    """A calm safety response for a crisis or disclosure: what to do now and who can help, for
    this kind of harm and for who is speaking (safety.kinds.plan)."""

    def name(self) -> str:
        return "action_safety_response"

    async def run(self, dispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        judgement = safety_judgement(tracker)
        kind = judgement.get("kind") or kinds.ABUSE_DEFAULT
        if judgement.get("source") == "model":
            # raised on the model's word alone, just after a concern ("im scared my mum will find out"
            # after telling of online blackmail): the conversation is still about that concern
            kind = concern_before(tracker) or kind
        speaker = who_is_speaking(tracker)
        send_safety_plan(dispatcher, domain, safety_values(base, council),
                         kinds.plan(kind, speaker, bool(judgement.get("secret")), judgement.get("also"),
                                    own=bool(judgement.get("own", True))))
        about = answer_the_question_too(dispatcher, tracker, base, council) or \
            answer_about_the_harm(dispatcher, tracker, base, council, kind) or \
            answer_an_adult_s_question(dispatcher, tracker, base, council, speaker) or \
            topic_behind_concern(tracker, base) or harm_topic(base, council, kind)
        if about is None and kinds.speaker_group(speaker) == "professional" and base.topic(council, REFERRAL_TOPIC):
            # a professional's safety reply tells them to refer: "how long does that take?" next is about that
            about = REFERRAL_TOPIC
        # Tells the widget (and the safety evaluation) that this was the safety response.
        dispatcher.utter_message(json_message=kinds.reply_marker(kind, speaker))
        # A Children's Rights Officer request in this conversation is now urgent. If the person
        # was answering "what is it about?", what they said is their answer.
        events = council_events(tracker, council) + [SlotSet("safety_concern", True)]
        if about:
            events.append(SlotSet("topic", about))  # what a follow-up ("who do I tell?") is about
        if (tracker.active_loop or {}).get("name") == "cro_request_form" and \
                tracker.get_slot("requested_slot") == "cro_about":
            events.append(SlotSet("cro_about", message_text(tracker)))
        return events


