"""The olm_data package has no import cycle: olm_data/ and the folders installed into it as olm_data.filters
(filters/) and olm_data.trainer (trainer/).

Every `import` / `from ... import` in every module counts, at module level and inside functions alike: a lazy
import only postpones a cycle, it does not remove it (the modules still depend on each other). Imports under
`if TYPE_CHECKING:` count too: they are part of the design even if they never run. An edge goes to the module
named (`from olm_data.dedup import x` -> olm_data.dedup, or -> olm_data.dedup.x when x is a submodule); the
implicit import of a module's parent packages is not an edge, since a package re-exporting its own submodules
would otherwise always be a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import olm_data

ROOT = Path(olm_data.__file__).parent
# (folder, the package it installs as): pyproject's package-dir puts filters/ and trainer/ inside olm_data
PACKAGES = [
    (ROOT, "olm_data"),
    (ROOT.parent / "filters", "olm_data.filters"),
    (ROOT.parent / "trainer", "olm_data.trainer"),
]


def module_name(path: Path, folder: Path, package: str) -> str:
    parts = (package, *path.relative_to(folder).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p, folder, pkg): p for folder, pkg in PACKAGES for p in folder.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # `import olm_data.x.y` of a name inside olm_data.x
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], _ = 1, path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node], _ = 2, path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_lazy_imports():
    graph = import_graph()
    assert "olm_data.run" in graph["olm_data.cli"]  # cli imports run inside its functions only
    assert "olm_data.runtime" in graph["olm_data.slurm"] and "olm_data.run" not in graph["olm_data.slurm"]
    assert "olm_data.trainer.train" in graph["olm_data.trainer.cli"]  # the installed-into packages are walked too
    assert "olm_data.filters.words" in graph["olm_data.filters.olm_quality"]


def test_no_import_cycle_in_olm_data():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
