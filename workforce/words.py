"""Small wording helpers for messages and summaries."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 region', '2 regions', '0 funding streams': the number and the noun in its right number."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"
