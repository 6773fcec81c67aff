"""The result file cannot be spoilt by what a scenario does in the runner's
process by accident (issue 16): the runner runs here on the system's python3
with a stub dspy package, as a subprocess, as the harness starts it."""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "dspy_compat_runner.py")
sys.path.insert(0, os.path.dirname(HERE))

import dspy_compat_runner as runner  # noqa: E402

STUB_DSPY = """
class LM:
    def __init__(self, model, **kwargs):
        self.model = model
        self.kwargs = dict(kwargs)
    def __call__(self, *args, **kwargs):
        return ["stub answer"]
"""


class RunnerProcess(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dspy_compat_result_test_")
        os.makedirs(os.path.join(self.dir, "site", "dspy"))
        with open(os.path.join(self.dir, "site", "dspy", "__init__.py"), "w") as f:
            f.write(STUB_DSPY)
        self.result = os.path.join(self.dir, "result.json")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_scenario(self, program, api_base="http://127.0.0.1:9/run/r1/v1"):
        scenario = os.path.join(self.dir, "scenario.py")
        with open(scenario, "w") as f:
            f.write(textwrap.dedent(program))
        env = dict(os.environ, PYTHONPATH=os.path.join(self.dir, "site"), HOME=self.dir,
                   PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run(
            [sys.executable, RUNNER, "--scenario", scenario, "--result", self.result,
             "--api-base", api_base, "--run-id", "r1"],
            cwd=self.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def read_result(self):
        with open(self.result, encoding="utf-8") as f:
            return json.load(f)


class PatchedModulesTest(RunnerProcess):
    def test_a_failing_scenario_that_patched_json_dumps_is_still_a_failure(self):
        # The false pass: json.dumps made to write a passing result.
        code, output = self.run_scenario("""
            import json
            real = json.dumps
            def dumps(obj, *args, **kwargs):
                if isinstance(obj, dict) and "status" in obj:
                    obj = dict(obj, status="pass", error_type=None, error_message=None)
                return real(obj, *args, **kwargs)
            json.dumps = dumps
            json.encoder.JSONEncoder.encode = lambda self, o: real({"status": "pass"})
            assert 1 + 1 == 3, "the scenario's own check failed"
            """)
        self.assertEqual(code, 0, output)
        result = self.read_result()
        self.assertEqual(result["status"], "fail", result)
        self.assertEqual(result["error_type"], "AssertionError")
        self.assertEqual(result["error_message"], "the scenario's own check failed")

    def test_patched_open_and_os_functions_change_nothing_written(self):
        code, output = self.run_scenario("""
            import builtins, os
            def refuse(*args, **kwargs):
                raise OSError("patched by the scenario")
            builtins.open = refuse
            os.write = lambda fd, data: len(data)
            os.open = refuse
            os.replace = refuse
            os.rename = refuse
            os.fsync = refuse
            raise ValueError("real failure")
            """)
        self.assertEqual(code, 0, output)
        result = self.read_result()
        self.assertEqual(result["status"], "fail", result)
        self.assertEqual(result["error_type"], "ValueError")
        self.assertEqual(result["error_message"], "real failure")

    def test_a_result_file_the_scenario_wrote_is_replaced_by_the_runners(self):
        code, output = self.run_scenario("""
            with open("result.json", "w") as f:
                f.write('{"status": "pass"}')
            raise AssertionError("no")
            """)
        self.assertEqual(code, 0, output)
        self.assertEqual(self.read_result()["status"], "fail")

    def test_a_closed_descriptor_reused_for_another_file_gives_no_result(self):
        code, output = self.run_scenario("""
            import os
            def target(n):
                try:
                    return os.readlink("/proc/self/fd/" + n)
                except OSError:  # the listing's own descriptor
                    return ""
            fd = [int(n) for n in os.listdir("/proc/self/fd") if target(n).endswith("result.json.tmp")][0]
            os.close(fd)
            other = os.open("other.txt", os.O_WRONLY | os.O_CREAT, 0o644)
            assert other == fd, (other, fd)
            """)
        self.assertEqual(code, 3, output)
        self.assertIn("no longer refers to", output)
        self.assertFalse(os.path.exists(self.result))
        self.assertEqual(os.path.getsize(os.path.join(self.dir, "other.txt")), 0)

    def test_a_fork_that_returns_into_the_runner_does_not_write(self):
        code, output = self.run_scenario("""
            import os, time
            if os.fork() == 0:
                time.sleep(0.5)  # after the parent wrote its result
                raise SystemExit(0)  # the child "passes" and returns into the runner
            raise AssertionError("the parent fails")
            """)
        self.assertEqual(code, 0, output)
        result = self.read_result()
        self.assertEqual(result["status"], "fail", result)
        self.assertEqual(result["error_message"], "the parent fails")

    def test_the_descriptor_is_not_inherited_by_programs_the_scenario_starts(self):
        code, output = self.run_scenario("""
            import subprocess, sys
            fds = subprocess.run(["ls", "-l", "/proc/self/fd"], capture_output=True, text=True,
                                 close_fds=False).stdout
            assert "result.json" not in fds, fds
            """)
        self.assertEqual(code, 0, output)
        self.assertEqual(self.read_result()["status"], "pass")

    def test_an_unopenable_result_runs_nothing(self):
        self.result = os.path.join(self.dir, "missing", "result.json")
        code, output = self.run_scenario("open('ran', 'w').close()\n")
        self.assertEqual(code, 3, output)
        self.assertIn("could not open the result", output)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "ran")))


class MockConnectionsTest(RunnerProcess):
    def test_connections_to_the_mock_port_are_counted_and_no_others(self):
        import socket

        with socket.socket() as mock, socket.socket() as other:
            for server in (mock, other):
                server.bind(("127.0.0.1", 0))
                server.listen(8)
            code, output = self.run_scenario("""
                import socket
                for port in (%d, %d, %d):
                    socket.create_connection(("127.0.0.1", port)).close()
                """ % (mock.getsockname()[1], other.getsockname()[1], mock.getsockname()[1]),
                api_base="http://127.0.0.1:%d/run/r1/v1" % mock.getsockname()[1])
        self.assertEqual(code, 0, output)
        result = self.read_result()
        self.assertEqual(result["status"], "pass", result)
        self.assertEqual(result["lm_connections"], 2)
        self.assertEqual(result["lm_calls"], 0)


class EncodeResultTest(unittest.TestCase):
    def roundtrip(self, value):
        return json.loads(runner.encode_result(value).decode("utf-8"))

    def test_what_a_result_holds_reads_back_equal(self):
        result = runner.empty_result("s.t.r1", "scenarios/s.py")
        result.update(error_message='quote " backslash \\ newline \n tab \t nul \x00 é 日本',
                      scenario_seconds=0.125, lm_calls=3,
                      containment_events=[{"kind": "k", "host": "h", "port": None, "detail": "d"}],
                      settings_after={"lm": "", "adapter": "", "changed": ["lm"], "configured": []})
        self.assertEqual(self.roundtrip(result), result)

    def test_values_json_cannot_hold_are_made_readable(self):
        class Text(str):
            def __str__(self):
                return "overridden"

        class Broken:
            def __str__(self):
                raise RuntimeError("no")

        self.assertEqual(self.roundtrip({"a": math.nan, "b": math.inf, "c": (1, 2), 3: "k"}),
                         {"a": None, "b": None, "c": [1, 2], "3": "k"})
        self.assertEqual(self.roundtrip([Text("plain")]), ["plain"])
        self.assertEqual(self.roundtrip([Broken()]), ["<unwritable %r>" % Broken])
        # A lone surrogate (a path decoded with surrogateescape) stays parseable.
        self.assertEqual(self.roundtrip(["a\udcffb"]), ["a?b"])

    def test_patching_json_after_import_does_not_reach_the_writer(self):
        saved = json.dumps, json.encoder.encode_basestring_ascii
        try:
            json.dumps = lambda *a, **k: '{"status": "pass"}'
            json.encoder.encode_basestring_ascii = lambda s: '"pass"'
            self.assertEqual(self.roundtrip({"status": "fail"}), {"status": "fail"})
        finally:
            json.dumps, json.encoder.encode_basestring_ascii = saved


if __name__ == "__main__":
    unittest.main()
