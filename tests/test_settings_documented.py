"""Every environment variable the settings read is documented in .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "ourlondon" / "settings" / "__init__.py"


def variables_read_by_settings() -> set[str]:
    source = SETTINGS.read_text()
    patterns = [
        r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]*)\"",
        r"os\.environ\[\s*\"([A-Z][A-Z0-9_]*)\"",
        r"env_(?:bool|list|int)\(\s*\"([A-Z][A-Z0-9_]*)\"",
    ]
    return {name for p in patterns for name in re.findall(p, source)}


def variables_documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_settings_read_some_variables():
    assert {"SECRET_KEY", "DATABASE_URL", "DEBUG"} <= variables_read_by_settings()


def test_every_variable_is_documented_in_env_example():
    missing = variables_read_by_settings() - variables_documented()
    assert missing == set()


def test_every_documented_variable_has_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert lines[index - 1].startswith("#"), f"{line} has no comment"
