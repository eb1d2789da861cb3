"""Files generated from the code and committed beside it: the JSON Schema and the YAML reference.

Regenerate both with one command from the repository root (tests fail while either is stale)::

    python -m workforce schema --out configs/schema.json --reference docs/yaml-reference.md
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_PATH = "configs/schema.json"
VARIANT_SCHEMA_PATH = "configs/schema.variant.json"
"""Written beside SCHEMA_PATH by the same command: the schema of variant files (``extends:``)."""
REFERENCE_PATH = "docs/yaml-reference.md"
REGENERATE = f"python -m workforce schema --out {SCHEMA_PATH} --reference {REFERENCE_PATH}"
"""The command that rewrites every generated file."""


def write_generated(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a temporary file beside it, then a rename).

    An existing file is replaced only when it is an earlier generation of the same file (its
    first lines are this text's first lines): a scenario, a CSV or any other file at ``path`` is
    refused with exit 4 and left as it is."""
    from workforce.output_safety import replace_file

    return replace_file(path, text, ours=lambda head: same_header(head, text))


HEADER_LINES = 3


def same_header(existing: str, text: str) -> bool:
    """Whether ``existing`` starts with the first lines of ``text`` (the generated file's title)."""
    head = text.splitlines()[:HEADER_LINES]
    return existing.splitlines()[:HEADER_LINES] == head
