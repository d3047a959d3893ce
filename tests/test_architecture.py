"""The package layout is the architecture: floors whose imports only point down, no cycles.

The imports are read from the source (every ``import`` and ``from … import``, including those
inside functions and under ``TYPE_CHECKING``), so a lazy import cannot hide an arrow upwards.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Lowest first. A module may import modules of its own floor or of any floor below.
FLOORS: list[tuple[str, ...]] = [
    ("generator", "generator.parallel", "generator.progress"),
    ("generator.content",),
    ("generator.site",),
    ("generator.render",),
    ("generator.outputs",),
    ("generator.editing",),
    ("generator.mkdocs_plugin",),
    ("generator.cli",),
]
# Only the MkDocs integration (and the command that starts MkDocs) may import MkDocs or Material.
MKDOCS_ALLOWED = ("generator.mkdocs_plugin", "generator.cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of everything the module imports (modules, or packages and names)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {
    name: {imported for imported in imports_of(path) if imported in MODULES and imported != name}
    for name, path in MODULES.items()
}


def floor_of(module: str) -> int:
    best, floor = -1, -1
    for number, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, floor = len(prefix), number
    return floor


def test_every_module_has_a_floor() -> None:
    assert all(floor_of(name) >= 0 for name in MODULES)
    assert floor_of("generator.content.models") == 1
    assert floor_of("generator.outputs.search.index") == 4


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    upward = sorted(target for target in GRAPH[module] if floor_of(target) > floor_of(module))
    assert not upward, f"{module} (floor {floor_of(module)}) imports a higher floor: {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_integration_imports_mkdocs(module: str) -> None:
    if module.startswith(MKDOCS_ALLOWED):
        return
    third_party = {name.split(".")[0] for name in imports_of(MODULES[module])}
    assert not third_party & {"mkdocs", "material"}, f"{module} imports MkDocs"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that starts and ends at the same module, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
