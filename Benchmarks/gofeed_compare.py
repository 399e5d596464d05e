#!/usr/bin/env python3
"""Compares `aggregator parse --json` with gofeed's expected results (shared/corpus/gofeed).

Usage: Benchmarks/gofeed_compare.py AGGREGATOR_BINARY GOFEED_DIR [--details] [--diff]

gofeed's expectations use its own models (see the corpus README); this maps the fields
both models carry (titles, links, ids, dates, authors, summaries, content, categories,
enclosures) and compares only the keys an expectation has. It prints how many documents
parse, how many expectations match completely, and the mismatching fields by name.
"""
import collections
import json
import subprocess
import sys
from pathlib import Path

def ours(binary, path):
    run = subprocess.run([binary, "parse", str(path), "--json"], capture_output=True, text=True, timeout=30)
    try:
        return json.loads(run.stdout), run.returncode
    except json.JSONDecodeError:
        return None, run.returncode

def norm(value):
    if isinstance(value, str):
        return " ".join(value.split())
    return value

def people(items):
    return [{k: v for k, v in p.items() if v and k in ("name", "email")} for p in items or []]

def check(out, name, expected, got):
    out.append((name, expected == got, expected, got))

def compare_common(exp, got, out, prefix=""):
    """gofeed's translator model (feedType, items[].publishedParsed, …)."""
    pairs = [("title", "title"), ("link", "link"), ("description", "description"), ("language", "language")]
    for ek, gk in pairs:
        if ek in exp:
            check(out, prefix + ek, norm(exp[ek]), norm(got.get(gk)))
    if "updatedParsed" in exp:
        check(out, prefix + "updated", exp["updatedParsed"], got.get("updated"))
    if "authors" in exp:
        check(out, prefix + "authors", people(exp["authors"]), people(got.get("authors")))
    if "image" in exp and isinstance(exp["image"], dict) and "url" in exp["image"]:
        check(out, prefix + "image", exp["image"]["url"], got.get("image"))
    for i, item in enumerate(exp.get("items", [])):
        entries = got.get("entries", [])
        if i >= len(entries):
            check(out, "item.missing", True, False)
            continue
        entry = entries[i]
        for ek, gk in [("title", "title"), ("link", "link"), ("guid", "id"), ("description", "summary"), ("content", "content")]:
            if ek in item:
                check(out, "item." + ek, norm(item[ek]), norm(entry.get(gk)))
        for ek, gk in [("publishedParsed", "published"), ("updatedParsed", "updated")]:
            if ek in item:
                check(out, "item." + gk, item[ek], entry.get(gk))
        if "authors" in item:
            check(out, "item.authors", people(item["authors"]), people(entry.get("authors")))
        if "categories" in item:
            check(out, "item.categories", [norm(c) for c in item["categories"]], entry.get("categories"))
        if "enclosures" in item:
            want = [(e.get("url"), e.get("type"), int(e["length"]) if str(e.get("length", "")).isdigit() else None)
                    for e in item["enclosures"]]
            have = [(e.get("url"), e.get("type"), e.get("length")) for e in entry.get("enclosures", [])]
            check(out, "item.enclosures", want, have[:len(want)])
    if "items" in exp:
        check(out, "item.count", len(exp["items"]), len(got.get("entries", [])))

def compare_rss(exp, got, out):
    """gofeed's RSS model."""
    for key in ("title", "link", "description", "language"):
        if key in exp:
            check(out, key, norm(exp[key]), norm(got.get(key)))
    entries = got.get("entries", [])
    for i, item in enumerate(exp.get("items", [])):
        if i >= len(entries):
            check(out, "item.missing", True, False)
            continue
        entry = entries[i]
        for ek, gk in [("title", "title"), ("link", "link"), ("description", "summary"), ("content", "content")]:
            if ek in item:
                check(out, "item." + ek, norm(item[ek]), norm(entry.get(gk)))
        if "guid" in item and "value" in item["guid"]:
            check(out, "item.guid", norm(item["guid"]["value"]), norm(entry.get("id")))
        if "categories" in item:
            check(out, "item.categories", [norm(c.get("value")) for c in item["categories"]], entry.get("categories"))
        if "enclosure" in item:
            enc = item["enclosure"]
            have = entry.get("enclosures") or [{}]
            check(out, "item.enclosure", enc.get("url"), have[0].get("url"))
    if "items" in exp:
        check(out, "item.count", len(exp["items"]), len(entries))

def compare_atom(exp, got, out):
    """gofeed's Atom model."""
    for ek, gk in [("title", "title"), ("subtitle", "description"), ("language", "language")]:
        if ek in exp:
            check(out, ek, norm(exp[ek]), norm(got.get(gk)))
    if "updatedParsed" in exp:
        check(out, "updated", exp["updatedParsed"], got.get("updated"))
    entries = got.get("entries", [])
    for i, item in enumerate(exp.get("entries", [])):
        if i >= len(entries):
            check(out, "entry.missing", True, False)
            continue
        entry = entries[i]
        for ek, gk in [("title", "title"), ("id", "id"), ("summary", "summary")]:
            if ek in item:
                check(out, "entry." + ek, norm(item[ek]), norm(entry.get(gk)))
        if "content" in item and "value" in item["content"]:
            check(out, "entry.content", norm(item["content"]["value"]), norm(entry.get("content")))
        for ek, gk in [("publishedParsed", "published"), ("updatedParsed", "updated")]:
            if ek in item:
                check(out, "entry." + gk, item[ek], entry.get(gk))
        if "authors" in item:
            check(out, "entry.authors", people(item["authors"]), people(entry.get("authors")))
        if "links" in item:
            alternate = [l.get("href") for l in item["links"] if l.get("rel", "alternate") == "alternate"]
            if alternate:
                check(out, "entry.link", alternate[0], entry.get("link"))
    if "entries" in exp:
        check(out, "entry.count", len(exp["entries"]), len(entries))

def main():
    binary, root = sys.argv[1], Path(sys.argv[2])
    details = "--details" in sys.argv
    documents = parsed = matched = 0
    fields = collections.Counter()
    failures = collections.Counter()
    examples = collections.defaultdict(list)
    for source in sorted(root.rglob("*")):
        if source.suffix not in (".xml", ".json") or source.name.endswith("_expected.json"):
            continue
        if source.suffix == ".json" and "json" not in source.parts:
            continue
        folder = source.parent.relative_to(root).as_posix()
        expect = source.with_name(source.stem + ("_expected.json" if source.suffix == ".json" else ".json"))
        if not expect.exists() or expect == source:
            continue
        documents += 1
        got, status = ours(binary, source)
        expected = json.loads(expect.read_text())
        if got is None or "error" in got:
            failures["document.not-parsed"] += 1
            examples["document.not-parsed"].append(source.name)
            continue
        parsed += 1
        out = []
        if folder.startswith("parser/rss"):
            compare_rss(expected, got, out)
        elif folder.startswith("parser/atom"):
            compare_atom(expected, got, out)
        else:
            compare_common(expected, got, out)
        ok = all(good for _, good, _, _ in out)
        matched += ok
        for name, good, want, have in out:
            fields["compared"] += 1
            fields["matched"] += good
            if not good:
                failures[name] += 1
                examples[name].append(f"{folder}/{source.name}")
                if "--diff" in sys.argv:
                    print(f"{folder}/{source.name}: {name}\n   gofeed: {want!r:.150}\n   ours:   {have!r:.150}")
    print(f"documents with expectations: {documents}")
    print(f"parsed: {parsed}")
    print(f"expectations fully matched: {matched} ({100 * matched / max(documents, 1):.1f}%)")
    print(f"fields compared: {fields['compared']}, matched: {fields['matched']} "
          f"({100 * fields['matched'] / max(fields['compared'], 1):.1f}%)")
    print("mismatches by field:")
    for name, count in failures.most_common():
        sample = ", ".join(examples[name][:3]) if details else examples[name][0]
        print(f"  {name}: {count}  (e.g. {sample})")

main()
