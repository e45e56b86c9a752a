"""Text-speak written out ("hw lng dus da assessment tk" -> "how lng does the assessment tk"), so
the classifiers and the follow-up rules read the words they were written for. Word for word from
understanding/textspeak.yml, plus a few rules where a form has two meanings: "2"/"4" are "to"/"for"
only between words ("came 2 uk", not "2 months"), "bin" is "been" after have ("has bin stayin"), "no"
is "number" after a word that has one ("out of hrs no", "phone no").
The person's own words are kept beside (RAW_KEY) for everything that stores or shows them."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

SPELLINGS = Path(__file__).with_name("textspeak.yml")
_TOKEN = re.compile(r"[A-Za-z0-9/']+|[^A-Za-z0-9/'\s]+")
_UNITS = {"day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "kids", "children",
          "weeks.", "times", "of", "or", "and", "x", "pm", "am"}
_HAVE = {"has", "have", "hav", "av", "had", "i've", "ive", "you've", "we've", "they've", "he's", "she's", "its",
         "it's", "been"}
# "no" after these, at the end or before one of _AFTER_A_NUMBER, is a number ("social services out of hrs no
# pls"; not "no phone no money").
_HAS_A_NUMBER = {"hours", "hrs", "phone", "contact", "tel", "helpline", "mash", "masss", "duty", "emergency"}
_AFTER_A_NUMBER = {"pls", "plz", "please", "for", "is", "asap", "quick", "quickly", "now", "thanks", "thx"}


@lru_cache(maxsize=1)
def spellings() -> Dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (yaml.safe_load(SPELLINGS.read_text(encoding="utf-8"))["words"]
                                               or {}).items()}


def _is_word(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z']+", token))


def normalise(text: str) -> str:
    """The text with text-speak written out; anything else as it was (case kept for unchanged words)."""
    table = spellings()
    tokens: List[str] = _TOKEN.findall(text)
    out: List[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        before = out[-1].lower() if out else ""
        after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if low in ("2", "4") and _is_word(before) and _is_word(after) and after not in _UNITS:
            out.append("to" if low == "2" else "for")
        elif low == "no" and before in _HAS_A_NUMBER and (not _is_word(after) or after in _AFTER_A_NUMBER):
            out.append("number")
        elif low == "bin" and before in _HAVE:
            out.append("been")
        elif low.endswith("in") and len(low) > 4 and before in _HAVE | {"is", "was", "are", "am", "i'm", "im"} and \
                low[:-2] + "ing" != low:
            out.append(token + "g")  # "stayin" -> "staying", after a form of be or have
        elif low in table:
            out.append(table[low])
        else:
            out.append(token)
    joined = " ".join(out)
    return re.sub(r"\s+([?.!,;:])", r"\1", joined)

