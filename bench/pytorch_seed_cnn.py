#!/usr/bin/env python3
"""PyTorch reference for the seed-cnn training step, the figure `bench/native-step.ts` compares
against: Conv2D(32, 3x3) + act, MaxPool 2, Conv2D(64, 3x3) + act, MaxPool 2, Flatten, Dense(10)
with softmax cross-entropy; Keras-default init (Glorot-uniform kernels, zero biases); Adam
(lr 1e-3, eps 1e-7); random data. LiSHT is written as `x * torch.tanh(x)`, as a user would.

Prints one JSON object: per activation and memory format, the median ms per step and the
per-step times, keyed `activation/format` for fp32 and `activation/format/bf16` for
`torch.autocast('cpu', dtype=torch.bfloat16)` (forward and loss under autocast, fp32 weights and
Adam, as PyTorch documents mixed precision). Usage: python3 pytorch_seed_cnn.py [--steps 20]
[--warmup 5] [--batch 100] [--threads 2] [--activations relu,lisht]
[--formats contiguous,channels_last] [--precisions fp32,bf16]
"""
import contextlib
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn


class Lisht(nn.Module):
    def forward(self, x):
        return x * torch.tanh(x)


def make_model(activation):
    act = nn.ReLU if activation == 'relu' else Lisht
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3), act(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), act(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 6 * 6, 10),
    )
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)  # Keras's glorot_uniform
            nn.init.zeros_(m.bias)
    return model


def autocast(precision):
    if precision == 'bf16':
        return torch.autocast('cpu', dtype=torch.bfloat16)
    return contextlib.nullcontext()


def bench(activation, memory_format, batch, steps, warmup, precision='fp32'):
    torch.manual_seed(1)
    model = make_model(activation).to(memory_format=memory_format)
    assert sum(p.numel() for p in model.parameters()) == 42442
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 3, 32, 32).to(memory_format=memory_format)
    y = torch.randint(0, 10, (batch,))
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with autocast(precision):
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return {'ms_per_step': statistics.median(times), 'times_ms': times}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--activations', default='relu,lisht')
    p.add_argument('--formats', default='contiguous,channels_last')
    p.add_argument('--precisions', default='fp32')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    formats = {'contiguous': torch.contiguous_format, 'channels_last': torch.channels_last}
    out = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': a.batch, 'results': {}}
    for act in a.activations.split(','):
        for name in a.formats.split(','):
            for precision in a.precisions.split(','):
                key = f'{act}/{name}' + ('/bf16' if precision == 'bf16' else '')
                out['results'][key] = bench(act, formats[name], a.batch, a.steps, a.warmup, precision)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
