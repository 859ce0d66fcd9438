"""Golden files of system text (tests/checklist/golden/*.json): what a sentence said before a change.

``GOLDEN_UPDATE=1`` writes the current values instead of comparing (review the diff before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_pinned(filename: str, section: str, found: Any) -> None:
    path = GOLDEN_DIR / filename
    pinned = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    found = json.loads(json.dumps(found, ensure_ascii=False, sort_keys=True, default=str))
    if os.environ.get("GOLDEN_UPDATE") == "1":
        pinned[section] = found
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_text(
            json.dumps(pinned, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    assert section in pinned, f"{filename} has no section {section!r}: run with GOLDEN_UPDATE=1"
    assert found == pinned[section]
