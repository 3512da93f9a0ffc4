"""The security headers every response carries: pages, errors, static files, downloads and the API.

One after_request rather than a library: the policy is a few fixed headers, and the app needs none
of flask-talisman's extras (HTTPS redirects are nginx's job, and no page uses a nonce). A header a
view set itself is kept; a view that may be framed by other sites says so with `allow_framing`.
"""
from flask import Flask, Response, request

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Other sites' frames may show the embeddable public view; it still runs no inline script.
FRAMEABLE_POLICY = POLICY | {"frame-ancestors": "*"}
# Our pages' addresses (task ids, filters) mean nothing to another site, so none is told where a
# visitor came from.
REFERRER_POLICY = "same-origin"
HSTS = "max-age=31536000"  # a year; sent only over HTTPS, where the browser heeds it


def allow_framing(response: Response) -> Response:
    """Lets other sites show this response in a frame (the public embed view)."""
    response.frameable = True
    return response


def content_security_policy(frameable: bool) -> str:
    policy = FRAMEABLE_POLICY if frameable else POLICY
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def add_security_headers(response: Response) -> Response:
    frameable = getattr(response, "frameable", False)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(frameable))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if not frameable:
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        # Behind nginx, is_secure comes from X-Forwarded-Proto through ProxyFix (TRACKER_PROXIES).
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
