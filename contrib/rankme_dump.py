"""Dump a fixed evaluation subset's embeddings at each checkpoint, in a layout rankme reads.

Two ways to use it (see docs/producing_dumps.md):

* plain PyTorch: pick the subset once with ``fixed_subset``, then call ``dump_embeddings`` at
  each checkpoint::

      ids = fixed_subset(len(eval_set), 2048, seed=0)
      ...
      dump_embeddings(model_outputs, eval_set, ids, run_dir, epoch=epoch, step=step)

* PyTorch Lightning (when ``lightning`` or ``pytorch_lightning`` is installed)::

      trainer = Trainer(callbacks=[RankmeDumpCallback(eval_set, outputs=model_outputs)])

Each dump is ``<run_dir>/embeddings/epoch=<E>-step=<S>.pt``: a ``torch.save``d dict of 2-D
float tensors (one per output, e.g. ``embeddings`` = projector output, ``representations`` =
backbone output, rows in the order of the subset) plus ``sample_ids`` (1-D int64, the dataset
indices of the rows; rankme scores 2-D tensors only, so it ignores them). Under distributed
training every rank writes its own part as ``rank<R>_epoch=<E>-step=<S>.pt``; rankme
concatenates the parts in rank order (RankMe does not depend on the order of the rows).

Only torch is needed (numpy for ``fmt="npz"``); the file imports without Lightning.
"""

import json
import os

import torch

__all__ = ["fixed_subset", "compute_outputs", "dump_embeddings", "write_config",
           "RankmeDumpHook", "RankmeDumpCallback"]


def fixed_subset(dataset_size, count, seed=0):
    """The dataset indices of the evaluation subset: `count` distinct indices drawn with a
    fixed seed, sorted. The same arguments give the same subset in every run of a sweep, which
    is what makes scores comparable between runs and checkpoints."""
    if count >= dataset_size:
        return torch.arange(dataset_size, dtype=torch.int64)
    generator = torch.Generator().manual_seed(seed)
    return torch.randperm(dataset_size, generator=generator)[:count].sort().values


@torch.no_grad()
def compute_outputs(outputs, dataset, ids, batch_size=256, device=None):
    """Runs `outputs(batch) -> {name: tensor [B, D]}` over `dataset[ids]` in eval mode.

    `dataset[i]` may return the input alone or a tuple whose first item is the input. Returns
    {name: float32 tensor [len(ids), D]} on the CPU, rows in the order of `ids`.
    """
    collected = {}
    for start in range(0, len(ids), batch_size):
        items = [dataset[int(i)] for i in ids[start:start + batch_size]]
        inputs = [item[0] if isinstance(item, (tuple, list)) else item for item in items]
        batch = torch.stack(inputs)
        if device is not None:
            batch = batch.to(device)
        for name, value in outputs(batch).items():
            value = value.detach().flatten(1).float().cpu()
            collected.setdefault(name, []).append(value)
    return {name: torch.cat(parts) for name, parts in collected.items()}


def checkpoint_file_name(epoch=None, step=None, rank=None, world_size=1, fmt="pt"):
    """`epoch=E-step=S.pt` (Lightning's checkpoint naming, which rankme parses), with a
    `rank<R>_` prefix when several ranks each write a part."""
    parts = []
    if epoch is not None:
        parts.append("epoch=%d" % epoch)
    if step is not None:
        parts.append("step=%d" % step)
    if not parts:
        raise ValueError("give the epoch, the step, or both")
    prefix = "rank%d_" % rank if world_size > 1 else ""
    return prefix + "-".join(parts) + "." + fmt


def dump_embeddings(outputs, dataset, ids, run_dir, epoch=None, step=None, rank=0,
                    world_size=1, fmt="pt", batch_size=256, device=None, model=None):
    """Computes and writes one checkpoint's dump; returns the file written.

    `outputs(batch)` returns {name: [B, D] tensor}, e.g. {"embeddings": projector output,
    "representations": backbone output}. `ids` is the whole subset (fixed_subset); with
    world_size > 1 this rank takes every world_size-th id starting at `rank` and writes its own
    part. When `model` is given it is put in eval mode for the dump and restored afterwards.
    The file is written under a temporary name and renamed, so rankme never sees half a file.
    """
    ids = torch.as_tensor(ids, dtype=torch.int64)
    mine = ids[rank::world_size] if world_size > 1 else ids
    was_training = model.training if model is not None else False
    if model is not None:
        model.eval()
    try:
        tensors = compute_outputs(outputs, dataset, mine, batch_size=batch_size, device=device)
    finally:
        if model is not None and was_training:
            model.train()
    folder = os.path.join(run_dir, "embeddings")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, checkpoint_file_name(epoch, step, rank, world_size, fmt))
    temporary = path + ".tmp"
    if fmt == "pt":
        with open(temporary, "wb") as f:
            torch.save({**tensors, "sample_ids": mine.clone()}, f)
    elif fmt == "npz":
        import numpy as np
        with open(temporary, "wb") as f:
            np.savez(f, sample_ids=mine.numpy(), **{k: v.numpy() for k, v in tensors.items()})
    else:
        raise ValueError("fmt must be 'pt' or 'npz'")
    os.replace(temporary, path)
    return path


def write_config(run_dir, hparams):
    """Writes `<run_dir>/config.json` (rankme's plain layout) unless a config exists. Put the
    seed under the key `seed` so rankme groups the seeds of one configuration."""
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, "config.json")
    if not os.path.exists(path):
        with open(path, "w") as f:
            json.dump(hparams, f, indent=1, sort_keys=True, default=str)
    return path


class RankmeDumpHook:
    """What the Lightning callback does, without depending on Lightning: `dump(trainer,
    pl_module)` reads trainer.log_dir, current_epoch, global_step, global_rank and world_size.

    `outputs(pl_module, batch) -> {name: tensor}`; by default `pl_module(batch)` must return
    such a dict. `every_n_epochs` spaces the dumps.
    """

    def __init__(self, dataset, count=2048, seed=0, outputs=None, every_n_epochs=1,
                 batch_size=256, fmt="pt"):
        self.dataset = dataset
        self.ids = fixed_subset(len(dataset), count, seed)
        self.outputs = outputs or (lambda module, batch: module(batch))
        self.every_n_epochs = every_n_epochs
        self.batch_size = batch_size
        self.fmt = fmt

    def dump(self, trainer, pl_module):
        epoch = trainer.current_epoch
        if (epoch + 1) % self.every_n_epochs != 0:
            return None
        log_dir = trainer.log_dir or "."
        return dump_embeddings(
            lambda batch: self.outputs(pl_module, batch), self.dataset, self.ids, log_dir,
            epoch=epoch, step=trainer.global_step, rank=trainer.global_rank,
            world_size=trainer.world_size, fmt=self.fmt, batch_size=self.batch_size,
            device=pl_module.device, model=pl_module)


try:  # Lightning 2.x, then the older package name
    import lightning.pytorch as _pl
except ImportError:
    try:
        import pytorch_lightning as _pl
    except ImportError:
        _pl = None

if _pl is not None:

    class RankmeDumpCallback(_pl.Callback, RankmeDumpHook):
        """Dumps the fixed subset at the end of every `every_n_epochs`-th training epoch into
        `<log_dir>/embeddings/`, next to the
        hparams.yaml that `self.save_hyperparameters()` writes: rankme's Lightning layout.
        Lightning names epochs from 0, as its checkpoints do; rankme stores them as written."""

        def __init__(self, dataset, **kwargs):
            _pl.Callback.__init__(self)
            RankmeDumpHook.__init__(self, dataset, **kwargs)

        def on_train_epoch_end(self, trainer, pl_module):
            if not trainer.sanity_checking:
                self.dump(trainer, pl_module)
else:

    class RankmeDumpCallback:  # noqa: D101 - placeholder that explains itself
        def __init__(self, *args, **kwargs):
            raise ImportError("RankmeDumpCallback needs `lightning` or `pytorch_lightning`; "
                              "use RankmeDumpHook or dump_embeddings with plain PyTorch")
