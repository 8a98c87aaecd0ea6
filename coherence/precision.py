"""Which exported weights a model runs: ``int8`` (dynamic quantisation) or ``float32``.

The shipped models are exported once, as int8 where that keeps the figures (docs/benchmarks.md,
"ONNX Runtime"); a folder may hold both files. ``auto``, the default, takes the int8 file where the
folder has one, else the float32 one; ``int8`` and ``float32`` insist on theirs (exit 2 when it is
missing, saying how to export it). ``bfloat16`` is what ``auto`` chose on some CPUs when the models
ran on torch: it is still accepted, so old config files keep working, and now means ``auto``.
"""

from __future__ import annotations

PRECISIONS = ("auto", "int8", "float32", "bfloat16")


def resolve_precision(precision: str) -> str:
    """``auto``, ``int8`` or ``float32`` for a setting (``bfloat16`` is read as ``auto``)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    return "auto" if precision == "bfloat16" else precision
