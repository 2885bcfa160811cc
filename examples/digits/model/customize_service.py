"""Handwritten-style digit classifier: a PNG under form key `images` -> predicted digit (guide §4.2.3.2)."""
import logging
import os

import numpy as np

from model_service.pytorch_model_service import PTServingBaseService
from png_decode import decode_png_gray

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

SIDE = 16


def to_grid(gray):
    """Crop to the ink's bounding box, pad to a square and average-pool to SIDE x SIDE."""
    ink = 1.0 - gray / 255.0
    ys, xs = np.nonzero(ink > 0.25)
    if len(ys) == 0:
        return np.zeros(SIDE * SIDE)
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    side = max(h, w)
    square = np.zeros((side, side))
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = ink
    idx = (np.arange(side) * SIDE) // side
    grid = np.zeros((SIDE, SIDE))
    counts = np.zeros((SIDE, SIDE))
    np.add.at(grid, (idx[:, None], idx[None, :]), square)
    np.add.at(counts, (idx[:, None], idx[None, :]), 1)
    return (grid / np.maximum(counts, 1)).ravel()


class DigitService(PTServingBaseService):
    def __init__(self, model_name, model_path):
        super(DigitService, self).__init__(model_name, model_path)
        weights = np.load(os.path.join(self.model_path, "digits.npz"))
        self.w, self.b = weights["w"], weights["b"]

    def _preprocess(self, data):
        images = []
        for _, files in data.items():
            for file_name, content in files.items():
                images.append((file_name, to_grid(decode_png_gray(content.read()))))
        return images

    def _inference(self, data):
        out = []
        for file_name, x in data:
            logits = x @ self.w + self.b
            p = np.exp(logits - logits.max())
            out.append((file_name, p / p.sum()))
        return out

    def _postprocess(self, data):
        if not data:
            raise ValueError("send a PNG file under the form key 'images'")
        file_name, p = data[0]
        top = np.argsort(-p)[:3]
        result = {"predicted_label": str(int(top[0])), "scores": [[str(int(i)), round(float(p[i]), 4)] for i in top]}
        logger.info("digits predicted %s for %s", result["predicted_label"], file_name)
        return result
