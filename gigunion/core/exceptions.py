"""The one domain error family. Interfaces translate these into their own answers."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is shown to the user."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotVisible(DomainError):
    """The object does not exist, or lies outside the user's jurisdiction (both answer 404)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found")


class NotAllowed(DomainError):
    """The user may see the object but not do this to it (403)."""

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message, code="forbidden")
