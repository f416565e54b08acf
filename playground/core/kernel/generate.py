"""Writes the fused kernel for one network's combination of catalog entries.

A `Plan` names what a network uses: its hidden activations, the output's link activation and
loss, the optimizer, the weight penalty and the problem type. `source(plan)` is a whole Python
module: each entry's kernel forms (forms.py) as small inlined functions, the loops that apply
them (a hidden layer's rows, the output head, the penalty, the optimizer step), the record
types its arguments travel in, and the fixed driver (template.py) that calls them and the
blocks (blocks.py). Nothing here is a table to keep by hand: a new entry with kernel forms is
picked up as it is, and one without makes `missing_form` name it.

Only the entries are compiled in: a network of tanh layers with squared error and SGD gets a
kernel without a branch for any other activation, loss or optimizer, which compiles in seconds
(the one kernel for every combination took ~50 CPU-seconds) and runs as fast. Layer sizes,
depth and every number (learning rate, parameters, clipping) are data, so one kernel serves
every network of that combination.
"""

from __future__ import annotations

import hashlib
import inspect
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..catalog import ACTIVATIONS, LOSSES, WEIGHT_PENALTIES, Entry
from ..optim import OPTIMIZERS
from .forms import (
    ActivationKernel,
    ElementLossKernel,
    PenaltyKernel,
    PiecesKernel,
    UpdateKernel,
    VectorActivationKernel,
    VectorLossKernel,
)

HERE = Path(__file__).resolve().parent
MARKER = "# ---- copied into each kernel from here ----\n"



@dataclass(frozen=True)
class Plan:
    """One kernel's combination of entries (by catalog name)."""

    hidden: tuple[str, ...]  # the hidden layers' elementwise activations, in first-use order
    pieces: bool  # some hidden layer is maxout
    link: str  # the activation that turns z into the shown output
    loss: str
    optimizer: str
    penalty: str
    problem: str  # "binary" | "multiclass" | "regression"

    @property
    def loss_takes_output(self) -> bool:
        """Whether the loss takes the link's output (squared error on tanh), not z (logits)."""
        return LOSSES[self.loss].info["link"] == "activation"

    def describe(self) -> str:
        hidden = ", ".join(self.hidden + (("maxout",) if self.pieces else ())) or "none"
        return (f"hidden {hidden}; output {self.link}; loss {self.loss}; optimizer "
                f"{self.optimizer}; penalty {self.penalty}; {self.problem}")


def missing_form(kind: str, entry: Entry) -> str:
    """Why the kernel cannot compute this entry ("" when it can), named for people."""
    wanted = {"activation": (ActivationKernel, PiecesKernel),
              "output activation": (ActivationKernel, VectorActivationKernel),
              "loss": (ElementLossKernel, VectorLossKernel), "optimizer": (UpdateKernel,),
              "weight penalty": (PenaltyKernel,)}[kind]
    if isinstance(entry.kernel, wanted):
        return ""
    return f"the {kind} {entry.name!r}"


# ------------------------------------------------------------------------------------ records

def settings_fields(plan: Plan) -> list[tuple[str, str]]:
    """The SETTINGS record: the trainer's settings, then each entry's parameters as
    `<role>_<name>`."""
    fields = [("batch", "i8"), ("n_train", "i8"), ("chunk", "i8"), ("zero_one", "?"),
              ("gradient_clip", "f8"),
              ("max_norm", "f8"), ("penalty_rate", "f8")]
    for role, entry in _roles(plan):
        fields += [(f"{role}_{p.name}", "f8") for p in entry.params]
    return fields


def layer_fields(plan: Plan) -> list[tuple[str, str]]:
    """The LAYER record of one dense layer: sizes, where its weights and bias start in the
    parameter buffer, its activation's index in plan.hidden, and the parameters of the
    plan's hidden activations (for a learned one, `<name>_at`: where it lives in the buffer)."""
    fields = [("n_in", "i8"), ("units", "i8"), ("pieces", "i8"), ("w", "i8"), ("b", "i8"),
              ("act", "i8")]
    for name in plan.hidden:
        entry = ACTIVATIONS[name]
        for p in entry.params:
            field = f"{p.name}_at" if p.name in entry.kernel.learned else p.name
            if field not in dict(fields):
                fields.append((field, "i8" if field.endswith("_at") else "f8"))
    return fields


def _roles(plan: Plan) -> list[tuple[str, Entry]]:
    """The entries whose parameters travel in SETTINGS, with the prefix they travel under."""
    roles = [("output", ACTIVATIONS[plan.link]), ("loss", LOSSES[plan.loss]),
             ("optimizer", OPTIMIZERS[plan.optimizer]), ("penalty", WEIGHT_PENALTIES[plan.penalty])]
    return roles


# ------------------------------------------------------------------------------------ source
# Forms are pasted into the loops as text (a call per element would not vectorize): the loops'
# own names start with an underscore, and each form's inputs are bound just before it.

def _fn(name: str, args: list[str], body: str, decorator: str = "@inline") -> str:
    return f"{decorator}\ndef {name}({', '.join(args)}):\n{textwrap.indent(body, '    ')}\n\n\n"


def _params(entry: Entry) -> list[str]:
    return [p.name for p in entry.params]


def _indent(text: str, level: int) -> str:
    return textwrap.indent(text, "    " * level)


def _bind_layer_params(name: str) -> str:
    entry = ACTIVATIONS[name]
    lines = [f"{p} = theta[layer['{p}_at']]" if p in entry.kernel.learned else f"{p} = layer['{p}']"
             for p in _params(entry)]
    return "".join(line + "\n" for line in lines)


def _hidden_source(plan: Plan) -> str:
    """activate and backprop_activation: a branch per activation of plan.hidden, each a
    tight loop over a layer's rows and examples."""
    forward = ["_code = layer['act']\n"]
    backward = ["_code = layer['act']\n"]
    for code, name in enumerate(plan.hidden):
        form = ACTIVATIONS[name].kernel
        head = f"{'if' if code == 0 else 'elif'} _code == {code}:  # {name}\n"
        bind = _indent(_bind_layer_params(name), 1)
        forward.append(head + bind + _indent(f"""\
for _r in range(layer['units']):
    for _j in range(n):
        z = Z[li, _r, _j]
        A[li + 1, _r, _j] = {form.f}
""", 1))
        sums = "".join(f"_{p}_grad = f32(0.0)\n" for p in form.learned)
        adds = "".join(f"_{p}_grad += {expr}\n" for p, expr in form.learned.items())
        stores = "".join(f"grad[layer['{p}_at']] += _{p}_grad\n" for p in form.learned)
        # (a learned parameter's gradient sums over the examples: the n of them, not `wide`)
        backward.append(head + bind + _indent(sums + f"""\
for _r in range(layer['units']):
    for _j in range({"n" if form.learned else "wide"}):
        d, z, y = D[li, _r, _j], Z[li, _r, _j], A[li + 1, _r, _j]
{_indent(adds, 2)}        D[li, _r, _j] = {form.backward}
""" + stores, 1))
    doc = f'"""The hidden activations of this kernel, by LAYER.act: {", ".join(plan.hidden)}."""\n'
    if not plan.hidden:
        forward, backward, doc = ["return"], ["return"], ""
    return (_fn("activate", ["layer", "theta", "A", "Z", "li", "n"], doc + "".join(forward))
            + _fn("backprop_activation",
                  ["layer", "theta", "grad", "D", "Z", "A", "li", "n", "wide"],
                  '"""D[li] *= f′ over `wide` columns (and learned parameters\' gradients, '
                  'summed over the n examples, into grad)."""\n'
                  + "".join(backward)))


def _bind_settings(role: str, entry: Entry, record: str = "s") -> str:
    return "".join(f"{p} = {record}['{role}_{p}']\n" for p in _params(entry))


def _head_source(plan: Plan) -> str:
    """output_loss (evaluation) and output_loss_grad (training, dL/dZ · scale into D): the
    link and the loss over a block of examples, summed in float32 as torch sums (an overflow
    is inf: divergence). Two functions, so the hot training loop has no branch."""
    link, loss = ACTIVATIONS[plan.link], LOSSES[plan.loss]
    clash = set(_params(link)) & set(_params(loss))
    if clash:
        raise ValueError(f"the output activation {link.name!r} and the loss {loss.name!r} both "
                         f"have a parameter named {sorted(clash)[0]!r}; rename one")
    preamble = (f'"""{link.label} output, {loss.label} loss."""\n'
                + _bind_settings("output", link, "_s") + _bind_settings("loss", loss, "_s"))
    elementwise = isinstance(link.kernel, ActivationKernel) and isinstance(loss.kernel,
                                                                            ElementLossKernel)
    out = "" if elementwise else _example_forms(plan)
    for grad in (False, True):
        args = ["_A", "_Z", "_S", "_last", "_n"] + (["_wide"] if grad else []) + [
            "_n_out", "_s", "_small"] + (["_D", "_scale"] if grad else [])
        body = _element_head(plan, grad) if elementwise else _example_head(plan, grad)
        out += _fn("output_loss_grad" if grad else "output_loss", args,
                   preamble + body + "return _total", "@inline" if grad else "@jit")
    return out


def _element_head(plan: Plan, grad: bool) -> str:
    """Vector loops along the examples, output by output (elementwise link and loss). In
    training (grad) over `_wide` columns, see run_epoch: the total is then not used."""
    link, loss = ACTIVATIONS[plan.link], LOSSES[plan.loss]
    chain = link.kernel.backward if plan.loss_takes_output else "d"
    return f"""\
_total = f32(0.0)
for _k in range(_n_out):
    for _m in range({"_wide" if grad else "_n"}):
        z = _Z[_last, _k, _m]
        _y = f32({link.kernel.f})
        _A[_last + 1, _k, _m] = _y
        x, t = {"_y" if plan.loss_takes_output else "z"}, _S[0, _k, _m]
{_indent(loss.kernel.body, 2)}
        _total += f32(value)
""" + (f"""\
        d, z, y = f32(f32(dx) * _scale), _Z[_last, _k, _m], _y
        _D[_last, _k, _m] = {chain}
""" if grad else "")


def _example_forms(plan: Plan) -> str:
    """For the example-by-example head, the forms become inlined functions of their own
    (their loops' names would clash with the head's)."""
    link, loss = ACTIVATIONS[plan.link], LOSSES[plan.loss]
    lp, sp = _params(link), _params(loss)
    if isinstance(link.kernel, VectorActivationKernel):
        out = (_fn("link_forward", ["x", "o", "n", *lp], link.kernel.forward)
               + _fn("link_vjp", ["o", "g", "dx", "n", *lp], link.kernel.backward))
    else:
        out = (_fn("link_f", ["z", *lp], f"return f32({link.kernel.f})")
               + _fn("link_backward", ["d", "z", "y", *lp], f"return {link.kernel.backward}"))
    if isinstance(loss.kernel, VectorLossKernel):
        return out + _fn("loss_row", ["x", "o", "t", "dx", "n", *sp],
                         loss.kernel.body + "\nreturn value")
    return out + _fn("loss_one", ["x", "t", *sp], loss.kernel.body + "\nreturn value, dx")


def _example_head(plan: Plan, grad: bool) -> str:
    """The head example by example, for a vector link (softmax) or a vector loss."""
    link, loss = ACTIVATIONS[plan.link], LOSSES[plan.loss]
    link_args = "".join(", " + p for p in _params(link))
    loss_args = "".join(", " + p for p in _params(loss))
    if isinstance(link.kernel, VectorActivationKernel):
        forward = f"link_forward(_x, _o, _n_out{link_args})"
        chain = f"link_vjp(_o, _dx, _dx, _n_out{link_args})"
    else:
        forward = f"for _k in range(_n_out):\n    _o[_k] = link_f(_x[_k]{link_args})"
        chain = (f"for _k in range(_n_out):\n"
                 f"    _dx[_k] = link_backward(_dx[_k], _x[_k], _o[_k]{link_args})")
    takes = "_o" if plan.loss_takes_output else "_x"
    if isinstance(loss.kernel, VectorLossKernel):
        loss_call = f"_value = loss_row({takes}, _o, _t, _dx, _n_out{loss_args})"
        if loss.kernel.writes_output and not plan.loss_takes_output:
            forward = ""
    else:
        loss_call = (f"_value = 0.0\nfor _k in range(_n_out):\n"
                     f"    _v, _dx[_k] = loss_one({takes}[_k], _t[_k]{loss_args})\n"
                     f"    _value += _v")
    if not (plan.loss_takes_output and grad):
        chain = ""
    return f"""\
_o, _x, _dx, _t = _small[0], _small[1], _small[2], _small[3]
_total = f32(0.0)
for _m in range(_n):
    for _k in range(_n_out):
        _x[_k] = _Z[_last, _k, _m]
        _t[_k] = _S[0, _k, _m]
{_indent(forward, 1)}
{_indent(loss_call, 1)}
{_indent(chain, 1)}
    _total += f32(_value)
    for _k in range(_n_out):
        _A[_last + 1, _k, _m] = _o[_k]
""" + ("        _D[_last, _k, _m] = _dx[_k] * _scale\n" if grad else "")


def _penalty_source(plan: Plan) -> str:
    entry = WEIGHT_PENALTIES[plan.penalty]
    if entry.kernel.grad is None:
        return _fn("add_penalty", ["theta", "grad", "decay", "s"], '"""No penalty."""\nreturn',
                   "@inline")
    return _fn("add_penalty", ["theta", "grad", "decay", "s"], f'''\
"""{entry.label}: ∂Ω/∂w added to each weight's gradient (biases are not penalized)."""
rate = s['penalty_rate']
{_bind_settings("penalty", entry)}if rate > 0.0:
    for i in range(theta.shape[0]):
        if decay[i]:
            w = theta[i]
            sign = f32(1.0) if w > 0.0 else (f32(-1.0) if w < 0.0 else f32(0.0))
            grad[i] += {entry.kernel.grad}''', "@inline")


def _update_source(plan: Plan) -> str:
    entry = OPTIMIZERS[plan.optimizer]
    form = entry.kernel
    rows = "".join(f"{name} = P[{2 + i}]\n" for i, name in enumerate(form.state))
    prepare = form.prepare + "\n" if form.prepare else ""
    return _fn("update", ["P", "decay", "s", "learning_rate", "t"], f'''\
"""{entry.label}: one step over every parameter i (the rule as optim.py states it)."""
theta, grad = P[0], P[1]
{rows}lr = f32(learning_rate)
{_bind_settings("optimizer", entry)}{prepare}for i in range(theta.shape[0]):
{textwrap.indent(form.step, "    ")}''', "@inline")


def _right_source(plan: Plan) -> str:
    body = {"binary": "return right_binary(out, y, n, s['zero_one'])",
            "multiclass": "return right_classes(out, y, n, n_out)",
            "regression": "return 0  # (a value has no accuracy: ACCURACY is False)"}[plan.problem]
    return (f"ACCURACY = {plan.problem != 'regression'}\n\n\n"
            + _fn("count_right", ["out", "y", "n", "n_out", "s"], body, "@jit"))


def _helpers(plan: Plan) -> str:
    seen: list = []
    for entry in [*(ACTIVATIONS[n] for n in plan.hidden), ACTIVATIONS[plan.link], LOSSES[plan.loss]]:
        for helper in getattr(entry.kernel, "helpers", ()):
            if helper not in seen:
                seen.append(helper)
    return "".join("@inline\n" + inspect.getsource(h) + "\n\n" for h in seen)


def blocks_hash() -> str:
    text = (HERE / "blocks.py").read_bytes() + (HERE / "template.py").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def source(plan: Plan) -> str:
    """The kernel module for `plan`, as text (see the module docstring)."""
    template = (HERE / "template.py").read_text()
    driver = template[template.index(MARKER) + len(MARKER):]
    parts = [
        f'"""Fused kernel for: {plan.describe()}.\n\nWritten by playground.core.kernel.generate '
        "from the catalog entries' kernel\nforms; rewritten whenever it differs from what the "
        'generator writes (edits do not last)."""\n',
        f"# blocks and driver: {blocks_hash()}\n",
        "import math\n\nimport numpy as np\n\n",
        "from playground.core.kernel.blocks import (\n    affine_forward, all_finite, "
        "clip_gradient, copy_columns, f32, gather_columns, inline,\n    jit, "
        "limit_norm, maxout_backward, maxout_forward, right_binary, right_classes,\n    "
        "shuffle_order, shuffled_into, weight_and_input_grads, weight_grads)\n\n",
        f"SETTINGS = np.dtype({settings_fields(plan)!r}, align=True)\n",
        f"LAYER = np.dtype({layer_fields(plan)!r}, align=True)\n",
        f"STATE = {OPTIMIZERS[plan.optimizer].kernel.state!r}\n",
        f"HIDDEN = {plan.hidden!r}\nPIECES = {plan.pieces!r}\n\n\n",
        _helpers(plan), _hidden_source(plan), _head_source(plan), _penalty_source(plan),
        _update_source(plan), _right_source(plan), driver.lstrip("\n"),
    ]
    return "".join(parts)
