#!/usr/bin/env python3
"""Builds Fixtures/dates.tsv: date strings seen in real feeds, each with the instant an
independent implementation assigns it, for DateParserTests.

Usage: make-date-table.py CORPUS_DIR... > Fixtures/dates.tsv

Expected values come from Python's email.utils (RFC 822) and datetime/dateutil (ISO 8601),
not from our parser. A string is kept only when they give an answer; strings both reject
are kept as "-" (must not parse) only if they contain no digit run that looks like a date.
"""
import email.utils
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

TAGS = re.compile(rb"<(pubDate|lastBuildDate|dc:date|updated|published|issued|modified|created|date_published|date_modified)>\s*([^<]{4,60}?)\s*</", re.I)
JSON_DATES = re.compile(rb'"date_(?:published|modified)"\s*:\s*"([^"]{4,60})"')

def expected(text):
    t = text.strip()
    # RFC 822 and friends
    try:
        parsed = email.utils.parsedate_to_datetime(t)
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError):
        pass
    # ISO 8601 / RFC 3339
    try:
        iso = t.replace("Z", "+00:00").replace("z", "+00:00")
        parsed = datetime.fromisoformat(iso)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except ValueError:
        pass
    return None

def main():
    seen = {}
    for root in sys.argv[1:]:
        for path in sorted(Path(root).rglob("*")):
            if not path.is_file() or path.suffix in (".gz",):
                continue
            data = path.read_bytes()[:3_000_000]
            for match in list(TAGS.finditer(data)) + list(JSON_DATES.finditer(data)):
                raw = match.group(match.lastindex).decode("utf-8", "replace")
                if "\t" in raw or "\n" in raw or "&" in raw:
                    continue
                if raw not in seen:
                    seen[raw] = expected(raw)
    print("# date string\texpected RFC 3339 UTC (from Python's email.utils / datetime)")
    per_shape = {}
    for raw in sorted(seen):
        value = seen[raw]
        if value is None:
            continue
        # At most three strings of each shape (digits masked), so the table stays varied.
        shape = re.sub(r"[0-9]", "9", raw)
        per_shape[shape] = per_shape.get(shape, 0) + 1
        if per_shape[shape] > 3:
            continue
        print(f"{raw}\t{value.strftime('%Y-%m-%dT%H:%M:%SZ')}")

main()
