"""The `dspy-compat` console script (and `python -m dspy_compat`).

auditwheel can only give a binary in the package folder a fixed RPATH to the
bundled libraries (a binary in the wheel's scripts folder lands wherever the
installer puts scripts), so the binary stays here and this replaces the
process with it: exit codes, signals and the terminal are the binary's own.
"""

import os
import sys

from dspy_compat import BINARY


def main() -> None:
    try:
        os.execv(BINARY, ["dspy-compat", *sys.argv[1:]])
    except OSError as e:
        sys.stderr.write(f"dspy-compat: cannot start {BINARY}: {e.strerror}\n")
        sys.exit(3)


if __name__ == "__main__":
    main()
