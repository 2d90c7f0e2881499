"""rankme.score's sister metrics (rankme_centered, stable_rank, nesum, participation_ratio,
alpha_req) against their float64 numpy definitions (1e-6 relative, 1e-9 for float64 input;
alpha_req and its R² 1e-6 absolute) and against `rankme score --json` on the same matrix saved
as .npy (every field equal, to the last bit)."""

import os

import numpy as np
import pytest
from references import cli_score, reference_metrics, with_spectrum

import rankme

SPECTRUM_METRICS = [m["name"] for m in rankme.metric_catalog() if m["source"] != "views"]
CENTRED = {"rankme_centered", "nesum", "participation_ratio", "alpha_req"}


def cases():
    rng = np.random.default_rng(11)
    n, d = 2000, 96
    k = np.arange(1, d + 1, dtype=np.float64)
    yield "power_law", with_spectrum(n, d, k**-0.5)
    yield "steep_float64", with_spectrum(n, d, k**-0.75, seed=1, dtype=np.float64)
    yield "rank_deficient", with_spectrum(n, d, np.where(k <= 30, 1.0 / k, 0.0), seed=2)
    yield "offset_mean", (with_spectrum(n, d, k**-0.5, seed=3) + 50.0).astype(np.float32)
    yield "float16", rng.standard_normal((n, d)).astype(np.float16)
    yield "narrow", rng.standard_normal((500, 12)).astype(np.float32)  # too few ranks: no alpha
    wide = with_spectrum(n, 2 * d, np.arange(1, 2 * d + 1) ** -0.5, seed=4)
    yield "fortran_slice", np.asfortranarray(wide)[:, 1::2]


CASES = dict(cases())


def check_value(name, got, want, dtype):
    if want is None:
        assert got["value"] is None and got["status"] == "no_value", (name, got)
        return
    assert got["status"] == "ok", (name, got)
    if name == "alpha_req":
        assert abs(got["value"] - want) <= 1e-6, (name, got, want)
    else:
        tolerance = 1e-9 if dtype == np.float64 else 1e-6
        assert abs(got["value"] - want) <= tolerance * abs(want), (name, got, want)


@pytest.mark.parametrize("name", CASES)
def test_every_metric_matches_its_float64_definition(name):
    z = CASES[name]
    result = rankme.score(z)
    want = reference_metrics(z)
    assert list(result["metrics"]) == SPECTRUM_METRICS
    for metric, got in result["metrics"].items():
        check_value(metric, got, want[metric], z.dtype)
        assert got["method"] in ("gram32", "gram64", "qr")
    assert result["metrics"]["rankme"]["value"] == result["rankme"]
    r2 = result["metrics"]["alpha_req"].get("r_squared")
    if want["alpha_req_r2"] is None:
        assert r2 is None
    else:
        assert abs(r2 - want["alpha_req_r2"]) <= 1e-6, (r2, want["alpha_req_r2"])


def test_each_metric_carries_the_settings_it_is_stored_with():
    metrics = rankme.score(CASES["power_law"], eps=1e-5, max_samples=1000, seed=4)["metrics"]
    common = {"algorithm_version": rankme.algorithm_version(), "max_samples": 1000, "seed": 4}
    assert metrics["rankme"]["settings"] == {**common, "eps": 1e-5}
    assert metrics["rankme_centered"]["settings"] == {**common, "centered": True, "eps": 1e-5}
    assert metrics["stable_rank"]["settings"] == {**common, "centered": False}
    assert metrics["nesum"]["settings"] == {**common, "centered": True}
    assert metrics["participation_ratio"]["settings"] == {**common, "centered": True}
    assert metrics["alpha_req"]["settings"] == {
        **common, "centered": True, "cutoff": 1e-12, "ranks": [11, 100], "weights": "1/i"
    }


def test_a_subset_of_metrics_is_returned_in_catalog_order():
    z = CASES["power_law"]
    every = rankme.score(z)["metrics"]
    some = rankme.score(z, metrics=["nesum", "rankme", "nesum"])
    assert list(some["metrics"]) == ["rankme", "nesum"]
    assert some["metrics"]["nesum"] == every["nesum"]
    assert list(rankme.score(z, metrics="alpha_req")["metrics"]) == ["alpha_req"]


def test_without_a_centred_metric_the_centred_spectrum_is_not_computed():
    z = CASES["offset_mean"]
    plain = rankme.score(z, metrics=["rankme", "stable_rank"], spectrum=True)
    assert list(plain["metrics"]) == ["rankme", "stable_rank"]
    assert "centered_singular_values" not in plain
    centred = rankme.score(z, metrics=["nesum"], spectrum=True)
    sigma_c = np.linalg.svd(z.astype(np.float64) - z.astype(np.float64).mean(axis=0),
                            compute_uv=False)
    np.testing.assert_allclose(centred["centered_singular_values"], sigma_c, rtol=0,
                               atol=1e-6 * sigma_c[0])
    # The offset dominates the uncentred spectrum, not the centred one.
    assert plain["metrics"]["stable_rank"]["value"] < 1.01 < centred["metrics"]["nesum"]["value"]


def test_rows_that_are_all_equal_leave_the_centred_metrics_undefined():
    z = np.tile(np.arange(1, 9, dtype=np.float32), (50, 1))
    metrics = rankme.score(z)["metrics"]
    assert metrics["rankme"]["status"] == metrics["stable_rank"]["status"] == "ok"
    for name in CENTRED:
        assert metrics[name]["status"] == "degenerate" and metrics[name]["value"] is None, name
    zero = rankme.score(np.zeros((10, 4), np.float32))["metrics"]
    assert all(m["status"] == "degenerate" and m["value"] is None for m in zero.values())


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
@pytest.mark.parametrize("name", CASES)
def test_metrics_equal_the_cli_on_the_same_matrix(name, tmp_path):
    z = CASES[name]
    path = tmp_path / f"{name}.npy"
    np.save(path, z)
    for kwargs, flags in [
        ({}, []),
        ({"metrics": ["rankme", "stable_rank"]}, ["--metric", "rankme", "--metric", "stable_rank"]),
        ({"metrics": ["alpha_req"], "max_samples": 700, "seed": 9},
         ["--metric", "alpha_req", "--max-samples", "700", "--seed", "9"]),
        ({"eps": 1e-5, "method": "qr"}, ["--eps", "1e-5", "--method", "qr"]),
        ({"method": "gram64", "spectrum": True}, ["--method", "gram64", "--spectrum"]),
    ]:
        mine = rankme.score(z, **kwargs)
        cli = cli_score(path, *flags)
        assert mine["metrics"] == cli["metrics"], (name, kwargs)  # the same doubles, every field
        for key in ("rankme", "method", "error_bound", "rows_used", "status", "warnings"):
            assert mine[key] == cli[key], (name, kwargs, key)
        for key in ("singular_values", "centered_singular_values"):
            assert (key in mine) == (key in cli), (name, kwargs, key)
            if key in mine:
                assert mine[key].tolist() == cli[key], (name, kwargs, key)
