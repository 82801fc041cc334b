"""Drawing: signals coloured by their maps, spectral maps, colour scales and what a value means."""
