"""The safety layer's two judgements, as words: what kind of harm a message tells of, and who is
speaking; and which of the domain's safety responses a reply is made of for each pair.

Plain data, no Rasa imports. The wording of each response is in domain/; the numbers come from
the knowledge base (safety.replies).
"""
from __future__ import annotations

from typing import List, Optional, Sequence

# --- what kind of harm --------------------------------------------------------------------------
DANGER_NOW = "danger_now"
KINDS = (DANGER_NOW, "physical_abuse", "sexual_abuse", "emotional_abuse", "neglect", "online_sexual_harm",
         "domestic_abuse", "self_harm", "carer_breaking_point", "exploitation", "forced_marriage_fgm", "homeless")
NONE = "none"
# Asked to keep a secret, with nothing told yet: still a safety reply (honest: it is a computer).
SECRET = "secret"

# --- who is speaking ----------------------------------------------------------------------------
YOUNG = ("child", "young_person")
ADULTS = ("parent", "foster_or_kinship_carer", "neighbour_or_relative")
SPEAKERS = YOUNG + ("friend",) + ADULTS + ("professional",)
UNKNOWN = "unknown"

# The Rasa intent every safety reply is routed by (data/rules/safety.yml); kind and speaker travel
# with the message under MESSAGE_KEY.
INTENT = "safety"
MESSAGE_KEY = "safety"
# Every safety reply ends with a custom message {"type": REPLY_TYPE, "kind": ..., "speaker": ...}, so
# the widget, the chat channel and the evaluation can tell it apart from any other reply.
REPLY_TYPE = "safety_response"


def reply_marker(kind: str, speaker: str, **extra: object) -> dict:
    return {"type": REPLY_TYPE, "kind": kind, "speaker": speaker, **extra}


def safety_marker(messages: List[dict]) -> Optional[dict]:
    """The safety reply's marker among a reply's messages (REST channel format), or None."""
    return next((m["custom"] for m in messages if (m.get("custom") or {}).get("type") == REPLY_TYPE), None)


# Set by the chat channel in a message's metadata when the conversation had a safety reply in the
# last half hour: {"after_concern": true}. The next message is then judged knowing it.
CONTEXT_KEY = "safety_context"

# The crisis patterns' categories (safety/patterns.yml) as a kind. "abuse" and "professional" do
# not say which kind: the safety model's best harm kind is used, else ABUSE_DEFAULT.
PATTERN_KINDS = {
    "danger_now": DANGER_NOW, "self_harm": "self_harm", "suicide_method": "self_harm", "online": "online_sexual_harm",
    "exploitation": "exploitation", "homeless": "homeless", "breaking_point": "carer_breaking_point",
    "domestic_abuse": "domestic_abuse", "forced_marriage_fgm": "forced_marriage_fgm", "neglect": "neglect",
    "sexual_abuse": "sexual_abuse",
}
ABUSE_DEFAULT = "physical_abuse"
# Speaker cues the crisis patterns carry ("a pupil told me..." is a professional's disclosure).
PATTERN_SPEAKERS = {"professional": "professional"}


def speaker_group(speaker: Optional[str]) -> str:
    """'young' (a child or young person, or unknown: they get Childline first), 'friend', 'adult'
    or 'professional'."""
    if speaker == "friend":
        return "friend"
    if speaker == "professional":
        return "professional"
    if speaker in ADULTS:
        return "adult"
    return "young"


# A second kind of harm found in the same message adds the one line its help needs (after the
# first kind's lines), in this order of preference.
ALSO_KINDS = ("self_harm", "online_sexual_harm", "carer_breaking_point", "homeless", "domestic_abuse")


def _also_line(also: str, young: bool) -> str:
    # (domestic abuse beside danger now or a child's abuse: the national helpline for an adult living with
    # it; a young person already gets Childline and a trusted adult)
    return {"self_harm": "utter_safety_samaritans",
            "online_sexual_harm": "utter_safety_online" if young else "utter_safety_online_adult",
            "carer_breaking_point": "utter_safety_breaking_point_help",
            "homeless": "utter_safety_homeless",
            "domestic_abuse": "utter_safety_trusted_adult" if young else "utter_safety_domestic_abuse"}[also]


def plan(kind: str, speaker: Optional[str], secret: bool = False, also: Sequence[str] | str | None = None,
         own: bool = True) -> List[str]:
    """The domain responses a safety reply is made of, in order: what this kind of harm needs
    first (and a second kind, `also`), then what this speaker needs, then honesty about being a
    computer (or about secrets). `own`: the person speaks of their own self-harm; when not, a
    friend, an adult or a professional telling of someone else's gets how to help that person."""
    group = speaker_group(speaker)
    young = group in ("young", "friend")
    lines: List[str] = []
    if kind == DANGER_NOW:
        lines += ["utter_safety_danger_now"]
    elif kind == "self_harm" and not own and group != "young":
        lines += ["utter_safety_self_harm_other"] + ([] if group == "friend" else ["utter_safety_self_harm_support"])
    elif kind == "self_harm":
        lines += ["utter_safety_self_harm", "utter_safety_samaritans"]
    elif kind == "online_sexual_harm":
        lines += (["utter_safety_online", "utter_safety_report_remove"] if young
                  else ["utter_safety_online_adult"])
        lines += ["utter_safety_danger_line"]
    elif kind == "carer_breaking_point":
        lines += ["utter_safety_breaking_point", "utter_safety_breaking_point_help", "utter_safety_danger_line"]
    elif kind == "homeless":
        lines += ["utter_safety_homeless" if group == "young" else "utter_safety_homeless_other",
                  "utter_safety_danger_line"]
    elif kind == SECRET:
        lines += ["utter_safety_secret"]
    elif kind == "domestic_abuse" and group == "adult":
        # a parent or carer living with it, or a relative or neighbour worried: the national helpline
        lines += ["utter_safety_thanks_adult", "utter_safety_domestic_abuse", "utter_safety_danger_line"]
    else:  # abuse of any kind, neglect, domestic abuse, exploitation, forced marriage or FGM
        lines += ["utter_safety_thanks" if young else "utter_safety_thanks_adult", "utter_safety_danger_line"]
    for other in ([also] if isinstance(also, str) else list(also or []))[:2]:
        if other in ALSO_KINDS and other != kind:
            lines += [_also_line(other, young)]

    if group == "young":
        lines += ["utter_safety_childline", "utter_safety_trusted_adult"]
    elif group == "friend":
        lines += ["utter_safety_friend"]
        if kind == "carer_breaking_point":
            # a friend who is a parent and may hurt their baby: the child needs the council's help, not only Childline
            lines += ["utter_safety_adult_council"]
    elif group == "professional":
        lines += ["utter_safety_professional", "utter_safety_professional_dont"]
    else:
        lines += ["utter_safety_adult_council", "utter_safety_nspcc"]

    if kind != SECRET:
        lines += ["utter_safety_secret" if secret else "utter_safety_computer"]
    lines += ["utter_safety_carry_on"]
    seen: set = set()
    return [line for line in lines if not (line in seen or seen.add(line))]


# A safety reply's lines go out in at most three bubbles, not one per line (six or seven bubbles filled a phone
# screen): what this kind of harm needs now, then who can help this speaker, then honesty about being a
# computer and that they can carry on.
_FOR_SPEAKER = frozenset({"utter_safety_childline", "utter_safety_trusted_adult", "utter_safety_friend",
                          "utter_safety_professional", "utter_safety_professional_dont",
                          "utter_safety_adult_council", "utter_safety_nspcc"})
_CLOSING = frozenset({"utter_safety_computer", "utter_safety_carry_on"})


def bubbles(lines: Sequence[str]) -> List[List[str]]:
    """A plan's lines (plan) grouped into the bubbles they are sent in, in order: the harm's lines, the
    speaker's, the closing ones (a secret's line closes too, unless the reply is about the secret)."""
    def part(index: int, line: str) -> int:
        if line in _FOR_SPEAKER:
            return 1
        if line in _CLOSING or (line == "utter_safety_secret" and index > 0):
            return 2
        return 0
    grouped: List[List[str]] = []
    last = -1
    for index, line in enumerate(lines):
        now = part(index, line)
        if grouped and now == last:
            grouped[-1].append(line)
        else:
            grouped.append([line])
        last = now
    return grouped


def speaker_for(this_message: Optional[str], earlier: List[Optional[str]], audience: Optional[str] = None,
                guessed: bool = False) -> str:
    """Who is speaking: a cue in this message, else the latest cue earlier in the conversation,
    else the page's audience (the /app says 'young_person'), else UNKNOWN. A speaker the model only
    `guessed` for this message comes after who was heard earlier ("how do I get my daughter to talk to
    me?", then what an older friend does with her: still her parent)."""
    order = list(reversed(earlier)) + [this_message] if guessed else [this_message] + list(reversed(earlier))
    for speaker in order + [audience]:
        if speaker in SPEAKERS:
            return speaker
    return UNKNOWN
