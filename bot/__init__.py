"""Paperboy's core: papers, cards and sources, free of any chat platform, database or LLM client.

Adapters (`adapters/`) and storage (`storage/`) implement the core's ports; the core never imports
them. See README.md for the layout.
"""
