"""The bundled demo: four weeks of real Hugging Face daily listings (June 2026) with their arXiv metadata.

Built from the project's shared data by `python -m dailypapers.demo.build`; loaded by `dailypapers demo`
through the same import service as any bulk import. The papers' vectors and keywords, made by the bundled model
(`python -m dailypapers.demo.build --vectors`), come along, so `dailypapers index` on the demo has nothing to embed
and never loads the model (services.precomputed).
"""

from __future__ import annotations

from pathlib import Path

from dailypapers.config import Config
from dailypapers.domain import ImportSummary
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.hf_daily import read_hf_daily
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.search.vector_bundle import read_bundle
from dailypapers.services.imports import import_items
from dailypapers.services.precomputed import AdoptSummary, adopt_bundle
from dailypapers.storage import Store

DEMO_DIR = Path(__file__).parent
ARXIV_FILE = DEMO_DIR / "arxiv-sample.jsonl.gz"
HF_FILE = DEMO_DIR / "hf-daily-sample.jsonl.gz"
VECTORS_FILE = DEMO_DIR / "vectors-all-MiniLM-L6-v2.npz"


def load_demo(store: Store) -> tuple[ImportSummary, ImportSummary]:
    """Import the demo papers, then the daily listings (with upvotes) on top of them."""
    papers = import_items(store, read_kaggle(LineSource(ARXIV_FILE)))
    daily = import_items(store, read_hf_daily(LineSource(HF_FILE)))
    return papers, daily


def load_demo_vectors(store: Store, config: Config) -> AdoptSummary:
    """The demo papers' shipped vectors and keywords, for those whose text is still the one they were made from."""
    return adopt_bundle(store, config, read_bundle(VECTORS_FILE))
