import subprocess
import sys


def test_core_imports_no_qt():
    code = (
        "import sys, pkgutil, importlib, playground.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'playground.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "from playground.core.trainer import Trainer\n"
        "from playground.core.spec import Experiment\n"
        "Trainer(Experiment()).run(1)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'superqt', 'PyQt5', 'PyQt6', 'qtpy')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"playground.core imported Qt: {out.stdout}"
