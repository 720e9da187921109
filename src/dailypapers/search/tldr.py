"""The extractive TL;DR: the abstract's sentence that states what the paper contributes. Plain text rules, no model.

Each sentence is scored, and the best one is the TL;DR (docs/glance.md):

- **cue** +3 when it says what the authors do ("we propose / introduce / present / develop …", "this paper
  proposes …", "here we …"), +1.5 for a finding ("we show / find / demonstrate …");
- **background** −1 when it opens like context ("Recent …", "However …", "Despite …", "Although …")
  or like a later addition ("Additionally …", "Finally …");
- **title** +2 × the share of the title's content words it contains (the contribution usually restates the title);
- **position** +0.5 for the first half of the abstract, fading linearly (contributions come early, results late);
- **length** −1 for fewer than 8 words or more than 50 (a fragment, or a run-on that is no summary).

Ties go to the earlier sentence. An abstract of one sentence is its own TL;DR.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|et al|etc|vs|cf|fig|eq|sec|approx|resp|no|ref|dr|prof)\.", re.IGNORECASE)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[$\\])")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")
_CUE = re.compile(
    r"\b(?:we|our|this\s+(?:paper|work|study|article|report)|here,?\s+we|in\s+this\s+(?:paper|work))\b[^.]{0,60}?"
    r"\b(?:propose[sd]?|introduce[sd]?|present(?:s|ed)?|develop(?:s|ed)?|design(?:s|ed)?|describe[sd]?|"
    r"contribute[sd]?|offer[sd]?|formulate[sd]?|establish(?:es|ed)?|release[sd]?|build|construct(?:s|ed)?|"
    r"devise[sd]?|put\s+forward|tackle[sd]?|address(?:es|ed)?)\b",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(?:we|our\s+(?:results|experiments|analysis))\b[^.]{0,40}?\b(?:show|find|demonstrate|reveal|prove)s?\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"^(?:recent(?:ly)?|however|despite|although|while|existing|current|traditional|conventional|in recent|"
    r"with the|as\b|additionally|furthermore|moreover|finally|also|to this end)",
    re.IGNORECASE,
)
_TITLE_STOPWORDS = "a an and for from in of on the to with via towards toward using by at is are as its into through"
_TITLE_STOP = frozenset(_TITLE_STOPWORDS.split())


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping "e.g.", "et al.", "Fig. 2" and decimals inside theirs."""
    flat = " ".join((text or "").split())
    if not flat:
        return []
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\x00"), flat)
    return [s.replace("\x00", ".").strip() for s in _SPLIT.split(protected) if s.strip()]


def content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _TITLE_STOP}


def score_sentence(sentence: str, index: int, count: int, title_words: set[str]) -> float:
    """The scorer above, for the sentence at `index` of `count`."""
    score = 0.0
    if _CUE.search(sentence):
        score += 3.0
    elif _FINDING.search(sentence):
        score += 1.5
    if _BACKGROUND.match(sentence):
        score -= 1.0
    if title_words:
        score += 2.0 * len(title_words & content_words(sentence)) / len(title_words)
    score += 0.5 * max(0.0, 1.0 - index / max(count / 2, 1))
    words = len(sentence.split())
    if words < 8 or words > 50:
        score -= 1.0
    return score


def extractive_tldr(title: str, abstract: str) -> str | None:
    """The best-scoring sentence of the abstract, or None when it has none."""
    found = sentences(abstract)
    if not found:
        return None
    title_words = content_words(title)
    scored = [(score_sentence(s, i, len(found), title_words), -i, s) for i, s in enumerate(found)]
    return max(scored)[2]
