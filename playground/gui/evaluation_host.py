"""The main window's part in judging the network: the evaluation tabs beside the output view
(trace, confusion, ROC, scores, fit) and how they talk to the output view: a picked
confusion-matrix cell rings its points (or shows its images), the threshold moves the
decision contour. A mixin of MainWindow."""

from __future__ import annotations

from .views.evaluation_tabs import EvaluationTabs


class EvaluationHost:
    def _build_evaluation(self) -> EvaluationTabs:
        self.evaluation = tabs = EvaluationTabs(self.qs, self.trace)
        tabs.highlight.connect(self.output_view.highlight)
        tabs.threshold_shown.connect(self.output_view.set_threshold)
        self.output_view.set_threshold(self.experiment.view.threshold)
        # The digits page's own test matrix picks as the Confusion tab's does.
        self.output_view.images.cell_picked.connect(
            lambda t, p: tabs.confusion.pick("test", t, p))
        tabs.confusion.cell_chosen.connect(
            lambda picked: self.output_view.images.pick(
                picked[1:] if picked and picked[0] == "test" else None))
        return tabs
