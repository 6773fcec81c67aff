"""Unit tests of the audit scanner on small sources: every pattern, and the
look-alikes it must leave alone. Run by ctest (stdlib unittest):
    python3 -m unittest discover -s harness/audit/scanner -p '*_test.py'
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dspy_compat_audit as audit  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def scan(source):
    return audit.scan_source(textwrap.dedent(source))


def found(source):
    """(pattern, line) of the unsuppressed findings."""
    return [(f["pattern"], f["line"]) for f in scan(source) if not f["suppressed"]]


ISSUE_1867 = """\
import asyncio
import dspy

class AsyncQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predictor = dspy.asyncify(dspy.ChainOfThought("q -> a"))
        self.lm = dspy.LM("openai/gpt-4o-mini")

    async def forward(self, question):
        with dspy.context(lm=self.lm):
            return await self.predictor(question=question)

async def main():
    qa = AsyncQA()
    await asyncio.gather(*(qa(question=q) for q in "abc"))

if __name__ == "__main__":
    asyncio.run(main())
"""


class AsyncifyPlacement(unittest.TestCase):
    def test_asyncify_in_module_init_is_flagged(self):
        self.assertIn((audit.ASYNCIFY_NOT_OUTERMOST, 7), found(ISSUE_1867))

    def test_asyncify_in_a_request_handler_is_flagged(self):
        source = """
            import dspy
            async def handle(question):
                program = dspy.asyncify(dspy.Predict("q -> a"))
                return await program(q=question)
        """
        self.assertEqual(found(source), [(audit.ASYNCIFY_NOT_OUTERMOST, 4)])

    def test_asyncify_at_module_level_is_not_flagged(self):
        source = """
            import dspy
            program = dspy.asyncify(dspy.Predict("q -> a"))
            async def handle(question):
                return await program(q=question)
        """
        self.assertEqual(found(source), [])

    def test_asyncify_once_in_main_is_not_flagged(self):
        source = """
            import asyncio
            import dspy
            class QA(dspy.Module):
                def forward(self, question):
                    return self.predict(question=question)
            async def main():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
                program = dspy.asyncify(QA())
                await asyncio.gather(*(program(question=q) for q in "ab"))
            if __name__ == "__main__":
                asyncio.run(main())
        """
        self.assertEqual(found(source), [])

    def test_asyncify_in_a_helper_that_main_runs_is_not_flagged(self):
        source = """
            import asyncio
            import dspy
            async def answer_all(questions):
                program = dspy.asyncify(dspy.Predict("q -> a"))
                return await asyncio.gather(*(program(q=q) for q in questions))
            def main():
                return asyncio.run(answer_all(["a", "b"]))
        """
        self.assertEqual(found(source), [])

    def test_asyncify_from_another_library_is_not_flagged(self):
        source = """
            from asyncer import asyncify
            import contextlib
            class Service:
                def __init__(self, work):
                    self.work = asyncify(work)
                async def handle(self):
                    with contextlib.suppress(KeyError):
                        return await self.work()
        """
        self.assertEqual(found(source), [])


class ImportAliases(unittest.TestCase):
    def test_module_alias_and_from_imports_are_resolved(self):
        source = """
            import dspy as d
            from dspy import asyncify, context as ctx
            class A(d.Module):
                def __init__(self):
                    self.p = asyncify(d.Predict("q -> a"))
                async def forward(self, q):
                    with ctx(lm=self.lm):
                        return await self.p(q=q)
        """
        self.assertEqual(found(source), [(audit.ASYNCIFY_NOT_OUTERMOST, 6),
                                         (audit.CONTEXT_AROUND_ASYNCIFY, 8)])

    def test_settings_context_and_utils_asyncify_are_resolved(self):
        source = """
            from dspy.utils.asyncify import asyncify
            import dspy
            program = asyncify(dspy.Predict("q -> a"))
            async def ask(q):
                with dspy.settings.context(lm=None):
                    return await program(q=q)
        """
        self.assertEqual(found(source), [(audit.CONTEXT_AROUND_ASYNCIFY, 6)])

    def test_unrelated_context_is_not_flagged(self):
        source = """
            import dspy
            from mylib import context
            program = dspy.asyncify(dspy.Predict("q -> a"))
            async def ask(q):
                with context(user="x"):
                    return await program(q=q)
        """
        self.assertEqual(found(source), [])


class ContextAroundAsyncify(unittest.TestCase):
    def test_issue_1867_context_is_flagged(self):
        self.assertIn((audit.CONTEXT_AROUND_ASYNCIFY, 11), found(ISSUE_1867))

    def test_context_around_a_coroutine_that_awaits_asyncify_is_flagged(self):
        source = """
            import asyncio, dspy
            program = dspy.asyncify(dspy.Predict("q -> a"))
            async def call(q):
                return await program(q=q)
            async def handle(q, lm):
                with dspy.context(lm=lm):
                    return await asyncio.gather(call(q), call(q + "?"))
        """
        self.assertEqual(found(source), [(audit.CONTEXT_AROUND_ASYNCIFY, 7)])

    def test_context_without_await_is_not_flagged(self):
        source = """
            import dspy
            program = dspy.asyncify(dspy.Predict("q -> a"))
            predict = dspy.Predict("q -> a")
            async def handle(q, lm):
                with dspy.context(lm=lm):
                    result = predict(q=q)
                return await program(q=result.a)
        """
        self.assertEqual(found(source), [])

    def test_context_inside_the_synchronous_program_is_not_flagged(self):
        source = """
            import asyncio, dspy
            class QA(dspy.Module):
                def forward(self, question, lm):
                    with dspy.context(lm=lm):
                        return self.predict(question=question)
            async def main():
                program = dspy.asyncify(QA())
                await program(question="q", lm=dspy.LM("openai/gpt-4o"))
            asyncio.run(main())
        """
        self.assertEqual(found(source), [])

    def test_context_lm_with_a_global_lm_is_silently_ignored(self):
        source = """
            import asyncio, dspy
            async def main():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
                program = dspy.asyncify(dspy.ChainOfThought("q -> a"))
                strong = dspy.LM("openai/gpt-4o")
                async def ask(q):
                    with dspy.context(lm=strong):
                        return await program(q=q)
                await asyncio.gather(ask("a"), ask("b"))
            asyncio.run(main())
        """
        self.assertEqual(found(source), [(audit.CONTEXT_LM_SILENTLY_IGNORED, 8)])


THREAD_LOOP = """\
import asyncio
import threading
import dspy

program = dspy.asyncify(dspy.ChainOfThought("q -> a"))

async def handle(q, lm):
    with dspy.context(lm=lm):
        return await program(q=q)

def main():
    def loop_thread():
        asyncio.run(handle("q", dspy.LM("openai/gpt-4o")))
    thread = threading.Thread(target=loop_thread)
    thread.start()
    thread.join()

if __name__ == "__main__":
    main()
"""


class Threads(unittest.TestCase):
    def test_context_in_a_thread_event_loop(self):
        self.assertEqual(found(THREAD_LOOP), [(audit.CONTEXT_IN_THREAD_EVENT_LOOP, 8),
                                              (audit.EVENT_LOOP_IN_THREAD, 13)])

    def test_configure_in_a_coroutine_run_by_a_thread(self):
        source = """
            import asyncio
            from threading import Thread
            import dspy
            program = dspy.asyncify(dspy.ChainOfThought("q -> a"))
            async def startup():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
            async def serve():
                await startup()
                return await program(q="x")
            def run_loop():
                loop = asyncio.new_event_loop()
                loop.run_until_complete(serve())
            t = Thread(target=run_loop, daemon=True)
            t.start()
        """
        self.assertEqual(found(source), [(audit.CONFIGURE_OUTSIDE_MAIN_THREAD, 7),
                                         (audit.EVENT_LOOP_IN_THREAD, 13)])

    def test_configure_in_an_executor_and_a_thread_subclass(self):
        source = """
            import threading
            from concurrent.futures import ThreadPoolExecutor
            import dspy
            def setup():
                dspy.settings.configure(lm=None)
            class Worker(threading.Thread):
                def run(self):
                    dspy.configure(lm=None)
            with ThreadPoolExecutor() as pool:
                pool.submit(setup)
        """
        self.assertEqual(found(source), [(audit.CONFIGURE_OUTSIDE_MAIN_THREAD, 6),
                                         (audit.CONFIGURE_OUTSIDE_MAIN_THREAD, 9)])

    def test_configure_in_a_library_coroutine(self):
        source = """
            import dspy
            async def on_startup():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
        """
        self.assertEqual(found(source), [(audit.CONFIGURE_OUTSIDE_MAIN_THREAD, 4)])

    def test_configure_in_asyncified_code(self):
        source = """
            import dspy
            def program(q):
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
                return dspy.Predict("q -> a")(q=q)
            run = dspy.asyncify(program)
        """
        self.assertEqual(found(source), [(audit.CONFIGURE_OUTSIDE_MAIN_THREAD, 4)])

    def test_configure_in_the_main_thread_before_the_thread_starts(self):
        source = """
            import asyncio, threading, dspy
            dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
            program = dspy.asyncify(dspy.ChainOfThought("q -> a"))
            async def serve():
                return await program(q="x")
            def main():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
                def loop_thread():
                    asyncio.run(serve())
                thread = threading.Thread(target=loop_thread)
                thread.start()
            async def amain():
                dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
            if __name__ == "__main__":
                main()
                asyncio.run(amain())
        """
        # The loop thread is a note (event-loop-in-thread), not a configure.
        self.assertEqual(found(source), [(audit.EVENT_LOOP_IN_THREAD, 10)])

    def test_event_loop_in_thread_without_asyncify_is_not_flagged(self):
        source = """
            import asyncio, threading
            async def poll():
                await asyncio.sleep(1)
            threading.Thread(target=lambda: asyncio.run(poll())).start()
        """
        self.assertEqual(found(source), [])


class Workers(unittest.TestCase):
    def test_asyncify_inside_asyncified_code(self):
        source = """
            import asyncio, dspy
            class FanOut(dspy.Module):
                def forward(self, question):
                    answer = dspy.asyncify(self.answer)
                    return asyncio.run(answer(question=question))
            async def main():
                program = dspy.asyncify(FanOut())
                await program(question="q")
        """
        self.assertEqual(found(source), [(audit.ASYNCIFY_IN_WORKER, 5)])

    def test_asyncify_in_a_thread(self):
        source = """
            import threading, dspy
            def work():
                return dspy.asyncify(dspy.Predict("q -> a"))
            threading.Thread(target=work).start()
        """
        self.assertEqual(found(source), [(audit.ASYNCIFY_IN_WORKER, 4)])

    def test_evaluate_inside_asyncified_code(self):
        source = """
            import dspy
            class EvaluateQA(dspy.Module):
                def forward(self, batch):
                    evaluate = dspy.Evaluate(devset=[], metric=None, num_threads=4)
                    return evaluate(self.qa)
            program = dspy.asyncify(EvaluateQA())
        """
        self.assertEqual(found(source), [(audit.PARALLEL_IN_ASYNCIFY, 5)])

    def test_parallel_executor_through_a_helper(self):
        source = """
            import dspy
            from dspy.utils.parallelizer import ParallelExecutor as PE
            def fan_out(items):
                return PE(num_threads=2).execute(len, items)
            class Batch(dspy.Module):
                def forward(self, items):
                    return fan_out(items)
            program = dspy.asyncify(Batch())
        """
        self.assertEqual(found(source), [(audit.PARALLEL_IN_ASYNCIFY, 5)])

    def test_evaluate_under_a_lock_or_outside_asyncify_is_not_flagged(self):
        source = """
            import threading, dspy
            lock = threading.Lock()
            class EvaluateQA(dspy.Module):
                def forward(self, batch):
                    evaluate = dspy.Evaluate(devset=[], metric=None, num_threads=4)
                    with lock:
                        return evaluate(self.qa)
            program = dspy.asyncify(EvaluateQA())
            dspy.Evaluate(devset=[], metric=None)(program)
        """
        self.assertEqual(found(source), [])

    def test_parallel_executor_without_progress_bar_is_not_flagged(self):
        source = """
            import dspy
            from dspy.utils.parallelizer import ParallelExecutor
            class FanOut(dspy.Module):
                def forward(self, parts):
                    executor = ParallelExecutor(num_threads=2, disable_progress_bar=True)
                    return executor.execute(self.answer, parts)
            async def main():
                program = dspy.asyncify(FanOut())
                await program(parts=[])
        """
        self.assertEqual(found(source), [])


class Suppressions(unittest.TestCase):
    def test_ignore_with_a_pattern_id(self):
        source = ISSUE_1867.replace(
            'ChainOfThought("q -> a"))',
            'ChainOfThought("q -> a"))  # dspy-compat: ignore[asyncify-not-outermost]')
        findings = scan(source)
        suppressed = [(f["pattern"], f["line"], f["suppression"]) for f in findings if f["suppressed"]]
        self.assertEqual(suppressed, [(audit.ASYNCIFY_NOT_OUTERMOST, 7,
                                       "ignore[asyncify-not-outermost]")])
        self.assertEqual(found(source), [(audit.CONTEXT_AROUND_ASYNCIFY, 11)])

    def test_bare_ignore_suppresses_every_pattern_on_the_line(self):
        source = ISSUE_1867.replace("with dspy.context(lm=self.lm):",
                                    "with dspy.context(lm=self.lm):  # dspy-compat: ignore")
        self.assertEqual(found(source), [(audit.ASYNCIFY_NOT_OUTERMOST, 7)])

    def test_ignore_of_another_pattern_does_not_suppress(self):
        source = ISSUE_1867.replace("with dspy.context(lm=self.lm):",
                                    "with dspy.context(lm=self.lm):  # dspy-compat: ignore[other]")
        self.assertIn((audit.CONTEXT_AROUND_ASYNCIFY, 11), found(source))

    def test_ignore_inside_a_string_is_not_a_comment(self):
        source = ISSUE_1867.replace("with dspy.context(lm=self.lm):",
                                    "with dspy.context(lm=self.lm, x='# dspy-compat: ignore'):")
        self.assertIn((audit.CONTEXT_AROUND_ASYNCIFY, 11), found(source))


class Locations(unittest.TestCase):
    def test_column_is_one_based_in_characters(self):
        source = 'import dspy\nasync def h(p):\n    s = "é"; p2 = dspy.asyncify(p)\n'
        [finding] = scan(source)
        self.assertEqual((finding["line"], finding["column"]), (3, 19))


class CommandLine(unittest.TestCase):
    def run_scanner(self, *args):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dspy_compat_audit.py")
        return subprocess.run([sys.executable, script] + list(args), capture_output=True,
                              text=True, check=False)

    def test_a_folder_skips_venvs_and_reports_parse_errors(self):
        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(os.path.join(folder, "pkg"))
            os.makedirs(os.path.join(folder, "venv"))
            with open(os.path.join(folder, "venv", "pyvenv.cfg"), "w") as handle:
                handle.write("home = /usr\n")
            with open(os.path.join(folder, "venv", "lib.py"), "w") as handle:
                handle.write(ISSUE_1867)
            with open(os.path.join(folder, "pkg", "qa.py"), "w") as handle:
                handle.write(ISSUE_1867)
            with open(os.path.join(folder, "pkg", "broken.py"), "w") as handle:
                handle.write("def (:\n")
            out = os.path.join(folder, "scan.json")
            result = self.run_scanner(folder, "--output", out)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(out) as handle:
                report = json.load(handle)
        self.assertEqual(report["schema"], audit.SCHEMA)
        self.assertEqual(report["files_scanned"], 2)
        self.assertEqual({f["file"] for f in report["findings"]}, {os.path.join("pkg", "qa.py")})
        self.assertEqual([e["file"] for e in report["parse_errors"]],
                         [os.path.join("pkg", "broken.py")])

    def test_a_missing_path_is_exit_2(self):
        result = self.run_scanner("/no/such/folder")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no such file or folder", result.stderr)


class Catalogue(unittest.TestCase):
    """The scanner on the bundled catalogue: every scenario that fails on
    some release is found, and no migrated variant has a warning or error."""

    def test_catalogue(self):
        report = audit.scan_paths([os.path.join(ROOT, "scenarios")])
        by_file = {}
        for finding in report["findings"]:
            by_file.setdefault(finding["file"], set()).add(finding["pattern"])
        for name in ("issue1867_concurrent16.py", "context_around_asyncify_concurrent.py",
                     "context_in_thread_event_loop.py", "configure_in_worker_thread.py",
                     "context_lm_silently_ignored.py", "two_lms_thread_loop.py",
                     "asyncify_nested_in_worker.py", "evaluate_inside_asyncify.py"):
            self.assertTrue(by_file.get(name), name)
        for name, patterns in by_file.items():
            if name.endswith("_migrated.py"):
                self.assertEqual(patterns, {audit.EVENT_LOOP_IN_THREAD}, name)
        for name in ("asyncify_outermost.py", "lm_per_call.py", "async_max_workers_saturated.py"):
            self.assertNotIn(name, by_file)


if __name__ == "__main__":
    unittest.main()
