"""Exports: the training history as CSV, and the network as a standalone PyTorch script.

The script rebuilds the model block by block (any graph the canvas allows), loads the trained
weights embedded in it as base64 float32, applies the input features and the output's link,
and prints what the app shows for points given on the command line.
"""

from __future__ import annotations

import base64
import csv
import io

import numpy as np

from .catalog import ACTIVATIONS, LINKS
from .features import FEATURES
from .graph import Node, activation_params

_FEATURE_CODE = {
    "x1": "a", "x2": "b", "x1_sq": "a * a", "x2_sq": "b * b", "x1_x2": "a * b",
    "sin_x1": "torch.sin(a)", "sin_x2": "torch.sin(b)", "cos_x1": "torch.cos(a)",
    "cos_x2": "torch.cos(b)", "r": "torch.sqrt(a * a + b * b)", "theta": "torch.atan2(b, a)",
}
assert set(_FEATURE_CODE) == set(FEATURES), "every input feature needs its exported form"


def history_csv(history) -> str:
    table = {c: v.tolist() for c, v in history.columns().items()}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(table))
    for row in zip(*table.values(), strict=True):
        writer.writerow([f"{v:.9g}" if isinstance(v, float) else v for v in row])
    return out.getvalue()


def _activation(node: Node, owner: str, var: str) -> tuple[list[str], str]:
    """The script's lines that give `owner` (the block's module) the activation's learned
    parameters, and the activation's expression on `var`, from the entry's export template."""
    name = node.param("activation")
    entry = ACTIVATIONS[name]
    if entry.export is None:
        raise ValueError(f"the activation {entry.label!r} has no exported form")
    values = {k: repr(int(v) if isinstance(v, int) else float(v))
              for k, v in activation_params(node).items()}
    learned = entry.info.get("learned", ())
    init = [f"        {owner}.{key} = nn.Parameter(torch.zeros(()))" for key in learned]
    values.update({key: f"{owner}.{key}" for key in learned})
    return init, entry.export.format(x=var, **values)


def _blob(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def _docstring_text(text: str) -> str:
    """Text that stays text inside the script's docstring, whatever it holds: backslashes and
    quotes escaped (no way to close the docstring), and every character that is not printable
    (line breaks, control characters, lone surrogates) written as its escape."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def pytorch_script(trainer) -> str:
    """Source of a script that rebuilds `trainer`'s network with its current weights."""
    exp, model, head = trainer.experiment, trainer.model, trainer.head
    graph = exp.network
    order = graph.topological_order()
    init, forward, weights = [], [], []
    names = {n: f"h_{i}" for i, n in enumerate(order)}
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    for key, value in state.items():
        if value.dtype.kind == "f":
            weights.append(f"    {key!r}: ({list(value.shape)!r}, {_blob(value)!r}),")
    for n in order:
        node, var = graph.nodes[n], names[n]
        ins = [names[s] for s in graph.inputs_of(n)]
        if node.type == "input":
            forward.append(f"        {var} = x")
        elif node.type in ("dense", "output"):
            lin = model.blocks[n].linear
            init.append(f"        self.blocks[{n!r}] = nn.Module()")
            init.append(f"        self.blocks[{n!r}].linear = nn.Linear({lin.in_features}, "
                        f"{lin.out_features}, bias={lin.bias is not None})")
            forward.append(f"        {var} = self.blocks[{n!r}].linear({ins[0]})")
            if node.type == "dense":
                owner = f"self.blocks[{n!r}].act"
                lines, expr = _activation(node, owner, var)
                if lines:
                    init.append(f"        {owner} = nn.Module()")
                init += lines
                forward.append(f"        {var} = {expr}")
        elif node.type == "activation":
            owner = f"self.blocks[{n!r}]"
            lines, expr = _activation(node, owner, ins[0])
            if lines:
                init.append(f"        {owner} = nn.Module()")
            init += lines
            forward.append(f"        {var} = {expr}")
        elif node.type == "dropout":
            forward.append(f"        {var} = {ins[0]}  # dropout: inactive at prediction time")
        elif node.type == "batchnorm":
            bn = model.blocks[n]
            init.append(f"        self.blocks[{n!r}] = nn.BatchNorm1d({bn.num_features}, "
                        f"eps={bn.eps!r}, momentum={bn.momentum!r})")
            forward.append(f"        {var} = self.blocks[{n!r}]({ins[0]})")
        elif node.type == "add":
            forward.append(f"        {var} = {' + '.join(ins)}")
        elif node.type == "concat":
            forward.append(f"        {var} = torch.cat([{', '.join(ins)}], dim=1)")
    out_node = graph.nodes[model.output_id]
    if head.link == "activation":  # (no learned parameters on the output: its values hold)
        values = {k: repr(float(v)) for k, v in activation_params(out_node).items()}
        link = ACTIVATIONS[head.activation].export.format(x="z", **values)
    else:
        link = ACTIVATIONS[LINKS[head.link]].export.format(x="z")
    if trainer.dataset.is_2d:
        feats = ", ".join(_FEATURE_CODE[f] for f in exp.features)
        inputs = f"    a, b = points[:, 0], points[:, 1]\n    return torch.stack([{feats}], dim=1)"
    else:
        inputs = "    return points  # pixels, as the app feeds them"
    display = {"binary": ("(2 * o - 1)" if head.zero_one else "o") + ".clamp(-1, 1).view(-1)",
               "multiclass": "o" if head.outputs_probabilities else "torch.softmax(o, dim=1)",
               "regression": "o.view(-1)"}[head.problem]
    return _TEMPLATE.format(
        title=_docstring_text(exp.title or "untitled experiment"), epoch=trainer.epoch,
        features=exp.features if trainer.dataset.is_2d else "pixels", inputs=inputs,
        init="\n".join(init) or "        pass", forward="\n".join(forward),
        out=names[model.output_id], link=link, display=display, weights="\n".join(weights),
        problem=head.problem)


_TEMPLATE = '''"""Exported from playground: {title} (epoch {epoch}).

Rebuilds the network, loads its weights (embedded below) and prints what the app shows for
points given as arguments: python this_script.py X1 X2 [X1 X2 ...]
Inputs: {features}. Problem: {problem}.
"""

import base64
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

WEIGHTS = {{
{weights}
}}


def features(points):
{inputs}


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleDict()
{init}

    def forward(self, x):
{forward}
        return {out}


def load():
    net = Network()
    state = {{k: torch.from_numpy(np.frombuffer(base64.b64decode(blob), "<f4").copy()
                                  .reshape(shape)) for k, (shape, blob) in WEIGHTS.items()}}
    missing = net.load_state_dict(state, strict=False).missing_keys
    assert not [k for k in missing if "num_batches" not in k], missing
    return net.eval()


@torch.no_grad()
def predict(points):
    """Binary: a score in [-1, 1]; multi-class: probabilities; regression: the value."""
    z = load()(features(torch.as_tensor(points, dtype=torch.float32)))
    o = {link}
    return {display}


if __name__ == "__main__":
    values = [float(v) for v in sys.argv[1:]]
    points = np.array(values, dtype=np.float32).reshape(-1, 2)
    print(predict(points).numpy().tolist())
'''
