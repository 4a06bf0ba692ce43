#!/usr/bin/env python3
"""An import file (docs/import.md) of N realistic rows, made from a register export.

    charter --data-dir DIR generate --projects 500
    charter --data-dir DIR export --format csv > export.csv
    bench/import/make-csv.py export.csv 5000 > list.csv
    bench/import/make-csv.py export.csv 5000 lean > list.csv   # fewer columns: under 2 MB,
                                                              # for the import page

The exported entries' own words and choices fill the columns an organisation's list usually
has; rows repeat the export's entries in turn, each title numbered so no two rows are alike.
"""
import csv
import sys

# Import column (a field path) <- export column.
COLUMNS = {
    "title": "title",
    "team": "team",
    "status": "status",
    "status_reason": "status_reason",
    "start_date": "start_date",
    "end_date": "end_date",
    "areas": "areas",
    "topics": "topics",
    "summary": "summary",
    "how_it_works": "how_it_works",
    "website": "website",
    "contact_email": "contact_email",
    "uses_ai": "uses_ai",
    "ai_kind": "ai_kind",
    "decision_role": "decision_role",
    "human_oversight": "human_oversight",
    "public_benefit": "public_benefit",
    "bias_assessment": "bias_assessment",
    "retention": "retention",
    "storage_location": "storage_location",
}

# The lean file's columns: what a short list has.
LEAN = ["title", "status", "areas", "topics", "summary", "uses_ai", "ai_kind", "decision_role"]


def main() -> None:
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["lean"]):
        sys.exit("usage: make-csv.py EXPORT.csv ROWS [lean] > list.csv")
    columns = LEAN if sys.argv[3:] == ["lean"] else list(COLUMNS)
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        entries = list(csv.DictReader(f))
    if not entries:
        sys.exit(f"{sys.argv[1]} has no entries: run charter generate first")
    rows = int(sys.argv[2])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    for n in range(rows):
        e = entries[n % len(entries)]
        row = {k: e.get(COLUMNS[k], "") for k in columns}
        row["title"] = f"{row['title']} {n + 1}"
        row["areas"] = row["areas"].replace(";", "; ")
        row["topics"] = row["topics"].replace(";", "; ")
        out.writerow(row.values())


if __name__ == "__main__":
    main()
