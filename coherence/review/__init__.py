"""Reviewing findings: a store of editors' decisions, a local review server, the ``review`` command.

``apply_review(reports, store_path)`` suppresses the findings dismissed in a store (used by
``coherence check --review-store``). Nothing here imports torch or the models.
"""

from .store import (
    DEFAULT_STORE_NAME,
    Decision,
    ReviewStore,
    apply_review,
    default_store_path,
)

__all__ = ["DEFAULT_STORE_NAME", "Decision", "ReviewStore", "apply_review", "default_store_path"]
