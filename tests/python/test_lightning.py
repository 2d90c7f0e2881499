"""RankmeCallback in a real Lightning Trainer, and the documentation's Lightning examples. The
file skips as a whole where Lightning is not installed (Debian does not package it), which CTest
reports as skipped; test_contrib.py tests the callback's own code against a stand-in of
Lightning's Callback class."""

import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
try:
    import lightning.pytorch as pl
except ImportError:
    pl = pytest.importorskip("pytorch_lightning")

import doc_examples  # noqa: E402

import rankme  # noqa: E402

sys.path.insert(0, os.path.join(doc_examples.SOURCE, "contrib"))
import rankme_torch  # noqa: E402

EXAMPLES = doc_examples.selected("lightning")


def reference_rankme(z, eps=1e-7):
    sigma = np.linalg.svd(np.asarray(z, dtype=np.float64), compute_uv=False)
    p = sigma / sigma.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.backbone = torch.nn.Linear(32, 64)
        self.projector = torch.nn.Linear(64, 16)
        self.outputs = []

    def forward(self, x):
        return self.projector(torch.relu(self.backbone(x)))

    def training_step(self, batch, batch_idx):
        return self(batch[0]).pow(2).mean()

    def validation_step(self, batch, batch_idx):
        if not self.trainer.sanity_checking:
            self.outputs.append(self(batch[0]).detach())

    def on_validation_epoch_start(self):
        self.outputs = []

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)


def test_the_callback_logs_and_dumps_each_validation_epoch(tmp_path):
    torch.manual_seed(0)
    data = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.randn(512, 32)), batch_size=64)
    callback = rankme_torch.RankmeCallback("projector", dump=True)
    model = Model()
    trainer = pl.Trainer(max_epochs=2, callbacks=[callback], default_root_dir=str(tmp_path),
                         enable_checkpointing=False, enable_progress_bar=False)
    trainer.fit(model, data, data)
    z = torch.cat(model.outputs)  # the last epoch's projector outputs
    logged = float(trainer.callback_metrics["rankme/embeddings"])
    assert callback.last["rows_used"] == 512
    assert callback.last["rankme"] == rankme.score(z, metrics=("rankme",))["rankme"]
    expected = reference_rankme(z.double().numpy())
    assert abs(callback.last["rankme"] - expected) <= 1e-6 * expected
    assert abs(logged - callback.last["rankme"]) <= 1e-6 * expected  # the logger keeps float32
    dump = callback.last["dump"]
    assert os.path.basename(dump) == f"epoch=1-step={trainer.global_step}.pt"
    assert torch.equal(torch.load(dump)["embeddings"], z)


@pytest.mark.parametrize("name", EXAMPLES)
def test_doc_example_runs(name, tmp_path, monkeypatch):
    doc_examples.run(name, EXAMPLES[name], tmp_path, monkeypatch)
