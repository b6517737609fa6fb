"""Errors that services raise and every interface shows the same way.

The UI turns them into form errors or messages; the API into ``{"code", "message", "extra"}``
with the status below (ARCHITECTURE.md, API.md).
"""


class ApplicationError(Exception):
    status = 400

    def __init__(self, code: str, message, extra: dict | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.extra = extra or {}


class NotAllowed(ApplicationError):
    status = 403


class Conflict(ApplicationError):
    """The record changed under the caller: someone else decided first."""

    status = 409
