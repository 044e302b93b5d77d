"""SECRET_KEY is required: no silent fallback to a known key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(env_overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import ourlondon.settings as s; print(len(s.SECRET_KEY))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_is_a_clear_error(tmp_path):
    result = run_settings({"OURLONDON_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_local_secret_key_file_is_used(tmp_path):
    (tmp_path / "secret_key").write_text("x" * 50 + "\n")
    result = run_settings({"OURLONDON_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "50"


def test_environment_secret_key_wins(tmp_path):
    result = run_settings({"OURLONDON_VAR_DIR": str(tmp_path), "SECRET_KEY": "abc"})
    assert result.stdout.strip() == "3"
