"""Files a newsroom actually produces: wrong encodings, huge files, one-liners, run-on sentences."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from click.testing import CliRunner

from coherence.cli import cli
from coherence.runtime.embedder import WINDOW_WORDS, Embedder
from coherence.errors import InputError
from coherence.reading import decode_article, read_article

from .test_rules import FLOOD, article

LATIN1 = article("Café Owner Wins Award", ["The café owner José Núñez won the city award on Tuesday.",
                                           "Núñez opened the café in 1998.", "The award comes with €5,000."])


def test_latin1_bytes_name_the_offset_and_cp1252_reads_them(tmp_path, stub_models):
    data = LATIN1.replace("€", "EUR").encode("latin-1")
    path = tmp_path / "latin1.txt"
    path.write_bytes(data)
    first_bad = data.index("é".encode("latin-1"))

    with pytest.raises(InputError, match=rf"not valid utf-8 at byte {first_bad} \(line 1\).*--encoding"):
        read_article(str(path))

    refused = CliRunner().invoke(cli, ["check", str(path)])
    assert refused.exit_code == 2
    assert f"at byte {first_bad}" in refused.stderr and "--encoding cp1252" in refused.stderr

    accepted = CliRunner().invoke(cli, ["check", str(path), "--encoding", "cp1252", "--format", "json"])
    assert accepted.exit_code in (0, 1), accepted.stderr
    (report,) = json.loads(accepted.stdout)["files"]
    assert report["error"] is None
    text = data.decode("cp1252")
    assert [text[s["start"] : s["end"]] for s in report["sentences"]][:2] == [
        "Café Owner Wins Award", "The café owner José Núñez won the city award on Tuesday."]


def test_unknown_encoding_is_a_clear_error(tmp_path, stub_models):
    path = tmp_path / "a.txt"
    path.write_text("Some text here.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--encoding", "klingon-8"])
    assert result.exit_code == 2
    assert "--encoding 'klingon-8': unknown encoding" in result.stderr


def test_utf16_is_named_and_reads_with_its_encoding(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(LATIN1.encode("utf-16"))
    with pytest.raises(InputError, match="looks like UTF-16.*--encoding utf-16"):
        read_article(str(path))
    assert read_article(str(path), encoding="utf-16") == LATIN1


def test_nul_bytes_mean_binary():
    with pytest.raises(InputError, match="binary"):
        decode_article(b"PK\x03\x04\x00\x00zipfile", "a.zip")


def test_ten_megabyte_file_is_refused_quickly_without_reading_it(tmp_path, stub_models, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(10 * 1024 * 1024)  # sparse: 10 MB on paper, nothing to read
    import pathlib

    def no_read(self):
        raise AssertionError("a file over --max-bytes must not be read")

    monkeypatch.setattr(pathlib.Path, "read_bytes", no_read)
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2
    assert "10,485,760 bytes is over the limit of 2,000,000 bytes" in result.stderr
    assert "nothing was checked" in result.stderr
    assert stub_models.loaded == [] and stub_models.calls == [], "nothing reached the models"


def test_max_bytes_raised_lets_a_big_file_through(tmp_path, stub_models):
    path = tmp_path / "long.txt"
    path.write_text(article("Riverton River Floods Homes", FLOOD * 40), encoding="utf-8")
    assert CliRunner().invoke(cli, ["check", str(path), "--max-bytes", "100"]).exit_code == 2
    result = CliRunner().invoke(cli, ["check", str(path), "--max-bytes", "1000000", "--format", "json"])
    assert result.exit_code in (0, 1)
    assert len(json.loads(result.stdout)["files"][0]["sentences"]) == 1 + 5 * 40


# --- long sentences are embedded in windows, none of their words dropped ----------------------------------


class RecordingEmbedder(Embedder):
    """The real windowing and averaging over a stand-in model: one unit vector per word-count bucket."""

    dimension = 4

    def __init__(self):  # no model to load
        self.name, self.pieces = "stub", []

    def _embed(self, pieces):
        self.pieces.extend(pieces)
        out = np.zeros((len(pieces), 4), dtype=np.float32)
        for i, p in enumerate(pieces):
            out[i, len(p.split()) % 4] = 1.0
        return out


def test_a_2000_word_sentence_is_embedded_in_windows():
    embedder = RecordingEmbedder()
    words = [f"w{i}" for i in range(2000)]
    vectors = embedder.encode(["A short one.", " ".join(words)])
    pieces = embedder.pieces
    assert pieces[0] == "A short one."
    windows = pieces[1:]
    assert len(windows) == -(-2000 // WINDOW_WORDS)
    assert all(len(w.split()) <= WINDOW_WORDS for w in windows)
    assert " ".join(windows).split() == words, "every word is embedded exactly once, in order"
    assert vectors.shape == (2, 4)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)


def test_empty_input_gives_an_empty_matrix():
    assert RecordingEmbedder().encode([]).shape == (0, 4)


def test_a_2000_word_sentence_checks_end_to_end(tmp_path, stub_models):
    long_sentence = " ".join(["The flood waters rose again near the Riverton town hall"] * 200) + "."
    path = tmp_path / "runon.txt"
    path.write_text(article(None, FLOOD + [long_sentence]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.stderr
    sentences = json.loads(result.stdout)["files"][0]["sentences"]
    assert len(sentences) == 6
    assert sentences[-1]["end"] - sentences[-1]["start"] == len(long_sentence)


@pytest.mark.real_models
def test_real_embedder_windows_a_2000_word_sentence(real_embedder):
    long_sentence = " ".join(["Flood waters rose near the town hall"] * 300)
    assert len(long_sentence.split()) == 2100
    vectors = real_embedder.encode(["Flood waters rose near the town hall.", long_sentence,
                                    "Manchester United signed a Brazilian striker."])
    assert vectors.shape == (3, real_embedder.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    # the windows' average still means what the sentence says
    assert float(vectors[0] @ vectors[1]) > float(vectors[2] @ vectors[1]) + 0.3


def test_a_broken_nli_model_folder_stops_the_run_with_a_clear_message(tmp_path, stub_models):
    story = tmp_path / "a.txt"
    story.write_text(article("Flood Hits Town", FLOOD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(story), "--nli-model", str(tmp_path / "no-model"), "--no-cache"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "NLI model" in result.stderr and str(tmp_path / "no-model") in result.stderr


def test_a_broken_local_coherence_folder_stops_the_run_with_a_clear_message(tmp_path, stub_models, monkeypatch):
    import coherence.belonging.local

    broken = tmp_path / "local-coherence"
    broken.mkdir()
    (broken / "off-topic-stack.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(coherence.belonging.local, "DEFAULT_LOCAL_PATH", broken)
    story = tmp_path / "a.txt"
    story.write_text(article("Flood Hits Town", FLOOD), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(story), "--no-cache"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "off-topic stack" in result.stderr and str(broken) in result.stderr
    (broken / "off-topic-stack.json").unlink()
    result = CliRunner().invoke(cli, ["check", str(story), "--no-cache"])
    assert result.exit_code == 2 and "not found" in result.stderr
