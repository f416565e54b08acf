"""Files kept in tests/fixtures: old versions still load; broken ones get one clear message."""

import glob
import os

import pytest

from playground.core import files
from playground.core.errors import PlaygroundError

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BROKEN = sorted(glob.glob(os.path.join(HERE, "fixtures", "broken", "*.json")))


def open_fully(path):
    loaded = files.load_experiment(path)
    return files.resume_trainer(loaded)


def test_version_1_files_load_and_resume():
    default = files.load_experiment(os.path.join(HERE, "fixtures", "v1_default.json"))
    assert default.state is None and default.experiment.data.generator == "circle"
    trainer = open_fully(os.path.join(HERE, "fixtures", "v1_trained.json"))
    assert trainer.epoch == 3 and trainer.batch_in_epoch == 1
    trainer.run(2)
    assert trainer.epoch == 5


def test_the_corpus_is_there():
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=[os.path.basename(p) for p in BROKEN])
def test_broken_file_gets_one_clear_message(path):
    with pytest.raises(PlaygroundError) as err:
        open_fully(path)
    message = str(err.value)
    assert message and "Traceback" not in message and len(message) < 400
