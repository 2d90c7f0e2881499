"""The documentation's examples that need numpy and pandas only run (see doc_examples.py); the
README's "From Python" section shows scoring a tensor, the leaderboard as a pandas frame and the
Lightning callback."""

import pytest

pytest.importorskip("pandas")
import doc_examples  # noqa: E402

EXAMPLES = doc_examples.selected("plain")


def test_the_readme_shows_a_tensor_the_leaderboard_in_pandas_and_the_lightning_callback():
    readme = doc_examples.examples()
    blocks = [code for name, code in readme.items() if name.startswith("README.md")]
    assert any("rankme.score(" in c and "torch" in doc_examples.imports(c) for c in blocks)
    assert any(".leaderboard(" in c and doc_examples.kind(c) == "plain" for c in blocks)
    assert any("RankmeCallback" in c and doc_examples.kind(c) == "lightning" for c in blocks)
    assert len(doc_examples.examples()) >= 8


def test_every_example_is_run_by_one_test_file():
    kinds = {doc_examples.kind(code) for code in doc_examples.examples().values()}
    assert kinds <= {"plain", "torch", "lightning"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_doc_example_runs(name, tmp_path, monkeypatch):
    doc_examples.run(name, EXAMPLES[name], tmp_path, monkeypatch)
