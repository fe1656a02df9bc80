"""Every module under bot/ imports on its own, and the core's modules import each other without
a cycle (type-only imports included: one runtime import along such a cycle and a module no
longer imports on its own, as `bot.digest.figures` did through `bot.ports`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bot"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_module(p) for p in CORE.rglob("*.py") if p.name != "__main__.py")


def _top_level_imports(path: Path) -> set[str]:
    """The bot modules `path` imports when it loads, or for its type hints (TYPE_CHECKING
    blocks); not imports inside functions, which run later."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    return found & set(MODULES)


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = {
        _module(p): _top_level_imports(p) for p in CORE.rglob("*.py") if p.name != "__main__.py"
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_the_core_modules_import_each_other_without_a_cycle() -> None:
    assert _cycles() == []


_EACH_ON_ITS_OWN = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "bot" or m.startswith("bot.")]:
        del sys.modules[loaded]  # as in a fresh interpreter, for our own modules
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_each_module_imports_on_its_own() -> None:
    """Each module first, with none of bot's modules loaded before it (one interpreter: the
    third-party libraries stay loaded, which cannot hide a cycle among ours)."""
    done = subprocess.run(
        [sys.executable, "-c", _EACH_ON_ITS_OWN, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
