"""One error family, rendered everywhere as {"error": "<code>", "detail": "<human sentence>"}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.logging import get_logger

log = get_logger(__name__)


class AppError(Exception):
    """A failure the client caused, answered with `status_code` and a sentence.

    `keep_changes=True` commits what the request wrote before failing: a failed login must still count
    towards the lockout, and a reused refresh token must still revoke its family.
    """

    status_code = 400
    code = "bad_request"

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, keep_changes: bool = False, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.keep_changes = keep_changes
        self.extra = extra


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, detail: str = "Authentication required.", **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Locked(AppError):
    status_code = 423
    code = "locked"


class TooMany(AppError):
    status_code = 429
    code = "too_many_requests"


class Unprocessable(AppError):
    status_code = 422
    code = "unprocessable"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class BadGateway(AppError):
    """A service we depend on (an exchange-rate provider) failed; the sentence says how."""

    status_code = 502
    code = "upstream_error"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}


def first_line(error: BaseException) -> str:
    """A driver or client error in one line (SQLAlchemy wraps the driver's error in `.orig`)."""
    message = str(getattr(error, "orig", None) or error).strip().splitlines()
    return message[0] if message else type(error).__name__


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def _describe_field_error(item: dict[str, Any]) -> str:
    location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "header")]
    where = ".".join(location)
    message = item.get("msg", "is invalid").removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(error_body(exc.code, exc.detail, **exc.extra), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_describe_field_error(item) for item in exc.errors()]
    fields = [
        {"field": ".".join(str(p) for p in item.get("loc", ())), "message": item.get("msg", "")}
        for item in exc.errors()
    ]
    detail = "The request is invalid: " + "; ".join(problems) + "."
    return JSONResponse(error_body("validation_error", detail, fields=fields), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else "The request could not be processed."
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource."
    elif exc.status_code == 405:
        detail = "This method is not allowed on this resource."
    return JSONResponse(error_body(code, detail), status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id")
    log.exception("unhandled_error", path=request.url.path, method=request.method, request_id=request_id)
    detail = "Something went wrong on our side; it has been logged."
    if request_id:
        detail += f" Quote request id {request_id} when reporting it."
    return JSONResponse(error_body("internal_error", detail), status_code=500)


# Two requests wrote the same rows at the same moment: each passed the checks before its write, and the
# database let one through (unique_violation) or broke a lock cycle (deadlock, serialization failure). The
# code takes locks where it knows of a race; this answers any it does not know of yet.
_RACE_STATES = {"23505", "40P01", "40001"}


def database_problem(exc: DBAPIError, where: str) -> AppError | None:
    """What a database error means for the caller, when it is not a bug of ours: a race (409), a value
    PostgreSQL cannot take (422) or a lost connection (503). None for anything else. Logs a warning."""
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate in _RACE_STATES:
        log.warning("concurrent_write", where=where, error=first_line(exc))
        return Conflict("Another request changed the same data at the same moment; nothing was saved. Try again.")
    if sqlstate.startswith("22"):
        # Data exceptions: a value the validation let through and PostgreSQL cannot take (a number beyond
        # its column, an id beyond 64 bits, a NUL character in text).
        log.warning("value_refused_by_database", where=where, error=first_line(exc))
        return Unprocessable(
            "A value in this request is out of range or holds characters that cannot be stored (such as NUL)."
        )
    if exc.connection_invalidated:
        # The server restarted or the link dropped under an open connection: SQLAlchemy has already thrown
        # the pool's connections away, so the next request connects afresh.
        log.warning("database_connection_lost", where=where, error=first_line(exc))
        return ServiceUnavailable("The connection to the database was lost; nothing was saved. Try again in a moment.")
    return None


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    problem = database_problem(exc, request.url.path)
    if problem is None:
        return await _unexpected_error(request, exc)
    return await _app_error(request, problem)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
