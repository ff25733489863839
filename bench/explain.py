"""Reads the auto_explain plans bench/explain.sh collected (one log segment per
page) and prints a Markdown section: per page, each statement with its top plan
node, rows, buffers and execution time, and the page's totals."""
import json
import re
import sys
from pathlib import Path

out, accounts = Path(sys.argv[1]), int(sys.argv[2])
start = re.compile(r"^\S.*LOG:  duration: ([\d.]+) ms  plan:$")


def plans(text):
    """(duration ms, plan json) of each auto_explain record in a log segment."""
    record, duration = None, None
    for line in text.splitlines() + ["END"]:
        if record is not None and line.startswith("\t"):
            record.append(line[1:])
            continue
        if record is not None:
            yield duration, json.loads("\n".join(record))
            record = None
        m = start.match(line)
        if m:
            duration, record = float(m.group(1)), []


def short(query):
    q = re.sub(r"\s+", " ", query).strip()
    return (q[:90] + " …") if len(q) > 90 else q


print(f"## EXPLAIN (ANALYZE, BUFFERS) of each page's statements at {accounts:,} accounts")
print()
print("Written by `bench/explain.sh` on the database `bench/run.sh` left: auto_explain (analyze,")
print("buffers, every statement) in the server's connections, each page requested twice as its")
print("user, the plans of the second request. Execution time only: a prepared statement's plan is")
print("cached, so planning is not paid per request except where the register plans for actual values.")
print()
print("| page | statements | execution, sum | shared buffers hit, sum | read |")
print("|---|---|---|---|---|")
pages = []
for f in sorted(out.glob("*.log"), key=lambda p: int(p.stem)):
    name, path, code = (out / f"{f.stem}.name").read_text().strip().split("|")
    rows = []
    for duration, plan in plans(f.read_text(errors="replace")):
        top = plan["Plan"]
        rows.append(
            (
                short(plan.get("Query Text", "")),
                top["Node Type"],
                top.get("Actual Rows", 0),
                top.get("Shared Hit Blocks", 0),
                top.get("Shared Read Blocks", 0),
                duration,
            )
        )
    pages.append((name, path, code, rows))
    total = sum(r[5] for r in rows)
    hit = sum(r[3] for r in rows)
    read = sum(r[4] for r in rows)
    print(f"| {name} (HTTP {code}) | {len(rows)} | {total:.3f} ms | {hit} | {read} |")
print()
for name, path, code, rows in pages:
    print(f"**{name}** `{path}`")
    print()
    print("| statement | top node | rows | buffers hit | read | execution |")
    print("|---|---|---|---|---|---|")
    for q, node, n, hit, read, duration in sorted(rows, key=lambda r: -r[5]):
        q = q.replace("|", "\\|")
        print(f"| `{q}` | {node} | {n} | {hit} | {read} | {duration:.3f} ms |")
    print()
