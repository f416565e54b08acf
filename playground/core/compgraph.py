"""The computational graph of a formula, evaluated forward and differentiated in both modes.

A formula (see `expr`) becomes a graph of operations: its inputs and numbers are the leaves, and
each operation is a node ξk computed from its operands. An operation used twice (an input, or a
repeated sub-formula) is one node with two children, so its adjoint is a sum (notes 000: the
forward and reverse tables; 001 lecture 6; 002's gates).

Words, as in the notes: a node's *operands* are the nodes it is computed from; its *children*
are the nodes that use it. The *local derivative* ∂ξj/∂ξi belongs to the edge i → j.

- forward pass: each node's value, leaves first;
- forward mode: the tangent dξ/d(one input), carried along with the values; one sweep per input;
- reverse mode: the adjoint dL/dξi = Σ over children j of dL/dξj · ∂ξj/∂ξi, output first
  (seeded with 1); one sweep gives the derivative for every input at once.

Values and local derivatives are computed in float64 by our own derivative rules; tests check
them against torch autograd and finite differences of the same formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from .errors import SpecError, quote
from .expr import SYMBOLS, Expression, ExpressionError, Node, apply, parse

MAX_INPUTS = 20

Rule = Callable[..., tuple[torch.Tensor, ...]]


def _where(cond, a, b) -> torch.Tensor:
    one = torch.ones((), dtype=torch.float64)
    return torch.where(cond, a * one, b * one)


# op -> (local-derivative formula per operand, rule(value, *operands) -> ∂value/∂operand each).
# Formulas name operands {0}, {1}; at ties max/min split the derivative evenly, as torch does.
LOCAL_RULES: dict[str, tuple[tuple[str, ...], Rule]] = {
    "add": (("1", "1"), lambda v, a, b: (a * 0 + 1, b * 0 + 1)),
    "sub": (("1", "−1"), lambda v, a, b: (a * 0 + 1, b * 0 - 1)),
    "mul": (("{1}", "{0}"), lambda v, a, b: (b, a)),
    "div": (("1/{1}", "−{0}/{1}²"), lambda v, a, b: (1 / b, -a / b**2)),
    "pow": (("{1}·{0}^({1} − 1)", "{0}^{1}·ln {0}"),
            lambda v, a, b: (b * a ** (b - 1), v * torch.log(a))),
    "neg": (("−1",), lambda v, a: (a * 0 - 1,)),
    "exp": (("e^{0}",), lambda v, a: (v,)),
    "log": (("1/{0}",), lambda v, a: (1 / a,)),
    "sin": (("cos {0}",), lambda v, a: (torch.cos(a),)),
    "cos": (("−sin {0}",), lambda v, a: (-torch.sin(a),)),
    "tanh": (("1 − tanh²({0})",), lambda v, a: (1 - v**2,)),
    "sigmoid": (("σ({0})(1 − σ({0}))",), lambda v, a: (v * (1 - v),)),
    "abs": (("sign {0}",), lambda v, a: (torch.sign(a),)),
    "sqrt": (("1/(2√{0})",), lambda v, a: (0.5 / v,)),
    "max": (("1 if {0} > {1}", "1 if {1} > {0}"),
            lambda v, a, b: (_where(a > b, 1.0, _where(a == b, 0.5, 0.0)),
                             _where(b > a, 1.0, _where(a == b, 0.5, 0.0)))),
    "min": (("1 if {0} < {1}", "1 if {1} < {0}"),
            lambda v, a, b: (_where(a < b, 1.0, _where(a == b, 0.5, 0.0)),
                             _where(b < a, 1.0, _where(a == b, 0.5, 0.0)))),
    "prelu": (("1 if {0} ≥ 0, else {1}", "{0} if {0} < 0, else 0"),
              lambda v, a, s: (_where(a >= 0, 1.0, s), _where(a >= 0, 0.0, a))),
    "elu": (("1 if {0} ≥ 0, else {1}·e^{0}", "e^{0} − 1 if {0} < 0, else 0"),
            lambda v, a, s: (_where(a >= 0, 1.0, s * torch.exp(torch.clamp(a, max=0.0))),
                             _where(a >= 0, 0.0, torch.expm1(torch.clamp(a, max=0.0))))),
}


@dataclass(frozen=True)
class AdjointTerm:
    """One child's share of a node's adjoint: dL/dξchild · ∂ξchild/∂ξnode."""

    child: int
    child_adjoint: float
    local: float

    @property
    def product(self) -> float:
        return self.child_adjoint * self.local


@dataclass(frozen=True)
class GraphNode:
    """One node: a leaf (an input or a number) or an operation ξk on its operands."""

    index: int
    op: str  # "variable", "number", or an operation of `expr`
    name: str  # the input's name, the number, or ξk
    label: str  # what the drawn node shows: the name, the number or the operation's symbol
    definition: str  # "ξ3 = 1 + ξ2"
    operands: tuple[int, ...]
    children: tuple[int, ...]
    depth: int  # 0 for leaves, 1 + the deepest operand otherwise: the drawn layer
    value: float
    local: tuple[float, ...]  # ∂ξ/∂operand, per operand (nan for operands that hold no input)
    local_formula: tuple[str, ...]
    active: bool  # depends on at least one input, so it has a tangent and an adjoint
    tangent: float  # dξ/d(chosen input), forward mode
    adjoint: float  # dL/dξ, reverse mode (nan when not active)
    terms: tuple[AdjointTerm, ...]  # the sum over children that makes the adjoint

    @property
    def is_leaf(self) -> bool:
        return not self.operands


@dataclass(frozen=True)
class Step:
    """One step of the walk-through: the forward pass fills `node`'s value (and tangent), the
    reverse pass its adjoint."""

    phase: str  # "forward" or "reverse"
    node: int


@dataclass(frozen=True)
class OperationCounts:
    """What each mode costs for the whole gradient (notes 000: reverse mode wins with many
    inputs). `operations` N evaluations per forward sweep, `products` E local-derivative
    products (one per edge between nodes that hold an input) per derivative sweep."""

    inputs: int
    operations: int
    products: int

    @property
    def forward_mode(self) -> int:
        """One sweep per input, each evaluating the N operations with their E products."""
        return self.inputs * (self.operations + self.products)

    @property
    def reverse_mode(self) -> int:
        """One forward sweep (N, values kept) and one backward sweep (E), for any number of
        inputs."""
        return self.operations + self.products


@dataclass(frozen=True)
class CompGraph:
    expression: Expression
    inputs: dict[str, float]
    wrt: str  # the input of the forward-mode tangent column
    nodes: tuple[GraphNode, ...]  # inputs, numbers, then operations in the order computed
    output: int

    @property
    def value(self) -> float:
        return self.nodes[self.output].value

    @property
    def gradient(self) -> dict[str, float]:
        """dL/d(input) for each input of the formula, from reverse mode."""
        return {n.name: n.adjoint for n in self.nodes if n.op == "variable"}

    @property
    def steps(self) -> tuple[Step, ...]:
        """The forward pass over the operations, then the reverse pass from the output."""
        forward = [Step("forward", n.index) for n in self.nodes if not n.is_leaf]
        reverse = [Step("reverse", n.index) for n in reversed(self.nodes) if n.active]
        return tuple(forward + reverse)

    def filled(self, k: int) -> tuple[frozenset[int], frozenset[int]]:
        """(nodes whose value is known, nodes whose adjoint is known) after the first k steps."""
        done = self.steps[:max(0, k)]
        values = {n.index for n in self.nodes if n.is_leaf}
        values |= {s.node for s in done if s.phase == "forward"}
        return frozenset(values), frozenset(s.node for s in done if s.phase == "reverse")

    @property
    def counts(self) -> OperationCounts:
        used = sum(1 for n in self.nodes if n.op == "variable")
        ops = [n for n in self.nodes if not n.is_leaf]
        products = sum(1 for n in ops if n.active for i in n.operands if self.nodes[i].active)
        return OperationCounts(used, len(ops), products)

    def layout(self) -> dict[int, tuple[float, float]]:
        """(layer, row) of each node. Operations sit in the layer of their depth; a leaf sits
        just before its first user, so a number stays beside the operation it feeds. Rows follow
        the operands' mean row (fewer crossings), centred on 0 in each layer."""
        layer = {n.index: float(n.depth) for n in self.nodes}
        for n in self.nodes:
            if n.is_leaf and n.children:
                layer[n.index] = min(self.nodes[c].depth for c in n.children) - 1.0
        rows: dict[int, float] = {}
        for depth in range(self.nodes[self.output].depth + 1):
            members = [n for n in self.nodes if layer[n.index] == depth]
            members.sort(key=lambda n: sum(rows[i] for i in n.operands) / len(n.operands)
                         if n.operands else self._first_use(n))
            for r, n in enumerate(members):
                rows[n.index] = r - (len(members) - 1) / 2
        return {i: (layer[i], rows[i]) for i in layer}

    def _first_use(self, leaf: GraphNode) -> float:
        return float(min(leaf.children, default=leaf.index))


def build(text: str, inputs: Mapping[str, float], wrt: str | None = None) -> CompGraph:
    """The graph of `text` over the named inputs at their values, with every table filled.
    Raises ExpressionError (saying what is wrong) for a formula that cannot be used."""
    inputs = {name: float(v) for name, v in inputs.items()}
    expression = parse(text, tuple(inputs))
    order = _order(expression)
    used = [n.name for n in order if n.op == "variable"]
    if wrt not in used:
        wrt = used[0] if used else ""
    index = {node: i for i, node in enumerate(order)}
    names = _names(order)
    values: list[torch.Tensor] = []
    for node in order:
        if node.op == "variable":
            values.append(torch.tensor(inputs[node.name], dtype=torch.float64))
        elif node.op == "number":
            values.append(torch.tensor(node.value, dtype=torch.float64))
        else:
            values.append(apply(node.op, *(values[index[c]] for c in node.children)))
    n = len(order)
    operands = [tuple(index[c] for c in node.children) for node in order]
    active = [False] * n
    depth = [0] * n
    local: list[tuple[float, ...]] = []
    tangent = [0.0] * n
    for i, node in enumerate(order):
        active[i] = node.op == "variable" or any(active[j] for j in operands[i])
        depth[i] = 1 + max((depth[j] for j in operands[i]), default=-1)
        if not operands[i]:
            local.append(())
            tangent[i] = float(node.op == "variable" and node.name == wrt)
            continue
        rule = LOCAL_RULES[node.op][1](values[i], *(values[j] for j in operands[i]))
        local.append(tuple(float(d) if active[j] else math.nan
                           for d, j in zip(rule, operands[i], strict=True)))
        tangent[i] = sum(d * tangent[j] for d, j in zip(local[i], operands[i], strict=True)
                         if active[j])
    adjoint = [math.nan] * n
    terms: list[list[AdjointTerm]] = [[] for _ in range(n)]
    if active[n - 1]:
        adjoint[n - 1] = 1.0
    for j in reversed(range(n)):  # children come after their operands, so theirs are final
        if j < n - 1 and active[j]:
            adjoint[j] = sum(t.product for t in terms[j])
        for d, i in zip(local[j], operands[j], strict=True):
            if active[i]:
                terms[i].append(AdjointTerm(j, adjoint[j], d))
    children = [tuple(sorted({j for j in range(n) if i in operands[j]})) for i in range(n)]
    nodes = tuple(GraphNode(
        index=i, op=node.op, name=names[i], label=_label(node),
        definition=_definition(node, names[i], [names[j] for j in operands[i]]),
        operands=operands[i], children=children[i], depth=depth[i], value=float(values[i]),
        local=local[i], local_formula=_formulas(node, [names[j] for j in operands[i]]),
        active=active[i], tangent=tangent[i], adjoint=adjoint[i], terms=tuple(terms[i]))
        for i, node in enumerate(order))
    return CompGraph(expression, {k: v for k, v in inputs.items() if k in used}, wrt, nodes,
                     n - 1)


def _order(expression: Expression) -> list[Node]:
    """Distinct nodes: the inputs (in the order given), numbers, then operations in the order
    a forward pass computes them. Equal sub-formulas are one node."""
    seen: dict[Node, None] = {}
    for node in expression.root.walk():
        seen.setdefault(node)
    leaves = [n for n in seen if n.op == "variable"]
    leaves.sort(key=lambda n: expression.variables.index(n.name))
    return (leaves + [n for n in seen if n.op == "number"]
            + [n for n in seen if n.children])


def _names(order: list[Node]) -> list[str]:
    names, k = [], 0
    for node in order:
        if node.children:
            k += 1
            names.append(f"ξ{k}")
        else:
            names.append(node.label)
    return names


def _label(node: Node) -> str:
    return SYMBOLS.get(node.op, node.op) if node.children else node.label


def _definition(node: Node, name: str, args: list[str]) -> str:
    if not node.children:
        return name
    if node.op == "neg":
        return f"{name} = −{args[0]}"
    if node.op in SYMBOLS:
        return f"{name} = {args[0]} {SYMBOLS[node.op]} {args[1]}"
    return f"{name} = {node.op}({', '.join(args)})"


def _formulas(node: Node, args: list[str]) -> tuple[str, ...]:
    if not node.children:
        return ()
    return tuple(f.format(*args) for f in LOCAL_RULES[node.op][0])


# ------------------------------------------------------------------------------ checks


def autograd_gradient(graph: CompGraph) -> dict[str, float]:
    """The same derivatives from torch autograd on the formula's own evaluation."""
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in graph.inputs.items()}
    if not leaves:
        return {}
    grads = torch.autograd.grad(graph.expression.evaluate(**leaves), list(leaves.values()),
                                allow_unused=True)
    return {k: 0.0 if g is None else float(g) for k, g in zip(leaves, grads, strict=True)}


def finite_difference_gradient(graph: CompGraph, step: float = 1e-6) -> dict[str, float]:
    """Central differences (f(x + h) − f(x − h)) / 2h, with h relative to |x|."""
    out = {}
    for name, x in graph.inputs.items():
        h = step * max(1.0, abs(x))
        at = {k: torch.tensor(v, dtype=torch.float64) for k, v in graph.inputs.items()}
        up = graph.expression.evaluate(**{**at, name: torch.tensor(x + h, dtype=torch.float64)})
        down = graph.expression.evaluate(**{**at, name: torch.tensor(x - h,
                                                                     dtype=torch.float64)})
        out[name] = float(up - down) / (2 * h)
    return out


# ------------------------------------------------------------------------------ inputs

_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(\S+)\s*$")


def parse_inputs(text: str) -> dict[str, float]:
    """``"x = -2, y = 5"`` -> {"x": -2.0, "y": 5.0}; raises ExpressionError naming the field."""
    out: dict[str, float] = {}
    for part in filter(str.strip, re.split(r"[,;]", text)):
        m = _ASSIGNMENT.match(part)
        number = _number(m.group(2)) if m else None
        if number is None:
            raise ExpressionError(f"inputs: {part.strip()!r} is not 'name = number'; write "
                                  f"them like x = -2, y = 5, z = -4")
        out[m.group(1)] = number
    return inputs_from_json(out, "inputs", ExpressionError)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def inputs_from_json(raw: Any, path: str, error: type = SpecError) -> dict[str, float]:
    """The named input values of an experiment's graph lab: {name: finite number}."""
    def fail(message: str):
        return error(path, message) if error is SpecError else error(f"{path}: {message}")

    if not isinstance(raw, dict) or not raw:
        raise fail("give at least one named input value, e.g. {\"x\": -2}")
    if len(raw) > MAX_INPUTS:
        raise fail(f"{len(raw)} inputs; at most {MAX_INPUTS} are allowed")
    out = {}
    for name, value in raw.items():
        if not (isinstance(name, str) and name.isidentifier()):
            raise fail(f"{name!r} is not a plain name (letters, digits, _)")
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value)):
            raise fail(f"{name} must be a finite number, got {quote(value)}")
        out[name] = float(value)
    return out


def check_lab(lab: Any, path: str) -> CompGraph:
    """The graph an experiment's `graph_lab` section describes; SpecError names the field."""
    try:
        graph = build(lab.expression, lab.inputs, lab.wrt)
    except ExpressionError as exc:
        raise SpecError(f"{path}.expression", str(exc)) from None
    if lab.wrt and lab.wrt != graph.wrt:
        raise SpecError(f"{path}.wrt", f"{lab.wrt!r} is not an input the formula uses; "
                        f"choose one of {', '.join(graph.inputs) or '(none)'}")
    return graph


# ------------------------------------------------------------------------------ the notes' examples


@dataclass(frozen=True)
class Example:
    title: str
    expression: str
    inputs: dict[str, float]
    wrt: str
    note: str  # what the notes say the derivatives are


EXAMPLES: dict[str, Example] = {
    "sum_product": Example(
        "f = (x + y)·z (001, lecture 7)", "(x + y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}, "x",
        "∂f/∂(x, y, z) = (−4, −4, 3): the add gate hands z to both x and y, the multiply gate "
        "swaps its inputs"),
    "logistic": Example(
        "Logistic loss, one weight (000)", "-(y*log(1/(1 + exp(-(W*X)))))",
        {"W": 3.0, "X": 3.0, "y": 1.0}, "W",
        "dL/dW = −X(1 − σ(WX)) = −3.7018e-4 at X = 3, y = 1, W = 3 (the notes' table prints "
        "0.00037018372 and drops the sign)"),
    "neuron": Example(
        "A two-input neuron with sigmoid", "sigmoid(w1*x1 + w2*x2 + b)",
        {"w1": 2.0, "x1": -1.0, "w2": -3.0, "x2": -2.0, "b": -3.0}, "w1",
        "a = σ(1) = 0.731; dσ/dz = a(1 − a) = 0.197, so da/dwᵢ = 0.197·xᵢ and da/dxᵢ = 0.197·wᵢ"),
    "prelu_elu": Example(
        "PReLU, ELU, linear: the three-layer exercise (002) in scalars",
        "0.5*(W3*elu(W2*prelu(W1*x, a), alpha) - y)^2",
        {"x": 2.0, "W1": -0.5, "a": 0.25, "W2": 1.5, "alpha": 1.0, "W3": 2.0, "y": 0.5}, "W1",
        "q6 = W1x, q5 = PReLU(q6), q4 = W2q5, q3 = ELU(q4), q1 = W3q3 − y: dL/dW3 = q1q3, "
        "dL/dW2 = W3q1·p·q5, dL/dW1 = W2W3q1·p·r·x with p = ELU′(q4), r = PReLU′(q6)"),
}

GRAPH_METRICS = ("graph_gradient",)


def gradient_outcome(lab: Any) -> float:
    """A graph-lab lesson's outcome: d(formula)/d(lab.wrt) by reverse mode."""
    graph = check_lab(lab, "graph_lab")
    return graph.gradient[graph.wrt]
