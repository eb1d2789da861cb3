"""Files generated from the code and committed beside it: the JSON Schema and the YAML reference.

Regenerate both with one command from the repository root (tests fail while either is stale)::

    python -m workforce schema --out configs/schema.json --reference docs/yaml-reference.md
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workforce.errors import WorkforceError

SCHEMA_PATH = "configs/schema.json"
VARIANT_SCHEMA_PATH = "configs/schema.variant.json"
"""Written beside SCHEMA_PATH by the same command: the schema of variant files (``extends:``)."""
REFERENCE_PATH = "docs/yaml-reference.md"
REGENERATE = f"python -m workforce schema --out {SCHEMA_PATH} --reference {REFERENCE_PATH}"
"""The command that rewrites every generated file."""


def write_generated(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a temporary file beside it, then a rename)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise WorkforceError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a generated file is for everyone to read
        os.replace(tmp, path)
    except OSError as exc:
        raise WorkforceError(f"cannot write {path}: {exc.strerror}; the earlier file is untouched") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
