"""The one exception the ``skneural`` command reports without a traceback."""


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line, without a traceback."""
