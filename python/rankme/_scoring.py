"""rankme.score, rankme.spectrum and rankme.lidar: the engine's metrics of an in-memory array or
tensor."""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from . import _rankme


def _fail(cls: type, message: str, path: str = "<array>") -> BaseException:
    error = cls(f"{path}: {message}" if path else message)
    error.path = path
    error.message = message
    error.exit_code = 1 if cls is _rankme.UsageError else 2
    return error


def _from_torch(x: Any) -> tuple[np.ndarray, str]:
    """A CPU tensor as a numpy view of its memory (no copy), and the dtype to read it as."""
    import torch  # only reached for torch tensors

    if x.device.type != "cpu":
        raise _fail(
            _rankme.UsageError,
            f"tensor on {x.device}: rankme scores CPU tensors (move it with x.cpu())",
        )
    x = x.detach()
    if x.is_conj() or x.is_neg():
        x = x.resolve_conj().resolve_neg()
    if x.dtype == torch.bfloat16:
        # numpy has no bfloat16: the same bytes as int16, read by the engine as bfloat16.
        return x.view(torch.int16).numpy(), "bfloat16"
    if x.is_complex():
        raise _fail(_rankme.FormatError, f"unsupported dtype '{x.dtype}' (complex)")
    return x.numpy(), ""


def _as_array(x: Any) -> tuple[np.ndarray, str]:
    """The array to hand to the engine, in place whenever it can address it."""
    if type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach"):
        array, dtype = _from_torch(x)
    elif isinstance(x, np.ndarray):
        array, dtype = x, ""
    else:
        # Buffer protocol, __array_interface__, __array__: np.asarray copies only when it must.
        array, dtype = np.asarray(x), ""
    if array.dtype.kind == "O":
        raise _fail(_rankme.FormatError, "unsupported dtype 'object'")
    # The engine reads any layout whose strides are whole elements and never overlap. The rare
    # others (broadcast views with a zero stride, strides that split elements, as made by
    # structured dtypes or np.lib.stride_tricks) are copied once into C order.
    item = array.itemsize
    if any(n > 1 and (s == 0 or s % item) for n, s in zip(array.shape, array.strides)):
        array = np.ascontiguousarray(array)
    return array, dtype


def _metric_names(metrics: Optional[Sequence[str]]) -> list[str]:
    """The names for the engine: [] = every metric of a matrix."""
    if metrics is None:
        return []
    if isinstance(metrics, str):
        metrics = (metrics,)
    names = [str(name) for name in metrics]
    if not names:
        raise _fail(_rankme.UsageError, "metrics is empty (None computes every one)", "")
    return names


def score(
    x: Any,
    *,
    metrics: Optional[Sequence[str]] = None,
    eps: float = 1e-7,
    max_samples: int = 25600,
    seed: int = 0,
    method: str = "auto",
    flatten: bool = False,
    threads: int = 0,
    spectrum: bool = False,
) -> dict[str, Any]:
    """RankMe and its sister metrics of an N x D matrix (rows are samples), computed by the
    rankme engine from one read of it.

    ``x``: a numpy array or a CPU torch tensor of float16, bfloat16 (torch), float32, float64
    (integers and bool too), C or Fortran order or any strided view, read in place: rows pass
    through the engine's bounded window (8 MB, the same reader as .npy files), so no copy of
    the matrix is made, whatever its layout -- except for broadcast (zero-stride) views and
    strides that are not whole elements, which are copied once. float16/bfloat16 are converted
    window by window, never as a whole. Anything else numpy can view (buffer protocol,
    ``__array_interface__``) goes through ``np.asarray``.

    Settings are those of ``rankme score``: ``eps`` is added after the L1 normalisation;
    matrices with more than ``max_samples`` rows (0 = all) are subsampled with the documented
    SplitMix64 algorithm seeded by ``seed``; ``method`` is ``"auto"`` (the certified Gram fast
    path, else exact), ``"gram32"``, ``"gram64"`` or ``"qr"`` (exact). ``flatten`` scores
    arrays of rank > 2 as N x (product of the other dims), refused otherwise. ``threads``:
    BLAS threads, 0 = all cores (as the command).

    ``metrics``: the names to compute, of "rankme", "rankme_centered", "stable_rank", "nesum",
    "participation_ratio", "alpha_req" (:func:`metric_catalog` defines them); None (default):
    every one, as ``rankme score``. Without a centred metric (rankme_centered, nesum,
    participation_ratio, alpha_req) the centred spectrum is not computed, which is faster.
    "lidar" reads a views tensor: see :func:`lidar`.

    Returns a dict with the fields of ``rankme score --json``: ``rankme`` (None when
    degenerate; computed whatever ``metrics`` says), ``status`` ("ok" or "degenerate"),
    ``rows_used``, ``rows_total``, ``cols``, ``dtype``, ``shape``, ``method`` (the path that
    produced RankMe: "gram32", "gram64" or "qr"), ``error_bound`` (estimated relative error
    against a float64 SVD), ``seconds``, ``warnings``, ``settings`` (algorithm_version, eps,
    max_samples, seed, method asked), and ``metrics``: {name: {"value", "status", "method",
    "error_bound", "settings"}} per metric asked for, in catalog order, with "r_squared" for
    alpha_req when its fit has one. A value is None when undefined: status "degenerate" (the
    matrix, or for the centred metrics every row, is the same) or "no_value" (alpha_req with
    fewer than 5 ranks to fit); "error_bound" is relative (absolute for alpha_req); "settings"
    are those the database stores the score with. With ``spectrum=True`` also
    ``singular_values`` (float64 array, descending) and, when computed,
    ``centered_singular_values``.

    The GIL is released while computing; Ctrl-C is checked between blocks of rows (about every
    16 MB read) and raises KeyboardInterrupt. Errors raise rankme.Error subclasses with the
    command's messages: FormatError (dtype), DataError (NaN/Inf with row and column, fewer than
    two rows, rank > 2 without flatten), UsageError (bad setting).
    """
    names = _metric_names(metrics)
    array, dtype = _as_array(x)
    result = _rankme._score(
        array,
        metrics=names,
        dtype=dtype,
        flatten=flatten,
        eps=float(eps),
        max_samples=int(max_samples),
        seed=int(seed),
        method=method,
        threads=int(threads),
        spectrum=spectrum,
    )
    del array  # kept alive until here: the engine read it in place
    return result


def spectrum(
    x: Any,
    *,
    max_samples: int = 25600,
    seed: int = 0,
    method: str = "auto",
    flatten: bool = False,
    threads: int = 0,
) -> np.ndarray:
    """The singular values RankMe uses: min(rows used, D) float64 values, descending.

    The same computation as :func:`score` with ``metrics=["rankme"]`` (the same rows,
    subsampled alike; no centred spectrum); from the Gram's eigenvalues when its certificate
    holds, else from the exact path.
    """
    return score(
        x,
        metrics=("rankme",),
        max_samples=max_samples,
        seed=seed,
        method=method,
        flatten=flatten,
        threads=threads,
        spectrum=True,
    )["singular_values"]


def lidar(
    views: Any,
    *,
    max_samples: int = 25600,
    seed: int = 0,
    threads: int = 0,
    eigenvalues: bool = False,
) -> dict[str, Any]:
    """LiDAR of a views tensor: n samples x q views x D (q >= 2), computed by the rankme engine.

    ``views[i, j]`` is view j of sample i (the layout of a ``<name>_views`` tensor; dimensions
    after the second are flattened into D). Arrays and tensors are accepted and read as
    :func:`score` reads them (float16, bfloat16, float32, float64, integers; in place, any
    strides); every sum is accumulated in float64. The definition is DESIGN.md's (Thilak et al.,
    ICLR 2024, as stable-pretraining computes it): sample means mu_i, between-sample covariance
    Sigma_b / (n - 1), within-sample covariance Sigma_w / (n (q - 1)) + 1e-4 I, eigenvalues of
    Sigma_w^(-1/2) Sigma_b Sigma_w^(-1/2) floored at 0, p = (lambda + 1e-8) / sum,
    LiDAR = exp(-sum p log p), in [1, D].

    Settings are those of ``rankme score`` and ingest: tensors with more than ``max_samples``
    samples (0 = all) keep the samples chosen by the row subsample seeded by ``seed``, with all
    their views; ``threads``: BLAS threads, 0 = all cores.

    Returns the fields of ``rankme score FILE_views.npy --json``: ``value`` (LiDAR), ``status``
    ("ok"), ``samples`` (n scored), ``samples_total``, ``views`` (q), ``cols`` (D), ``dtype``,
    ``shape``, ``method`` ("cholesky_dxd" when n > D, else "cholesky_nxn"), ``seconds``,
    ``warnings`` (e.g. n <= D), ``settings`` (as stored with the score: algorithm_version,
    max_samples, seed, delta, eps) and ``metrics`` ({"lidar": {"value", "status", "method",
    "settings"}}, as in :func:`score`); with ``eigenvalues=True`` also ``eigenvalues``, the D
    eigenvalues lambda (float64, descending, floored at 0).

    The GIL is released while computing; Ctrl-C raises KeyboardInterrupt. DataError for fewer
    than 3 dimensions, q < 2, fewer than 2 samples or a NaN/Inf (naming its sample and view).
    """
    array, dtype = _as_array(views)
    result = _rankme._lidar(
        array,
        dtype=dtype,
        max_samples=int(max_samples),
        seed=int(seed),
        threads=int(threads),
        eigenvalues=bool(eigenvalues),
    )
    del array  # kept alive until here: the engine read it in place
    return result


def metric_catalog() -> list[dict[str, Any]]:
    """Every metric rankme computes, RankMe first, as the engine's catalog lists them: name,
    better ("higher", or "closer_to_target" with its ``target``), source ("uncentered",
    "centered" or "views": the spectrum or tensor it reads), definition and reference."""
    return _rankme._metric_catalog()
