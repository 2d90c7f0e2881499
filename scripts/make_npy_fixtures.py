#!/usr/bin/python3
"""Writes the small .npy fixtures of tests/data/npy/ and their manifest.

Run with /usr/bin/python3 (it needs numpy). Deterministic: fixed seeds, so re-running gives the
same files. The manifest holds, per file, what numpy computes independently of the reader under
test: shape, dtype, and checksums of the values as float64 and as float32 (after numpy's own
astype), on the matrix view reshape(N, -1) in C order:
  sum, sum_sq         sum of values and of their squares
  weighted            sum of v[i, j] * (1 + (7 i + 13 j) % 101): catches misplaced elements
  row_sums, col_sums  per-row and per-column sums
  samples             [i, j, value64, value32] at a few positions
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "npy")


def checksums(matrix):
    out = {}
    rows, cols = matrix.shape
    i = np.arange(rows)[:, None]
    j = np.arange(cols)[None, :]
    weight = (1 + (7 * i + 13 * j) % 101).astype(np.float64)
    for label, values in (("f64", matrix.astype(np.float64)),
                          ("f32", matrix.astype(np.float32).astype(np.float64))):
        out[label] = {
            "sum": float(values.sum()),
            "sum_sq": float((values * values).sum()),
            "sum_abs": float(np.abs(values).sum()),
            "weighted": float((values * weight).sum()),
            "row_sums": [float(x) for x in values.sum(axis=1)],
            "col_sums": [float(x) for x in values.sum(axis=0)],
        }
    rng = np.random.default_rng(1234)
    samples = []
    if rows and cols:
        positions = {(0, 0), (rows - 1, cols - 1), (rows // 2, cols // 3)}
        for _ in range(5):
            positions.add((int(rng.integers(rows)), int(rng.integers(cols))))
        for (r, c) in sorted(positions):
            samples.append([r, c, float(np.float64(matrix[r, c])),
                            float(np.float32(matrix[r, c]))])
    out["samples"] = samples
    return out


def values_for(dtype, shape, rng):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        values = rng.standard_normal(shape) * 3.0
        if dtype.itemsize == 2:
            values = values * 100.0  # spread over float16's exponents
        return values.astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, size=shape, dtype=dtype.newbyteorder("="),
                          endpoint=True).astype(dtype)
    flat = values.reshape(-1)
    flat[0] = info.min  # the extremes exercise rounding to float32 / float64
    flat[-1] = info.max
    return values


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".npy") or name == "manifest.json":
            os.remove(os.path.join(OUT, name))
    rng = np.random.default_rng(20240601)
    cases = []  # (file name, array, version)
    for kind in ("f2", "f4", "f8"):
        for order in ("<", ">"):
            tag = "le" if order == "<" else "be"
            dtype = np.dtype(order + kind)
            cases.append((f"float{8 * dtype.itemsize}_{tag}.npy",
                          values_for(dtype, (37, 11), rng), None))
    for dtype in ("i1", "<i2", "<i4", "<i8", "u1", "<u2", "<u4", "<u8", "?", ">i4", ">u8"):
        dt = np.dtype(dtype)
        tag = "_be" if dt.byteorder == ">" else ""
        cases.append((f"{dt.name}{tag}.npy", values_for(dt, (23, 9), rng), None))
    cases.append(("float32_fortran.npy", np.asfortranarray(values_for("<f4", (41, 13), rng)), None))
    cases.append(("float64_be_fortran.npy",
                  np.asfortranarray(values_for(">f8", (19, 7), rng)), None))
    cases.append(("float16_fortran.npy", np.asfortranarray(values_for("<f2", (33, 5), rng)), None))
    cases.append(("float32_v2.npy", values_for("<f4", (17, 6), rng), (2, 0)))
    cases.append(("float32_v3.npy", values_for("<f4", (15, 4), rng), (3, 0)))
    cases.append(("float32_rank3.npy", values_for("<f4", (12, 3, 5), rng), None))
    cases.append(("float32_rank3_fortran.npy",
                  np.asfortranarray(values_for("<f4", (10, 4, 3), rng)), None))
    cases.append(("float32_rank1.npy", values_for("<f4", (512,), rng), None))
    cases.append(("float32_empty.npy", np.zeros((0, 8), np.float32), None))
    cases.append(("float32_one_row.npy", values_for("<f4", (1, 21), rng), None))
    cases.append(("float32_one_col_fortran.npy",
                  np.asfortranarray(values_for("<f4", (29, 1), rng)), None))

    manifest = {}
    for name, array, version in cases:
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            if version is None:
                np.save(f, array)
            else:
                np.lib.format.write_array(f, array, version=version)
        loaded = np.load(path)
        assert loaded.dtype == array.dtype and loaded.shape == array.shape
        entry = {
            "shape": list(array.shape),
            "dtype": loaded.dtype.name,
            "descr": np.lib.format.dtype_to_descr(loaded.dtype),
            "fortran_order": bool(array.flags.f_contiguous and not array.flags.c_contiguous),
            "version": list(version) if version else [1, 0],
        }
        if loaded.ndim >= 2:
            matrix = loaded.reshape(loaded.shape[0], int(np.prod(loaded.shape[1:])))
            entry["rows"], entry["cols"] = matrix.shape
            entry.update(checksums(matrix))
        manifest[name] = entry
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(cases)} fixtures, {total} bytes, to {os.path.normpath(OUT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
