"""`playground validate` and `playground run` on files from strangers (issue #17): the same
verdict on every broken file, text from the file shown as text, strict JSON written."""

import ast
import glob
import json
import os

import pytest

from playground import cli
from playground.core import export
from playground.core.spec import Experiment
from playground.core.trainer import Trainer

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKEN = sorted(glob.glob(os.path.join(HERE, "fixtures", "broken", "*.json")))
HOSTILE_TITLES = ['"""; import os; os.system("echo hacked"); """', "a\\", "\x1b[2J\x07 bell",
                  "line\nbreak\r\u2028sep", "\x00nul", "{braces} and {0}", "'''", "\ud800 lone",
                  "\u202eright-to-left"]


def verdict(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_hostile_class_has_a_fixture():
    names = {os.path.basename(p) for p in BROKEN}
    assert len([n for n in names if n.startswith("hostile_")]) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=[os.path.basename(p) for p in BROKEN])
def test_validate_and_run_give_the_same_verdict(capsys, path):
    v_code, _, v_err = verdict(capsys, "validate", path)
    r_code, _, r_err = verdict(capsys, "run", path, "--epochs", "1", "--quiet",
                               "--device", "cpu")
    assert v_code == r_code == cli.EXIT_BAD_INPUT
    assert v_err == r_err and "Traceback" not in v_err and len(v_err) < 600
    assert v_err.isprintable() or v_err.rstrip("\n").isprintable()


def test_terminal_output_has_no_control_characters(tmp_path, capsys):
    path = tmp_path / "title.json"
    exp = Experiment(title="\x1b]0;owned\x07\x1b[2J", description="a\rb\u202ec")
    exp.training.fast_path = False
    exp.data.n_points = 20
    path.write_text(exp.dumps())
    for argv in (["validate", str(path)], ["run", str(path), "--epochs", "1", "--quiet"]):
        code, out, err = verdict(capsys, *argv)
        assert code == 0, err
        assert all(c.isprintable() or c == "\n" for c in out + err), (out, err)
        assert "\\x1b]0;owned" in out  # shown, escaped


def test_a_refusal_quotes_a_short_part_of_a_huge_value(tmp_path, capsys):
    doc = json.loads(Experiment().dumps())
    doc["training"]["optimizer"] = "x" * 1_000_000
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(doc))
    code, _, err = verdict(capsys, "validate", str(path))
    assert code == 2 and "training.optimizer" in err and len(err) < 600


def test_run_out_writes_strict_json_for_a_regression_run(tmp_path, capsys):
    exp = Experiment()
    exp.data.generator, exp.data.n_points = "plane", 40
    exp.training.fast_path = False
    path, out = tmp_path / "plane.json", tmp_path / "result.json"
    path.write_text(exp.dumps())
    code, _, err = verdict(capsys, "run", str(path), "--epochs", "2", "--quiet",
                           "--out", str(out))
    assert code == 0, err

    def refuse(name):
        raise AssertionError(f"{name} is not JSON")

    result = json.loads(out.read_text(), parse_constant=refuse)
    assert result["history"]["train_accuracy"] == [None, None]  # no accuracy in regression


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_the_exported_script_is_valid_python_whatever_the_title(title):
    exp = Experiment(title=title)
    exp.training.fast_path = False
    exp.data.n_points = 20
    source = export.pytorch_script(Trainer(exp))
    tree = ast.parse(source)
    assert [type(node).__name__ for node in tree.body[:1]] == ["Expr"]  # the docstring only
    assert not any(isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "system"
                   for node in ast.walk(tree))
