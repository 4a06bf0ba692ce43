#!/usr/bin/env python3
"""Imports a CSV file through the import page, as an editor does, and prints how long the import
step (the final "Import" press) took.

    web-import.py http://127.0.0.1:18090 SET-PASSWORD-LINK EMAIL ORGANISATION list.csv

SET-PASSWORD-LINK is the one-time link `charter user add` printed; the script sets a password
with it, signs in, reads the page's form token and sends the file with action=import.
"""
import http.client
import re
import sys
import time
from urllib.parse import urlencode, urlparse

PASSWORD = "correct horse battery staple"


def main() -> None:
    base, link, email, org, path = sys.argv[1:6]
    u = urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    cookie = ""

    def send(method: str, target: str, form: dict | None = None) -> tuple[int, str]:
        nonlocal cookie
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, target, body, headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
        return r.status, text

    status, _ = send(
        "POST", urlparse(link).path, {"password": PASSWORD, "confirm": PASSWORD}
    )
    if status >= 400:
        sys.exit(f"setting the password failed: {status}")
    status, _ = send("POST", "/sign-in", {"email": email, "password": PASSWORD})
    if status >= 400 or not cookie:
        sys.exit(f"signing in failed: {status}")
    status, page = send("GET", f"/manage/organisations/{org}/import")
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if status != 200 or not found:
        sys.exit(f"the import page did not load: {status}")
    with open(path, encoding="utf-8") as f:
        csv_text = f.read()
    start = time.time()
    status, page = send(
        "POST",
        f"/manage/organisations/{org}/import/check",
        {"csrf": found.group(1), "csv": csv_text, "action": "import"},
    )
    took = time.time() - start
    if status not in (200, 303):
        problems = re.findall(r"<li[^>]*>(.*?)</li>", page)[:5]
        sys.exit(f"the import failed: {status} {problems}")
    print(f"web_import_s={took:.2f} start={start:.6f} end={start + took:.6f}")


if __name__ == "__main__":
    main()
