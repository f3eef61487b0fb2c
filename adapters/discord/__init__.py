"""Discord: the engine's cards, `/papers` and thread answers through discord.py."""
