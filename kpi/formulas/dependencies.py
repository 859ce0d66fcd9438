"""Order derived KPIs so that every formula is evaluated after the ones it reads."""

from collections.abc import Iterator, Mapping, Set

from .errors import FormulaError
from .nodes import iter_names
from .parser import Formula


def dependency_order(formulas: Mapping[str, Formula], base_names: Set[str]) -> list[str]:
    """Derived keys (those of ``formulas``), each after every derived key it references.

    Raises ``FormulaError("unknown_name")`` for a reference that is neither base nor derived and
    ``FormulaError("cycle")`` with ``params["path"]`` such as ``["a", "b", "a"]``. The order is
    deterministic (keys are visited alphabetically).
    """
    for key in sorted(formulas):
        for name in iter_names(formulas[key].tree):
            if name.key not in formulas and name.key not in base_names:
                params = {"name": name.key, "formula": key}
                raise FormulaError("unknown_name", column=name.column, params=params, detail="in_formula")

    def derived_references(key: str) -> Iterator[str]:
        return iter(sorted(name for name in formulas[key].references if name in formulas))

    order: list[str] = []
    done: set[str] = set()
    # Iterative depth-first search: a long chain of KPIs must not hit Python's recursion limit.
    for root in sorted(formulas):
        if root in done:
            continue
        path = [root]
        stack = [derived_references(root)]
        while stack:
            for dependency in stack[-1]:
                if dependency in path:
                    cycle = [*path[path.index(dependency) :], dependency]
                    raise FormulaError("cycle", params={"path": cycle})
                if dependency not in done:
                    path.append(dependency)
                    stack.append(derived_references(dependency))
                    break
            else:
                stack.pop()
                finished = path.pop()
                done.add(finished)
                order.append(finished)
    return order
