"""Unit tests of the changed-code diff (dspy_compat_changed_code.py) and of
the runner's line tracer, on the system's python3 with small fake packages."""

import json
import os
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import dspy_compat_changed_code as cc  # noqa: E402
import dspy_compat_runner as runner  # noqa: E402


def write(site, rel, text):
    path = os.path.join(site, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


OLD_SETTINGS = "import contextvars\n\nclass Settings:\n    def lm(self):\n        return ctx.get()\n"
NEW_SETTINGS = "import threading\n\nclass Settings:\n    def lm(self):\n        return local.lm\n"


class DiffHunksTest(unittest.TestCase):
    def test_replaced_lines_are_one_hunk_each_side_numbered_from_one(self):
        hunks = cc.diff_hunks("dsp/utils/settings.py", OLD_SETTINGS.splitlines(), NEW_SETTINGS.splitlines())
        self.assertEqual([(h["old_start"], h["old_lines"], h["new_start"], h["new_lines"]) for h in hunks],
                         [(1, 1, 1, 1), (5, 1, 5, 1)])
        self.assertEqual(hunks[1]["lines"], ["-        return ctx.get()", "+        return local.lm"])

    def test_inserted_lines_have_no_old_lines(self):
        hunks = cc.diff_hunks("f.py", ["a", "b"], ["a", "x", "y", "b"])
        self.assertEqual([(h["old_start"], h["old_lines"], h["new_start"], h["new_lines"]) for h in hunks],
                         [(2, 0, 2, 2)])


class IntersectTest(unittest.TestCase):
    HUNKS = [
        {"file": "dsp/utils/settings.py", "old_start": 1, "old_lines": 1, "new_start": 1, "new_lines": 1,
         "lines": ["-import contextvars", "+import threading"]},
        {"file": "dsp/utils/settings.py", "old_start": 5, "old_lines": 1, "new_start": 5, "new_lines": 1,
         "lines": ["-        return ctx.get()", "+        return local.lm"]},
        {"file": "dspy/adapters/json_adapter.py", "old_start": 10, "old_lines": 3, "new_start": 10,
         "new_lines": 0, "lines": ["-a", "-b", "-c"]},
        {"file": "dspy/other.py", "old_start": 3, "old_lines": 0, "new_start": 3, "new_lines": 2,
         "lines": ["+x", "+y"]},
    ]

    def test_keeps_hunks_either_side_executed_with_the_lines_it_ran(self):
        old = {"dsp/utils/settings.py": {4, 5}, "dspy/adapters/json_adapter.py": {12, 13}}
        new = {"dsp/utils/settings.py": {4}, "dspy/other.py": {4}}
        kept = cc.intersect(self.HUNKS, old, new)
        self.assertEqual([(h["file"], h["old_start"], h["executed_old"], h["executed_new"]) for h in kept],
                         [("dsp/utils/settings.py", 5, [5], []),
                          ("dspy/adapters/json_adapter.py", 10, [12], []),
                          ("dspy/other.py", 3, [], [4])])

    def test_a_line_just_outside_a_hunk_does_not_count(self):
        old = {"dsp/utils/settings.py": {2, 4, 6}}
        self.assertEqual(cc.intersect(self.HUNKS, old, {}), [])

    def test_long_hunks_are_bounded(self):
        hunk = {"file": "f.py", "old_start": 1, "old_lines": 100, "new_start": 1, "new_lines": 0,
                "lines": ["-%d" % i for i in range(100)]}
        kept = cc.intersect([hunk], {"f.py": {1}}, {})
        self.assertEqual(len(kept[0]["lines"]), cc.MAX_HUNK_LINES + 1)
        self.assertEqual(kept[0]["lines"][-1], "... 60 more lines")


class ChangedCodeTest(unittest.TestCase):
    def test_two_sites_and_their_traces(self):
        with tempfile.TemporaryDirectory() as tmp:
            old, new = os.path.join(tmp, "old"), os.path.join(tmp, "new")
            for site, settings in ((old, OLD_SETTINGS), (new, NEW_SETTINGS)):
                write(site, "dsp/utils/settings.py", settings)
                write(site, "dspy/__init__.py", "x = 1\n")
            write(new, "dspy/added.py", "y = 2\n")
            write(old, "elsewhere/settings.py", "not compared\n")
            result = cc.changed_code(old, new, {"dsp/utils/settings.py": {5}}, {"dspy/added.py": {1}})
            self.assertEqual(result["files_compared"], 3)
            self.assertEqual(result["files_changed"], 2)
            self.assertEqual(result["hunks_changed"], 3)
            self.assertEqual([(h["file"], h["old_start"]) for h in result["hunks"]],
                             [("dsp/utils/settings.py", 5), ("dspy/added.py", 1)])

    def test_main_writes_json_and_refuses_a_folder_without_dspy(self):
        with tempfile.TemporaryDirectory() as tmp:
            old, new = os.path.join(tmp, "old"), os.path.join(tmp, "new")
            write(old, "dspy/a.py", "a\n")
            write(new, "dspy/a.py", "b\n")
            trace = os.path.join(tmp, "t.json")
            with open(trace, "w") as f:
                json.dump({"schema": runner.TRACE_SCHEMA, "files": {"dspy/a.py": [1]}}, f)
            out = os.path.join(tmp, "out.json")
            argv = ["--old-site", old, "--new-site", new, "--old-trace", trace, "--new-trace", trace, "--out", out]
            self.assertEqual(cc.main(argv), 0)
            with open(out) as f:
                self.assertEqual(json.load(f)["hunks"][0]["executed_new"], [1])
            argv[1] = tmp
            self.assertEqual(cc.main(argv), 2)


class DspyLineTracerTest(unittest.TestCase):
    def test_records_lines_of_the_packages_only_in_every_thread(self):
        with tempfile.TemporaryDirectory() as site:
            write(site, "dsp/utils/settings.py", "def lm():\n    a = 1\n    return a\n")
            write(site, "dsp/__init__.py", "")
            write(site, "dsp/utils/__init__.py", "")
            write(site, "other/mod.py", "def f():\n    return 2\n")
            write(site, "other/__init__.py", "")
            sys.path.insert(0, site)
            try:
                import dsp.utils.settings as settings
                import other.mod as mod
                tracer = runner.DspyLineTracer(site)
                tracer.start()
                try:
                    mod.f()
                    thread = threading.Thread(target=settings.lm)
                    thread.start()
                    thread.join()
                finally:
                    tracer.stop()
            finally:
                sys.path.remove(site)
                for name in ("dsp.utils.settings", "dsp.utils", "dsp", "other.mod", "other"):
                    sys.modules.pop(name, None)
            self.assertEqual(tracer.as_json()["files"], {"dsp/utils/settings.py": [1, 2, 3]})
            out = os.path.join(site, "trace.json")
            runner.write_trace(out, tracer)
            with open(out) as f:
                written = json.load(f)
            self.assertEqual(written["schema"], "dspy-compat/dspy-trace/v1")
            self.assertEqual(cc.read_trace(out), {"dsp/utils/settings.py": {1, 2, 3}})


if __name__ == "__main__":
    unittest.main()
