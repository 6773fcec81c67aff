"""A team's tests as scenarios: the runner's --pytest-node (one test through
pytest, in-process, mapped to a run's result) on the system's python3 with a
stub dspy, and dspy_compat_collect_tests.py (a test file's ids, read with
ast). The runner tests need pytest in the system's python3 and are skipped
without it; the listing needs nothing."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "dspy_compat_runner.py")
COLLECT = os.path.join(os.path.dirname(HERE), "dspy_compat_collect_tests.py")
sys.path.insert(0, os.path.dirname(HERE))

import dspy_compat_collect_tests as collect  # noqa: E402

HAVE_PYTEST = importlib.util.find_spec("pytest") is not None

# A dspy whose predictor asserts as DSPy 2.5.x's Predict.forward does.
STUB_DSPY = """
class LM:
    def __init__(self, model, **kwargs):
        self.model = model
        self.kwargs = dict(kwargs)
    def __call__(self, *args, **kwargs):
        return ["stub answer"]

def predict(lm):
    assert lm is not None, "No LM is loaded."
    return "answer"

def broken_import():
    raise RuntimeError("dspy could not start")
"""


class CollectTestIdsTest(unittest.TestCase):
    def ids(self, source):
        return collect.test_ids(textwrap.dedent(source))

    def test_functions_async_functions_and_test_class_methods_in_file_order(self):
        self.assertEqual(self.ids("""
            import pytest
            def test_a(): pass
            async def test_b(): pass
            def helper(): pass
            class TestC:
                def test_d(self): pass
                async def test_e(self): pass
                def setup_method(self): pass
            def test_f(): pass
            """), ["test_a", "test_b", "TestC::test_d", "TestC::test_e", "test_f"])

    def test_not_tests_are_left_out(self):
        self.assertEqual(self.ids("""
            def check_a(): pass
            class Helper:
                def test_x(self): pass
            class TestWithInit:  # pytest does not collect it
                def __init__(self): pass
                def test_y(self): pass
            def outer():
                def test_inner(): pass
            if True:
                def test_conditional(): pass
            """), [])

    def test_the_script_prints_json_and_fails_on_a_file_that_does_not_parse(self):
        folder = tempfile.mkdtemp(prefix="dspy_compat_collect_test_")
        self.addCleanup(shutil.rmtree, folder, True)
        good = os.path.join(folder, "test_good.py")
        with open(good, "w") as f:
            f.write("def test_one():\n    pass\n")
        done = subprocess.run([sys.executable, COLLECT, good], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout), {"file": good, "tests": ["test_one"]})

        bad = os.path.join(folder, "test_bad.py")
        with open(bad, "w") as f:
            f.write("def test_one(:\n")
        done = subprocess.run([sys.executable, COLLECT, bad], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"cannot list the tests of", done.stderr)
        self.assertEqual(subprocess.run([sys.executable, COLLECT], stderr=subprocess.DEVNULL,
                                        timeout=60).returncode, 2)


@unittest.skipUnless(HAVE_PYTEST, "pytest is not installed in this python3")
class PytestNodeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dspy_compat_pytest_node_test_")
        self.site = os.path.join(self.dir, "site")
        os.makedirs(os.path.join(self.site, "dspy"))
        with open(os.path.join(self.site, "dspy", "__init__.py"), "w") as f:
            f.write(STUB_DSPY)
        self.result = os.path.join(self.dir, "result.json")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_node(self, source, node):
        test_file = os.path.join(self.dir, "test_sample.py")
        with open(test_file, "w") as f:
            f.write(textwrap.dedent(source))
        env = dict(os.environ, PYTHONPATH=self.site, HOME=self.dir, PYTHONDONTWRITEBYTECODE="1")
        env.pop("PYTEST_ADDOPTS", None)
        done = subprocess.run(
            [sys.executable, RUNNER, "--scenario", test_file, "--result", self.result,
             "--api-base", "http://127.0.0.1:9/run/r1/v1", "--run-id", "r1", "--pytest-node", node],
            cwd=self.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.output = done.stdout.decode("utf-8", "replace")
        self.assertEqual(done.returncode, 0, self.output)
        with open(self.result, encoding="utf-8") as f:
            return json.load(f)

    def test_a_passing_test_passes_and_only_the_named_test_runs(self):
        result = self.run_node("""
            import dspy
            def test_one():
                assert dspy.predict(object()) == "answer"
            def test_other():
                raise AssertionError("not this one")
            """, "test_one")
        self.assertEqual(result["status"], "pass", result)
        self.assertEqual(result["phase"], "program")
        self.assertIsNotNone(result["scenario_seconds"])
        self.assertFalse(os.path.exists(os.path.join(self.dir, ".pytest_cache")))

    def test_a_failure_names_the_real_exception_raised_in_dspy(self):
        result = self.run_node("""
            import dspy
            def test_no_lm():
                dspy.predict(None)
            """, "test_no_lm")
        self.assertEqual(result["status"], "fail", result)
        self.assertEqual(result["error_type"], "AssertionError")
        self.assertEqual(result["error_message"], "No LM is loaded.")
        self.assertIn("test_sample.py", result["traceback"])
        self.assertIn("in test_no_lm", result["traceback"])
        self.assertIn("No LM is loaded.", result["traceback"])

    def test_a_test_class_method_and_an_xfail(self):
        source = """
            import pytest
            class TestDesk:
                def test_method(self):
                    raise ValueError("method failed")
            @pytest.mark.xfail(reason="known")
            def test_known():
                raise ValueError("expected")
            """
        result = self.run_node(source, "TestDesk::test_method")
        self.assertEqual((result["status"], result["error_type"], result["error_message"]),
                         ("fail", "ValueError", "method failed"), result)
        self.assertEqual(self.run_node(source, "test_known")["status"], "pass")

    def test_skipped_is_unresolved_with_its_reason_never_a_pass(self):
        result = self.run_node("""
            import pytest
            @pytest.mark.skip(reason="needs a GPU")
            def test_skipped():
                pass
            """, "test_skipped")
        self.assertEqual(result["status"], "unresolved", result)
        self.assertEqual(result["error_message"], "skipped: needs a GPU")

    def test_a_node_pytest_does_not_find_is_unresolved(self):
        result = self.run_node("def test_here():\n    pass\n", "test_gone")
        self.assertEqual(result["status"], "unresolved", result)
        self.assertEqual(result["error_type"], "pytest.NotFound")
        self.assertIn("test_gone", result["error_message"])

    def test_a_collection_error_is_unresolved_unless_raised_in_dspy(self):
        result = self.run_node("""
            import not_a_module_anyone_has
            def test_here():
                pass
            """, "test_here")
        self.assertEqual(result["status"], "unresolved", result)
        self.assertEqual(result["error_type"], "ModuleNotFoundError")
        self.assertEqual(result["phase"], "startup")

        result = self.run_node("""
            import dspy
            dspy.broken_import()
            def test_here():
                pass
            """, "test_here")
        self.assertEqual(result["status"], "fail", result)
        self.assertEqual((result["error_type"], result["error_message"]),
                         ("RuntimeError", "dspy could not start"))

    def test_a_setup_failure_is_a_failure(self):
        result = self.run_node("""
            import pytest
            @pytest.fixture
            def desk():
                raise KeyError("no desk")
            def test_uses(desk):
                pass
            """, "test_uses")
        self.assertEqual((result["status"], result["error_type"]), ("fail", "KeyError"), result)

    def test_without_pytest_in_the_target_it_says_so(self):
        os.makedirs(os.path.join(self.site, "pytest"))
        with open(os.path.join(self.site, "pytest", "__init__.py"), "w") as f:
            f.write("raise ModuleNotFoundError(\"No module named 'pytest'\", name='pytest')\n")
        result = self.run_node("def test_here():\n    pass\n", "test_here")
        self.assertEqual(result["status"], "unresolved", result)
        self.assertIn("pytest is not installed in the target", result["error_message"])
        self.assertIn("--project", result["error_message"])


if __name__ == "__main__":
    unittest.main()
