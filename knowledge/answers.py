"""Turn knowledge-base results into the messages the assistant sends.

Each function returns a list of message dicts (``text``, optional ``buttons``, optional
``custom``) ready for ``dispatcher.utter_message(**message)``. Only wording lives here;
every fact comes from the knowledge base.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Optional

from knowledge import timescales
from knowledge.store import NATIONAL, Contact, KnowledgeBase, Stage, Term, Topic

Message = dict
# Lists of service names and document titles: checked for acronyms, not for reading grade
# (a service's name can't be made simpler without changing it).
REFERENCE = "reference"

GUIDE_NOT_PROMISE = ("This date is a guide, not a promise. It skips weekends and bank holidays. "
                     "Your social worker can tell you the real date.")


def contact_line(c: Contact) -> str:
    parts = [c.service + ":"]
    if c.phone:
        parts.append(f"call {c.phone}")
    if c.email:
        parts.append(("or " if c.phone else "") + f"email {c.email}")
    if c.web:
        parts.append(("or see " if (c.phone or c.email) else "see ") + c.web)
    if c.address:
        parts.append(("or write to " if (c.phone or c.email or c.web) else "write to ") + c.address)
    line = " ".join(parts)
    if c.hours:
        line += f" ({c.hours})"
    return line + "."


def contacts_message(contacts: Iterable[Contact], intro: str = "Who to contact:") -> Optional[Message]:
    lines = [contact_line(c) for c in contacts]
    if not lines:
        return None
    return {"text": intro + "\n" + "\n".join(f"- {line}" for line in lines), "kind": REFERENCE}


def source_line(kb: KnowledgeBase, council: str, seed: str) -> Optional[Message]:
    src = kb.source(council, seed)
    if not src:
        return None
    who = "" if council == NATIONAL else kb.council(council).name + ": "
    # a titled link: the widget shows the title as the link, not the raw web address
    title = f"[{who}{src.title}]({src.url})" if src.url else f"{who}{src.title}"
    return {"text": f"Source: {title}", "kind": REFERENCE}


def _place(kb: KnowledgeBase, council: str) -> str:
    return kb.council(council).name


def not_covered(kb: KnowledgeBase, council: str, what: str) -> list[Message]:
    """The documents for this council don't say: say so, give its general contact, never guess."""
    general = kb.general_contact(council)
    text = (f"Sorry, I don't have information about {what} for {_place(kb, council)}. "
            "I don't want to guess. The council can tell you.")
    msgs = [{"text": text}]
    contact = contacts_message([general] if general else [], intro="Contact:")
    if contact:
        msgs.append(contact)
    return msgs


def outside_area(kb: KnowledgeBase, area: str) -> list[Message]:
    """A question about a place whose documents this assistant does not have (knowledge/other_areas.yml):
    say so plainly, name the councils it does cover, and never give another council's numbers."""
    ours = sorted(kb.councils.values(), key=lambda c: (not c.is_default, c.name))
    names = ", ".join(c.name for c in ours[:-1]) + f" and {ours[-1].name}" if len(ours) > 1 else ours[0].name
    return [{"text": f"I don't have information for {area}. I only have the documents of {names}, "
                     f"and I don't want to guess. {area} has its own children's services: the council's "
                     "website gives their phone numbers."}]


def outside_subject(kb: KnowledgeBase, council: str, subject: str, ask: str) -> list[Message]:
    """A subject the assistant has no documents for (knowledge/outside_subjects.yml): say so plainly
    and say who can tell them, never a confident answer about another topic."""
    who = "GOV.UK (https://www.gov.uk)" if ask == "gov.uk" else f"{kb.council(council).name}'s website"
    msgs = [{"text": f"Sorry, I don't have information about {subject}. I only explain children's services, "
                     f"like early help, social work, child protection and complaints. {who} can tell you "
                     f"about {subject}."}]
    # and where children's services themselves are: the question may hide a worry about a child
    general = kb.general_contact(council)
    contact = contacts_message([general] if general else [], intro="For children's services:")
    return msgs + [contact] if contact else msgs


_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


def _spelled(kb: KnowledgeBase, council: str, acronym: str, text: str) -> str:
    """The acronym with what it stands for, unless the text already says it."""
    # the council's own glossary first; another council's says what the letters stand for just as well
    term = next((t for t in (kb.term(c, acronym) for c in (council, *kb.councils)) if t and t.stands_for), None)
    return f"{acronym} ({term.stands_for})" if term and term.stands_for.lower() not in text.lower() else acronym


def topic_messages(kb: KnowledgeBase, council: str, topic_id: str, audience: Optional[str] = None,
                   brief: bool = False) -> list[Message]:
    """A topic's answer for the council; for an `audience` ("young": a child or young person;
    "professional") the topic's words for them when it has them, with the whole answer one tap away. A `brief`
    answer (something else follows it, and a phone screen is small) is the first part of its prose, with the
    rest one tap away."""
    topic = kb.topic(council, topic_id)
    own = topic.for_audience(audience) if topic is not None else None
    if topic is not None and own:
        return fact_messages(kb, council, topic, own)
    if topic is not None and brief and len(topic.prose) > 1:
        return fact_messages(kb, council, topic, topic.prose[0])
    if topic is None:
        title = kb.topic_title(topic_id, council) or topic_id.replace("_", " ")
        # in a sentence: acronyms keep their capitals and say what they stand for ("a MARF (Multi-Agency
        # Referral Form)"), from the glossary
        title = in_sentence(title)
        title = _ACRONYM.sub(lambda m: _spelled(kb, council, m.group(0), title), title)
        # (a title in a question's shape, "Will I be told about a referral", does not fit "about ...")
        return not_covered(kb, council, "that" if _ASKS.match(title) else title)
    return render_topic(kb, council, topic)


_SMALL_FIRST = frozenset("The A An What How Who When Where Why Which".split())


def in_sentence(title: str) -> str:
    """A topic's title inside a sentence: its first letter small ("getting a copy of the assessment"), unless
    it starts with a name in capitals ("Early Help is your choice", "Child and Family Assessments")."""
    words = title.split()
    second = words[2] if len(words) > 2 and words[1] == "and" else words[1] if len(words) > 1 else ""
    if words and words[0] not in _SMALL_FIRST and second[:1].isupper() and not second.isupper():
        return title
    return title[:1].lower() + title[1:]


def topic_again(kb: KnowledgeBase, council: str, topic_id: str) -> list[Message]:
    """A question about the conversation's topic whose exact detail no sentence gives ("do they
    publish anything?"): say so, then everything the topic's answer says, where it may be."""
    title = kb.topic_title(topic_id, council) or topic_id.replace("_", " ")
    title = in_sentence(title)
    intro = {"text": f"I'm not sure I have that exact detail. This is what I know about {title}:"}
    return [intro] + topic_messages(kb, council, topic_id)


# A topic title in a question's shape ("Will I be told about a referral", "Can I see my records"); one that
# starts with a question word reads in a sentence ("about how long the MASH takes to decide").
_ASKS = re.compile(r"(will|would|can|could|do|does|did|is|are|am|should|has|have)\b", re.IGNORECASE)


def figure_not_known(kb: KnowledgeBase, council: str, topic_id: Optional[str] = None, more: bool = True,
                     audience: Optional[str] = None) -> Message:
    """Asked for a time, an age or a number the documents do not give: say so before the rest (naming
    the topic it was asked about when what follows is about another); `more`: something else follows.
    Who can tell them depends on the `audience`: a family's social worker or the council; for a
    "professional", the council; for a "young" person, a trusted adult (Childline is offered beside)."""
    about = ""
    title = (kb.topic_title(topic_id, council) or topic_id.replace("_", " ")) if topic_id else ""
    if title and not _ASKS.match(title):
        # a title in a question's shape ("Will I be told about a referral") does not fit "about ...": left out
        about = f" about {in_sentence(title)}"
    general = kb.general_contact(council)
    # the council's way in, named, so that a person who needs the detail can get it
    ask = "Your social worker or the council can tell you."
    if general and general.phone:
        ask = f"Your social worker can tell you, or call {general.service} on {general.phone}."
    elif general and general.web:
        ask = f"Your social worker can tell you, or see {general.service}: {general.web}."
    if audience == "professional":
        ask = "The council can tell you."
        if general and general.phone:
            ask = f"The council can tell you: call {general.service} on {general.phone}."
    elif audience == "young":
        ask = "Your social worker, or an adult you trust like a teacher, can help you find out."
    tail = " This is what I do know:" if more else ""
    return {"text": f"I don't have that exact detail{about} for {kb.council(council).name}. {ask}{tail}"}


# A family's words ("your child", "your family") read to a professional asking about their part (a teacher, a
# GP: the child is not theirs) as "the child", "the family". Only these possessives: the rest of a sentence
# addressed to a parent says so itself ("As a parent or carer, you...").
_YOUR_FAMILY = re.compile(r"\b([Yy])our (child|children|family|son|daughter)\b")


def worded_for(text: str, audience: Optional[str]) -> str:
    """A reply's text for whom it is for: for a "professional", a family's own words made general."""
    if audience != "professional":
        return text
    return _YOUR_FAMILY.sub(lambda m: ("T" if m.group(1) == "Y" else "t") + "he " + m.group(2), text)


def national_note(kb: KnowledgeBase, council: str, topic: Topic) -> str:
    """Before a national item given because the council's own documents are silent on it (none of the council's
    seed documents is among the item's sources): says so, so that the national rule is labelled as national."""
    if topic.council != NATIONAL or topic.seed == NATIONAL or council == NATIONAL:
        return ""
    sources = f"{topic.seed} {topic.section}"
    if any(re.search(rf"\b{re.escape(seed)}\b", sources) for seed in kb.seeds(council)):
        return ""
    name = kb.council(council).name
    return f"I don't have {name}'s own guidance on this. National guidance for all of England says:\n"


def render_topic(kb: KnowledgeBase, council: str, topic: Topic) -> list[Message]:
    # One bubble of prose (what it is, what happens next, the person's rights), without labels: fewer,
    # shorter bubbles on a phone. Then who to contact, then the source.
    msgs: list[Message] = [{"text": national_note(kb, council, topic) + "\n".join(topic.prose)}]
    contacts = contacts_message(kb.contacts(council, topic.contacts))
    if contacts:
        msgs.append(contacts)
    src = source_line(kb, topic.council, topic.seed)
    if src:
        msgs.append(src)
    return msgs


_POINTS_BACK = ("it ", "its ", "this ", "they ", "these ", "that ", "there ")


def fact_text(topic: Topic, sentence: str) -> str:
    """A fact on its own: a sentence that points back ("It can take...") says what it is about."""
    return f"{topic.title}: {sentence}" if sentence.lower().startswith(_POINTS_BACK) else sentence


def fact_messages(kb: KnowledgeBase, council: str, topic: Topic, sentence: str) -> list[Message]:
    """One fact asked about (knowledge.followup.best_fact) first, with a "Tell me more" button for
    the rest of its topic; a sentence that points back ("It can take...") says what it is about."""
    msgs: list[Message] = [{"text": national_note(kb, council, topic) + fact_text(topic, sentence),
                            "buttons": [{"title": "Tell me more", "payload": f"/{topic.id}"}]}]
    src = source_line(kb, topic.council, topic.seed)
    if src:
        msgs.append(src)
    return msgs


def other_topics_message(kb: KnowledgeBase, topic_ids: list[str], council: Optional[str] = None) -> Message:
    """After an answer given on a guess: the other topics the question might have been about."""
    return {"text": "Not what you asked? Try one of these:",
            "buttons": [{"title": kb.topic_title(t, council) or t, "payload": f"/{t}"} for t in topic_ids]}


def term_messages(kb: KnowledgeBase, council: str, term: Term) -> list[Message]:
    head = f"{term.term} stands for {term.stands_for}." if term.stands_for else f"{term.term}:"
    msgs: list[Message] = [{"text": f"{head} {term.meaning}"}]
    src = source_line(kb, term.council, term.seed)
    if src:
        msgs.append(src)
    return msgs


def stage_choice_message(kb: KnowledgeBase, council: str) -> Message:
    stages = kb.stages(council)
    return {
        "text": "I can tell you what happens next and when. Which step are you at?",
        "buttons": [{"title": s.name[:1].upper() + s.name[1:],
                     "payload": '/next_steps{"stage": "' + s.id + '"}'} for s in stages],
    }


def next_steps_messages(kb: KnowledgeBase, council: str, stage: Stage,
                        when: Optional[dt.date]) -> list[Message]:
    """What comes after a stage, with the council's timescales and, given a date, due dates."""
    lines, timeline = [], []
    for step in stage.steps:
        item = {"step": step.step, "within": None, "due": None}
        line = step.step.rstrip(".") + "."
        if step.amount and step.unit:
            within = timescales.describe_within(step.amount, step.unit)
            item["within"] = within
            line += f" Time: within {within}."
            if when:
                due = timescales.due_date(when, step.amount, step.unit)
                item["due"] = due.isoformat()
                line += f" That is by {timescales.format_date(due)}."
        lines.append(f"- {line}")
        timeline.append(item)
    intro = f"What happens after {stage.name}"
    if when:
        intro = f"You said it was on {timescales.format_date(when)}. " + intro
    msgs: list[Message] = [{"text": intro + ":\n" + "\n".join(lines)}]
    # The same steps for screens that can draw them: the web widget shows a list of steps in
    # place of the text version just before it (other channels read the text).
    msgs.append({"custom": {"type": "timeline", "council": council, "stage": stage.id, "title": intro,
                           "from": when.isoformat() if when else None, "steps": timeline,
                           "replaces_previous_text": True}})
    if when:
        msgs.append({"text": GUIDE_NOT_PROMISE})
    else:
        msgs.append({"text": "Tell me the date it happened, and I can work out the dates for you."})
    src = source_line(kb, stage.steps[0].council if stage.steps else stage.council,
                      stage.steps[0].seed if stage.steps else "")
    if src:
        msgs.append(src)
    return msgs


# Contacts that work without the chat: shown by the web widget when it can't reach the
# assistant and by the offline young carers' app. National first, then the council's own.
OFFLINE_CONTACTS = ("emergency", "childline", "samaritans")


def offline_numbers(kb: KnowledgeBase, council: str) -> dict:
    """The numbers to show when the chat can't be reached, for one council (no wording beyond
    the contacts' own names and hours)."""
    contacts = kb.contacts(council, list(OFFLINE_CONTACTS))
    general = kb.general_contact(council)
    own = [general] if general else []
    ooh = kb.contact(council, "mash_out_of_hours")
    if ooh and ooh.council == council:
        own.append(ooh)
    return {
        "council": council,
        "council_name": kb.council(council).name,
        "contacts": [{"id": c.id, "service": c.service, "phone": c.phone, "web": c.web, "hours": c.hours}
                     for c in contacts + own],
    }
