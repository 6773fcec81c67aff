"""dspy-compat: which of your DSPy async patterns break on upgrade, and why.

The tool is a C++ binary; this package only carries it (bin/dspy-compat,
with its data in share/dspy-compat/) and starts it.
"""

from pathlib import Path

BINARY = Path(__file__).resolve().parent / "bin" / "dspy-compat"
