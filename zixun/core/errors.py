"""The one error type of services: a refusal the user can act on, in the reader's language.

Services raise a subclass of ``ServiceError`` (``ArticleError``, ``EngagementError`` …)
with a message that is a lazy gettext string, written once in Chinese and
translated in the .po files, and named parameters for its placeholders:

    TITLE_TOO_LONG = gettext_lazy("标题不能超过 %(limit)s 个字符")
    raise ArticleError(TITLE_TOO_LONG, limit=TITLE_MAX)

``str(error)`` is the message in the language active when it is shown, so a
view, the API or a command shows it as it is. Tests compare against
``message_format(TITLE_TOO_LONG, limit=TITLE_MAX)``.
"""

from __future__ import annotations

from django.utils.functional import Promise


def message_format(message: str | Promise, **params: object) -> str:
    """``message`` in the active language, with its %(name)s placeholders filled in."""
    text = str(message)
    return text % params if params else text


class ServiceError(ValueError):
    """A refusal with a message for the user (a lazy gettext string) and its parameters."""

    def __init__(self, message: str | Promise, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return message_format(self.message, **self.params)
