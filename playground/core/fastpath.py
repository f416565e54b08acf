"""The fast path: whole runs of mini-batches in one compiled call, for plain Dense stacks.

Tiny networks are all overhead in eager PyTorch (a few µs per operation, dozens of operations
per step), which makes them ~30x slower than TF Playground's hand-written JavaScript. Here the
forward pass, backward pass, weight penalty, gradient clipping, optimizer update and max-norm of
every mini-batch run inside one numba-compiled loop, on a flat float32 buffer that the torch
model's parameters *view* (no copies: the views, snapshots and files see the same numbers).

Only graphs the general path would build identically qualify: Input -> Dense* -> Output on the
CPU, with no input noise. Everything else (dropout, batch norm, skip connections, GPUs) trains
through autograd, and `why_not` says why. Equality with the general path is a test.
"""

from __future__ import annotations

import math

import numpy as np
import torch

try:  # numba is a dependency, but a broken install must not stop the app: fall back
    import numba

    _NUMBA_ERROR = ""
except Exception as exc:  # pragma: no cover - exercised only on broken installs
    numba = None
    _NUMBA_ERROR = f"numba unavailable ({exc})"

ACT_CODES = {name: i for i, name in enumerate(
    ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "selu", "softplus",
     "gelu", "silu", "hardtanh", "sine", "gaussian", "maxout", "softmax"])}
LOSS_CODES = {n: i for i, n in enumerate(
    ["mse", "mae", "huber", "bce", "softmax_ce", "hinge", "squared_hinge", "multiclass_hinge"])}
LINK_CODES = {"activation": 0, "sigmoid": 1, "softmax": 2, "scores": 3}
OPT_CODES = {n: i for i, n in enumerate(
    ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"])}
PENALTY_CODES = {"none": 0, "l1": 1, "l2": 2, "elastic_net": 3}
STATE_KEYS = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "adagrad": ("a",),
              "rmsprop": ("a",), "adam": ("v", "a"), "adamw": ("v", "a")}
PROBLEM_CODES = {"binary": 0, "multiclass": 1, "regression": 2}

# Layer table columns.
(L_IN, L_OUT, L_PIECES, L_W, L_B, L_ACT, L_ALPHA_AT) = range(7)
SELU_L, SELU_A = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717

# Contraction and reassociation only: "no NaNs" would let LLVM fold away the very NaN
# handling that divergence detection relies on.
FAST_FLAGS = {"contract", "reassoc", "arcp", "afn"}

if numba is not None:
    jit = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True)
    inline = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True, inline="always")

    @inline
    def _act(z, code, alpha):
        if code == 0:
            return z
        if code == 1:
            return 1.0 / (1.0 + math.exp(-z))
        if code == 2:
            return math.tanh(z)
        if code == 3:
            return z if z > 0.0 else 0.0
        if code == 4 or code == 5:
            return z if z > 0.0 else alpha * z
        if code == 6:
            return z if z > 0.0 else alpha * (math.exp(z) - 1.0)
        if code == 7:
            return SELU_L * (z if z > 0.0 else SELU_A * (math.exp(z) - 1.0))
        if code == 8:
            return z if z > 20.0 else math.log1p(math.exp(z))
        if code == 9:
            return 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0)))
        if code == 10:
            return z / (1.0 + math.exp(-z))
        if code == 11:
            return -1.0 if z < -1.0 else (1.0 if z > 1.0 else z)
        if code == 12:
            return math.sin(z)
        if code == 13:
            return math.exp(-z * z)
        return z

    @inline
    def _dact(z, code, alpha):
        if code == 0:
            return 1.0
        if code == 1:
            s = 1.0 / (1.0 + math.exp(-z))
            return s * (1.0 - s)
        if code == 2:
            t = math.tanh(z)
            return 1.0 - t * t
        if code == 3:
            return 1.0 if z > 0.0 else 0.0
        if code == 4 or code == 5:
            return 1.0 if z > 0.0 else alpha
        if code == 6:
            return 1.0 if z > 0.0 else alpha * math.exp(z)
        if code == 7:
            return SELU_L if z > 0.0 else SELU_L * SELU_A * math.exp(z)
        if code == 8:
            return 1.0 if z > 20.0 else 1.0 / (1.0 + math.exp(-z))
        if code == 9:
            return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))) + z * math.exp(-0.5 * z * z) / math.sqrt(
                2.0 * math.pi)
        if code == 10:
            s = 1.0 / (1.0 + math.exp(-z))
            return s * (1.0 + z * (1.0 - s))
        if code == 11:
            return 1.0 if -1.0 < z < 1.0 else 0.0
        if code == 12:
            return math.cos(z)
        if code == 13:
            return -2.0 * z * math.exp(-z * z)
        return 1.0

    @inline
    def _dact_a(z, a, code, alpha):
        """f′(z) reusing the activation a = f(z) where that saves a transcendental call."""
        if code == 1:
            return a * (1.0 - a)
        if code == 2:
            return 1.0 - a * a
        return _dact(z, code, alpha)

    @inline
    def _head(z, t, n_out, loss, link, out_act, out_alpha, lp, o, dz):
        """Loss of one example and dL/dz at the output (into dz); o gets the linked output."""
        if link == 1:  # sigmoid, binary cross-entropy on logits
            zz = z[0]
            o[0] = 1.0 / (1.0 + math.exp(-zz))
            dz[0] = o[0] - t[0]
            return max(zz, 0.0) - zz * t[0] + math.log1p(math.exp(-abs(zz)))
        if link == 2 or (link == 0 and out_act == 15):  # softmax
            m = z[0]
            for k in range(1, n_out):
                m = max(m, z[k])
            total = 0.0
            for k in range(n_out):
                o[k] = math.exp(z[k] - m)
                total += o[k]
            for k in range(n_out):
                o[k] /= total
            if link == 2:  # softmax cross-entropy
                value = 0.0
                for k in range(n_out):
                    dz[k] = o[k] - t[k]
                    value -= t[k] * (z[k] - m - math.log(total))
                return value
        elif link == 3:  # raw scores (hinge family)
            for k in range(n_out):
                o[k] = z[k]
        else:
            for k in range(n_out):
                o[k] = _act(z[k], out_act, out_alpha)
        if link == 3:
            if loss == 7:  # multiclass SVM hinge
                correct = 0.0
                for k in range(n_out):
                    correct += z[k] * t[k]
                value = 0.0
                for k in range(n_out):
                    dz[k] = 0.0
                for k in range(n_out):
                    if t[k] == 0.0:
                        margin = z[k] - correct + lp
                        if margin > 0.0:
                            value += margin
                            dz[k] += 1.0
                            for c in range(n_out):
                                dz[c] -= t[c]
                return value
            value = 0.0
            for k in range(n_out):
                h = 1.0 - t[k] * z[k]
                if h > 0.0:
                    value += h if loss == 5 else h * h
                    dz[k] = -t[k] if loss == 5 else -2.0 * h * t[k]
                else:
                    dz[k] = 0.0
            return value
        # squared error, absolute error or Huber on the activation's output
        value = 0.0
        for k in range(n_out):
            e = o[k] - t[k]
            if loss == 0:
                value += 0.5 * e * e
                dz[k] = e
            elif loss == 1:
                value += abs(e)
                dz[k] = 1.0 if e > 0.0 else (-1.0 if e < 0.0 else 0.0)
            else:
                if abs(e) <= lp:
                    value += 0.5 * e * e
                    dz[k] = e
                else:
                    value += lp * (abs(e) - 0.5 * lp)
                    dz[k] = lp if e > 0.0 else -lp
        if out_act == 15:  # through the softmax Jacobian: dz = o ⊙ (g − o·g)
            dot = 0.0
            for k in range(n_out):
                dot += dz[k] * o[k]
            for k in range(n_out):
                dz[k] = o[k] * (dz[k] - dot)
        else:
            for k in range(n_out):
                dz[k] *= _dact_a(z[k], o[k], out_act, out_alpha)
        return value

    @jit
    def _update(theta, grad, v, a, decay, opt, hp, lr, t):
        """The optimizer step on the flat buffer (rules as in optim.py)."""
        n = theta.shape[0]
        if opt == 0:
            for i in range(n):
                theta[i] -= lr * grad[i]
        elif opt == 1:
            for i in range(n):
                v[i] = hp[0] * v[i] - lr * grad[i]
                theta[i] += v[i]
        elif opt == 2:
            for i in range(n):
                v[i] = hp[0] * v[i] - lr * grad[i]
                theta[i] += hp[0] * v[i] - lr * grad[i]
        elif opt == 3:
            for i in range(n):
                a[i] += grad[i] * grad[i]
                theta[i] -= lr * grad[i] / math.sqrt(a[i] + hp[0])
        elif opt == 4:
            for i in range(n):
                a[i] = hp[0] * a[i] + (1.0 - hp[0]) * grad[i] * grad[i]
                theta[i] -= lr * grad[i] / math.sqrt(a[i] + hp[1])
        else:
            c1 = 1.0 - hp[0] ** t
            c2 = 1.0 - hp[1] ** t
            for i in range(n):
                v[i] = hp[0] * v[i] + (1.0 - hp[0]) * grad[i]
                a[i] = hp[1] * a[i] + (1.0 - hp[1]) * grad[i] * grad[i]
                if opt == 6 and decay[i]:
                    theta[i] *= 1.0 - lr * hp[3]
                theta[i] -= lr * (v[i] / c1) / math.sqrt(a[i] / c2 + hp[2])

    @inline
    def _act_row(out, pre, n, code, alpha):
        """out[:n] = f(pre[:n]), deciding on f once per row (tight loops for the usual ones)."""
        if code == 2:
            for j in range(n):
                out[j] = math.tanh(pre[j])
        elif code == 3:
            for j in range(n):
                out[j] = pre[j] if pre[j] > 0.0 else 0.0
        elif code == 1:
            for j in range(n):
                out[j] = 1.0 / (1.0 + math.exp(-pre[j]))
        elif code == 0:
            for j in range(n):
                out[j] = pre[j]
        else:
            for j in range(n):
                out[j] = _act(pre[j], code, alpha)

    @inline
    def _layer_forward(theta, layers, alphas, li, src, dst, pre, arg, m_count, activate):
        """Rows 0..m_count-1 of src through layer li into dst (pre-activations into pre)."""
        n_in, units, pieces = layers[li, L_IN], layers[li, L_OUT], layers[li, L_PIECES]
        w, b = layers[li, L_W], layers[li, L_B]
        code = layers[li, L_ACT]
        at = layers[li, L_ALPHA_AT]
        alpha = theta[at] if at >= 0 else alphas[li]  # PReLU's slope is learned, in theta
        for m in range(m_count):
            row_in, row_pre = src[m], pre[m]
            if pieces == 1:
                for r in range(units):
                    s = theta[b + r] if b >= 0 else 0.0
                    base = w + r * n_in
                    for i in range(n_in):
                        s += theta[base + i] * row_in[i]
                    row_pre[r] = s
                if activate:
                    _act_row(dst[m], row_pre, units, code, alpha)
                else:
                    for r in range(units):
                        dst[m, r] = row_pre[r]
                continue
            for j in range(units):  # maxout: the largest of the pieces
                best, best_p = 0.0, 0
                for p in range(pieces):
                    r = j * pieces + p
                    s = theta[b + r] if b >= 0 else 0.0
                    base = w + r * n_in
                    for i in range(n_in):
                        s += theta[base + i] * row_in[i]
                    row_pre[r] = s
                    if p == 0 or s > best:
                        best, best_p = s, p
                arg[m, j] = best_p
                dst[m, j] = best

    @jit
    def run_batches(theta, grad, v, a, decay, layers, alphas, X, T, order, b0, b1, batch, lr,
                    t, loss, link, out_act, out_alpha, lp, opt, hp, penalty, rate, l1_ratio,
                    clip, max_norm, Z, A, ARG, D, o):
        """Mini-batches b0..b1-1 of `order`; returns the optimizer's step count.

        Buffers: A[li] (batch, width) inputs of layer li, Z[li] its pre-activations, D[li] dL/dZ[li].
        """
        n = order.shape[0]
        n_layers = layers.shape[0]
        n_out = layers[n_layers - 1, L_OUT]
        for bi in range(b0, b1):
            start = bi * batch
            m_count = min(start + batch, n) - start
            for m in range(m_count):
                row = X[order[start + m]]
                for i in range(row.shape[0]):
                    A[0, m, i] = row[i]
            for li in range(n_layers):
                _layer_forward(theta, layers, alphas, li, A[li], A[li + 1], Z[li], ARG[li], m_count,
                               li < n_layers - 1)
            for m in range(m_count):
                _head(Z[n_layers - 1, m], T[order[start + m]], n_out, loss, link, out_act,
                      out_alpha, lp, o, D[n_layers - 1, m])
            grad[:] = 0.0
            scale = 1.0 / m_count
            for li in range(n_layers - 1, -1, -1):
                n_in, units, pieces = layers[li, L_IN], layers[li, L_OUT], layers[li, L_PIECES]
                w, b = layers[li, L_W], layers[li, L_B]
                rows = units * pieces
                for m in range(m_count):
                    for r in range(rows):
                        d = D[li, m, r] * scale
                        if d == 0.0:
                            continue
                        if b >= 0:
                            grad[b + r] += d
                        base = w + r * n_in
                        for i in range(n_in):
                            grad[base + i] += d * A[li, m, i]
                if li == 0:
                    break
                prev = li - 1
                p_pieces = layers[prev, L_PIECES]
                code = layers[prev, L_ACT]
                at = layers[prev, L_ALPHA_AT]
                alpha = theta[at] if at >= 0 else alphas[prev]
                for m in range(m_count):
                    for j in range(n_in):  # units of the previous layer
                        da = 0.0
                        for r in range(rows):
                            da += theta[w + r * n_in + j] * D[li, m, r]
                        if p_pieces > 1:
                            for p in range(p_pieces):
                                D[prev, m, j * p_pieces + p] = da if p == ARG[prev, m, j] else 0.0
                        else:
                            z = Z[prev, m, j]
                            D[prev, m, j] = da * _dact_a(z, A[li, m, j], code, alpha)
                            if code == 5 and z <= 0.0:
                                grad[at] += da * z * scale
            if penalty > 0 and rate > 0.0:
                for i in range(theta.shape[0]):
                    if decay[i]:
                        w = theta[i]
                        sign = 1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0)
                        if penalty == 1:
                            grad[i] += rate * sign
                        elif penalty == 2:
                            grad[i] += rate * w
                        else:
                            grad[i] += rate * (l1_ratio * sign + (1.0 - l1_ratio) * w)
            if clip > 0.0:
                norm = 0.0
                for i in range(grad.shape[0]):
                    norm += grad[i] * grad[i]
                factor = min(1.0, clip / (math.sqrt(norm) + 1e-12))
                for i in range(grad.shape[0]):
                    grad[i] *= factor
            t += 1
            _update(theta, grad, v, a, decay, opt, hp, lr, t)
            if max_norm > 0.0:
                for li in range(n_layers):
                    n_in, w = layers[li, L_IN], layers[li, L_W]
                    for r in range(layers[li, L_OUT] * layers[li, L_PIECES]):
                        sq = 0.0
                        for i in range(n_in):
                            sq += theta[w + r * n_in + i] ** 2
                        norm = max(math.sqrt(sq), 1e-12)
                        if norm > max_norm:
                            f = max_norm / norm
                            for i in range(n_in):
                                theta[w + r * n_in + i] *= f
        return t

    @jit
    def evaluate_batch(theta, layers, alphas, X, T, Y, loss, link, out_act, out_alpha, lp,
                       problem, zero_one, H0, H1, P, ARG, o, dz):
        """Mean loss and accuracy over all rows, one layer at a time over every row."""
        n_layers = layers.shape[0]
        n = X.shape[0]
        src = X
        dst = H0
        for li in range(n_layers):
            _layer_forward(theta, layers, alphas, li, src, dst, P, ARG, n, li < n_layers - 1)
            src = dst
            dst = H1 if dst is H0 else H0
        n_out = layers[n_layers - 1, L_OUT]
        total, right = 0.0, 0
        for k in range(n):
            total += _head(src[k], T[k], n_out, loss, link, out_act, out_alpha, lp, o, dz)
            if problem == 0:
                score = 2.0 * o[0] - 1.0 if zero_one else o[0]
                right += (1 if score > 0.0 else 0) == Y[k]
            elif problem == 1:
                best_c = 0
                for c in range(1, n_out):
                    if o[c] > o[best_c]:
                        best_c = c
                right += best_c == Y[k]
        return total / max(n, 1), (right / max(n, 1)) if problem != 2 else np.nan

_ready = False
COMPILING = "autograd while the fused kernel compiles (first start only)"


def ready() -> bool:
    """Whether the kernels are compiled (or loaded from numba's disk cache) in this process."""
    return _ready


def warm_up() -> None:
    """Compile the kernels, or load them from the disk cache, with empty inputs of the types
    real calls use. Slow the first time on a machine (~10 s), fast after (the cache)."""
    global _ready
    if numba is None or _ready:
        return
    f32, i64 = np.float32, np.int64
    vec, mat, cube = np.zeros(1, f32), np.zeros((1, 1), f32), np.zeros((1, 1, 1), f32)
    layers = np.zeros((1, 7), i64)
    run_batches(vec, vec.copy(), vec.copy(), vec.copy(), np.zeros(1, np.bool_), layers,
                np.zeros(1), mat, mat, np.zeros(0, i64), 0, 0, 1, 0.1, 0, 0, 0, 0, 0.0, 0.0, 0,
                np.zeros(1), 0, 0.0, 0.5, 0.0, 0.0, cube, cube, np.zeros((1, 1, 1), i64), cube,
                vec)
    evaluate_batch(vec, layers, np.zeros(1), np.zeros((0, 1), f32), mat, np.zeros(1, i64), 0, 0,
                   0, 0.0, 0.0, 0, False, mat, mat, mat, np.zeros((1, 1), i64), vec, vec)
    _ready = True


class FastPath:
    """Compiled training for Input -> Dense* -> Output on the CPU (see the module docstring)."""

    @classmethod
    def why_not(cls, trainer, compile_now: bool = True) -> str:
        if numba is None:
            return f"autograd through the graph ({_NUMBA_ERROR})"
        if trainer.device.type != "cpu":
            return f"autograd on {trainer.device.type} (the fused path is CPU-only)"
        if trainer.experiment.network.dense_chain() is None:
            return "autograd through the graph (it has blocks beyond Input -> Dense -> Output)"
        if trainer.experiment.training.input_noise > 0:
            return "autograd through the graph (input noise recomputes features each batch)"
        if not _ready:
            if not compile_now:
                return COMPILING
            warm_up()
        return ""

    @classmethod
    def try_build(cls, trainer, compile_now: bool = True) -> FastPath | None:
        return None if cls.why_not(trainer, compile_now) else cls(trainer)

    def __init__(self, trainer):
        self.trainer = trainer
        model, head = trainer.model, trainer.head
        params = list(model.parameters())
        sizes = [p.numel() for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.flat = torch.zeros(int(offsets[-1]), dtype=torch.float32)
        with torch.no_grad():
            for p, o, n in zip(params, offsets, sizes, strict=False):
                self.flat[o:o + n].copy_(p.detach().reshape(-1))
                p.data = self.flat[o:o + n].view(p.shape)  # the model now views the buffer
        where = {id(p): int(o) for p, o in zip(params, offsets, strict=False)}
        rows = []
        for node_id, layer in model.dense_layers():
            block = model.blocks[node_id]
            act = block.act
            name = act.name if act is not None else "linear"
            alpha_at = where[id(act.alpha)] if act is not None and act.name == "prelu" else -1
            rows.append([layer.in_features, layer.out_features // (act.pieces if act else 1),
                         act.pieces if act else 1, where[id(layer.weight)],
                         where[id(layer.bias)] if layer.bias is not None else -1,
                         ACT_CODES[name], alpha_at])
        self.layers = np.array(rows, dtype=np.int64)
        self.alphas = np.array([model.blocks[n].act.params.get("alpha", 0.0)
                                if model.blocks[n].act is not None else 0.0
                                for n, _ in model.dense_layers()], dtype=np.float64)
        self.theta = self.flat.numpy()
        self.grad = np.zeros_like(self.theta)
        self.decay = np.zeros(len(self.theta), dtype=np.bool_)
        for o, n, d in zip(offsets, sizes, trainer.decay_mask, strict=False):
            self.decay[o:o + n] = d
        opt = trainer.optimizer
        self.opt_name = opt.entry.name
        self.state = {k: torch.zeros_like(self.flat) for k in ("v", "a")}
        self.share_state()
        hp = opt.hyper
        self.hp = np.array({
            "sgd": [0.0], "momentum": [hp.get("momentum", 0)], "nesterov": [hp.get("momentum", 0)],
            "adagrad": [hp.get("nu", 0)], "rmsprop": [hp.get("beta", 0), hp.get("nu", 0)],
            "adam": [hp.get("beta1", 0), hp.get("beta2", 0), hp.get("nu", 0), 0.0],
            "adamw": [hp.get("beta1", 0), hp.get("beta2", 0), hp.get("nu", 0),
                      hp.get("weight_decay", 0)]}[self.opt_name], dtype=np.float64)
        width = int(max((self.layers[:, L_OUT] * self.layers[:, L_PIECES]).max(),
                        self.layers[:, L_IN].max()))
        n_layers, batch = len(self.layers), trainer.experiment.training.batch_size
        self.Z = np.zeros((n_layers, batch, width), np.float32)
        self.A = np.zeros((n_layers + 1, batch, width), np.float32)
        self.D = np.zeros((n_layers, batch, width), np.float32)
        self.ARG = np.zeros((n_layers, batch, width), dtype=np.int64)
        self.o = np.zeros(width, np.float32)
        rows = max(len(trainer.dataset.train_idx), len(trainer.dataset.test_idx))
        self.H = [np.zeros((rows, width), np.float32) for _ in range(3)]
        self.eval_arg = np.zeros((rows, width), dtype=np.int64)
        self.dz = np.zeros(width, np.float32)
        self.X = {"train": trainer.x_train.numpy(), "test": trainer.x_test.numpy()}
        self.T = {"train": trainer.t_train.numpy().astype(np.float32),
                  "test": trainer.t_test.numpy().astype(np.float32)}
        self.Y = {"train": trainer.y_train.numpy().astype(np.int64),
                  "test": trainer.y_test.numpy().astype(np.int64)}
        spec = trainer.experiment.training
        self.loss = LOSS_CODES[head.loss_name]
        self.link = LINK_CODES[head.link]
        self.out_act = ACT_CODES[head.activation]
        self.out_alpha = float(head.activation_params.get("alpha", 0.0))
        self.loss_param = float(head.loss_params.get("delta", head.loss_params.get("margin", 0.0)))
        self.penalty = PENALTY_CODES[spec.regularization]
        self.l1_ratio = float(trainer.penalty_params.get("l1_ratio", 0.5))
        self.problem = PROBLEM_CODES[trainer.dataset.problem]
        self.zero_one = bool(head.zero_one)

    def describe(self) -> str:
        return "fused numba kernel, whole epochs per call"

    def share_state(self) -> None:
        """Point the optimizer's state tensors at our buffers (again after a file restore)."""
        opt = self.trainer.optimizer
        offsets = 0
        for i, p in enumerate(self.trainer.params):
            n = p.numel()
            for key in STATE_KEYS[opt.entry.name]:
                view = self.state[key][offsets:offsets + n].view(p.shape)
                current = opt.state[i].get(key)
                if current is None or current.data_ptr() != view.data_ptr():
                    if current is not None:
                        view.copy_(current)
                    else:
                        view.zero_()
                    opt.state[i][key] = view
            offsets += n

    def copy_state(self) -> tuple:
        self.share_state()
        return (self.theta.copy(), self.state["v"].numpy().copy(), self.state["a"].numpy().copy(),
                self.trainer.optimizer.t)

    def restore_state(self, saved: tuple) -> None:
        theta, v, a, t = saved
        self.share_state()
        np.copyto(self.theta, theta)
        np.copyto(self.state["v"].numpy(), v)
        np.copyto(self.state["a"].numpy(), a)
        self.trainer.optimizer.t = t

    def run_batches(self, order: torch.Tensor, b0: int, b1: int, lr: float) -> None:
        spec = self.trainer.experiment.training
        opt = self.trainer.optimizer
        opt.t = run_batches(
            self.theta, self.grad, self.state["v"].numpy(), self.state["a"].numpy(), self.decay,
            self.layers, self.alphas, self.X["train"], self.T["train"], order.numpy(), b0, b1,
            spec.batch_size, float(lr), opt.t, self.loss, self.link, self.out_act,
            self.out_alpha, self.loss_param, OPT_CODES[self.opt_name], self.hp, self.penalty,
            float(spec.regularization_rate), self.l1_ratio, float(spec.gradient_clip),
            float(spec.max_norm), self.Z, self.A, self.ARG, self.D, self.o)

    def params_finite(self) -> bool:
        return bool(np.isfinite(self.theta).all())

    def evaluate(self) -> dict[str, float]:
        out = {}
        for split in ("train", "test"):
            if len(self.X[split]) == 0:
                out[f"{split}_loss"] = out[f"{split}_accuracy"] = float("nan")
                continue
            loss, acc = evaluate_batch(
                self.theta, self.layers, self.alphas, self.X[split], self.T[split], self.Y[split],
                self.loss, self.link, self.out_act, self.out_alpha, self.loss_param, self.problem,
                self.zero_one, self.H[0], self.H[1], self.H[2], self.eval_arg, self.o, self.dz)
            out[f"{split}_loss"], out[f"{split}_accuracy"] = float(loss), float(acc)
        return out

