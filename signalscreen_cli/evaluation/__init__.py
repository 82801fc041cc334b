"""``signalscreen evaluate``: how faithful each attribution method is for a given model and data.

One module per job, each importing TensorFlow only through ``models`` and only when called:

``request``        the frozen ``EvaluateRequest`` (standard library only)
``maps``           which arrays are maps, the ranking score of each position, maps in chunks
``curves``         deletion and insertion curves (Petsiuk et al. 2018) and their areas
``randomization``  the cascading model-parameter randomisation check (Adebayo et al. 2018)
``source``         an earlier ``explain`` output read back (``--from``)
``mapset``         the maps to evaluate, computed here or taken from ``source``, and how to remake them
``report``         the JSON document, the CSV rows and the terminal table
``plots``          the curve and randomisation figures
``runner``         ``evaluate(request) -> EvaluationResult``, the one path the CLI calls
"""
