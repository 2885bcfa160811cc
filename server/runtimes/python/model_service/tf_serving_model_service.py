# Alias spelled as in some guide samples (GUIDE-INDEX §A decision 8).
from model_service.tfserving_model_service import TfServingBaseService  # noqa: F401
