"""Every ```python block of docs/python.md runs (each in a fresh namespace, in a folder holding
sweeps/my_sweep = tests/data/real_sweep_small); blocks importing torch or Lightning are skipped
when those are not installed."""

import importlib.util
import os
import re
import shutil
import sys

import pytest

SOURCE = os.environ.get("RANKME_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = os.path.join(SOURCE, "docs", "python.md")
BLOCKS = re.findall(r"```python\n(.*?)```", open(DOC).read(), re.S)


def missing_module(code):
    for name in re.findall(r"^import ([\w.]+)|^from ([\w.]+) import", code, re.M):
        top = (name[0] or name[1]).split(".")[0]
        if importlib.util.find_spec(top) is None:
            return top
    return None


def test_the_doc_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_doc_example_runs(index, tmp_path, monkeypatch):
    code = BLOCKS[index]
    monkeypatch.syspath_prepend(os.path.join(SOURCE, "contrib"))
    absent = missing_module(code)
    if absent:
        pytest.skip(f"needs {absent}")
    sweep = os.path.join(os.environ["RANKME_TEST_DATA_DIR"], "real_sweep_small")
    shutil.copytree(sweep, tmp_path / "sweeps" / "my_sweep")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"{DOC}:block{index}", "exec"), {"__name__": "__doc_example__"})
    sys.stdout.flush()
