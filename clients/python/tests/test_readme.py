"""The README's notebook-style example runs, block after block, against the real gateway."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_example_runs(url, keys, monkeypatch, capsys):
    monkeypatch.setenv("HGW_URL", url)
    monkeypatch.setenv("HGW_RESEARCHER_KEY", keys["researcher"])
    monkeypatch.setenv("HGW_AUDITOR_KEY", keys["auditor"])
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:  # one namespace, as in a notebook
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    assert isinstance(namespace["df"], pd.DataFrame) and len(namespace["df"]) > 0
    assert namespace["df"].attrs["citation"] in printed
    assert "OUT_OF_LICENSE_SCOPE - " in printed
    assert namespace["requested"]["status"] == "requested"
    assert len(namespace["log"]) > 0
