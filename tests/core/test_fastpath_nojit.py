"""The kernel is plain Python underneath: with NUMBA_DISABLE_JIT=1 it runs uncompiled, so one
can step through it in a debugger, and coverage sees it. The equality tests run that way too,
on small cases, in a subprocess (numba reads the variable once, at import)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALL = [
    "tests/core/test_fastpath_equal.py",
    "tests/core/test_fastpath_corners.py::test_maxout_ties_give_the_gradient_to_the_first_piece_on_both_paths",
    "tests/core/test_fastpath_corners.py::test_multiclass_hinge_kink_passes_no_gradient_on_both_paths",
    "tests/core/test_fastpath_corners.py::test_a_saturated_tanh_unit_stops_learning_on_both_paths",
    "tests/core/test_fastpath_corners.py::test_a_loss_beyond_float32_is_divergence_on_both_paths",
    "tests/core/test_fastpath_corners.py::test_nan_and_huge_weights_diverge_on_both_paths",
    "tests/core/test_fastpath.py::test_no_hidden_layer_single_examples_and_a_batch_larger_than"
    "_the_data[hidden0-10]",
    "tests/core/test_fastpath.py::test_no_hidden_layer_single_examples_and_a_batch_larger_than"
    "_the_data[hidden1-1]",
    "tests/core/test_fastpath.py::test_clipping_max_norm_schedule_label_smoothing_and_no_bias",
]


def test_the_equality_tests_pass_with_the_kernel_uncompiled():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "HYPOTHESIS_PROFILE": "nojit",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           *SMALL], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout
