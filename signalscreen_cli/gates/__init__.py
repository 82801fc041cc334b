"""Quality gates on scores (exit 9) and their JUnit XML."""
