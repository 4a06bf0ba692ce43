#!/usr/bin/env python3
"""Slow and trickling connections against a running register, as an attacker would send them.

Opens SLOW connections that send their headers a line at a time and never finish, and TRICKLE
connections that send most of a large POST body quickly and the rest a byte at a time (to the
write API without a token, the plain-English checker, the opt-out form and sign-in). While they
are open, a fresh client asks for a page: it must answer within a second, and the server must
stay under a memory ceiling. Then it checks the server closed the slow connections itself.

    slow-clients.py --port 8080 --pid 1234 [--slow 1000] [--trickle 600] [--fresh-from 127.0.0.2]

Exits 1 when a promise is broken, printing what was measured either way. Sends traffic to the
loopback address only, for a bounded time.
"""

import argparse
import asyncio
import resource
import sys
import time

HOST = "127.0.0.1"


def rss_mb(pid):
    """Resident and peak memory of the server, in MB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Tally:
    def __init__(self):
        self.opened = 0
        self.refused = 0
        self.closed_by_server = 0


async def server_closed(reader):
    """Waits up to a second for the server to close the connection; True when it did."""
    try:
        return not await asyncio.wait_for(reader.read(4096), timeout=1.0)
    except asyncio.TimeoutError:
        return False


async def hold(port, stop, tally, start, drip):
    """Opens a connection, sends what `start` sends, then `drip` a second until the server
    closes the connection (counted) or the run stops."""
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        tally.refused += 1
        return
    tally.opened += 1
    try:
        await start(writer)
        while not stop.is_set():
            writer.write(drip)
            await writer.drain()
            if await server_closed(reader):
                tally.closed_by_server += 1
                return
    except (ConnectionError, OSError):
        tally.closed_by_server += 1
    finally:
        writer.close()


async def slow_header(port, stop, tally):
    async def start(writer):
        writer.write(b"GET /projects HTTP/1.1\r\nHost: localhost\r\n")
        await writer.drain()

    await hold(port, stop, tally, start, b"X-Slow: a\r\n")


TARGETS = [
    # (path, content type, declared length, extra headers)
    ("/api/v1/drafts", "application/json", 2_000_000, ""),
    ("/api/v1/optout/check", "text/csv", 2_000_000, ""),
    ("/api/v1/text/check", "application/json", 500_000, ""),
    ("/opt-out", "application/x-www-form-urlencoded", 60_000, "Sec-Fetch-Site: same-origin\r\n"),
    ("/sign-in", "application/x-www-form-urlencoded", 60_000, "Sec-Fetch-Site: same-origin\r\n"),
]


async def trickle(port, n, stop, tally):
    path, ctype, length, extra = TARGETS[n % len(TARGETS)]

    async def start(writer):
        head = (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n"
        )
        writer.write(head.encode())
        # Almost all of the body at once; `hold` sends the rest a byte a second.
        chunk = b"a" * 65536
        sent = 0
        while sent < length - 10 and not stop.is_set():
            piece = chunk[: min(len(chunk), length - 10 - sent)]
            writer.write(piece)
            await writer.drain()
            sent += len(piece)

    await hold(port, stop, tally, start, b"a")


async def fresh_get(port, source):
    """One request from a new client; seconds taken, or None when it failed."""
    start = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(HOST, port, local_addr=(source, 0)), timeout=5
        )
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout=5)
        writer.close()
        if not status.startswith(b"HTTP/1.1 200"):
            print(f"  fresh client got: {status!r}")
            return None
    except (OSError, asyncio.TimeoutError) as e:
        print(f"  fresh client failed: {e!r}")
        return None
    return time.monotonic() - start


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--slow", type=int, default=1000)
    p.add_argument("--trickle", type=int, default=600)
    p.add_argument("--fresh-from", default="127.0.0.2")
    p.add_argument("--header-timeout", type=float, default=10, help="the server's, in seconds")
    p.add_argument("--max-mb", type=float, default=200)
    args = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    base, _ = rss_mb(args.pid)
    stop = asyncio.Event()
    slow, trick = Tally(), Tally()
    tasks = [asyncio.create_task(slow_header(args.port, stop, slow)) for _ in range(args.slow)]
    tasks += [
        asyncio.create_task(trickle(args.port, n, stop, trick)) for n in range(args.trickle)
    ]
    # Let every connection open and the large bodies arrive.
    await asyncio.sleep(3)
    worst = 0.0
    failures = 0
    for _ in range(5):
        took = await fresh_get(args.port, args.fresh_from)
        if took is None:
            failures += 1
        else:
            worst = max(worst, took)
        await asyncio.sleep(0.2)
    during, _ = rss_mb(args.pid)
    # Past the header timeout, the server has closed every slow connection itself.
    await asyncio.sleep(max(0.0, args.header_timeout + 2 - 4))
    stop_wait = time.monotonic() + 5
    while slow.closed_by_server < slow.opened and time.monotonic() < stop_wait:
        await asyncio.sleep(0.5)
    _, peak = rss_mb(args.pid)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    print(f"slow-header connections: {slow.opened} opened, {slow.refused} refused at connect, "
          f"{slow.closed_by_server} closed by the server")
    print(f"trickling-body connections: {trick.opened} opened, {trick.refused} refused at connect, "
          f"{trick.closed_by_server} closed by the server")
    print(f"fresh client from {args.fresh_from}: 5 requests, {failures} failed, "
          f"slowest {worst * 1000:.0f} ms")
    print(f"server memory: {base:.0f} MB before, {during:.0f} MB during, peak {peak:.0f} MB")
    broken = []
    if failures or worst >= 1.0:
        broken.append("a fresh client was not answered within a second")
    if peak >= args.max_mb:
        broken.append(f"the server grew past {args.max_mb:.0f} MB")
    if slow.closed_by_server < slow.opened:
        broken.append("slow-header connections were left open past the header timeout")
    for b in broken:
        print(f"FAILED: {b}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
