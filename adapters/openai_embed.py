"""`bot.related.Embedder` over the `openai` client: the embeddings endpoint of any
OpenAI-compatible server (OpenAI, Ollama, vLLM, a proxy) through `OPENAI_BASE_URL`."""

from __future__ import annotations

from collections.abc import Sequence

from openai import APIError

from adapters.openai_chat import openai_client
from bot.errors import ModelUnavailable


class OpenAIEmbedder:
    def __init__(
        self,
        model: str,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float = 10.0,
        max_retries: int = 1,
    ) -> None:
        self._client = openai_client(api_key, base_url, timeout, max_retries)
        self.model = model

    async def embed(self, texts: Sequence[str]) -> list[Sequence[float]]:
        try:
            # Floats, not the client's default base64: not every compatible server speaks it.
            response = await self._client.embeddings.create(
                model=self.model, input=list(texts), encoding_format="float"
            )
        except APIError as exc:  # connection errors, timeouts and HTTP errors alike
            raise ModelUnavailable(f"{type(exc).__name__}: {exc}") from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        return [item.embedding for item in ordered]
