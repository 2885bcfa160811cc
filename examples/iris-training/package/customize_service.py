"""Iris classifier in the predict-analysis I/O mode (guide §4.2.3.3): data.req_data -> data.resp_data."""
import json
import logging

import numpy as np

from model_service.python_model_service import XgSkServingBaseService

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)  # the runtime's default level is WARNING (guide §4.1.3)

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


class IrisService(XgSkServingBaseService):
    def __init__(self, model_path):
        super(IrisService, self).__init__(model_path)
        weights = np.load(self.model_path)  # model_path is the .npz file for this engine
        self.w, self.b = weights["w"], weights["b"]
        self.mean, self.std = weights["mean"], weights["std"]
        self.labels = [str(x) for x in weights["labels"]]

    def _preprocess(self, data):
        rows = json.loads(data)["data"]["req_data"]
        return np.array([[float(row[f]) for f in FEATURES] for row in rows], dtype=np.float64)

    def _inference(self, data):
        logits = ((data - self.mean) / self.std) @ self.w + self.b
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def _postprocess(self, data):
        results = [{"predict_result": self.labels[int(p.argmax())], "confidence": round(float(p.max()), 4)} for p in data]
        logger.info("iris predicted %d row(s): %s", len(results), ", ".join(r["predict_result"] for r in results))
        return {"data": {"resp_data": results}}
