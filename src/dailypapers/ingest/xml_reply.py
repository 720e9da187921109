"""Opening an XML reply of arXiv (API and daily feeds: Atom; OAI-PMH) the one way: whole, and of the expected kind."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from dailypapers.ingest.http import UnreadableReply

ATOM = "{http://www.w3.org/2005/Atom}"


def xml_root(body: bytes, tag: str, kind: str) -> ET.Element:
    """The root element, which must be `tag` (e.g. f"{ATOM}feed"); else UnreadableReply, so the request is retried."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise UnreadableReply(f"not XML: {exc}") from None
    if root.tag != tag:
        raise UnreadableReply(f"expected {kind}, got <{root.tag}>")
    return root
