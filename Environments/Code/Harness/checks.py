"""Counting the asserts of a HumanEval-style `check(candidate)` (trusted side).

Every `assert TEST[, MSG]` statement inside `check` (loops and nested blocks included) is rewritten
to `__record__(INDEX, lambda: TEST)`, which evaluates the test, records the outcome and carries on, so
one failing assert does not hide the others. The count is static: the number of assert statements.
An assert passes when it ran at least once and every run was truthy; an assert never reached (the
check stopped early on an exception outside an assert) fails. Reward = passed / total.
"""

import ast

from protocol import CandidateFailure, TaskError


class _Rewriter(ast.NodeTransformer):
    def __init__(self, source):
        self.source = source
        self.asserts = []  # (line, source text)

    def visit_Assert(self, node):
        index = len(self.asserts)
        text = ast.get_source_segment(self.source, node) or ("assert at line %d" % node.lineno)
        self.asserts.append((node.lineno, " ".join(text.split())))
        thunk = ast.Lambda(
            args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                               kwarg=None, defaults=[]),
            body=node.test)
        call = ast.Call(func=ast.Name(id="__record__", ctx=ast.Load()),
                        args=[ast.Constant(value=index), thunk], keywords=[])
        return ast.copy_location(ast.Expr(value=call), node)


def instrument(test_source, filename="test.py"):
    """Compile `test_source` with counted asserts. Returns (code, [(line, text)] of the asserts)."""
    try:
        tree = ast.parse(test_source, filename=filename)
    except SyntaxError as err:
        raise TaskError("the task's test does not parse: %s" % err)
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if len(checks) != 1:
        raise TaskError("the task's test must define exactly one top-level `def check(candidate)`")
    rewriter = _Rewriter(test_source)
    checks[0].body = [rewriter.visit(stmt) for stmt in checks[0].body]
    if not rewriter.asserts:
        raise TaskError("the task's check(candidate) contains no assert statements")
    tree = ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec"), rewriter.asserts


class Recorder:
    """The `__record__` callable the rewritten asserts call."""

    def __init__(self, count):
        self.runs = [0] * count
        self.errors = [None] * count

    def __call__(self, index, thunk):
        self.runs[index] += 1
        try:
            ok = thunk()
        except TaskError:
            raise
        except CandidateFailure as exc:  # the candidate raised, exited, timed out or returned junk
            if self.errors[index] is None:
                self.errors[index] = str(exc)
            return
        except Exception as exc:  # the test's own expression failed on the value it got back
            if self.errors[index] is None:
                self.errors[index] = "%s: %s" % (type(exc).__name__, exc)
            return
        if not ok and self.errors[index] is None:
            self.errors[index] = "assertion is false"

    def outcome(self, index):
        """(passed, error text or None)."""
        if self.runs[index] == 0:
            return False, "not reached"
        return self.errors[index] is None, self.errors[index]
