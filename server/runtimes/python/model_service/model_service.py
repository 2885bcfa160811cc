"""The pipeline every model service runs: _preprocess -> _inference -> _postprocess (guide §4.1.3)."""


class SingleNodeService(object):
    """Deep-learning base: constructed as Cls(model_name, model_path); JSON arrives as a dict."""

    # How the server hands JSON to _preprocess: "dict" (parsed) or "text" (raw string, ML bases).
    json_input = "dict"

    def __init__(self, model_name, model_path):
        self.model_name = model_name
        self.model_path = model_path

    def _preprocess(self, data):
        return data

    def _inference(self, data):
        return data

    def _postprocess(self, data):
        return data

    def inference(self, data):
        """Runs one request through the three overridable steps."""
        return self._postprocess(self._inference(self._preprocess(data)))
