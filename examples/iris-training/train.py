"""Trains the iris classifier with numpy and writes a model package Anvil can import.

A training job runs it as `python3 train.py --epochs=400 --lr=0.5 --train_url=<output folder>`;
whatever it writes to --train_url is saved to the job's output folder in object storage under
V001/, V002/, …  It writes model/: config.json (with the test metrics), customize_service.py and
the weights, the layout of guide §4.1.1. Run it by hand the same way:
    python3 train.py --train_url=/tmp/iris-out
"""
import argparse
import json
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]
# Class means and spreads of Fisher's iris measurements (cm): the data is drawn from them.
MEANS = np.array([[5.01, 3.43, 1.46, 0.25], [5.94, 2.77, 4.26, 1.33], [6.59, 2.97, 5.55, 2.03]])
STDS = np.array([[0.35, 0.38, 0.17, 0.11], [0.52, 0.31, 0.47, 0.20], [0.64, 0.32, 0.55, 0.27]])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train_url", required=True, help="the output folder")
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=7)
    args, unknown = parser.parse_known_args()
    if unknown:
        print("ignoring unknown arguments:", " ".join(unknown))

    rng = np.random.default_rng(args.seed)
    y = np.repeat(np.arange(3), 200)
    x = MEANS[y] + rng.normal(size=(len(y), 4)) * STDS[y]
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    train, test = slice(0, 450), slice(450, None)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    xs = (x[train] - mean) / std
    onehot = np.eye(3)[y[train]]
    w, b = np.zeros((4, 3)), np.zeros(3)
    for epoch in range(1, args.epochs + 1):
        logits = xs @ w + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = p - onehot
        w -= args.lr * (xs.T @ grad / len(xs) + args.l2 * w)
        b -= args.lr * grad.mean(axis=0)
        if epoch % max(1, args.epochs // 10) == 0 or epoch == args.epochs:
            loss = -np.mean(np.log(p[np.arange(len(xs)), y[train]] + 1e-12))
            print("epoch %d/%d loss %.4f" % (epoch, args.epochs, loss), flush=True)

    pred = (((x[test] - mean) / std) @ w + b).argmax(axis=1)
    metrics = evaluate(y[test], pred)
    print("test accuracy %.4f f1 %.4f" % (metrics["accuracy"], metrics["f1"]), flush=True)

    model_dir = os.path.join(args.train_url, "model")
    os.makedirs(model_dir, exist_ok=True)
    shutil.copy(os.path.join(HERE, "package", "customize_service.py"), model_dir)
    with open(os.path.join(HERE, "package", "config.json")) as f:
        config = json.load(f)
    config["metrics"] = metrics
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    np.savez(os.path.join(model_dir, "iris_softmax.npz"), w=w, b=b, mean=mean, std=std, labels=np.array(LABELS))
    print("model package written to", model_dir, flush=True)


def evaluate(y_true, y_pred):
    """Macro-averaged precision/recall/F1 and accuracy, as config.json `metrics` (guide table 4-2)."""
    precision, recall = [], []
    for c in range(3):
        tp = np.sum((y_pred == c) & (y_true == c))
        precision.append(tp / max(np.sum(y_pred == c), 1))
        recall.append(tp / max(np.sum(y_true == c), 1))
    p, r = float(np.mean(precision)), float(np.mean(recall))
    return {"f1": round(2 * p * r / (p + r), 4), "recall": round(r, 4), "precision": round(p, 4), "accuracy": round(float(np.mean(y_true == y_pred)), 4)}


if __name__ == "__main__":
    main()
