"""Errors a user can act on. Each carries the exit code the CLI returns for it (always 2)."""

from __future__ import annotations


class CoherenceError(Exception):
    """Usage, input, config or model problem: reported in one line, exit code 2."""

    exit_code = 2


class InputError(CoherenceError):
    """A file that cannot be checked (empty, binary, undecodable, too large, unreadable)."""


class ModelError(CoherenceError):
    """A model that cannot be found or loaded."""


class ConfigError(CoherenceError):
    """A setting that is malformed or unknown."""
