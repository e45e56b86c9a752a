"""The words around a council's name that ask nothing of their own ("oh wait, I'm in Bolton actually",
"we're in Hampshire if that makes a difference"): a message of only these and a council is a change of
council. Plain Python, read by the pipeline (understanding.council_change) and the actions alike."""
from __future__ import annotations

import re
from typing import Any, Dict, List

COUNCIL_ENTITY = "council"
# Words around a council's name that ask nothing of their own.
FILLER = frozenset("""
    i im i'm me my we were we're our us you your it its it's that that's this there here where is am are be
    in from at for of about on up down near over across round around live lives living based
    oh ah wait sorry oops soz hmm erm um ok okay right so and but or then now actually though instead really
    just what how about whatabout the a an council council's county city borough area district side
    asking ask asked question meant mean i'd sorry, not no yes yeah please pls thanks thx same again
    if makes make difference does do change changes matter different one ones version looking info details
    i've ive we've weve moved move moving lived to
    child kid kids children son daughter grandchild grandchildren family for a
    rather than instead
    should should've shouldve shoulda said say forgot forget mention mentioned told tell btw fyi by way also too
    he he's hes she she's shes they they're theyre
    """.split())
MAX_WORDS = 12
_WANTS_ITS_VERSION = re.compile(r"\b(need|needed|want|wanted|meant|mean)\b(?=\s+(the|it|that|this|them)\b)")
_WORD = re.compile(r"[a-z][a-z']*")


def only_names_a_council(text: str, entities: List[Dict[str, Any]]) -> bool:
    """Whether the text names a council and otherwise only FILLER words."""
    spans = [(e.get("start"), e.get("end")) for e in entities or [] if e.get("entity") == COUNCIL_ENTITY]
    spans = [(s, e) for s, e in spans if isinstance(s, int) and isinstance(e, int)]
    if not spans:
        return False
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    # "I need the Coventry one": wanting the council's version asks nothing of its own
    rest = _WANTS_ITS_VERSION.sub(" ", rest.lower().replace("\u2019", "'"))
    words = _WORD.findall(rest)
    return len(words) <= MAX_WORDS and all(w in FILLER for w in words)


# Before a council named as the one not meant: "for Hampshire rather than Bolton", "Bolton, not Hampshire",
# "we've moved from Bolton".
_NOT_MEANT = re.compile(r"\b(not|rather than|instead of|than|no longer|isn't|isnt|(moved|moving) (away )?from)"
                        r"( (in|for|about|with|at))?( the)?\W*$", re.I)


def meant(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The council entities of the text, less any named as the one not meant ("rather than Bolton")."""
    councils = [e for e in entities or [] if e.get("entity") == COUNCIL_ENTITY]
    return [e for e in councils
            if not (isinstance(e.get("start"), int) and _NOT_MEANT.search(text[:e["start"]].replace("\u2019", "'")))]
