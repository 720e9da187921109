"""The candidate papers of a period, prepared once per process and shared by every member's request (queries cache
it): their stacked vectors, inverted indexes of authors, categories and words, and a tf-idf matrix of their words
(binary term frequency, idf over the window, unit rows), so that scoring a member is a few array products.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used: scipy.sparse would add ~0.3 s of CPU to every web worker's start
    from scipy.sparse import csr_matrix

from dailypapers.search.query import STOPWORDS

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
# Words nearly every abstract uses: never a reason to recommend a paper.
_GENERIC_WORDS = """
paper propose proposed proposes method methods approach approaches result results show shows based using use used
model models new task tasks performance data framework existing achieve achieves achieving also demonstrate
demonstrates work works study novel however experiments experimental extensive while via which these their such than
more our this that with from into over both each first well large different across present presents introduce
introduces problem problems high including has have been its it we they them significant significantly effective
efficient improve improves improved improvement state-of-the-art outperforms further various key can not only then
thus between through within without most many other code available https github com two three one learning
training trained
"""
GENERIC = frozenset(_GENERIC_WORDS.split())


def tokens(text: str) -> frozenset[str]:
    """The informative words of a text (lower case, no stop words or generic paper words)."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and w not in GENERIC)


@dataclass
class Window:
    ids: list[str]
    titles: list[str]
    authors: list[list[str]]
    categories: list[list[str]]
    tokens: list[frozenset[str]]
    published: list[float]  # POSIX time, 0 when unknown
    matrix: np.ndarray  # float32, one row per paper (zeros when not embedded)
    has_vector: np.ndarray  # bool per row
    row_of: dict[str, int] = field(default_factory=dict)
    by_author: dict[str, list[int]] = field(default_factory=dict)
    by_category: dict[str, list[int]] = field(default_factory=dict)
    by_term: dict[str, list[int]] = field(default_factory=dict)
    column: dict[str, int] = field(default_factory=dict)  # word -> column of `terms`
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per column
    terms: csr_matrix = field(default_factory=lambda: _csr((0, 0)))
    author_counts: np.ndarray = field(default_factory=lambda: np.zeros(0))  # distinct authors per row

    def __post_init__(self) -> None:
        from scipy.sparse import csr_matrix

        for row, paper_id in enumerate(self.ids):
            self.row_of[paper_id] = row
            for name in set(self.authors[row]):
                self.by_author.setdefault(name, []).append(row)
            for category in set(self.categories[row]):
                self.by_category.setdefault(category, []).append(row)
            for term in self.tokens[row]:
                self.by_term.setdefault(term, []).append(row)
        n = len(self.ids)
        self.author_counts = np.array([len(set(names)) for names in self.authors], dtype=np.float64)
        self.column = {term: col for col, term in enumerate(sorted(self.by_term))}
        self.idf = np.array([self._idf(len(self.by_term[t])) for t in self.column], dtype=np.float64)
        rows = [row for row, words in enumerate(self.tokens) for _ in words]
        cols = [self.column[t] for words in self.tokens for t in words]
        values = self.idf[cols] if cols else np.zeros(0)
        matrix = csr_matrix((values, (rows, cols)), shape=(n, len(self.column)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        scale = np.where(norms > 0, 1.0 / np.where(norms > 0, norms, 1.0), 0.0)
        self.terms = csr_matrix(matrix.multiply(scale[:, None]))

    def _idf(self, df: int) -> float:
        return math.log((len(self.ids) + 1) / (df + 1)) + 1.0

    def idf_of(self, term: str) -> float:
        """The word's idf over the window (a word no candidate has gets the highest)."""
        col = self.column.get(term)
        return float(self.idf[col]) if col is not None else self._idf(0)

    def cosines(self, weighted: list[Mapping[str, float]]) -> np.ndarray:
        """(papers × len(weighted)) cosine of each paper's tf-idf with each weighted bag of words (weight × idf);
        words no candidate has still count in a bag's length."""
        from scipy.sparse import csr_matrix

        out = np.zeros((len(self.ids), len(weighted)))
        if not weighted or not self.column:
            return out
        rows, cols, values = [], [], []
        for k, bag in enumerate(weighted):
            length = math.sqrt(sum((w * self.idf_of(t)) ** 2 for t, w in bag.items())) or 1.0
            for term, weight in bag.items():
                col = self.column.get(term)
                if col is not None:
                    rows.append(col)
                    cols.append(k)
                    values.append(weight * self.idf[col] / length)
        queries = csr_matrix((values, (rows, cols)), shape=(len(self.column), len(weighted)))
        return np.asarray((self.terms @ queries).todense())


def _csr(shape: tuple[int, int]) -> csr_matrix:
    from scipy.sparse import csr_matrix

    return csr_matrix(shape)
