"""Two-word queries from a register's own words, for bench/serve.sh's fresh-search mode.

    python bench/fresh_queries.py register.csv 25000 > queries.txt

Each query is two words of one entry's title and summary (letters only, three or more, leaving
out the most common small words), so each finds at least that entry; the queries are distinct
and in a fixed random order (seed 42), one a line, URL-encoded.
"""

import csv
import random
import re
import sys

COMMON = {"the", "and", "for", "with", "this", "that", "are", "from", "our", "its", "into",
          "who", "what", "when", "how", "not", "can", "has", "have", "was", "will", "each",
          "they", "them", "their", "use", "uses", "used", "which", "more", "than", "about"}


def main():
    path, want = sys.argv[1], int(sys.argv[2])
    if want < 20000:
        sys.exit("FRESH_QUERIES must be at least 20000")
    csv.field_size_limit(1 << 30)
    entries = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            text = (row["title"] + " " + row["summary"]).lower()
            words = sorted({w for w in re.findall(r"[a-z]+", text) if len(w) >= 3 and w not in COMMON})
            if len(words) >= 2:
                entries.append(words)
    rng = random.Random(42)
    seen, out = set(), []
    for _ in range(want * 50):
        if len(out) == want:
            break
        a, b = rng.sample(rng.choice(entries), 2)
        if (a, b) not in seen:
            seen.add((a, b))
            out.append(f"{a}+{b}")
    if len(out) < want:
        sys.exit(f"only {len(out)} distinct queries could be made from the register; lower FRESH_QUERIES")
    print("\n".join(out))


if __name__ == "__main__":
    main()
