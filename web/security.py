"""One security-header policy for everything the web server sends: the public pages, the widget's
and the app's files, and the Children's Rights Officers' view (/cro).

    headers = security_headers(rasa_url="http://localhost:5005", secure=True)
    app = web.Application(middlewares=[security_middleware(headers)])

No inline script or style anywhere; pages may talk only to this server and to Rasa (for the chat);
no framing; no referrer; and, behind HTTPS (FAMILY_HELP_SECURE_COOKIES=1), Strict-Transport-Security
so that browsers never come back over plain HTTP.
"""
from __future__ import annotations

from typing import Awaitable, Callable, Mapping, Optional
from urllib.parse import urlsplit

from aiohttp import web

HSTS = "max-age=31536000; includeSubDomains"


def origin_of(url: Optional[str]) -> Optional[str]:
    """'https://Example.org:8443/path?q' -> 'https://example.org:8443'; None when it has no origin."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def security_headers(*, rasa_url: Optional[str] = None, secure: bool = False) -> dict[str, str]:
    """The headers every response carries. ``rasa_url``: the one other origin a page may fetch
    from (the chat); ``secure``: served over HTTPS, so HSTS is sent."""
    rasa = origin_of(rasa_url)
    connect = f"'self' {rasa}" if rasa else "'self'"
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
           f"connect-src {connect}; manifest-src 'self'; worker-src 'self'; object-src 'none'; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
    # same-origin: no other site ever learns a page was visited, and browsers still send this
    # server its own Origin on a form POST (with no-referrer they send "Origin: null").
    headers = {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
               "X-Frame-Options": "DENY"}
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def apply(response: web.StreamResponse, headers: Mapping[str, str]) -> None:
    """Put the policy on a response (replacing any weaker value a handler set)."""
    for name, value in headers.items():
        response.headers[name] = value


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def security_middleware(headers: Mapping[str, str]):
    """An aiohttp middleware that puts ``headers`` on every response, errors and redirects too."""

    @web.middleware
    async def secure(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            apply(exc, headers)
            raise
        if not response.prepared:
            apply(response, headers)
        return response

    return secure
