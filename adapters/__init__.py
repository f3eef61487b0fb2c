"""Adapters: the command line, chat platforms, and the composition root wiring them to the core."""
