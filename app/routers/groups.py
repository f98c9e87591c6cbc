"""Groups: settings, members, invite codes, the activity feed, balances and settle-up."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import PayloadTooLarge
from app.idempotency import Once
from app.models import Group, GroupMembership
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.balances import pairwise, queries
from app.services.balances.schemas import CurrencyBalancesOut, MemberBalance, SettleUpOut, TransferOut
from app.services.expenses import csv_io
from app.services.expenses.allocation import from_units
from app.services.expenses.csv_schemas import IMPORT_MAX_BYTES, ImportOut, csv_response, parse_people
from app.services.groups import invitations, service
from app.services.groups.access import member_group
from app.services.groups.invitations import InvitationAccept, InvitationCreate, InvitationOut
from app.services.groups.schemas import (
    ActivityOut,
    AddMemberIn,
    GroupCreate,
    GroupDetail,
    GroupOut,
    GroupPatch,
    JoinIn,
    RemoveIn,
    RoleIn,
)

router = APIRouter(prefix="/groups", tags=["groups"])


async def _membership(group_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> tuple[Group, GroupMembership]:
    # A dependency, so a stranger's group id is 404 before the request body is even looked at.
    return await member_group(session, user, group_id)


Membership = Annotated[tuple[Group, GroupMembership], Depends(_membership)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a group (you become its admin)")
async def create_group(data: GroupCreate, user: CurrentUser, session: SessionDep, once: Once) -> GroupOut:
    return await once(lambda: service.create_group(session, user, data))


@router.get("", summary="Your groups")
async def list_groups(
    user: CurrentUser, session: SessionDep, archived: bool = Query(default=False, description="Archived ones instead.")
) -> list[GroupOut]:
    return await service.list_groups(session, user, archived=archived)


@router.post("/join", summary="Join a group with its invite code")
async def join_group(data: JoinIn, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await service.join_by_code(session, user, data.invite_code)


@router.post("/invitations/accept", summary="Accept an e-mailed invitation (signed in with the invited address)")
async def accept_invitation(data: InvitationAccept, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await invitations.accept(session, user, data)


@router.get("/{group_id}", summary="A group with its members")
async def get_group(member: Membership, session: SessionDep) -> GroupDetail:
    return await service.group_detail(session, *member)


@router.patch("/{group_id}", summary="Change a group's settings (admins)")
async def patch_group(member: Membership, patch: GroupPatch, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await service.update_group(session, user, *member, patch)


@router.post("/{group_id}/archive", summary="Archive a group (admins)")
async def archive_group(member: Membership, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await service.set_archived(session, user, *member, True)


@router.post("/{group_id}/unarchive", summary="Bring an archived group back (admins)")
async def unarchive_group(member: Membership, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await service.set_archived(session, user, *member, False)


@router.post("/{group_id}/invite-code", summary="Replace the invite code; the old one stops working (admins)")
async def new_invite_code(member: Membership, session: SessionDep) -> GroupDetail:
    return await service.regenerate_invite_code(session, *member)


@router.post("/{group_id}/members", status_code=status.HTTP_201_CREATED, summary="Add a friend (admins)")
async def add_member(member: Membership, data: AddMemberIn, user: CurrentUser, session: SessionDep) -> GroupDetail:
    return await service.add_member(session, user, *member, data.user_id, data.role)


@router.put("/{group_id}/members/{user_id}/role", summary="Make a member admin, member or viewer (admins)")
async def set_member_role(
    member: Membership, user_id: int, data: RoleIn, user: CurrentUser, session: SessionDep
) -> GroupDetail:
    return await service.set_role(session, user, *member, user_id, data.role)


@router.post(
    "/{group_id}/members/{user_id}/remove",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Leave (your own id) or remove a member (admins); refused while their balance is open",
)
async def remove_member(
    member: Membership, user_id: int, user: CurrentUser, session: SessionDep, data: RemoveIn | None = None
) -> None:
    data = data or RemoveIn()
    await service.remove_member(session, user, member[1], user_id, force=data.force, reason=data.reason)


@router.get("/{group_id}/activity", summary="What happened in the group, newest first")
async def group_activity(
    member: Membership,
    session: SessionDep,
    cursor: str | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[ActivityOut]:
    rows, next_cursor = await service.activity_page(session, member[0].id, cursor=cursor, limit=limit)
    return Page[ActivityOut](items=[ActivityOut.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get("/{group_id}/balances", tags=["balances"], summary="Each member's net balance, per currency")
async def group_balances(member: Membership, session: SessionDep) -> list[CurrencyBalancesOut]:
    return [
        CurrencyBalancesOut(
            currency=entry.currency,
            balances=[MemberBalance(user_id=member, balance=amount) for member, amount in entry.balances.items()],
        )
        for entry in await queries.group_balances(session, member[0].id)
    ]


@router.get(
    "/{group_id}/settle-up",
    tags=["balances"],
    summary="The transfers that settle the group: the fewest, or with simplify_debts off the debts as recorded",
)
async def settle_up(member: Membership, session: SessionDep) -> SettleUpOut:
    group = member[0]
    if not group.simplify_debts:
        debts = await pairwise.recorded_debts(session, group_id=group.id)
        return SettleUpOut(
            transfers=[
                TransferOut(
                    from_user_id=debt.debtor,
                    to_user_id=debt.creditor,
                    amount=from_units(debt.units, debt.decimal_places),
                    currency=debt.currency,
                )
                for debt in debts
            ]
        )
    plan = queries.settle_up_plan(await queries.group_balances(session, group.id))
    return SettleUpOut(transfers=[TransferOut(**vars(transfer)) for transfer in plan])


@router.post(
    "/{group_id}/invitations", status_code=status.HTTP_201_CREATED, summary="Invite someone by e-mail (not viewers)"
)
async def invite_by_email(
    member: Membership, data: InvitationCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> InvitationOut:
    return await invitations.invite(session, settings, user, member[0], member[1], data)


@router.get("/{group_id}/invitations", summary="Pending e-mail invitations (admins)")
async def pending_invitations(member: Membership, session: SessionDep) -> list[InvitationOut]:
    return await invitations.pending(session, member[0], member[1])


@router.delete(
    "/{group_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an invitation (admins, or whoever sent it)",
)
async def revoke_invitation(member: Membership, invitation_id: uuid.UUID, session: SessionDep) -> Response:
    await invitations.revoke(session, member[0], member[1], invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{group_id}/export.csv",
    summary="The group's expenses and payments as CSV, in Splitwise's layout",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_group(member: Membership, session: SessionDep) -> Response:
    content = "".join([line async for line in csv_io.group_csv(session, member[0].id)])
    return csv_response(content, f"group-{member[0].id}.csv")


@router.post(
    "/{group_id}/import/splitwise",
    summary="Import a Splitwise group export (admins); people are matched by name or by `people`",
)
async def import_splitwise(
    member: Membership,
    user: CurrentUser,
    session: SessionDep,
    file: UploadFile = File(),
    people: str | None = Form(default=None, description='JSON: {"Name in the file": user_id}'),
) -> ImportOut:
    mapping = parse_people(people)
    data = await file.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise PayloadTooLarge("A Splitwise export may be at most 10 MB.")
    report = await csv_io.import_splitwise(session, user, member[0], member[1], data, mapping)
    return ImportOut(**vars(report))
