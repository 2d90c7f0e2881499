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

Outputs keep their dtype: float16/bfloat16 activations are gathered as such and scored by
rankme in place, never upcast as a whole. Needs torch and the rankme module; Lightning only for
RankmeCallback. Nothing is imported before it is needed, so this file imports anywhere.
"""

import os

__all__ = ["RankmeHook", "RankmeLightningHook", "RankmeCallback", "write_dump"]


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


def write_dump(tensors, run_dir, epoch=None, step=None):
    """Writes {name: [N, D] tensor} as ``<run_dir>/embeddings/epoch=E-step=S.pt`` (written
    under a temporary name, then renamed): the dump ``rankme ingest`` reads. Returns the path."""
    import torch

    parts = [f"epoch={epoch}" if epoch is not None else "", f"step={step}" if step is not None
             else ""]
    name = "-".join(p for p in parts if p)
    if not name:
        raise ValueError("give the epoch, the step, or both")
    folder = os.path.join(run_dir, "embeddings")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".pt")
    with open(path + ".tmp", "wb") as f:
        torch.save({k: v.contiguous() for k, v in tensors.items()}, f)
    os.replace(path + ".tmp", path)
    return path


class RankmeHook:
    """A forward hook on `module` that gathers its outputs (on the CPU, in their own dtype)
    while active, and scores them with rankme.score.

    `name`: the tensor's name in logs ("rankme/<name>") and dumps. `log(key, value)` is called
    with each score. `score_kwargs` go to rankme.score (eps, max_samples, seed, method).
    Activate with ``with hook:`` or ``hook.start()`` / ``hook.stop()``; ``hook.remove()``
    detaches it from the module.
    """

    def __init__(self, module, name="embeddings", log=None, **score_kwargs):
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

    def score(self, step=None, dump_dir=None, epoch=None):
        """Scores the gathered rows; logs ``rankme/<name>`` and, with `dump_dir`, writes the
        dump. Returns rankme.score's dict (with ``dump`` = the file written, if any)."""
        import rankme

        z = self.embeddings()
        result = rankme.score(z, **self.score_kwargs)
        if self.log is not None and result["rankme"] is not None:
            self.log(f"rankme/{self.name}", result["rankme"])
        if dump_dir is not None:
            result["dump"] = write_dump({self.name: z}, dump_dir, epoch=epoch, step=step)
        self.parts = []
        return result


class RankmeLightningHook:
    """What RankmeCallback does, without depending on Lightning: scores the outputs of
    `pl_module.get_submodule(module)` ("" = the module itself) over each validation epoch.

    `on_validation_epoch_start(trainer, pl_module)` attaches the hook;
    `on_validation_epoch_end(trainer, pl_module)` gathers the rows of every process (DDP:
    `pl_module.all_gather`), scores them, logs ``rankme/<name>`` with `pl_module.log`, and with
    `dump=True` writes ``<trainer.log_dir>/embeddings/epoch=E-step=S.pt`` on rank 0.
    """

    def __init__(self, module="", name="embeddings", dump=False, **score_kwargs):
        self.module = module
        self.name = name
        self.dump = dump
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

        result = rankme.score(z, **self.score_kwargs)
        if result["rankme"] is not None:
            pl_module.log(f"rankme/{self.name}", result["rankme"], rank_zero_only=True)
        if self.dump and getattr(trainer, "global_rank", 0) == 0:
            result["dump"] = write_dump({self.name: z}, trainer.log_dir or ".",
                                        epoch=trainer.current_epoch, step=trainer.global_step)
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

        class RankmeCallback(pl.Callback, RankmeLightningHook):
            """A Lightning callback: see RankmeLightningHook."""

            def __init__(self, module="", **kwargs):
                pl.Callback.__init__(self)
                RankmeLightningHook.__init__(self, module, **kwargs)

        _callback_class = RankmeCallback
    return _callback_class
