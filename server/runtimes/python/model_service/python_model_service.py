from model_service.model_service import SingleNodeService


class XgSkServingBaseService(SingleNodeService):
    """Machine-learning base (XGBoost / Scikit_Learn, guide §4.3.5, §4.3.7).

    Constructed as Cls(model_path); _preprocess receives the raw JSON text, as the guide's samples
    call json.loads(data) themselves."""

    json_input = "text"

    def __init__(self, model_path):
        super(XgSkServingBaseService, self).__init__(None, model_path)


# Spelling printed in guide §4.1.3 (GUIDE-INDEX §A decision 8).
XgSkIServingBaseService = XgSkServingBaseService
