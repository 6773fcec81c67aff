"""The fork server imports litellm before forking when DSPy left it for the
first LM call (DSPy 3): else every warm run pays that import (issue 13's
3.x runs took 20 s each, most of it importing litellm in the first call)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER_DIR = os.path.dirname(HERE)

PROBE = """
import sys
import dspy_compat_forkserver as server
first = server.import_lazy_dependencies()
again = server.import_lazy_dependencies()
print(first, again, getattr(sys.modules.get("litellm"), "IMPORTED", None))
"""


class ForkServerPreload(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dspy_compat_preload_test_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def probe(self):
        # -S: no site-packages, so only the stub (if any) can be found.
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([self.dir, RUNNER_DIR]))
        out = subprocess.run([sys.executable, "-S", "-c", PROBE], env=env, check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    def test_litellm_is_imported_once_when_installed_and_not_yet_imported(self):
        os.makedirs(os.path.join(self.dir, "litellm"))
        with open(os.path.join(self.dir, "litellm", "__init__.py"), "w") as f:
            f.write("IMPORTED = True\n")
        self.assertEqual(self.probe(), "['litellm'] [] True")

    def test_nothing_is_imported_where_litellm_is_not_installed(self):
        self.assertEqual(self.probe(), "[] [] None")


if __name__ == "__main__":
    unittest.main()
