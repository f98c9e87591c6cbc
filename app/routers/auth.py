"""Registration, e-mail verification, sign-in, token refresh, sign-out and passwords."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from pydantic import ValidationError

from app.db import SessionDep
from app.deps import ClientDep, CurrentUser, SettingsDep, rate_limited
from app.errors import Unprocessable
from app.services.auth import service, sessions
from app.services.auth.schemas import (
    Accepted,
    LoginIn,
    LogoutIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    PasswordResetRequestIn,
    RefreshIn,
    RegisterIn,
    TokenIn,
    TokenPair,
)
from app.services.users.schemas import MeOut
from app.services.users.service import me

router = APIRouter(prefix="/auth", tags=["auth"])

_LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginIn.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "description": "E-mail address or username."},
                        "password": {"type": "string", "format": "password"},
                        "grant_type": {"type": "string", "enum": ["password"]},
                    },
                }
            },
        },
    }
}


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account; a verification e-mail follows",
    dependencies=[rate_limited("register")],
)
async def register(data: RegisterIn, session: SessionDep, settings: SettingsDep, client: ClientDep) -> MeOut:
    user = await service.register(session, settings, data, client)
    return await me(session, user)


@router.post("/verify-email", summary="Confirm an e-mail address with the code from the e-mail")
async def verify_email(data: TokenIn, session: SessionDep, client: ClientDep) -> Accepted:
    await service.verify_email(session, data.token, client)
    return Accepted(detail="Your e-mail address is confirmed.")


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send the verification e-mail again",
    dependencies=[rate_limited("verify_resend")],
)
async def resend_verification(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Accepted:
    if user.is_verified:
        return Accepted(detail="Your e-mail address is already confirmed.")
    await service.send_verification(session, settings, user)
    return Accepted(detail=f"A new verification e-mail is on its way to {user.email}.")


async def _login_fields(request: Request) -> LoginIn:
    try:
        if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
            form = await request.form()
            return LoginIn(login=str(form.get("username") or ""), password=str(form.get("password") or ""))
        return LoginIn.model_validate_json(await request.body())
    except ValidationError as error:
        names = ", ".join(sorted({str(item["loc"][0]) for item in error.errors() if item["loc"]})) or "body"
        raise Unprocessable(
            f"Send JSON {{'login', 'password'}} or an OAuth2 password form; missing or invalid: {names}."
        ) from None


@router.post(
    "/login",
    summary="Sign in with e-mail or username and password",
    description="Takes JSON `{login, password}` or the OAuth2 password form (`username`, `password`), "
    "so Swagger's Authorize button works. Five wrong passwords in a row lock the account for 15 minutes.",
    openapi_extra=_LOGIN_BODY,
    dependencies=[rate_limited("login")],
)
async def login(request: Request, session: SessionDep, settings: SettingsDep, client: ClientDep) -> TokenPair:
    fields = await _login_fields(request)
    return await service.login(session, settings, fields.login, fields.password, client)


@router.post("/refresh", summary="Trade a refresh token for a new token pair (the old one stops working)")
async def refresh(data: RefreshIn, session: SessionDep, settings: SettingsDep, client: ClientDep) -> TokenPair:
    return await sessions.rotate(session, settings, data.refresh_token, client)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="End this session (or all of them)")
async def logout(
    request: Request, user: CurrentUser, session: SessionDep, client: ClientDep, data: LogoutIn | None = None
) -> None:
    all_sessions = data.all_sessions if data else False
    await service.logout(session, user, request.state.session_id, client, all_sessions=all_sessions)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="E-mail a password-reset code (always answers the same)",
    dependencies=[rate_limited("password_reset")],
)
async def request_password_reset(
    data: PasswordResetRequestIn, session: SessionDep, settings: SettingsDep, client: ClientDep
) -> Accepted:
    await service.request_password_reset(session, settings, data.email, client)
    return Accepted(detail="If an account uses this address, a reset e-mail is on its way.")


@router.post(
    "/password-reset/confirm",
    summary="Set a new password with the code from the e-mail; every session is signed out",
    dependencies=[rate_limited("password_reset")],
)
async def confirm_password_reset(data: PasswordResetConfirmIn, session: SessionDep, client: ClientDep) -> Accepted:
    await service.confirm_password_reset(session, data.token, data.new_password, client)
    return Accepted(detail="Your password is changed; sign in with the new one.")


@router.post("/password", summary="Change your password; your other sessions are signed out")
async def change_password(
    request: Request, data: PasswordChangeIn, user: CurrentUser, session: SessionDep, client: ClientDep
) -> Accepted:
    await service.change_password(
        session, user, data.current_password, data.new_password, client, keep_session=request.state.session_id
    )
    return Accepted(detail="Your password is changed.")
