"""MkDocs hook: regenerate the pages that come from code and data before each build."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def on_pre_build(config: Any) -> None:
    spec = importlib.util.spec_from_file_location("_generate", Path(__file__).with_name("_generate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write()
