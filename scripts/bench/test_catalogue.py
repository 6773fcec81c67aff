"""The bundled catalogue as plain pytest tests: the alternative a user would
pick instead of dspy-compat, timed by scripts/bench-matrix.sh.

One interpreter per target runs every scenario (its header's REPEAT times,
with pytest-repeat) against `dspy-compat mock-server` processes, one per
LM-DELAY-MS value, so the LM answers as slowly as it does under the harness.
Between tests it does the least a careful user would so that repetitions
measure something: DSPy's in-process LM cache is cleared, litellm's disk
cache is off (every call reaches the mock LM, as in a harness run), and the
global LM is unset. Everything else (threads, settings, environment) carries
over from test to test: that is the isolation this alternative lacks.

Environment: BENCH_SCENARIOS (folder), BENCH_MOCK_BASES (JSON: delay spec ->
mock server base URL, with "5-15" for scenarios without LM-DELAY-MS).
"""

import json
import os
import pathlib
import re
import runpy
import sys

import pytest

DEFAULT_DELAY = "5-15"  # the harness's default LM-DELAY-MS
MOCK_BASES = json.loads(os.environ.get("BENCH_MOCK_BASES", "{}"))


def header(path):
    options = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            match = re.match(r"# ([A-Z][A-Z-]*): (.*)", line)
            if not match:
                break
            options.setdefault(match.group(1), match.group(2).strip())
    return options


def scenarios():
    for path in sorted(pathlib.Path(os.environ.get("BENCH_SCENARIOS", ".")).glob("*.py")):
        options = header(path)
        delay = options.get("LM-DELAY-MS", DEFAULT_DELAY).split()[0]
        repeat = int(options.get("REPEAT", "1").split()[0])
        yield pytest.param(str(path), delay, marks=pytest.mark.repeat(repeat), id=path.stem)


@pytest.fixture(autouse=True)
def fresh_lm_caches():
    import dspy
    import litellm

    lm_module = sys.modules["dspy.clients.lm"]
    for name in ("cached_litellm_completion", "cached_litellm_text_completion"):
        getattr(lm_module, name).cache_clear()
    litellm.cache = None
    dspy.settings.configure(lm=None)
    yield


@pytest.mark.parametrize("scenario,delay", list(scenarios()))
def test_scenario(scenario, delay, monkeypatch):
    # litellm sends "openai/..." models without an api_base to OPENAI_API_BASE.
    monkeypatch.setenv("OPENAI_API_BASE", MOCK_BASES[delay])
    monkeypatch.setenv("OPENAI_API_KEY", "dspy-compat-dummy-key")
    monkeypatch.setattr(sys, "argv", [scenario])
    runpy.run_path(scenario, run_name="__main__")
