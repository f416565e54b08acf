"""The fused epoch's driver, copied into every generated kernel (never imported to run).

generate.py writes, for one network's combination of catalog entries, the functions this
driver calls by name (undefined here, hence the noqa): `activate` and `backprop_activation`
(the hidden layers' activations), `output_loss` and `output_loss_grad` (the output's link and
loss), `add_penalty`, `update` (the optimizer) and `count_right` (accuracy for the problem),
and the constants ACCURACY (whether the problem has one) and PIECES (whether a layer is
maxout).
Then it appends the source below the marker. Everything else is a block (blocks.py).

P rows: parameters, gradient, then the optimizer's state rows (the torch tensors view them).
X and Xe: training and test inputs, T and Te their targets, all feature-major (inputs or
outputs, examples); Y: labels, training examples first. layers: one LAYER record per dense
layer, output last. TB[0..3][li] (width, columns): inputs A of layer li, pre-activations Z,
dL/dZ D, and scratch, for a batch or a chunk of a split (SETTINGS.chunk examples); columns is a
multiple of 16 and at least the chunk rounded up to 16 (see run_epoch's `wide`). ARG:
maxout's winning pieces. small (4, width): one example's outputs for the heads that go
example by example.
settings: one SETTINGS record, the trainer's settings and its entries' parameters. The call's
own values come as scalars (b0, b1, learning_rate, the optimizer's step count t, evaluate):
writing fields of a record from Python costs ~0.7 µs each, a scalar argument ~0.02 µs.
"""

# (F821: the generated part defines those names; SIM102: numba drops an `if CONSTANT:` branch
# whole, not one whose condition also tests a variable)
# ruff: noqa: F821, SIM102


def inline(function):
    """Importing this file (as the no-Qt check imports every core module) compiles nothing:
    above the marker, @inline and @jit leave a function as it is; the kernel's copy gets
    blocks.inline and blocks.jit."""
    return function


jit = inline


# ---- copied into each kernel from here ----


@inline
def forward_layer(theta, layer, A, Z, ARG, li, n, activate_it):
    """Dense layer li over n examples: inputs A[li] -> pre-activations Z[li] -> A[li + 1]."""
    units, pieces = layer["units"], layer["pieces"]
    affine_forward(theta, layer["w"], layer["b"], layer["n_in"], units * pieces, A, Z, li, n)
    if PIECES:  # (a constant: without maxout in the plan, this is not compiled at all)
        if pieces > 1:
            maxout_forward(Z, units, pieces, A, ARG, li, n)
            return
    if activate_it:  # (the output layer's activation belongs to the head)
        activate(layer, theta, A, Z, li, n)


@inline
def backward_layer(theta, grad, layers, li, A, Z, D, S, ARG, n, wide):
    """Layer li's weight and bias gradients from D[li] (sums over the n examples), then dL/dZ
    of the layer below into D[li - 1] (through maxout's winning pieces, or the activation's
    backward), elementwise over `wide` columns."""
    layer = layers[li]
    n_in, rows, w, b = layer["n_in"], layer["units"] * layer["pieces"], layer["w"], layer["b"]
    if li == 0:
        weight_grads(grad, w, b, n_in, rows, A, D, li, n)
        return
    below = layers[li - 1]
    if PIECES:
        if below["pieces"] > 1:
            weight_and_input_grads(theta, grad, w, b, n_in, rows, A, D, li, S, 1, n, wide)
            maxout_backward(S, 1, below["units"], below["pieces"], ARG, D, li - 1, wide)
            return
    weight_and_input_grads(theta, grad, w, b, n_in, rows, A, D, li, D, li - 1, n, wide)
    backprop_activation(below, theta, grad, D, Z, A, li - 1, n, wide)


@inline
def run_epoch(P, decay, layers, X, Xe, T, Te, Y, order, settings, TB, ARG, small, b0, b1,
              learning_rate, t, evaluate, out):
    """Mini-batches b0..b1-1 of `order`, then (if asked) loss and accuracy over both splits
    (see the module docstring for the arguments). Returns the optimizer's step count and
    whether every parameter is finite; writes train loss, train accuracy, test loss and test
    accuracy into `out` (NaN when not evaluated).

    One loop runs the training batches, then the splits in chunks of TB's width, through the
    same forward code: written once, it compiles once.

    Elementwise loops (affine maps, activations, the head's dL/dZ, dL/d(inputs)) run over
    `wide`, the n examples rounded up to 16 columns (TB has that many): a batch of 10 is then
    one 16-wide vector step per loop, where 10 columns ran as two 4-wide steps and two scalar
    ones (LLVM vectorizes 16 wide here, so a loop of 10 ran in its remainder code). The extra
    columns hold leftovers of earlier batches or chunks; nothing sums them: every sum over
    examples (gradients, losses, accuracy, a learned activation parameter's gradient) runs
    over the n examples only, so the results are those of n columns, bit for bit."""
    s = settings[0]
    theta, grad = P[0], P[1]
    batch, n_train = s["batch"], s["n_train"]
    clip, max_norm = s["gradient_clip"], s["max_norm"]
    A, Z, D, S = TB[0], TB[1], TB[2], TB[3]
    n_layers = layers.shape[0]
    last = n_layers - 1
    n_in, n_out = layers[0]["n_in"], layers[last]["units"]
    chunk = s["chunk"]
    n_batches = b1 - b0
    splits = ((X.shape[1] + chunk - 1) // chunk, (Xe.shape[1] + chunk - 1) // chunk)
    # (scalars, not arrays: the kernel runs without numba's reference counting, see blocks.py)
    total_0, total_1 = f32(0.0), f32(0.0)  # summed in float32 as torch sums: overflow is inf
    right_0, right_1 = 0, 0
    jobs = n_batches + (splits[0] + splits[1] if evaluate else 0)
    for job in range(jobs):
        training = job < n_batches
        if training:
            start = (b0 + job) * batch
            n = min(start + batch, n_train) - start
            gather_columns(X, order, start, n, n_in, A, 0)
            gather_columns(T, order, start, n, n_out, S, 0)
        else:
            split = 0 if job - n_batches < splits[0] else 1
            start = (job - n_batches - (0 if split == 0 else splits[0])) * chunk
            n = min(start + chunk, (X if split == 0 else Xe).shape[1]) - start
            copy_columns(X if split == 0 else Xe, start, n, n_in, A, 0)
            copy_columns(T if split == 0 else Te, start, n, n_out, S, 0)
        wide = n if n < 2 else (n + 15) // 16 * 16
        for li in range(n_layers):
            forward_layer(theta, layers[li], A, Z, ARG, li, wide, li < last)
        if not training:
            loss = output_loss(A, Z, S, last, n, n_out, s, small)
            labels = Y[start:] if split == 0 else Y[n_train + start:]
            right = count_right(A[n_layers], labels, n, n_out, s)
            if split == 0:
                total_0 += loss
                right_0 += right
            else:
                total_1 += loss
                right_1 += right
            continue
        output_loss_grad(A, Z, S, last, n, wide, n_out, s, small, D, f32(1.0 / n))
        grad[:] = 0.0
        for li in range(last, -1, -1):
            backward_layer(theta, grad, layers, li, A, Z, D, S, ARG, n, wide)
        add_penalty(theta, grad, decay, s)
        if clip > 0.0:
            clip_gradient(grad, clip)
        t += 1
        update(P, decay, s, learning_rate, t)
        if max_norm > 0.0:
            for li in range(n_layers):
                layer = layers[li]
                limit_norm(theta, layer["w"], layer["n_in"], layer["units"] * layer["pieces"],
                           max_norm)
    finite = all_finite(theta)
    out[:] = np.nan
    if evaluate:
        if X.shape[1] > 0:
            out[0] = total_0 / X.shape[1]
            if ACCURACY:
                out[1] = right_0 / X.shape[1]
        if Xe.shape[1] > 0:
            out[2] = total_1 / Xe.shape[1]
            if ACCURACY:
                out[3] = right_1 / Xe.shape[1]
    return t, finite


@jit
def run_epochs(P, decay, layers, X, Xe, T, Te, Y, orders, seeds, settings, TB, ARG, small, b0,
               b1, learning_rates, t, evaluate, out, kept, kept_rows):
    """The kernel's one entry: epochs, one per entry of `learning_rates` (its rate) and row of
    `orders` (mini-batches b0..b1-1 of the first, 0..b1-1 of the others; then, if asked, loss
    and accuracy over both splits into that row of `out`), until one ends with a non-finite
    parameter or loss. Given `seeds` (one per epoch), each epoch's end shuffles the next row
    of `orders` from its seed (shuffle.py); without, the rows are the orders. After each
    finite epoch the rows `kept_rows` of P (weights, optimizer state) are copied into `kept`:
    the state to fall back on. Returns the finite epochs done, the optimizer's step count
    after the last of them and after the last epoch run, and whether every parameter is
    finite after that one. A single epoch or a few batches is one row (the epoch's body is
    inlined here: one function to compile)."""
    kept_t = t
    for e in range(learning_rates.shape[0]):
        t, finite = run_epoch(P, decay, layers, X, Xe, T, Te, Y, orders[e], settings, TB, ARG,
                              small, b0 if e == 0 else 0, b1, learning_rates[e], t, evaluate,
                              out[e])
        if not finite or (evaluate and not math.isfinite(out[e, 0])):
            return e, kept_t, t, finite
        for i in range(kept_rows.shape[0]):
            row = kept_rows[i]
            for j in range(P.shape[1]):
                kept[i, j] = P[row, j]
        kept_t = t
        if seeds.shape[0] > e:
            shuffle_order(seeds[e], orders[e + 1])
    return learning_rates.shape[0], kept_t, t, True
