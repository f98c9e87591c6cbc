"""Accounts and statement import (the pipeline runs in the worker; see docs/statements.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, Response, UploadFile, status

from app.db import SessionDep
from app.deps import CurrentUser, SettingsDep
from app.errors import PayloadTooLarge
from app.idempotency import Once
from app.models.enums import MergeStatus
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.statements import accounts, merges, passwords, review, uploads
from app.services.statements.accounts import AccountCreate, AccountOut, AccountPatch
from app.services.statements.merges import MergeOut
from app.services.statements.passwords import PasswordIn, PasswordOut
from app.services.statements.review import AcceptRequest
from app.services.statements.schemas import (
    ProcessingLogOut,
    ReprocessRequest,
    StatementOut,
    StatementQueued,
    UnlockRequest,
)

router = APIRouter(tags=["statements"])


@router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED, tags=["accounts"])
async def create_account(body: AccountCreate, user: CurrentUser, session: SessionDep, once: Once) -> AccountOut:
    return await once(lambda: accounts.create(session, user, body))


@router.get("/accounts", response_model=list[AccountOut], tags=["accounts"])
async def list_accounts(user: CurrentUser, session: SessionDep) -> list[AccountOut]:
    return await accounts.list_accounts(session, user)


@router.get("/accounts/{account_id}", response_model=AccountOut, tags=["accounts"])
async def get_account(account_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> AccountOut:
    account, code = await accounts.owned(session, user, account_id)
    return accounts.account_out(account, code)


@router.patch("/accounts/{account_id}", response_model=AccountOut, tags=["accounts"])
async def update_account(
    account_id: uuid.UUID, body: AccountPatch, user: CurrentUser, session: SessionDep
) -> AccountOut:
    """Rename, change the institution or last four digits, or close (is_active=false) an account."""
    return await accounts.update(session, user, account_id, body)


@router.post("/statements", response_model=StatementQueued, status_code=status.HTTP_202_ACCEPTED)
async def upload_statement(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    file: UploadFile = File(description="CSV, OFX/QFX or CAMT.053; the format is read from the content."),
    account_id: uuid.UUID | None = Form(default=None),
    password: str | None = Form(default=None, max_length=200, description="For a protected PDF; not stored."),
) -> StatementQueued:
    """Queue a statement for import. The same bytes uploaded again are linked to the first upload."""
    limit = settings.statement_max_mb * 1024 * 1024
    if int(request.headers.get("content-length") or 0) > limit + 64 * 1024:
        raise PayloadTooLarge(f"The file is larger than {settings.statement_max_mb} MB.")
    data = await file.read(limit + 1)
    return await uploads.upload(session, settings, user, data, file.filename, account_id, password)


@router.get("/statements", response_model=Page[StatementOut])
async def list_statements(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[StatementOut]:
    rows, next_cursor = await uploads.page(session, user, cursor=cursor, limit=limit)
    return Page[StatementOut](items=[uploads.statement_out(row) for row in rows], next_cursor=next_cursor)


@router.get("/statements/{statement_id}", response_model=StatementOut)
async def get_statement(statement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> StatementOut:
    return uploads.statement_out(await uploads.owned(session, user, statement_id))


@router.get("/statements/{statement_id}/logs", response_model=list[ProcessingLogOut])
async def statement_logs(statement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> list[ProcessingLogOut]:
    """One row per pipeline stage and run: status, parser, details and time taken."""
    return [ProcessingLogOut.model_validate(row) for row in await uploads.logs(session, user, statement_id)]


@router.get("/statements/{statement_id}/comparison")
async def statement_comparison(statement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> dict[str, object]:
    """The extracted text (page and line numbers) beside the parsed rows; each row says what became of it
    (imported, already_imported, dated_in_the_future, zero_amount) and links its transaction."""
    return await uploads.comparison(session, user, statement_id)


@router.post("/statements/{statement_id}/reprocess", response_model=StatementOut, status_code=202)
async def reprocess_statement(
    statement_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    body: ReprocessRequest | None = Body(default=None),
) -> StatementOut:
    """Run the pipeline again (optionally into another account, or read by your AI provider); rows already
    imported are not repeated."""
    body = body or ReprocessRequest()
    file = await uploads.reprocess(session, user, statement_id, body.account_id, use_ai=body.use_ai)
    return uploads.statement_out(file)


async def _owned(statement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Someone else's statement is 404 before the body is even looked at."""
    await uploads.owned(session, user, statement_id)


Owned = Annotated[None, Depends(_owned)]


@router.post("/statements/{statement_id}/unlock", response_model=StatementOut, status_code=202)
async def unlock_statement(
    statement_id: uuid.UUID,
    _: Owned,
    body: UnlockRequest,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> StatementOut:
    """Give the password of a statement waiting for one (`needs_password`); processing resumes."""
    file = await uploads.unlock(session, settings, user, statement_id, body.password, remember=body.remember)
    return uploads.statement_out(file)


@router.post("/statements/{statement_id}/accept", response_model=StatementOut)
async def accept_statement(
    statement_id: uuid.UUID, _: Owned, body: AcceptRequest, user: CurrentUser, session: SessionDep
) -> StatementOut:
    """Import a statement waiting for review (`needs_review`), with your corrections to its draft rows."""
    return uploads.statement_out(await review.accept(session, user, statement_id, body))


@router.get("/statement-passwords", response_model=list[PasswordOut])
async def list_statement_passwords(user: CurrentUser, session: SessionDep) -> list[PasswordOut]:
    """Your stored statement passwords: hints and patterns, never the passwords."""
    return [passwords.password_out(row) for row in await passwords.listing_for(session, user.id)]


@router.post("/statement-passwords", response_model=PasswordOut, status_code=status.HTTP_201_CREATED)
async def store_statement_password(
    body: PasswordIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> PasswordOut:
    return passwords.password_out(await passwords.store(session, settings.secret_box(), user, body))


@router.delete("/statement-passwords/{password_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_statement_password(password_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await passwords.remove(session, user, password_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/statement-merges", response_model=list[MergeOut])
async def list_statement_merges(
    user: CurrentUser, session: SessionDep, status: MergeStatus | None = Query(default=None)
) -> list[MergeOut]:
    """Imported rows that may repeat a transaction already on the account, most alike first."""
    return [merges.merge_out(row) for row in await merges.listing(session, user, status)]


@router.post("/statement-merges/{merge_id}/approve", response_model=MergeOut)
async def approve_statement_merge(merge_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> MergeOut:
    """It is a duplicate: the newly imported row is deleted (it will not come back on a re-import)."""
    return merges.merge_out(await merges.decide(session, user, merge_id, approve=True))


@router.post("/statement-merges/{merge_id}/reject", response_model=MergeOut)
async def reject_statement_merge(merge_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> MergeOut:
    """They are different transactions: both stay."""
    return merges.merge_out(await merges.decide(session, user, merge_id, approve=False))


@router.delete("/statements/{statement_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_statement(statement_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Delete the statement, its file, and the transactions it made that you have not edited."""
    await uploads.remove(session, user, statement_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
