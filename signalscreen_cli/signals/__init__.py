"""Readers: signal files (npy, csv, npz, h5; WFDB/EDF in ``clinical``) to float32 ``(n, L, C)`` rows."""
