"""One JSON POST over HTTP(S), for the channels that push to a web API (LINE, webhooks)."""
import json
import ssl
import urllib.error
import urllib.request

TIMEOUT = 15  # seconds: a stalled receiver must not hold a delivery thread


def post_json(url: str, payload: dict, headers: dict[str, str]) -> int:
    """The answer's status code, errors included. The caller has checked the URL's scheme.
    :raise OSError: when the server cannot be reached (a TLS failure among them: is_tls_failure)."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def is_tls_failure(error: OSError) -> bool:
    return isinstance(error, ssl.SSLError) or isinstance(getattr(error, "reason", None), ssl.SSLError)
