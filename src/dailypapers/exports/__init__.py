"""Exports of papers: BibTeX, RIS, CSV and Kaggle-format JSONL, written one record at a time."""
