"""DAILYPAPERS_EMBEDDING_DEVICE on a CPU-only machine: asking for cuda is a one-line error that says what to
install (never a silent fallback to the CPU), and a value that names no device is a setting error.

What a CUDA machine would run (the CUDA provider / torch on the GPU) cannot be exercised here: these tests skip
when a CUDA device is present, since the error they check must not happen there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dailypapers.cli.main import app
from dailypapers.config import Config, SettingError
from dailypapers.search.embed import DeviceUnavailable, index_embedder
from dailypapers.storage import Store
from dailypapers.storage.embeddings import count_embeddings

runner = CliRunner()


def cuda_present() -> bool:
    import onnxruntime
    import torch

    return torch.cuda.is_available() or "CUDAExecutionProvider" in onnxruntime.get_available_providers()


needs_no_cuda = pytest.mark.skipif(cuda_present(), reason="this machine has a CUDA device")


@needs_no_cuda
@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_asking_for_cuda_without_one_names_what_to_install(tmp_path: Path, backend: str) -> None:
    config = Config.from_env(
        {"DAILYPAPERS_HOME": str(tmp_path), "DAILYPAPERS_EMBEDDING_BACKEND": backend},
        dailypapers_embedding_device="cuda",
    )
    with pytest.raises(DeviceUnavailable) as raised:
        index_embedder(config)
    message = str(raised.value)
    assert "\n" not in message and "DAILYPAPERS_EMBEDDING_DEVICE=cuda" in message
    assert ("onnxruntime-gpu" if backend == "onnx" else "CUDA build of torch") in message
    assert "DAILYPAPERS_EMBEDDING_DEVICE=cpu" in message


@needs_no_cuda
def test_index_on_cuda_without_one_stops_with_one_line_and_stores_nothing(few: Store, cli_env: Config) -> None:
    result = runner.invoke(
        app, ["index"], env={"DAILYPAPERS_EMBEDDING_DEVICE": "cuda", "DAILYPAPERS_EMBEDDING_BACKEND": "torch"}
    )
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "DAILYPAPERS_EMBEDDING_DEVICE=cuda" in line
    with few.read() as conn:
        assert count_embeddings(conn, "all-MiniLM-L6-v2") == 0


@needs_no_cuda
def test_index_workers_on_cuda_without_one_stop_with_one_line(few: Store, cli_env: Config) -> None:
    env = {"DAILYPAPERS_EMBEDDING_DEVICE": "cuda", "DAILYPAPERS_EMBEDDING_BACKEND": "torch"}
    result = runner.invoke(app, ["index", "--workers", "2"], env=env)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "left unfinished" in line and "DAILYPAPERS_EMBEDDING_DEVICE=cuda" in line


def test_a_device_that_is_not_cpu_or_cuda_is_a_setting_error() -> None:
    with pytest.raises(
        SettingError, match="DAILYPAPERS_EMBEDDING_DEVICE='gpu' is not valid: expected one of cpu, cuda"
    ):
        Config.from_env({"DAILYPAPERS_EMBEDDING_DEVICE": "gpu"})
    assert Config.from_env({"DAILYPAPERS_EMBEDDING_DEVICE": " CUDA "}).text("DAILYPAPERS_EMBEDDING_DEVICE") == "cuda"


def test_the_cli_refuses_an_unknown_device_with_one_line_before_opening_the_store(cli_env: Config) -> None:
    result = runner.invoke(app, ["index"], env={"DAILYPAPERS_EMBEDDING_DEVICE": "tpu"})
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "DAILYPAPERS_EMBEDDING_DEVICE='tpu'" in line and "cpu, cuda" in line
