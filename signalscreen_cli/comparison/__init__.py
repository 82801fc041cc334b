"""``signalscreen compare``: how alike the maps of two ``explain`` runs on the same signals are.

``request`` the frozen ``CompareRequest``; ``runner`` reads both runs, scores each pair of maps per signal
and per predicted class, writes the outputs and the gates; ``plots`` its figures.
"""
