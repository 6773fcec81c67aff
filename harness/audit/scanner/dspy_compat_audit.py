"""Static scan of a project's Python code for the DSPy async and settings
patterns the dspy-compat catalogue measures.

Runs under any python3 >= 3.9 (the system's or a target's), stdlib only. It
reads source with `ast` and `tokenize` (comments), never with regular
expressions, and writes one JSON document of findings; `dspy-compat audit`
joins them with the catalogue (fixtures/audit/patterns.toml) and renders
SARIF, Markdown and annotations.

    python3 dspy_compat_audit.py [--output FILE] PATH...

Exit codes: 0 scanned (findings or not), 2 bad input (a path that does not
exist, an unusable interpreter).

The analysis is per file and deliberately simple: import aliases are
resolved, calls between the file's own functions and methods form a call
graph, and three kinds of roots decide where a function may run:
  - thread roots: threading.Thread(target=f), Timer, executor.submit(f),
    loop.run_in_executor(_, f), asyncio.to_thread(f), Thread subclasses' run;
  - worker roots: what dspy.asyncify(x) wraps (a function, or a class's
    forward/__call__), i.e. code that runs in an asyncify worker thread;
  - main entries: module-level code, functions named main or test_*.
"""

import argparse
import ast
import io
import json
import os
import sys
import time
import tokenize

SCHEMA = "dspy-compat/audit-scan/v1"

# Pattern ids; their titles, scenarios and remediations are data, in
# fixtures/audit/patterns.toml (a test checks the two lists agree).
ASYNCIFY_NOT_OUTERMOST = "asyncify-not-outermost"
ASYNCIFY_IN_WORKER = "asyncify-in-worker"
CONTEXT_AROUND_ASYNCIFY = "context-around-asyncify"
CONTEXT_LM_SILENTLY_IGNORED = "context-lm-silently-ignored"
CONTEXT_IN_THREAD_EVENT_LOOP = "context-in-thread-event-loop"
CONFIGURE_OUTSIDE_MAIN_THREAD = "configure-outside-main-thread"
EVENT_LOOP_IN_THREAD = "event-loop-in-thread"
PARALLEL_IN_ASYNCIFY = "parallel-in-asyncify"

PATTERNS = (
    ASYNCIFY_NOT_OUTERMOST,
    ASYNCIFY_IN_WORKER,
    CONTEXT_AROUND_ASYNCIFY,
    CONTEXT_LM_SILENTLY_IGNORED,
    CONTEXT_IN_THREAD_EVENT_LOOP,
    CONFIGURE_OUTSIDE_MAIN_THREAD,
    EVENT_LOOP_IN_THREAD,
    PARALLEL_IN_ASYNCIFY,
)

SUPPRESSION_MARK = "dspy-compat:"

# Folders never scanned: virtual environments and tool caches are not the
# project's code.
SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages"}

MODULE = "<module>"
LOCK_FACTORIES = {"threading.Lock", "threading.RLock", "threading.Semaphore",
                  "threading.BoundedSemaphore", "multiprocessing.Lock"}
LOOP_RUNNERS = {"asyncio.run", "anyio.run", "trio.run"}


class Function:
    """A def (or the module's top level), with what the analysis needs."""

    def __init__(self, key, node, parent, cls):
        self.key = key
        self.node = node
        self.parent = parent  # enclosing Function key, None for the module
        self.cls = cls        # enclosing class name when a method, else None
        self.is_async = isinstance(node, ast.AsyncFunctionDef)
        self.defs = {}        # local def name -> Function key
        self.classes = {}     # local class name -> class key
        self.var_types = {}   # local variable -> class key (x = Cls(...))
        self.asyncified = {}  # local variable -> line of its dspy.asyncify(...)
        self.name = getattr(node, "name", MODULE)


class Class:
    def __init__(self, key, node):
        self.key = key
        self.node = node
        self.methods = {}      # name -> Function key
        self.attr_types = {}   # self.attr -> class key
        self.asyncified = {}   # self.attr -> line of its dspy.asyncify(...)
        self.locks = set()     # self.attr holding a threading.Lock


def shallow_walk(node):
    """Yields (child, ancestors) below node without entering nested defs or
    classes (their code runs elsewhere); lambdas count as their enclosing
    code."""
    stack = [(child, (node,)) for child in reversed(list(ast.iter_child_nodes(node)))]
    while stack:
        current, ancestors = stack.pop()
        yield current, ancestors
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children = list(ast.iter_child_nodes(current))
        for child in reversed(children):
            stack.append((child, ancestors + (current,)))


def function_body_walk(fn):
    """The code of a Function: a def's body, or the module's statements
    including class bodies (which run at import)."""
    if fn.key == MODULE:
        queue = [fn.node]
        while queue:
            top = queue.pop()
            for child, ancestors in shallow_walk(top):
                yield child, ancestors
                if isinstance(child, ast.ClassDef):
                    queue.append(child)
        return
    for stmt in fn.node.body:
        yield stmt, (fn.node,)
        for child, ancestors in shallow_walk(stmt):
            yield child, ((fn.node, stmt) + ancestors[1:])


class FileScan:
    def __init__(self, path, display, source):
        self.path = path
        self.display = display
        self.source = source
        self.tree = ast.parse(source, filename=path)
        self.lines = source.splitlines()
        self.aliases = {}      # local name -> dotted name it stands for
        self.functions = {}    # key -> Function
        self.classes = {}      # key -> Class
        self.module_locks = set()
        self.findings = []
        self.global_lm_lines = []  # lines of dspy.configure(lm=...)
        self.bodies = {}

    # -- names -------------------------------------------------------------
    def collect_imports(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.aliases[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        self.aliases[alias.asname or alias.name] = node.module + "." + alias.name
        # Module-level aliases of DSPy's API: `configure = dspy.configure`.
        for stmt in self.tree.body:
            if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, (ast.Name, ast.Attribute))):
                dotted = self.dotted(stmt.value)
                if dotted and dotted.split(".")[0] in ("dspy", "dsp"):
                    self.aliases[stmt.targets[0].id] = dotted

    def dotted(self, expr):
        """The dotted name an expression stands for, with imports resolved
        (`d.asyncify` after `import dspy as d` is `dspy.asyncify`); None for
        anything not rooted in an import."""
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name) or expr.id not in self.aliases:
            return None
        parts.append(self.aliases[expr.id])
        return ".".join(reversed(parts))

    def dspy_api(self, expr):
        """The last component of a name from DSPy's namespace (dspy.asyncify,
        dspy.settings.context, dspy.utils.parallelizer.ParallelExecutor), so
        that an asyncify or context from another library never matches."""
        dotted = self.dotted(expr)
        if not dotted:
            return None
        parts = dotted.split(".")
        if parts[0] not in ("dspy", "dsp"):
            return None
        return parts[-1]

    # -- structure ---------------------------------------------------------
    def collect_structure(self):
        module = Function(MODULE, self.tree, None, None)
        self.functions[MODULE] = module

        def visit(node, parent_key, cls_key):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    parent = self.functions[parent_key]
                    if cls_key is not None and node is self.classes[cls_key].node:
                        key = cls_key + "." + child.name
                        self.classes[cls_key].methods[child.name] = key
                    else:
                        key = (parent_key + "." if parent_key != MODULE else "") + child.name
                        parent.defs[child.name] = key
                    fn = Function(key, child, parent_key, cls_key)
                    self.functions[key] = fn
                    visit(child, key, cls_key)
                elif isinstance(child, ast.ClassDef):
                    prefix = parent_key + "." if parent_key != MODULE else ""
                    key = prefix + child.name
                    self.classes[key] = Class(key, child)
                    self.functions[parent_key].classes[child.name] = key
                    visit(child, parent_key, key)
                else:
                    visit(child, parent_key, cls_key)

        visit(self.tree, MODULE, None)

    def body(self, key):
        """function_body_walk of a Function, walked once per file."""
        nodes = self.bodies.get(key)
        if nodes is None:
            nodes = self.bodies[key] = list(function_body_walk(self.functions[key]))
        return nodes

    def resolve_class(self, scope_key, name):
        key = scope_key
        while key is not None:
            fn = self.functions[key]
            if name in fn.classes:
                return fn.classes[name]
            key = fn.parent
        return None

    def resolve_def(self, scope_key, name):
        key = scope_key
        while key is not None:
            fn = self.functions[key]
            if name in fn.defs:
                return fn.defs[name]
            key = fn.parent
        return None

    def var_type(self, scope_key, name):
        key = scope_key
        while key is not None:
            fn = self.functions[key]
            if name in fn.var_types:
                return fn.var_types[name]
            key = fn.parent
        return None

    def instance_class(self, scope_key, expr):
        """The class key of an expression that is an instance of one of the
        file's classes: Cls(...), a variable assigned Cls(...), self.attr."""
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            return self.resolve_class(scope_key, expr.func.id)
        if isinstance(expr, ast.Name):
            return self.var_type(scope_key, expr.id)
        cls = self.self_class(scope_key, expr)
        if cls is not None:
            return self.classes[cls].attr_types.get(expr.attr)
        return None

    def self_class(self, scope_key, expr):
        """The class of `self` when expr is self.<attr> inside a method."""
        if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)
                and expr.value.id == "self"):
            return self.functions[scope_key].cls
        return None

    def entry_methods(self, cls_key):
        methods = self.classes[cls_key].methods
        return [methods[m] for m in ("forward", "__call__", "aforward", "acall") if m in methods]

    def collect_bindings(self):
        """Variables and attributes bound to classes, asyncified callables and
        locks."""
        for key, fn in self.functions.items():
            for node, _ in self.body(key):
                if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                cls_key = None
                is_asyncify = False
                is_lock = False
                if isinstance(value, ast.Call):
                    is_asyncify = self.dspy_api(value.func) == "asyncify"
                    is_lock = self.dotted(value.func) in LOCK_FACTORIES
                    if isinstance(value.func, ast.Name):
                        cls_key = self.resolve_class(key, value.func.id)
                for target in targets:
                    if isinstance(target, ast.Name):
                        if is_asyncify:
                            fn.asyncified[target.id] = value.lineno
                        if cls_key:
                            fn.var_types[target.id] = cls_key
                        if is_lock and key == MODULE:
                            self.module_locks.add(target.id)
                    owner = self.self_class(key, target)
                    if owner is not None:
                        cls = self.classes[owner]
                        if is_asyncify:
                            cls.asyncified[target.attr] = value.lineno
                        if cls_key:
                            cls.attr_types[target.attr] = cls_key
                        if is_lock:
                            cls.locks.add(target.attr)

    def asyncified_line(self, scope_key, func):
        """The line of the dspy.asyncify(...) a called expression comes from,
        or None when it is not an asyncified callable."""
        if isinstance(func, ast.Call) and self.dspy_api(func.func) == "asyncify":
            return func.lineno
        if isinstance(func, ast.Name):
            key = scope_key
            while key is not None:
                fn = self.functions[key]
                if func.id in fn.asyncified:
                    return fn.asyncified[func.id]
                if func.id in fn.defs or func.id in fn.var_types:
                    return None  # shadowed by a local binding
                key = fn.parent
            return None
        cls = self.self_class(scope_key, func)
        if cls is not None:
            return self.classes[cls].asyncified.get(func.attr)
        return None

    # -- call graph --------------------------------------------------------
    def callees(self, scope_key, func):
        """Function keys a call of `func` in scope_key may run."""
        if isinstance(func, ast.Name):
            target = self.resolve_def(scope_key, func.id)
            if target:
                return [target]
            cls = self.resolve_class(scope_key, func.id)
            if cls:
                init = self.classes[cls].methods.get("__init__")
                return [init] if init else []
            inst = self.var_type(scope_key, func.id)
            if inst:
                return self.entry_methods(inst)
            return []
        if isinstance(func, ast.Attribute):
            owner = self.self_class(scope_key, func)
            if owner is not None:
                cls = self.classes[owner]
                if func.attr in cls.methods:
                    return [cls.methods[func.attr]]
                if func.attr in cls.attr_types:
                    return self.entry_methods(cls.attr_types[func.attr])
                return []
            inst = self.instance_class(scope_key, func.value)
            if inst and func.attr in self.classes[inst].methods:
                return [self.classes[inst].methods[func.attr]]
        return []

    def function_ref(self, scope_key, expr):
        """Function keys that a callable passed by reference (a thread target,
        what asyncify wraps) runs."""
        if isinstance(expr, ast.Lambda):
            found = []
            for node in ast.walk(expr.body):
                if isinstance(node, ast.Call):
                    found.extend(self.callees(scope_key, node.func))
            return found
        if isinstance(expr, ast.Name):
            target = self.resolve_def(scope_key, expr.id)
            if target:
                return [target]
            cls = self.resolve_class(scope_key, expr.id)
            if cls:  # asyncify(SomeModule) wraps the class: instances run elsewhere
                return []
        if isinstance(expr, ast.Attribute):
            owner = self.self_class(scope_key, expr)
            if owner is not None and expr.attr in self.classes[owner].methods:
                return [self.classes[owner].methods[expr.attr]]
            if (isinstance(expr.value, ast.Name) and expr.attr in ("forward", "__call__")):
                inst = self.var_type(scope_key, expr.value.id)
                if inst and expr.attr in self.classes[inst].methods:
                    return [self.classes[inst].methods[expr.attr]]
        inst = self.instance_class(scope_key, expr)
        if inst:
            return self.entry_methods(inst)
        return []

    def build_graph(self):
        self.edges = {key: set() for key in self.functions}
        self.thread_roots = {}  # function key -> line where the thread starts
        self.worker_roots = {}  # function key -> line of the asyncify
        self.calls = []         # (scope key, Call node, ancestors)
        for key in self.functions:
            for node, ancestors in self.body(key):
                if not isinstance(node, ast.Call):
                    continue
                self.calls.append((key, node, ancestors))
                self.edges[key].update(self.callees(key, node.func))
                for target in self.thread_targets(node):
                    for root in self.function_ref(key, target):
                        self.thread_roots.setdefault(root, node.lineno)
                if self.dspy_api(node.func) == "asyncify" and node.args:
                    for root in self.function_ref(key, node.args[0]):
                        self.worker_roots.setdefault(root, node.lineno)
        for cls in self.classes.values():
            if any(self.dotted(base) == "threading.Thread" for base in cls.node.bases):
                if "run" in cls.methods:
                    self.thread_roots.setdefault(cls.methods["run"], cls.node.lineno)

    def thread_targets(self, call):
        dotted = self.dotted(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if dotted == "threading.Thread":
            return [keywords["target"]] if "target" in keywords else call.args[1:2]
        if dotted == "threading.Timer":
            return [keywords["function"]] if "function" in keywords else call.args[1:2]
        if dotted in ("asyncio.to_thread", "anyio.to_thread.run_sync"):
            return call.args[:1]
        if isinstance(call.func, ast.Attribute):
            if call.func.attr == "submit":
                return call.args[:1]
            if call.func.attr == "run_in_executor":
                return call.args[1:2]
        return []

    def reach(self, roots):
        """Function key -> the root line it is reached from."""
        reached = {}
        queue = list(roots.items())
        while queue:
            key, line = queue.pop()
            if key in reached:
                continue
            reached[key] = line
            for callee in self.edges.get(key, ()):
                if callee not in reached:
                    queue.append((callee, line))
        return reached

    def compute_reach(self):
        self.in_thread = self.reach(self.thread_roots)
        self.in_worker = self.reach(self.worker_roots)
        entries = {MODULE: 0}
        for key, fn in self.functions.items():
            if fn.cls is None and (fn.name == "main" or fn.name.startswith("test_")):
                entries[key] = 0
        self.in_main = self.reach(entries)
        # Which coroutine functions await an asyncified callable, directly or
        # through coroutines (and module instances) they await.
        self.awaits_asyncify = set()
        changed = True
        while changed:
            changed = False
            for key, fn in self.functions.items():
                if key in self.awaits_asyncify or not fn.is_async:
                    continue
                if any(self.await_reaches_asyncify(key, node)
                       for node, _ in self.body(key) if isinstance(node, ast.Await)):
                    self.awaits_asyncify.add(key)
                    changed = True

    def await_reaches_asyncify(self, scope_key, await_node):
        for node in ast.walk(await_node.value):
            if not isinstance(node, ast.Call):
                continue
            if self.asyncified_line(scope_key, node.func) is not None:
                return True
            if any(c in self.awaits_asyncify for c in self.callees(scope_key, node.func)):
                return True
        return False

    def coroutine_reaches_asyncify(self, scope_key, expr):
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                if self.asyncified_line(scope_key, node.func) is not None:
                    return True
                if any(c in self.awaits_asyncify for c in self.callees(scope_key, node.func)):
                    return True
        return False

    # -- patterns ----------------------------------------------------------
    def where(self, key):
        return "module level" if key == MODULE else self.functions[key].key

    def add(self, pattern, node, message):
        self.findings.append({
            "pattern": pattern,
            "node": node,
            "message": message,
        })

    def find_patterns(self):
        for _scope, node, _ in self.calls:
            api = self.dspy_api(node.func)
            if api == "configure":
                keywords = {kw.arg for kw in node.keywords}
                if "lm" in keywords:
                    self.global_lm_lines.append(node.lineno)
        for key, node, ancestors in self.calls:
            api = self.dspy_api(node.func)
            if api == "asyncify":
                self.check_asyncify(key, node)
            elif api == "configure":
                self.check_configure(key, node)
            elif api == "context":
                self.check_context(key, node, ancestors)
            elif api in ("Evaluate", "ParallelExecutor"):
                self.check_parallel(key, node, api, ancestors)
            dotted = self.dotted(node.func)
            is_loop_runner = dotted in LOOP_RUNNERS or (
                isinstance(node.func, ast.Attribute) and node.func.attr == "run_until_complete")
            if is_loop_runner and key in self.in_thread and node.args:
                if self.coroutine_reaches_asyncify(key, node.args[0]):
                    self.add(EVENT_LOOP_IN_THREAD, node,
                             "an event loop runs in a thread (started at line %d) and drives an "
                             "asyncified program: dspy.context and dspy.configure in this loop "
                             "never reach the main thread's settings on DSPy 2.5.40"
                             % self.in_thread[key])

    def check_asyncify(self, key, node):
        if key == MODULE:
            return
        if key in self.in_worker:
            self.add(ASYNCIFY_IN_WORKER, node,
                     "dspy.asyncify is called in %s, which runs inside the program asyncified "
                     "at line %d: asyncify asserts it is called from the main thread"
                     % (self.where(key), self.in_worker[key]))
            return
        if key in self.in_thread:
            self.add(ASYNCIFY_IN_WORKER, node,
                     "dspy.asyncify is called in %s, which runs in a thread started at line "
                     "%d: asyncify asserts it is called from the main thread"
                     % (self.where(key), self.in_thread[key]))
            return
        fn = self.functions[key]
        if fn.cls is not None:
            self.add(ASYNCIFY_NOT_OUTERMOST, node,
                     "dspy.asyncify is built inside %s, not once around the whole program at "
                     "the outermost level" % self.where(key))
        elif key not in self.in_main:
            # A function the program's entry (module code, main, a test)
            # reaches is taken as its outermost level; one nothing here calls
            # is a handler some framework calls per request.
            self.add(ASYNCIFY_NOT_OUTERMOST, node,
                     "dspy.asyncify is built inside function %s (on every call), not once "
                     "around the whole program at the outermost level" % self.where(key))

    def check_configure(self, key, node):
        if key in self.in_thread:
            reason = "runs in a thread started at line %d" % self.in_thread[key]
        elif key in self.in_worker:
            reason = "runs inside the program asyncified at line %d" % self.in_worker[key]
        elif self.functions[key].is_async and key not in self.in_main:
            reason = "is a coroutine that the program's main thread is not seen to run"
        else:
            return
        self.add(CONFIGURE_OUTSIDE_MAIN_THREAD, node,
                 "dspy.configure is called in %s, which %s: on DSPy 2.5.40 it sets only that "
                 "thread's settings, and DSPy 2.6 refuses it outside the configuring thread"
                 % (self.where(key), reason))

    def with_of(self, node, ancestors):
        """The With statement whose item is this call, or None."""
        if len(ancestors) >= 2:
            item, stmt = ancestors[-1], ancestors[-2]
            if isinstance(item, ast.withitem) and isinstance(stmt, ast.With):
                if item.context_expr is node:
                    return stmt
        return None

    def check_context(self, key, node, ancestors):
        stmt = self.with_of(node, ancestors)
        if stmt is None:
            return
        awaited = None
        for body_stmt in stmt.body:
            for child, _ in shallow_walk(ast.Module(body=[body_stmt], type_ignores=[])):
                if isinstance(child, ast.Await) and self.await_reaches_asyncify(key, child):
                    awaited = child
                    break
            if awaited:
                break
        if awaited is None:
            return
        sets_lm = any(kw.arg == "lm" for kw in node.keywords)
        if key in self.in_thread:
            self.add(CONTEXT_IN_THREAD_EVENT_LOOP, node,
                     "dspy.context(...) around an awaited asyncified call (line %d) in an event "
                     "loop outside the main thread (started at line %d): on DSPy 2.5.40 the "
                     "override never reaches asyncify's worker thread"
                     % (awaited.lineno, self.in_thread[key]))
        elif sets_lm and self.global_lm_lines:
            self.add(CONTEXT_LM_SILENTLY_IGNORED, node,
                     "dspy.context(lm=...) around an awaited asyncified call (line %d) while a "
                     "global LM is configured (line %d): on DSPy 2.5.40 the worker thread may "
                     "silently use the global LM instead"
                     % (awaited.lineno, self.global_lm_lines[0]))
        else:
            self.add(CONTEXT_AROUND_ASYNCIFY, node,
                     "dspy.context(...) around an awaited asyncified call (line %d): on DSPy "
                     "2.5.40 the override reaches asyncify's worker thread only until another "
                     "call leaves its context (No LM is loaded)" % awaited.lineno)

    def under_lock(self, key, ancestors):
        for ancestor in ancestors:
            if isinstance(ancestor, ast.With):
                for item in ancestor.items:
                    expr = item.context_expr
                    if isinstance(expr, ast.Name) and expr.id in self.module_locks:
                        return True
                    owner = self.self_class(key, expr)
                    if owner is not None and expr.attr in self.classes[owner].locks:
                        return True
        return False

    def check_parallel(self, key, node, api, ancestors):
        if key not in self.in_worker:
            return
        keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        if api == "ParallelExecutor":
            # The measured failure is the progress display and log redirection
            # shared between concurrent executors; without it the catalogue's
            # migrated fan-out passes everywhere.
            flag = keywords.get("disable_progress_bar")
            if isinstance(flag, ast.Constant) and flag.value is True:
                return
        if self.under_lock(key, ancestors) or self.used_under_lock(key, node, ancestors):
            return
        self.add(PARALLEL_IN_ASYNCIFY, node,
                 "dspy.%s runs its own thread pool inside %s, which runs inside the program "
                 "asyncified at line %d: concurrent calls share its progress display and log "
                 "redirection" % (api, self.where(key), self.in_worker[key]))

    def used_under_lock(self, key, node, ancestors):
        """evaluate = dspy.Evaluate(...) whose every call is inside a lock."""
        parent = ancestors[-1] if ancestors else None
        if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
                and isinstance(parent.targets[0], ast.Name)):
            return False
        name = parent.targets[0].id
        uses = [(n, a) for n, a in self.body(key)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]
        return bool(uses) and all(self.under_lock(key, a) for _, a in uses)

    # -- output ------------------------------------------------------------
    def column(self, node):
        """1-based column in characters (ast gives a UTF-8 byte offset)."""
        line = self.lines[node.lineno - 1] if node.lineno - 1 < len(self.lines) else ""
        return len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace")) + 1

    def suppressions(self):
        """Line -> None (bare `ignore`) or the set of pattern ids ignored."""
        found = {}
        tokens = tokenize.generate_tokens(io.StringIO(self.source).readline)
        try:
            for token in tokens:
                if token.type != tokenize.COMMENT:
                    continue
                text = token.string.lstrip("#").strip()
                if not text.startswith(SUPPRESSION_MARK):
                    continue
                rest = text[len(SUPPRESSION_MARK):].strip()
                if not rest.startswith("ignore"):
                    continue
                rest = rest[len("ignore"):].strip()
                line = token.start[0]
                if rest.startswith("[") and "]" in rest:
                    ids = {p.strip() for p in rest[1:rest.index("]")].split(",") if p.strip()}
                    previous = found.get(line, set())
                    found[line] = None if previous is None else (previous | ids)
                elif not rest or rest.startswith("#") or rest.startswith(" "):
                    found[line] = None
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return found

    def results(self):
        ignored = self.suppressions() if self.findings else {}
        out = []
        seen = set()
        for finding in self.findings:
            node = finding["node"]
            key = (finding["pattern"], node.lineno, node.col_offset)
            if key in seen:
                continue
            seen.add(key)
            suppression = None
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if line in ignored:
                    ids = ignored[line]
                    if ids is None:
                        suppression = "ignore"
                    elif finding["pattern"] in ids:
                        suppression = "ignore[%s]" % finding["pattern"]
                    if suppression:
                        break
            out.append({
                "file": self.display,
                "line": node.lineno,
                "column": self.column(node),
                "end_line": node.end_lineno or node.lineno,
                "pattern": finding["pattern"],
                "message": finding["message"],
                "snippet": self.lines[node.lineno - 1].strip() if node.lineno <= len(self.lines) else "",
                "suppressed": suppression is not None,
                "suppression": suppression or "",
            })
        out.sort(key=lambda f: (f["line"], f["column"], f["pattern"]))
        return out

    def run(self):
        self.collect_imports()
        if not any(v.split(".")[0] in ("dspy", "dsp") for v in self.aliases.values()):
            return []  # every pattern is a call into DSPy
        self.collect_structure()
        self.collect_bindings()
        self.build_graph()
        self.compute_reach()
        self.find_patterns()
        return self.results()


def scan_source(source, display="<source>"):
    """Findings of one source text (the unit tests' entry point)."""
    return FileScan(display, display, source).run()


def python_files(root):
    if os.path.isfile(root):
        yield root
        return
    for folder, dirs, files in os.walk(root):
        # A virtual environment (pyvenv.cfg), hidden folders and caches are
        # not the project's own code.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS
                         and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def scan_paths(paths):
    started = time.monotonic()
    findings, errors, count = [], [], 0
    for root in paths:
        base = root if os.path.isdir(root) else os.path.dirname(root) or "."
        for path in python_files(root):
            count += 1
            display = os.path.relpath(path, base)
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                source = data.decode(tokenize.detect_encoding(io.BytesIO(data).readline)[0])
                findings.extend(FileScan(path, display, source).run())
            except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError) as exc:
                errors.append({"file": display, "line": getattr(exc, "lineno", None) or 0,
                               "message": "%s: %s" % (type(exc).__name__, exc)})
    return {
        "schema": SCHEMA,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "files_scanned": count,
        "seconds": round(time.monotonic() - started, 3),
        "patterns": list(PATTERNS),
        "findings": findings,
        "parse_errors": errors,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="files or folders to scan")
    parser.add_argument("--output", help="write the JSON here instead of stdout")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not os.path.exists(path):
            print("dspy_compat_audit: no such file or folder: %s" % path, file=sys.stderr)
            return 2
    report = scan_paths(args.paths)
    text = json.dumps(report, indent=1)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    if sys.version_info < (3, 9):
        print("dspy_compat_audit: needs python >= 3.9 (the oldest the scanner is tested on)",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(main())
