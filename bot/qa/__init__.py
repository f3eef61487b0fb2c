"""Answering questions in a paper's thread from the paper itself: passages, retrieval, answers."""
