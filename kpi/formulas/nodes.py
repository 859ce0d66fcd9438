"""The immutable expression tree a parsed formula is made of.

The parser translates Python's ``ast`` into these nodes once; evaluation only ever walks this tree.
``column`` is the 1-based position of the node in the formula text.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    column: int


@dataclass(frozen=True, slots=True)
class Name:
    key: str
    column: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: "Node"
    column: int


@dataclass(frozen=True, slots=True)
class Binary:
    operator: str  # one of + - * /
    left: "Node"
    right: "Node"
    column: int  # of the operator symbol


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple["Node", ...]
    column: int


Node = Number | Name | Negate | Binary | Call


def iter_names(node: Node) -> Iterator[Name]:
    """Yield the names of a tree in the order they appear in the formula text."""
    match node:
        case Name():
            yield node
        case Negate(operand=operand):
            yield from iter_names(operand)
        case Binary(left=left, right=right):
            yield from iter_names(left)
            yield from iter_names(right)
        case Call(args=args):
            for arg in args:
                yield from iter_names(arg)
        case Number():
            pass
