"""Fuzz the scenario readers with hypothesis: random and mutated YAML and CSV input must give a
Scenario or a ScenarioError, never any other exception (issue 14, section 5).

Not part of the test suite (it takes minutes). Three targets, each with its own example budget:

* ``yaml``: :func:`workforce.scenario.yamlio.parse_yaml` on random text over YAML's special
  characters and on the corpus base scenario with random cuts, insertions and line swaps;
* ``scenario``: the whole loader (:func:`workforce.scenario.load_scenario`: YAML, ``file:`` CSVs,
  extends, validation) on mutated scenario files with a mutated CSV beside them;
* ``csv``: :func:`workforce.scenario.csvio.read_table_csv` on random bytes and mutated tables.

Run: ``python benchmarks/fuzz_readers.py [examples per target]`` (default 4,000, so 12,000 in all).
It prints the number of examples run per target and any exception that escaped, and exits 1 if one did.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workforce.errors import ScenarioError  # noqa: E402
from workforce.scenario import Scenario, load_scenario  # noqa: E402
from workforce.scenario.csvio import read_table_csv  # noqa: E402
from workforce.scenario.yamlio import parse_yaml  # noqa: E402

BASE = (ROOT / "tests" / "corpus" / "negative-budget" / "scenario.yaml").read_text().replace("-500", "500")
DEMAND = "region,2026,2027,2028\nE1,10,11,12\nE2,20,20,20\n"
PLACES = "region,year,value\nE1,2026,5\nE1,2027,5\nE1,2028,5\nE2,2026,5\nE2,2027,5\nE2,2028,5\n"

SPECIAL = list(":{}[]-&*!|>'\"#%@`,?~=+.\t\n\r 0123456789eE_xyzNO") + ["\\", "\u00a3", "\x00", "\ufeff", "\u202e",
                                                                        "\u200b", "\x7f", "\x1b", "\U0001f600"]
SNIPPETS = [
    "&a", "*a", "!!python/object:os.system", "!!binary", "!!float", "!!int", "!!bool", "!!set", "!!omap", "!x", "<<: {}",
    "? ", "--- ", "...", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", ".nan", ".inf", "-.inf", "0x1F", "0o7", "010", "1_000",
    "12:30", "2026-09-01", "yes", "NO", "~", "null", "1e400", "1e20", "9" * 400, "-0", "0,5", "1,200", "[", "{", "'", '"',
    "file: x.csv", "file: ../../etc/passwd.csv", "file: /abs.csv", "file: data", "file: /dev/zero", "extends: s.yaml",
    "extends: data", "\n  ", "\n\t", '"\\0"', '"\\r"', "\u202e", "null: 1", "? [a]: 1",
]
CSV_CHARS = list(",;\"'\n\r\t 0123456789.-+eE%NAregionyearvalu") + ["\x00", "\ufeff", "\u00a3"]
CSV_SNIPPETS = ["1e20", "-1", "NA", "1,200", '"276,1"', "2026", "E1", "region", "value", "\r\n", '"a\nb"', "=1+1"]

escaped: list[str] = []
counts: Counter[str] = Counter()


@st.composite
def mutated(draw, text: str, alphabet: list[str], snippets: list[str]) -> str:
    """``text`` with 1 to 4 random cuts, insertions, line swaps or re-indents."""
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        kind = draw(st.sampled_from(["insert", "delete", "replace-line", "duplicate-line", "indent", "swap"]))
        if kind == "insert":
            pos = draw(st.integers(0, len(text)))
            piece = draw(st.text(st.sampled_from(alphabet), min_size=1, max_size=12) | st.sampled_from(snippets))
            text = text[:pos] + piece + text[pos:]
        elif kind == "delete":
            a = draw(st.integers(0, len(text)))
            text = text[:a] + text[a + draw(st.integers(1, 20)):]
        elif kind == "replace-line":
            lines[i] = draw(st.text(st.sampled_from(alphabet), max_size=30) | st.sampled_from(snippets))
            text = "\n".join(lines)
        elif kind == "duplicate-line":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 7)) + lines[i].lstrip()
            text = "\n".join(lines)
        else:
            j = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


def record(target: str, action) -> None:
    counts[target] += 1
    try:
        result = action()
    except ScenarioError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        str(exc)
        return
    except Exception:  # the finding this script exists for
        escaped.append(f"{target}: {traceback.format_exc()}")
        return
    if target == "scenario":
        assert isinstance(result, Scenario)


def run(target: str, examples: int, strategy, body) -> None:
    test = settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))(given(strategy)(body))
    started = time.perf_counter()
    test()
    print(f"{target}: {counts[target]:,} examples in {time.perf_counter() - started:.0f} s")


def main() -> int:
    per_target = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    yaml_text = (st.text(st.sampled_from(SPECIAL), max_size=200)
                 | mutated(BASE, SPECIAL, SNIPPETS)
                 | st.lists(st.sampled_from(SNIPPETS), max_size=8).map(" ".join))
    run("yaml", per_target, yaml_text, lambda text: record("yaml", lambda: parse_yaml(text, "fuzz.yaml")))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def load(text: str, demand: str) -> None:
            (folder / "data").mkdir(exist_ok=True)
            (folder / "s.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
            (folder / "data" / "demand.csv").write_bytes(demand.encode("utf-8", "surrogatepass"))
            (folder / "data" / "places.csv").write_text(PLACES)
            record("scenario", lambda: load_scenario(folder / "s.yaml"))

        run("scenario", per_target, st.tuples(mutated(BASE, SPECIAL, SNIPPETS), mutated(DEMAND, CSV_CHARS, CSV_SNIPPETS)),
            lambda pair: load(*pair))

        def table(raw: bytes) -> None:
            (folder / "t.csv").write_bytes(raw)
            record("csv", lambda: read_table_csv(folder / "t.csv", "t.csv"))

        csv_bytes = (st.binary(max_size=200)
                     | mutated(DEMAND, CSV_CHARS, CSV_SNIPPETS).map(lambda t: t.encode("utf-8", "surrogatepass"))
                     | mutated(PLACES, CSV_CHARS, CSV_SNIPPETS).map(lambda t: t.encode("utf-8", "surrogatepass")))
        run("csv", per_target, csv_bytes, table)

    print(f"total: {sum(counts.values()):,} examples; exceptions other than ScenarioError: {len(escaped)}")
    for text in escaped[:5]:
        print(text)
    return 1 if escaped else 0


if __name__ == "__main__":
    sys.exit(main())
