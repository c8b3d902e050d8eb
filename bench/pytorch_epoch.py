#!/usr/bin/env python3
"""PyTorch's training loop over a CIFAR-10 binary archive, the reference `bench/epoch.ts` puts
beside whole epochs of `lisht compare`: the seed CNN of pytorch_seed_cnn.py (Keras-default
initialisation), Adam (lr 1e-3, eps 1e-7), batch 100, a fresh shuffle every epoch, images
divided by 255 per batch, as lisht does. Training only: no validation pass, so the comparison
is in PyTorch's favour.

Prints one JSON object: per activation, the seconds of each epoch. Usage:
python3 pytorch_epoch.py ARCHIVE [--epochs 2] [--threads 2] [--activations relu,lisht]
[--format contiguous|channels_last]
"""
import argparse
import io
import json
import tarfile
import time

import numpy as np
import torch
import torch.nn as nn

from pytorch_seed_cnn import make_model

RECORD = 1 + 3 * 32 * 32


def training_images(archive):
    """The data_batch_*.bin records of a cifar-10-binary.tar.gz: uint8 NCHW images and labels."""
    chunks = []
    with tarfile.open(archive, 'r:gz') as tar:
        members = sorted((m for m in tar.getmembers() if m.name.split('/')[-1].startswith('data_batch_')), key=lambda m: m.name)
        if not members:
            raise SystemExit(f'{archive}: no data_batch_*.bin in the archive')
        for m in members:
            chunks.append(np.frombuffer(tar.extractfile(m).read(), dtype=np.uint8))
    records = np.concatenate(chunks)
    if records.size % RECORD:
        raise SystemExit(f'{archive}: training records are not a whole number of {RECORD}-byte records')
    records = records.reshape(-1, RECORD)
    return records[:, 1:].reshape(-1, 3, 32, 32).copy(), records[:, 0].astype(np.int64)


def train(activation, images, labels, epochs, batch, memory_format):
    torch.manual_seed(1)
    model = make_model(activation).to(memory_format=memory_format)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x_all = torch.from_numpy(images)
    y_all = torch.from_numpy(labels)
    rng = np.random.default_rng(1)
    seconds = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(labels)))
        for start in range(0, len(labels), batch):
            idx = order[start:start + batch]
            x = (x_all[idx].float() / 255).contiguous(memory_format=memory_format)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y_all[idx])
            loss.backward()
            opt.step()
            loss.item()  # the loss read back every step, as a progress bar needs it
        seconds.append(time.perf_counter() - t0)
    return seconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument('archive')
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--activations', default='relu,lisht')
    p.add_argument('--format', default='contiguous', choices=['contiguous', 'channels_last'])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    images, labels = training_images(a.archive)
    memory_format = torch.channels_last if a.format == 'channels_last' else torch.contiguous_format
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'train_count': len(labels), 'format': a.format, 'results': {}}
    for act in a.activations.split(','):
        out['results'][act] = train(act, images, labels, a.epochs, a.batch, memory_format)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
