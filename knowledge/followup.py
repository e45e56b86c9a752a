"""Follow-up questions and the fact asked for.

A message with no topic word of its own ("how long does that take?", "is there an age limit?",
"and in Bolton?") is about the conversation's current topic. What it asks for is its *aspect* (a
time, an age, who, how many, how to contact, whether it is a choice...); the answer is the sentence
of the current topic, or of a topic in the same area, that gives that aspect, council's own and
national items both read. Plain functions over the knowledge base: no Rasa here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from knowledge.store import STOPWORDS, KnowledgeBase, Topic

# What a time is counted from, asked ("what is the meeting counted from?", "when does the clock start?").
_COUNTED_FROM = r"timed from|counted from|counts? from|start counting|clock starts?"
# Asked what happens if the services cannot get through ("and if social care cannot reach us?")
_UNREACHABLE = r"\bif (they|you|he|she|the [a-z]+|social care|social services) " \
    r"(can'?t|cannot|don'?t|do not|couldn'?t) " \
    r"(get hold of|reach|contact|get through to|get in touch with|call|ring|phone|find) (me|us)\b"


def asks_if_unreachable(text: str) -> bool:
    """Whether the message asks what happens if the services cannot reach the person."""
    return bool(re.search(_UNREACHABLE, text.lower().replace("\u2019", "'")))


# What a question asks for (its aspect), from its words.
ASPECT_QUESTIONS = {
    "time": r"\b(how long|how soon|how quick(ly)?|how fast|when|by when|what date|timescale|deadline|how often|"
            rf"{_COUNTED_FROM}|"
            r"how many (working )?(days|weeks|months|hours|years)|what time|till when|until when|"
            r"quicker|quickest|faster|fastest|shorter|shortest|longer|longest|go on for|last for|long[- ]term|"
            r"short[- ]term|for good|forever)\b",
    "age": r"\b(age|ages|aged|how old|too old|too young|older|younger|under \d+|over \d+)\b",
    "count": r"\b(how many|number of|how much)\b",
    # what something is called ("what's my plan called?", "what do they call it?")
    "name": r"\bwhat('?s| is| are| was| were)( [a-z']+){0,3} called\b|\bwhat do (they|you|we|people) call\b|"
            r"\bname (of|for) (it|that|this|the [a-z]+|my [a-z]+|our [a-z]+)\b|\bwhat('?s| is) (its|the) name\b",
    "who": r"\b(who|whom|whose|which( [a-z]+)? (team|teams|person|people|worker|workers|service|services|unit|units)|"
           # whether it is one person who does it ("will only our worker be chairing it?")
           r"(is|are|will|would) (it|they) (just|only|always|still) (be )?(the|a|an|my|our|your|their) [a-z' ]{0,25}"
           r"(running|chairing|leading|deciding|in charge|doing)|"
           r"anyone|anybody|someone|"
           r"somebody|(a|any|particular|special|specific|dedicated|specialist|separate|different) "
           r"(team|service|unit|worker|person))\b",
    "contact": r"\b(phone|number|call|ring|email|e-mail|contact|reach|get hold|website|web address)\b|"
               r"\bspeak to\b(?!\s+(my|the|our|your|his|her) (kid|child|son|daughter|baby|children|kids|boy|girl)\b)",
    # whether the child is seen or heard ("will they talk to my kid?")
    "child_seen": r"\b(see|seen|speak to|speak with|talk to|talk with|meet|visit|ask|listen to|interview) "
                  r"(my|the|our|your|his|her) (kid|kids|child|children|son|daughter|baby|boy|girl|lad|lass|boys|"
                  r"girls|teenager|grandson|granddaughter|nephew|niece|little one)\b|"
                  r"\b(kid|child|son|daughter|baby)'?s? (say|views|voice|wishes)\b|"
                  r"\b(see|seen|speak to|talk to|meet|visit|interview) (him|her|them) alone\b|"
                  r"\b(come and|come to|come out to) (see|visit|meet) (him|her|my [a-z]+)\b",
    # how something comes about ("how does a young person end up with them?", "how do I get it?")
    "how": r"\b(how (do|does|did|can|could|would|is|are|will) (i|we|you|they|a|an|the|my|our|someone|people|"
           r"children|kids|young|families|he|she|it)|end up|get (onto|into|on to|referred))\b",
    "where": r"\b(where|which building|near me|location|nearest|somewhere|anywhere|turn up|drop in|walk in|"
             r"pop in|in person)\b",
    "choice": r"\b(have to|got to|must (i|we)|do (i|we) need to|say no|refuse|voluntary|choice|agree|consent|"
              r"compulsory|mandatory|optional|obliged|permission|make (me|us)|force|allowed|"
              # (not "what can they decide?", which asks what can come of it)
              r"(?<!what )(?<!how )(?<!who )(?<!where )(?<!when )can (i|we|they))\b",
    "miss": r"\b(what if|if (i|we) (miss|can'?t|cannot|don'?t)|miss|missed)\b|"
            # ("and if social care cannot reach us?")
            rf"{_UNREACHABLE}",
    "next": r"\b(what happens (next|after|then|now)|after that|then what|what next|next step|"
            # what comes of something named ("what happens to my form after that?")
            r"what happens (to|with) (it|them|that|this|(the|my|our|their|his|her) [a-z]+))\b",
    # what can come of it ("what can they decide at the end?")
    "decide": r"\b(decide|decides|decided|deciding|decision|decisions|outcome|outcomes|result|results|conclude|"
              r"end up with|what comes of|come out of (it|this|that|them|the [a-z]+))\b",
    # what it holds or looks at ("what does it actually say inside it?", "what does it look at?")
    "contents": r"\b(inside|contain|contains|include|includes|cover|covers|look at|looks at|made up of|"
                r"goes? in|go into|goes into|put in|written in|say in|says in|in it|"
                r"what('s| is| are| gets?) (in|inside) (it|them|the|a|an|my|our|their|his|her))\b",
    # what someone's job is ("what do they actually do?")
    "does": r"\bwhat (do|does|will|would|can) (they|it|he|she|(the|that|this|a|an|my|our)( [a-z'-]+){1,3}) "
            r"(actually |really |even )?do\b|\b(their|its) (job|role)\b|"
            r"\bwhat (sorts?|kinds?|types?) of (help|support|things?|work)\b|"
            r"\bhow (can|could|would|will|do|does) (they|it|the [a-z]+( [a-z]+)?) help\b",
    # how it ends ("how does it finish?", "when do we come off the plan?")
    # ("at the end" says when, not how it ends)
    "end": r"\b((?<!\bat the )(?<!\bin the )end(?! up\b)|ends|ended|finish|finishes|finished|close|closes|closed|"
           r"come off|comes off|stop|stops)\b",
    # what there is once it is over ("is that the end of it?", "does all the help stop?", "who helps us
    # once they've gone?")
    "after": r"\b((?<!\bat )(?<!\bin )the end of (it|that|everything)|all over|"
             r"(help|support|everything) (just )?stops?|"
             r"(help|support) (is there )?(after|afterwards|then|once)|"
             r"(help|support|services?)\b[^.?]{0,25}\b(after|afterwards) (that|it|this|then)\b|"
             r"(once|after|when) (they|she|he|the social worker|social care|social services)('ve| have)? "
             r"(gone|left|finished|closed|pulled out|stepped back)|"
             r"(once|after|when) (it|the case|the plan|our case|the cin plan)('s| is| has)? (been )?"
             r"(closed|finished|over|ended)|"
             # ("are we left alone afterwards?")
             r"(left|leave (us|me|them)) (with nothing|on (our|my|their) own|alone|high and dry)|"
             r"(after|afterwards)(?=\W*$))\b",
    # whether it can become more serious ("could it get more serious than that?")
    "escalate": r"\b(more serious|get worse|gets worse|escalat\w*|be stepped up|go further|goes further)\b",
    # whether someone is told ("do I have to tell the parents first?", "will they let me know?")
    "told": r"\b(tell|tells|told|inform|informed|let (me|us|them|the parents?|the family) know)\b",
    # whether the person has a say ("do we get a say?", "will they listen to us?")
    "say": r"\b(a say|any say|our views?|my views?|listen to (us|me)|our opinion|my opinion|what (we|i) think|"
           r"what (we|i) want)\b",
    # whether a different case is different ("what if he's only a baby?", "does that apply to foster carers?")
    "case": r"\bwhat (if|about if) (it'?s|it is|he'?s|he is|she'?s|she is|they'?re|they are|the child is|"
            r"my child is|i'?m|i am|we'?re|we are)\b|\bdoes (that|this|it) (still )?apply\b",
    # which ones, of things it does or uses ("what assessments do they use?")
    "kind": r"\b(what|which) (kinds?|sorts?|types?) of\b|"
            r"\b(what|which) [a-z]+s (do|does|will|would|can|could|are|is) (they|he|she|it|you|we|the [a-z]+)\b",
    # who a team or service is made of ("who actually works there?", "who is in it?")
    "members": r"\bwho (actually |really )?(works?|is|are|sits?) (there|in (it|them|that|this|those|the [a-z]+))\b|"
               r"\bwho('s| is| are) (on|in) (it|that|this|the|them)\b|\bwho makes? (it|them|that) up\b|"
               r"\bwho('s| is) (there|part of it)\b|"
               # whether someone may be there ("are parents even allowed to be there?")
               r"\b(are|is|can|will|do|does) (parents?|i|we|the family|family|families|mums?|dads?|carers?|"
               r"grandparents|children|the child|my [a-z]+) (even |actually |still )?(be )?(allowed to |able to |"
               r"get to |invited to |have to )?(be there|attend|be present|be in the room|sit in|go to (it|them|the "
               r"meeting|the conference|the review))\b",
    # why it is done ("why do they want to see her alone?")
    "why": r"\b(why|what for|for what reason|what'?s the point|what is the point|reason|purpose)\b",
    "what": r"\b(what (is|are|does|do|'s)|whats|what it is|mean|means|meaning|for what|what for|why)\b",
}
# Which aspects a sentence of the knowledge gives, from its words.
# (not a year: "Working Together 2013" counts nothing)
_NUMBER = r"((?<![\d,.])(?!(?:19|20)\d\d\b)\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
          r"fifteen|twenty|thirty|forty|forty-five)"
SENTENCE_ASPECTS = {
    "time": rf"\b{_NUMBER} (working )?(days?|weeks?|months?|hours?|years?)\b|\bwithin\b|\bevery\b|\bas soon as\b|"
            r"\bas long as\b|\bsame day\b|\bstraight away\b|\bat once\b",
    "age": r"\b(age|aged|ages|under \d+|over \d+|up to \d+|\d+ (to|and) \d+|\d+ or (over|under|older|younger)|"
           r"years old|until they are|birthday|unborn|pre-birth)\b",
    # a name given ("It is called...", "known as...", "Care leavers have a Pathway Plan")
    "name": r"\b(is called|are called|called an?|called the|known as|named|(have|has|get|gets) an? [a-z' ]{0,30}"
            r"(plan|assessment|review|meeting|conference))\b",
    "count": rf"\b{_NUMBER} ([a-z]+ ){{0,3}}[a-z]+s\b",
    "who": r"\b(social (care )?workers?|managers?|chairs?|chaired|led by|leads|runs?|officers?|police|health|"
           r"teachers?|nurses?|doctors?|gps?|iros?|practitioners?|panel|partnership|advocates?|visitors?|"
           r"team|teams|workers?|professionals?|people who|someone from)\b|"
           r"\bthe [a-z]+ service (does|do|is|will|works|decides|leads|runs)\b|"
           r"\b(reviewed|chaired|led|run|checked|decided|done|carried out|agreed) by\b",
    "contact": r"\b(call|phone|ring|email|e-mail|website|online form|write to)\b|\d{3,5} ?\d{3} ?\d{3,4}|@|www\.|"
               r"https?://",
    "where": r"\b(at|in|into|to) (the|a|your|their|any) ([a-z]+ )?(hub|hubs|centre|centres|center|office|home|school|"
             r"building|area)\b|"
             r"\baddress\b|\blocal\b|\bin (the|your|their) (local )?communit(y|ies)\b|\b(is|are) where\b",
    "choice": r"\b(voluntary|your choice|agree|consent|permission|say no|don'?t have to|do not have to|must|"
              r"can refuse|right to|have to)\b",
    "miss": r"\b(if (they|you) (cannot|can'?t|do not|don'?t|miss)|letter|try again|another time)\b",
    "child_seen": r"\b(see (the|your) child|seen|wishes and feelings|talk (to|with) (the|your) child|"
                  r"observ\w*|child's views|voice of the child|how they see things|speak to (the|your) child)\b",
    "how": r"\b(refer|refers|referral|referred|sends?|sent|passe[sd]?|through|decides?|fill in|apply|"
           r"ask for|asks for|can ask|walk into|goes to|go to|"
           # how it comes to an end or a start ("usually ends at a review meeting")
           r"(ends?|ended|closes?|closed|starts?|started) (at|with|by) (a|an|the))\b",
    "next": r"\b(then|after|next|afterwards|will)\b",
    "why": r"\b(so that|because|makes? sure|helps? (to )?keep|to keep|to check|to find out|to understand|aims? to|"
           r"the aim is|purpose is|is so|"
           # when it is done, which is why ("This is when a child is at risk of significant harm")
           r"this is when|reasonable (cause|grounds)|(grounds|cause) to suspect)\b",
    "decide": r"\b(decides?|decided|decision|outcomes?|result|could be|may be (made|put|stepped)|plan is made|"
              r"becomes? subject|subject to a)\b",
    "contents": r"\b(includes?|including|covers|looks at|sets out|says|contains|made up of|profile|outcomes|"
                r"actions|what needs to|who will do)\b",
    "does": r"\b(responsible for|job is|role is|implement\w*|monitor\w*|carry out|carries out|puts? .{0,20}into action|"
             r"supports?|helps?|works? (with|on)|assess\w*|looks? at)\b",
    "after": r"\b(carry on|carries on|continue|continues|may get|other services|"
             r"lead practitioner|early help (plan|support|services)|universal services|targeted services|"
             r"this may include)\b",
    "end": r"\b(ends?|ended|closes?|closed|closure|close the case|stepped down|step down|no longer (needed|required)|"
           r"comes? off|finish(es)?)\b",
    "escalate": r"\b(step(ped|s)? up|escalat\w*|child protection (procedures|plan|conference)|significant harm)\b",
    "told": r"\b(tell|tells|told|inform|informed|unless|before (it|the referral) is made|know about)\b",
    "say": r"\b(views?|voice|wishes|what you think|listened to|part of the decision|network|in partnership)\b",
    "case": r"\b(instead|unless|except|even if|also applies|does not apply|only if|apart from)\b",
    "kind": r"\b(which ones|which [a-z]+ to use|such as|include|includes|including|for example)\b",
    "members": r"\b(team of|made up of|members|staff|workers from|sit together|based together|agencies? including|"
               r"brings? together)\b",
    "what": r"\b(is|are|means|is when|is a|is the)\b",
}
# A sentence that gives the aspect with a number ("within 15 working days", "aged 16 to 23", "8 hubs")
# answers it better than one that only touches it ("straight away", "older children").
STRONG = {
    "time": re.compile(rf"\b{_NUMBER} (working )?(days?|weeks?|months?|hours?|years?)\b"),
    "age": re.compile(r"\b(\d+ (to|and) \d+|under \d+|over \d+|up to( the age of)? \d+|aged \d+|"
                      r"\d+ or (over|under))\b"),
    "count": re.compile(rf"\b{_NUMBER} [a-z]+"),
    # what it holds, in so many words ("The plan sets out...", "It covers..."), not a word a list might have
    "contents": re.compile(r"\b(sets out|set out|includes?|including|covers|contains|says what|made up of)\b"),
    # whether one must, in so many words ("Child in Need help is voluntary"), not a word of agreeing in passing
    "choice": re.compile(r"\b(voluntary|your choice|(do not|don'?t|does not|doesn'?t) have to|can (refuse|say no)|"
                         r"right to (refuse|say no)|not compulsory)\b"),
    # who takes part: a sentence that names several of them ("The police, health practitioners, teachers...")
    "who": re.compile(r"\b(police|health|teachers?|schools?|social workers?|nurses?|doctors?|gps?|practitioners?|"
                      r"professionals?|agencies|parents?|family|families)\b[^.]*?,[^.]*?\b(police|health|teachers?|"
                      r"schools?|social workers?|nurses?|doctors?|gps?|practitioners?|professionals?|agencies|"
                      r"parents?|family|families)\b"),
}
# A sentence whose subject is who does something ("Independent Reviewing Officers do these reviews"), not only
# "someone who is not part of the team": it answers "who does that?" best when the doing is the one asked.
_NAMES_DOER = re.compile(r"\b(officers?|managers?|workers?|practitioners?|iros?|chairs?|nurses?|police|mash|hub) "
                         r"(do|does|chair|chairs|review|reviews|lead|leads|decide|decides|run|runs|check|checks|"
                         r"visit|visits|make|makes)\b")
# "Which team will do it?" asks for a team by its name: a sentence that names one ("the Referral and
# Assessment team", "Bolton's Children with Disability team") answers it, not one that only says a team
# manager decides. Read in the sentence's own capitals.
_ASKS_WHICH_TEAM = re.compile(r"\b(which|what)( [a-z]+)? (team|teams|service|services|unit|units)\b")
_NAMED_TEAM = re.compile(r"\b(?!(?:The|A|An|This|That|These|Each|Every|All|Any|Their|Its|Our|Your|In|After|Before|"
                         r"If|When|Then|Some|One)\b)[A-Z][a-z']+(?: (?:and|with|of|[A-Z][a-z']+))* "
                         r"(?:[Tt]eams?|[Ss]ervice|[Uu]nit)\b")
_ASKED = {name: re.compile(p) for name, p in ASPECT_QUESTIONS.items()}
_GIVEN = {name: re.compile(p) for name, p in SENTENCE_ASPECTS.items()}
# A message that only makes sense with the one before: it starts like a continuation or points back.
_CONTINUES = re.compile(r"^(and|but|so|also|or|ok so|what about|how about|what if|then|plus)\b")
_POINTS_BACK = re.compile(r"\b(that|it|its|it's|they|them|their|this|there|those|these|one|he|she|him|her)\b")
_WORD = re.compile(r"[a-z][a-z'-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
# Words too common across topics to say what a message is about.
GENERIC = frozenset("""child children childs kid kids family families social worker workers help helps support
    group groups parent parents carer carers person people young council services service plan plans meeting meetings
    time times long happen happens happening thing things someone somebody anyone anybody what which
    ask asks asked question questions work works working do does make makes made give gives need needs
    go goes going get gets come comes coming talk talks say says said there their they them this that
    about after before first next last other others more most very really just still even also
    able day days week weeks month months year years number numbers phone call email contact
    age old older younger limit who whom whose where when why how much many often soon again
    mean means meaning allowed choice agree refuse right rights team teams chair chairs chaired decide
    decides decided decision take takes until start starts end ends stop stops finish meet meets met
    run runs lead leads led sent send letter write asking back behind between case different
    differently each forty full getting hear heard keep keeps kind line listen little look looks must
    nothing one seeing seen sees seven speak spoken stay stays told use used way without three
    together through offer offers hour hours outside home worried worry worries involve involved note
    notes level levels place step steps deadline deadlines timescale timescales looking written writing
    wrote writes difference differences specialise specialises specialised specialising
    it's he's she's they're i'm we're that's what's there's""".split())


def _stem(word: str) -> str:
    word = word.strip("'-")
    if len(word) > 5 and word.endswith("ies"):
        return (word[:-3] + "y")[:6]  # "babies" is "baby", "families" "family", "agencies" "agency"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    else:
        if len(word) == 4 and word.endswith("s") and word[2] not in "aeious":
            word = word[:3]  # a short word's plural or -s form: "sets" is "set", "kids" "kid" (not "this", "does")
    return word[:6]


# "as well" means "too" ("are the police in it as well?"), not the "well" of "safe and well"
_AS_WELL = re.compile(r"\bas well\b")


def _content_stems(text: str) -> list[str]:
    """The stems of the text's content words, in order (not stopwords, GENERIC words or words of two letters)."""
    return [_stem(w) for w in _WORD.findall(_AS_WELL.sub(" ", text.lower().replace("\u2019", "'")))
            if w not in STOPWORDS and w not in GENERIC and len(w) > 2]


def content_words(text: str) -> set[str]:
    return set(_content_stems(text))


# The words a question for a name asks with, which the name's sentence need not share.
_NAMING_STEMS = frozenset({"call", "name", "what", "their", "theirs"})


def _all_stems(text: str) -> set[str]:
    """The stems of the text's words that are not stopwords, common ones included ("plan")."""
    return {_stem(w) for w in _WORD.findall(text.lower().replace("\u2019", "'")) if w not in STOPWORDS and len(w) > 2}


# "who will they speak to?" asks who is spoken to, not how to get in touch
_WHO_THEY_SPEAK_TO = re.compile(r"\bwho (will|would|do|does|did|is|are|might|could) (they|he|she|the [a-z]+( [a-z]+)?) "
                                r"([a-z]+ )?(speak|talk|chat)(ing)? (to|with)\b")


_ALLOWED_TO_LAST = re.compile(r"\ballowed to (go on|last|take|run|carry on)\b")
# How long the service has to do something ("how long have they got to get it done?", "by when must it
# be held?"): their deadline, not
# whether the family has to
_THEIR_DEADLINE = re.compile(r"\b(how long|how many (days|weeks|months)|by when|when)\b.*\b(have|has|do|does) "
                             r"(they|it|she|he|social care|social services|the council|the team|"
                             r"(the|that|this|our|their) ([a-z'-]+ )?(meeting|conference|review|visit|assessment|plan))"
                             r"( got| have| need)? to\b")
_ANYONE_TELLS = re.compile(r"\b(will|would|does|do|is|are|should|can|could) (anyone|anybody|someone|somebody)"
                           r"( actually| ever)? (tell|let|inform|explain|update|get back to|write to|contact) "
                           r"(me|us)\b")
_WHO_I_TELL = re.compile(r"\bwho (do|should|can|could|shall|must|would) (i|we) tell\b")


# A question that starts with another question word and goes on "when ..." asks about a time, not when
# ("what plan will she have when she leaves?", "does she tell me when she refers us?"); "and when", "by
# when", "till when" still ask it.
_OTHER_QUESTION = frozenset("what what's whats which who whose where will would does do did is are can could "
                            "should has have".split())
_STILL_ASKS_WHEN = frozenset("and or but so by till until".split())


def _when_clauses_left_out(lowered: str) -> str:
    parts = []
    for part in re.split(r"(?<=[,.;!?])\s+|\s+[-\u2013\u2014]+\s+", lowered):  # ("and Bolton - by when...?")
        words = part.split()
        if words and words[0] in _OTHER_QUESTION:
            for i in range(1, len(words)):
                if words[i].strip("?,.!") == "when" and words[i - 1] not in _STILL_ASKS_WHEN:
                    words[i] = "once"
        parts.append(" ".join(words))
    return " ".join(parts)


def asked_aspects(text: str) -> set[str]:
    lowered = _when_clauses_left_out(" ".join(text.lower().replace("\u2019", "'").split()))
    found = {name for name, p in _ASKED.items() if p.search(lowered)}
    if "contact" in found and _WHO_THEY_SPEAK_TO.search(lowered):
        found.discard("contact")
    if _ALLOWED_TO_LAST.search(lowered) or _THEIR_DEADLINE.search(lowered):
        found.discard("choice")  # "the longest it's allowed to go on" asks how long, not whether one may
    if _ANYONE_TELLS.search(lowered):
        found = (found - {"who"}) | {"told"}  # "will anybody tell me what they decided?" asks whether I am told
    if "escalate" in found:
        found.discard("how")  # "might this end up worse?" asks whether it can step up, not how one ends up
    if _WHO_I_TELL.search(lowered):
        found = (found - {"told", "who"}) | {"contact"}  # "who do I tell?" asks who to get in touch with
    return found


def given_aspects(sentence: str) -> set[str]:
    lowered = sentence.lower()
    return {name for name, p in _GIVEN.items() if p.search(lowered)}


class Vocabulary:
    """The words that say what a message is about: in a topic's title or questions it covers, or
    a glossary term, and not too common across areas (GENERIC)."""

    def __init__(self, base: KnowledgeBase) -> None:
        words: set[str] = set()
        for t in base.topic_index():
            words |= content_words(f"{t['title']} {t.get('about') or ''}")
        names = {n for n in base.term_names() if len(n) > 1}
        for name in names:
            words |= content_words(name)
        self.words = frozenset(words)
        # a glossary term named in full ("cin", "section 47", "mash"): a topic of its own
        self._names = re.compile(r"(?<![a-z0-9])(" + "|".join(
            sorted((re.escape(n) for n in names), key=len, reverse=True)) + r")(?![a-z0-9])") if names else None

    def topic_words(self, text: str) -> set[str]:
        lowered = text.lower().replace("\u2019", "'")
        found = content_words(lowered) & self.words
        if self._names:
            found |= {m.group(1) for m in self._names.finditer(lowered)}
        return found


@lru_cache(maxsize=4)
def vocabulary(base: KnowledgeBase) -> Vocabulary:
    return Vocabulary(base)


def _without(text: str, ignore: Iterable[str]) -> str:
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    for word in sorted(ignore, key=len, reverse=True):
        lowered = re.sub(rf"\b{re.escape(word.lower())}\b", " ", lowered)
    return " ".join(lowered.split())


def names_a_topic(text: str, vocab: Vocabulary, ignore: Iterable[str] = ()) -> bool:
    """Whether the message has a word of its own that says what it is about. Words in `ignore` (the
    councils' names) are not counted."""
    return bool(vocab.topic_words(_without(text, ignore)))


def is_follow_up(text: str, vocab: Vocabulary, ignore: Iterable[str] = ()) -> bool:
    """A message that names no topic of its own and asks something about the one before ("how
    long does that take?", "who runs it?", "and for Hampshire?"). Words in `ignore` (a council's
    name) are not counted."""
    return not names_a_topic(text, vocab, ignore) and asks_about_the_last(text, ignore)


def continues(text: str) -> bool:
    """Whether a message carries on from the one before ("and by when does it have to be held?")."""
    return bool(_CONTINUES.search(" ".join(text.lower().split())))


# Words that stand for someone or something named before ("when will her first review be?", "who
# actually works there?", "how many of them are there?"); "there" only where it points at a place, not in
# "is there a ...?".
_REFERS_BACK = re.compile(r"\b(they|them|their|he|him|his|she|her|it|its|that|those|these|there|then)\b")
_THERE_IS = re.compile(r"\b(is|are|was|were|will|would|could|can|might|be) there\b|"
                       r"\bthere(?:'s| (is|are|was|were|will|would|could|might|must|should|be|been))\b")
REFERS_BACK_WORDS = 12


def refers_back(text: str) -> bool:
    """Whether a short message stands on the one before: it names someone or something only by a word
    that points back ("what tools do they use with her?", "who is in it?")."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    if len(_WORD.findall(lowered)) > REFERS_BACK_WORDS:
        return False
    return bool(_REFERS_BACK.search(_THERE_IS.sub(" ", lowered)))


# A thing named as one already known ("the council's assessment", "the first review", "that meeting"): with
# a conversation about a topic whose answer talks of it, it is that topic's.
_DEFINITE = r"\b(the|that|this|their|its|his|her|your|our|my|the council's|council's)( [a-z'-]+)? "


def names_as_known(text: str, vocab: Vocabulary, ignore: Iterable[str] = ()) -> bool:
    """Whether a short message names each thing it names as one already known: "what does the council's
    assessment check?" after private fostering is about its assessment, not assessments in general."""
    plain = _without(text, ignore)
    lowered = " ".join(plain.lower().replace("\u2019", "'").split())
    words = vocab.topic_words(plain)
    if not words or len(_WORD.findall(lowered)) > REFERS_BACK_WORDS:
        return False
    # (a stem less its last letter starts the word as written: "assess" -> "asses" in "assessment")
    return all(re.search(_DEFINITE + re.escape(w[:-1] if " " not in w and len(w) > 4 else w), lowered)
               for w in words)


def asks_about_the_last(text: str, ignore: Iterable[str] = ()) -> bool:
    """A short message that asks something or points back ("how long does that take?", "and for
    Hampshire?"); whether it names a topic of its own is names_a_topic's question."""
    lowered = _without(text, ignore)
    words = _WORD.findall(lowered)
    if not words or len(words) > 16:
        return False
    return bool(asked_aspects(lowered) or _CONTINUES.search(lowered) or _POINTS_BACK.search(lowered))


@dataclass(frozen=True)
class Fact:
    topic: Topic
    sentence: str
    score: float


def sentences(topic: Topic) -> list[str]:
    return [s.strip() for part in topic.prose for s in _SENTENCE.split(" ".join(part.split())) if s.strip()]


def fits_current(base: KnowledgeBase, council: str, topic_id: str, text: str, vocab: Vocabulary,
                 ignore: Iterable[str] = ()) -> bool:
    """Whether every topic word the message names is a word of the current topic's own answer ("how
    long does the Step Up one take?" after the routes into social work): then it may be a follow-up
    even though it names something."""
    words = vocab.topic_words(_without(text, ignore))
    if not words:
        return True
    own = " ".join([base.topic_title(topic_id, council) or ""] + [p for v in base.topic_versions(council, topic_id)
                                                          for p in v.prose]).lower()
    have = content_words(own)
    return all((w in have) if " " not in w else (w in own) for w in words)


def fact_names_it(base: KnowledgeBase, council: str, topic_id: str, text: str, vocab: Vocabulary,
                  ignore: Iterable[str] = ()) -> Optional[Fact]:
    """The fact of the current topic's process (best_fact) that names every topic word of the message and gives
    what it asks ("when should we be given our copy?" after an assessment was signed off: the assessment's copy,
    within 5 working days), else None: then the message may be a follow-up though it names something."""
    words = vocab.topic_words(_without(text, ignore))
    asked = asked_aspects(text) - {"what"}
    fact = best_fact(base, council, topic_id, text) if words and asked else None
    if fact is None or base.topic_area(fact.topic.id) != base.topic_area(topic_id) or \
            not asked & given_aspects(fact.sentence):
        return None
    lowered = f"{fact.topic.title} {fact.sentence}".lower()  # (the title says what the fact is about: "a copy")
    have = content_words(lowered)
    return fact if all((w in have) if " " not in w else (w in lowered) for w in words) else None


# Becoming a child protection case ("could it turn into child protection?", "pushed up to CP"), not "moved up to
# Bolton".
_BECOMES_CP = re.compile(r"\b((turn|turns|turned|turning|move|moves|moved|moving|push|pushed|go|goes|step|stepped) "
                         r"((it|this|that|them|us|ours|our case|the case|the plan) )?(up )?(in)?to (a )?"
                         r"(child protection|cp)|"
                         r"(become|becomes|becoming) (a )?(child protection|cp)|"
                         # ...or asked to be escalated ("could the worries get escalated?", "how do we step it up?")
                         r"(be|get|gets|got|getting|being) (escalated|stepped up)|"
                         r"(get|have|has) (it|this|that|the case|the plan|things) (escalated|stepped up)|"
                         r"escalate (it|this|that|the case|things|matters|the plan|our case|my concerns?)|"
                         r"step (it|this|that|the case|things|the plan) up)\b")
# A sentence that says how a case steps up, and how many after it say who asks and what follows.
_STEPS_UP = re.compile(r"\b(step|steps|stepped) up\b|\bescalat\w*")
STEP_UP_SENTENCES = 3


def escalation_fact(base: KnowledgeBase, council: str, topic_id: str, text: str) -> Optional[Fact]:
    """Asked whether the conversation's process can become child protection ("could it turn into child
    protection?" about a Child in Need plan): the fact of its area that says how it steps up, else None. Then
    the message is a follow-up though it names child protection."""
    if not _BECOMES_CP.search(_plain(text)):
        return None
    area = base.topic_area(topic_id)
    for tid in [topic_id] + [t for t in (base.topics_in_area(area) if area else []) if t != topic_id]:
        version = base.topic(council, tid)
        said = sentences(version) if version is not None else []
        for i, sentence in enumerate(said):
            if _STEPS_UP.search(sentence.lower()):
                return Fact(version, " ".join(said[i:i + 1 + STEP_UP_SENTENCES]), 1.0)
    return None


# A review of a meeting ("the first child protection review conference"), and a question that asks for one ("the
# next one", "after the first", "reviewed") or names a meeting or conference at all.
_REVIEW_KIND = re.compile(r"\breview (conference|meeting)s?\b")
_ASKS_REVIEW = re.compile(r"\b(review|reviews|reviewed|reviewing|after the first|later ones?|"
                          # ("is the plan checked again at some point?")
                          r"(looked|look|looks|checked|check) (at |over )?(it |them |the plan )?again|"
                          r"(next|another|second) (one|meeting|meetin|conference|review|time))\b")
_NAMES_A_MEETING = re.compile(r"\b(conference|meeting|meet)\b")
REVIEW_KIND_WEIGHT = 1.0
# What a time counts from: "within 10 working days of the first conference", "3 months from the first conference".
_COUNTS_FROM = re.compile(r"\b(?:days?|weeks?|months?|hours?) (?:of|from|after) (?:the |a |an |their |your )?"
                          r"([a-z' -]+?)(?=[.,;)]|$| at | which | when | where | that )")
ANCHOR_WEIGHT = 0.5
# A question for how long something goes on ("how long does it last?", "how long will they be
# involved?"), not how long a step takes: a sentence that says how long it lasts answers it best.
# When something already going on will be over ("when will it stop?"): how long it lasts, and a time asked for.
_WHEN_OVER = r"\bwhen (will|does|do|would|is) (it|this|that|the plan|they|we|all this)( [a-z]+)? " \
             r"(stop|end|finish|be over|come off)\b"
_ASKS_DURATION = re.compile(r"\bhow long\b.*\b(last|lasts|go on|goes on|be involved|be on|stay|stays|continue|"
                            r"continues|keep going|be open|run for|be around|(help|support|work with)( [a-z]+)? for|"
                            # ("how long are families on it?")
                            r"(are|is) (you|we|they|families|children|kids|people|most people|he|she) on "
                            r"(one|it|them|a plan|the plan|a cin plan)( for)?)\b|"
                            # ("is this for good?")
                            r"\b(long[- ]term|for good|forever|for ever|permanently)\b|"
                            + _WHEN_OVER)
# A question asking for more than one answer gives ("who else...?", "what other...?").
_MORE_ASKED = re.compile(r"\b(else|other|others|also|too|as well)\b")
# A timescale a sentence gives ("within 15 working days", "every 6 months").
_TIMESCALE = re.compile(r"\b\d+\s+(working\s+)?(days?|weeks?|months?)\b", re.I)
_GIVES_DURATION = re.compile(r"\b(lasts?|as long as|short[- ]term|long[- ]term|until|ends? when|"
                             r"(concluded|finished|completed|complete|done|finish|end)( \([a-z ]+\))? within|"
                             r"from (age )?\d+ to \d+|up to the age of \d+|until (they are|the age of) \d+)\b")
# A question for what a time counts from ("from what is the meeting counted?"): a sentence that says "within N
# days of" the step it counts from answers it best.
_ASKS_COUNTED_FROM = re.compile(rf"\b({_COUNTED_FROM}|from when)\b")
# A question for how often something happens: a sentence that says "every ..." answers it best.
_ASKS_FREQUENCY = re.compile(r"\bhow often\b|\bhow many times\b")
_GIVES_FREQUENCY = re.compile(r"\bevery\b|\b(each|a|per) (day|week|month|year)\b|\bregularly\b")
# Everyday words for what a sentence says otherwise ("on his own": "alone").
_SAME_AS = ((re.compile(r"\bon (his|her|their|my|your|its) own\b|\bby (him|her|them|my|your)sel(f|ves)\b"), "alone"),
            # hearing back is hearing what was decided ("how long until I hear back?")
            (re.compile(r"\bhear (back|anything|from (them|anyone|someone))\b|\bget an (answer|outcome)\b"),
             "hear the decision"),
            # seen without a parent there is seen alone ("do they have to see him without me?")
            (re.compile(r"\bwithout (me|us|(his|her|their|my|our|the) (parents?|mum|mom|dad|carers?|family))\b"),
             "alone"),
            # looked at again is reviewed ("how often do they check it again?")
            (re.compile(r"\b(check|checked|look at|looked at|go over|gone over|go through|went through|"
                        r"looks? at) (it|that|this|the plan|them)? ?again\b"), "review"),
            # what a child thinks is their views, wishes and feelings ("will they find out what he thinks?")
            (re.compile(r"\bwhat (he|she|they|the child|my child|my son|my daughter) (thinks?|wants?|feels?)\b|"
                        r"\b(his|her|their) (views|opinions?|thoughts)\b"), "views wishes and feelings"),
            # signing off a change is agreeing it ("who signs that off?")
            (re.compile(r"\bsigns? (it|that|this|them|those|these|the changes?)? ?off\b|\bsign[- ]off\b"),
             "agrees agreed by"),
            # the next meeting of a process is its review ("how long until the next one?" after a conference)
            (re.compile(r"\b(the )?next (one|meeting|conference)\b"), "the review"),
            # making up one's mind is deciding ("how quick will they make their mind up?")
            (re.compile(r"\bma(?:ke|kes|de|king) (up )?(their|his|her|your|my|our|a|the) minds? ?(up)?\b"), "decide"),
            # less of something is a smaller one ("has the worry come down now?")
            (re.compile(r"\b(gone|go|goes|went|come|came|got|gotten|dropped) down\b|\b(lower|lowered|reduced|"
                        r"decreased|lessened)\b"), "smaller"),
            # what can come out of a meeting is what it can decide ("what could come out of it?")
            (re.compile(r"\b(come|comes|came) out of (it|that|this|the meeting|the conference)\b"),
             "decide outcome"))


def _plain(question: str) -> str:
    lowered = question.lower().replace("\u2019", "'")
    for pattern, plain in _SAME_AS:
        lowered = pattern.sub(plain, lowered)
    return lowered


# A question that asks nothing but how something said before goes for one thing ("what about the baby?",
# "and for foster carers?").
_WHAT_ABOUT = re.compile(r"\W*((and|but|so|ok|okay|right) )?((what|how) about|and (the|for|with|what if))\b")


# Whether something means another thing ("would closing it show things are better?"), and a sentence that says
# what it means or does not.
_ASKS_MEANING = re.compile(r"\b(does|do|did|would|will|is|could|doesn'?t|don'?t|wouldn'?t|isn'?t|won'?t) "
                           r"(that|this|it|closing|closure|it closing)"
                           r"( [a-z]+)? (mean|show|indicate)\b")
_SAYS_MEANING = re.compile(r"\b(does not|doesn'?t|do not|don'?t|did not|will not|is not|not) "
                           r"(mean|show|indicate|prove)\b|"
                           r"\b(this|that|it|closing it|closure) (means|meant|shows|indicates)\b")


# Whether something starts at all, asked ("who says if it goes ahead at all?", "what must take place first, before
# they can begin?"), and a sentence that says what decides it ("They decide whether to start child protection
# enquiries", "Enquiries start at a strategy discussion"): the step before, not another decision of the process
# ("the team manager decides which plan").
_STARTING = r"(start\w*|begin\w*|go(es)? ahead|kick\w* off|get\w* going)"
_ASKS_START = re.compile("|".join([
    rf"\b(decid\w*|decision|determin\w*|says?|choos\w*)\b[^?.]{{0,40}}\b(whether|if)\b[^?.]{{0,40}}\b{_STARTING}\b",
    rf"\b(decid\w*|determin\w*)( whether| if)? (it|they|one|this|that|the \w+|an? \w+) (will |can |should |must )?"
    rf"{_STARTING}\b",
    rf"\b(before|until) (they|it|one|that|this|the \w+|an? \w+|any \w+)( \w+)? (can |could |will |do |does )?"
    rf"{_STARTING}\b",
    r"\bwhat (starts|triggers|sets off) (it|them|one)\b"]))
_SAYS_START = re.compile(r"\b(decide\w*|decision)\b[^.]{0,60}\b(whether|if)\b[^.]{0,60}\b(start|begin)|"
                         r"\b(whether|if) to (start|begin)\b|\b(start|begin)s? (at|after|with) an? [a-z]+")

# What came of something, said to be nothing ("no evidence turned up", "there's no role for
# social care", "the worries weren't confirmed"), and sentences that say what happens then and what happens
# when something was found: after "it found nothing, what now?", the first answers and the second does not.
_FOUND_NOTHING = re.compile(
    r"\b(didn'?t|did not|don'?t|does not|doesn'?t|haven'?t|have not|hasn'?t|has not|wasn'?t|was not|weren'?t|"
    r"were not|couldn'?t|could not|can'?t|cannot) (find|show|confirm|substantiate|prove|back up)\w*|"
    r"\bno (role|evidence|significant harm|further action|grounds)\b|\bnot (confirmed|substantiated|proven|found)\b|"
    r"\b(came|come|comes|coming) back (clear|fine|negative|with nothing)\b|\bnothing (was |were )?found\b|"
    r"\bunfounded\b|\bunsubstantiated\b")
_IF_NOTHING = re.compile(r"\bif (the [a-z]+ (are|is|were|was) not (substantiated|confirmed)|there is no|not)\b")
_IF_FOUND = re.compile(r"\bif the [a-z]+ (are|is|were|was) (substantiated|confirmed)\b")


def asks_if_it_means(question: str) -> bool:
    """Whether the question asks if one thing means another ("would that show things are better?"), not what
    something means ("what does it mean?")."""
    return any(not re.search(r"\bwhat\W*$", m.string[:m.start()]) for m in _ASKS_MEANING.finditer(_plain(question)))


def meaning_fact(base: KnowledgeBase, council: str, topic_id: str, question: str) -> Optional[Fact]:
    """Asked whether something means another thing ("doesn't closing it mean we're fine?"): the topic's
    sentence that says what it means or does not, or None."""
    if not asks_if_it_means(question):
        return None
    fact = best_fact(base, council, topic_id, question)
    # (of what the question names: whether it means they think badly of a parent is not about closing a plan)
    return fact if fact is not None and _SAYS_MEANING.search(fact.sentence.lower()) and \
        shares_words(question, fact) else None


def found_nothing(text: str) -> bool:
    """Whether the message says something came to nothing ("the checks did not confirm the worries")."""
    return bool(_FOUND_NOTHING.search(text.lower()))


def says_if_nothing(sentence: str) -> bool:
    """Whether the sentence says what happens when nothing was found ("If there is no role, ...")."""
    return bool(_IF_NOTHING.search(sentence.lower()))


# A section of an Act named by its number ("section 17", "s47").
_SECTION = re.compile(r"\b(?:section|s\.?) ?(\d+)\b")


def _another_section(asked: set[str], sentence: str) -> bool:
    """Whether the sentence names only other sections of an Act than the question (`asked`) does."""
    named = set(_SECTION.findall(sentence.lower()))
    return bool(asked and named and not asked & named)


def names_section(question: str) -> bool:
    """Whether the question names a section of an Act by its number."""
    return bool(_SECTION.search(_plain(question)))


def section_topic(base: KnowledgeBase, council: str, question: str, chosen: str, candidates: Iterable[str],
                  general: Iterable[str] = ()) -> str:
    """A question naming a section of an Act ("what's section 17 all about?") taken for a topic whose answer
    names only other sections (Section 47 enquiries), or for one of the `general` topics (a fear, not a
    process: "there's a section 47 on my son, will they take him?"): the first of the `candidates` (the
    classifiers' and the search's other guesses) whose answer names the section asked; else the `chosen`
    topic."""
    asked = set(_SECTION.findall(_plain(question)))
    if not asked:
        return chosen

    def says(topic_id: str) -> str:
        topic = base.topic(council, topic_id)
        return " ".join([topic.title, *topic.prose]) if topic is not None else ""

    if chosen not in general and not _another_section(asked, says(chosen)):
        return chosen
    return next((t for t in candidates if asked & set(_SECTION.findall(says(t).lower()))), chosen)


# Who is speaking, in the message before ("I'm a teacher and I'm in the core group"): not what "it" is.
_SPEAKER = re.compile(r"\b(i'm|im|i am|as|we're|we are|i work as) (a|an) ([a-z]+ ){0,2}?(teacher|nurse|gp|doctor|"
                      r"health visitor|childminder|police officer|youth worker|teaching assistant|head ?teacher|dsl|"
                      r"practitioner|professional|senco|midwife)s?\b")


def best_fact(base: KnowledgeBase, council: str, topic_id: str, question: str, context: str = "",
              only: bool = False) -> Optional[Fact]:
    """The sentence that answers the question's aspect, from the current topic first, then the other
    topics of its area that the question or the topic's title links to (with `only`, from that topic alone);
    None when no sentence gives what was asked. `context` is the person's message before (what "they" and
    "it" are: "the safeguarding team" before "who else do they work with?"): a sentence about what it names,
    beyond the topic's own subject, answers better."""
    plain = _plain(question)
    asked = asked_aspects(plain) - {"what"} or asked_aspects(plain)
    if "miss" in asked:
        asked -= {"contact"}  # "what if they can't get me on the phone?" asks what happens then
    if "after" in asked:
        asked -= {"next", "end"}  # "what support is there after that?" asks what carries on, not when it ends
    words = content_words(_without(plain, base.council_names()))  # "In Bolton, ..." is not about Bolton
    ctx = content_words(_without(_SPEAKER.sub(" ", _plain(context)), base.council_names())) - words \
        if context else set()
    sections = set(_SECTION.findall(plain))
    about_one_thing = not asked and bool(_WHAT_ABOUT.match(plain))
    # what a question for a name names, everyday words too ("what's the plan called?": the plan)
    naming_asked = _all_stems(_without(plain, base.council_names())) - _NAMING_STEMS if "name" in asked else set()
    asks_meaning = bool(_ASKS_MEANING.search(plain))
    duration = bool(_ASKS_DURATION.search(question.lower()))
    frequency = bool(_ASKS_FREQUENCY.search(question.lower()))
    counted_from = bool(_ASKS_COUNTED_FROM.search(question.lower()))
    start_asked = bool(_ASKS_START.search(question.lower()))
    # (in the question itself, or the message before it: "the enquiry found nothing" then "so what now?")
    nothing_found = found_nothing(question) or found_nothing(context)
    area = base.topic_area(topic_id)
    related = [topic_id] + [t for t in (base.topics_in_area(area) if area and not only else []) if t != topic_id]
    current = base.topic(council, topic_id)
    about = content_words(" ".join([base.topic_title(topic_id, council) or "", *(current.prose if current else ())]))
    titles = {t: content_words(base.topic_title(t, council) or "") for t in related}
    shared = {w for t in titles for w in titles[t] if sum(w in other for other in titles.values()) > len(titles) / 2}
    # the current topic's own subject ("family hubs" after "what's a family hub?"): a sentence about
    # it answers "how many are there?" better than one about something it mentions
    subject = titles.get(topic_id, set())
    # its words that at most one other title of the area has ("section", "enquiries"; not "protection")
    distinctive = {w for w in subject if sum(w in titles[t] for t in related if t != topic_id) <= 1}
    ctx -= subject  # a sentence about the topic's own subject already counts as its own
    acts = _roles(question)
    which_team = bool(_ASKS_WHICH_TEAM.search(plain))
    named = _naming_words(plain) & NAMING
    # whether the question asks for a review (True), names a meeting without saying which (False), or neither (None)
    # (when it asks a time, "when is the conference?", not how often: "how often is it reviewed?")
    review_asked = None if "time" not in asked or frequency else True if _ASKS_REVIEW.search(plain.lower()) else \
        False if _NAMES_A_MEETING.search(plain.lower()) else None
    best: Optional[Fact] = None
    for tid in related:
        versions = base.topic_versions(council, tid)
        # the council's own timescale for the topic, when it gives one, over the national one ("within 15 days" in
        # Hampshire, not the 45 working days that are the longest anywhere in England)
        own_figure = any(v.council == council and _TIMESCALE.search(" ".join(v.prose)) for v in versions)
        # and what the council's own item gives of what was asked ("who?": "A qualified social worker leads it" in
        # Coventry): the national item beside it answers only what the council's does not
        # (not when more is asked: "who else is involved?")
        own_gives = set() if _MORE_ASKED.search(plain) else \
            {a for v in versions if v.council == council for x in sentences(v) for a in given_aspects(x)} & asked
        for version in versions:
            # another topic of the area only when something links it: a word of the question, or its
            # title named by the current topic ("how long?" after young carers is not about hospital
            # stays; after "will I be told about a referral to the MASH" it is about the MASH)
            linked = tid == topic_id or base.is_process_area(area) or \
                bool(about & (titles[tid] - shared))  # not a word most titles have
            said = sentences(version)
            for i, sentence in enumerate(said):
                if sentence.endswith("?"):
                    continue  # a question the text asks its reader answers nothing
                if version.council != council and (own_figure and _TIMESCALE.search(sentence) or
                                                   own_gives and asked & given_aspects(sentence) <= own_gives):
                    continue
                if _another_section(sections, sentence):
                    continue  # "Section 47 enquiries must be finished within..." does not answer about section 17
                given = given_aspects(sentence)
                gives_duration = duration and bool(_GIVES_DURATION.search(sentence.lower()))
                if gives_duration:
                    given |= {"time"}  # "from age 16 to 23" says how long they help
                match = len(asked & given)
                says_start = start_asked and bool(_SAYS_START.search(sentence.lower()))
                if_nothing = nothing_found and says_if_nothing(sentence)
                says_meaning = asks_meaning and bool(_SAYS_MEANING.search(sentence.lower()))
                match += if_nothing  # it says what happens then, whatever else was asked
                # (and what it means, asked whether it means something: "doesn't closing it mean we're fine?")
                match += says_meaning
                if start_asked and "decide" in asked & given and not says_start:
                    match -= 1  # another decision than whether it starts ("the team manager decides which plan")
                if "name" in asked & given and not (naming_asked | ctx | subject) & _all_stems(sentence):
                    match -= 1  # a name given of something neither the question nor the message before names
                # a sentence that points back ("Then the child is supported under a plan") is about
                # what it points to ("Is social care already working with the family?") too
                # ...and "It is held within 15 working days", with nothing before it that names what "it" is, is
                # about the topic's own subject (the initial child protection conference)
                pointing = bool(_PRONOUN_START.search(sentence))
                read = _with_antecedent(said, i) if pointing else sentence
                # what a time counts from ("within 10 working days of the first conference") is not what the
                # sentence is about: its words count half
                anchor = content_words(" ".join(m.group(1) for m in _COUNTS_FROM.finditer(read.lower())))
                said_words = content_words(_COUNTS_FROM.sub(" ", read.lower()))
                if pointing and tid != topic_id and not words & content_words(read):
                    # (another topic's, when nothing before it names what the question names; the current topic's
                    # own subject counts below)
                    said_words |= titles[tid]
                overlap = len(words & said_words) + ANCHOR_WEIGHT * len((words & anchor) - said_words)
                # (a sentence that gives nothing asked needs two of its words; one, when only this topic is searched:
                # a topic both classifiers chose, or when the question asks nothing but how the conversation's topic
                # goes for one thing: "what about the baby?" after statutory visits)
                bar = 1 if only or (about_one_thing and tid == topic_id) else 2
                if (not match and not says_start and not if_nothing and overlap < bar) or not (linked or overlap):
                    continue
                overlap += min(2, len(ctx & content_words(_with_antecedent(said, i))))
                # the everyday words that name a thing ("the notes and the plan"), worth half a word each
                overlap += NAMED_WEIGHT * len(named & _naming_words(sentence))
                strong = sum(1 for a in asked & given if a in STRONG and STRONG[a].search(sentence.lower()))
                if "who" in asked and acts & _roles(sentence) and _NAMES_DOER.search(sentence.lower()):
                    strong += 1
                team = _NAMED_TEAM.search(sentence) if which_team else None
                if team:
                    # the one thing asked, as a figure is for "how long?"; but not the team the person is
                    # already with ("which teams could take it over?" after the Referral and Assessment team)
                    strong += -2 if content_words(team.group(0)) <= words | ctx | subject else 2
                if "count" in asked and _counts_subject(sentence, subject):
                    strong += 1  # "8 Family Hubs" answers "how many are there?" after family hubs
                if gives_duration:
                    strong += 2  # "It lasts as long as it is needed" over "the first meeting is within 10 days"
                if says_meaning:
                    strong += 1  # "would that show it is better?": a sentence saying what it does not mean
                if if_nothing:
                    strong += 3  # "it found nothing, what now?": "If the worries are not confirmed, ..."
                elif nothing_found and _IF_FOUND.search(sentence.lower()):
                    strong -= 2  # ...not "If the worries are confirmed, a conference is held"
                if says_start:
                    strong += 2  # "who decides whether it starts?": what decides that, the step before
                if counted_from and _COUNTS_FROM.search(sentence.lower()):
                    strong += 2  # "when does its clock start?": "within N days of" the step before
                if frequency and _GIVES_FREQUENCY.search(sentence.lower()):
                    strong += 2  # "reviewed at least every 6 months" over "the first review is within 3 months"
                made_whole = read if pointing else _with_antecedent(said, i)  # (the same text when it points back)
                named_by_title = (words & titles[tid]) - content_words(made_whole)
                if pointing and i > 0 and named_by_title and named_by_title <= content_words(said[0]):
                    # "It is held within 15 working days", asked of "the conference", after sentences that never
                    # name it: with the opening that does ("An initial child protection conference is a
                    # meeting."), not with "The child may come too"
                    made_whole = f"{said[0]} {sentence}"
                whole = _with_following(said, i, asked, made_whole)
                if len(whole.split()) < SHORT_FACT and i + 1 < len(said) and said[i + 1] not in whole:
                    whole += " " + said[i + 1]  # "It is your choice." says little alone: with what it means
                # about the current topic's own subject, with the sentence it points back to ("If the
                # enquiries confirm the worries, a conference is held. It is held within 15 working days"
                # after Section 47 enquiries), not a word of that topic's own title ("child protection
                # plan" is not about Section 47 enquiries for sharing the word "protection")
                mine = subject if tid == topic_id else distinctive - titles[tid]
                own = 1.0 if mine & content_words(whole) else 0.0
                # "the conference", "the meeting" with no word for which: the first one, not a review of it
                # ...and "the next one" after it is a review, not the meeting itself
                review = bool(_REVIEW_KIND.search(whole.lower()))
                other_kind = REVIEW_KIND_WEIGHT if (review_asked is False and review) else \
                    -REVIEW_KIND_WEIGHT if (review_asked and review) else 0.0
                score = 3 * match + overlap + strong + own + ROLE_WEIGHT * len(acts & _roles(sentence)) + \
                    (1.0 if tid == topic_id else 0.0) + (0.3 if version.council == council else 0.0) - 0.05 * i - \
                    other_kind
                if best is None or score > best.score:
                    best = Fact(version, whole, score)
    if acts:
        # "who chairs child protection conferences in Bolton?": the council's own sentence that says who
        # does that to this topic's subject, wherever it is ("Independent Reviewing Officers chair child
        # protection conferences" is with Bolton's children in care). The subject is the topic's title
        # with the words the answer's opening puts before it ("Review conferences": "The first child
        # protection review conference is held within 3 months"), so "who chairs it?" after a review
        # conference finds who chairs child protection conferences.
        needed = min(2, len(subject))  # words of the subject a sentence must share, as many as the title has
        opening = sentences(current)[:1] if subject and current is not None else []
        if opening:
            subject = subject | _words_before_title(opening[0], base.topic_title(topic_id, council) or "")
        for version in base.own_topics(council):
            if version.id in related:
                continue
            said = sentences(version)
            for i, sentence in enumerate(said):
                done = acts & _roles(sentence)
                # "They review child protection plans too.": who "they" are is in the sentences before
                whole = _with_antecedent(said, i)
                if not done or len(subject & content_words(sentence)) < needed or not subject or \
                        not asked & given_aspects(whole):
                    continue
                if start_asked and "decide" in asked and not _SAYS_START.search(whole.lower()):
                    continue  # another decision than whether it starts ("this is decided when they are referred")
                score = 3 * len(asked & given_aspects(whole)) + ROLE_WEIGHT * len(done) + 1.0 + 0.3 - 0.05 * i
                if best is None or score > best.score:
                    best = Fact(version, whole, score)
    return best


def _words_before_title(sentence: str, title: str) -> set[str]:
    """The content words of up to two words just before the title's first word in a sentence ("child
    protection" before "review conference"): the fuller name the answer gives its subject."""
    title_words = _WORD.findall(title.lower())
    said = _WORD.findall(sentence.lower())
    if not title_words or title_words[0] not in said:
        return set()
    i = said.index(title_words[0])
    return content_words(" ".join(said[max(0, i - 2):i]))


# What someone does in a process ("who chairs it?", "who decides?"): too common across topics to
# say what a message is about (GENERIC), but a sentence with the same doing answers "who" best.
ROLE_VERBS = frozenset(_stem(w) for w in """chair chairs chaired lead leads run runs decide decides review
    reviews visit visits attend attends screen screens check checks assess assesses approve approves
    sign signs write writes fill fills work works agree agrees agreed""".split())
ROLE_WEIGHT = 1.5


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower())}


# The same doing in any form: "decide", "decides", "decided" and "a decision"; "lead" and "led".
_ROLE_ALIASES = {"decisi": "decid", "led": "lead", "runs": "run", "runn": "run"}
_ROLE_ROOTS = frozenset({s.rstrip("e") for s in ROLE_VERBS} | set(_ROLE_ALIASES.values()))
# Running a meeting or a group is chairing or leading it ("who runs it?" and "The social worker leads it").
_ROLE_ALSO = {"run": {"lead", "chair"}}


_IN_CHARGE = re.compile(r"\b(in charge|the head of|heads? (it|them|the meeting|the conference))\b")
_MAKES_THE_CALL = re.compile(r"\b(make|makes|making|made) (the|that|this) (call|decision|choice)\b|"
                             r"\bhas the final say\b")


def _roles(text: str) -> set[str]:
    """What the text says someone does in a process (ROLE_VERBS), each as one root."""
    found = {r for r in (_ROLE_ALIASES.get(s, s.rstrip("e")) for s in _stems(text)) if r in _ROLE_ROOTS}
    if _IN_CHARGE.search(text.lower()):
        found.add("run")  # "who is in charge at the conference?" asks who runs it
    if _MAKES_THE_CALL.search(text.lower()):
        found.add("decid")  # "who gets to make the decision?" asks who decides
    return found.union(*(_ROLE_ALSO.get(r, set()) for r in found))


# A sentence that says in so many words who does something ("must be agreed by the allocated practitioner").
_DONE_BY = re.compile(r"\b(agreed|decided|chaired|led|run|reviewed|checked|approved|signed|assessed|screened|"
                      r"visited|written|attended) by\b")


# Words between a doer and its doing ("a social worker still leads them")
_ADVERBS = re.compile(r"\b(still|also|usually|always|normally|will|must|should|may|can|then)\s+")


def role_fact(base: KnowledgeBase, council: str, topic_id: str, question: str) -> Optional[Fact]:
    """Asked who does something in a topic ("who chairs child protection conferences in Bolton?") that
    the topic's own answer does not say: the sentence that says it, else None."""
    acts = _roles(question)
    if not acts or "who" not in asked_aspects(question):
        return None
    own = " ".join(p for v in base.topic_versions(council, topic_id) for p in v.prose)
    fact = best_fact(base, council, topic_id, question)
    if fact is None or fact.sentence.rstrip().endswith("?") or not acts & _roles(fact.sentence):
        return None  # (a question the text asks its reader says no one)
    # (a sentence naming the doer as its subject, when the topic's own answer names none: "A social worker still
    # leads the enquiries" already says who leads them)
    says_who = _DONE_BY.search(fact.sentence.lower()) or (_NAMES_DOER.search(fact.sentence.lower()) and
                                                          not _NAMES_DOER.search(_ADVERBS.sub("", own.lower())))
    if acts & _roles(own) and not (says_who and fact.sentence not in own):
        # the topic's answer already speaks of that doing; only a sentence elsewhere that says in so many
        # words who does it ("must be agreed by the allocated social care practitioner", "the team manager
        # decides which plan") says more
        return None
    return fact


# Everyday words (GENERIC) that still say which thing of a topic's area is meant: "when is the first
# meeting?" after a plan's ending is about the first meeting, not how long a plan lasts.
NAMING = frozenset(_stem(w) for w in "meeting meetings first next last plan plans letter notes team teams".split())


def _naming_words(text: str) -> set[str]:
    return content_words(text) | ({_stem(w) for w in _WORD.findall(text.lower().replace("\u2019", "'"))} & NAMING)


def gives_more(question: str, one: Fact, other: Fact) -> bool:
    """Whether `one` gives more of what the question asks (its aspects) than `other` does."""
    asked = asked_aspects(_plain(question)) - {"what"}
    return len(asked & given_aspects(one.sentence)) > len(asked & given_aspects(other.sentence))


def titled_topics(base: KnowledgeBase, text: str, least: int = 2) -> list[str]:
    """The topics whose title's words (at least `least` of them, NAMING words counted) are all in the text."""
    said = _naming_words(_plain(text))
    found = []
    for t in base.topic_index():
        title = _naming_words(t["title"])
        if len(title) >= least and title <= said:
            found.append(t["id"])
    return found


# A word this many topic titles have says no one of them ("care").
COMMON_TITLE_WORD = 3


def last_named_topic(base: KnowledgeBase, text: str, vocab: Vocabulary, ignore: Iterable[str] = ()) -> Optional[str]:
    """A message that tells of several things, then asks about one by a word that points back ("A child protection
    plan was agreed, then a core group set up. Who sits in that one?"): the topic named last before the
    question, when the sentences before it name at least two by their titles and the question names none.
    None otherwise."""
    said = [s for s in _SENTENCE.split(" ".join(text.split())) if s]
    if len(said) < 2:
        return None
    question, before = said[-1], " ".join(said[:-1])
    if not question.endswith("?") or not refers_back(question) or names_a_topic(question, vocab, ignore=ignore):
        return None
    titles = {t["id"]: _naming_words(t["title"]) for t in base.topic_index()}

    def common(word: str) -> bool:
        return sum(word in words for words in titles.values()) >= COMMON_TITLE_WORD

    # (a title of one word many titles have names nothing: "Going home from care" is not named by "social care")
    named = [t for t in titled_topics(base, before, least=1) if len(titles[t]) > 1 or
             not any(common(w) for w in titles[t])]
    if len(named) < 2:
        return None
    lowered = _plain(before)

    def last_place(topic_id: str) -> tuple[int, int]:
        # where the title is last said (its last word: "core group" after "child protection plan"), then how many
        # of its words ("child protection plan" over "plan")
        words = titles[topic_id]
        places = [max((m.start() for m in re.finditer(rf"\b{re.escape(w[:-1] if len(w) > 4 else w)}", lowered)),
                      default=-1) for w in words]
        return max(places, default=-1), len(words)
    first, second = sorted(((last_place(t), t) for t in named), reverse=True)[:2]
    # (two titles said at the same place with as many words tell nothing: "the MASH")
    return first[1] if first[0] != second[0] else None


def shared_words(question: str, fact: Fact) -> int:
    """How many words of the question's own the fact's sentence has (as shares_words counts them): "when does
    his first review need to happen?" shares two with "The first review is held within 20 working days."
    and one with "Every plan ... must be reviewed at least every 6 months"."""
    return len(_naming_words(_plain(question)) & _naming_words(fact.sentence))


def shares_words(question: str, fact: Fact) -> bool:
    """Whether the fact's sentence has a word of the question's own (after everyday words are read
    as the service's: "the next one" is "the review"), counting the everyday words that name a thing
    (NAMING)."""
    return bool(_naming_words(_plain(question)) & _naming_words(fact.sentence))


def says_what_was_asked(question: str, fact: Fact) -> bool:
    """Whether a fact from another topic is about what the question names, in its own words or its
    doing ("how long until they decide?" and "The MASH decides within one working day"), so that it
    answers the question rather than being only the nearest figure there is."""
    question = _plain(question)
    if content_words(question) & content_words(fact.sentence):
        return True
    return bool(_roles(question) & _roles(fact.sentence))


def gives_the_aspect_asked(question: str, fact: Fact) -> bool:
    """Whether a fact gives the specific thing the question asks of its topic (where, when, who, what
    age, how many): "where do I send it?" and "The address is Customer Service Centre, Broadgate House."
    Weaker than says_what_was_asked: for a fact of the conversation's own topic only."""
    return bool(asked_aspects(question) & _SPECIFIC & given_aspects(fact.sentence))


_COUNTED = re.compile(rf"\b{_NUMBER} ((?:[a-z'-]+ ){{0,2}}[a-z'-]+)")
# (or by a time that follows the one before: "After that, plans are reviewed at least every 6 months."; or by a
# time named before: "The 3 months start from the first child protection conference.")
# (after a linking word too: "Together they decide...", "So it is...")
_PRONOUN_START = re.compile(r"^(in \w+, )?((together|so|and|but|also),? )?"
                            r"(it|its|they|their|this|these|that|those|he|she|then|after (that|this)|"
                            r"afterwards|the \d+ (working )?(days|weeks|months))\b", re.IGNORECASE)


def _counts_subject(sentence: str, subject: set[str]) -> bool:
    return any(content_words(m.group(2)) & subject for m in _COUNTED.finditer(sentence.lower()))


# A sentence that announces what follows ("The conference can decide one of two things.", "It covers:",
# "a decision is made about next steps.") is not an answer on its own: the sentences it announces go with it.
_ANNOUNCES = re.compile(r"(:|\b(one of )?(two|three|four|2|3|4) (things|ways|options|outcomes|kinds|types|steps)\.|"
                        r"\bdecision is made about (the )?next steps\.)$",
                        re.IGNORECASE)


# A sentence that says what the one before it named or is ("It is called...", "This is for...", "These include...").
_CALLED = re.compile(r"^(it|this|they|these) (is|are) (called|known as)\b", re.IGNORECASE)
_NAMES_IT = re.compile(r"^(it|this|they|these) ((is|are) (called|known as|for|where|when|a|an|the)|includes?|"
                       r"(may|can|could|will) be (a|an|the)\b)\b",
                       re.IGNORECASE)


# Aspects whose answer may run over several sentences of the same subject ("They help keep the child safe.
# They make sure the child's views are heard."; "The plan says what is working well. It says what help is needed.").
LISTED = frozenset({"why", "contents"})
_THE_THING = re.compile(r"^(?:the|this|that) ([a-z]+)\b", re.IGNORECASE)  # "The plan says...": what it is about
MORE_SENTENCES = 2
NAMED_WEIGHT = 0.5
# A fact shorter than this many words ("It is your choice.") comes with the sentence after it.
SHORT_FACT = 7


def _with_following(said: list[str], i: int, asked: set[str], whole: str) -> str:
    """`whole` (sentence i, made whole), with up to MORE_SENTENCES sentences after it that carry on about
    the same subject ("They...", "It also...") giving the same aspect asked, when that aspect is LISTED."""
    wanted = asked & LISTED
    if not wanted or not wanted & given_aspects(said[i]):
        return whole
    more = []
    subject = _naming_words(said[i])
    for sentence in said[i + 1:i + 1 + MORE_SENTENCES]:
        named = _THE_THING.match(sentence)
        same = _PRONOUN_START.search(sentence) or (named and _naming_words(named.group(1)) & subject)
        if sentence in whole or not same or not wanted & given_aspects(sentence):
            break
        more.append(sentence)
    return " ".join([whole, *more])


# How far back a sentence that points back may go for what it points to ("This means they run the meeting."
# after three more sentences about "they": back to "An IRO (Independent Reviewing Officer)...").
ANTECEDENT_BACK = 5


def _with_antecedent(said: list[str], i: int) -> str:
    """Sentence i of a topic's answer; when it starts by pointing back ("It lets graduates..."), with
    the sentences before it (up to ANTECEDENT_BACK), so that it makes sense on its own."""
    start = i
    while start > 0 and i - start < ANTECEDENT_BACK and _PRONOUN_START.search(said[start]) and \
            not _CALLED.search(said[start]):
        start -= 1  # "They check plans too. They also chair conferences.": back to who "they" are
        # (not past "These are called statutory visits.", which says what it is about itself)
    end = i + 1
    if _ANNOUNCES.search(said[i]):
        end = min(len(said), i + 5)  # each thing announced may take a sentence and its reason
    elif end < len(said) and _NAMES_IT.search(said[end]):
        end += 1  # "In Bolton, all referrals go to one team first. It is called the MASSS (...)."
    return " ".join(said[start:end])


# A question for a figure (how long, how many, what age) in so many words: when the topic's answer
# gives no such figure, the reply says it does not have that detail before what it does know.
_ASKS_A_FIGURE = {
    "time": re.compile(r"\b(how long|how many (working )?(days|weeks|months|hours|years)|how soon|how quick(ly)?|"
                       r"how fast|by when|time limit|deadline|within how)\b|" + _WHEN_OVER),
    "age": re.compile(r"\b(what age|how old|age limit|too old|too young)\b"),
    "count": re.compile(r"\bhow many\b"),
}


def figures_asked(question: str) -> set[str]:
    """The figures (time, age, count) a question asks for in so many words."""
    lowered = " ".join(question.lower().replace("\u2019", "'").split())
    return {name for name, p in _ASKS_A_FIGURE.items() if p.search(lowered)}


def gives_figures(question: str, sentence: str) -> bool:
    """Whether a sentence gives, in so many words, every figure (time, age, count) the question asks for."""
    lowered = sentence.lower()
    return all((STRONG[f] if f in STRONG else _GIVEN[f]).search(lowered) for f in figures_asked(question))


def lacks_asked_figure(base: KnowledgeBase, council: str, topic_id: str, question: str) -> bool:
    """Whether the question asks for a figure (a time, an age, a number) that no sentence of the
    topic's answer, the council's or the national one, gives."""
    lowered = " ".join(question.lower().replace("\u2019", "'").split())
    wanted = figures_asked(lowered)
    if not wanted:
        return False
    versions = base.topic_versions(council, topic_id)
    if not versions or gives_duration(base, council, topic_id, question):
        return False  # ("when will it stop?" of a plan that "lasts for as long as is necessary")
    said = [s for v in versions for s in sentences(v)]
    counted = _HOW_MANY.search(lowered)
    if "count" in wanted and counted and counted.group(1) not in _UNITS and not any(
            _stem(counted.group(1)) in _stems(m.group(2)) for s in said for m in _COUNTED.finditer(s.lower())):
        return True  # "how many children are in care?": no sentence counts children ("6 months" is not it)
    # a figure in so many words ("within 15 working days", not "straight away")
    given = {a for a in wanted for s in said if (STRONG[a] if a in STRONG else _GIVEN[a]).search(s.lower())}
    return not given


# What "how many" counts: the first plural within three words ("how many family hubs", "how many children").
_HOW_MANY = re.compile(r"\bhow many (?:(?![a-z'-]+(?:s|ren)\b)[a-z'-]+ ){0,2}([a-z'-]+(?:s|ren))\b")
_UNITS = frozenset({"days", "weeks", "months", "hours", "years"})


# What a question asks that one sentence of the council's own documents can answer: who does it, when
# or how long, what age, how many, where, what can come of it.
_SPECIFIC = {"time", "age", "count", "who", "where", "decide"}
# Things too common across topics to say what a message is about (GENERIC), but that say which of a
# council's sentences answers a specific question ("who decides the plan?": "the team manager decides
# what plan is best").
_THINGS = frozenset(_stem(w) for w in ("plan", "plans", "meeting", "meetings", "team", "teams"))


def own_fact(base: KnowledgeBase, council: str, topic_id: str, question: str) -> Optional[Fact]:
    """A council's own fact wins over a general one (CONTENT_GUIDE): asked something specific about a
    topic the council has no item of its own for (its answer would be the national one, or "I don't
    have information"), the sentence of the council's own items that answers it ("who decides between
    a CIN plan and a CP plan?" in Bolton: "the team manager decides"), else None. Over a national
    answer, only for who does something; over none, for any specific question. The sentence must
    share a word of the question's own, do what was asked (decide, chair...) when the question names
    a doing, and give the figure when it asks for one."""
    version = base.topic(council, topic_id)
    if version is not None and version.council == council:
        return None
    plain = _plain(question)
    asked = asked_aspects(plain) & _SPECIFIC
    # a doing asked about only with who does it ("review" in "how long until the review conference?" is not)
    acts = _roles(question) if "who" in asked else set()
    if not asked:
        return None
    names = base.council_names()
    words = content_words(_without(plain, names)) | (_stems(plain) & _THINGS)
    if not words:
        return None
    figures = figures_asked(plain)
    if version is not None and not acts:
        return None  # the general answer says what was asked ("how long until the review conference?")
    area = base.topic_area(topic_id)
    same_area = set(base.topics_in_area(area)) if area else set()
    using, items = _items_using(base, council), _council_items(base, council)
    # the name of a thing topics are about, in the question, with a word few of the council's items use ("leaving
    # care"; not "looks at referrals"): a sentence must name it too ("leaving hospital" does not)
    rare_pairs = {p for p in _stem_pairs(plain) & _named_pairs(base)
                  if any(len(w) > 3 and using.get(w, 0) <= ELSEWHERE_RARE for w in p)}
    best: Optional[Fact] = None
    for item in base.own_topics(council):
        said = sentences(item)
        for i, sentence in enumerate(said):
            lowered_sentence = sentence.lower()
            done = acts & _roles(sentence)
            # the things a doing is done to count only with that doing ("the team manager decides what
            # plan is best"), not for a figure ("plans are checked every 6 months" is not how long one lasts)
            # (a sentence that points back and shares no word with the question, "It is a team of social
            # workers and police.", is about what it points to: the MASSS of the sentences before)
            about = _with_antecedent(said, i) if _PRONOUN_START.search(sentence) and \
                not words & content_words(sentence) else sentence
            overlap = len((words if done else words - _THINGS) &
                          (content_words(about) | (_stems(lowered_sentence) & _THINGS)))
            given = given_aspects(sentence)
            if not overlap or (acts and not done) or \
                    any(not (f in STRONG and STRONG[f].search(lowered_sentence)) for f in figures):
                continue
            match = asked & given
            if not done and (not match or (figures and overlap < min(2, len(words)))):
                continue  # a figure of something else the question only shares a word with
            if not done and all(using.get(w, 0) > len(items) * COMMON_SHARE
                                for w in words & content_words(about)):
                continue  # only a word most of the council's items use ("care" of "complain about social care")
            if rare_pairs and not rare_pairs & _stem_pairs(about):
                continue  # not the thing asked about ("leaving care" of "which team supports care leavers?")
            strong = sum(1 for a in match if a in STRONG and STRONG[a].search(lowered_sentence))
            score = 2 * overlap + 3 * len(match) + strong + ROLE_WEIGHT * len(done) + \
                (1.0 if item.id in same_area else 0.0) - 0.05 * i
            if best is None or score > best.score:
                best = Fact(item, _with_antecedent(said, i), score)
    return best


def _stem_pairs(text: str) -> set[tuple[str, str]]:
    """Each two content words side by side in the text, as stems ("leaving care": ("leav", "care"))."""
    stems = _content_stems(text)
    return set(zip(stems, stems[1:], strict=False)) | {(b, a) for a, b in zip(stems, stems[1:], strict=False)}


@lru_cache(maxsize=4)
def _named_pairs(base: KnowledgeBase) -> frozenset[tuple[str, str]]:
    """The stem pairs of the names topics and terms go by ("leaving care", "care leaver")."""
    names = [t["title"] for t in base.topic_index()] + list(base.term_names())
    return frozenset(p for name in names for p in _stem_pairs(name))


# A word used by more than this share of a council's items says nothing of which one is meant.
COMMON_SHARE = 1 / 3
# A question's own words say which fact it wants when they are rare: one sentence of the council's
# items that has every rare word the chosen topic's answer lacks answers it, not the topic.
ELSEWHERE_OVERLAP = 2
# ... a word is rare when at most this many of the council's items use it ("proceedings", not "see")
ELSEWHERE_RARE = 3


@lru_cache(maxsize=8)
def _council_items(base: KnowledgeBase, council: str) -> tuple[tuple[Topic, tuple[str, ...]], ...]:
    """The council's items (its own, then the national ones it has no item of its own for), each with
    its sentences."""
    own = base.own_topics(council)
    mine = {t.id for t in own}
    national = [v for tid in base.topic_ids() if tid not in mine for v in base.topic_versions(council, tid)]
    return tuple((item, tuple(sentences(item))) for item in own + national)


@lru_cache(maxsize=8)
def _items_using(base: KnowledgeBase, council: str) -> dict[str, int]:
    """How many of the council's items use each content word."""
    counts: dict[str, int] = {}
    for _item, said in _council_items(base, council):
        for word in content_words(" ".join(said)):
            counts[word] = counts.get(word, 0) + 1
    return counts


def elsewhere_fact(base: KnowledgeBase, council: str, topic_id: str, question: str) -> Optional[Fact]:
    """A question with words the chosen topic never uses, one of them rare ("who works with children in
    care proceedings?" taken for children in care), when exactly one sentence of the council's items
    (its own, else the national ones) uses every such word, shares at least two of the question's
    words and gives what it asks (who, when...): that sentence. None when the question asks only what
    something is, the topic has those words (or words that start the same: "stepped"
    is "step"), or no single sentence is the clear one."""
    sections = set(_SECTION.findall(_plain(question)))
    # the question without the councils' names ("which Bolton teams...?" asks which teams)
    unnamed = _without(_plain(question), base.council_names())
    words = content_words(unnamed)
    if len(words) < ELSEWHERE_OVERLAP:
        return None
    title = base.topic_title(topic_id, council) or ""
    # (the council's own item when it has one: a national one beside it is not what the topic was answered with)
    answered = base.topic(council, topic_id)
    here = content_words(" ".join([title] + list(answered.prose if answered else ())))
    starts = {w[:4] for w in here}
    using = _items_using(base, council)
    missing = {w for w in words - here if w[:4] not in starts}
    if not any(0 < using.get(w, 0) <= ELSEWHERE_RARE for w in missing):
        return None
    asked = asked_aspects(unnamed) - {"what"}
    if not asked:
        return None  # "what is it?" is the topic's to answer, whatever else the message says
    found: dict[tuple[str, str], Fact] = {}
    for item, said in _council_items(base, council):
        if item.id == topic_id:
            continue
        for i, sentence in enumerate(said):
            have = content_words(sentence)
            overlap = len(words & have)
            if not missing <= have or overlap < ELSEWHERE_OVERLAP or _another_section(sections, sentence):
                continue
            whole = _with_antecedent(list(said), i)  # "They also work with...": who they are is before
            given = given_aspects(whole)
            if not asked & given:
                continue
            score = overlap + len(asked & given) + (0.3 if item.council == council else 0.0) - 0.05 * i
            key = (item.id, sentence)
            if key not in found or score > found[key].score:
                found[key] = Fact(item, whole, score)
    ranked = sorted(found.items(), key=lambda kv: -kv[1].score)
    if not ranked or (len(ranked) > 1 and ranked[1][1].score >= ranked[0][1].score - 0.5 and
                      ranked[1][0][0] != ranked[0][0][0]):
        return None  # none, or two items answer as well: not clear which was meant
    return ranked[0][1]


def _word_pairs(text: str) -> set[tuple[str, str]]:
    """Two words in a row, neither of them a common word ("working together", "professional qualification")."""
    said = _WORD.findall(text.lower())
    return {(a, b) for a, b in zip(said, said[1:], strict=False) if a not in STOPWORDS and b not in STOPWORDS}


@lru_cache(maxsize=8)
def _items_using_pairs(base: KnowledgeBase, council: str) -> dict[tuple[str, str], int]:
    """How many of the council's items use each pair of words in a row."""
    counts: dict[tuple[str, str], int] = {}
    for _item, said in _council_items(base, council):
        for pair in _word_pairs(" ".join(said)):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


# A topic the council's documents have no item for, nor a national one: the council's own item that the
# full-text search clearly points to answers instead of "I don't have information" ("do Bolton's social
# workers have a professional qualification?" is in Bolton's teams and roles). Clearly: at least this many
# of the question's words, more than any other of the council's own items.
COUNCIL_SEARCH_WORDS = 3


_DEFINES = re.compile(r"^(?:what|whats|what's|wats|wots|wat|wot)(?: is| are|'s| r)? (?:a |an |the )?"
                      r"((?:[a-z0-9'-]+ ?){1,4}?)[?.! ]*$")


def what_it_is(question: str) -> Optional[str]:
    """What the question only asks the meaning of ("what's an IRO?": "iro"), else None."""
    m = _DEFINES.match(_plain(question).strip())
    return m.group(1).strip() if m else None


def asks_what_it_is(question: str) -> bool:
    """Whether the question only asks what something is ("what's an IRO?", "what is a core group")."""
    return what_it_is(question) is not None


# Asking for a way to get in touch in so many words ("call" also names things: "which guidance do they call key?").
_ASKS_A_NUMBER = re.compile(r"\b(number|phone|ring|telephone|email|e-mail|contact details|website|web address)\b")


def searched_own_fact(base: KnowledgeBase, council: str, topic_id: str, question: str) -> Optional[Fact]:
    """For a topic the council does not cover at all: the sentence of the council's own item the search
    clearly finds that shares most of the question's words (with what it points back to), else None."""
    if base.topic(council, topic_id) is not None or asks_what_it_is(question):
        return None  # (what something is, is the topic's or the glossary's to say: "what's an IRO?")
    hits = [(t, n) for t, n in base.search(council, question, limit=6) if t.council == council]
    if not hits or hits[0][1] < COUNCIL_SEARCH_WORDS or (len(hits) > 1 and hits[1][1] >= hits[0][1]):
        return None
    item = hits[0][0]
    plain = _plain(question)
    asked = asked_aspects(plain) & _SPECIFIC
    words = content_words(_without(plain, base.council_names()))
    using = _items_using(base, council)
    pairs = _word_pairs(question)
    pairs_using = _items_using_pairs(base, council)
    said = sentences(item)
    best: Optional[Fact] = None
    for i, sentence in enumerate(said):
        # the question's rarer words say more ("guidance" over "follow"), and a name it gives in full
        # ("Working Together") more again
        weight = sum(1.0 / max(1, using.get(w, 1)) for w in words & content_words(sentence)) + \
            sum(0.5 / max(1, pairs_using.get(p, 1)) for p in pairs & _word_pairs(sentence))
        if weight and (best is None or weight - 0.01 * i > best.score):
            best = Fact(item, _with_antecedent(said, i), weight - 0.01 * i)
    if best is None or (asked and not asked & given_aspects(best.sentence)) or \
            not gives_figures(plain, best.sentence) or \
            (_ASKS_A_NUMBER.search(plain) and "contact" not in given_aspects(best.sentence)):
        # (asked for a number the council's documents do not give, "what's the out of hours number in
        # Bolton?": the topic's "I don't have that" with the number they do give, not a sentence that only
        # shares the question's other words)
        return None  # asked how long, who or how many, and the sentence does not say: honestly unknown
    return best


# When a council's offices are shut, said in everyday words ("what if it's 7pm on a Friday?", "at the weekend",
# "in the middle of the night"): the out-of-hours number answers, not what happens if a call is missed.
_OUT_OF_HOURS = re.compile(r"\b(at night|overnight|night ?time|middle of the night|late at night|tonight|"
                           r"in the evening|evenings?|weekends?|saturday|sunday|bank holidays?|christmas( day)?|"
                           r"boxing day|new year'?s day|out of (office )?hours|after hours|out of hours|ooh|"
                           r"(office|they'?re|they are|it'?s|it is) (shut|closed))\b")
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d\d))? ?(am|pm)\b")
OFFICE_OPENS, OFFICE_CLOSES = 9, 17  # a time of day outside these hours is out of hours


def without_out_of_hours(text: str) -> str:
    """The message less the words that name when the offices are shut ("and if it's late at night on a Sunday?"
    -> "and if it's on a ?"): what is left says whether it names a topic of its own."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return " ".join(_CLOCK.sub(" ", _OUT_OF_HOURS.sub(" ", lowered)).split())


def names_out_of_hours(text: str) -> bool:
    """Whether the message names a time when the offices are shut: the evening, a night, a weekend or
    bank holiday, or a time of day before 9am or from 5pm."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    if _OUT_OF_HOURS.search(lowered):
        return True
    for m in _CLOCK.finditer(lowered):
        hour = int(m.group(1)) % 12 + (12 if m.group(3) == "pm" else 0)
        if hour < OFFICE_OPENS or hour >= OFFICE_CLOSES:
            return True
    return False


_HOW_LONG = re.compile(r"\bhow long\b")
# "how long does it take?", "how long until...": the time to something, not how long something goes on
_TIME_TO = re.compile(r"\b(take|takes|taking|took|until|till|before|wait|waiting|to hear|to get|to decide)\b")


def gives_duration(base: KnowledgeBase, council: str, topic_id: str, question: str) -> bool:
    """Whether the question asks how long something lasts and a sentence of the topic says so in words
    ("It lasts for as long as is necessary", "They work short term")."""
    lowered = question.lower()
    if not (_ASKS_DURATION.search(lowered) or (_HOW_LONG.search(lowered) and not _TIME_TO.search(lowered))):
        return False
    return any(_GIVES_DURATION.search(s.lower()) for v in base.topic_versions(council, topic_id) for s in sentences(v))
