"""Incremental forward passes for perturbation methods whose copies change one contiguous span.

An occluded copy differs from its signal only inside the window; through convolutions and pools only that
window, widened by each layer's receptive field, changes. The model is split at the first layer whose
output at a position depends on the whole signal: the local prefix runs once per signal, each copy
recomputes the prefix over its changed span only, splices it into the cached activations and runs the head.

``geometry`` (numpy only) works out the recomputed range of every prefix tensor; ``graph`` reads the split off
the Keras graph; ``forward`` runs it in compiled calls, ``copies`` is one copy's pass inside them, ``splice``
joins recomputed ranges to cached activations. ``methods.occlusion_spans`` builds occlusion's copies for it;
nothing here imports the methods, and nothing here is imported until a method runs.
"""
