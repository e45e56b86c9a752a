"""Crisis signals in a message: a spaCy Matcher over normalised words.

The second safety layer, beside the NLU safety intents. Words are normalised the same way
in the patterns and in messages: lower case, common text-speak and typos mapped to plain
words, then the English lemma from spacy-lookups-data's lookup table (the one the
project's spaCy pipeline uses), so "hits", "hitting" and "hittin" all read "hit".
Create one ``SignalDetector`` per process (it loads the table); it is thread-safe to read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[&]")
# a word with symbols for some of its letters, between letters ("r*pe", "s**cide", "k!ll")
_MASKED = re.compile(r"\b[A-Za-z]+(?:[*#@$!_%]+[A-Za-z]+)+\b")


@dataclass(frozen=True)
class Signal:
    category: str
    intent: str
    words: str


class PatternError(ValueError):
    pass


class SignalDetector:
    def __init__(self, patterns_file: Path = PATTERNS_FILE):
        import spacy
        from spacy.lookups import load_lookups
        from spacy.matcher import Matcher

        spec = yaml.safe_load(patterns_file.read_text(encoding="utf-8"))
        self._lemmas = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self._spellings = {k.lower(): str(v).lower() for k, v in (spec.get("spellings") or {}).items()}
        # emoji said instead of words ("🔪🩸 again"): read as the words, with spaces around them
        self._emoji = {str(k): f" {str(v).lower()} " for k, v in (spec.get("emoji") or {}).items()}
        # everyday phrases with a harm word in them ("cut it down"), read as their plain meaning
        self._phrases = [(self._canonical_words(str(k)), str(v).lower().split())
                         for k, v in (spec.get("phrases") or {}).items()]
        # words written with a symbol for a letter or two ("r*pe", "k!ll", "su*cide"): read as the word
        self._masked = [str(w).lower() for w in (spec.get("masked") or [])]
        self.priority: list[str] = list(spec["priority"])
        self.intents: dict[str, str] = dict(spec["intents"])
        groups = {name: words for name, words in (spec.get("groups") or {}).items()}
        for name, words in groups.items():
            # a pattern is matched word by word: "round my neck" inside a group's alternatives would never
            # match, silently; refused instead
            spaced = [w for w in str(words).split("|") if not w.strip() or w != w.strip() or " " in w]
            if spaced:
                raise PatternError(f"group {name!r}: alternatives must be single words, not {spaced!r}")
        self._vocab = spacy.blank("en").vocab
        self._matcher = Matcher(self._vocab)
        self._category_of: dict[str, str] = {}
        self._not_followed_by: dict[str, set[str]] = {}
        for category, patterns in spec["categories"].items():
            if category not in self.intents or category not in self.priority:
                raise PatternError(f"category {category!r} needs an intent and a place in priority")
            plain, guarded = [], []
            for p in patterns:
                # a last part "!a|b": the words matched must not be followed by one of these ("they don't want me"
                # is rejection, "she doesn't want me to stay out late" is not)
                head, _, tail = str(p).rpartition(" !")
                (guarded if head else plain).append((head, tail) if head else p)
            if plain:
                self._matcher.add(category, [self._compile(p, groups, category) for p in plain])
            for n, (head, tail) in enumerate(guarded):
                key = f"{category}!{n}"
                self._category_of[key] = category
                self._not_followed_by[key] = {w for alt in tail.split("|") for w in [alt.lower(),
                                                                                     *self.canonical(alt)[:1]]}
                self._matcher.add(key, [self._compile(head, groups, category)])

    # --- normalising ---------------------------------------------------
    def canonical(self, word: str) -> list[str]:
        word = word.lower().replace("\u2019", "'")
        if word in self._spellings:
            return self._spellings[word].split()
        if word.endswith("in") and len(word) > 4 and word + "g" in self._lemmas:
            word += "g"  # dropped g: hidin, hittin
        return [str(self._lemmas.get(word, word)).lower()]

    def unmask(self, text: str) -> str:
        """The text with each masked word ("r*pe") written out, when one listed word fits it (each run of
        symbols standing for one to three letters); other words as they were."""
        def written(m: re.Match) -> str:
            shape = re.compile("".join("[a-z]{1,3}" if not c.isalpha() else re.escape(c)
                                       for c in re.sub(r"[^a-z]+", "*", m.group(0).lower())))
            fits = [w for w in self._masked if shape.fullmatch(w)]
            return fits[0] if len(set(fits)) == 1 else m.group(0)
        return _MASKED.sub(written, text)

    def normalise(self, text: str) -> list[str]:
        text = self.unmask(text)
        words: list[str] = []
        for emoji, said in self._emoji.items():
            text = text.replace(emoji, said)
        for raw in _TOKEN.findall(text.lower().replace("\u2019", "'")):
            if "'" in raw and raw not in self._spellings:
                head, tail = raw.split("'", 1)
                words += self.canonical(head) + self.canonical("'" + tail)
            else:
                words += self.canonical(raw)
        return self._plain_phrases(words)

    def _canonical_words(self, phrase: str) -> list[str]:
        return [w for raw in _TOKEN.findall(phrase.lower()) for w in self.canonical(raw)]

    def _plain_phrases(self, words: list[str]) -> list[str]:
        for phrase, plain in self._phrases:
            n, i = len(phrase), 0
            while i + n <= len(words):
                if words[i:i + n] == phrase:
                    words = words[:i] + plain + words[i + n:]
                    i += len(plain)
                else:
                    i += 1
        return words

    # --- patterns ------------------------------------------------------
    def _compile(self, pattern: str, groups: dict[str, str], category: str) -> list[dict]:
        tokens: list[dict] = []
        for part in pattern.split():
            if set(part) == {"*"}:
                tokens += [{"OP": "?"} for _ in part]
                continue
            optional = part.endswith("?") and len(part) > 1
            part = part[:-1] if optional else part
            alts: set[str] = set()
            for alt in part.split("|"):
                m = re.fullmatch(r"\{(\w+)\}", alt)
                if m:
                    if m.group(1) not in groups:
                        raise PatternError(f"{category}: unknown group {alt} in {pattern!r}")
                    raw = groups[m.group(1)].split("|")
                else:
                    raw = [alt]
                for word in raw:
                    if word:
                        alts.update(self.canonical(word)[:1])
                        alts.add(word.lower())
            spec: dict = {"LOWER": {"IN": sorted(alts)}}
            if optional:
                spec["OP"] = "?"
            tokens.append(spec)
        if not any("LOWER" in t and "OP" not in t for t in tokens):
            raise PatternError(f"{category}: pattern {pattern!r} has no required word")
        return tokens

    # --- detecting -----------------------------------------------------
    def detect(self, text: str) -> Optional[Signal]:
        """The highest-priority crisis signal in the text, or None."""
        found = self.detect_all(text)
        if not found:
            return None
        return min(found, key=lambda s: self.priority.index(s.category))

    def detect_all(self, text: str) -> list[Signal]:
        words = self.normalise(text)
        if not words:
            return []
        from spacy.tokens import Doc

        doc = Doc(self._vocab, words=words)
        out = []
        for match_id, start, end in self._matcher(doc):
            key = self._vocab.strings[match_id]
            if end < len(words) and words[end] in self._not_followed_by.get(key, ()):
                continue
            category = self._category_of.get(key, key)
            out.append(Signal(category, self.intents[category], " ".join(words[start:end])))
        return out


_QUESTION = re.compile(r"^\s*(what|whats|what's|wot|wat|is|are|r|does|do|did|can|could|will|would|should|how|when|"
                       r"where|who|which|why|am|has|have)\b", re.I)


# a question clause later in the message: "..., does that mean she has to move?", ". why can't I be there"
_QUESTION_CLAUSE = re.compile(r"([,.;!?]\s*|\b(and|but|so)\s+)(what|whats|wot|is|are|does|do|did|can|could|will|would|"
                              r"should|how|when|where|who|which|why|am)\s+(that|this|it|i|we|they|she|he|you|u|the|a|my|"
                              r"there|"
                              r"does|do|is|are|will|can|should|would|happens?|can'?t|cannot|won'?t|wont|don'?t|dont|"
                              r"doesn'?t|doesnt|isn'?t|isnt)\b",
                              re.I)


# despair in the shape of a question ("what's the point anymore", "whats even the point of me"): a
# statement about the speaker, not a question about a topic ("what's the point of a core group?" is one)
_RHETORICAL = re.compile(r"^\s*(what|whats|what's|wots|wats)\s*(even\s+)?(is\s+)?(even\s+)?the\s+point\s*"
                         r"(anymore|any more|now|honestly|tbh|[.!?]*\s*$|[.!,]|(of|in)\s+(me|anything|it all|"
                         r"living|life|trying|going on|carrying on|being here|being alive|bothering)\b)", re.I)


def is_question(text: str) -> bool:
    """A question rather than a statement: ends with '?', starts with a question word, or has
    a question clause after a comma or 'and/but/so'. Despair in a question's shape is a statement."""
    if _RHETORICAL.match(text):
        return False
    return text.strip().rstrip("!").endswith("?") or bool(_QUESTION.match(text)) or \
        bool(_QUESTION_CLAUSE.search(text))

