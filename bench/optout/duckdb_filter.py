"""The same job as the opt-out filter, done by DuckDB: remove the rows whose keyed hash of the
normalised NHS number is in the opt-out set, and write the kept rows as CSV.

DuckDB has no keyed BLAKE3 (nor HMAC), so the keyed hash is its built-in hash of the key
prefixed to the tag input: md5_number(key || ':nhs:' || number), a 128-bit value like our
16-byte tags (or sha256 / the non-cryptographic hash() with --hash). The opt-out tags are
computed before the clock starts (DuckDB "gets the precomputed tags"); the timed part reads the
CSV, normalises each number (removing spaces and hyphens), hashes it, anti-joins and writes CSV.
DuckDB does not validate the Modulus 11 check digit, which favours DuckDB (the data are all valid,
so the kept rows are the same).

usage: duckdb_filter.py DATA OPTOUTS KEPT_OUT THREADS [md5|sha256|hash]
Prints one JSON line: seconds, cpu_seconds (process CPU during the query), rows_kept.
"""

import json
import resource
import sys
import time

import duckdb

KEY = "6368617274657220626e6368206b6579"  # any fixed secret: stands in for the tag key


def main() -> None:
    data, optouts, kept, threads = sys.argv[1:5]
    variant = sys.argv[5] if len(sys.argv) > 5 else "md5"
    fn = {"md5": "md5_number", "sha256": "sha256", "hash": "hash"}[variant]
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET enable_progress_bar = false")
    # Untimed: the opt-out set's tags, as the snapshot would provide them.
    con.execute(
        f"CREATE TABLE optout AS SELECT DISTINCT {fn}('{KEY}:nhs:' || nhs_number) AS tag "
        f"FROM read_csv('{optouts}', header = true, all_varchar = true)"
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    con.execute(
        f"""
        COPY (
            SELECT d.*
            FROM read_csv('{data}', header = true, all_varchar = true) AS d
            ANTI JOIN optout AS o
              ON {fn}('{KEY}:nhs:' || replace(replace(d.nhs_number, ' ', ''), '-', '')) = o.tag
        ) TO '{kept}' (FORMAT csv, HEADER true)
        """
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows_kept = con.execute(f"SELECT count(*) FROM read_csv('{kept}', header = true, all_varchar = true)").fetchone()[0]
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rows_kept": rows_kept}))


if __name__ == "__main__":
    main()
