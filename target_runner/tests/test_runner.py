"""Unit tests of the runner's pure helpers, on the system's python3 (no dspy).

Run: python3 -m unittest discover -s target_runner/tests (ctest runs it as
target_runner_unittest). The runner's behaviour inside a real target is the
end-to-end tests' job; these pin the small functions its containment and its
result file rest on.
"""

import os
import re
import sys
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


if __name__ == "__main__":
    unittest.main()
