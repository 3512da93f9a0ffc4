"""Log in to a running ITA Tracker as the demo coordinator and download the measures document as
Word, Excel and PDF; fail unless each is a file of its kind. The PDF is made by the scheduler
beside the web server: until it is, the address answers a page saying so, and is asked again.
Standard library only, so it runs on a machine where nothing but Python is installed yet.

    python3 scripts/check-demo-downloads.py http://127.0.0.1:5000
"""
import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request

COORDINATOR = ("coordinator@pichai.example", "pichai2568")
# What each file starts with: Word and Excel files are ZIP archives.
DOWNLOADS = {"docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "pdf": b"%PDF-"}
TIMEOUT = 300  # seconds: the first PDF starts LibreOffice
WAITING = 202  # the PDF is being made


def logged_in(base_url: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base_url}/login", timeout=TIMEOUT) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not token:
        raise SystemExit("the login page has no CSRF token")
    email, password = COORDINATOR
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email, "password": password})
    with opener.open(f"{base_url}/login", form.encode(), timeout=TIMEOUT) as response:
        if response.url.rstrip("/").endswith("/login"):
            raise SystemExit(f"could not log in as {email}")
    return opener


def download(opener: urllib.request.OpenerDirector, url: str) -> bytes:
    deadline = time.monotonic() + TIMEOUT
    while True:
        with opener.open(url, timeout=TIMEOUT) as response:
            content = response.read()
            if response.status != WAITING or time.monotonic() > deadline:
                return content
        time.sleep(1)


def main(base_url: str) -> int:
    if not base_url.startswith(("http://", "https://")):
        raise SystemExit("give the server's http(s) address")
    opener = logged_in(base_url.rstrip("/"))
    failed = 0
    for fmt, magic in DOWNLOADS.items():
        url = f"{base_url.rstrip('/')}/reports/measures.{fmt}?fy=2568"
        content = download(opener, url)
        ok = content.startswith(magic)
        failed += not ok
        print(f"{'ok' if ok else 'FAILED'}: {url} gave {len(content)} bytes starting {content[:8]!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1]))
