"""The modified-backward engine: LRP rules and composites, DeepLIFT, guided backprop and deconvnet.

``composites`` (standard library only) names the rules and says which layer gets which; ``graph`` reads each
layer call of a Keras functional graph as a step, ``canonizer`` walks them in order and folds
BatchNormalization; ``rules`` holds the LRP rules of a linear layer, ``relevance`` the LRP pass,
``multipliers`` the DeepLIFT / guided / deconvnet pass, ``calls`` the layer calls both use; ``engine`` runs
one forward and one modified backward pass per batch in one compiled call. All but ``composites`` import
TensorFlow, and only the methods' ``attribute`` imports them, so ``signalscreen --help`` stays light.
Plugins may call :func:`engine.propagate` with their own :class:`composites.Backward`.
"""
