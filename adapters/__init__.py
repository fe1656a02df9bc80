"""Platform adapters: each translates platform input to commands and renders core messages."""
