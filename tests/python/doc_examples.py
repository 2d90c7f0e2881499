"""The ```python examples of the documentation the tests run: the README's "From Python"
section and every block of docs/python.md. Each runs in a fresh namespace in a folder holding
sweeps/my_sweep (a copy of tests/data/real_sweep_small), contrib/ on the path. The test files
split them by what they import, so that CTest reports the ones that cannot run here (torch or
Lightning missing) as skipped: test_docs.py (numpy, pandas), test_docs_torch.py (torch),
test_lightning.py (Lightning)."""

import os
import re
import shutil
import sys

SOURCE = os.environ.get("RANKME_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(SOURCE, "README.md")
GUIDE = os.path.join(SOURCE, "docs", "python.md")


def _blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


def readme_section(title="From Python"):
    """The text of the README's section `title`, up to the next section of its level."""
    text = open(README).read()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def examples():
    """{name: code} of every example, named file:block."""
    out = {}
    for index, code in enumerate(_blocks(readme_section())):
        out[f"README.md:{index}"] = code
    for index, code in enumerate(_blocks(open(GUIDE).read())):
        out[f"docs/python.md:{index}"] = code
    return out


def imports(code):
    """The top-level modules a block imports."""
    names = re.findall(r"^\s*import ([\w.]+)|^\s*from ([\w.]+) import", code, re.M)
    return {(a or b).split(".")[0] for a, b in names}


def kind(code):
    """'lightning', 'torch' or 'plain': the test file that runs the block."""
    found = imports(code)
    if found & {"lightning", "pytorch_lightning"}:
        return "lightning"
    if "torch" in found or "rankme_torch" in found:
        return "torch"
    return "plain"


def selected(wanted):
    """The examples of one kind, as pytest parameters."""
    return {name: code for name, code in examples().items() if kind(code) == wanted}


def run(name, code, tmp_path, monkeypatch):
    """Runs one example as the documentation's reader would."""
    monkeypatch.syspath_prepend(os.path.join(SOURCE, "contrib"))
    sweep = os.path.join(os.environ["RANKME_TEST_DATA_DIR"], "real_sweep_small")
    shutil.copytree(sweep, tmp_path / "sweeps" / "my_sweep")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__doc_example__"}
    exec(compile(code, name, "exec"), namespace)
    sys.stdout.flush()
    return namespace
