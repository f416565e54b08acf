"""The fused fast path's kernels, generated from the catalog entries' kernel forms (forms.py)
for each network's own combination of entries, written to a user cache folder and compiled by
numba there (store.py). fastpath.py runs them; nothing here imports Qt, and only blocks.py and
the generated modules import numba."""
