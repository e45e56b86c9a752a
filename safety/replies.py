"""What a safety response says, as plain data: which domain responses, in which order, for each
kind of crisis, and the numbers they are filled with (from the knowledge base). Used by the
safety action and by the Rasa server's own fallback when the action server cannot answer.
No Rasa imports: the wording itself is in domain.yml."""
from __future__ import annotations

from typing import Dict, List

from knowledge.store import KnowledgeBase


def phone(base: KnowledgeBase, council: str, contact_id: str) -> str:
    contact = base.contact(council, contact_id)
    return (contact.phone or contact.web or "") if contact else ""


def council_help(base: KnowledgeBase, council: str) -> str:
    """How to reach the council, with its own verb: 'call Safeguarding hub (MASH) on 024 7678 8555,
    or 024 7683 2222 out of hours', or 'see <a website> (<address>)' when it has no phone."""
    general = base.general_contact(council)
    if not general:
        return "contact your council's children's services"
    text = (f"call {general.service} on {general.phone}" if general.phone
            else f"see {general.service} ({general.web})")
    ooh = base.contact(council, "mash_out_of_hours")
    if ooh and ooh.council == council and ooh.phone:
        text += f", or {ooh.phone} out of hours"
    return text


# What the safety response says for each kind of crisis, in order. Wording is in domain.yml.
SAFETY_PLANS: Dict[str, List[str]] = {
    "safety_danger_now": ["utter_safety_danger_now", "utter_safety_computer", "utter_safety_childline",
                          "utter_safety_trusted_adult"],
    "safety_abuse": ["utter_safety_thanks", "utter_safety_danger_line", "utter_safety_computer",
                     "utter_safety_childline", "utter_safety_trusted_adult"],
    "safety_self_harm": ["utter_safety_self_harm", "utter_safety_samaritans", "utter_safety_childline",
                         "utter_safety_computer"],
    "safety_online": ["utter_safety_online", "utter_safety_report_remove", "utter_safety_danger_line",
                      "utter_safety_childline", "utter_safety_computer"],
    "safety_exploitation": ["utter_safety_thanks", "utter_safety_danger_line", "utter_safety_computer",
                            "utter_safety_childline", "utter_safety_trusted_adult"],
    "safety_homeless": ["utter_safety_homeless", "utter_safety_danger_line", "utter_safety_childline",
                        "utter_safety_computer"],
    "safety_professional": ["utter_safety_professional", "utter_safety_professional_dont",
                            "utter_safety_computer"],
}




def safety_values(base: KnowledgeBase, council: str) -> Dict[str, str]:
    """The numbers the safety responses need, from the knowledge base."""
    childline = base.contact(council, "childline")
    return {
        "emergency_phone": phone(base, council, "emergency") or "999",
        "childline_phone": childline.phone if childline else "",
        "childline_web": childline.web if childline else "",
        "samaritans_phone": phone(base, council, "samaritans"),
        "ceop_web": phone(base, council, "ceop"),
        "report_remove_web": phone(base, council, "report_remove"),
        "council_help": council_help(base, council),
    }
