"""Paper sources: Hugging Face Papers, the arXiv API and arXiv RSS.

Each module has pure parsers (bytes -> `Batch`) and a small async client that takes an injected
`httpx.AsyncClient` and a base URL, so tests serve recorded responses through a mock transport.
"""

from bot.sources.arxiv_api import ArxivApi, parse_atom
from bot.sources.arxiv_rss import ArxivRss, parse_rss
from bot.sources.base import Batch
from bot.sources.hf import HuggingFace, parse_hf_daily, parse_hf_paper, parse_hf_search
from bot.sources.http import Pacer, RetryPolicy

__all__ = [
    "ArxivApi",
    "ArxivRss",
    "Batch",
    "HuggingFace",
    "Pacer",
    "RetryPolicy",
    "parse_atom",
    "parse_hf_daily",
    "parse_hf_paper",
    "parse_hf_search",
    "parse_rss",
]
