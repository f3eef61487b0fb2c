"""`bot.qa.llm.ChatModel` over the `openai` client: any OpenAI-compatible server (OpenAI,
Ollama, vLLM, a proxy) through `OPENAI_BASE_URL`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from openai import APIError, AsyncOpenAI

from bot.errors import ModelUnavailable


def openai_client(
    api_key: str | None, base_url: str | None, timeout: float, max_retries: int
) -> AsyncOpenAI:
    """The `openai` client for a server: local ones (Ollama, vLLM) take any key, and the client
    insists on one."""
    return AsyncOpenAI(
        api_key=api_key or "not-needed", base_url=base_url, timeout=timeout, max_retries=max_retries
    )


class OpenAIChat:
    def __init__(
        self,
        model: str,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float = 60.0,
        max_retries: int = 2,
        on_tokens: Callable[[int], None] | None = None,
    ) -> None:
        self._client = openai_client(api_key, base_url, timeout, max_retries)
        self.model = model
        self.on_tokens = on_tokens  # told the tokens each request spent (the metrics)

    def _spent(self, usage: Any) -> None:
        if usage is not None and self.on_tokens is not None:
            self.on_tokens(int(getattr(usage, "total_tokens", 0) or 0))

    async def complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        payload: Any = messages
        try:
            response = await self._client.chat.completions.create(
                model=self.model, messages=payload, max_tokens=max_tokens, temperature=0.2
            )
        except APIError as exc:  # connection errors, timeouts and HTTP errors alike
            raise ModelUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self._spent(response.usage)
        return response.choices[0].message.content or ""

    async def stream(self, messages: list[dict[str, str]], max_tokens: int) -> AsyncIterator[str]:
        payload: Any = messages
        try:
            chunks = await self._client.chat.completions.create(
                model=self.model,
                messages=payload,
                max_tokens=max_tokens,
                temperature=0.2,
                stream=True,
                stream_options={"include_usage": True},  # the last chunk says what it spent
            )
            async for chunk in chunks:
                self._spent(getattr(chunk, "usage", None))
                if chunk.choices and (delta := chunk.choices[0].delta.content):
                    yield delta
        except APIError as exc:  # before the first piece or midway: the caller decides
            raise ModelUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        await self._client.close()
