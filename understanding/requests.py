"""Requests the assistant cannot do: asked to act for the person ("can you pass a message to my
social worker?", "book me onto a session") or about their own case ("is my case still open?",
"what's my social worker's name?"). The honest answer is that it is a computer that can't, and who
can. Text rules, no model: these are ways of asking, not topics."""
from __future__ import annotations

import re

_YOU = r"\b(can|could|will|would|pls|please|cn)\s+(you|u|ya)\s+(please\s+|pls\s+|just\s+)?"
_ACT = (r"(pass|send|book|check|contact|ring|phone|call|email|e-mail|message|text|arrange|chase|sort|"
        r"find out (if|whether|when|why|about my|about our|who)|look (up|into|at) (my|our)|refer|report|"
        r"speak to (my|our|the|them|him|her)|talk to (my|our|the|them|him|her)|get (me|my|our|a|them)|"
        r"change (my|our)|cancel|rearrange|reschedule|postpone|move (my|our|the)|find (me|us)|"
        r"make (me|an appointment|a booking|them)|sign (me|us)|put (me|us)|"
        r"let (them|my|our|the|him|her)( [a-z]+){0,3} know|"
        r"tell (my|our|the|them|him|her|school|social)|give (my|this|them|him|her)|forward|pass on|connect me|"
        r"transfer me|visit|come (round|out|to)|help me fill|do (it|this|that|one) for (me|us)|"
        r"make (a|the|my|our) (referral|complaint)|complain for (me|us)|fill (it|this|that|the form) (in|out)|"
        r"(close|shut) (my|our|the) (case|file|plan)|end (my|our|the) (case|plan)|take (me|us) off|"
        r"tell me (exactly )?what to (say|write|tell)|write (my|our|a|the) (statement|letter|reply|appeal))\b")
ACT = re.compile(_YOU + _ACT, re.IGNORECASE)
# Asking to be told whether something is so of a particular family ("can you tell me if...", "is my neighbour's..."),
# not a condition ("what happens if my child is on a plan?").
_TELL_IF = r"(tell (me|us)|know|find out|check|see|say|look up) (if|whether)|(^|[.?!] )(is|are)"
OWN_CASE = re.compile(
    r"\b((is|has|was) (my|our) (case|file|referral|assessment|plan) (still |been |already )?(open|closed|shut|"
    r"done|finished|approved|accepted|received|looked at|read|seen)|"
    r"(name|number|email|phone number|contact details) of ((my|our|his|her)( [a-z']+){0,3}|the) (social worker|worker|"
    r"case worker|caseworker|child'?s social worker)|"
    r"(my|our) (child'?s |son'?s |daughter'?s )?(social worker|worker|case worker|caseworker)'?s? "
    r"(name|number|phone number|email|mobile)|"
    r"who (is|'s) (my|our) (social worker|worker|case worker|caseworker)|"
    r"(my|our) (case|file|records?) (number|status|notes)|"
    # what a worker wrote or said about a particular family, theirs or another's: only the people involved can say
    r"what (did|has|have|had) (the |my |our |their |his |her |a )?(social worker|worker|sw|case worker|caseworker|"
    r"school|police|council|they|she|he) (wrote|written|write|said|say|put|put down|recorded|record|noted|note|"
    r"reported|report) (down )?(about|on|in) (me|us|my|our|his|her|their|the [a-z']+ (family|kids|children|"
    r"case|file|household)|the [a-z]+s (next door|upstairs|downstairs|across the road|over the road|at number)|"
    r"[a-z]+'s)\b|"
    # the name of a particular person in a team: a computer has no names of staff
    r"name (of|for) (the|my|our|their|his|her|a)( [a-z']+){0,4} (team manager|manager|iro|"
    r"independent reviewing officer|chair|chairperson|conference chair|head of service|director|duty worker)|"
    r"(team manager|manager|iro|conference chair|duty worker)'?s name|"
    # how a particular family's case is going, theirs or someone else's: only the people involved can say
    r"(happening|going on|the latest|an update|any update|any news) (with|in|on|about) ([a-z]+ ){0,3}"
    r"(my|our|his|her|their|[a-z]+'s)( [a-z]+){0,3} case|"
    # ...named by the family it is for ("any news on the case for the family upstairs?")
    r"(happening|going on|the latest|an update|any update|any news) (with|in|on|about) (the|that|this) ([a-z]+ ){0,3}"
    r"case (for|of|with|about|on) (the|that|this|my|our|a) ([a-z']+ ){0,3}(family|kids|children|child|neighbours?|"
    r"boy|girl|lad)|"
    # whether a particular family is on a plan or known to social care: only the people involved can say
    r"(" + _TELL_IF + r") (my|our|his|her|their|[a-z]+'s)( [a-z']+){0,3} (is |are |was |were )?(still |already |now )?"
    r"(on|under) (a |the )?(child protection|cp|child in need|cin|protection) plan|"
    # ...named as a family where they live ("is the Smith family at number 4 on a CP plan?")
    r"(" + _TELL_IF + r") (the|that|this) ([a-z']+ ){0,2}(family|household|couple|kids|children|neighbours?)"
    r"( [a-z']+){0,4} (is |are |was |were )?(still |already |now )?"
    r"(on|under) (a |the )?(child protection|cp|child in need|cin|protection) plan|"
    r"(" + _TELL_IF + r") (my|our|his|her|their|[a-z]+'s)( [a-z']+){0,3} (is |are )?(still |already )?"
    r"known to (social services|social care|children's services)|"
    # or whether they have a social worker ("could you check if the couple upstairs have a social worker")
    r"(" + _TELL_IF + r") (my|our|his|her|their|the|[a-z]+'s)( [a-z']+){0,4} (has|have|has got|have got|got) "
    r"(a |an )?(social worker|case worker|caseworker|case open|open case|plan))\b", re.IGNORECASE)


def _lowered(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def cannot_do(text: str) -> bool:
    """Whether the message asks the assistant to act for the person or about their own case."""
    lowered = _lowered(text)
    return bool(ACT.search(lowered) or OWN_CASE.search(lowered))


# Asking about this chat itself: whether it is private, who sees it, whether it is kept.
_THIS_CHAT = r"(this|the|our|my) (chat|conversation|convo|messages?)"
ABOUT_THIS_CHAT = re.compile(
    rf"\b(is|are|will) {_THIS_CHAT} (private|confidential|secret|anonymous|recorded|saved|stored|kept|monitored|"
    r"seen|read|shared|passed on)\b|"
    r"\b(can|could|will|would|do|does) (social services|social workers?|the council|anyone|anybody|someone|somebody|"
    r"my social worker|my (mum|mam|mom|dad|parents?)|the police|my school|school|a person|a human|people) "
    r"(be able to |ever |actually )?(see|read|know about|find out about|get) "
    rf"(what i ((have )?(write|wrote|written|say|said|type|typed|put))|{_THIS_CHAT}|this)\b|"
    rf"\bwho (can|will|could) (see|read) ({_THIS_CHAT}|what i (write|say|type|put))\b|"
    rf"\b(do|will) you (keep|save|store|record|log) ({_THIS_CHAT}|what i (write|say|type))\b|"
    r"\bare you (recording|saving|storing|logging|keeping) (this|it|my messages|what i)\b|"
    r"^(is|r) this (private|confidential|anonymous|secure)\W*$",
    re.IGNORECASE)


def about_this_chat(text: str) -> bool:
    """Whether the message asks about this chat: private, who sees it, whether it is kept."""
    return bool(ABOUT_THIS_CHAT.search(_lowered(text)))
