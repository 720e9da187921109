"""arXiv ids as members type them: bare, versioned, old-style, URLs; anything else is refused clearly."""

from __future__ import annotations

import pytest

from dailypapers.domain import ArxivId, InvalidArxivId, find_code_url, normalize_space, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.00001", ArxivId("2401.00001")),
        ("2401.00001v3", ArxivId("2401.00001", 3)),
        ("0704.0001", ArxivId("0704.0001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("math.AG/0601001v2", ArxivId("math.AG/0601001", 2)),
        ("arXiv:2401.00001", ArxivId("2401.00001")),
        (" https://arxiv.org/abs/2401.00001v2 ", ArxivId("2401.00001", 2)),
        ("https://arxiv.org/pdf/2401.00001.pdf", ArxivId("2401.00001")),
        ("https://huggingface.co/papers/2401.00001", ArxivId("2401.00001")),
        ("http://export.arxiv.org/abs/astro-ph/0601001", ArxivId("astro-ph/0601001")),
    ],
)
def test_accepted_arxiv_ids(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "0000.0000", "2413.00001", "2401.1", "2401.00001; DROP TABLE", "x" * 500])
def test_invalid_ids_raise_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidArxivId, match="not an arXiv id"):
        parse_arxiv_id(text)


def test_whitespace_is_normalised_but_latex_and_unicode_kept() -> None:
    assert normalize_space("  The $\\alpha$-\n  Müller   effect ") == "The $\\alpha$- Müller effect"


def test_code_links_are_found_in_abstracts_and_comments() -> None:
    assert find_code_url("no link", "Code at https://github.com/org/repo.") == "https://github.com/org/repo"
    assert find_code_url("see https://example.com/x") is None


def test_control_characters_are_dropped_so_every_engine_can_store_the_text() -> None:
    assert normalize_space("Null\x00 byte\x1f and\ttab") == "Null byte and tab"
