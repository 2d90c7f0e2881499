"""rankme.score and rankme.lidar on torch CPU tensors (the file skips without torch): float16 and
bfloat16 read in place, equal to the numpy path, to float64 numpy references and to `rankme
score` on the same tensor saved as .pt."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rankme

torch = pytest.importorskip("torch")
from references import cli_score, reference_lidar  # noqa: E402
from test_lidar import clustered  # noqa: E402


def reference_rankme(z, eps=1e-7):
    sigma = np.linalg.svd(np.asarray(z, dtype=np.float64), compute_uv=False)
    p = sigma / sigma.sum() + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def matrix(n=3000, d=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    k = torch.arange(1, d + 1, dtype=torch.float64)
    return (torch.randn(n, d, generator=g, dtype=torch.float64) / k.sqrt()).float()


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_tensor_matches_a_float64_svd(dtype):
    t = matrix().to(getattr(torch, dtype))
    result = rankme.score(t)
    assert result["dtype"] == dtype
    expected = reference_rankme(t.double().numpy())  # exact values of the low-precision tensor
    tol = 1e-9 if dtype == "float64" else 1e-6
    assert abs(result["rankme"] - expected) <= tol * expected


def test_tensor_scores_equal_the_numpy_path():
    t = matrix()
    assert rankme.score(t)["rankme"] == rankme.score(t.numpy())["rankme"]
    assert rankme.score(t.half())["rankme"] == rankme.score(t.half().numpy())["rankme"]


def test_strided_and_grad_tensors_are_read_in_place():
    base = matrix(n=2000, d=192)
    views = {
        "transposed": base.t().contiguous().t(),
        "columns": base[:, ::2],
        "requires_grad": base.clone().requires_grad_(True),
        "bf16_columns": base.to(torch.bfloat16)[:, 1::2],
    }
    for name, t in views.items():
        expected = reference_rankme(t.detach().double().numpy())
        assert abs(rankme.score(t)["rankme"] - expected) <= 1e-6 * expected, name


def test_complex_tensor_is_refused():
    with pytest.raises(rankme.FormatError, match="complex"):
        rankme.score(torch.zeros(4, 4, dtype=torch.complex64))


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
def test_tensor_score_equals_the_cli_on_a_saved_pt(dtype, tmp_path):
    t = matrix().to(getattr(torch, dtype))
    torch.save({"embeddings": t}, tmp_path / "ckpt.pt")
    out = subprocess.run(
        [os.environ["RANKME"], "score", str(tmp_path / "ckpt.pt"), "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cli = json.loads(out)[0]
    mine = rankme.score(t)
    assert mine["rankme"] == cli["rankme"]
    assert mine["method"] == cli["method"] and mine["error_bound"] == cli["error_bound"]


def test_bfloat16_tensor_is_not_upcast_as_a_whole():
    code = textwrap.dedent(
        """
        import resource
        import torch, rankme
        t = torch.empty(102400, 2048, dtype=torch.bfloat16)
        for i in range(0, t.shape[0], 4096):
            t[i:i + 4096] = torch.randn(min(4096, t.shape[0] - i), 2048)
        rankme.score(t[:64])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rankme.score(t, max_samples=0)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(t.numel() * 2 // 2**20, (after - before) // 1024)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    tensor_mb, growth_mb = (int(v) for v in out.stdout.split())
    assert tensor_mb == 400
    assert growth_mb < 200, growth_mb  # a float32 upcast would add 800 MB


def test_torch_views_are_scored_in_their_dtype():
    views = clustered(120, 8, 32, seed=1)
    t = torch.from_numpy(views)
    assert rankme.lidar(t)["value"] == rankme.lidar(views)["value"]
    b = t.to(torch.bfloat16)
    result = rankme.lidar(b)
    expected, _ = reference_lidar(b.float().numpy())
    assert result["dtype"] == "bfloat16"
    assert abs(result["value"] - expected) <= 1e-6 * expected


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float32"])
def test_torch_lidar_equals_the_cli_on_a_saved_pt(dtype, tmp_path):
    t = torch.from_numpy(clustered(120, 8, 32, seed=1)).to(getattr(torch, dtype))
    torch.save({"embeddings": t[:, 0].contiguous(), "embeddings_views": t}, tmp_path / "ckpt.pt")
    cli = cli_score(f"{tmp_path / 'ckpt.pt'}#embeddings_views")
    mine = rankme.lidar(t)
    assert mine["value"] == cli["metrics"]["lidar"]["value"]
    assert mine["metrics"] == cli["metrics"] and mine["dtype"] == cli["dtype"] == dtype
