"""Your account, profile, preferences, avatar, devices and security log; other people's pages."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import PayloadTooLarge
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services import audit
from app.services.users import avatars, devices, service
from app.services.users.schemas import (
    ActivityOut,
    DeviceIn,
    DeviceOut,
    MeOut,
    MePatch,
    PreferencesOut,
    PreferencesPatch,
    PublicProfileOut,
    UserCard,
)

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", summary="Your account, profile and preferences")
async def get_me(user: CurrentUser, session: SessionDep) -> MeOut:
    return await service.me(session, user)


@router.patch("/me", summary="Change your account and profile (only the fields you send)")
async def patch_me(patch: MePatch, user: CurrentUser, session: SessionDep) -> MeOut:
    return await service.update_me(session, user, patch)


@router.get("/me/preferences", summary="Your app preferences")
async def get_preferences(user: CurrentUser, session: SessionDep) -> PreferencesOut:
    _, preferences = await service.profile_and_preferences(session, user.id)
    return PreferencesOut.model_validate(preferences)


@router.patch("/me/preferences", summary="Change your app preferences (only the fields you send)")
async def patch_preferences(patch: PreferencesPatch, user: CurrentUser, session: SessionDep) -> PreferencesOut:
    return await service.update_preferences(session, user, patch)


@router.put("/me/avatar", summary="Upload a profile picture (JPEG, PNG, WebP or GIF)")
async def put_avatar(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep, file: UploadFile = File()
) -> MeOut:
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.avatar_max_bytes + 64 * 1024:
        raise PayloadTooLarge(f"The picture is larger than {settings.avatar_max_mb} MB.")
    await avatars.set_avatar(session, settings, user, await file.read(settings.avatar_max_bytes + 1))
    return await service.me(session, user)


@router.delete("/me/avatar", status_code=status.HTTP_204_NO_CONTENT, summary="Remove your profile picture")
async def delete_avatar(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> None:
    await avatars.set_avatar(session, settings, user, None)


@router.get("/me/devices", summary="Your devices registered for push notifications")
async def list_devices(user: CurrentUser, session: SessionDep) -> list[DeviceOut]:
    return [DeviceOut.model_validate(device) for device in await devices.list_devices(session, user)]


@router.post("/me/devices", status_code=status.HTTP_201_CREATED, summary="Register a device's push token")
async def register_device(data: DeviceIn, user: CurrentUser, session: SessionDep, response: Response) -> DeviceOut:
    device, created = await devices.register_device(session, user, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return DeviceOut.model_validate(device)


@router.delete("/me/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unregister a device")
async def remove_device(device_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await devices.remove_device(session, user, device_id)


@router.get("/me/activity", summary="Your security log: sign-ins, password and key changes, newest first")
async def my_activity(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = Query(default=None, description="The `next_cursor` of the previous page."),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[ActivityOut]:
    rows, next_cursor = await audit.activity_page(session, user.id, cursor=cursor, limit=limit)
    return Page[ActivityOut](items=[ActivityOut.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get("/search", summary="Find people to befriend by username, name or exact e-mail")
async def search_users(
    user: CurrentUser, session: SessionDep, q: str = Query(min_length=2, max_length=100)
) -> list[UserCard]:
    return await service.search(session, user, q)


@router.get("/{user_id}", summary="Someone's profile, as far as their visibility setting allows")
async def get_user(user_id: int, user: CurrentUser, session: SessionDep) -> PublicProfileOut:
    return await service.visible_user(session, user, user_id)


@router.get(
    "/{user_id}/avatar",
    summary="Someone's profile picture",
    response_class=FileResponse,
    responses={200: {"content": {"image/*": {}}}},
)
async def get_avatar(user_id: int, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> FileResponse:
    path = await avatars.avatar_file(session, settings, user, user_id)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=31536000, immutable"})
