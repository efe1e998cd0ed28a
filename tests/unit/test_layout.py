"""The shape of the code (issue 16): no module over 500 lines in bot/, handlers/ and storage/, and no
import cycle among the project's modules, imports inside functions included.

import-linter (`lint-imports`) checks the layers; it does not look for cycles, and a late import inside a
function is how a cycle hides: the module loads, and the two halves still cannot be understood apart.
Imports under ``if TYPE_CHECKING:`` never run and are left out (the emulator hands itself to its control
routes; the routes name its type).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "sandbox", "scripts", "tests")
SIZED = ("bot", "handlers", "storage")
MAX_LINES = 500
# Imports that close a cycle on purpose, each with its reason.
ALLOWED_EDGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int
    late: bool  # inside a function


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts[:2] or "__pycache__" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The most specific project module ``name`` names (as import-linter counts it: ``from a.b import c``
    is an import of a.b.c when that is a module, else of a.b)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _base(module: str, path: Path, level: int, target: str | None) -> str:
    """The absolute module a relative import (``from ..x import y``) starts from."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{target}" if target else package


class _Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[list[str], int, bool]] = []
        self._depth = 0

    def _function(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (
            isinstance(test, ast.Name)
            and test.id == "TYPE_CHECKING"
            or isinstance(test, ast.Attribute)
            and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append(([alias.name for alias in node.names], node.lineno, self._depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append(
            (
                [f"\0{node.level}\0{node.module or ''}\0{alias.name}" for alias in node.names],
                node.lineno,
                self._depth > 0,
            )
        )


def import_graph(modules: dict[str, Path]) -> dict[str, list[Edge]]:
    graph: dict[str, list[Edge]] = {name: [] for name in modules}
    for module, path in modules.items():
        visitor = _Imports()
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for names, line, late in visitor.found:
            for raw in names:
                if raw.startswith("\0"):
                    _, level, target, alias = raw.split("\0")
                    base = _base(module, path, int(level), target or None) if int(level) else target
                    candidates = [f"{base}.{alias}", base]
                else:
                    candidates = [raw]
                for candidate in candidates:
                    imported = _resolve(candidate, modules)
                    if imported is not None:
                        if imported != module:
                            graph[module].append(Edge(module, imported, line, late))
                        break
    return graph


def cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph[node]:
            if (edge.importer, edge.imported) in ALLOWED_EDGES:
                continue
            if edge.imported not in index:
                visit(edge.imported)
                low[node] = min(low[node], low[edge.imported])
            elif edge.imported in on_stack:
                low[node] = min(low[node], index[edge.imported])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(component: list[str], graph: dict[str, list[Edge]]) -> str:
    inside = set(component)
    edges = [edge for name in component for edge in graph[name] if edge.imported in inside]
    return "\n".join(
        f"  {e.importer} -> {e.imported} (line {e.line}{', inside a function' if e.late else ''})" for e in edges
    )


def test_no_import_cycle_among_the_projects_modules() -> None:
    graph = import_graph(project_modules())
    found = cycles(graph)
    assert not found, "import cycles (late imports included):\n" + "\n\n".join(
        _describe(component, graph) for component in found
    )


def test_the_allowed_edges_still_exist() -> None:
    graph = import_graph(project_modules())
    present = {(edge.importer, edge.imported) for edges in graph.values() for edge in edges}
    assert set(ALLOWED_EDGES) <= present, set(ALLOWED_EDGES) - present


def test_no_module_over_500_lines() -> None:
    too_long = {}
    for name, path in project_modules().items():
        if name.split(".")[0] in SIZED:
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert not too_long, f"modules over {MAX_LINES} lines (split them by topic): {too_long}"


# The checks themselves: a cycle through a late import is found, and a relative import resolves.


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from pkg import b\n")
    (tmp_path / "pkg" / "b.py").write_text("def later() -> None:\n    from .a import thing\n")
    (tmp_path / "pkg" / "c.py").write_text("import pkg.a\n")
    return tmp_path


def _modules(root: Path) -> dict[str, Path]:
    return {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p for p in root.rglob("*.py")
    }


def test_a_cycle_closed_by_a_late_relative_import_is_found(tree: Path) -> None:
    graph = import_graph(_modules(tree))
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    assert [(e.imported, e.late) for e in graph["pkg.b"]] == [("pkg.a", True)]
    assert "inside a function" in _describe(["pkg.a", "pkg.b"], graph)


def test_imports_without_a_cycle_pass(tree: Path) -> None:
    (tree / "pkg" / "b.py").write_text("import json\n")
    assert cycles(import_graph(_modules(tree))) == []


def test_an_import_for_the_type_checker_only_is_no_cycle(tree: Path) -> None:
    (tree / "pkg" / "b.py").write_text("import typing\nif typing.TYPE_CHECKING:\n    from pkg.a import thing\n")
    assert cycles(import_graph(_modules(tree))) == []


# --- the domain reads no clock and opens no file -------------------------------------------------------------
CLOCK_CALLS = {"now", "today", "utcnow"}  # on anything: datetime.now(), date.today(), clock.now()
TIME_MODULE_CALLS = {"time", "monotonic", "perf_counter"}  # only as time.time() (a datetime's .time() is no clock)
# "path:function" -> why; the risk engine loads its packaged model once (docs/clinical-rules.md)
DOMAIN_IO_ALLOWED = {
    "bot/domain/risk/classifier.py:load_model": "the shipped model, read once from the package",
    "bot/domain/risk/classifier.py:open_artifact": "opens the model's file for load_model (and for training)",
}


def domain_clock_and_io_calls(source: str) -> list[tuple[str, str, int]]:
    """(function, call, line) of every clock read (``x.now()``, ``date.today()``, ``time.time()`` …) and every
    file opened (``open(...)``, ``x.open(...)``) in a module's source; ``<module>`` outside functions."""
    found: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Call):
            callee = node.func
            if isinstance(callee, ast.Name) and callee.id == "open":
                found.append((function, "open", node.lineno))
            elif isinstance(callee, ast.Attribute) and (
                callee.attr in CLOCK_CALLS
                or callee.attr == "open"
                or (
                    callee.attr in TIME_MODULE_CALLS
                    and isinstance(callee.value, ast.Name)
                    and callee.value.id == "time"
                )
            ):
                found.append((function, callee.attr, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


def test_the_domain_reads_no_clock_and_opens_no_file() -> None:
    unexpected = []
    for path in sorted((ROOT / "bot" / "domain").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for function, call, line in domain_clock_and_io_calls(path.read_text(encoding="utf-8")):
            if f"{relative}:{function}" not in DOMAIN_IO_ALLOWED:
                unexpected.append(f"{relative}:{line} {call}() in {function}")
    assert unexpected == [], "the domain gets time and data as arguments:\n" + "\n".join(unexpected)


def test_the_clock_check_finds_reads_and_opens() -> None:
    source = "import time\ndef f(clock):\n    return time.time()\n\ndef g():\n    return open('x')\n"
    assert domain_clock_and_io_calls(source) == [("f", "time", 3), ("g", "open", 6)]
