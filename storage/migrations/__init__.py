"""Alembic migrations of the Micromentor schema (shipped as package data)."""
