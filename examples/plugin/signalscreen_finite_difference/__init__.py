"""An example SignalScreen method plugin (see ``method.py``)."""
