"""First updates of each optimizer against the update rules of the notes (REFERENCE.md §5)."""

import math

import pytest
import torch

from playground.core.optim import OPTIMIZERS, Optimizer

G1, G2 = 0.5, -0.2  # two successive gradients of one parameter starting at θ = 1
LR = 0.1


def _run(name, hyper=None, decay=False):
    theta = torch.tensor([1.0], dtype=torch.float64)
    opt = Optimizer(name, hyper or {}, [theta], [decay])
    values = []
    for g in (G1, G2):
        opt.step([torch.tensor([g], dtype=torch.float64)], LR)
        values.append(theta.item())
    return values


def test_sgd():
    assert _run("sgd") == pytest.approx([1 - LR * G1, 1 - LR * G1 - LR * G2])


def test_momentum_defaults_to_0_9_and_follows_v_then_theta():
    a = OPTIMIZERS["momentum"].defaults()["momentum"]
    assert a == 0.9
    v1 = -LR * G1
    v2 = a * v1 - LR * G2
    assert _run("momentum") == pytest.approx([1 + v1, 1 + v1 + v2])


def test_nesterov_matches_lookahead_gradient_form():
    # v ← αv − ε∇L(θ + αv); θ ← θ + v. Stored variables are φ = θ + αv; with g taken at φ:
    a = 0.9
    theta, v = 1.0, 0.0
    phis = []
    for g in (G1, G2):
        v = a * v - LR * g
        theta = theta + v
        phis.append(theta + a * v)
    assert _run("nesterov") == pytest.approx(phis)


def test_adagrad_has_nu_inside_the_root():
    nu = OPTIMIZERS["adagrad"].defaults()["nu"]
    assert nu == 1e-7
    a1 = G1**2
    t1 = 1 - LR / math.sqrt(a1 + nu) * G1
    a2 = a1 + G2**2
    assert _run("adagrad") == pytest.approx([t1, t1 - LR / math.sqrt(a2 + nu) * G2])


def test_rmsprop():
    beta, nu = 0.99, 1e-7
    a1 = (1 - beta) * G1**2
    t1 = 1 - LR / math.sqrt(a1 + nu) * G1
    a2 = beta * a1 + (1 - beta) * G2**2
    assert _run("rmsprop") == pytest.approx([t1, t1 - LR / math.sqrt(a2 + nu) * G2])


def test_adam_bias_corrected_first_step_is_lr_sized():
    b1, b2, nu = 0.9, 0.999, 1e-8
    v1, a1 = (1 - b1) * G1, (1 - b2) * G1**2
    t1 = 1 - LR * (v1 / (1 - b1)) / math.sqrt(a1 / (1 - b2) + nu)
    v2, a2 = b1 * v1 + (1 - b1) * G2, b2 * a1 + (1 - b2) * G2**2
    t2 = t1 - LR * (v2 / (1 - b1**2)) / math.sqrt(a2 / (1 - b2**2) + nu)
    assert _run("adam") == pytest.approx([t1, t2])
    assert t1 == pytest.approx(1 - LR, rel=1e-6)


def test_adamw_decays_weights_but_not_biases():
    decayed = _run("adamw", {"weight_decay": 0.1}, decay=True)
    plain = _run("adamw", {"weight_decay": 0.1}, decay=False)
    assert plain == pytest.approx(_run("adam"))
    assert decayed[0] == pytest.approx(1 * (1 - LR * 0.1) - LR, rel=1e-6)


def test_unknown_hyperparameter_is_named():
    with pytest.raises(ValueError, match="momentum"):
        Optimizer("adam", {"momentum": 0.9}, [torch.zeros(1)], [True])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_all_at_once_form_gives_the_per_tensor_rules_numbers_bit_for_bit(name):
    # The autograd path steps all tensors at once (torch's _foreach_ operations); the catalog
    # writes each rule tensor by tensor. Weights (decayed), biases and a learned scalar, with
    # a non-default hyperparameter (AdamW's decay) and gradients of both signs and many sizes.
    gen = torch.Generator().manual_seed(3)
    shapes, decay = [(6, 3), (6,), (1, 6), (1,), ()], [True, False, True, False, False]
    hyper = {"weight_decay": 0.05} if name == "adamw" else {}
    start = [torch.randn(s, generator=gen) for s in shapes]
    grads = [[torch.randn(s, generator=gen) * 10.0 ** k for s in shapes] for k in (-3, 0, 2, -1)]
    runs = []
    for per_tensor in (True, False):
        params = [p.clone() for p in start]
        opt = Optimizer(name, hyper, params, decay)
        assert opt.all_at_once is not None  # every catalog rule has its all-at-once form
        for step, g in enumerate(grads):
            opt.step([x.clone() for x in g], 0.05 * (1 + step), per_tensor=per_tensor)
        runs.append((params, opt.state))
    (p1, s1), (p2, s2) = runs
    assert all(torch.equal(a, b) for a, b in zip(p1, p2, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(p1, start, strict=True))
    assert [sorted(s) for s in s1] == [sorted(s) for s in s2]
    assert all(torch.equal(a[k], b[k]) for a, b in zip(s1, s2, strict=True) for k in a)
