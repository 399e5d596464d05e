#!/usr/bin/env python3
"""Runs the conformance fixtures through a built `aggregator` and counts, per class, how
many it passes — to compare two builds (before and after a parser change):

    Tests/FeedParserTests/Tools/check-conformance.py .build/debug/aggregator [--failures]
"""
import base64, json, re, subprocess, sys, tempfile, collections, os

def value(data, path):
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return "<missing>"
            data = data[index]
        else:
            if not isinstance(data, dict) or part not in data:
                return "<missing>"
            data = data[part]
    return data

binary = sys.argv[1]
show = "--failures" in sys.argv
here = os.path.dirname(os.path.abspath(__file__))
fixtures = json.load(open(os.path.join(here, "..", "Fixtures", "conformance.json")))
totals, passed = collections.Counter(), collections.Counter()
with tempfile.TemporaryDirectory() as folder:
    for fixture in fixtures:
        path = os.path.join(folder, fixture["name"] + ".xml")
        data = base64.b64decode(fixture["base64"]) if "base64" in fixture else fixture["document"].encode()
        open(path, "wb").write(data)
        run = subprocess.run([binary, "parse", path, "--json"], capture_output=True, text=True)
        try:
            out = json.loads(run.stdout)
        except json.JSONDecodeError:
            out = {}
        wrong = [(p, e, value(out, p)) for p, e in fixture["expect"].items() if value(out, p) != e]
        totals[fixture["class"]] += 1
        if not wrong:
            passed[fixture["class"]] += 1
        elif show:
            print(f"FAIL {fixture['class']} / {fixture['name']}: " + "; ".join(f"{p}: want {e!r}, got {g!r}" for p, e, g in wrong))
for cls in sorted(totals):
    print(f"{cls}: {passed[cls]}/{totals[cls]}")
print(f"all: {sum(passed.values())}/{sum(totals.values())}")
