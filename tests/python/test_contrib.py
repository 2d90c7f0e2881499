"""contrib/rankme_torch.py: the PyTorch hook and the Lightning hook score evaluation outputs in
process, log them, keep low-precision outputs in their dtype, and write the dump the CLI reads."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import rankme

sys.path.insert(0, os.path.join(os.environ.get("RANKME_SOURCE_DIR", ""), "contrib"))
torch = pytest.importorskip("torch")
import rankme_torch  # noqa: E402


def reference_rankme(z, eps=1e-7):
    sigma = np.linalg.svd(np.asarray(z, dtype=np.float64), compute_uv=False)
    p = sigma / sigma.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


class ToDtype(torch.nn.Module):
    """The network's output in `dtype` (CPU torch 1.13 has no float16 matmul)."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, x):
        return x.to(self.dtype)


def model(dtype=torch.float32):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 24),
                              ToDtype(dtype))
    return net.eval()


def batches():
    g = torch.Generator().manual_seed(1)
    return [torch.randn(100, 16, generator=g) for _ in range(5)]


def cli_rankme(path):
    out = subprocess.run([os.environ["RANKME"], "score", path, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)[0]["rankme"]


def test_importing_the_contrib_module_imports_no_lightning():
    code = ("import sys; sys.path.insert(0, %r); import rankme_torch; "
            "print('lightning' in sys.modules or 'pytorch_lightning' in sys.modules)"
            % os.path.dirname(rankme_torch.__file__))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_hook_scores_the_outputs_of_the_evaluation(dtype, tmp_path):
    net = model(dtype)
    logged = []
    hook = rankme_torch.RankmeHook(net[3], log=lambda k, v: logged.append((k, v)))
    with torch.no_grad():
        net(batches()[0])  # outside the block: not collected
        with hook:
            outputs = [net(b) for b in batches()]
    assert hook.embeddings().dtype == dtype  # gathered in their own dtype
    result = hook.score(step=7, dump_dir=str(tmp_path))
    expected_z = torch.cat(outputs)
    assert result["rows_used"] == 500 and result["dtype"] == str(dtype).split(".")[1]
    assert result["rankme"] == rankme.score(expected_z)["rankme"]
    expected = reference_rankme(expected_z.double().numpy())
    assert abs(result["rankme"] - expected) <= 1e-6 * expected
    assert logged == [("rankme/embeddings", result["rankme"])]
    assert result["dump"] == str(tmp_path / "embeddings" / "step=7.pt")
    if "RANKME" in os.environ:
        assert cli_rankme(result["dump"]) == result["rankme"]
    hook.remove()


class FakeTrainer:
    sanity_checking = False
    world_size = 1
    global_rank = 0
    current_epoch = 3
    global_step = 400

    def __init__(self, log_dir):
        self.log_dir = log_dir


class FakeModule(torch.nn.Module):
    """What a LightningModule offers the hook: submodules, log, device."""

    def __init__(self):
        super().__init__()
        self.backbone = model()
        self.logged = {}
        self.device = torch.device("cpu")

    def forward(self, x):
        return self.backbone(x)

    def log(self, name, value, **kwargs):
        self.logged[name] = value


def test_lightning_hook_logs_each_validation_epoch_and_dumps(tmp_path):
    module = FakeModule()
    trainer = FakeTrainer(str(tmp_path))
    callback = rankme_torch.RankmeLightningHook("backbone.2", dump=True)
    callback.on_validation_epoch_start(trainer, module)
    with torch.no_grad():
        outputs = [module(b) for b in batches()]
    callback.on_validation_epoch_end(trainer, module)
    z = torch.cat(outputs)
    assert module.logged["rankme/embeddings"] == rankme.score(z)["rankme"]
    dump = tmp_path / "embeddings" / "epoch=3-step=400.pt"
    assert callback.last["dump"] == str(dump)
    assert torch.equal(torch.load(dump)["embeddings"], z)
    # Outside validation epochs nothing is collected.
    with torch.no_grad():
        module(batches()[0])
    callback.on_validation_epoch_end(trainer, module)
    assert callback.last["rows_used"] == 500


def test_lightning_callback_is_a_lightning_callback():
    try:
        pl = rankme_torch._lightning()
    except ImportError:
        pytest.skip("Lightning is not installed")
    assert isinstance(rankme_torch.RankmeCallback("backbone"), pl.Callback)
