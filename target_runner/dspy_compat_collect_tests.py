"""List the tests of a pytest file, statically, for dspy-compat's discovery.

    python3 dspy_compat_collect_tests.py FILE

prints {"file": FILE, "tests": ["test_a", "TestB::test_c", ...]} as JSON:
module-level `test_*` functions (async ones included) and the `test_*`
methods of module-level `Test*` classes, in file order, as pytest names them
after the file's `::`. The file is parsed with `ast`, never imported, so
listing needs neither the target's packages nor pytest, and runs on any
python3 >= 3.9. Parametrised tests are one id each (pytest runs all their
parameters for it). Exit status: 0 listed; 1 the file cannot be read or does
not parse (the reason on stderr); 2 bad arguments.

Standard library only.
"""

import ast
import json
import sys

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def is_test_function(node):
    return isinstance(node, FUNCTIONS) and node.name.startswith("test")


def is_test_class(node):
    # pytest does not collect a Test* class with its own __init__.
    if not (isinstance(node, ast.ClassDef) and node.name.startswith("Test")):
        return False
    return not any(isinstance(item, FUNCTIONS) and item.name == "__init__" for item in node.body)


def test_ids(source, filename="<test file>"):
    """The test ids of a test module's source, in file order."""
    tree = ast.parse(source, filename=filename)
    ids = []
    for node in tree.body:
        if is_test_function(node):
            ids.append(node.name)
        elif is_test_class(node):
            ids.extend("%s::%s" % (node.name, item.name) for item in node.body if is_test_function(item))
    return ids


def main(argv):
    if len(argv) != 1 or argv[0].startswith("-"):
        sys.stderr.write("usage: dspy_compat_collect_tests.py FILE\n")
        return 2
    path = argv[0]
    try:
        with open(path, "rb") as f:
            source = f.read()
        ids = test_ids(source, path)
    except (OSError, SyntaxError, ValueError) as exc:
        sys.stderr.write("cannot list the tests of %s: %s\n" % (path, exc))
        return 1
    sys.stdout.write(json.dumps({"file": path, "tests": ids}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
