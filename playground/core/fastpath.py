"""The fast path: a whole epoch and its evaluation in one compiled call, for plain Dense stacks.

Tiny networks are all overhead in eager PyTorch (a few µs per operation, dozens of operations
per step), which makes them ~30x slower than TF Playground's hand-written JavaScript. Here the
forward pass, backward pass, weight penalty, gradient clipping, optimizer update and max-norm of
every mini-batch, and then the loss and accuracy over both splits, run inside one numba-compiled
call, on a flat float32 buffer that the torch model's parameters *view* (no copies: the views,
snapshots and files see the same numbers).

What makes it fast: examples are the inner, contiguous dimension of every buffer (inputs,
activations, targets are stored feature-major), so the loops over a batch or a split compile to
SIMD; tanh is a vectorizable rational function rather than a libm call; squared-error heads run
as vector loops; divisions use numpy's error model (a Python-style zero check would stop LLVM
vectorizing); and one call per epoch with a handful of arguments keeps dispatch to ~2 µs.

Its float32 follows torch's: tanh saturates to exactly ±1 where torch's does, NaN passes
through ReLU, losses are summed in float32 (an overflow is inf, hence divergence, at the same
epoch), and the optimizer step and its scalar settings are rounded to float32. Ties and kinks
follow the rules the catalog's formulas state: a maxout tie gives the whole gradient to the
first largest piece, a hinge at its kink passes none. An entry the kernel has no form of
(`missing_kernel_form`) sends the network to autograd with the reason. The kernel also runs
as plain Python under NUMBA_DISABLE_JIT=1, for stepping through it.

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

# Named slots of the `floats` argument (Huber's δ and the hinge's margin each have their own);
# the optimizer's hyperparameters follow from F_HYPER in its catalog entry's order.
FLOAT_SLOTS = ("learning_rate", "output_alpha", "huber_delta", "hinge_margin", "penalty_rate",
               "l1_ratio", "gradient_clip", "max_norm")
(F_LR, F_OUT_ALPHA, F_DELTA, F_MARGIN, F_RATE, F_L1_RATIO, F_CLIP, F_MAX_NORM) = range(8)
F_HYPER = len(FLOAT_SLOTS)
N_HYPER = 4

# Layer table columns.
(L_IN, L_OUT, L_PIECES, L_W, L_B, L_ACT, L_ALPHA_AT) = range(7)
SELU_L, SELU_A = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717

# Batch size x parameters from which torch's matrix libraries beat the kernel's plain loops.
# Measured on 2 cores, digits, Adam: [64, 64] at batch 32 (2.9e5) is 2.6x faster fused;
# [128, 128] at 64 (1.7e6) 1.0-1.2x faster fused; [256, 256] at 32 (2.7e6) 1.5x faster through
# autograd, 4x256 at 256 (5.5e7) 3.9x.
FUSED_WORK = 2_000_000

# Contraction and reassociation only: "no NaNs" would let LLVM fold away the very NaN
# handling that divergence detection relies on.
FAST_FLAGS = {"contract", "reassoc", "arcp", "afn"}

if numba is not None:
    jit = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True, error_model="numpy")
    inline = numba.njit(cache=True, fastmath=FAST_FLAGS, nogil=True, error_model="numpy",
                         inline="always")

    @inline
    def _tanh_rational(x):
        """tanh as a rational function (float32-accurate, < 3e-7 off): unlike libm's tanhf it
        inlines and vectorizes, and tanh is the activation people use most. NaN stays NaN."""
        c = np.float32(7.90531110763549805)
        x = c if x > c else (-c if x < -c else x)
        x2 = x * x
        p = np.float32(-2.76076847742355e-16)
        p = p * x2 + np.float32(2.00018790482477e-13)
        p = p * x2 + np.float32(-8.60467152213735e-11)
        p = p * x2 + np.float32(5.12229709037114e-08)
        p = p * x2 + np.float32(1.48572235717979e-05)
        p = p * x2 + np.float32(6.37261928875436e-04)
        p = p * x2 + np.float32(4.89352455891786e-03)
        q = np.float32(1.19825839466702e-06)
        q = q * x2 + np.float32(1.18534705686654e-04)
        q = q * x2 + np.float32(2.26843463243900e-03)
        q = q * x2 + np.float32(4.89352518554385e-03)
        r = p * x / q
        one = np.float32(1.0)
        return one if r > one else (-one if r < -one else r)

    @inline
    def _tanh32(x):
        """tanh rounded as torch's float32 tanh rounds it: the rational form, then, past where
        it stops resolving float32 steps, the last four steps below 1 and exactly ±1 from 9.011
        on (so saturated units pass no gradient, 1 − tanh² = 0, as in torch). Selects only:
        the loops still vectorize. NaN stays NaN."""
        r = _tanh_rational(x)
        ax = abs(x)
        m = np.float32(1.0) if ax >= np.float32(9.010843) else (
            np.float32(0.99999994) if ax >= np.float32(8.461569) else (
                np.float32(0.9999999) if ax >= np.float32(8.206202) else np.float32(0.9999998)))
        return (m if x > 0 else -m) if ax >= np.float32(8.037974) else r

    @inline
    def _act(z, code, alpha):
        if code == 0:
            return z
        if code == 1:
            return 1.0 / (1.0 + math.exp(-z))
        if code == 2:
            return _tanh32(z)
        if code == 3:  # NaN stays NaN, as in torch
            return 0.0 if z <= 0.0 else z
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
        return np.nan  # no branch for this code: NaN (divergence), never a silent identity

    @inline
    def _dact(z, code, alpha):
        if code == 0:
            return 1.0
        if code == 1:
            s = 1.0 / (1.0 + math.exp(-z))
            return s * (1.0 - s)
        if code == 2:
            t = _tanh32(z)
            return 1.0 - t * t
        if code == 3:
            return 0.0 if z <= 0.0 else 1.0
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
        return np.nan

    @inline
    def _elem_loss(e, loss, delta):
        """Squared (½e²), absolute or Huber error of one output's error e = o − t, and its
        derivative in o."""
        half = np.float32(0.5)
        if loss == 0:
            return half * e * e, e
        if loss == 1:
            return abs(e), (np.float32(1.0) if e > 0.0 else (
                np.float32(-1.0) if e < 0.0 else np.float32(0.0)))
        if abs(e) <= delta:
            return half * e * e, e
        return delta * (abs(e) - half * delta), (delta if e > 0.0 else -delta)

    @jit
    def _head(z, t, n_out, loss, link, out_act, out_alpha, delta, margin, o, dz):
        """Loss of one example and dL/dz at the output (into dz); o gets the linked output. For
        the heads _loss_rows does not run as vector loops: the sigmoid and softmax links, a
        softmax output activation, and the hinge family's raw scores."""
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
        else:  # raw scores (hinge family)
            for k in range(n_out):
                o[k] = z[k]
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
                        excess = z[k] - correct + margin
                        if excess > 0.0:  # the kink (excess 0) passes no gradient
                            value += excess
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
        # squared, absolute or Huber error on a softmax output, through its Jacobian:
        # dz = o ⊙ (g − o·g). (Elementwise outputs take the vector loops of _loss_rows.)
        value, dot = 0.0, 0.0
        for k in range(n_out):
            v, g = _elem_loss(o[k] - t[k], loss, delta)
            value += v
            dz[k] = g
            dot += g * o[k]
        for k in range(n_out):
            dz[k] = o[k] * (dz[k] - dot)
        return value

    @jit
    def _update(theta, grad, v, a, decay, opt, hp, lr, t):
        """The optimizer step on the flat buffer (rules as in optim.py), in float32 as torch
        takes it: Python scalars rounded to float32, each operation rounded."""
        n = theta.shape[0]
        f32 = np.float32
        keep = f32(1.0 - lr * hp[3])  # AdamW's decay factor, a Python float in optim.py
        lr = f32(lr)
        h0, h1, h2 = f32(hp[0]), f32(hp[1]), f32(hp[2])
        if opt == 0:
            for i in range(n):
                theta[i] -= lr * grad[i]
        elif opt == 1:
            for i in range(n):
                v[i] = h0 * v[i] - lr * grad[i]
                theta[i] += v[i]
        elif opt == 2:
            for i in range(n):
                v[i] = h0 * v[i] - lr * grad[i]
                theta[i] += h0 * v[i] - lr * grad[i]
        elif opt == 3:
            for i in range(n):
                a[i] += grad[i] * grad[i]
                theta[i] -= lr * grad[i] / math.sqrt(a[i] + h0)
        elif opt == 4:
            rest = f32(1.0 - hp[0])
            for i in range(n):
                a[i] = h0 * a[i] + rest * grad[i] * grad[i]
                theta[i] -= lr * grad[i] / math.sqrt(a[i] + h1)
        else:
            c1, c2 = f32(1.0 - hp[0] ** t), f32(1.0 - hp[1] ** t)
            rest1, rest2 = f32(1.0 - hp[0]), f32(1.0 - hp[1])
            for i in range(n):
                v[i] = h0 * v[i] + rest1 * grad[i]
                a[i] = h1 * a[i] + rest2 * grad[i] * grad[i]
                if opt == 6 and decay[i]:
                    theta[i] *= keep
                theta[i] -= lr * (v[i] / c1) / math.sqrt(a[i] / c2 + h2)

    @inline
    def _act_row(out, pre, n, code, alpha):
        """out[:n] = f(pre[:n]), deciding on f once per row (tight loops for the usual ones)."""
        if code == 2:
            for j in range(n):
                out[j] = _tanh32(pre[j])
        elif code == 3:
            for j in range(n):
                out[j] = np.float32(0.0) if pre[j] <= 0.0 else pre[j]  # NaN stays NaN
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
    def _dact_row(d, pre, act, n, code, alpha):
        """d[:n] *= f′(pre[:n]), from the activation act = f(pre) where that is cheaper."""
        if code == 2:
            for j in range(n):
                d[j] *= np.float32(1.0) - act[j] * act[j]
        elif code == 3:
            for j in range(n):
                d[j] = np.float32(0.0) if pre[j] <= 0.0 else d[j]
        elif code == 1:
            for j in range(n):
                d[j] *= act[j] * (np.float32(1.0) - act[j])
        elif code != 0:
            for j in range(n):
                d[j] *= _dact(pre[j], code, alpha)

    @inline
    def _forward(theta, layers, alphas, li, src, dst, pre, arg, n, activate):
        """Layer li over n examples, feature-major: src (inputs, n) -> pre (rows, n), and
        dst (units, n) = f(pre), or the maxout of each unit's pieces. The inner loops run along
        the examples, so they vectorize."""
        n_in, units, pieces = layers[li, L_IN], layers[li, L_OUT], layers[li, L_PIECES]
        w, b, code, at = layers[li, L_W], layers[li, L_B], layers[li, L_ACT], layers[li, L_ALPHA_AT]
        alpha = theta[at] if at >= 0 else alphas[li]  # PReLU's slope is learned, in theta
        for r in range(units * pieces):
            z = pre[r]
            bias = theta[b + r] if b >= 0 else np.float32(0.0)
            for m in range(n):
                z[m] = bias
            for i in range(n_in):
                wv = theta[w + r * n_in + i]
                x = src[i]
                for m in range(n):
                    z[m] += wv * x[m]
        if pieces == 1:
            if activate:  # (the output layer's activation belongs to the head)
                for r in range(units):
                    _act_row(dst[r], pre[r], n, code, alpha)
            return
        for j in range(units):  # maxout: the largest of the pieces
            for m in range(n):
                best, best_p = pre[j * pieces, m], 0
                for p in range(1, pieces):  # a tie keeps the first; a NaN wins (torch's argmax)
                    value = pre[j * pieces + p, m]
                    if value > best or (value != value and best == best):
                        best, best_p = value, p
                arg[j, m] = best_p
                dst[j, m] = best

    @inline
    def _loss_rows(Z, Tm, n, n_out, loss, link, out_act, out_alpha, delta, margin, scale, OUT, D,
                   small):
        """The loss summed over n examples, feature-major: Z (outputs, n) pre-activations, Tm
        targets, OUT gets the linked outputs; with D non-empty, dL/dZ * scale into D. Squared,
        absolute and Huber error on an elementwise activation run as vector loops; the other
        heads go example by example."""
        total = np.float32(0.0)  # float32, as torch sums: an overflow is inf, i.e. divergence
        grad = D.shape[0] > 0
        if link == 0 and out_act != 15 and loss <= 2:
            for k in range(n_out):
                _act_row(OUT[k], Z[k], n, out_act, out_alpha)
                o, t = OUT[k], Tm[k]
                for m in range(n):
                    v, g = _elem_loss(o[m] - t[m], loss, delta)
                    total += np.float32(v)
                    if grad:
                        D[k, m] = g * scale
                if grad:
                    _dact_row(D[k], Z[k], OUT[k], n, out_act, out_alpha)
            return total
        o, z, dz, t = small[0], small[1], small[2], small[3]
        for m in range(n):
            for k in range(n_out):
                z[k] = Z[k, m]
                t[k] = Tm[k, m]
            total += np.float32(_head(z, t, n_out, loss, link, out_act, out_alpha, delta, margin,
                                      o, dz))
            for k in range(n_out):
                OUT[k, m] = o[k]
            if grad:
                for k in range(n_out):
                    D[k, m] = dz[k] * scale
        return total

    @jit
    def _right(OUT, Y, first, n, n_out, problem, zero_one):
        """Correct predictions among n examples (labels Y[first:]) from the linked outputs
        OUT (outputs, n)."""
        right = 0
        if problem == 0:
            o = OUT[0]
            for m in range(n):
                score = 2.0 * o[m] - 1.0 if zero_one else o[m]
                right += (1 if score > 0.0 else 0) == Y[first + m]
        elif problem == 1:
            for m in range(n):
                best_c = 0
                for c in range(1, n_out):
                    if OUT[c, m] > OUT[best_c, m]:
                        best_c = c
                right += best_c == Y[first + m]
        return right

    @jit
    def run_epoch(P, decay, layers, alphas, X, Xe, T, Te, Y, order, ints, floats, TB, EB, ARG, small,
                  out):
        """Mini-batches b0..b1-1 of `order`, then (if asked) loss and accuracy over both splits,
        in one call. Results go to `out`: train loss, train accuracy, test loss, test accuracy,
        the optimizer's step count, whether every parameter is finite.

        P rows: parameters, gradient, optimizer state v and a (the torch tensors view them).
        X and Xe: training and test inputs, T and Te their targets, all feature-major (inputs
        or outputs, examples); Y: labels, training examples first. TB[0..3][li]
        (width, batch): inputs A of layer li, pre-activations Z, dL/dZ D, and scratch. EB (3,
        width, examples): evaluation scratch.
        """
        theta, grad, v, a = P[0], P[1], P[2], P[3]
        b0, b1, batch, loss, link, out_act, opt, penalty = ints[0], ints[1], ints[2], ints[3], \
            ints[4], ints[5], ints[6], ints[7]
        problem, zero_one, evaluate, t, n_train = ints[8], ints[9] != 0, ints[10], ints[11], \
            ints[12]
        lr, out_alpha, delta, margin = floats[F_LR], floats[F_OUT_ALPHA], floats[F_DELTA], \
            floats[F_MARGIN]
        rate, l1_ratio, clip, max_norm = floats[F_RATE], floats[F_L1_RATIO], floats[F_CLIP], \
            floats[F_MAX_NORM]
        hp = floats[F_HYPER:]
        A, Z, D, S = TB[0], TB[1], TB[2], TB[3]
        n_layers = layers.shape[0]
        n_in0 = layers[0, L_IN]
        n_out = layers[n_layers - 1, L_OUT]
        for bi in range(b0, b1):
            start = bi * batch
            mc = min(start + batch, n_train) - start
            for m in range(mc):
                k = order[start + m]
                for i in range(n_in0):
                    A[0, i, m] = X[i, k]
            for li in range(n_layers):
                _forward(theta, layers, alphas, li, A[li], A[li + 1], Z[li], ARG[li], mc,
                         li < n_layers - 1)
            last = n_layers - 1
            scale = np.float32(1.0 / mc)
            for m in range(mc):
                k = order[start + m]
                for c in range(n_out):
                    S[0, c, m] = T[c, k]
            _loss_rows(Z[last], S[0], mc, n_out, loss, link, out_act, out_alpha, delta, margin, scale,
                       A[n_layers], D[last], small)
            grad[:] = 0.0
            for li in range(n_layers - 1, -1, -1):
                n_in, units, pieces = layers[li, L_IN], layers[li, L_OUT], layers[li, L_PIECES]
                w, b = layers[li, L_W], layers[li, L_B]
                rows = units * pieces
                src, d_out = A[li], D[li]
                for r in range(rows):
                    dr = d_out[r]
                    if b >= 0:
                        s = np.float32(0.0)
                        for m in range(mc):
                            s += dr[m]
                        grad[b + r] += s
                    for i in range(n_in):
                        x = src[i]
                        s = np.float32(0.0)
                        for m in range(mc):
                            s += dr[m] * x[m]
                        grad[w + r * n_in + i] += s
                if li == 0:
                    break
                prev = li - 1
                p_pieces, code = layers[prev, L_PIECES], layers[prev, L_ACT]
                at = layers[prev, L_ALPHA_AT]
                alpha = theta[at] if at >= 0 else alphas[prev]
                da = S[1] if p_pieces > 1 else D[prev]
                for i in range(n_in):  # units of the previous layer
                    di = da[i]
                    for m in range(mc):
                        di[m] = 0.0
                    for r in range(rows):
                        wv = theta[w + r * n_in + i]
                        dr = d_out[r]
                        for m in range(mc):
                            di[m] += wv * dr[m]
                if p_pieces > 1:
                    for i in range(n_in):
                        for p in range(p_pieces):
                            for m in range(mc):
                                D[prev, i * p_pieces + p, m] = da[i, m] if p == ARG[prev, i, m] \
                                    else np.float32(0.0)
                    continue
                if code == 5:  # PReLU: the slope's gradient, before f′ scales da
                    for i in range(n_in):
                        for m in range(mc):
                            if Z[prev, i, m] <= 0.0:
                                grad[at] += da[i, m] * Z[prev, i, m]
                for i in range(n_in):
                    _dact_row(D[prev, i], Z[prev, i], src[i], mc, code, alpha)
            if penalty > 0 and rate > 0.0:
                for i in range(theta.shape[0]):
                    if decay[i]:
                        wv = theta[i]
                        sign = 1.0 if wv > 0.0 else (-1.0 if wv < 0.0 else 0.0)
                        if penalty == 1:
                            grad[i] += rate * sign
                        elif penalty == 2:
                            grad[i] += rate * wv
                        else:
                            grad[i] += rate * (l1_ratio * sign + (1.0 - l1_ratio) * wv)
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
        out[4] = t
        finite = True
        for i in range(theta.shape[0]):
            if not math.isfinite(theta[i]):
                finite = False
                break
        out[5] = 1.0 if finite else 0.0
        if not evaluate:
            return
        h0, h1, pre = EB[0], EB[1], EB[2]
        no_grad = EB[0, :0, :0]
        for split in range(2):
            src = X if split == 0 else Xe
            n, first = src.shape[1], 0 if split == 0 else n_train
            if n == 0:
                out[2 * split] = out[2 * split + 1] = np.nan
                continue
            dst = h0
            for li in range(n_layers):  # the output layer leaves its pre-activations in pre
                _forward(theta, layers, alphas, li, src, dst, pre, ARG[0], n, li < n_layers - 1)
                if li < n_layers - 1:
                    src = dst
                    dst = h1 if dst is h0 else h0
            total = _loss_rows(pre, T if split == 0 else Te, n, n_out, loss, link, out_act,
                               out_alpha, delta, margin, np.float32(1.0), dst, no_grad, small)
            out[2 * split] = total / n
            out[2 * split + 1] = _right(dst, Y, first, n, n_out, problem, zero_one) / n \
                if problem != 2 else np.nan

_ready = False
COMPILING = "autograd while the fused kernel compiles (first start only)"


def ready() -> bool:
    """Whether the kernels are compiled (or loaded from numba's disk cache) in this process."""
    return _ready


def warm_up() -> None:
    """Compile the kernel, or load it from the disk cache, with empty inputs of the types real
    calls use. Slow the first time on a machine (~10 s), fast after (the cache)."""
    global _ready
    if numba is None or _ready:
        return
    f32, i64 = np.float32, np.int64
    mat = np.zeros((1, 1), f32)
    run_epoch(np.zeros((4, 1), f32), np.zeros(1, np.bool_), np.zeros((1, 7), i64), np.zeros(1),
              mat, mat, mat, mat, np.zeros(1, i64), np.zeros(0, i64), np.zeros(13, i64),
              np.zeros(F_HYPER + N_HYPER), np.zeros((4, 2, 1, 1), f32), np.zeros((3, 1, 1), f32),
              np.zeros((2, 1, 1), i64), np.zeros((4, 1), f32), np.zeros(6))
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
        missing = cls.missing_kernel_form(trainer)
        if missing:
            return f"autograd through the graph (the fused kernel has no form of {missing})"
        if trainer.experiment.training.batch_size * trainer.n_params >= FUSED_WORK:
            return (f"autograd with matrix libraries ({trainer.n_params:,} parameters x batch "
                    f"{trainer.experiment.training.batch_size}: big enough that they beat the "
                    "fused kernel)")
        if not _ready:
            if not compile_now:
                return COMPILING
            warm_up()
        return ""

    @staticmethod
    def missing_kernel_form(trainer) -> str:
        """The first catalog entry this network uses that the kernel cannot compute, named for
        people ("" when there is none)."""
        spec, head = trainer.experiment.training, trainer.head
        used = [("activation", block.act.name) for node, _ in trainer.model.dense_layers()
                if (block := trainer.model.blocks[node]).act is not None]
        used += [("output activation", head.activation), ("loss", head.loss_name),
                 ("optimizer", spec.optimizer), ("weight penalty", spec.regularization)]
        tables = {"activation": ACT_CODES, "output activation": ACT_CODES, "loss": LOSS_CODES,
                  "optimizer": OPT_CODES, "weight penalty": PENALTY_CODES}
        for kind, name in used:
            if name not in tables[kind]:
                return f"the {kind} {name!r}"
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
        # rows: parameters, gradient, optimizer state v and a
        self.P = torch.zeros((4, int(offsets[-1])), dtype=torch.float32)
        self.Pn = self.P.numpy()
        self.flat = self.P[0]
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
                                for n, _ in model.dense_layers()], dtype=np.float32
                               ).astype(np.float64)
        self.theta = self.flat.numpy()
        self.decay = np.zeros(len(self.theta), dtype=np.bool_)
        for o, n, d in zip(offsets, sizes, trainer.decay_mask, strict=False):
            self.decay[o:o + n] = d
        opt = trainer.optimizer
        self.opt_name = opt.entry.name
        self.state = {"v": self.P[2], "a": self.P[3]}
        # Rows copy_state keeps: the weights and the state this optimizer uses.
        self._kept_rows = [0] + [{"v": 2, "a": 3}[k] for k in STATE_KEYS[opt.entry.name]]
        self._kept: np.ndarray | None = None
        self._shared = None
        self.share_state()
        hp = opt.hyper
        opt_hyper = {
            "sgd": [0.0], "momentum": [hp.get("momentum", 0)], "nesterov": [hp.get("momentum", 0)],
            "adagrad": [hp.get("nu", 0)], "rmsprop": [hp.get("beta", 0), hp.get("nu", 0)],
            "adam": [hp.get("beta1", 0), hp.get("beta2", 0), hp.get("nu", 0), 0.0],
            "adamw": [hp.get("beta1", 0), hp.get("beta2", 0), hp.get("nu", 0),
                      hp.get("weight_decay", 0)]}[self.opt_name]
        widths = np.concatenate([self.layers[:, L_OUT] * self.layers[:, L_PIECES],
                                 self.layers[:, L_IN]])
        width, n_layers = int(widths.max()), len(self.layers)
        spec = trainer.experiment.training
        batch = spec.batch_size
        n_train, n_test = len(trainer.dataset.train_idx), len(trainer.dataset.test_idx)
        rows = max(n_train, n_test, 1)
        self.TB = np.zeros((4, n_layers + 1, width, batch), np.float32)
        self.EB = np.zeros((3, width, rows), np.float32)
        maxout = bool((self.layers[:, L_PIECES] > 1).any())
        # (without maxout a placeholder, one per layer: the kernel indexes it per layer)
        self.ARG = np.zeros((n_layers + 1, width, max(batch, rows)) if maxout
                            else (n_layers + 1, 1, 1), dtype=np.int64)
        self.small = np.zeros((4, width), np.float32)
        self.out = np.zeros(6)
        self.X = np.ascontiguousarray(trainer.x_train.numpy().T)
        self.Xe = np.ascontiguousarray(trainer.x_test.numpy().T)
        self.T, self.Te = (np.ascontiguousarray(t.numpy().astype(np.float32).reshape(len(t), -1).T)
                           for t in (trainer.t_train, trainer.t_test))
        self.Y = np.concatenate([trainer.y_train.numpy(), trainer.y_test.numpy()]).astype(np.int64)
        self.no_order = np.zeros(0, np.int64)
        self.ints = np.array([0, 0, batch, LOSS_CODES[head.loss_name], LINK_CODES[head.link],
                              ACT_CODES[head.activation], OPT_CODES[self.opt_name],
                              PENALTY_CODES[spec.regularization], PROBLEM_CODES[trainer.dataset.problem],
                              int(head.zero_one), 0, 0, n_train], dtype=np.int64)
        named = {"learning_rate": 0.0,
                 "output_alpha": head.activation_params.get("alpha", 0.0),
                 "huber_delta": head.loss_params.get("delta", 0.0),
                 "hinge_margin": head.loss_params.get("margin", 0.0),
                 "penalty_rate": spec.regularization_rate,
                 "l1_ratio": trainer.penalty_params.get("l1_ratio", 0.5),
                 "gradient_clip": spec.gradient_clip, "max_norm": spec.max_norm}
        # rounded to float32, as torch rounds a Python scalar it combines with float32 tensors
        # (an Adam ν of 1e-50 is 0 there, and so 0/0 = NaN for a parameter with no gradient)
        self.floats = np.array([float(named[k]) for k in FLOAT_SLOTS]
                               + [*opt_hyper, *[0.0] * (N_HYPER - len(opt_hyper))],
                               dtype=np.float32).astype(np.float64)
        self.finite = True

    def describe(self) -> str:
        return "fused numba kernel, whole epochs per call"

    def share_state(self) -> None:
        """Point the optimizer's state tensors at our buffers (again after a file restore put
        new ones in)."""
        opt = self.trainer.optimizer
        if self._shared is opt.state:
            return
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
        self._shared = opt.state

    def copy_state(self) -> tuple:
        """The weights and the optimizer's state, copied into one preallocated buffer that
        the next call overwrites (the trainer keeps only the last good state). It runs every
        epoch, so it is plain NumPy copies of the rows in use: a torch gather would start
        threads for it (~0.3 ms, against ~5 us here at 2 x 32 units)."""
        self.share_state()
        rows = self._kept_rows
        if self._kept is None:
            self._kept = np.empty((len(rows), self.Pn.shape[1]), np.float32)
        for i, row in enumerate(rows):
            np.copyto(self._kept[i], self.Pn[row])
        return self._kept, self.trainer.optimizer.t

    def restore_state(self, saved: tuple) -> None:
        self.share_state()
        buffers, self.trainer.optimizer.t = saved
        for i, row in enumerate(self._kept_rows):
            self.Pn[row] = buffers[i]
        self.finite = True

    def run(self, order: torch.Tensor | None, b0: int, b1: int, lr: float,
            evaluate: bool) -> dict[str, float] | None:
        """Mini-batches b0..b1-1 of `order`, then loss and accuracy over both splits if asked."""
        self.share_state()
        opt = self.trainer.optimizer
        ints, out = self.ints, self.out
        ints[0], ints[1], ints[10], ints[11] = b0, b1, evaluate, opt.t
        self.floats[F_LR] = np.float32(lr)
        order = self.no_order if order is None else order.numpy()
        run_epoch(self.Pn, self.decay, self.layers, self.alphas, self.X, self.Xe, self.T, self.Te,
                  self.Y, order, ints, self.floats, self.TB, self.EB, self.ARG, self.small, out)
        opt.t = int(out[4])
        self.finite = out[5] == 1.0
        if not evaluate:
            return None
        return {"train_loss": float(out[0]), "train_accuracy": float(out[1]),
                "test_loss": float(out[2]), "test_accuracy": float(out[3])}

    def params_finite(self) -> bool:
        """After the last run (the kernel checks)."""
        return self.finite

    def evaluate(self) -> dict[str, float]:
        return self.run(None, 0, 0, 0.0, True)
