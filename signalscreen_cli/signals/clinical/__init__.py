"""Clinical recordings as they come: WFDB records (``.hea``), EDF/EDF+/BDF files, and folders or ``RECORDS``
lists of records, read as the rows the pipeline explains (the ``clinical`` extra: wfdb, edfio).

``options``  what the user chose: channels, resampling, beats, windows, detrending (standard library only)
``records``  one recording: its channels, units and rate, sample ranges, annotations
``rows``     the row sources: one row per beat, or per record
"""

from .options import ClinicalOptions, is_clinical

__all__ = ["ClinicalOptions", "is_clinical"]
