"""Meta-tests of the layout: shared plumbing imports no app, the control plane imports no tenant-plane app,
and no two modules import each other (directly or in a ring), function-local imports included."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
OUR_PACKAGES = ("core", "tenants", "kpi", "checklist", "integrations", "demo", "config")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in OUR_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that ``path`` imports anywhere in its body (``from a.b import c`` is ``a.b.c`` when that
    is a module, else ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                names.add(candidate if candidate in modules else node.module)
    return {name for name in names if name in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_core_imports_no_app_of_ours() -> None:
    offenders = {
        module: sorted(i for i in imports if not i.startswith("core"))
        for module, imports in _graph().items()
        if module.startswith("core") and any(not i.startswith("core") for i in imports)
    }
    assert not offenders, offenders


def test_the_control_plane_imports_no_tenant_plane_app() -> None:
    tenant_plane = ("kpi", "checklist", "integrations", "demo")
    offenders = {
        module: sorted(i for i in imports if i.startswith(tenant_plane))
        for module, imports in _graph().items()
        if module.startswith("tenants") and any(i.startswith(tenant_plane) for i in imports)
    }
    assert not offenders, offenders


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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


def test_no_import_cycles() -> None:
    graph = _graph()
    # A package's __init__ re-exporting its submodules is not a cycle of code.
    packages = {name for name, path in _modules().items() if path.name == "__init__.py"}
    pruned = {
        m: {t for t in targets if t not in packages} for m, targets in graph.items() if m not in packages
    }
    assert _cycles(pruned) == []


def test_the_cycle_finder_finds_a_ring() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
