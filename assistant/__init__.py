"""Ask a research paper questions and get its own sentences back, with citations."""

__version__ = "0.1.0"
