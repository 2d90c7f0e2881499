"""The documentation's examples that use torch run (see doc_examples.py; the file skips as a
whole without torch)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("pandas")
import doc_examples  # noqa: E402

EXAMPLES = doc_examples.selected("torch")


def test_there_are_torch_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("name", EXAMPLES)
def test_doc_example_runs(name, tmp_path, monkeypatch):
    doc_examples.run(name, EXAMPLES[name], tmp_path, monkeypatch)
