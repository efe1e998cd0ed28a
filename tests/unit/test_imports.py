"""Imports stay at the top of a module, and the project's modules import each other without a cycle.

An import inside a function is a cycle in disguise (or a start-up cost hidden in a call): every
one in bot/services, bot/domain, handlers and storage must be on the short list below, with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("bot/services", "bot/domain", "handlers", "storage")

# "path:function" → why the import waits for the call. Keep it short; bot/services has none.
ALLOWED_LATE_IMPORTS = {
    "storage/migrate.py:alembic_config": "alembic is loaded only by the commands that migrate",
    "storage/migrate.py:_upgrade_unless_current": "alembic is loaded only by the commands that migrate",
}


def _python_files(*folders: str) -> list[Path]:
    return sorted(
        path for folder in folders for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts
    )


def late_imports(source: str) -> list[tuple[str, int]]:
    """(function name, line) of every import statement inside a function body."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.append((function.name, node.lineno))
    return found


def test_no_function_imports_a_module_unless_listed_with_a_reason() -> None:
    unexpected = []
    for path in _python_files(*CHECKED):
        relative = path.relative_to(ROOT).as_posix()
        for function, line in late_imports(path.read_text(encoding="utf-8")):
            if f"{relative}:{function}" not in ALLOWED_LATE_IMPORTS:
                unexpected.append(f"{relative}:{line} in {function}()")
    assert unexpected == [], "imports inside functions (move them to the top, or break the cycle):\n" + "\n".join(
        unexpected
    )


def test_the_late_import_check_finds_one() -> None:
    source = (
        "import os\n\ndef f():\n    from bot.services import conversation\n    return conversation\n\n"
        "class C:\n    async def g(self):\n        import json\n"
    )
    assert late_imports(source) == [("f", 4), ("g", 9)]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(paths: list[Path]) -> dict[str, set[str]]:
    """module → the project modules it imports, at the top or anywhere else."""
    names = {_module_name(path): path for path in paths}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name in names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    kept = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*kept, base] if base else kept)
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in names else base)
        graph[name] = {target for target in targets if target in names and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_services_handlers_and_domain_import_without_a_cycle() -> None:
    graph = import_graph(_python_files("bot", "handlers", "storage"))
    watched = ("bot.services", "bot.domain", "handlers")
    assert [group for group in cycles(graph) if any(name.startswith(watched) for name in group)] == []


def test_the_cycle_check_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
