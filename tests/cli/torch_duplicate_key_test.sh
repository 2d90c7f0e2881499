#!/usr/bin/env bash
# A .pt whose pickled dict gives a key twice: torch.load keeps the last value, and so does rankme
# (it used to score the first tensor under that name: a wrong number, silently).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  echo "torch or numpy missing: skipped"; exit 77
fi
/usr/bin/python3 - "$tmp" <<'PY'
import io, sys, zipfile
import numpy as np
import torch
tmp = sys.argv[1]
g = torch.Generator().manual_seed(5)
first = torch.randn(40, 6, generator=g)
second = torch.randn(40, 6, generator=g) * torch.arange(1, 7)  # another spectrum
torch.save({"a": first, "b": second}, f"{tmp}/plain.pt")
key_b = b"X\x01\x00\x00\x00b"
with zipfile.ZipFile(f"{tmp}/plain.pt") as src, \
        zipfile.ZipFile(f"{tmp}/dup.pt", "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith("data.pkl"):
            assert data.count(key_b) == 1
            data = data.replace(key_b, b"X\x01\x00\x00\x00a")
        dst.writestr(info.filename, data)
loaded = torch.load(f"{tmp}/dup.pt")
assert list(loaded) == ["a"] and torch.equal(loaded["a"], second)
s = np.linalg.svd(second.double().numpy(), compute_uv=False)
p = s / s.sum() + 1e-7
open(f"{tmp}/want", "w").write(repr(float(np.exp(-(p * np.log(p)).sum()))))
PY
"$RANKME" score "$tmp/dup.pt#a" --metric rankme --json >"$tmp/out.json"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
got = json.load(open(f"{tmp}/out.json"))[0]["rankme"]
want = float(open(f"{tmp}/want").read())
assert abs(got - want) <= 1e-6 * want, (got, want)
PY
echo "torch_duplicate_key_test: ok"
