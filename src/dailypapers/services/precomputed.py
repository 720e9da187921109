"""Storing precomputed vectors and keywords (a search.vector_bundle, such as the demo's) instead of embedding.

A paper takes its bundled vector only when the bundle was made by the configured model (same name, same weights)
and the paper's current title + abstract hash to the text the vector was made from; anything else (a paper not
in the bundle, or whose text changed) is left to `dailypapers index`, which embeds exactly those. What is stored
is the same as what `index` would have stored, so the rest of indexing (the vector index, the full-text merge)
runs unchanged and never needs the model for these papers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dailypapers.config import Config
from dailypapers.search.embed import model_name, model_path, paper_text, text_hash
from dailypapers.search.vector_bundle import VectorBundle, model_stamp
from dailypapers.services.glance import glance_row
from dailypapers.storage import Store
from dailypapers.storage.embeddings import embedding_states, next_seq, save_embeddings
from dailypapers.storage.glance import save_glances

CHUNK = 500


@dataclass
class AdoptSummary:
    vectors: int = 0  # embeddings stored from the bundle
    glances: int = 0  # keywords + TL;DR stored from the bundle
    unused: str = ""  # why the bundle was not used at all (another model)

    def line(self) -> str:
        if self.unused:
            return f"precomputed vectors not used: {self.unused}"
        return f"precomputed vectors for {self.vectors} papers, keywords for {self.glances}"


def adopt_bundle(store: Store, config: Config, bundle: VectorBundle) -> AdoptSummary:
    """Store the bundle's vectors (and keywords) for the papers whose text they were made from."""
    name = model_name(config)
    if bundle.model != name:
        return AdoptSummary(unused=f"they were made with {bundle.model}, this site embeds with {name}")
    if bundle.weights != model_stamp(Path(model_path(config))):
        return AdoptSummary(unused=f"they were made with other weights of {name}")
    summary = AdoptSummary()
    rows = bundle.by_id()
    for start in range(0, len(bundle.ids), CHUNK):
        with store.read() as conn:
            states = embedding_states(conn, bundle.ids[start : start + CHUNK], name)
        vectors, glances = [], []
        for paper in states:
            row = rows[paper["id"]]
            digest = text_hash(paper_text(paper["title"], paper["abstract"]))
            if digest != bundle.text_hashes[row]:
                continue  # its text changed since the bundle was made: `index` embeds it
            if paper["text_hash"] != digest:
                vectors.append((paper, row))
            if paper["glance_hash"] != digest and bundle.keywords[row]:
                glances.append(glance_row(paper, digest, bundle.keywords[row]))
        if not vectors and not glances:
            continue
        with store.write() as conn:
            seq = next_seq(conn)
            save_embeddings(
                conn,
                [
                    {
                        "paper_id": paper["id"],
                        "model": name,
                        "text_hash": bundle.text_hashes[row],
                        "content_hash": paper["content_hash"],
                        "seq": seq,
                        "vector": bundle.vectors[row],
                    }
                    for paper, row in vectors
                ],
            )
            save_glances(conn, glances)
        summary.vectors += len(vectors)
        summary.glances += len(glances)
    return summary
