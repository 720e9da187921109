"""The paraphrase quality set: a few content words of the sentence that states a paper's idea, none from its title.

Researchers often describe the idea, not the title ("sharing key-value caches between agents"). The archive has no
one-sentence descriptions, so they are made from the abstract; deterministic (seed 2027), and built over the same
1,500-paper corpus (and store) as the title-word set of bench/short_queries.py:
1. For each corpus paper (in the corpus order of short_queries.hf_papers), split the abstract into sentences and take
   the first that states the contribution: it has "we", "this paper/work/study" or "here" followed within a few words
   by propose / introduce / present / develop / design / build / describe / create / construct / release / show;
   the words from the verb on are used ("To address this, we propose X, which …" → "X, which …"). Without one, the
   fixed fallback is the whole first sentence.
2. Split it into words at everything but letters (so "key-value" is two words). Drop words with a digit or an
   upper-case letter past the first (acronyms, all-caps and mixed-case names: "LLMs", "ConvLLaVA", "GPT-4"), words
   under 3 letters, stopwords and the filler words of such sentences (propose, novel, approach, framework, …, see
   _FILLER), and every word whose Snowball English stem is the stem of a title word (title split the same way).
3. Keep each stem once, in order; with at least 3 left, keep 3–6 of them in order, chosen at random ("visual tokens
   redundancy compute"). The paper is the one relevant answer.
4. Split: the queries are shuffled with the seed and cut in half, DEV (for tuning fusion) and TEST (reported, not
   looked at while tuning). `--show dev|test` prints them.

MRR@10 / nDCG@10 per method: bench/search_quality.py --only paraphrase [--split dev|test].
"""

from __future__ import annotations

import argparse
import random
import re

import Stemmer

from short_queries import _STOP, hf_papers

SEED = 2027
QUERIES = 400
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study|article)|here)\b(?:\W+\w+){0,3}?\W+"
    r"(?:propose|introduce|present|develop|design|build|describe|create|construct|release|show)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W\d_]*\d[\w]*|[^\W\d_]+", re.UNICODE)  # a run of letters, or a word holding a digit
_FILLER = frozenset(
    re.findall(
        r"[a-z]+",
        "propose proposes proposed introduce introduces introduced present presents presented develop develops design "
        "designs build builds describe describes create creates construct constructs release releases show shows "
        "novel new approach method methods framework paper work study article also called named which that this these "
        "those such both each other than then thus here first simple effective efficient based using leverage "
        "leverages "
        "leveraging enable enables enabling significantly specifically further furthermore however while where whose "
        "has have been being was were will would could should may might more most very well them they its their our "
        "we can only into onto upon about across between among within without after before during address addresses "
        "addressing challenge challenges issue issues problem problems tackle tackles innovative designed limitation "
        "limitations existing key offer offers utilize utilizes utilizing enhance enhances enhancing improve improves "
        "improving comprehensive large high along yet often make makes include includes including various multiple "
        "several wide range experiments results demonstrate demonstrates state art performance extensive outperforms "
        "achieve achieves achieving achieved task tasks named termed dubbed one two three aims aim allows allow "
        "capable able ability way ways propose",
    )
)
_STEM = Stemmer.Stemmer("english")


def contribution_sentence(abstract: str) -> str:
    """From the contribution verb to the end of its sentence ("…, we propose X, which …" → "X, which …")."""
    sentences = [s for s in _SENTENCE.split(" ".join(abstract.split())) if s]
    for sentence in sentences:
        found = _CONTRIBUTION.search(sentence)
        if found:
            return sentence[found.end() :]
    return sentences[0] if sentences else ""


def content_words(sentence: str, title: str) -> list[str]:
    """The sentence's content words, one per stem, in order: no title stems, acronyms, digits, stop or filler words."""
    banned = {_STEM.stemWord(w.lower()) for w in _TOKEN.findall(title)}
    kept: list[str] = []
    for word in _TOKEN.findall(sentence):
        if any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:]):
            continue
        lower = word.lower()
        stem = _STEM.stemWord(lower)
        if len(lower) < 3 or lower in _STOP or lower in _FILLER or stem in banned:
            continue
        banned.add(stem)
        kept.append(lower)
    return kept


def paraphrase_query(title: str, abstract: str, rng: random.Random) -> str | None:
    words = content_words(contribution_sentence(abstract), title)
    if len(words) < 3:
        return None
    n = rng.randint(3, min(6, len(words)))
    keep = sorted(rng.sample(range(len(words)), n))
    return " ".join(words[i] for i in keep)


def query_set(split: str = "all") -> list[tuple[str, str]]:
    """(query, relevant paper id) pairs of the `dev` or `test` half (or `all`)."""
    rng = random.Random(SEED)
    pairs: list[tuple[str, str]] = []
    for paper in hf_papers():
        query = paraphrase_query(paper["title"], paper["abstract"], rng)
        if query:
            pairs.append((query, paper["id"]))
        if len(pairs) == QUERIES:
            break
    random.Random(SEED).shuffle(pairs)
    half = len(pairs) // 2
    return {"dev": pairs[:half], "test": pairs[half:], "all": pairs}[split]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", choices=["dev", "test", "all"], default="dev")
    args = parser.parse_args()
    for q, pid in query_set(args.show):
        print(pid, q)
