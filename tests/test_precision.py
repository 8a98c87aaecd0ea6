"""The precision setting picks which exported file runs; old configs that say bfloat16 keep working."""

from __future__ import annotations

import pytest

from coherence.errors import ModelError
from coherence.precision import resolve_precision
from coherence.runtime.onnx_model import onnx_file


@pytest.mark.parametrize(("setting", "expected"),
                         [("auto", "auto"), ("int8", "int8"), ("float32", "float32"), ("bfloat16", "auto")])
def test_settings_resolve(setting, expected):
    assert resolve_precision(setting) == expected


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="expected one of auto, int8, float32, bfloat16"):
        resolve_precision("float16")


def test_auto_prefers_int8_and_the_others_insist(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"")
    assert onnx_file(tmp_path, "auto", "NLI model", "nli").name == "model.onnx"
    assert onnx_file(tmp_path, "bfloat16", "NLI model", "nli").name == "model.onnx"
    with pytest.raises(ModelError, match=r"no int8 export .*--precision int8"):
        onnx_file(tmp_path, "int8", "NLI model", "nli")
    (tmp_path / "model.int8.onnx").write_bytes(b"")
    assert onnx_file(tmp_path, "auto", "NLI model", "nli").name == "model.int8.onnx"
    assert onnx_file(tmp_path, "float32", "NLI model", "nli").name == "model.onnx"


def test_a_torch_only_folder_says_how_to_export_it(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelError, match=r"old format.*python -m coherence.training.export local-coherence "):
        onnx_file(tmp_path, "auto", "local-coherence model", "local-coherence")
