"""The Keras side: loading a model file safely, the adapter's compiled calls, the graph it walks."""
