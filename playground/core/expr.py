"""Typed formulas, parsed safely into a tree of operations and evaluated on torch tensors.

A formula such as ``(1 - x)^2 + 100*(y - x^2)^2`` is read by Python's ``ast`` parser and then
walked node by node against an explicit whitelist: numbers, the named inputs, + − * / ^ (or **),
unary minus and the functions in `FUNCTIONS`. Anything else (attribute access, subscripts,
calls of other names, strings, lambdas, comprehensions, imports ...) is refused with a message
that says what was found and what is allowed. User text is never handed to eval, exec or
compile: only `ast.parse` reads it, and the tree we build from it is the only thing evaluated.

The tree (`Node`: an op name and its children) is the computational graph of the formula, so a
view can draw it; `Expression.evaluate` runs it on tensors, so autograd gives the gradients.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch

from .errors import PlaygroundError

MAX_LENGTH = 500  # characters of formula text
MAX_DEPTH = 40  # nesting depth of the operation tree
MAX_NODES = 400  # operations in the tree


class ExpressionError(PlaygroundError):
    """A typed formula cannot be used; the message says what was found and what is allowed."""


def _prelu(a: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    """PReLU(a) = a for a >= 0, slope·a below (notes 002)."""
    return torch.where(a >= 0, a, slope * a)


def _elu(a: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """ELU(a) = a for a >= 0, α(eᵃ − 1) below (notes 002); the clamp keeps the unused branch
    finite, so its zero gradient stays zero instead of 0·inf."""
    return torch.where(a >= 0, a, alpha * torch.expm1(torch.clamp(a, max=0.0)))


# name -> (number of arguments, torch function)
FUNCTIONS: dict[str, tuple[int, Callable[..., torch.Tensor]]] = {
    "exp": (1, torch.exp),
    "log": (1, torch.log),
    "sin": (1, torch.sin),
    "cos": (1, torch.cos),
    "tanh": (1, torch.tanh),
    "sigmoid": (1, torch.sigmoid),
    "abs": (1, torch.abs),
    "sqrt": (1, torch.sqrt),
    "max": (2, torch.maximum),
    "min": (2, torch.minimum),
    "prelu": (2, _prelu),
    "elu": (2, _elu),
}

CONSTANTS = {"pi": 3.141592653589793, "e": 2.718281828459045}

# op name -> (symbol shown, torch function of the children)
BINARY = {
    ast.Add: ("add", "+"),
    ast.Sub: ("sub", "−"),
    ast.Mult: ("mul", "×"),
    ast.Div: ("div", "/"),
    ast.Pow: ("pow", "^"),
}

_APPLY: dict[str, Callable[..., torch.Tensor]] = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": torch.pow,
    "neg": torch.neg,
    **{name: fn for name, (_, fn) in FUNCTIONS.items()},
}

def apply(op: str, *args: torch.Tensor) -> torch.Tensor:
    """One operation of a tree (`Node.op`, not a number or a variable) on its inputs' values."""
    return _APPLY[op](*args)


SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "/", "pow": "^", "neg": "−"}

ALLOWED = ("numbers, the inputs {names}, + - * / ^ (or **), unary minus, pi, e and the "
           "functions " + ", ".join(f"{n}({'a, b' if k == 2 else 'a'})"
                                    for n, (k, _) in FUNCTIONS.items()))


@dataclass(frozen=True)
class Node:
    """One operation of a formula.

    `op` is ``"number"`` (with `value`), ``"variable"`` (with `name`), an operator
    (``add sub mul div pow neg``) or a function name from `FUNCTIONS`; `children` are its inputs
    in order.
    """

    op: str
    children: tuple[Node, ...] = ()
    value: float | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """What a drawn graph writes in this node: the number, the name, or the operation."""
        if self.op == "number":
            return f"{self.value:g}"
        if self.op == "variable":
            return str(self.name)
        return SYMBOLS.get(self.op, self.op)

    def walk(self) -> Iterator[Node]:
        """This node and all below it, children before parents (the order of a forward pass)."""
        for child in self.children:
            yield from child.walk()
        yield self


@dataclass(frozen=True)
class Expression:
    """A parsed formula: its text, the inputs it may use, and its operation tree."""

    text: str
    variables: tuple[str, ...]
    root: Node

    def evaluate(self, **inputs: torch.Tensor | float) -> torch.Tensor:
        """The formula's value for tensors (or numbers) given by input name; broadcasts."""
        missing = [v for v in self.used if v not in inputs]
        if missing:
            raise ExpressionError(f"formula {self.text!r}: no value given for "
                                  f"{', '.join(missing)}")
        # numbers take the inputs' dtype and device, so float32 grids stay float32
        like = next((t for t in inputs.values() if isinstance(t, torch.Tensor)), None)
        kind = {"dtype": like.dtype, "device": like.device} if like is not None else {
            "dtype": torch.float64}
        return _evaluate(self.root, inputs, kind)

    def __call__(self, **inputs: torch.Tensor | float) -> torch.Tensor:
        return self.evaluate(**inputs)

    @property
    def used(self) -> tuple[str, ...]:
        """The inputs that actually appear in the formula, in the order of `variables`."""
        seen = {n.name for n in self.root.walk() if n.op == "variable"}
        return tuple(v for v in self.variables if v in seen)


def _evaluate(node: Node, inputs: dict, kind: dict) -> torch.Tensor:
    if node.op == "number":
        return torch.tensor(node.value, **kind)
    if node.op == "variable":
        value = inputs[node.name]
        return value if isinstance(value, torch.Tensor) else torch.tensor(float(value), **kind)
    args = [_evaluate(child, inputs, kind) for child in node.children]
    return _APPLY[node.op](*args)


def parse(text: str, variables: Sequence[str] = ("x", "y")) -> Expression:
    """Parse a formula over the named inputs; raises ExpressionError saying what is wrong."""
    if not isinstance(text, str):
        raise ExpressionError(f"a formula must be text, got {type(text).__name__}")
    variables = tuple(variables)
    for v in variables:
        if not v.isidentifier() or v in FUNCTIONS or v in CONSTANTS:
            raise ExpressionError(f"input name {v!r} cannot be used (it must be a plain name, "
                                  f"not a function or constant)")
    source = text.strip()
    if not source:
        raise ExpressionError("the formula is empty; type one, e.g. x^2 + y^2")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the formula is {len(source)} characters long; at most "
                              f"{MAX_LENGTH} are allowed")
    if _nesting(source) > MAX_DEPTH:
        raise ExpressionError(f"the formula nests parentheses more than {MAX_DEPTH} deep")
    # '^' means power, as in the notes; Python's '^' (xor) is never wanted in a formula.
    try:
        tree = ast.parse(source.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"formula {text!r} is not a valid expression{where}; "
                              f"use {ALLOWED.format(names=', '.join(variables))}") from None
    builder = _Builder(text, variables)
    root = builder.build(tree.body, 1)
    return Expression(text=source, variables=variables, root=root)


def _nesting(source: str) -> int:
    depth = deepest = 0
    for ch in source:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


class _Builder:
    """Walks Python's syntax tree, accepting only whitelisted node types."""

    def __init__(self, text: str, variables: tuple[str, ...]):
        self.text = text
        self.variables = variables
        self.count = 0

    def refuse(self, what: str) -> ExpressionError:
        allowed = ALLOWED.format(names=", ".join(self.variables) or "(none)")
        return ExpressionError(f"formula {self.text!r}: {what} is not allowed; use {allowed}")

    def build(self, node: ast.AST, depth: int) -> Node:
        self.count += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(f"formula {self.text!r} nests more than {MAX_DEPTH} "
                                  f"operations deep; simplify it")
        if self.count > MAX_NODES:
            raise ExpressionError(f"formula {self.text!r} has more than {MAX_NODES} "
                                  f"operations; simplify it")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.refuse(f"the constant {value!r}")
            try:
                number = float(value)
            except OverflowError:
                number = float("inf")
            if not math.isfinite(number):
                raise ExpressionError(f"formula {self.text!r}: the number {str(value)[:20]} is "
                                      f"too large; use numbers below 1e308")
            return Node("number", value=number)
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return Node("variable", name=node.id)
            if node.id in CONSTANTS:
                return Node("number", value=CONSTANTS[node.id])
            if node.id in FUNCTIONS:
                raise self.refuse(f"the function {node.id} without arguments")
            raise self.refuse(f"the name {node.id!r}")
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            op = BINARY[type(node.op)][0]
            return Node(op, (self.build(node.left, depth + 1), self.build(node.right, depth + 1)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return inner
            if inner.op == "number":
                return Node("number", value=-inner.value)
            return Node("neg", (inner,))
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.refuse(_describe(node))

    def call(self, node: ast.Call, depth: int) -> Node:
        if isinstance(node.func, ast.Attribute):
            raise self.refuse(f"calling the method .{node.func.attr}()")
        if not isinstance(node.func, ast.Name):
            raise self.refuse(f"calling the result of {_describe(node.func)}")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.refuse(f"calling {name}()")
        if node.keywords:
            raise self.refuse(f"a named argument in {name}()")
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"formula {self.text!r}: {name}() takes {arity} "
                                  f"argument{'s' if arity > 1 else ''}, got {len(node.args)}")
        return Node(name, tuple(self.build(a, depth + 1) for a in node.args))


_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "indexing (a[b])",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "a string",
    ast.NamedExpr: "an assignment (:=)",
    ast.Starred: "unpacking (*)",
    ast.Await: "await",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__}"
    return _DESCRIPTIONS.get(type(node), f"a {type(node).__name__} expression")
