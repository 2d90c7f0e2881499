"""A tiny end-to-end example of contrib/rankme_dump.py: a small contrastive sweep on synthetic
data (2 temperatures × 2 seeds, 3 epochs, CPU, a few seconds) that dumps a fixed evaluation
subset at every epoch, half of the runs in the plain layout (dump_embeddings + config.json) and
half in Lightning's (RankmeDumpHook driven by a stand-in trainer, hparams.yaml). Then:

    rankme ingest OUT_DIR

usage: python3 contrib/tiny_sweep_example.py OUT_DIR
"""
import os
import sys
import types

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rankme_dump import RankmeDumpHook, dump_embeddings, fixed_subset, write_config  # noqa: E402


class Data(torch.utils.data.Dataset):
    """2 000 points near 10 random 32-dim centres; item = (x, label)."""

    def __init__(self):
        g = torch.Generator().manual_seed(123)
        centres = torch.randn(10, 32, generator=g) * 3
        self.labels = torch.randint(0, 10, (2000,), generator=g)
        self.x = centres[self.labels] + torch.randn(2000, 32, generator=g)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.labels[i]


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(32, 64), nn.BatchNorm1d(64), nn.ReLU(),
                                      nn.Linear(64, 32))
        self.projector = nn.Sequential(nn.ReLU(), nn.Linear(32, 16))

    def forward(self, x):
        h = self.backbone(x)
        return {"representations": h, "embeddings": self.projector(h)}


def info_nce(z1, z2, temperature):
    z = nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float("-inf"))
    n = len(z1)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return nn.functional.cross_entropy(sim, target)


def train(run_dir, temperature, seed, lightning_layout):
    torch.manual_seed(seed)
    data = Data()
    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(data, batch_size=128, shuffle=True)
    hparams = {"method": "simclr", "temperature": temperature, "lr": 1e-3, "seed": seed}
    if lightning_layout:
        os.makedirs(run_dir, exist_ok=True)
        with open(os.path.join(run_dir, "hparams.yaml"), "w") as f:
            f.write("".join("%s: %s\n" % (k, v) for k, v in hparams.items()))
        hook = RankmeDumpHook(data, count=512, seed=0,
                              outputs=lambda module, batch: module(batch))
    else:
        write_config(run_dir, hparams)
        ids = fixed_subset(len(data), 512, seed=0)  # the same 512 samples in every run
    step = 0
    for epoch in range(3):
        model.train()
        for x, _ in loader:
            view1 = x + 0.3 * torch.randn_like(x)
            view2 = x + 0.3 * torch.randn_like(x)
            loss = info_nce(model(view1)["embeddings"], model(view2)["embeddings"], temperature)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        if lightning_layout:
            trainer = types.SimpleNamespace(log_dir=run_dir, current_epoch=epoch,
                                            global_step=step, global_rank=0, world_size=1)
            model.device = torch.device("cpu")
            path = hook.dump(trainer, model)
        else:
            path = dump_embeddings(model, data, ids, run_dir, epoch=epoch, step=step,
                                   model=model)
        print("wrote", path, "loss %.3f" % loss.item())


def main():
    out = sys.argv[1]
    version = 0
    for temperature in (0.1, 1.0):
        for seed in (0, 1):
            if temperature == 0.1:
                train(os.path.join(out, "plain", "t%s_seed%d" % (temperature, seed)),
                      temperature, seed, lightning_layout=False)
            else:
                train(os.path.join(out, "lightning_logs", "version_%d" % version), temperature,
                      seed, lightning_layout=True)
                version += 1


if __name__ == "__main__":
    main()
