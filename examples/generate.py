"""Trains the two example models with numpy and writes their weights, metrics and sample inputs.

Deterministic (fixed seeds): running it again reproduces the committed files.
    python3 examples/generate.py
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "server", "runtimes", "python"), os.path.join(HERE, "digits", "model")]
from customize_service import to_grid  # noqa: E402  (the digits model's own preprocessing)


def softmax_regression(x, y, classes, epochs=400, lr=0.5, l2=1e-3):
    w = np.zeros((x.shape[1], classes))
    b = np.zeros(classes)
    onehot = np.eye(classes)[y]
    for _ in range(epochs):
        logits = x @ w + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = p - onehot
        w -= lr * (x.T @ grad / len(x) + l2 * w)
        b -= lr * grad.mean(axis=0)
    return w, b


def metrics(y_true, y_pred, classes):
    """Macro-averaged precision/recall/F1 and accuracy, as config.json `metrics` (guide table 4-2)."""
    precision, recall = [], []
    for c in range(classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        precision.append(tp / max(np.sum(y_pred == c), 1))
        recall.append(tp / max(np.sum(y_true == c), 1))
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return {"f1": round(2 * p * r / (p + r), 4), "recall": round(r, 4), "precision": round(p, 4),
            "accuracy": round(float(np.mean(y_true == y_pred)), 4)}


def write_metrics(config_path, values):
    with open(config_path) as f:
        config = json.load(f)
    config["metrics"] = values
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def train_iris():
    # Class means and spreads of Fisher's iris measurements (cm).
    labels = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
    means = np.array([[5.01, 3.43, 1.46, 0.25], [5.94, 2.77, 4.26, 1.33], [6.59, 2.97, 5.55, 2.03]])
    stds = np.array([[0.35, 0.38, 0.17, 0.11], [0.52, 0.31, 0.47, 0.20], [0.64, 0.32, 0.55, 0.27]])
    rng = np.random.default_rng(7)
    y = np.repeat(np.arange(3), 200)
    x = means[y] + rng.normal(size=(len(y), 4)) * stds[y]
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    train, test = slice(0, 450), slice(450, None)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    w, b = softmax_regression((x[train] - mean) / std, y[train], 3)
    pred = (((x[test] - mean) / std) @ w + b).argmax(axis=1)
    np.savez(os.path.join(HERE, "iris", "model", "iris_softmax.npz"), w=w, b=b, mean=mean, std=std, labels=np.array(labels))
    m = metrics(y[test], pred, 3)
    write_metrics(os.path.join(HERE, "iris", "model", "config.json"), m)
    return m


# 5x7 bitmap glyphs of the digits.
GLYPHS = {
    0: ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    1: ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    2: ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
    3: ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
    4: ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    5: ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    6: ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    7: ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    8: ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    9: ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
}


def render_digit(d, size, rng=None):
    """Draws digit d as dark ink on a white size x size canvas; rng adds shift, scale, shear, thickness, noise."""
    glyph = np.array([[c == "1" for c in row] for row in GLYPHS[d]], dtype=float)
    canvas = np.zeros((size, size))
    scale = size * (rng.uniform(0.55, 0.8) if rng is not None else 0.7) / 7
    shear = rng.uniform(-0.25, 0.25) if rng is not None else 0.0
    thick = rng.uniform(0.45, 0.75) if rng is not None else 0.6
    ox = size / 2 - 2.5 * scale + (rng.uniform(-0.1, 0.1) * size if rng is not None else 0)
    oy = size / 2 - 3.5 * scale + (rng.uniform(-0.1, 0.1) * size if rng is not None else 0)
    yy, xx = np.mgrid[0:size, 0:size]
    gy = (yy - oy) / scale
    gx = (xx - ox) / scale - shear * (gy - 3.5)
    for r in range(7):
        for c in range(5):
            if glyph[r, c]:
                dist = np.maximum(np.abs(gx - (c + 0.5)), np.abs(gy - (r + 0.5)))
                canvas = np.maximum(canvas, np.clip((thick - dist) * 3 + 0.5, 0, 1))
    if rng is not None:
        canvas = np.clip(canvas + rng.normal(scale=0.08, size=canvas.shape), 0, 1)
    return (255 * (1 - canvas)).astype(np.uint8)


def encode_png_gray(pixels):
    """2-D uint8 array -> PNG bytes (8-bit greyscale, filter 0)."""
    h, w = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def train_digits():
    rng = np.random.default_rng(11)
    y = np.repeat(np.arange(10), 240)
    rng.shuffle(y)
    x = np.array([to_grid(render_digit(int(d), int(rng.integers(24, 48)), rng).astype(float)) for d in y])
    train, test = slice(0, 2000), slice(2000, None)
    w, b = softmax_regression(x[train], y[train], 10, epochs=600, lr=1.0)
    pred = (x[test] @ w + b).argmax(axis=1)
    np.savez(os.path.join(HERE, "digits", "model", "digits.npz"), w=w, b=b)
    m = metrics(y[test], pred, 10)
    write_metrics(os.path.join(HERE, "digits", "model", "config.json"), m)
    for d in range(10):
        with open(os.path.join(HERE, "digits", "samples", "digit-%d.png" % d), "wb") as f:
            f.write(encode_png_gray(render_digit(d, 64)))
    return m


if __name__ == "__main__":
    print("iris  ", train_iris())
    print("digits", train_digits())
