"""Errors a user can fix: the CLI prints them as one line and exits with code 2, never a traceback."""


class UsageError(Exception):
    """A bad argument, a missing input or model path, a pipeline file that does not load."""


class EmptyOutputError(RuntimeError):
    """A step turned N > 0 input documents into 0 outputs: almost always a broken install, never silent."""


class TaskFailedError(RuntimeError):
    """Tasks of a stage did not complete for a reason the user can act on (a remote file that could not be
    fetched): the CLI prints each line of the message and exits 1; a rerun redoes only those tasks."""
