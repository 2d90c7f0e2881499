#!/usr/bin/env bash
# End-to-end: one flipped bit in a *stored* zip member (np.savez, every torch.save .pt) is a
# corrupt file, exit 2 with a CRC message naming the member — never a silently wrong RankMe.
# The untouched files still score to numpy's value; a flip in a deflated member is caught too.
set -euo pipefail
: "${RANKME:?path of the rankme binary}" "${RANKME_TEST_DATA_DIR:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp"
/usr/bin/python3 - "$RANKME_TEST_DATA_DIR/formats" <<'PY'
import numpy as np, shutil, struct, sys, zipfile
rng = np.random.default_rng(0)
a = rng.standard_normal((64, 8)).astype("f4")
np.savez("stored.npz", embeddings=a)
np.savez_compressed("deflated.npz", embeddings=a)
shutil.copy(sys.argv[1] + "/torch_tensor_f32.pt", "clean.pt")
def flip(src, dst, member_suffix, at):
    z = zipfile.ZipFile(src)
    info = next(i for i in z.infolist() if i.filename.endswith(member_suffix))
    raw = bytearray(open(src, "rb").read())
    h = info.header_offset
    n, m = struct.unpack("<HH", raw[h + 26:h + 30])
    raw[h + 30 + n + m + min(at, info.compress_size - 1)] ^= 0x08
    open(dst, "wb").write(raw)
flip("stored.npz", "stored_flip.npz", "embeddings.npy", 128 + 3)
flip("deflated.npz", "deflated_flip.npz", "embeddings.npy", 40)
names = [i.filename for i in zipfile.ZipFile("clean.pt").infolist()]
data = next(n for n in names if "/data/" in n and not n.endswith("/"))
flip("clean.pt", "pt_flip.pt", data, 5)
s = np.linalg.svd(a.astype(np.float64), compute_uv=False)
p = s / s.sum() + 1e-7
open("expected.txt", "w").write(repr(float(np.exp(-(p * np.log(p)).sum()))))
PY
got=$("$RANKME" score --json stored.npz | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[0]['rankme'])")
/usr/bin/python3 -c "import sys; g, e = float(sys.argv[1]), float(open('expected.txt').read()); assert abs(g - e) <= 1e-6 * e, (g, e)" "$got" ||
  fail "clean stored npz scored $got"
"$RANKME" score clean.pt >/dev/null || fail "clean .pt does not score"
for f in stored_flip.npz deflated_flip.npz pt_flip.pt; do
  set +e
  "$RANKME" score "$f" >out.txt 2>err.txt
  code=$?
  set -e
  [ "$code" = 2 ] || fail "$f exited $code: $(cat err.txt) $(cat out.txt)"
  [ "$(wc -l < err.txt)" = 1 ] || fail "$f: not one line: $(cat err.txt)"
  grep -q "^rankme: $f" err.txt || fail "$f: message does not name the file: $(cat err.txt)"
  grep -qiE "crc|cannot inflate" err.txt || fail "$f: message does not say CRC: $(cat err.txt)"
  case $f in deflated*) ;; *) grep -q "CRC-32 mismatch" err.txt || fail "$f: no CRC message: $(cat err.txt)" ;; esac
done
echo "zip crc: ok"
