"""Unit tests of the runner's pure helpers, on the system's python3 (no dspy).

Run: python3 -m unittest discover -s target_runner/tests (ctest runs it as
target_runner_unittest). The runner's behaviour inside a real target is the
end-to-end tests' job; these pin the small functions its containment and its
result file rest on.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import dspy_compat_runner as runner  # noqa: E402


class IsLoopbackTest(unittest.TestCase):
    def test_loopback_names_and_addresses(self):
        for host in ("localhost", "LOCALHOST", "localhost.localdomain", "ip6-localhost",
                     "127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1",
                     b"127.0.0.1"):
            self.assertTrue(runner.is_loopback(host), host)

    def test_anything_else_is_not(self):
        for host in ("10.0.0.1", "192.168.1.1", "api.openai.com", "0.0.0.0", "::",
                     "::ffff:10.0.0.1", "", "128.0.0.1", "localhost.example.com", None, 127, 2130706433):
            self.assertFalse(runner.is_loopback(host), host)


class WireModelNameTest(unittest.TestCase):
    def test_openai_prefix_is_what_litellm_strips(self):
        self.assertEqual(runner.wire_model_name("openai/gpt-4o-mini"), "gpt-4o-mini")
        self.assertEqual(runner.wire_model_name("openai/openai/x"), "openai/x")

    def test_other_providers_keep_their_prefix(self):
        self.assertEqual(runner.wire_model_name("anthropic/claude-3-5-sonnet"),
                         "anthropic/claude-3-5-sonnet")
        self.assertEqual(runner.wire_model_name("gpt-4o"), "gpt-4o")

    def test_non_strings_are_named_by_str(self):
        class Model:
            def __str__(self):
                return "openai/custom"

        self.assertEqual(runner.wire_model_name(Model()), "custom")


def documented_result_fields():
    """The field names in target_runner/README.md's result table."""
    with open(os.path.join(os.path.dirname(HERE), "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Result: `dspy-compat/runner-result/v1`", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)]


class ResultSchemaTest(unittest.TestCase):
    def test_empty_result_has_exactly_the_documented_fields(self):
        result = runner.empty_result("s.t.r1", "scenarios/s.py")
        self.assertEqual(list(result), documented_result_fields())

    def test_empty_result_is_an_error_until_the_run_says_otherwise(self):
        result = runner.empty_result("s.t.r1", "scenarios/s.py")
        self.assertEqual(result["schema"], "dspy-compat/runner-result/v1")
        self.assertEqual(result["status"], "error")
        self.assertEqual(result["run_id"], "s.t.r1")
        self.assertEqual(result["cache"], runner.CACHE_POLICY)
        self.assertEqual(result["start_mode"], "cold")
        self.assertEqual(result["lm_calls"], 0)

    def test_runner_error_names_what_failed_and_what_to_do(self):
        result = runner.empty_result()
        runner.runner_error(result, runner.RunnerError("no --scenario"), "bad invocation", "Fix it.")
        self.assertEqual(result["status"], "error")
        self.assertEqual(result["error_type"], "dspy_compat_runner.RunnerError")
        self.assertIn("bad invocation: no --scenario. Fix it.", result["error_message"])


class BoundedTextTest(unittest.TestCase):
    def test_head_keeps_the_start_within_the_byte_limit(self):
        text = "é" * 100  # 200 bytes
        head = runner.bounded_head(text, 64)
        self.assertLessEqual(len(head.encode("utf-8")), 64)
        self.assertTrue(head.startswith("é"))
        self.assertIn("[truncated", head)
        self.assertEqual(runner.bounded_head("short", 64), "short")

    def test_tail_keeps_whole_lines_at_the_end(self):
        text = "".join("line %d\n" % i for i in range(1000))
        tail = runner.bounded_tail(text, 100)
        self.assertLessEqual(len(tail.encode("utf-8")), 100)
        self.assertTrue(tail.startswith("[earlier lines truncated] ...\nline "))
        self.assertTrue(tail.endswith("line 999\n"))

    def test_qualified_type_name(self):
        self.assertEqual(runner.qualified_type_name(AssertionError()), "AssertionError")
        self.assertEqual(runner.qualified_type_name(runner.RunnerError()),
                         "dspy_compat_runner.RunnerError")



class ScenarioSysPathTest(unittest.TestCase):
    """run --project: the scenario's folder, then the project's root, first
    on sys.path, as `python path/to/file.py` and pytest's rootdir give them."""

    def test_scenario_folder_then_project_root(self):
        self.assertEqual(runner.scenario_sys_path("/p/scenarios/s.py", "/p"), ["/p/scenarios", "/p"])
        self.assertEqual(runner.scenario_sys_path("/p/scenarios/s.py", ""), ["/p/scenarios"])
        # A scenario at the project's root: the folder once.
        self.assertEqual(runner.scenario_sys_path("/p/s.py", "/p/"), ["/p"])

    def test_the_flag_is_parsed(self):
        args = runner.parse_args(["--scenario", "s.py", "--result", "r.json", "--api-base", "http://x",
                                  "--run-id", "r1", "--project-root", "/p"])
        self.assertEqual(args.project_root, "/p")
        args = runner.parse_args(["--scenario", "s.py", "--result", "r.json", "--api-base", "http://x",
                                  "--run-id", "r1"])
        self.assertEqual(args.project_root, "")

    def test_imports_resolve_in_that_order(self):
        # A module beside the scenario wins over the project's of the same
        # name; the project's package is importable; both before site-packages.
        with tempfile.TemporaryDirectory() as root:
            folder = os.path.join(root, "dspy_scenarios")
            os.makedirs(os.path.join(root, "myapp"))
            os.makedirs(folder)
            for path, text in ((os.path.join(root, "helper.py"), "WHERE = 'root'\n"),
                               (os.path.join(folder, "helper.py"), "WHERE = 'scenario'\n"),
                               (os.path.join(root, "myapp", "__init__.py"), "WHERE = 'project'\n")):
                with open(path, "w") as f:
                    f.write(text)
            entries = runner.scenario_sys_path(os.path.join(folder, "s.py"), root)
            code = ("import sys; sys.path[0:0] = %r; import helper, myapp; "
                    "print(helper.WHERE, myapp.WHERE)" % (entries,))
            out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                                 check=True).stdout
            self.assertEqual(out.split(), ["scenario", "project"])


if __name__ == "__main__":
    unittest.main()
