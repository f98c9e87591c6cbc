"""Friend requests, friends and blocks."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, status

from app.db import SessionDep
from app.deps import CurrentUser
from app.services.friends import service
from app.services.friends.schemas import FriendOut, FriendRequestIn, FriendRequestOut, UserIdIn

router = APIRouter(prefix="/friends", tags=["friends"])


@router.get("", summary="Your friends")
async def list_friends(user: CurrentUser, session: SessionDep) -> list[FriendOut]:
    return await service.friends(session, user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unfriend someone")
async def unfriend(user_id: int, user: CurrentUser, session: SessionDep) -> None:
    await service.unfriend(session, user, user_id)


@router.get("/requests", summary="Pending friend requests, to you (incoming) or from you (outgoing)")
async def list_requests(
    user: CurrentUser, session: SessionDep, direction: Literal["incoming", "outgoing"] = Query(default="incoming")
) -> list[FriendRequestOut]:
    return await service.requests(session, user, incoming=direction == "incoming")


@router.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Send a friend request (if they already asked you, this accepts it)",
)
async def send_request(data: FriendRequestIn, user: CurrentUser, session: SessionDep) -> FriendRequestOut:
    return await service.send_request(session, user, data.user_id, data.message)


@router.post("/requests/{request_id}/accept", summary="Accept a friend request sent to you")
async def accept_request(request_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> FriendRequestOut:
    return await service.accept(session, user, request_id)


@router.post(
    "/requests/{request_id}/decline", status_code=status.HTTP_204_NO_CONTENT, summary="Decline a friend request"
)
async def decline_request(request_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.decline(session, user, request_id)


@router.delete("/requests/{request_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Withdraw a request you sent")
async def cancel_request(request_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.cancel(session, user, request_id)


@router.get("/blocks", summary="People you have blocked")
async def list_blocks(user: CurrentUser, session: SessionDep) -> list[FriendOut]:
    return await service.blocked(session, user)


@router.post(
    "/blocks",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Block someone: ends any friendship; they cannot send you requests, invite or mention you",
)
async def block(data: UserIdIn, user: CurrentUser, session: SessionDep) -> None:
    await service.block(session, user, data.user_id)


@router.delete("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unblock someone")
async def unblock(user_id: int, user: CurrentUser, session: SessionDep) -> None:
    await service.unblock(session, user, user_id)
