"""olm-data: fresh, clean web corpora and the small language models trained on them."""

__version__ = "0.1.0"
