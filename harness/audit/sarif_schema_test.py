"""Validates the SARIF that `dspy-compat audit` writes against the published
SARIF 2.1.0 schema, with jsonschema from PyPI.

    sarif_schema_test.py --binary dspy-compat --venv DIR --source-root ROOT
    sarif_schema_test.py --venv DIR --sarif FILE      (validate one file)

jsonschema is installed into --venv once (pip, else uv). The schema is read
from $DSPY_COMPAT_SARIF_SCHEMA, else ROOT/../shared/schemas/; without it, or
without a way to install jsonschema, the test is skipped (exit 77) with the
reason. Exit 1 when the file does not validate.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(SKIP)


def venv_python(venv):
    python = os.path.join(venv, "bin", "python")
    check = [python, "-c", "import jsonschema"]
    if os.path.exists(python) and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    attempts = [[python, "-m", "pip", "install", "--quiet", "jsonschema"]]
    if shutil.which("uv"):
        attempts.append(["uv", "pip", "install", "--quiet", "--python", python, "jsonschema"])
    for command in attempts:
        if subprocess.run(command).returncode == 0:
            if subprocess.run(check, capture_output=True).returncode == 0:
                return python
    skip("cannot install jsonschema into %s (no pip or uv reached a registry)" % venv)
    return None


VALIDATE = """
import json, sys
import jsonschema
with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    document = json.load(f)
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors[:20]:
    print("invalid at /%s: %s" % ("/".join(map(str, error.absolute_path)), error.message))
print("%s: %s against %s" % (sys.argv[2], "INVALID" if errors else "valid", validator.__class__.__name__))
sys.exit(1 if errors else 0)
"""


def validate(python, schema, sarif):
    return subprocess.run([python, "-c", VALIDATE, schema, sarif]).returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary")
    parser.add_argument("--venv", required=True)
    parser.add_argument("--source-root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    parser.add_argument("--sarif", help="validate this file instead of auditing the catalogue")
    args = parser.parse_args()
    schema = os.environ.get("DSPY_COMPAT_SARIF_SCHEMA") or os.path.join(
        args.source_root, "..", "shared", "schemas", "sarif-schema-2.1.0.json")
    if not os.path.exists(schema):
        skip("no SARIF schema at %s (set DSPY_COMPAT_SARIF_SCHEMA)" % schema)
    python = venv_python(args.venv)
    if args.sarif:
        return validate(python, schema, args.sarif)
    # The catalogue has every pattern, and a suppressed finding is added by a
    # copy of one scenario with an ignore comment: every SARIF construct occurs.
    with tempfile.TemporaryDirectory() as work:
        project = os.path.join(work, "project")
        shutil.copytree(os.path.join(args.source_root, "scenarios"), project)
        with open(os.path.join(project, "suppressed.py"), "w") as handle:
            handle.write("import dspy\n\nasync def handle(p):\n"
                         "    return dspy.asyncify(p)  # dspy-compat: ignore\n")
        with open(os.path.join(project, "broken.py"), "w") as handle:
            handle.write("def (:\n")
        out = os.path.join(work, "out")
        audit = subprocess.run([args.binary, "audit", project, "--out", out],
                               capture_output=True, text=True)
        if audit.returncode != 1:
            print("dspy-compat audit exited %d, expected 1 (findings):\n%s%s"
                  % (audit.returncode, audit.stdout, audit.stderr))
            return 1
        return validate(python, schema, os.path.join(out, "audit.sarif"))


if __name__ == "__main__":
    sys.exit(main())
