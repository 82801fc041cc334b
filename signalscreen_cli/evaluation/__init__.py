"""``signalscreen evaluate``: how faithful each attribution method is for a given model and data.

One module per job, each importing TensorFlow only through ``models`` and only when called:

``request``        the frozen ``EvaluateRequest``: an explain request for the maps and the scoring options
``scoring_options`` the scoring options, declared once (``evaluate``'s options are generated from them)
``maps``           which arrays are maps, and the ranking of positions each gives
``curves``         deletion and insertion curves (Petsiuk et al. 2018) and their areas
``randomization``  the cascading model-parameter randomisation check (Adebayo et al. 2018)
``scoring``        the pipeline stage that scores each chunk of maps where the model is
``stored``         an earlier ``explain`` output fed to the evaluation as an executor (``--from``)
``report``         the JSON document, the CSV rows and the terminal table
``plots``          the curve and randomisation figures
``runner``         ``evaluate(request) -> EvaluationResult``, the one path the CLI calls
"""
