"""Writing results: staging folders moved into place whole, and the provenance a manifest records."""
