"""Feedback after a session: ratings both ways and comments."""
