"""contrib/rankme_torch.py: the PyTorch hook and the Lightning hook score evaluation outputs in
process, log them, keep low-precision outputs in their dtype, and write the dump the CLI reads."""

import json
import os
import subprocess
import sys
import types

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
    out = subprocess.run([os.environ["RANKME"], "score", path, "--json", "--metric", "rankme"], check=True,
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
    assert result["rankme"] == rankme.score(expected_z, metrics=("rankme",))["rankme"]
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
    assert module.logged["rankme/embeddings"] == rankme.score(z, metrics=("rankme",))["rankme"]
    dump = tmp_path / "embeddings" / "epoch=3-step=400.pt"
    assert callback.last["dump"] == str(dump)
    assert torch.equal(torch.load(dump)["embeddings"], z)
    # Outside validation epochs nothing is collected.
    with torch.no_grad():
        module(batches()[0])
    callback.on_validation_epoch_end(trainer, module)
    assert callback.last["rows_used"] == 500


class StandInCallback:
    """What lightning.pytorch.Callback is to RankmeCallback: a base class whose hooks do
    nothing (Lightning's own are no-ops too). Lightning is not packaged by Debian; the real
    package is exercised by test_lightning.py where it is installed."""

    def on_validation_epoch_start(self, trainer, pl_module):
        pass

    def on_validation_epoch_end(self, trainer, pl_module):
        pass


def test_lightning_callback_is_built_on_lightnings_callback(monkeypatch, tmp_path):
    stand_in = types.ModuleType("lightning.pytorch")
    stand_in.Callback = StandInCallback
    package = types.ModuleType("lightning")
    package.pytorch = stand_in
    monkeypatch.setitem(sys.modules, "lightning", package)
    monkeypatch.setitem(sys.modules, "lightning.pytorch", stand_in)
    monkeypatch.setattr(rankme_torch, "_callback_class", None)
    callback = rankme_torch.RankmeCallback("backbone.2", dump=True, fmt="npz")
    assert isinstance(callback, StandInCallback)
    assert isinstance(callback, rankme_torch.RankmeLightningHook)
    # Driven as Lightning drives a callback: a sanity check first (nothing scored), then an
    # epoch. The hooks that run are the callback's, not the base class's no-ops.
    module, trainer = FakeModule(), FakeTrainer(str(tmp_path))
    trainer.sanity_checking = True
    callback.on_validation_epoch_start(trainer, module)
    with torch.no_grad():
        module(batches()[0])
    callback.on_validation_epoch_end(trainer, module)
    assert callback.last is None and module.logged == {}
    trainer.sanity_checking = False
    callback.on_validation_epoch_start(trainer, module)
    with torch.no_grad():
        z = torch.cat([module(b) for b in batches()])
    callback.on_validation_epoch_end(trainer, module)
    assert module.logged["rankme/embeddings"] == rankme.score(z, metrics=("rankme",))["rankme"]
    expected = reference_rankme(z.double().numpy())
    assert abs(module.logged["rankme/embeddings"] - expected) <= 1e-6 * expected
    assert callback.last["dump"] == str(tmp_path / "embeddings" / "epoch=3-step=400.npz")


# ---- views tensors for LiDAR ----

def views_data(samples=40, views=3, seed=2):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(samples, views, 16, generator=g)


def tensor_loader(x, batch=16):
    """Batches as [B, q, 16] tensors."""
    return [x[i:i + batch] for i in range(0, x.shape[0], batch)]


def list_loader(x, batch=16):
    """Batches as (list of q [B, 16] tensors, labels): what multi-view pipelines yield."""
    return [([x[i:i + batch, j] for j in range(x.shape[1])], torch.zeros(len(x[i:i + batch])))
            for i in range(0, x.shape[0], batch)]


def read_dump(path, fmt):
    """{name: numpy array} of a dump written by write_dump in `fmt`."""
    if fmt == "pt":
        return {k: v.float().numpy() for k, v in torch.load(path).items()}
    if fmt == "npz":
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    if fmt == "npy":
        return {name[:-4]: np.load(os.path.join(path, name)) for name in os.listdir(path)}
    with open(path, "rb") as f:  # safetensors: header length, JSON header, data
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        data = f.read()
    types = {"F32": np.float32, "F16": np.float16}
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]],
                             dtype=types[v["dtype"]]).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


@pytest.mark.parametrize("loader", [tensor_loader, list_loader])
def test_embed_views_gives_samples_by_views_by_dims(loader):
    net = model()
    x = views_data()
    got = rankme_torch.embed_views(net, loader(x), 3, samples=25)
    assert got.shape == (25, 3, 24)
    with torch.no_grad():
        want = net(x[:25].reshape(75, 16)).reshape(25, 3, 24)
    assert torch.allclose(got, want, atol=1e-6)
    # The output of a submodule, caught inside the model; every sample when samples is None.
    inner = rankme_torch.embed_views(net, loader(x), 3, module=net[1])
    assert inner.shape == (40, 3, 32)
    with torch.no_grad():
        assert torch.allclose(inner[7, 2], net[:2](x[7, 2]), atol=1e-6)


def test_embed_views_refuses_another_view_count_and_restores_the_mode():
    net = model().train()
    with pytest.raises(ValueError, match=r"expected \[B, 4, \.\.\.\]"):
        rankme_torch.embed_views(net, tensor_loader(views_data()), 4)
    assert net.training
    with pytest.raises(ValueError, match="at least 2 views"):
        rankme_torch.embed_views(net, tensor_loader(views_data()), 1)


@pytest.mark.parametrize("fmt", rankme_torch.FORMATS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_hook_dump_holds_the_views_tensor(fmt, dtype, tmp_path):
    net = model(dtype)
    hook = rankme_torch.RankmeHook(net[3])
    with torch.no_grad(), hook:
        for b in batches():
            net(b)
    x = views_data(samples=80, views=4)
    result = hook.score(step=7, dump_dir=str(tmp_path), fmt=fmt, views=4,
                        views_loader=tensor_loader(x), model=net, views_samples=64)
    dump = result["dump"]
    expected_path = tmp_path / "embeddings" / ("step=7" if fmt == "npy" else f"step=7.{fmt}")
    assert dump == str(expected_path)
    tensors = read_dump(dump, fmt)
    assert sorted(tensors) == ["embeddings", "embeddings_views"]
    assert tensors["embeddings"].shape == (500, 24)
    assert tensors["embeddings_views"].shape == (64, 4, 24)
    assert tensors["embeddings_views"].dtype == tensors["embeddings"].dtype
    with torch.no_grad():
        want = net(x[:64].reshape(256, 16)).float().reshape(64, 4, 24).numpy()
    assert np.array_equal(tensors["embeddings_views"].astype(np.float32), want)
    hook.remove()
    if "RANKME" in os.environ:  # the reader sees the views tensor's shape, and the plain one
        plain = os.path.join(dump, "embeddings.npy") if fmt == "npy" else dump + "#embeddings"
        views = os.path.join(dump, "embeddings_views.npy") if fmt == "npy" else \
            dump + "#embeddings_views"
        assert cli_rankme(plain) == result["rankme"]
        # The views tensor is scored by LiDAR, never as a plain matrix.
        out = subprocess.run([os.environ["RANKME"], "score", views, "--json"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        scored = json.loads(out.stdout)[0]
        assert (scored["samples"], scored["views"], scored["cols"]) == (64, 4, 24)
        assert list(scored["metrics"]) == ["lidar"] and scored["metrics"]["lidar"]["value"] > 1


def test_lightning_hook_dumps_views_of_the_submodule(tmp_path):
    module = FakeModule()
    trainer = FakeTrainer(str(tmp_path))
    x = views_data(samples=40, views=2)
    callback = rankme_torch.RankmeLightningHook("backbone.2", dump=True, fmt="npz", views=2,
                                                views_loader=list_loader(x))
    callback.on_validation_epoch_start(trainer, module)
    with torch.no_grad():
        for b in batches():
            module(b)
    callback.on_validation_epoch_end(trainer, module)
    dump = tmp_path / "embeddings" / "epoch=3-step=400.npz"
    assert callback.last["dump"] == str(dump)
    tensors = read_dump(str(dump), "npz")
    assert tensors["embeddings"].shape == (500, 24)
    assert tensors["embeddings_views"].shape == (40, 2, 24)  # fewer samples than rows: all 40
    with torch.no_grad():
        want = module.backbone[:3](x[5, 1]).numpy()
    assert np.allclose(tensors["embeddings_views"][5, 1], want, atol=1e-6)


def test_lightning_hook_refuses_views_without_a_loader_or_a_dump():
    with pytest.raises(ValueError, match="views_loader"):
        rankme_torch.RankmeLightningHook("backbone", dump=True, views=2)
    with pytest.raises(ValueError, match="dump=True"):
        rankme_torch.RankmeLightningHook("backbone", views=2, views_loader=[])
