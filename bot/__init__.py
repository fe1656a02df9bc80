"""Micromentor: the platform-free core of the micromentoring bot."""
