"""The number format the two transformer models compute in: ``float32`` or ``bfloat16``.

On a CPU with native bfloat16 arithmetic (AVX512-BF16 or AMX) both models run about twice as fast
in bfloat16, and their outputs move little: NLI probabilities by at most 0.015, embedding cosines by
less than 0.0002 (benchmarks/precision_ab.py; docs/benchmarks.md, "bfloat16"). Elsewhere bfloat16 is emulated and slower than
float32. So ``auto``, the default, takes bfloat16 only where the CPU says it has it; ``float32``
gives the same scores on every machine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PRECISIONS = ("auto", "float32", "bfloat16")
_NATIVE_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}  # as /proc/cpuinfo names them on Linux


@cache  # read once per process: every model and the cache key ask
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU feature flags the kernel reports; empty where there is no /proc/cpuinfo."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def resolve_precision(precision: str, flags: frozenset[str] | set[str] | None = None) -> str:
    """``float32`` or ``bfloat16`` for a setting of ``auto``, ``float32`` or ``bfloat16``."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
    if precision != "auto":
        return precision
    flags = cpu_flags() if flags is None else flags
    return "bfloat16" if flags & _NATIVE_BF16_FLAGS else "float32"


def torch_dtype(precision: str):
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16}[resolve_precision(precision)]
