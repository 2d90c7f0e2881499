"""rankme.lidar of n x q x D views against an independent float64 numpy implementation of the
definition (DESIGN.md §2, to 1e-6 relative) and against `rankme score FILE_views.npy --json`
(equal to the last bit)."""

import os
import threading
import time

import numpy as np
import pytest
from references import cli_score, reference_lidar, reference_rows

import rankme


def clustered(n, q, d, seed=0, spread=1.0, noise=0.3, dtype=np.float32, offset=0.0):
    """n samples, each q noisy views of its own point (a low-dimensional cloud plus noise)."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((min(d, 8), d))
    centres = rng.standard_normal((n, basis.shape[0])) @ basis * spread
    views = centres[:, None, :] + noise * rng.standard_normal((n, q, d)) + offset
    return views.astype(dtype)


def cases():
    yield "q2", clustered(300, 2, 24)
    yield "q8", clustered(120, 8, 32, seed=1)
    yield "wide_n_le_d", clustered(20, 4, 48, seed=2, dtype=np.float64)
    yield "float16", clustered(200, 4, 16, seed=3, dtype=np.float16)
    yield "float64_offset", clustered(150, 3, 16, seed=4, dtype=np.float64, offset=1e4)
    yield "fortran", np.asfortranarray(clustered(160, 4, 20, seed=5))
    yield "strided", clustered(400, 6, 40, seed=6)[::2, 1::2, ::2]  # 200 x 3 x 20, a view
    yield "rank4", clustered(100, 4, 24, seed=7).reshape(100, 4, 4, 6)  # D = 4 x 6 flattened


CASES = dict(cases())


@pytest.mark.parametrize("name", CASES)
def test_lidar_matches_a_float64_numpy_definition(name):
    views = CASES[name]
    result = rankme.lidar(views, eigenvalues=True)
    expected, lam = reference_lidar(views)
    n, q = views.shape[:2]
    d = int(np.prod(views.shape[2:]))
    assert abs(result["value"] - expected) <= 1e-6 * expected, (result["value"], expected)
    assert (result["samples"], result["samples_total"], result["views"], result["cols"]) == (
        n, n, q, d)
    assert result["status"] == "ok" and result["shape"] == views.shape
    assert result["method"] == ("cholesky_dxd" if n > d else "cholesky_nxn")
    eig = result["eigenvalues"]
    assert eig.dtype == np.float64 and eig.shape == (d,) and np.all(np.diff(eig) <= 0)
    np.testing.assert_allclose(eig, lam, rtol=0, atol=1e-6 * lam[0])
    assert result["metrics"]["lidar"]["value"] == result["value"]
    if n <= d:
        assert result["warnings"]


def test_lidar_settings_are_those_stored_with_the_score():
    result = rankme.lidar(CASES["q2"], max_samples=100, seed=5)
    settings = {"algorithm_version": rankme.algorithm_version(), "max_samples": 100, "seed": 5,
                "delta": 1e-4, "eps": 1e-8}
    assert result["settings"] == settings
    assert result["metrics"] == {"lidar": {"value": result["value"], "status": "ok",
                                           "method": result["method"], "settings": settings}}


def test_subsampling_keeps_every_view_of_the_documented_samples():
    views = CASES["q2"]
    result = rankme.lidar(views, max_samples=123, seed=7)
    assert result["samples"] == 123 and result["samples_total"] == 300
    expected, _ = reference_lidar(views[reference_rows(7, 300, 123)])
    assert abs(result["value"] - expected) <= 1e-6 * expected
    assert rankme.lidar(views, max_samples=0)["samples"] == 300


def test_lidar_of_matrices_and_bad_views_raise_the_documented_errors():
    with pytest.raises(rankme.DataError, match=r"views must have shape .* got shape \(10, 4\)"):
        rankme.lidar(np.ones((10, 4), np.float32))
    with pytest.raises(rankme.DataError):
        rankme.lidar(np.ones((10, 1, 4), np.float32))  # one view
    with pytest.raises(rankme.DataError):
        rankme.lidar(np.ones((1, 3, 4), np.float32))  # one sample
    views = CASES["q8"].copy()
    views[17, 5, 3] = np.nan
    with pytest.raises(rankme.DataError, match="nan"):
        rankme.lidar(views)
    with pytest.raises(rankme.UsageError, match="max_samples must be >= 0"):
        rankme.lidar(CASES["q8"], max_samples=-1)
    with pytest.raises(rankme.DataError, match="flatten"):
        rankme.score(CASES["q8"])  # a views tensor is no matrix


def test_lidar_releases_the_gil():
    views = clustered(6000, 4, 256, seed=8)
    worker = threading.Thread(target=rankme.lidar, args=(views,))
    worker.start()
    time.sleep(0.02)
    ticks = 0
    while worker.is_alive():
        ticks += 1
        time.sleep(0)
    worker.join()
    assert ticks > 100


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
@pytest.mark.parametrize("name", CASES)
def test_lidar_equals_the_cli_on_the_same_views(name, tmp_path):
    views = CASES[name]
    path = tmp_path / f"{name}_views.npy"
    np.save(path, views)
    for kwargs, flags in [
        ({}, []),
        ({"max_samples": 15, "seed": 3}, ["--max-samples", "15", "--seed", "3"]),
        ({"eigenvalues": True}, ["--spectrum"]),
    ]:
        mine = rankme.lidar(views, **kwargs)
        cli = cli_score(path, *flags)
        assert mine["value"] == cli["metrics"]["lidar"]["value"], (name, kwargs)  # same double
        assert mine["metrics"] == cli["metrics"], (name, kwargs)
        for key in ("status", "samples", "samples_total", "views", "cols", "dtype", "method",
                    "warnings"):
            assert mine[key] == cli[key], (name, kwargs, key)
        assert list(mine["shape"]) == cli["shape"]
        if "eigenvalues" in mine:
            assert mine["eigenvalues"].tolist() == cli["lidar_eigenvalues"]
