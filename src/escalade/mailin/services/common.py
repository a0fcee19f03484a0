"""Names every part of the package shares."""

from __future__ import annotations

import logging

log = logging.getLogger("escalade.mailin")


class Refused(Exception):
    """The message is refused for what it carries (an attachment too large or
    dangerous): rejected, and its sender told once."""

    def __init__(self, code: str, message, params: dict):
        super().__init__(code)
        self.code, self.message, self.params = code, message, params

    @property
    def reason(self) -> str:
        """In the active language (the sender's, when they are told)."""
        return str(self.message) % self.params
