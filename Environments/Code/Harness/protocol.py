"""Names shared by the trusted harness and the trusted task files (drivers and scorers).

A driver (`drive(call, current, params)`) or a scorer (`score(construction, params)`) raises
`Invalid(reason)` when the candidate's behaviour or construction breaks the task's rules; the
evaluation is then `invalid` with that reason as feedback. `CandidateFailure` is what `call` raises
when the candidate process fails (exception, exit, timeout); drivers let it propagate.
"""


class Invalid(Exception):
    """The candidate's output breaks the task's rules (wrong shape, non-finite, infeasible)."""


class CandidateFailure(Exception):
    """A call into the candidate failed. `status` is the evaluation status it implies."""

    def __init__(self, message, status="crash"):
        super().__init__(message)
        self.status = status


class TaskError(Exception):
    """The task itself is broken (e.g. a test passes a value that cannot be sent to the candidate)."""
