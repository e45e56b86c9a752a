"""The safety layer's judgement of one message: is there a concern, of what kind, who is speaking,
is the person asking for a secret to be kept, and are they upset about the process.

Two detectors, either of which can raise a concern: the crisis patterns (safety.signals, words a
person in crisis uses) and the safety model (safety.model, trained on the layer's own labelled data).
Neither reads the topic classifier, so retraining it cannot change a safety decision. Who is
speaking comes from cues in the person's words (safety/speakers.yml), else the model when sure.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from safety.kinds import (
    ABUSE_DEFAULT,
    ADULTS,
    ALSO_KINDS,
    DANGER_NOW,
    KINDS,
    NONE,
    PATTERN_KINDS,
    PATTERN_SPEAKERS,
    SECRET,
    UNKNOWN,
)
from safety.model import SafetyModel
from safety.signals import SignalDetector, is_question

CUES_FILE = Path(__file__).with_name("speakers.yml")
# How sure the model must be to raise a concern on its own: a statement ("he does stuff to me")
# needs less than a question ("what happens if abuse is found?"), which is nearly always a topic.
# (0.7 until the varied data, safety/data/varied_*.yml, came in; 0.75 until the session-36 examples of children's
# everyday words made the model surer of "none": at 0.65, on the read sets, it misses two crisis messages more than
# before them and raises 41 fewer false alarms; at 0.6 it missed none more but took a young person's question
# about going home from care, and an aunt's about private fostering, for harm. A question needed 0.85 until the
# session-37 examples, safety/data/varied_2026_12z.yml, made the model surer of "none" again: at 0.8, on the read
# sets' every turn, it misses one crisis message more than the model before them did at 0.85 and raises 13 fewer
# false alarms). With the second batch, safety/data/varied_2026_12za.yml, a question needs 0.75: as many crisis
# messages caught on the read sets as before the batch, 11 fewer false alarms (0.8 would have traded five crisis
# messages for 23 fewer; a statement at 0.6 again took the young person's question about going home for harm).
# With the session-38 batches (safety/data/varied_2026_12zb.yml and _12zc.yml) a question needs 0.7: on the read sets'
# every turn, judged offline, with the lighter settling below and the session's patterns, 79 → 50 crisis messages
# missed of 7,877 and 149 → 137 false alarms of 8,055.
STATEMENT_CONFIDENCE = 0.65
QUESTION_CONFIDENCE = 0.7
_ASKS_MEANING = re.compile(r"\bwhat (does|do|did) (the )?(word |words |term |phrase )?['\"]?[a-z' -]{2,30}['\"]? "
                           r"(mean|means|stand for)\b|\bwhat is the meaning of\b|\bmeaning of (the )?(word|term)\b")
# Asking whether something done to them (or to "us", "my" family) is normal, ok or allowed is how many
# children tell: "is it normal for ur parents to...", "is it ok if a grown up says we..."; so is asking
# whether it is abuse when someone in particular does it ("is it abuse if they lock me in?").
_IS_IT_NORMAL = re.compile(r"\b(is it|is that|it is|it's|its|is this) (normal|ok|okay|alright|allowed|right|bad|"
                           r"weird|wrong)\b.*\b(me|u|my|ur|we|us|our|i|i'm|im)\b|"
                           r"\b(is it|is that|is this) (abuse|abusive|assault|neglect) (if|when|that) "
                           r"(they|he|she|my|ur|your|u|you|me|someone|somebody)\b|"
                           # what an adult does, asked about as if in general ("is it ok for a grown up to say...")
                           r"\b(is it|is that|it is|it's|its) (normal|ok|okay|alright|allowed|right) for "
                           r"(a|an|the|my|ur|your) (grown ?-?ups?|adults?|older|man|men|woman|teachers?|coach|"
                           r"step ?dad|uncle|boyfriend|tutor|leader)\b")
# Asking what to do about what they have just told ("...and thuds. Should I go round?"): the telling
# comes first, in a sentence of its own.
_WHAT_TO_DO = re.compile(r"\b((should|shall) (i|we) (go round|go over|go in|knock|call|ring|phone|intervene|get help)|"
                         r"do (i|we) (call|ring|phone) (the police|999|someone)|"
                         # ...or who could help ("...made to carry bags for them. is there someone that can help")
                         r"(is|are) there (anyone|anybody|someone|somebody|ppl|people|a team|any help|help|support)"
                         r"( [a-z]+){0,3} (who|that|to) (help|helps|can help|could help|deal|deals|sort))\b")
_TELLS_FIRST = re.compile(r"^[^?]{25,}?[.!]\s+\S")
# Right after a safety reply ("can you keep a secret?", then a hint of what a relative does), less
# is needed: the conversation is already about a concern.
AFTER_CONCERN_STATEMENT = 0.45
AFTER_CONCERN_QUESTION = 0.7
# Said to be over, hypothetical or only asked about (Cues.is_over), or made up: the model must be very sure,
# and a crisis pattern needs the model to agree at least this much (so does a pattern in a question
# about no one in particular).
SETTLED_CONFIDENCE = 0.95
# Laughed off ("lol", "😂"), someone's illness, or a question about the process beside what is told: many tell that
# way, so the model needs less than for what is said to be over, more than for a plain statement ("my mum will
# murder me lol" is not a crisis). (All these needed 0.95 until session 38; at 0.85 the read sets miss 14 crisis
# messages fewer for 2 false alarms more; 0.8 caught 3 more for 5 more alarms.)
LIGHTLY_SETTLED_CONFIDENCE = 0.85
# ...and a crisis pattern there needs the model to agree this much ("i burn my arms with a lighter... lol"): 0.6
# caught 4 more on the read sets for 1 more alarm; 0.4 no more for 7 more alarms
LIGHTLY_PATTERN_AGREEMENT = 0.6
SETTLED_PATTERN_AGREEMENT = 0.8
# Crisis patterns whose words are not everyday figures of speech ("kill me", "I'll die" are; "homeless tonight",
# "can't cope with him" are not): a laugh beside them does not make them settled.
LAUGH_PROOF = ("homeless", "breaking_point", "forced_marriage_fgm", "exploitation", "online", "sexual_abuse",
               "injury")
# Crisis patterns that stand even in a question about no one in particular or said to be hypothetical.
UNCONDITIONAL = ("suicide_method",)
# A professional describing one particular child now ("Childminder. 2 year old arrived with bruising
# to both ears, mum's explanation doesn't fit. What's the number?") writes in clinical shorthand the
# model is less sure of than a child's own words; with the role and a particular child named, this
# much is enough (a professional asking how to refer, with no child in view, names none).
PROFESSIONAL_REPORT = 0.3
# ...and asking how or where to refer that one child ("Health visitor. 9-month-old below the 0.4th centile,
# missed every appointment... How do I refer?"), the question itself says the professional is worried: less.
PROFESSIONAL_ASKING = 0.2
# (not while doing their training or an assignment: "Nursery worker doing my training: a 3 year old...")
_STUDYING = re.compile(r"\b(doing|for|on|in) (my|our|a|the) (training|course|assignment|essay|coursework|dissertation|"
                       r"module|exam)\b")
_ASKS_TO_REFER = re.compile(r"\b(refer|referral|referring|report|reporting|urgent|urgently|mash|999|route|"
                            r"who (do|should) (i|we) (contact|call|ring|tell|phone))\b")
_PARTICULAR_CHILD = re.compile(
    r"\b(\d{1,2} ?(yo|y/o|yr|yrs|year|years|month|months|week|weeks|day|days)[ -]?(old)?|"
    r"\d{1,2}-(year|month|week|day)-old|"
    r"child of \d{1,2}|(mother|mum|dad|father|parent) of (a|an|the) |"
    r"baby of|y\d{1,2}|year \d{1,2} (pupil|child|girl|boy|student)|"
    r"(reception|nursery|pre-?school|primary|secondary) (child|pupil|girl|boy|kid|student)|"
    r"(one of my|one of our|this|our|my) (pupil|student|patient|client|child|girl|boy|baby|toddler|infant|"
    r"mentee|learner|lad|kid)s?|(two|three|2|3) (kids|children)|the (older|younger|eldest|youngest) one|"
    r"(his|her|their) (kids|children|son|daughter|baby|toddler)|"
    r"(young person|child|kid|pupil|student|patient|boy|girl|teenager) (is )?(in front of me|with me|sat with me)|"
    # a professional's note of one young person: "YP (14) disclosed...", "YP disclosed..."
    r"(yp|cyp|young person|child|pupil|student|patient|client|girl|boy) ?\(\d{1,2}|"
    r"(yp|cyp) (has )?(just )?(disclosed|told me|said)|"
    # a club's team by age ("one of my under-11s"); children seen at a call-out ("the kids were at the address")
    r"(one of (my|our|the)|an?) (u|under) ?-?\d{1,2}s?|"
    r"(child|children|kids|baby|siblings) (were |was )?"
    r"(present|in the (house|home|property|flat)|at the (address|property|house)))\b")
# A message of at most SHORT_WORDS words, with no crisis pattern in it, needs the model this sure (safety.judge).
SHORT_WORDS = 4
SHORT_CONFIDENCE = 0.9
_WORDS = re.compile(r"[a-z0-9']+")
# (not a call for help, however short: "please, he is back")
_CALLS_FOR_HELP = re.compile(r"\b(help|please|pls|plz|scared|afraid|frightened|terrified|hurt|hurts|hurting|emergency|"
                             r"now|quick|quickly|sos)\b")
# ...and to say who is speaking when the words hold no cue.
SPEAKER_CONFIDENCE = 0.8
BREAKING_POINT = "carer_breaking_point"
# A concern raised by the patterns takes the model's kind when the model agrees there is harm.
HARM_KINDS = tuple(k for k in KINDS if k != DANGER_NOW)
# A second kind of harm in the same message ("he's threatening to share my pics and I want to end
# it") adds its own help: from any crisis pattern, or the model when it gives it at least this.
ALSO_CONFIDENCE = 0.12


_PERSONAL = re.compile(r"\b(i|i'm|im|i've|ive|i'd|id|me|my|mine|myself|we|we're|us|our|ours|he|he's|hes|she|she's|"
                       r"shes|him|her|his|hers|mum|mam|mom|dad|stepdad|stepmum|"
                       r"brother|sister|friend|mate|son|daughter|baby|pupil|student|patient|u|ur|you're|youre|"
                       r"tonight|right now)\b")  # a question about tonight is about someone in particular


# A parent's cue that names their own children ("my two kids", "my daughter"), not "my baby brother".
_OWN_CHILDREN = re.compile(r"\b(kids|children|sons?|daughters?)\b")


@dataclass(frozen=True)
class Judgement:
    kind: Optional[str]  # a harm kind (safety.kinds.KINDS), SECRET, or None: no concern
    also: List[str]  # up to two more kinds of harm whose help the reply adds (safety.kinds.ALSO_KINDS)
    speaker: str  # safety.kinds.SPEAKERS or UNKNOWN, from this message alone
    secret: bool
    distress: bool
    confidence: float
    source: str  # "patterns", "model", "patterns+model", "secret" or ""
    # the harm is the speaker's own (self-harm: "I want to die"), not someone else's they tell of
    own: bool = True
    # the speaker is the model's guess, not heard in the words: who was heard earlier in the chat wins
    speaker_guessed: bool = False

    @property
    def concern(self) -> bool:
        return self.kind is not None

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)


class Cues:
    """Speaker, secret and distress cues (safety/speakers.yml)."""

    def __init__(self, path: Path = CUES_FILE) -> None:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))

        def compiled(section: Dict[str, List[str]]) -> List[Tuple[str, re.Pattern]]:
            return [(speaker, re.compile(p.replace("{role}", f"({spec['roles']})")))
                    for speaker, patterns in section.items() for p in patterns]

        self.strong = compiled(spec["strong"])
        self.speakers = compiled(spec["speakers"])
        # the yes/no cues: any of a section's patterns found in the message
        self._flags = {name: [re.compile(p) for p in spec[name]]
                       for name in ("secret", "harmless_secret", "distress", "settled", "online", "process", "own",
                                    "accident", "cover_story", "made_up", "illness", "laughing", "policy", "joke",
                                    "joke_claimed", "again", "grievance", "serious", "reassured")}

    @staticmethod
    def _clean(text: str) -> str:
        return " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())

    def _found(self, name: str, text: str) -> bool:
        text = self._clean(text)
        return any(p.search(text) for p in self._flags[name])

    def speaker(self, text: str) -> Optional[str]:
        """What the person says they are (a strong cue), else the speaker whose cue comes first in
        the text (at the same place: the longer cue, then the one listed first)."""
        text = self._clean(text)
        for cues in (self.strong, self.speakers):
            best: Optional[Tuple[int, int, int, str]] = None
            own_children = False  # a parent's cue naming their own children ("my two kids")
            for order, (speaker, pattern) in enumerate(cues):
                m = pattern.search(text)
                if m and (best is None or (m.start(), -len(m.group(0)), order) < best[:3]):
                    best = (m.start(), -len(m.group(0)), order, speaker)
                own_children = own_children or bool(m and speaker == "parent" and _OWN_CHILDREN.search(m.group(0)))
            if best:
                if best[3] == "young_person" and cues is self.speakers and own_children:
                    # "my aunt has taken my two kids in": someone who says "my kids" is their parent,
                    # whichever relative they name first
                    return "parent"
                return best[3]
        return None

    def is_harmless_secret(self, text: str) -> bool:
        """A secret that is plainly fun or small ('a surprise party for mum', 'I fancy someone')."""
        return self._found("harmless_secret", text)

    def is_secret(self, text: str) -> bool:
        return self._found("secret", text)

    def is_distress(self, text: str) -> bool:
        return self._found("distress", text)

    def is_made_up(self, text: str) -> bool:
        """A training exercise, a case study or a story said to be made up (no child in particular)."""
        return self._found("made_up", text)

    def is_over(self, text: str) -> bool:
        """Over, hypothetical, or only asked about: 'much better now', 'just curious', 'what does X mean';
        or an everyday accident ('fell off my scooter'), unless it is what they were told to say; never when it has
        started again ('that was last year, but he's started again')."""
        over = self._found("settled", text) or (self._found("joke", text) and not self._found("joke_claimed", text)) \
            or (self._found("accident", text) and not self._found("cover_story", text))
        return over and not self._found("again", text)

    def is_settled(self, text: str, illness: bool = True, laughing: bool = True) -> bool:
        """Over (is_over); or, with `illness`, someone's illness or disability (is_ill); or, with `laughing`,
        laughed off (is_laughing)."""
        return self.is_over(text) or (illness and self.is_ill(text)) or (laughing and self.is_laughing(text))

    def is_policy(self, text: str) -> bool:
        """About an organisation's policy or procedures ('we're reviewing our safeguarding policy')."""
        return self._found("policy", text)

    def is_ill(self, text: str) -> bool:
        """Someone's illness or disability ('mum's really poorly'): a young carer's everyday life."""
        return self._found("illness", text)

    def is_laughing(self, text: str) -> bool:
        """Laughed off or cheerful: 'lol', '😂', 'best day ever'; not when the laugh is taken back ('lol... not
        joking tbh', 'haha i'm serious')."""
        return self._found("laughing", text) and not self._found("serious", text)

    def is_reassured(self, text: str) -> bool:
        """Said in so many words to be no danger: 'he's not aggressive', 'not horrible or anything', 'stable now'."""
        return self._found("reassured", text)

    def is_grievance(self, text: str) -> bool:
        """A child's everyday grievance: 'so unfair', 'no one picked me', 'took my hoodie again'."""
        return self._found("grievance", text)

    def is_about_process(self, text: str) -> bool:
        return self._found("process", text)

    def is_own(self, text: str) -> bool:
        """Whether the person speaks of hurting or ending their own life (not someone else's)."""
        return self._found("own", text)

    def is_online(self, text: str) -> bool:
        return self._found("online", text)

    @staticmethod
    def is_personal(text: str) -> bool:
        """Whether the message is about someone in particular (I, my, we, he, she, they...), not a
        topic in general ("is smacking illegal?")."""
        return bool(_PERSONAL.search(text.lower().replace("\u2019", "'")))


class Judge:
    def __init__(self, detector: SignalDetector, model: Optional[SafetyModel], cues: Optional[Cues] = None) -> None:
        self.detector, self.model, self.cues = detector, model, cues or Cues()

    def judge(self, text: str, after_concern: bool = False) -> Judgement:
        """`after_concern`: the conversation had a safety reply just before this message."""
        text = self.detector.unmask(text)  # ("r*pe": the word, for the model as for the patterns)
        signals = self.detector.detect_all(text)
        question = is_question(text)
        lowered = text.lower().replace("\u2019", "'")
        ranking = self.model.rank_kinds(text, top=len(KINDS) + 1) if self.model else []
        # The model's concern is its probability of any kind of harm (1 - P(none)); its kind, the
        # likeliest kind of harm.
        probability = dict(ranking)
        harm_p = 1.0 - probability.get(NONE, 1.0) if ranking else 0.0
        model_kind = next((k for k, _ in ranking if k != NONE), NONE)
        model_p = probability.get(model_kind, 0.0)
        best_harm = next(((k, p) for k, p in ranking if k in HARM_KINDS), (None, 0.0))

        distress = self.cues.is_distress(text)
        about_process = (question or distress) and self.cues.is_about_process(text)
        made_up = self.cues.is_made_up(text)
        # A professional describing one particular child ("GP. Need to refer a 2 yr old with unexplained
        # injuries, how do I?"): the professional's safety reply is that answer. The child's illness is part
        # of their concern, not a young carer's settled life.
        particular_child = bool(_PARTICULAR_CHILD.search(lowered))
        heard = self.cues.speaker(text)  # who the words say is speaking
        professional_child = heard == "professional" and particular_child and not made_up
        # (laughing it off does not settle what a crisis pattern of LAUGH_PROOF found: "kicked out tonight lol";
        # it does settle "my mum's going to kill me lol")
        # Said to be over, hypothetical, an everyday accident: the model must be very sure. Laughed off ("lol just
        # another night of it at ours"), someone's illness ("I've been really unwell and..."): how many tell,
        # so the model needs less (LIGHTLY_SETTLED_CONFIDENCE)
        over = self.cues.is_over(text)
        lightly = not over and (
            (not professional_child and self.cues.is_ill(text)) or
            (not any(s.category in LAUGH_PROOF for s in signals) and self.cues.is_laughing(text)) or
            self.cues.is_grievance(text) or self.cues.is_reassured(text))
        said_settled = over or lightly
        settled = said_settled or about_process or made_up
        # A question about a topic in general, about no one in particular, is never a disclosure on
        # the model's word alone ("is self-harm a mental illness?"): only a crisis pattern can say so.
        asks_if_normal = bool(_IS_IT_NORMAL.search(lowered))
        # (a child named by age is someone in particular: "16yo female, kicked out by parents, what's the route?")
        # (nor is a question about an organisation's policy, with no child in view: "we're updating our procedures,
        # do we log neglect as safeguarding?" speaks of we and our, but of no one in particular)
        impersonal_question = question and (not self.cues.is_personal(text) or self.cues.is_policy(text)) and \
            not asks_if_normal and not particular_child
        reporting = about_process and not said_settled and professional_child
        # ...or asking how to refer or report it, even of what was done some time ago ("10-year-old... 'the
        # traditional procedure' done abroad last year. Who do I contact?"): a professional reports it now
        asking_to_refer = professional_child and bool(_ASKS_TO_REFER.search(lowered)) and \
            not _STUDYING.search(lowered)
        reporting = reporting or asking_to_refer
        # asking what a word means, about no one ("what does the word unalive mean? everyone says it"), is
        # a question about words, whatever the model makes of them
        meaning = impersonal_question and bool(_ASKS_MEANING.search(lowered))
        agreement = SETTLED_PATTERN_AGREEMENT if over or made_up or impersonal_question else LIGHTLY_PATTERN_AGREEMENT
        if made_up or ((settled or impersonal_question) and (harm_p < agreement or meaning) and not reporting):
            # "is smacking illegal now?", "I had a fight last year": the model must agree; asking how
            # to die stands whatever the framing
            signals = [s for s in signals if s.category in UNCONDITIONAL]

        kind: Optional[str] = None
        source = ""
        if signals:
            top = min(signals, key=lambda s: self.detector.priority.index(s.category))
            kind = PATTERN_KINDS.get(top.category)
            if kind is None:  # "abuse", "injury" or "professional": which kind, the model says
                kind = best_harm[0] if best_harm[0] and best_harm[1] >= 0.15 else ABUSE_DEFAULT
            elif kind != DANGER_NOW and model_kind == DANGER_NOW and model_p >= STATEMENT_CONFIDENCE:
                kind = DANGER_NOW
            source = "patterns"
        # "is it ok if a grown up says we have touching secrets": a child telling, in the shape of a
        # question about whether it is normal, is held to what a statement needs; so is someone who tells
        # what is happening and asks what to do about it ("screaming next door... should I go round?")
        telling = question and (asks_if_normal or
                                bool(_WHAT_TO_DO.search(lowered) and _TELLS_FIRST.search(text.strip())))
        if after_concern:
            needed = AFTER_CONCERN_QUESTION if question and not telling else AFTER_CONCERN_STATEMENT
        else:
            needed = QUESTION_CONFIDENCE if question and not telling else STATEMENT_CONFIDENCE
        if settled:
            # (a question about the process beside what is told, "...anyway whats early help", is settled lightly)
            needed = max(needed, SETTLED_CONFIDENCE if over or made_up else LIGHTLY_SETTLED_CONFIDENCE)
        if not signals and not after_concern and len(_WORDS.findall(lowered)) <= SHORT_WORDS and \
                not _CALLS_FOR_HELP.search(lowered):
            # a message of a few words with no crisis pattern ("nurse here", "im eleven", "my lad is fifteen") tells too
            # little for the model's word alone to be a disclosure, unless it is very sure
            needed = max(needed, SHORT_CONFIDENCE)
        model_may_raise = model_kind != NONE and not (impersonal_question and not after_concern) and not made_up
        least = PROFESSIONAL_ASKING if asking_to_refer else PROFESSIONAL_REPORT
        if (not settled or reporting) and harm_p >= least and model_kind != NONE and professional_child:
            # (asking how to refer, or whether it is a referral, does not make the report a question
            # about the process: "GP. 4 month old, dad says he came close to shaking her. MASH first?")
            needed, model_may_raise = min(needed, least), True
        # A question from someone upset about what services are doing ("a referral about my baby, I can't
        # stop crying, what happens now?") is distress, not a parent at breaking point: only the crisis
        # patterns ("I might hurt him", "I can't cope with her") can say it is.
        if question and distress and about_process and model_kind == BREAKING_POINT and not signals and \
                not reporting:
            model_may_raise = False
        if model_may_raise and harm_p >= needed:
            source = "patterns+model" if source else "model"
            kind = kind or model_kind
        # (a training exercise about a child asking for a secret is about no one: "Training scenario: a child says
        # 'can you keep a secret?'")
        secret = self.cues.is_secret(text) and not made_up and \
            not (kind is None and self.cues.is_harmless_secret(text))
        if kind is None and secret:
            kind, source = SECRET, "secret"

        also: List[str] = []
        if kind is not None:
            found = [PATTERN_KINDS.get(s.category) for s in signals] + [
                k for k, p in ranking if k in HARM_KINDS and p >= ALSO_CONFIDENCE]
            if kind in ("sexual_abuse", "exploitation", DANGER_NOW) and self.cues.is_online(text):
                # (meeting a man from an app tonight, sextortion under way: CEOP beside the 999 line)
                found.append("online_sexual_harm")
            also = [k for k in ALSO_KINDS if k in found and k != kind][:2]

        speaker = heard
        if speaker is None:
            speaker = next((PATTERN_SPEAKERS[s.category] for s in signals if s.category in PATTERN_SPEAKERS), None)
        own = self.cues.is_own(text)
        guessed = False
        if speaker is None and self.model and kind is not None:
            guess, p = self.model.speaker(text)
            speaker = guess if p >= SPEAKER_CONFIDENCE else None
            guessed = speaker is not None
            if own and speaker in ADULTS:
                # someone hurting themselves who says nothing of who they are ("i hurt myself with the scissors
                # so i feel better") may be a child: the words give no adult, so the help is for anyone
                speaker = None
        confidence = 1.0 if "patterns" in source else harm_p if kind else 1.0 - harm_p
        return Judgement(kind=kind, also=also, speaker=speaker or UNKNOWN, secret=secret,
                         distress=kind is None and distress, own=own,
                         confidence=round(float(confidence), 3), source=source,
                         speaker_guessed=guessed and speaker is not None)
