from model_service.model_service import SingleNodeService


class PTServingBaseService(SingleNodeService):
    """PyTorch base (guide §4.3.3). self.model_path is the .pth file when the package has one."""

    def _inference(self, data):
        raise NotImplementedError(
            "PyTorch is not installed in this runtime; override _inference in customize_service.py")
