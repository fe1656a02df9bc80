"""The scripted console tour behind `micromentor demo` (the lines live in demo.txt)."""

from __future__ import annotations

from importlib import resources

__all__ = ["demo_script"]


def demo_script() -> str:
    """Console lines that walk through every flow; lines starting with # are comments."""
    return resources.files(__package__).joinpath("demo.txt").read_text(encoding="utf-8")
