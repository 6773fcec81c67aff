"""A fork server whose harness dies while it imports dspy goes too (issue 16:
a harness SIGKILLed during the warm-up left its servers importing on)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(os.path.dirname(HERE), "dspy_compat_forkserver.py")


class ForkServerWarmup(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dspy_compat_warmup_test_")
        os.makedirs(os.path.join(self.dir, "site", "dspy"))
        # An import that takes long, as dspy's does on a loaded machine.
        with open(os.path.join(self.dir, "site", "dspy", "__init__.py"), "w") as f:
            f.write("import time\ntime.sleep(60)\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_server_exits_when_its_harness_goes_during_the_import(self):
        harness_end, server_end = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.path.join(self.dir, "site"))
        server = subprocess.Popen(
            [sys.executable, SERVER, "--control-fd", str(server_end.fileno())],
            pass_fds=[server_end.fileno()], env=env)
        server_end.close()
        try:
            harness_end.sendall(json.dumps({"env": env}).encode() + b"\n")
            time.sleep(1.0)  # the server is now inside `import dspy`
            self.assertIsNone(server.poll(), "the server should still be importing")
            harness_end.close()  # as the kernel does when the harness is killed
            started = time.monotonic()
            server.wait(timeout=10)
            self.assertLess(time.monotonic() - started, 5)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


if __name__ == "__main__":
    unittest.main()
