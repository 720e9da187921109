"""Keywords: KeyBERT's method over the site's own embedding model, for a whole batch of papers at once.

1. Candidates: runs of 1-4 words from the title and abstract that contain no stop word (except "of" inside, as in
   "mixture of experts"), do not start or end with one, and are not generic research vocabulary
   ("method", "results", "propose" …). LaTeX, numbers and URLs are dropped.
   A phrase that only occurs inside one longer candidate is left to the longer one.
2. A cheap pre-rank keeps the best `PER_PAPER` candidates (count in the text, ×2 in the title, longer phrases
   first) so the model embeds about as many short phrases as one abstract has tokens.
3. The candidates of every paper in the batch are embedded in one call (a phrase shared by papers once), scored by
   cosine similarity to the paper's own vector, and chosen by maximal marginal relevance (λ = 0.6), so near
   duplicates ("video diffusion", "video diffusion models") do not crowd out other topics: 3 to 6 per paper.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dailypapers.search.embed import Embedder
from dailypapers.search.query import STOPWORDS

PER_PAPER = 12
MIN_KEYWORDS, MAX_KEYWORDS = 3, 6
LAMBDA = 0.6
KEEP_ABOVE = 0.3  # past the third, a keyword must be at least this close to the paper

_INNER = frozenset({"of"})
_GENERIC = """about above after again against all also among any around based because before being below between both
    each even ever every few first further given had here however i if just let many me much must my new novel
    only other others ours out own same second several should show shows shown so some still thus too two three
    us very well whether yet one often across upon whose whereas able since them they he she his her it's
    via can't cannot could would might using use used uses propose proposed proposes present presents presented
    introduce introduces introduced paper papers work works approach approaches method methods methodology result
    results study studies demonstrate demonstrates experiment experiments experimental extensive significant
    significantly effective effectively efficient existing state-of-the-art sota art outperform outperforms
    achieve achieves achieved achieving performance task tasks problem problems framework frameworks technique
    techniques strategy strategies various different including include includes provide provides providing
    enable enables enabling improve improves improved improving leverage leverages leveraging key important
    recent recently furthermore moreover additionally finally specifically particular particularly challenge
    challenges challenging way ways often lack limited however existing potential remains remain address
    addresses aims aim allows allow due new able make makes made take takes high low better best large-scale
    end terms term code available github project page website towards toward instead information ability
    abilities capability capabilities"""
# Verbs that often start a run of words that is no noun phrase ("enhance user interaction"): never first.
_VERB_WORDS = """enhance enhances embed embeds assess assesses generate generates evaluate evaluates capture
    captures learn
    learns reduce reduces predict predicts estimate estimates detect detects identify identifies train trains apply
    applies integrate integrates automate automates automating combine combines explore explores investigate
    investigates require requires reveal reveals support supports compute computes"""
_VERBS = frozenset(_VERB_WORDS.split())
# Head nouns that end good phrases ("large language models") but say nothing alone or first.
_HEADS = frozenset(
    {"model", "models", "network", "networks", "system", "systems", "data", "dataset", "datasets", "benchmark"}
)
_STOP = STOPWORDS | frozenset(_GENERIC.split())
_LATEX = re.compile(r"\$[^$]*\$|\\[a-zA-Z]+(?:\{[^}]*\})?")
_URLISH = re.compile(r"\S+://\S+|\S+\.(?:com|org|io|net)\S*")
_CHUNK = re.compile(r"[.,;:!?()\[\]{}\"“”]|\s-\s|\s–\s|\s—\s")
_TOKEN = re.compile(r"[0-9]*[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
# POS-free stand-ins for "not a noun phrase": ends in a participle or adjective, starts with an adverb.
_BAD_END = re.compile(r"(?:ed|ive|ous|ly)$")
_BAD_START = re.compile(r"ly$")


@dataclass
class _Candidate:
    key: str  # lower case
    shown: str  # how the text writes it
    weight: float


def candidates(title: str, abstract: str, limit: int = PER_PAPER) -> list[tuple[str, str]]:
    """(key, shown form) of the best `limit` candidate phrases, by the cheap pre-rank."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    in_title: set[str] = set()
    for part, text in (("title", title), ("abstract", abstract)):
        clean = _URLISH.sub(" ", _LATEX.sub(" ", text or ""))
        for chunk in _CHUNK.split(clean):
            words = _TOKEN.findall(chunk)
            for n in (1, 2, 3, 4):
                for i in range(len(words) - n + 1):
                    gram = words[i : i + n]
                    if not _acceptable(gram):
                        continue
                    key = " ".join(w.lower() for w in gram)
                    counts[key] += 1
                    forms.setdefault(key, Counter())[" ".join(gram)] += 2 if part == "abstract" else 1
                    if part == "title":
                        in_title.add(key)
    subsumed = _subsumed(counts)
    ranked = [
        _Candidate(key, _shown(forms[key]), counts[key] * (2.0 if key in in_title else 1.0) * (1 + key.count(" ")))
        for key in counts
        if key not in subsumed
    ]
    ranked.sort(key=lambda c: (-c.weight, c.key))
    return [(c.key, c.shown) for c in ranked[:limit]]


def _subsumed(counts: Counter[str]) -> set[str]:
    """Phrases that only ever occur inside one longer candidate ("large language" in "large language models")."""
    gone = set()
    for key, count in counts.items():
        words = key.split()
        for n in range(1, len(words)):
            for i in range(len(words) - n + 1):
                part = " ".join(words[i : i + n])
                if counts.get(part) == count:
                    gone.add(part)
    return gone


def _acceptable(gram: Sequence[str]) -> bool:
    lowered = [w.lower() for w in gram]
    if lowered[0] in _STOP or lowered[-1] in _STOP or lowered[0] in _INNER or lowered[-1] in _INNER:
        return False
    if lowered[0] in _HEADS and not (len(gram) == 1 and gram[0].isupper()):
        return False
    if len(gram) > 1 and lowered[0] in _VERBS:
        return False
    if any(w in _STOP and w not in _INNER for w in lowered[1:-1]):
        return False
    if any(w in _INNER for w in lowered) and len(gram) != 3:  # only "mixture of experts", "chain of thought"
        return False
    if len(gram) == 1 and (len(lowered[0]) < 3 or lowered[0].isdigit()):
        return False
    if _BAD_END.search(lowered[-1]) or _BAD_START.search(lowered[0]):
        return False
    return not any(w.isdigit() for w in lowered)


def _shown(forms: Counter[str]) -> str:
    """The commonest way the text writes the phrase; Title Case from a title becomes lower case, acronyms stay."""
    shown = forms.most_common(1)[0][0]
    parts = shown.replace("-", " ").split()
    if " " in shown and all(w[:1].isupper() and w[1:].islower() for w in parts):
        return shown.lower()
    return shown


def choose(doc: np.ndarray, vectors: np.ndarray, shown: list[str]) -> list[str]:
    """Maximal marginal relevance over unit vectors: relevant to the paper, unlike what is already chosen."""
    if not shown:
        return []
    relevance = vectors @ doc
    similar = vectors @ vectors.T
    chosen: list[int] = []
    left = list(range(len(shown)))
    while left and len(chosen) < MAX_KEYWORDS:
        if chosen:
            redundancy = similar[np.ix_(left, chosen)].max(axis=1)
            scores = LAMBDA * relevance[left] - (1 - LAMBDA) * redundancy
        else:
            scores = relevance[left]
        best = left[int(np.argmax(scores))]
        if len(chosen) >= MIN_KEYWORDS and relevance[best] < KEEP_ABOVE:
            break
        chosen.append(best)
        left.remove(best)
    return [shown[i] for i in chosen]


def keywords_for(embedder: Embedder, papers: Sequence[tuple[str, str, np.ndarray]]) -> list[list[str]]:
    """Keywords of each (title, abstract, paper vector), embedding all the batch's candidates in one call."""
    per_paper = [candidates(title, abstract) for title, abstract, _ in papers]
    phrases = list(dict.fromkeys(key for found in per_paper for key, _ in found))
    if not phrases:
        return [[] for _ in papers]
    vectors = embedder.encode(phrases)
    row = {phrase: i for i, phrase in enumerate(phrases)}
    result: list[list[str]] = []
    for (_, _, doc), found in zip(papers, per_paper, strict=True):
        if not found:
            result.append([])
            continue
        own = vectors[[row[key] for key, _ in found]]
        result.append(choose(np.asarray(doc, dtype=np.float32), own, [shown for _, shown in found]))
    return result
