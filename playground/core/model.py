"""Build a network graph into a `torch.nn.Module` that can return every block's activation.

`OutputHead` holds what follows from the problem and the Output block: how labels become
targets, which link turns raw outputs into what is shown (probability, class, value), and the
loss on the right quantity (logits for cross-entropy, activations for squared error).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .catalog import ACTIVATIONS, INITS, LINKS, LOSSES
from .errors import GraphError
from .graph import Graph, Node, activation_params, init_params, loss_params


class Activation(nn.Module):
    """A catalog activation. Parameters its entry marks `learned` (PReLU's slope) are torch
    parameters of this block, under their own names; `pieces` (maxout's k) widens the layer."""

    def __init__(self, node: Node, width: int):
        super().__init__()
        self.name = node.param("activation")
        entry = ACTIVATIONS[self.name]
        self.params = activation_params(node)
        self.fn = entry.fn
        self.pieces = int(self.params["k"]) if entry.info.get("pieces") else 1
        self.learned = tuple(entry.info.get("learned", ()))
        for key in self.learned:
            setattr(self, key, nn.Parameter(torch.tensor(float(self.params[key]))))
        # The plain case (most blocks) in one call: the checks below cost as much as a small
        # layer's tanh.
        self.plain = self.pieces == 1 and self.fn is not None and not self.learned

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.plain:
            return self.fn(x, self.params)
        if self.pieces > 1:  # on a tie the first largest piece takes the whole gradient (the
            # catalog's rule; amax would split it), as argmax picks the first
            pieces = x.view(x.shape[0], -1, self.pieces)
            return pieces.gather(2, pieces.argmax(dim=2, keepdim=True)).squeeze(2)
        if self.fn is None:  # maxout without pieces (after a non-Dense block): identity
            return x
        if self.learned:
            return self.fn(x, {**self.params, **{k: getattr(self, k) for k in self.learned}})
        return self.fn(x, self.params)


class Dense(nn.Module):
    def __init__(self, node: Node, fan_in: int, units: int, gen: torch.Generator,
                 with_activation: bool = True):
        super().__init__()
        self.act = Activation(node, units) if with_activation else None
        pieces = self.act.pieces if self.act else 1
        self.linear = nn.Linear(fan_in, units * pieces, bias=bool(node.param("bias")))
        with torch.no_grad():
            INITS[node.param("init")].fn(self.linear.weight, self.linear.bias, gen,
                                         **init_params(node))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        linear = self.linear  # (nn.Linear's own forward, without a module call around it)
        z = F.linear(x, linear.weight, linear.bias)
        return self.act.forward(z) if self.act is not None else z


class Dropout(nn.Module):
    """Inverted dropout: keep each unit with probability p in training, scale by 1/p."""

    def __init__(self, keep_prob: float, gen: torch.Generator):
        super().__init__()
        self.keep_prob = float(keep_prob)
        self.gen = gen

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.keep_prob >= 1.0:
            return x
        mask = torch.rand(x.shape, generator=self.gen, device=x.device) < self.keep_prob
        return x * mask / self.keep_prob


class BatchNorm(nn.BatchNorm1d):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and x.shape[0] < 2:  # one example has no batch statistics
            self.eval()
            try:
                return super().forward(x)
            finally:
                self.train()
        return super().forward(x)


class Network(nn.Module):
    """Runs the graph in topological order; `forward(x, hidden=True)` also returns activations."""

    def __init__(self, graph: Graph, n_inputs: int, n_outputs: int, seed: int = 0):
        super().__init__()
        widths = graph.widths(n_inputs, n_outputs)
        gen = torch.Generator().manual_seed(seed)
        self.order = graph.topological_order()
        self.inputs = {n: graph.inputs_of(n) for n in self.order}
        self.types = {n: graph.nodes[n].type for n in self.order}
        self.input_id = graph.of_type("input")[0]
        self.output_id = graph.of_type("output")[0]
        self.widths = widths
        self.blocks = nn.ModuleDict()
        self.dropout_gen = gen
        for node_id in self.order:
            node = graph.nodes[node_id]
            fan_in = sum(widths[s] for s in self.inputs[node_id]) if node.type == "concat" else (
                widths[self.inputs[node_id][0]] if self.inputs[node_id] else 0)
            if node.type == "dense":
                self.blocks[node_id] = Dense(node, fan_in, widths[node_id], gen)
            elif node.type == "output":
                self.blocks[node_id] = Dense(node, fan_in, widths[node_id], gen,
                                             with_activation=False)
            elif node.type == "activation":
                self.blocks[node_id] = Activation(node, fan_in)
            elif node.type == "dropout":
                self.blocks[node_id] = Dropout(node.param("keep_prob"), gen)
            elif node.type == "batchnorm":
                self.blocks[node_id] = BatchNorm(fan_in, eps=float(node.param("delta")),
                                                 momentum=float(node.param("momentum")))
        # The forward pass as a list: node, kind, its block's forward, its inputs. A training
        # step of a small network is mostly Python around tiny ops; module calls (hook checks)
        # and dict lookups per block were a third of its forward pass. The blocks' forwards
        # are called directly, so module hooks on them would not run (none are used here).
        self.steps = [(n, self.types[n], self.blocks[n].forward if n in self.blocks else None,
                       tuple(self.inputs[n])) for n in self.order if n != self.input_id]

    def forward(self, x: torch.Tensor, hidden: bool = False):
        values: dict[str, torch.Tensor] = {self.input_id: x}
        for node_id, kind, forward, sources in self.steps:
            if forward is not None:
                out = forward(values[sources[0]])
            elif kind == "add":
                out = values[sources[0]]
                for s in sources[1:]:
                    out = out + values[s]
            else:  # concat
                out = torch.cat([values[s] for s in sources], dim=1)
            values[node_id] = out
        z = values[self.output_id]
        if hidden:
            return z, {k: v for k, v in values.items() if k not in (self.input_id, self.output_id)}
        return z

    def dense_layers(self) -> list[tuple[str, nn.Linear]]:
        """Every affine map, output included, in graph order (for penalties and the views)."""
        return [(n, self.blocks[n].linear) for n in self.order if self.types[n] in ("dense", "output")]

    def weights_and_biases(self) -> tuple[list[nn.Parameter], list[bool]]:
        """All parameters with a flag: True for weight matrices (penalized), False otherwise."""
        weights = {id(layer.weight) for _, layer in self.dense_layers()}
        params = list(self.parameters())
        return params, [id(p) in weights for p in params]


@dataclass
class OutputHead:
    """Targets, link and loss for one problem and Output block."""

    problem: str  # "binary" | "multiclass" | "regression"
    n_classes: int
    loss_name: str
    loss_params: dict
    link: str  # "activation" | "sigmoid" | "softmax" | "scores"
    activation: str
    activation_params: dict
    label_smoothing: float = 0.0

    @classmethod
    def build(cls, graph: Graph, problem: str, n_classes: int, label_smoothing: float = 0.0):
        out_id = graph.of_type("output")[0]
        node = graph.nodes[out_id]
        loss = LOSSES[node.param("loss")]
        if problem not in loss.info["problems"]:
            allowed = [n for n, e in LOSSES.items() if problem in e.info["problems"]]
            raise GraphError(out_id, f"the {loss.label} loss does not fit a {problem} problem; "
                             f"choose one of {', '.join(allowed)}")
        activation = node.param("activation")
        if activation == "softmax" and problem != "multiclass" and loss.info["link"] == "activation":
            raise GraphError(out_id, "softmax needs a multi-class output; choose tanh, sigmoid "
                             "or linear")
        if activation == "maxout":
            raise GraphError(out_id, "maxout is for hidden blocks; choose another output activation")
        return cls(problem, n_classes, loss.name, loss_params(node), loss.info["link"],
                   activation, activation_params(node), label_smoothing)

    @property
    def n_outputs(self) -> int:
        return self.n_classes if self.problem == "multiclass" else 1

    @property
    def zero_one(self) -> bool:
        """Binary targets are 0/1 (else ±1): after a link or activation that never goes
        negative (a −1 target would be out of its reach)."""
        if self.link in ("sigmoid", "softmax"):
            return True
        return self.link == "activation" and bool(
            ACTIVATIONS[self.activation].info.get("never_negative"))

    @property
    def outputs_probabilities(self) -> bool:
        """Whether the linked outputs already are class probabilities (a softmax that the loss
        goes through); raw scores, e.g. the multiclass hinge's, are shown through a softmax."""
        return self.link == "softmax" or (self.link == "activation"
                                          and self.activation == "softmax")

    def encode(self, y: torch.Tensor) -> torch.Tensor:
        """Labels (class indices or values) as the targets the loss compares against."""
        if self.problem == "regression":
            return y.float().view(-1, 1)
        if self.problem == "binary":
            t = y.float().view(-1, 1)
            if self.link == "sigmoid" and self.label_smoothing:
                return t * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
            return t if self.zero_one else 2.0 * t - 1.0
        t = torch.nn.functional.one_hot(y.long(), self.n_classes).float()
        if self.link == "softmax" and self.label_smoothing:
            t = t * (1 - self.label_smoothing) + self.label_smoothing / self.n_classes
        return t

    def output(self, z: torch.Tensor) -> torch.Tensor:
        """What the network outputs once linked: activations, probabilities or scores."""
        if self.link == "activation":
            return ACTIVATIONS[self.activation].fn(z, self.activation_params)
        return ACTIVATIONS[LINKS[self.link]].fn(z, {})

    def loss(self, z: torch.Tensor, target: torch.Tensor,
             output: torch.Tensor | None = None) -> torch.Tensor:
        """Per-example loss (N,). `output`: `self.output(z)` when the caller has it already."""
        if self.link == "activation":
            z = self.output(z) if output is None else output
        return LOSSES[self.loss_name].fn(z, target, self.loss_params)

    def display(self, o: torch.Tensor) -> torch.Tensor:
        """Binary: a score in [-1, 1] (sign = class, size = confidence); multiclass:
        probabilities (N, C); regression: the value (N,)."""
        if self.problem == "binary":
            s = 2.0 * o - 1.0 if self.zero_one else o
            return s.clamp(-1.0, 1.0).view(-1)
        if self.problem == "multiclass":
            if self.outputs_probabilities:
                return o
            return torch.softmax(o, dim=1)
        return o.view(-1)

    def predict_class(self, o: torch.Tensor) -> torch.Tensor:
        if self.problem == "binary":
            return (self.display(o) > 0).long()
        return o.argmax(dim=1)
