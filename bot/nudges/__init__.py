"""Nudges: reminders as rows with a due time, the sweep that sends them, quiet hours."""
