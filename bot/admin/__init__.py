"""Admin: workspace set-up, stats and the user's home view."""
