"""The questions the assistant suggests (buttons): when the chat opens (web.server), and with its
greeting and its help menu (actions). Each is a topic (knowledge/topics.yml), sent as its intent, and
offered only when the council's documents (or the national ones) answer it, so Bolton is never offered
a topic its documents do not cover."""
from __future__ import annotations

from typing import Optional

from knowledge.store import KnowledgeBase

# Questions offered, best first, by who the page is for (the widget's data-audience; /app is for
# young people), and for the help menu. Each is a topic (knowledge/topics.yml), sent as its
# intent, and offered only when the council's documents (or the national ones) answer it.
STARTERS = {
    "family": (("Who do I call if I'm worried about a child?", "mash_contact"),
               ("What is early help?", "early_help_what"),
               ("What happens after a referral?", "mash_decision_time"),
               ("How do I complain?", "complaints"),
               ("What is an assessment?", "assessment_what"),
               ("How long is an assessment?", "assessment_length"),
               ("What is a child in need plan?", "cin_what"),
               ("What is a child protection plan?", "cp_plan")),
    "young_person": (("Help for young carers", "young_carers"),
                     ("I'm not happy with my care or social worker", "unhappy_with_care"),
                     ("Talk to a Children's Rights Officer", "cro"),
                     ("What does being in care mean?", "looked_after"),
                     ("Leaving care", "leaving_care"),
                     ("Why does my social worker visit?", "statutory_visits"),
                     ("What does a social worker do?", "teams_roles"),
                     ("What is a child in need plan?", "cin_what")),
    # the help menu: the steps of the process people ask about most
    "help": (("What happens after a referral?", "mash_decision_time"),
             ("What is an assessment?", "assessment_what"),
             ("How long is an assessment?", "assessment_length"),
             ("What is a child in need plan?", "cin_what"),
             ("What is a child protection conference?", "icpc_what"),
             ("What is a child protection plan?", "cp_plan"),
             ("Talk to a Children's Rights Officer", "cro"),
             ("Why does my social worker visit?", "statutory_visits")),
}
MAX_STARTERS = 4


def starters(kb: KnowledgeBase, council: str, audience: Optional[str] = None,
             topics: tuple[str, ...] = (), pool: str = "family") -> list[dict]:
    """Suggestions for a council and a page: the topics the page names (data-topics) first, then the
    pool's usual ones (a young person's on the /app); never one the council cannot answer."""
    usual = STARTERS["young_person" if audience == "young_person" else pool]
    wording = {topic: title for pool in STARTERS.values() for title, topic in pool}
    wanted = [(wording.get(t) or kb.topic_title(t, council), t) for t in topics] + list(usual)
    chosen: list[dict] = []
    for title, topic in wanted:
        if title and kb.topic(council, topic) and all(c["payload"] != "/" + topic for c in chosen):
            chosen.append({"title": kb.in_local_names(council, title), "payload": "/" + topic})
        if len(chosen) == MAX_STARTERS:
            break
    return chosen
