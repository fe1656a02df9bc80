"""Mentors: profiles, the directory, the roster cache used for ranking, CSV import and export."""
