"""Class-level summaries of a run: per class and map, streamed statistics, and the files that hold them."""
