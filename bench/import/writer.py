#!/usr/bin/env python3
"""Small writes, one after another, until told to stop: each starts a draft over the write API.

    writer.py http://127.0.0.1:18090 TOKEN raw.tsv stop-file

Writes one line per request to raw.tsv: the time it was sent (Unix seconds), how long the
answer took (seconds) and the HTTP status. Stops when stop-file exists.
"""
import http.client
import json
import os
import sys
import time
from urllib.parse import urlparse


def main() -> None:
    url, token, raw, stop = sys.argv[1:5]
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    n = 0
    with open(raw, "w") as out:
        while not os.path.exists(stop):
            n += 1
            body = json.dumps(
                {
                    "title": f"Bin collection routes {n}",
                    "status": "planned",
                    "uses_ai": False,
                    "decision_role": "information-only",
                }
            )
            sent = time.time()
            try:
                conn.request(
                    "POST",
                    "/api/v1/drafts",
                    body,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
                status = 0
            out.write(f"{sent:.6f}\t{time.time() - sent:.6f}\t{status}\n")
            out.flush()


if __name__ == "__main__":
    main()
