"""Fake Firebase Cloud Messaging (HTTP v1) and Twilio (Messages API) on 127.0.0.1, speaking their request
and error shapes: FCM answers UNREGISTERED (404) for tokens in `gone`, Twilio answers 500 `fail_next`
times before accepting. Requests are recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FCM_TOKEN = "ya29.fake-access-token"
TWILIO_SID, TWILIO_TOKEN = "AC0123456789abcdef0123456789abcdef", "twilio-auth-token"


@dataclass
class FakePushSms:
    base_url: str = ""
    pushes: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    fail_next: int = 0

    def reset(self) -> None:
        self.pushes.clear()
        self.texts.clear()
        self.gone.clear()
        self.fail_next = 0

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v1/projects/{project}/messages:send", self._fcm, methods=["POST"]),
            Route("/2010-04-01/Accounts/{sid}/Messages.json", self._twilio, methods=["POST"]),
        ])  # fmt: skip

    async def _fcm(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {FCM_TOKEN}":
            return JSONResponse({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, status_code=401)
        body = await request.json()
        token = body["message"]["token"]
        if token in self.gone:
            error = {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
                     "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                  "errorCode": "UNREGISTERED"}]}  # fmt: skip
            return JSONResponse({"error": error}, status_code=404)
        self.pushes.append(body["message"])
        return JSONResponse({"name": f"projects/{request.path_params['project']}/messages/{len(self.pushes)}"})

    async def _twilio(self, request: Request) -> JSONResponse:
        form = dict(await request.form())
        if self.fail_next > 0:
            self.fail_next -= 1
            return JSONResponse({"code": 20500, "message": "Internal Server Error", "status": 500}, status_code=500)
        self.texts.append(form)
        return JSONResponse({"sid": f"SM{len(self.texts):032d}", "status": "queued", "to": form["To"]}, status_code=201)
