#!/usr/bin/env python3
"""Time textstat 0.7.13 on the parity corpus, one text at a time, with every textstat cache cleared
before each text so its per-text caches cannot help (the word lists stay loaded, as ours do). Times are
CPU time of the thread (time.thread_time), so other work on a shared machine does not count.

    python bench/plain-english/textstat_bench.py crates/charter-core/tests/fixtures/textstat-0.7.13.json

Prints a JSON summary on the last line. Used by bench/plain-english/run.sh.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "textstat-fixtures"))

import generate  # noqa: E402  (sets up CMUdict for NLTK)

generate.install_nltk_cmudict()

import textstat  # noqa: E402
import textstat.backend  # noqa: E402

LOADERS = {"get_cmudict", "get_pyphen", "get_lang_easy_words"}


def caches():
    """Every lru_cache in textstat's backend except the word-list loaders."""
    found = {}
    for mod in pkgutil.walk_packages(textstat.backend.__path__, "textstat.backend."):
        module = importlib.import_module(mod.name)
        for name in dir(module):
            obj = getattr(module, name)
            if callable(obj) and hasattr(obj, "cache_clear") and name not in LOADERS:
                found[id(obj)] = obj
    return list(found.values())


def seven_scores(text: str) -> tuple:
    return (
        textstat.flesch_reading_ease(text),
        textstat.flesch_kincaid_grade(text),
        textstat.smog_index(text),
        textstat.gunning_fog(text),
        textstat.coleman_liau_index(text),
        textstat.automated_readability_index(text),
        textstat.dale_chall_readability_score(text),
    )


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "crates/charter-core/tests/fixtures/textstat-0.7.13.json")
    texts = [t["text"] for t in json.load(open(path, encoding="utf-8"))["texts"]]
    to_clear = caches()
    from textstat.backend.utils import get_pyphen

    started = time.perf_counter()
    seven_scores("Load the word lists first.")
    load_s = time.perf_counter() - started

    def clear():
        for f in to_clear:
            f.cache_clear()
        get_pyphen("en_US").hd.cache.clear()  # pyphen's own per-word cache

    total = 0.0
    per_text = []
    for text in texts:
        clear()
        t = time.thread_time()
        seven_scores(text)
        elapsed = time.thread_time() - t
        per_text.append(elapsed)
        total += elapsed
    words = sum(textstat.lexicon_count(t) for t in texts)
    # A 1,000-word text made the same way as the Rust benchmark's: register texts joined, cut at 1,000 words.
    doc = json.load(open(path, encoding="utf-8"))["texts"]
    register = "\n\n".join(t["text"] for t in doc if t["id"].startswith("register-full"))
    thousand = " ".join(register.split()[:1000])
    runs = []
    for _ in range(20):
        clear()
        t = time.thread_time()
        seven_scores(thousand)
        runs.append(time.thread_time() - t)
    runs.sort()
    print(f"textstat {'.'.join(map(str, textstat.__version__))}: word lists loaded in {load_s * 1e3:.0f} ms")
    print(f"seven scores of a 1,000-word text: {runs[len(runs) // 2] * 1e3:.2f} ms (median of 20, caches cleared)")
    print(f"corpus: {len(texts)} texts, {words} words in {total:.2f} s ({words / total:.0f} words/s, caches cleared per text)")
    print(json.dumps({
        "load_ms": load_s * 1e3,
        "scores_1000_words_ms": runs[len(runs) // 2] * 1e3,
        "texts": len(texts),
        "corpus_words": words,
        "corpus_s": total,
        "caches_cleared": len(to_clear),
    }))


if __name__ == "__main__":
    main()
