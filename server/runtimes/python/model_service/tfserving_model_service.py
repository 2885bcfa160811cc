from model_service.model_service import SingleNodeService


class TfServingBaseService(SingleNodeService):
    """TensorFlow base (guide §4.3.1). self.model_path is the model directory."""

    def _inference(self, data):
        raise NotImplementedError(
            "TensorFlow Serving is not available in this runtime; override _inference in customize_service.py")
