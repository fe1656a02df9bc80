"""The weekly digest: its figures, its message and chart, posting it, and the CLI report."""
