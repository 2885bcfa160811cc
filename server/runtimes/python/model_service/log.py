"""Logging helper of guide §4.1.3: `import model_service.log as log; logger = log.getLogger(__name__)`.

Loggers keep Python's default WARNING level, so INFO lines show only when the model sets the level."""
import logging


def getLogger(name=None):
    return logging.getLogger(name)
