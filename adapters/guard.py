"""The token that guards every HTTP surface bound beyond loopback (the playground, and the
operator's routes on their own port): `?token=` once (a cookie keeps it), the cookie, or
`Authorization: Bearer ...`."""

from __future__ import annotations

import hmac

from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

COOKIE = "paperboy_token"


def token_guard(token: str | None) -> Middleware:
    """Every request must bring `token`, when one is set."""

    async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if token:
            offered = (
                request.query_params.get("token")
                or request.cookies.get(COOKIE)
                or request.headers.get("authorization", "").removeprefix("Bearer ")
            )
            if not hmac.compare_digest(offered.encode(), token.encode()):
                return JSONResponse({"error": "a token is needed: ?token=..."}, status_code=401)
        response = await call_next(request)
        if token and request.query_params.get("token"):
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response

    return Middleware(BaseHTTPMiddleware, dispatch=guard)
