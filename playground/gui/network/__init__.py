"""The network canvas: the graph drawn block by block, laid out to fill its area."""
