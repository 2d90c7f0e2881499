"""rankme.score and rankme.spectrum: the engine's RankMe of an in-memory array or tensor."""

from __future__ import annotations

from typing import Any, Sequence

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


def score(
    x: Any,
    *,
    metrics: Sequence[str] = ("rankme",),
    eps: float = 1e-7,
    max_samples: int = 25600,
    seed: int = 0,
    method: str = "auto",
    flatten: bool = False,
    threads: int = 0,
    spectrum: bool = False,
) -> dict[str, Any]:
    """RankMe of an N x D matrix (rows are samples), computed by the rankme engine.

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
    path, else exact), ``"gram32"``, ``"gram64"`` or ``"qr"`` (exact). ``flatten`` scores arrays of rank > 2 as
    N x (product of the other dims), refused otherwise. ``threads``: BLAS threads, 0 = all
    cores (as the command). ``metrics``: the metrics to compute; "rankme" today.

    Returns a dict with the fields of ``rankme score --json``: ``rankme`` (None when
    degenerate), ``status`` ("ok" or "degenerate"), ``rows_used``, ``rows_total``, ``cols``,
    ``dtype``, ``shape``, ``method`` (the path that produced the value: "gram32", "gram64" or "qr"),
    ``error_bound`` (estimated relative error against a float64 SVD), ``seconds``,
    ``warnings``, and ``settings`` (algorithm_version, eps, max_samples, seed, method asked);
    with ``spectrum=True`` also ``singular_values`` (float64 array, descending).

    The GIL is released while computing; Ctrl-C is checked between blocks of rows (about every
    16 MB read) and raises KeyboardInterrupt. Errors raise rankme.Error subclasses with the
    command's messages: FormatError (dtype), DataError (NaN/Inf with row and column, fewer than
    two rows, rank > 2 without flatten), UsageError (bad setting).
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    array, dtype = _as_array(x)
    result = _rankme._score(
        array,
        metrics=list(metrics),
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

    The same computation as :func:`score` (and the same rows, subsampled alike); from the
    Gram's eigenvalues when its certificate holds, else from the exact path.
    """
    return score(
        x,
        max_samples=max_samples,
        seed=seed,
        method=method,
        flatten=flatten,
        threads=threads,
        spectrum=True,
    )["singular_values"]
