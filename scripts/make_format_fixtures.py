#!/usr/bin/python3
"""Writes the small embedding-format fixtures of tests/data/formats/ and their manifest.

Run with Debian's /usr/bin/python3 (numpy; python3-torch for the .pt files, which are skipped
with a note when torch is missing). The manifest holds, per file and tensor name, the shape,
dtype and float64 checksums computed here with numpy: the tests compare the C++ readers to it.
Hostile files (refused by the readers) are built byte by byte; nothing in them is ever run.
"""
import io
import json
import os
import pathlib
import struct
import sys
import zipfile
import zlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "formats"
MANIFEST = {}
rng = np.random.default_rng(20240611)


def checksums(array):
    """float64 sums and a few sampled values of a 2-D view of `array` (N × rest)."""
    a = np.asarray(array, dtype=np.float64)
    flat = a.reshape(a.shape[0], -1) if a.ndim >= 2 else a.reshape(1, -1)
    rows, cols = flat.shape
    samples = []
    for k in range(5):
        r, c = (k * 7919) % rows, (k * 104729) % cols
        samples.append([r, c, float(flat[r, c])])
    return {"sum": float(a.sum()), "sum_sq": float((a * a).sum()), "samples": samples}


def record(file, name, array, dtype, shape=None):
    entry = {"shape": list(shape if shape is not None else array.shape), "dtype": dtype}
    entry.update(checksums(array))
    MANIFEST.setdefault(file, {})[name] = entry


# ---- npz --------------------------------------------------------------------------------------
def make_npz():
    emb = rng.standard_normal((64, 16)).astype(np.float32)
    rep = rng.standard_normal((64, 8)).astype(np.float16)
    fortran = np.asfortranarray(rng.standard_normal((12, 5)))
    big = rng.standard_normal((10, 4)).astype(">f4")
    ints = rng.integers(-100, 100, size=(6, 3)).astype(np.int32)
    np.savez(OUT / "npz_stored.npz", embeddings=emb, representations=rep)
    record("npz_stored.npz", "embeddings", emb, "float32")
    record("npz_stored.npz", "representations", rep, "float16")
    np.savez_compressed(OUT / "npz_compressed.npz", embeddings=emb, fortran=fortran, big=big,
                        ints=ints)
    record("npz_compressed.npz", "embeddings", emb, "float32")
    record("npz_compressed.npz", "fortran", fortran, "float64")
    record("npz_compressed.npz", "big", big, "float32")
    record("npz_compressed.npz", "ints", ints, "int32")
    # Highly compressible but honest: 32 MiB of zeros in a ~32 KiB member.
    zeros = np.zeros((1 << 19, 16), dtype=np.float32)
    np.savez_compressed(OUT / "npz_zeros_32mib.npz", zeros=zeros)
    record("npz_zeros_32mib.npz", "zeros", zeros[:1], "float32", shape=zeros.shape)
    MANIFEST["npz_zeros_32mib.npz"]["zeros"].update({"sum": 0.0, "sum_sq": 0.0})


def patch_zip_member(path, member, data=None, declared_size=None, crc=None):
    """Rewrites fields of one member in both its local header and central directory entry."""
    raw = bytearray(path.read_bytes())
    name = member.encode()
    for sig, size_at, crc_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 14, 26, 30),
                                                        (b"PK\x01\x02", 24, 16, 28, 46)):
        pos = 0
        while True:
            pos = raw.find(sig, pos)
            assert pos >= 0, (sig, member)
            n = struct.unpack_from("<H", raw, pos + name_len_at)[0]
            if raw[pos + name_at:pos + name_at + n] == name:
                break
            pos += 4
        if declared_size is not None:
            struct.pack_into("<I", raw, pos + size_at, declared_size)
        if crc is not None:
            struct.pack_into("<I", raw, pos + crc_at, crc)
    path.write_bytes(bytes(raw))


def make_hostile_npz():
    # A member declaring 2 GiB of .npy from a few hundred compressed bytes: a zip bomb's lie.
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.zeros((1024, 16), np.float32))
    path = OUT / "hostile_zip_bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("embeddings.npy", buf.getvalue())
    patch_zip_member(path, "embeddings.npy", declared_size=0x7FFFFFFF)
    # A deflated member whose CRC is wrong: detected when its last byte is read.
    path = OUT / "hostile_bad_crc.npz"
    buf = io.BytesIO()
    np.lib.format.write_array(buf, rng.standard_normal((32, 4)).astype(np.float32))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("embeddings.npy", buf.getvalue())
    patch_zip_member(path, "embeddings.npy", crc=0x12345678)
    (OUT / "hostile_not_a_zip.npz").write_bytes(b"PK\x03\x04 this is not a zip archive" * 4)


# ---- safetensors ------------------------------------------------------------------------------
def bf16_round(a):
    """float32 → bfloat16 bits (round to nearest even) and the float32 values they mean."""
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return rounded, (rounded.astype(np.uint32) << 16).view(np.float32)


def write_safetensors(path, tensors, metadata=None, raw_header=None):
    """tensors: list of (name, code, shape, bytes)."""
    header, blob = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, code, shape, data in tensors:
        header[name] = {"dtype": code, "shape": list(shape),
                        "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = raw_header if raw_header is not None else json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + blob)


def make_safetensors():
    f16 = rng.standard_normal((24, 8)).astype(np.float16)
    bits, bf = bf16_round(rng.standard_normal((24, 8)))
    f32 = rng.standard_normal((24, 6)).astype(np.float32)
    f64 = rng.standard_normal((20, 3, 4))
    i64 = rng.integers(-1000, 1000, size=(4, 4)).astype(np.int64)
    u8 = rng.integers(0, 255, size=(4, 4)).astype(np.uint8)
    write_safetensors(OUT / "safetensors_mixed.safetensors", [
        ("embeddings", "F16", f16.shape, f16.tobytes()),
        ("bf16", "BF16", bits.shape, bits.tobytes()),
        ("f32", "F32", f32.shape, f32.tobytes()),
        ("views", "F64", f64.shape, f64.tobytes()),
        ("i64", "I64", i64.shape, i64.tobytes()),
        ("u8", "U8", u8.shape, u8.tobytes()),
    ], metadata={"format": "pt", "epoch": "4"})
    name = "safetensors_mixed.safetensors"
    record(name, "embeddings", f16, "float16")
    record(name, "bf16", bf, "bfloat16")
    record(name, "f32", f32, "float32")
    record(name, "views", f64, "float64")
    record(name, "i64", i64, "int64")
    record(name, "u8", u8, "uint8")

    data = np.ones((2, 2), np.float32).tobytes()
    with open(OUT / "hostile_header_2p63.safetensors", "wb") as f:
        f.write(struct.pack("<Q", 1 << 63) + b'{"a":1}')
    write_safetensors(OUT / "hostile_shape_overflow.safetensors",
                      [("x", "F32", [1 << 32, 1 << 32, 16], data)])
    write_safetensors(OUT / "hostile_offsets_past_end.safetensors", [], raw_header=json.dumps(
        {"x": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 4096]}}).encode())
    write_safetensors(OUT / "hostile_offsets_reversed.safetensors", [], raw_header=json.dumps(
        {"x": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}).encode())
    write_safetensors(OUT / "hostile_bad_json.safetensors", [], raw_header=b'{"x": {"dtype": ')


# ---- PyTorch ----------------------------------------------------------------------------------
class Pickle:
    """Assembles protocol-2 pickle bytes opcode by opcode (so hostile ones are never run)."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")

    def op(self, raw):
        self.out += raw
        return self

    def text(self, s):
        b = s.encode()
        return self.op(b"X" + struct.pack("<I", len(b)) + b)

    def int(self, v):
        return self.op(b"J" + struct.pack("<i", v))

    def glob(self, module, name):
        return self.op(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def tensor(self, storage, key, numel, offset, size, stride):
        self.glob("torch._utils", "_rebuild_tensor_v2").op(b"(")
        self.op(b"(").text("storage").glob("torch", storage).text(key).text("cpu").int(numel)
        self.op(b"tQ").int(offset).op(b"(")
        for s in size:
            self.int(s)
        self.op(b"t(")
        for s in stride:
            self.int(s)
        self.op(b"t\x89").glob("collections", "OrderedDict").op(b")R")
        return self.op(b"tR")

    def bytes(self):
        return bytes(self.out) + b"."


def write_torch_zip(path, pickle_bytes, storages, byteorder="little"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/byteorder", byteorder)
        for key, data in storages.items():
            z.writestr(f"archive/data/{key}", data)
        z.writestr("archive/version", "3\n")


def make_hostile_torch():
    p = Pickle().glob("os", "system").text("echo pwned > /tmp/rankme_pwned").op(b"\x85R")
    write_torch_zip(OUT / "hostile_os_system.pt", p.bytes(), {})
    p = Pickle().glob("builtins", "eval").text("1+1").op(b"\x85R")
    write_torch_zip(OUT / "hostile_builtins_eval.pt", p.bytes(), {})
    p = Pickle().glob("numpy.core.multiarray", "_reconstruct").op(b")R")
    write_torch_zip(OUT / "hostile_numpy.pt", p.bytes(), {})
    data = np.arange(4, dtype=np.float32).tobytes()
    p = Pickle().op(b"}").text("embeddings").tensor("FloatStorage", "0", 4, 0, [4, 4], [4, 1])
    write_torch_zip(OUT / "hostile_view_past_storage.pt", p.op(b"s").bytes(), {"0": data})
    p = Pickle().op(b"}").text("embeddings").tensor("FloatStorage", "0", 64, 0, [8, 8], [8, 1])
    write_torch_zip(OUT / "hostile_storage_member_short.pt", p.op(b"s").bytes(), {"0": data})
    magic = b"\x80\x02\x8a\x0a" + (0x1950A86A20F9469CFC6C).to_bytes(10, "little") + b"."
    (OUT / "hostile_legacy.pt").write_bytes(magic + b"\x80\x02}q\x00.")
    p = Pickle().op(b"(" * 4 + b"t" * 5)
    write_torch_zip(OUT / "hostile_stack_underflow.pt", p.bytes(), {})
    make_hostile_torch_names()


def make_hostile_torch_names():
    """Keys that flatten to one name: {"a.b": t0, "a": {"b": t1}, "x": {1: t2, "1": t3}, "ok": t4}
    (a.b and x.1 are ambiguous; ok is not)."""
    data = {str(i): np.full(8, i, dtype=np.float32).tobytes() for i in range(5)}

    def tensor(p, key):
        return p.tensor("FloatStorage", key, 8, 0, [4, 2], [2, 1])

    p = Pickle().op(b"}")
    tensor(p.text("a.b"), "0").op(b"s")
    tensor(p.text("a").op(b"}").text("b"), "1").op(b"ss")
    tensor(p.text("x").op(b"}").int(1), "2").op(b"s")
    tensor(p.text("1"), "3").op(b"ss")
    tensor(p.text("ok"), "4").op(b"s")
    write_torch_zip(OUT / "hostile_name_collision.pt", p.bytes(), data)


def swap_to_big_endian(src, dst):
    """What a big-endian machine writes: the same archive with every storage byte-swapped."""
    import torch
    obj = torch.load(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        (itemsize,) = {t.element_size() for t in obj.values()}
        names = zin.namelist()
        prefix = names[0].split("/")[0]
        if f"{prefix}/byteorder" not in names:  # torch 1.13 writes none: little is implied
            zout.writestr(f"{prefix}/byteorder", b"big")
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                data = np.frombuffer(data, dtype=f"<u{itemsize}").byteswap().tobytes()
            zout.writestr(info.filename, data)


def make_torch():
    try:
        import torch
    except ImportError:
        print("python3-torch missing: PyTorch fixtures not written", file=sys.stderr)
        return
    from collections import OrderedDict
    torch.manual_seed(7)

    def save(name, obj, records):
        torch.save(obj, OUT / name)
        for tensor_name, t in records.items():
            dtype = str(t.dtype).replace("torch.", "")
            record(name, tensor_name, t.detach().float().numpy() if dtype == "bfloat16"
                   else t.detach().numpy(), dtype, shape=list(t.shape))

    emb, rep = torch.randn(32, 8).half(), torch.randn(32, 8).half()
    save("torch_dict_f16.pt", {"embeddings": emb, "representations": rep},
         {"embeddings": emb, "representations": rep})
    t = torch.randn(20, 6)
    save("torch_tensor_f32.pt", t, {"": t})
    b = torch.randn(16, 8).bfloat16()
    save("torch_bf16.pth", {"z": b}, {"z": b})
    p = torch.nn.Parameter(torch.randn(12, 5))
    save("torch_parameter.pt", {"weight": p}, {"weight": p})
    base = torch.randn(30, 12)
    transposed, sliced = base.t(), base[5:25, 2:10]
    assert not transposed.is_contiguous() and sliced.storage_offset() == 62
    save("torch_views.pt", {"transposed": transposed, "sliced": sliced},
         {"transposed": transposed, "sliced": sliced})
    batches = [torch.randn(10, 8), torch.randn(10, 8), torch.randn(7, 8)]
    torch.save(batches, OUT / "torch_batches.pt")
    record("torch_batches.pt", "", torch.cat(batches).numpy(), "float32")
    record("torch_batches.pt", "2", batches[2].numpy(), "float32")
    nested = {"outputs": {"embeddings": torch.randn(9, 4), "logits": torch.randn(9, 3)},
              "feats": [torch.randn(5, 4), torch.randn(6, 3)], "step": 5, "name": "run"}
    torch.save(nested, OUT / "torch_nested.pt")
    record("torch_nested.pt", "outputs.embeddings", nested["outputs"]["embeddings"].numpy(),
           "float32")
    record("torch_nested.pt", "outputs.logits", nested["outputs"]["logits"].numpy(), "float32")
    record("torch_nested.pt", "feats.0", nested["feats"][0].numpy(), "float32")
    record("torch_nested.pt", "feats.1", nested["feats"][1].numpy(), "float32")
    od = OrderedDict([("embeddings", torch.randn(11, 4).double()),
                      ("representations", torch.randn(11, 4).double())])
    save("torch_ordered.pt", od, dict(od))
    rank3 = torch.randn(6, 2, 5)
    save("torch_rank3.pt", {"views": rank3}, {"views": rank3})
    little = OUT / "torch_little_for_big.pt"
    big_src = {"embeddings": torch.randn(14, 6), "representations": torch.randn(14, 6)}
    torch.save(big_src, little)
    swap_to_big_endian(little, OUT / "torch_big_endian.pt")
    little.unlink()
    for name, t in big_src.items():
        record("torch_big_endian.pt", name, t.numpy(), "float32")


# ---- fuzz seed corpus -------------------------------------------------------------------------
CORPUS = OUT.parent.parent.parent / "fuzz" / "corpus"


def make_fuzz_corpus():
    """Small valid and near-valid inputs per fuzz target, so fuzzing starts deep in each parser."""
    for target in ("npy", "safetensors", "zip", "pickle"):
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        for old in (CORPUS / target).iterdir():
            old.unlink()

    def put(target, name, data):
        (CORPUS / target / name).write_bytes(data)

    def npy(array):
        buf = io.BytesIO()
        np.lib.format.write_array(buf, array)
        return buf.getvalue()

    small = rng.standard_normal((5, 3))
    for dtype in ("<f2", ">f4", "<f8", "<i8", "|u1", "|b1"):
        put("npy", f"small_{dtype[1:]}.npy", npy(small.astype(dtype)))
    put("npy", "fortran.npy", npy(np.asfortranarray(small)))
    put("npy", "rank3.npy", npy(rng.standard_normal((2, 3, 2)).astype(np.float32)))
    put("npy", "empty.npy", npy(np.zeros((0, 4), np.float32)))
    v2 = npy(small)
    put("npy", "v2.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(v2) - 10) + v2[10:])
    put("npy", "truncated.npy", npy(small)[:100])
    put("npy", "bad_dict.npy", npy(small).replace(b"'shape'", b"'shapE'"))

    for path in sorted(OUT.glob("*.safetensors")):
        put("safetensors", path.name, path.read_bytes())
    one = np.arange(6, dtype=np.float32)
    write_safetensors(CORPUS / "safetensors" / "one.safetensors",
                      [("embeddings", "F32", [2, 3], one.tobytes())], metadata={"k": "v"})
    write_safetensors(CORPUS / "safetensors" / "empty.safetensors", [], metadata={})

    for path in sorted(list(OUT.glob("*.pt")) + list(OUT.glob("*.pth")) + list(OUT.glob("*.npz"))):
        if path.stat().st_size < 16384:
            put("zip", path.name, path.read_bytes())
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as z:
                    for info in z.infolist():
                        if info.filename.endswith("data.pkl"):
                            put("pickle", path.stem + ".pkl", z.read(info))
                        if info.filename.endswith(".npy") and "hostile" not in path.name:
                            put("npy", path.stem + "_" + info.filename, z.read(info))
    for name in ("hostile_legacy.pt",):
        put("pickle", name + ".pkl", (OUT / name).read_bytes())
    put("pickle", "protocol4.pkl", b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00"
        b"\x8c\x01a\x94]\x94(K\x01\x8a\x01\xffG?\xf0\x00\x00\x00\x00\x00\x00e\x86\x94.")
    put("pickle", "cycle.pkl", b"\x80\x02]q\x00h\x00a.")
    put("pickle", "dict_of_lists.pkl", b"\x80\x02}(X\x01\x00\x00\x00a]K\x01aX\x01\x00\x00\x00"
        b"b(K\x02K\x03lN\x88\x89\x87u.")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    make_npz()
    make_hostile_npz()
    make_safetensors()
    make_hostile_torch()
    make_torch()
    make_fuzz_corpus()
    with open(OUT / "manifest.json", "w") as f:
        json.dump(MANIFEST, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
