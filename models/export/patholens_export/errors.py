"""The one error type the CLI turns into a sentence on stderr and exit code 2."""


class ExportError(Exception):
    """A user-facing failure: the message is a full sentence saying what failed and what to do."""
