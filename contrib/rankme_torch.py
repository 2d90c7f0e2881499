"""Score evaluation embeddings in the training process with rankme.score: no dump, no CLI.

Two ways to use it (see docs/python.md):

* plain PyTorch: a forward hook on the module whose output is the embedding (e.g. the
  projector) collects its outputs while you run the evaluation set, then scores them::

      scorer = RankmeHook(model.projector, log=lambda name, value: print(name, value))
      with scorer:                       # collects only inside the block
          for batch in eval_loader:
              model(batch)
      result = scorer.score(step=step)   # rankme.score's dict; logged as "rankme/embeddings"

* PyTorch Lightning: ``RankmeCallback("projector")`` scores the projector's outputs over each
  validation epoch and logs ``rankme/embeddings`` with ``pl_module.log`` (so every logger of
  the trainer gets it). With ``dump=True`` it also writes
  ``<log_dir>/embeddings/epoch=E-step=S.pt``, the dump ``rankme ingest`` reads.

Views for LiDAR: with ``views=q`` (q >= 2) and a ``views_loader`` that yields q augmented views
of each evaluation sample (the run's own augmentation), the dump also holds
``<name>_views``, an n x q x D tensor of the first n samples (see embed_views), from which
rankme computes LiDAR. ``fmt`` picks the file format: "pt" (default), "npz", "safetensors" or
"npy" (a folder of one .npy per tensor: ``embeddings.npy`` beside ``embeddings_views.npy``).

Outputs keep their dtype: float16/bfloat16 activations are gathered as such and scored by
rankme in place, never upcast as a whole. Needs torch and the rankme module; Lightning only for
RankmeCallback. Nothing is imported before it is needed, so this file imports anywhere.
"""

import os

__all__ = ["RankmeHook", "RankmeLightningHook", "RankmeCallback", "write_dump", "embed_views"]

FORMATS = ("pt", "npz", "safetensors", "npy")


def _flat_rows(output):
    """The [B, D] embedding of a module output: the tensor itself (flattened after the batch
    dimension), or the first tensor of a tuple/list, or the value of a dict's "embeddings"."""
    import torch

    if isinstance(output, dict):
        output = output.get("embeddings", next(iter(output.values())))
    if isinstance(output, (tuple, list)):
        output = output[0]
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"cannot score a module output of type {type(output).__name__}")
    return output.detach().flatten(1)


def _views_of(batch):
    """The views of one batch of views_loader: a [B, q, ...] tensor as it is, or a list/tuple
    of q [B, ...] tensors (stacked to [B, q, ...]); any other list/tuple (views, labels, ...)
    gives its first item's views."""
    import torch

    if isinstance(batch, torch.Tensor):
        return batch
    if isinstance(batch, (tuple, list)) and batch:
        if all(isinstance(v, torch.Tensor) for v in batch) and \
                len({tuple(v.shape) for v in batch}) == 1:
            return torch.stack(list(batch), dim=1)
        return _views_of(batch[0])
    raise TypeError(f"cannot read views from a batch of type {type(batch).__name__}")


def embed_views(model, views_loader, views, samples=None, module=None, device=None):
    """Embeds q augmented views of the first `samples` samples: returns [n, q, D] on the CPU,
    in the output's dtype, n = min(samples, samples the loader yields) (None: all of them).

    `views_loader` is any iterable of batches (e.g. a DataLoader over the evaluation set with
    shuffle=False whose dataset returns ``torch.stack([augment(x) for _ in range(q)])``, or the
    run's own multi-view pipeline), each batch either a [B, q, *input] tensor or a list/tuple of
    q [B, *input] tensors, possibly paired with labels as (views, labels). The embedding is the
    output of `module` (a submodule of `model`, caught by a forward hook) or of `model` itself,
    flattened after the batch dimension. `model` runs in eval mode under torch.no_grad() on
    `device` (default: where its parameters are) and gets its mode back afterwards. Raises
    ValueError when a batch holds other than `views` views, or when the loader yields nothing.
    """
    import torch

    if views < 2:
        raise ValueError(f"LiDAR needs at least 2 views per sample, got views={views}")
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    caught = []
    handle = module.register_forward_hook(lambda m, i, out: caught.append(_flat_rows(out))) \
        if module is not None else None
    was_training = model.training
    model.eval()
    parts, count = [], 0
    try:
        with torch.no_grad():
            for batch in views_loader:
                x = _views_of(batch)
                if x.dim() < 2 or x.shape[1] != views:
                    raise ValueError(f"a batch of views has shape {tuple(x.shape)}: expected "
                                     f"[B, {views}, ...] (views={views})")
                b = x.shape[0] if samples is None else min(x.shape[0], samples - count)
                caught.clear()
                out = model(x[:b].flatten(0, 1).to(device))
                rows = caught[-1] if module is not None else _flat_rows(out)
                parts.append(rows.reshape(b, views, -1).cpu())
                count += b
                if samples is not None and count >= samples:
                    break
    finally:
        if handle is not None:
            handle.remove()
        model.train(was_training)
    if not parts:
        raise ValueError("views_loader yielded no batch")
    return torch.cat(parts) if len(parts) > 1 else parts[0]


def _numpy_array(t):
    """A tensor as numpy (bfloat16, which numpy lacks, as float32: exact)."""
    import torch

    t = t.detach().cpu().contiguous()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def _save_safetensors(tensors, f):
    """safetensors.torch when installed; else the format written directly (an 8-byte header
    length, a JSON header of dtype, shape and byte offsets, then each tensor's little-endian
    bytes): safetensors is not packaged by Debian, and the format is this small."""
    try:
        from safetensors.torch import save
    except ImportError:
        save = None
    if save is not None:
        f.write(save(tensors))
        return
    import json
    import torch

    names = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32",
             torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}
    header, blobs, offset = {}, [], 0
    for key, t in tensors.items():
        data = t.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes()
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    f.write(len(text).to_bytes(8, "little") + text)
    for data in blobs:
        f.write(data)


def _write_atomically(path, write):
    with open(path + ".tmp", "wb") as f:
        write(f)
    os.replace(path + ".tmp", path)


def write_dump(tensors, run_dir, epoch=None, step=None, fmt="pt"):
    """Writes {name: tensor} (2-D [N, D] tensors, and [n, q, D] ``<name>_views`` tensors) as
    ``<run_dir>/embeddings/epoch=E-step=S.<fmt>``, the dump ``rankme ingest`` reads; each file
    is written under a temporary name, then renamed. fmt "pt" (torch.save of the dict), "npz",
    "safetensors", or "npy": the folder ``epoch=E-step=S/`` with ``<name>.npy`` per tensor.
    npy and npz hold bfloat16 as float32 (numpy has no bfloat16). Returns the file or folder."""
    import numpy as np
    import torch

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    parts = [f"epoch={epoch}" if epoch is not None else "", f"step={step}" if step is not None
             else ""]
    name = "-".join(p for p in parts if p)
    if not name:
        raise ValueError("give the epoch, the step, or both")
    folder = os.path.join(run_dir, "embeddings")
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    if fmt == "npy":
        folder = os.path.join(folder, name)
        os.makedirs(folder, exist_ok=True)
        for key, t in tensors.items():
            _write_atomically(os.path.join(folder, key + ".npy"),
                              lambda f, t=t: np.save(f, _numpy_array(t)))
        return folder
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.{fmt}")
    if fmt == "pt":
        _write_atomically(path, lambda f: torch.save(tensors, f))
    elif fmt == "npz":
        _write_atomically(path, lambda f: np.savez(f, **{k: _numpy_array(v)
                                                           for k, v in tensors.items()}))
    else:
        _write_atomically(path, lambda f: _save_safetensors(tensors, f))
    return path


class RankmeHook:
    """A forward hook on `module` that gathers its outputs (on the CPU, in their own dtype)
    while active, and scores them with rankme.score.

    `name`: the tensor's name in logs ("rankme/<name>") and dumps. `log(key, value)` is called
    with each score. `score_kwargs` go to rankme.score (eps, max_samples, seed, method;
    metrics defaults to ("rankme",), the one logged).
    Activate with ``with hook:`` or ``hook.start()`` / ``hook.stop()``; ``hook.remove()``
    detaches it from the module.
    """

    def __init__(self, module, name="embeddings", log=None, **score_kwargs):
        self.module = module
        self.name = name
        self.log = log
        self.score_kwargs = score_kwargs
        self.active = False
        self.parts = []
        self.handle = module.register_forward_hook(self._collect)

    def _collect(self, module, inputs, output):
        if self.active:
            self.parts.append(_flat_rows(output).cpu())

    def start(self):
        self.parts = []
        self.active = True

    def stop(self):
        self.active = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def remove(self):
        self.handle.remove()

    def embeddings(self):
        """The gathered rows as one [N, D] tensor (one concatenation, in their dtype)."""
        import torch

        if not self.parts:
            raise RuntimeError("no outputs were collected (run the evaluation inside `with hook:`)")
        return torch.cat(self.parts) if len(self.parts) > 1 else self.parts[0]

    def score(self, step=None, dump_dir=None, epoch=None, fmt="pt", views=0, views_loader=None,
              model=None, views_samples=None):
        """Scores the gathered rows; logs ``rankme/<name>`` and, with `dump_dir`, writes the
        dump in `fmt`. With views >= 2 the dump also holds ``<name>_views``:
        embed_views(model, views_loader, views, views_samples, module=the hooked module), where
        `model` is what the evaluation ran (the hooked module's outputs are caught inside it)
        and views_samples=None means as many samples as rows were gathered. Returns
        rankme.score's dict (with ``dump`` = the file written, if any)."""
        import rankme

        z = self.embeddings()
        result = rankme.score(z, **{"metrics": ("rankme",), **self.score_kwargs})
        if self.log is not None and result["rankme"] is not None:
            self.log(f"rankme/{self.name}", result["rankme"])
        if dump_dir is not None:
            tensors = {self.name: z}
            if views:
                if model is None or views_loader is None:
                    raise ValueError("views need the model and a views_loader")
                samples = views_samples if views_samples is not None else z.shape[0]
                tensors[self.name + "_views"] = embed_views(model, views_loader, views, samples,
                                                            module=self.module)
            result["dump"] = write_dump(tensors, dump_dir, epoch=epoch, step=step, fmt=fmt)
        self.parts = []
        return result


class RankmeLightningHook:
    """What RankmeCallback does, without depending on Lightning: scores the outputs of
    `pl_module.get_submodule(module)` ("" = the module itself) over each validation epoch.

    `on_validation_epoch_start(trainer, pl_module)` attaches the hook;
    `on_validation_epoch_end(trainer, pl_module)` gathers the rows of every process (DDP:
    `pl_module.all_gather`), scores them, logs ``rankme/<name>`` with `pl_module.log`, and with
    `dump=True` writes ``<trainer.log_dir>/embeddings/epoch=E-step=S.<fmt>`` on rank 0.

    With `views` >= 2 (and dump=True) rank 0 also runs `pl_module` over `views_loader` (q
    augmented views per sample, see embed_views; a DataLoader with shuffle=False, so that every
    epoch sees the same samples) and adds ``<name>_views``, n x q x D, n = `views_samples`
    (None: as many samples as the plain tensor has rows, or all the loader yields if fewer).
    """

    def __init__(self, module="", name="embeddings", dump=False, fmt="pt", views=0,
                 views_loader=None, views_samples=None, **score_kwargs):
        if views and views_loader is None:
            raise ValueError("views need a views_loader")
        if views and not dump:
            raise ValueError("views are written into the dump: pass dump=True")
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
        self.module = module
        self.name = name
        self.dump = dump
        self.fmt = fmt
        self.views = views
        self.views_loader = views_loader
        self.views_samples = views_samples
        self.score_kwargs = score_kwargs
        self.hook = None
        self.last = None  # rankme.score's dict of the last validation epoch

    def on_validation_epoch_start(self, trainer, pl_module):
        if getattr(trainer, "sanity_checking", False):
            return
        target = pl_module.get_submodule(self.module) if self.module else pl_module
        self.hook = RankmeHook(target, name=self.name, **self.score_kwargs)
        self.hook.start()

    def on_validation_epoch_end(self, trainer, pl_module):
        if self.hook is None:
            return
        hook, self.hook = self.hook, None
        hook.stop()
        hook.remove()
        z = hook.embeddings()
        if getattr(trainer, "world_size", 1) > 1:
            z = pl_module.all_gather(z.to(pl_module.device)).flatten(0, 1).cpu()
        import rankme

        result = rankme.score(z, **{"metrics": ("rankme",), **self.score_kwargs})
        if result["rankme"] is not None:
            pl_module.log(f"rankme/{self.name}", result["rankme"], rank_zero_only=True)
        if self.dump and getattr(trainer, "global_rank", 0) == 0:
            tensors = {self.name: z}
            if self.views:
                target = pl_module.get_submodule(self.module) if self.module else None
                samples = self.views_samples if self.views_samples is not None else z.shape[0]
                tensors[self.name + "_views"] = embed_views(
                    pl_module, self.views_loader, self.views, samples, module=target)
            result["dump"] = write_dump(tensors, trainer.log_dir or ".",
                                        epoch=trainer.current_epoch, step=trainer.global_step,
                                        fmt=self.fmt)
        self.last = result


def _lightning():
    try:  # Lightning 2.x, then the older package name
        import lightning.pytorch as pl
    except ImportError:
        import pytorch_lightning as pl
    return pl


_callback_class = None


def __getattr__(name):
    # RankmeCallback is built on first use, so importing this file never imports Lightning.
    global _callback_class
    if name != "RankmeCallback":
        raise AttributeError(name)
    if _callback_class is None:
        pl = _lightning()

        # RankmeLightningHook first: its hooks must come before pl.Callback's no-op ones.
        class RankmeCallback(RankmeLightningHook, pl.Callback):
            """A Lightning callback: see RankmeLightningHook."""

            def __init__(self, module="", **kwargs):
                pl.Callback.__init__(self)
                RankmeLightningHook.__init__(self, module, **kwargs)

        _callback_class = RankmeCallback
    return _callback_class
