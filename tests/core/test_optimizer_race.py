"""The race: each optimizer's trajectory equals the notes' update rule, written out again here
independently (REFERENCE.md section 5, ν inside the square root as the app does)."""

import math

import numpy as np
import pytest
import torch

from playground.core.errors import SpecError
from playground.core.optimizer_race import RacerSpec, racers_from_json, run_race
from playground.core.surfaces import SURFACES, build_surface

HYPER = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "adagrad": {"nu": 1e-7},
    "rmsprop": {"beta": 0.99, "nu": 1e-7},
    "adam": {"beta1": 0.9, "beta2": 0.999, "nu": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "nu": 1e-8, "weight_decay": 0.05},
}
# rates that keep every racer on the drawn region for 50 steps
RATES = {"bowl": 0.05, "ravine": 0.1, "saddle": 0.05, "rosenbrock": 0.0005, "beale": 0.005,
         "himmelblau": 0.005, "plateau": 0.05, "custom": 0.02}


def notes_gradient(surface, theta):
    """∇L by autograd on the loss itself, not the surface's hand-written gradient."""
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(surface.value(t[0], t[1]), t)
    return g.numpy()


def notes_trajectory(surface, name, eps_of, hp, start, steps):
    """θ₀ .. θ_steps by the notes' rules; eps_of(k) is ε for the k-th step (k from 0)."""
    theta = np.array(start, dtype=np.float64)
    v = np.zeros(2)
    a = np.zeros(2)
    path = [theta.copy()]
    for k in range(steps):
        eps = eps_of(k)
        if name == "sgd":
            theta = theta - eps * notes_gradient(surface, theta)
        elif name == "momentum":
            v = hp["momentum"] * v - eps * notes_gradient(surface, theta)
            theta = theta + v
        elif name == "nesterov":
            v = hp["momentum"] * v - eps * notes_gradient(surface, theta + hp["momentum"] * v)
            theta = theta + v
        elif name == "adagrad":
            g = notes_gradient(surface, theta)
            a = a + g * g
            theta = theta - eps / np.sqrt(a + hp["nu"]) * g
        elif name == "rmsprop":
            g = notes_gradient(surface, theta)
            a = hp["beta"] * a + (1 - hp["beta"]) * g * g
            theta = theta - eps / np.sqrt(a + hp["nu"]) * g
        else:  # adam, adamw
            t = k + 1
            g = notes_gradient(surface, theta)
            v = hp["beta1"] * v + (1 - hp["beta1"]) * g
            a = hp["beta2"] * a + (1 - hp["beta2"]) * g * g
            v_hat, a_hat = v / (1 - hp["beta1"] ** t), a / (1 - hp["beta2"] ** t)
            decay = eps * hp.get("weight_decay", 0.0) * theta  # AdamW: decoupled from ∇L
            theta = theta - eps * v_hat / np.sqrt(a_hat + hp["nu"]) - decay
        path.append(theta.copy())
    return np.array(path)


def _surface(name):
    if name == "custom":
        return build_surface("custom", {"extent": 3.0}, "x^2 + 3*y^2 + sin(3*x)")
    return build_surface(name, {"condition_number": 20.0} if name == "bowl" else {})


@pytest.mark.parametrize("surface_name", list(SURFACES))
def test_every_optimizer_follows_the_notes_rule_for_50_steps(surface_name):
    surface = _surface(surface_name)
    lr = RATES[surface_name]
    racers = [RacerSpec(name, lr, dict(hp)) for name, hp in HYPER.items()]
    tracks = run_race(surface, racers, surface.start, 50)
    for racer, track in zip(racers, tracks, strict=True):
        expected = notes_trajectory(surface, racer.optimizer, lambda k: lr,
                                    HYPER[racer.optimizer], surface.start, 50)
        assert track.diverged_at is None, racer.label
        np.testing.assert_allclose(track.position, expected, rtol=1e-9, atol=1e-11,
                                   err_msg=f"{racer.optimizer} on {surface_name}")
        # and the racer actually moved: a frozen trajectory would equal nothing above
        assert np.abs(track.position[-1] - track.position[0]).max() > 1e-3


def test_linear_decay_schedule_is_the_notes_formula_per_step():
    surface = build_surface("bowl", {"condition_number": 10.0})
    racer = RacerSpec("sgd", 0.1, {}, "linear_decay", {"tau": 20, "final_fraction": 0.1})
    (track,) = run_race(surface, [racer], (-9.0, 3.0), 40)

    def eps_of(k):  # ε_k = (1 − α)ε₀ + αε_τ, α = k/τ, constant after τ
        alpha = min(k / 20, 1.0)
        return (1 - alpha) * 0.1 + alpha * 0.01

    expected = notes_trajectory(surface, "sgd", eps_of, {}, (-9.0, 3.0), 40)
    np.testing.assert_allclose(track.position, expected, rtol=1e-12, atol=1e-12)
    assert track.learning_rate[1] == pytest.approx(0.1)
    assert track.learning_rate[-1] == pytest.approx(0.01)


def test_recorded_quantities_are_what_the_notes_name():
    surface = build_surface("bowl", {"condition_number": 10.0})
    racers = [RacerSpec("momentum", 0.05, {"momentum": 0.9}),
              RacerSpec("adagrad", 0.5, {"nu": 1e-7}),
              RacerSpec("adam", 0.1, {"beta1": 0.9, "beta2": 0.999, "nu": 1e-8})]
    momentum, adagrad, adam = run_race(surface, racers, (-9.0, 3.0), 5)
    # gradient of ½(x² + κy²) at the start, and the loss there
    assert momentum.gradient[0] == pytest.approx([-9.0, 30.0])
    assert momentum.loss[0] == pytest.approx(0.5 * (81 + 90))
    # momentum's velocity v: the first is −εg, the second αv − εg
    assert momentum.velocity[1] == pytest.approx(-0.05 * np.array([-9.0, 30.0]))
    v2 = 0.9 * momentum.velocity[1] - 0.05 * momentum.gradient[1]
    assert momentum.velocity[2] == pytest.approx(v2)
    # Adagrad's per-axis step ε/√(a + ν) after one step: ε/|g| on each axis
    assert adagrad.step_size[1] == pytest.approx(0.5 / np.sqrt(np.array([81.0, 900.0]) + 1e-7))
    assert adagrad.step_size[3][1] < adagrad.step_size[1][1]  # it only shrinks
    # Adam's bias-corrected moments after one step are g and g⊙g
    assert adam.first_moment[1] == pytest.approx([-9.0, 30.0])
    assert adam.second_moment[1] == pytest.approx([81.0, 900.0])
    assert np.isnan(momentum.first_moment).all()


def test_too_high_a_rate_diverges_and_stops_that_racer_only():
    surface = build_surface("bowl", {"condition_number": 10.0})
    fine, wild = run_race(surface, [RacerSpec("sgd", 0.05), RacerSpec("sgd", 0.25)],
                          (-9.0, 3.0), 200)
    assert fine.diverged_at is None and fine.steps == 200
    # κ·ε = 2.5 > 2: each step multiplies y by −1.5 until it leaves any drawn region
    assert wild.diverged_at is not None and wild.steps < 200
    assert math.isfinite(wild.loss[-1])
    assert abs(wild.position[-1][1]) > 1e5


def test_racers_from_a_file_are_checked_field_by_field():
    [r] = racers_from_json([{"optimizer": "rmsprop", "learning_rate": 0.01,
                             "params": {"beta": 0.9}}], "optimizer_lab.racers")
    assert r.params == {"beta": 0.9}
    with pytest.raises(SpecError, match=r"racers\[0\]\.params\.beta: must be in"):
        racers_from_json([{"optimizer": "rmsprop", "params": {"beta": 2}}], "optimizer_lab.racers")
    with pytest.raises(SpecError, match=r"racers\[0\]\.optimizer: must be one of"):
        racers_from_json([{"optimizer": "lbfgs"}], "optimizer_lab.racers")


def test_an_experiment_file_with_a_formula_that_calls_code_is_refused():
    from playground.core.spec import Experiment

    doc = Experiment().to_json()
    doc["optimizer_lab"].update(surface="custom", formula="__import__('os').system('ls')")
    with pytest.raises(SpecError) as err:
        Experiment.from_json(doc)
    assert err.value.path == "optimizer_lab.formula"
    assert "calling the method .system() is not allowed" in str(err.value)
    doc["optimizer_lab"].update(formula="x^2 + y^2")
    assert Experiment.from_json(doc).optimizer_lab.formula == "x^2 + y^2"


def test_the_default_race_shows_each_fix_beating_plain_sgd_on_rosenbrock():
    from playground.core.optimizer_race import race_of
    from playground.core.spec import Experiment

    surface, tracks = race_of(Experiment().optimizer_lab)
    assert surface.name == "rosenbrock"
    sgd, *fixes = tracks
    assert all(t.loss[-1] < sgd.loss[-1] for t in fixes)


def test_lab_settings_round_trip_through_an_experiment_file_exactly():
    from playground.core.spec import Experiment

    exp = Experiment()
    lab = exp.optimizer_lab
    lab.surface, lab.surface_params, lab.start = "bowl", {"condition_number": 42.0}, [1.5, -2.0]
    lab.racers = [RacerSpec("nesterov", 0.02, {"momentum": 0.95}, "linear_decay",
                            {"tau": 30, "final_fraction": 0.1}, [0.5, 0.5])]
    again = Experiment.loads(exp.dumps())
    assert again.optimizer_lab == lab
    assert again.dumps() == exp.dumps()
    doc = exp.to_json()
    doc["optimizer_lab"]["start"] = [1.0]
    with pytest.raises(SpecError, match=r"optimizer_lab.start: must be \[\] or \[x, y\]"):
        Experiment.from_json(doc)
