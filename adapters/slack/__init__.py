"""Slack: the engine's cards, `/papers` and thread answers through slack-bolt."""
