"""The fast path for plain Dense stacks (placeholder until the fused step lands)."""

from __future__ import annotations


class FastPath:
    @classmethod
    def try_build(cls, trainer):
        return None

    @classmethod
    def why_not(cls, trainer) -> str:
        return "autograd through the graph (no fused path yet)"
