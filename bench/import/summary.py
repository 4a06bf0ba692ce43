#!/usr/bin/env python3
"""Summarises writer.py's raw.tsv over the import's run: count, statuses, p50, p99 and max.

    summary.py raw.tsv IMPORT_START IMPORT_END
"""
import collections
import sys


def main() -> None:
    raw, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    rows = []
    with open(raw) as f:
        for line in f:
            sent, took, status = line.split("\t")
            sent, took = float(sent), float(took)
            # Every write that was waiting at any moment of the import counts.
            if sent <= end and sent + took >= start:
                rows.append((took, int(status)))
    if not rows:
        print("writes=0")
        return
    took = sorted(t for t, _ in rows)
    pick = lambda q: took[min(len(took) - 1, int(q * len(took)))]
    statuses = collections.Counter(s for _, s in rows)
    shown = ",".join(f"{s}:{c}" for s, c in sorted(statuses.items()))
    print(
        f"writes={len(rows)} statuses={shown} p50_ms={pick(0.5) * 1000:.1f} "
        f"p99_ms={pick(0.99) * 1000:.1f} max_ms={took[-1] * 1000:.1f}"
    )


if __name__ == "__main__":
    main()
