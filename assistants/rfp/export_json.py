"""JSON export of a whole RFP draft (``RfpDraft.to_dict``), readable by ``RfpDraft.from_dict``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .draft import RfpDraft
from .export import write_atomically


def draft_json(draft: RfpDraft) -> str:
    return json.dumps(draft.to_dict(), ensure_ascii=False, indent=2)


def write_json(draft: RfpDraft, path: str | os.PathLike[str]) -> Path:
    data = (draft_json(draft) + "\n").encode("utf-8")
    return write_atomically(path, lambda stream: stream.write(data))
