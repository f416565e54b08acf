"""The wrapping layout of the training bar and the network header."""

from PySide6.QtWidgets import QPushButton, QWidget
from shiboken6 import delete

from playground.gui.panels.flow_layout import FlowLayout


def test_a_layout_pass_after_qt_deleted_an_item_skips_it(qtbot):
    """Under the parallel suite a layout pass met an item Qt had already deleted, raising
    'Internal C++ object (QWidgetItem) already deleted' out of heightForWidth in the event
    loop, and the test running then failed."""
    host = QWidget()
    qtbot.addWidget(host)
    layout = FlowLayout(host)
    buttons = [QPushButton(f"button {i}") for i in range(3)]
    for b in buttons:
        layout.addWidget(b)
    host.resize(400, 100)
    one_row = layout.heightForWidth(400)
    delete(layout.itemAt(1))  # as Qt does, without asking takeAt
    assert layout.count() == 2
    assert layout.heightForWidth(400) == one_row
    assert layout.heightForWidth(10) > one_row  # the two left still wrap
    layout.setGeometry(host.rect())
