"""rankme.score and rankme.spectrum against an independent float64 numpy SVD (the README's
accuracy contract: 1e-6 relative, 1e-9 for float64 input) and against `rankme score --json` on
the same matrix saved as .npy (equal to the last bit)."""

import os

import numpy as np
import pytest
from references import cli_score, reference_rankme, reference_rows, with_spectrum

import rankme

EPS = 1e-7


def cases():
    rng = np.random.default_rng(7)
    n, d = 3000, 96
    k = np.arange(1, d + 1, dtype=np.float64)
    rank10 = np.where(k <= 10, 1.0 / k, 0.0)
    yield "flat", with_spectrum(n, d, np.ones(d))
    yield "power_law", with_spectrum(n, d, 1.0 / k)
    yield "rank_deficient", with_spectrum(n, d, rank10)
    yield "collapsed", np.outer(rng.standard_normal(n), rng.standard_normal(d)).astype(np.float32)
    yield "float16", rng.standard_normal((n, d)).astype(np.float16)
    yield "float64", with_spectrum(n, d, 1.0 / k, dtype=np.float64)
    yield "fortran", np.asfortranarray(with_spectrum(n, d, 1.0 / np.sqrt(k)))
    yield "column_slice", with_spectrum(n, 2 * d, np.ones(2 * d))[:, ::2]
    yield "row_slice_reversed", with_spectrum(2 * n, d, 1.0 / k)[::-2]
    yield "fortran_transposed_view", with_spectrum(d * 40, d, 1.0 / k).T.copy().T
    yield "big_endian", rng.standard_normal((n, d)).astype(">f4")
    yield "int16", rng.integers(-100, 100, (n, d)).astype(np.int16)


CASES = dict(cases())


def tolerance(z):
    return 1e-9 if z.dtype == np.float64 else 1e-6


@pytest.mark.parametrize("name", CASES)
def test_score_matches_a_float64_svd(name):
    z = CASES[name]
    result = rankme.score(z)
    expected = reference_rankme(z)
    assert result["status"] == "ok"
    assert abs(result["rankme"] - expected) <= tolerance(z) * expected, (result, expected)
    assert result["error_bound"] <= tolerance(z)
    assert result["rows_used"] == result["rows_total"] == z.shape[0]
    assert result["cols"] == z.shape[1]
    assert result["method"] in ("gram32", "gram64", "qr")
    assert result["settings"] == {
        "algorithm_version": rankme.algorithm_version(),
        "eps": EPS,
        "max_samples": 25600,
        "seed": 0,
        "method": "auto",
    }


@pytest.mark.parametrize("name", ["power_law", "rank_deficient", "float16", "fortran"])
def test_spectrum_matches_a_float64_svd(name):
    z = CASES[name]
    sigma = rankme.spectrum(z)
    expected = np.linalg.svd(z.astype(np.float64), compute_uv=False)
    assert sigma.dtype == np.float64 and sigma.shape == (min(z.shape),)
    assert np.all(np.diff(sigma) <= 0)
    np.testing.assert_allclose(sigma, expected, rtol=0, atol=1e-6 * expected[0])


@pytest.mark.parametrize("method", ["qr", "gram32", "gram64"])
def test_each_method_is_within_the_contract_on_a_full_rank_matrix(method):
    z = CASES["power_law"]
    result = rankme.score(z, method=method)
    assert result["method"] == method
    assert result["settings"]["method"] == method
    expected = reference_rankme(z)
    assert abs(result["rankme"] - expected) <= 1e-6 * expected


def test_collapsed_matrix_takes_the_exact_path_under_auto():
    result = rankme.score(CASES["collapsed"])
    assert result["method"] == "qr"
    expected = reference_rankme(CASES["collapsed"])
    assert abs(result["rankme"] - expected) <= 1e-6 * expected


def test_eps_is_added_after_normalisation():
    z = CASES["rank_deficient"]
    for eps in (0.0, 1e-5, 1e-3):
        result = rankme.score(z, eps=eps)
        expected = reference_rankme(z, eps) if eps > 0 else None
        if eps == 0:
            sigma = np.linalg.svd(z.astype(np.float64), compute_uv=False)
            p = sigma[sigma > 0] / sigma.sum()
            expected = float(np.exp(-(p * np.log(p)).sum()))
        assert abs(result["rankme"] - expected) <= 1e-6 * expected, eps


def test_subsampling_scores_the_documented_rows():
    z = with_spectrum(5000, 64, 1.0 / np.arange(1, 65), seed=3)
    rows = reference_rows(11, 5000, 1234)
    result = rankme.score(z, max_samples=1234, seed=11)
    assert result["rows_used"] == 1234 and result["rows_total"] == 5000
    expected = reference_rankme(z[rows])
    assert abs(result["rankme"] - expected) <= 1e-6 * expected
    assert rankme.score(z, max_samples=0)["rows_used"] == 5000


def test_all_zero_matrix_is_degenerate():
    result = rankme.score(np.zeros((10, 4), np.float32))
    assert result["status"] == "degenerate" and result["rankme"] is None


def test_one_column_gives_a_warning():
    result = rankme.score(np.arange(1, 11, dtype=np.float64).reshape(10, 1))
    assert result["rankme"] == pytest.approx(reference_rankme(np.ones((10, 1))), rel=1e-12)
    assert any("D = 1" in w for w in result["warnings"])


def test_flatten_scores_rows_in_c_order():
    rng = np.random.default_rng(5)
    views = rng.standard_normal((500, 3, 20)).astype(np.float32)
    with pytest.raises(rankme.DataError, match=r"shape \(500, 3, 20\).*flatten"):
        rankme.score(views)
    for x in (views, np.asfortranarray(views)):
        result = rankme.score(x, flatten=True)
        expected = reference_rankme(views.reshape(500, -1))
        assert abs(result["rankme"] - expected) <= 1e-6 * expected
        assert result["shape"] == (500, 3, 20) and result["cols"] == 60


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_value_names_its_row_and_column(value):
    z = CASES["flat"].copy()
    z[1234, 56] = value
    with pytest.raises(rankme.DataError) as error:
        rankme.score(z, max_samples=10)  # rows outside the subsample are checked too
    assert "at row 1234, column 56 (0-based)" in str(error.value)
    assert error.value.exit_code == 2 and error.value.path == "<array>"


def test_bad_inputs_raise_the_documented_errors():
    with pytest.raises(rankme.FormatError, match="unsupported dtype 'complex64'"):
        rankme.score(np.zeros((4, 4), np.complex64))
    with pytest.raises(rankme.FormatError, match="object"):
        rankme.score(np.array([[1, None], [2, 3]], dtype=object))
    with pytest.raises(rankme.DataError, match="at least 2 rows"):
        rankme.score(np.ones((1, 5), np.float32))
    with pytest.raises(rankme.DataError, match=r"shape \(5,\)"):
        rankme.score(np.ones(5, np.float32))
    with pytest.raises(rankme.UsageError, match="unknown method 'svd'"):
        rankme.score(CASES["flat"], method="svd")
    with pytest.raises(rankme.UsageError, match="unknown metric 'svd'"):
        rankme.score(CASES["flat"], metrics=("rankme", "svd"))
    with pytest.raises(rankme.UsageError, match=r"'lidar' reads a views tensor.*rankme.lidar"):
        rankme.score(CASES["flat"], metrics=("rankme", "lidar"))
    with pytest.raises(rankme.UsageError, match="metrics is empty"):
        rankme.score(CASES["flat"], metrics=())
    with pytest.raises(rankme.UsageError, match="max_samples must be >= 0.*got -1"):
        rankme.score(CASES["flat"], max_samples=-1)
    with pytest.raises(rankme.UsageError, match="eps must be a non-negative number, got -1e-07"):
        rankme.score(CASES["flat"], eps=-1e-7)


def test_broadcast_view_is_copied_and_scored():
    row = np.arange(1, 9, dtype=np.float32)
    z = np.broadcast_to(row, (100, 8))
    assert rankme.score(z)["rankme"] == pytest.approx(reference_rankme(np.tile(row, (100, 1))))


def test_lists_and_buffers_are_accepted():
    z = CASES["power_law"][:200]
    expected = rankme.score(z)["rankme"]
    assert rankme.score(memoryview(np.ascontiguousarray(z)))["rankme"] == expected
    assert rankme.score(z.tolist())["rankme"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
@pytest.mark.parametrize("name", CASES)
def test_score_equals_the_cli_on_the_same_matrix(name, tmp_path):
    z = CASES[name]
    path = tmp_path / f"{name}.npy"
    np.save(path, z)
    for settings, flags in [
        ({}, []),
        ({"max_samples": 1000, "seed": 3}, ["--max-samples", "1000", "--seed", "3"]),
        ({"eps": 1e-5, "method": "qr"}, ["--eps", "1e-5", "--method", "qr"]),
    ]:
        mine = rankme.score(z, **settings)
        cli = cli_score(path, *flags)
        assert mine["rankme"] == cli["rankme"], (name, settings)  # the same double
        for key in ("method", "error_bound", "rows_used", "rows_total", "cols", "status"):
            assert mine[key] == cli[key], (name, settings, key)
        assert mine["metrics"] == cli["metrics"], (name, settings)  # every metric, every field


@pytest.mark.skipif("RANKME" not in os.environ, reason="needs $RANKME (run through CTest)")
def test_spectrum_equals_the_cli_spectrum(tmp_path):
    z = CASES["rank_deficient"]
    np.save(tmp_path / "z.npy", z)
    cli = cli_score(tmp_path / "z.npy", "--spectrum")
    assert rankme.spectrum(z).tolist() == cli["singular_values"]
