"""Every script under benchmarks/ imports (its `main` is not run): a name the core moved or
renamed breaks `make test` here rather than the next `make bench`.

Each is loaded as `python benchmarks/<name>.py` would load it: with benchmarks/ first on the
path (for `from _matching_data import …`) and the repository root on it (for
`from benchmarks._databases import …`, `bot`, `storage`, `tests`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("*.py"))


def test_there_are_benchmarks_to_import() -> None:
    assert {p.stem for p in SCRIPTS} >= {"sweep", "flow", "_databases"}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_benchmark_imports(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    name = f"_benchmark_{script.stem}"  # not "__main__": the script's main() does not run
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # dataclasses look their module up here
    spec.loader.exec_module(module)
