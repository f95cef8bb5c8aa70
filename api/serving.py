"""What ``bonded serve`` hands uvicorn: its HTTP/1.1 protocol (httptools) with limits on the
request's URL and headers, answering what it refuses before the app (too long, not HTTP at
all) as problems like every other error; and a log configuration that shows the access log
and the server's errors (``bonded.*``) beside uvicorn's own, whose access log is off."""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.problems import PROBLEM, problem

PROTOCOL = "api.serving:ProblemHttpToolsProtocol"  # uvicorn's --http, as an import string
MAX_URL_BYTES = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024  # all the request's header names and values together


class Refused(Exception):
    """A request refused before it reaches the app: the problem it answers."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


MALFORMED = Refused(400, "malformed_request", "the request is not valid HTTP/1.1")


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with our limits (httptools sets none on headers, and a
    URL over 64 KiB fails its parser). What it refuses it answers as a problem, not as
    uvicorn's ``text/plain`` 400, and closes the connection."""

    refused: Refused | None = None
    header_bytes = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.refused = None
        self.header_bytes = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL_BYTES:
            self.refused = Refused(
                414, "uri_too_long", f"a URL here is at most {MAX_URL_BYTES:,} bytes"
            )
            raise self.refused  # the parser stops; uvicorn answers with send_400_response

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self.header_bytes += len(name) + len(value)
        if self.header_bytes > MAX_HEADER_BYTES:
            self.refused = Refused(
                431,
                "header_fields_too_large",
                f"a request's headers here are at most {MAX_HEADER_BYTES:,} bytes together",
            )
            raise self.refused

    def send_400_response(self, msg: str) -> None:
        refused = self.refused or MALFORMED
        body = bytes(problem(refused.status, refused.code, refused.detail).body)
        status = HTTPStatus(refused.status)
        head = [f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode("ascii")]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            f"content-type: {PROBLEM}\r\n".encode("ascii"),
            f"content-length: {len(body)}\r\n".encode("ascii"),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def log_config() -> dict[str, Any]:
    """uvicorn's logging, and ``bonded.*`` (the access log, server errors, the follower) at
    INFO on stderr, one line each with its time."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["bonded"] = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    config["handlers"]["bonded"] = {
        "formatter": "bonded",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["bonded"] = {"handlers": ["bonded"], "level": "INFO", "propagate": False}
    return config
