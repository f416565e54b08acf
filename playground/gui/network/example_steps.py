"""The steps of one example through the network and what each shows: a title, a sentence with
the formula at work, and a table of the numbers (no Qt: the panel and the network view both
read these). Numbers come from core/one_example.py's ExampleTrace.

Forward: the input, then each block in the order the network runs them (z = Wx + b and
a = f(z) per unit). The loss. Backward: from the output back to the first block (∂ℓ/∂a, the
local derivative f′(z), ∂ℓ/∂z = ∂ℓ/∂a·f′(z), and per edge ∂ℓ/∂w = ∂ℓ/∂z·x). The update: per
layer with weights, each weight's old value, the optimizer's step and the new value."""

from __future__ import annotations

from dataclasses import dataclass

from ..gradient_colors import short

MAX_ROWS = 400  # rows of a table (a digits layer has 64 × 256 weights; the first are shown)


@dataclass(frozen=True)
class Step:
    phase: str  # "input" | "forward" | "loss" | "backward" | "update"
    node: str  # the block the step is about ("" for the input and the loss)
    title: str


def steps_of(trace) -> list[Step]:
    steps = [Step("input", "", "Forward: the input")]
    for b in trace.blocks:
        steps.append(Step("forward", b.node, f"Forward: {b.node}"))
    steps.append(Step("loss", "", "The loss"))
    for b in reversed(trace.blocks):
        if b.grad_post is not None or b.grad_pre is not None:
            steps.append(Step("backward", b.node, f"Backward: {b.node}"))
    for b in trace.blocks:
        if b.weight is not None:
            steps.append(Step("update", b.node, f"Update: {b.node}"))
    return steps


def _f(name: str) -> str:
    return f"{name}(z)" if name else "z"


def caption(trace, step: Step, labels: list[str]) -> str:
    """One paragraph: what happens at this step, with the formula."""
    if step.phase == "input":
        values = ", ".join(f"{n} = {short(float(v))}" for n, v in zip(labels, trace.features,
                                                                        strict=False))
        target = ", ".join(short(float(t)) for t in trace.target)
        return (f"Training example {trace.index + 1} at epoch {trace.epoch}: the network's "
                f"inputs are {values}; its target is {target}. Next runs it forward, one block "
                "at a time.")
    if step.phase == "loss":
        out = trace.block(trace.blocks[-1].node)
        o = ", ".join(short(float(v)) for v in out.post)
        t = ", ".join(short(float(v)) for v in trace.target)
        return (f"The output is {o}, the target {t}: the loss of this example is "
                f"ℓ = {trace.loss:.5g}  ({trace.loss_formula}). The backward pass starts "
                "from ∂ℓ/∂ℓ = 1 and works back towards the input.")
    b = trace.block(step.node)
    if step.phase == "forward":
        if b.weight is not None:
            link = "" if b.kind != "output" else (
                f"; the output is {b.activation}(z)" if trace.link == "activation" else
                f"; the loss reads z through {trace.link}")
            f = "" if b.kind == "output" else f", a = {_f(b.activation)}"
            return (f"{b.node}: each unit sums its inputs times the weights on its edges, "
                    f"plus its bias: z = Σ w·x + b{f}{link}. Edges show the weights.")
        return f"{b.node} ({b.kind}): its output a from its input x."
    if step.phase == "backward":
        if b.kind == "output" and b.grad_post is None:
            return (f"{b.node}: the loss reads the output's z directly ({trace.loss_name} "
                    "through its link), so ∂ℓ/∂z comes straight from the loss. Each edge "
                    "into it gets ∂ℓ/∂w = ∂ℓ/∂z × x, its input times the upstream gradient.")
        if b.kind == "output":
            numbers = ""
            if len(b.post) == 1 and b.local is not None:
                numbers = (f" Here ∂ℓ/∂o = {short(float(b.grad_post[0]))}, f′(z) = "
                           f"{short(float(b.local[0]))}, so ∂ℓ/∂z = "
                           f"{short(float(b.grad_pre[0]))}.")
            return (f"{b.node}: the backward pass starts at the loss: ∂ℓ/∂o is the loss's "
                    f"derivative at the output ({trace.loss_formula}); times the output "
                    f"activation's slope f′(z) it gives ∂ℓ/∂z.{numbers} Each edge into the "
                    "output gets ∂ℓ/∂w = ∂ℓ/∂z × x: the upstream gradient times the edge's "
                    "input.")
        local = "f′(z)" if b.local is not None else "the block's own derivative"
        weights = " Each edge into it gets ∂ℓ/∂w = ∂ℓ/∂z × x: the upstream gradient times " \
                  "the edge's input." if b.weight is not None else ""
        return (f"{b.node}: ∂ℓ/∂a arrives from the blocks after it (the sum over the edges "
                f"leaving each unit of ∂ℓ/∂z × w); times the local derivative {local} it "
                f"gives ∂ℓ/∂z = ∂ℓ/∂a · {local}.{weights}")
    return (f"{b.node}: {trace.optimizer} (step t = {trace.step}, ε = "
            f"{trace.learning_rate:.4g}): {trace.optimizer_formula}. Each weight moves by the "
            "step shown; this is the update this example alone would make (as a batch of one), "
            "penalties and clipping included.")


def table(trace, step: Step, labels: list[str]) -> tuple[list[str], list[list[str]]]:
    """Column headers and rows of numbers for the step."""
    if step.phase == "input":
        return ["input", "value"], [[n, short(float(v))] for n, v in zip(labels, trace.features,
                                                                          strict=False)]
    if step.phase == "loss":
        out = trace.blocks[-1]
        rows = [[f"output {j + 1}", short(float(o)), short(float(t)),
                 short(float(g)) if out.grad_post is not None else "—",
                 short(float(gz))]
                for j, (o, t, g, gz) in enumerate(zip(out.post, trace.target,
                                                      out.grad_post if out.grad_post is not None
                                                      else out.post, out.grad_pre, strict=True))]
        return ["unit", "output o", "target t", "∂ℓ/∂o", "∂ℓ/∂z"], rows
    b = trace.block(step.node)
    if step.phase == "forward":
        if b.pre is not None and len(b.pre) == len(b.post):
            head = ["unit", "z = Σ w·x + b" if b.weight is not None else "z (input)",
                    "a = " + _f(b.activation) if b.kind != "output" else "output"]
            return head, [[str(j + 1), short(float(z)), short(float(a))]
                          for j, (z, a) in enumerate(zip(b.pre, b.post, strict=True))]
        return ["unit", "a"], [[str(j + 1), short(float(a))] for j, a in enumerate(b.post)]
    if step.phase == "backward":
        rows = []
        for j in range(len(b.post)):
            rows.append([str(j + 1),
                         short(float(b.grad_post[j])) if b.grad_post is not None else "—",
                         short(float(b.local[j])) if b.local is not None else "—",
                         short(float(b.grad_pre[j])) if b.grad_pre is not None else "—",
                         short(float(b.grad_bias[j])) if b.grad_bias is not None
                         and j < len(b.grad_bias) else "—"])
        return ["unit", "∂ℓ/∂a", "f′(z)", "∂ℓ/∂z", "∂ℓ/∂b"], rows
    rows = []
    for j in range(b.weight.shape[0]):
        for i in range(b.weight.shape[1]):
            rows.append([f"w {j + 1}←{i + 1}", short(float(b.weight[j, i])),
                         short(float(b.grad_weight[j, i])),
                         short(float(b.new_weight[j, i] - b.weight[j, i])),
                         short(float(b.new_weight[j, i]))])
        if b.bias is not None:
            rows.append([f"b {j + 1}", short(float(b.bias[j])), short(float(b.grad_bias[j])),
                         short(float(b.new_bias[j] - b.bias[j])), short(float(b.new_bias[j]))])
    return ["weight", "old", "∂ℓ/∂w", "step", "new"], rows[:MAX_ROWS]
