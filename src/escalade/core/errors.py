"""Domain errors raised by services; the API turns them into JSON, pages into messages.

Each carries the field it is about (or "" for the whole request) and a
translatable message."""


class DomainError(Exception):
    status = 400

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def as_errors(self) -> list[dict]:
        return [{"field": self.field, "message": str(self.message)}]


class Invalid(DomainError):
    """Bad input. Can carry several (field, message) pairs, reported together."""

    status = 422

    def __init__(self, message="", field: str = "", errors: list[tuple[str, object]] | None = None):
        self.errors = list(errors or [(field, message)])
        super().__init__(self.errors[0][1], self.errors[0][0])

    def as_errors(self) -> list[dict]:
        return [{"field": f, "message": str(m)} for f, m in self.errors]


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


def not_one_of(field: str, value, valid) -> list[tuple[str, str]]:
    """[] when `value` is one of `valid` (values, or a TextChoices class), else the one
    error every service reports for a coded input: "'x' is not valid: use one of a, b"."""
    from django.utils.translation import gettext as _

    values = list(getattr(valid, "values", valid))
    if value in values:
        return []
    return [
        (
            field,
            _("'%(value)s' is not valid: use one of %(valid)s.")
            % {"value": value, "valid": ", ".join(str(v) for v in values)},
        )
    ]
