"""Domain errors: each carries a one-line message the CLI and UI show as is."""


class AssistantError(Exception):
    """Base class for errors shown to the user without a traceback."""


class InputError(AssistantError):
    """A file or question the assistant cannot use."""


class BrokenIndexError(AssistantError):
    """A missing, damaged or mismatched index."""


class ModelError(AssistantError):
    """The bundled embedding model is missing or altered."""
