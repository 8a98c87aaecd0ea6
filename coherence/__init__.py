"""coherence: checks news copy against itself."""

__version__ = "0.1.0"
