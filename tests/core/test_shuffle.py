"""Each epoch's order: one seed from the shuffle generator, then Fisher-Yates (shuffle.py), the
same in Python and inside the fused kernel."""

import itertools
from collections import Counter

import pytest
import torch

from playground.core import shuffle
from playground.core.graph import mlp
from playground.core.spec import Experiment
from playground.core.trainer import Trainer


def test_seeds_drawn_many_at_once_are_those_drawn_one_by_one():
    one, many = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    singles = [int(shuffle.draw_seeds(one, 1)[0]) for _ in range(300)]
    assert shuffle.draw_seeds(many, 300).tolist() == singles
    assert len(set(singles)) == 300


def test_every_order_of_five_examples_is_equally_likely():
    """A Fisher-Yates slip (j drawn below i instead of up to i) makes some orders impossible
    and others twice as likely; 120 orders x ~250 draws each would show it."""
    seeds = shuffle.draw_seeds(torch.Generator().manual_seed(1), 30_000)
    counts = Counter(tuple(shuffle.shuffled(int(s), 5)) for s in seeds)
    assert set(counts) == set(itertools.permutations(range(5)))
    expected = len(seeds) / 120
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 180  # 119 degrees of freedom: p ~ 0.0003 to exceed


@pytest.mark.parametrize("n", [0, 1, 2, 250])
def test_an_order_is_a_permutation_of_the_examples(n):
    order = shuffle.shuffled(12345, n)
    assert sorted(order.tolist()) == list(range(n))


def test_the_kernel_shuffles_as_python_does():
    """Epochs run many to a fused call: the kernel shuffles each next epoch's order itself.
    The trainer's order afterwards is the one Python draws from the same generator."""
    exp = Experiment()
    exp.data.generator = "spiral"
    exp.network = mlp([4, 2], "tanh")
    trainer = Trainer(exp)
    assert trainer.path == "fast"
    replay = torch.Generator().manual_seed(exp.training.seed + 1)
    first = shuffle.shuffled(int(shuffle.draw_seeds(replay, 1)[0]), trainer.n_train)
    assert trainer.order.tolist() == first.tolist()
    assert trainer.train(40) == 40
    seeds = shuffle.draw_seeds(replay, 40)
    assert trainer.order.tolist() == shuffle.shuffled(int(seeds[-1]), trainer.n_train).tolist()
    assert trainer.order.tolist() != first.tolist()
    trainer.step_epoch()  # epoch by epoch, the fused path shuffles with the kernel's own code
    seed = int(shuffle.draw_seeds(replay, 1)[0])
    assert trainer.order.tolist() == shuffle.shuffled(seed, trainer.n_train).tolist()
