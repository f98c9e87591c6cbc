"""Report templates and generated reports (CSV, XLSX, PDF) made by the worker; see docs/reports.md."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import FileResponse

from app.db import SessionDep
from app.deps import CurrentUser
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from app.services.reports import service
from app.services.reports.service import ReportOut, ReportRequest, TemplateIn, TemplateOut
from app.services.reports.writers import CONTENT_TYPES

router = APIRouter(tags=["reports"])


@router.post("/report-templates", response_model=TemplateOut, status_code=status.HTTP_201_CREATED)
async def create_template(body: TemplateIn, user: CurrentUser, session: SessionDep) -> TemplateOut:
    return await service.create_template(session, user, body)


@router.get("/report-templates", response_model=list[TemplateOut])
async def list_templates(user: CurrentUser, session: SessionDep) -> list[TemplateOut]:
    """Yours and the public ones, most used first."""
    return await service.list_templates(session, user)


@router.get("/report-templates/{report_template_id}", response_model=TemplateOut)
async def get_template(report_template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> TemplateOut:
    return await service.get_template(session, user, report_template_id)


async def _yours(report_template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Someone else's template is 404 before the body is looked at."""
    await service.own_template(session, user, report_template_id)


@router.put("/report-templates/{report_template_id}", response_model=TemplateOut)
async def replace_template(
    report_template_id: uuid.UUID,
    _: Annotated[None, Depends(_yours)],
    body: TemplateIn,
    user: CurrentUser,
    session: SessionDep,
) -> TemplateOut:
    return await service.replace_template(session, user, report_template_id, body)


@router.delete("/report-templates/{report_template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(report_template_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await service.delete_template(session, user, report_template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reports", response_model=ReportOut, status_code=status.HTTP_202_ACCEPTED)
async def request_report(body: ReportRequest, user: CurrentUser, session: SessionDep) -> ReportOut:
    """Queue a report from a template; poll it (or wait for the notification) until it is completed."""
    return await service.request_report(session, user, body)


@router.get("/reports", response_model=Page[ReportOut])
async def list_reports(
    user: CurrentUser,
    session: SessionDep,
    cursor: str | None = Query(default=None),
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
) -> Page[ReportOut]:
    rows, next_cursor = await service.page(session, user, cursor=cursor, limit=limit)
    return Page[ReportOut](items=[service.report_out(row) for row in rows], next_cursor=next_cursor)


@router.get("/reports/{report_id}", response_model=ReportOut)
async def get_report(report_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> ReportOut:
    return await service.get_report(session, user, report_id)


@router.get("/reports/{report_id}/download", response_class=FileResponse)
async def download_report(report_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> FileResponse:
    """The file, once completed and until it expires (410 after)."""
    path, extension = await service.download(session, user, report_id)
    return FileResponse(path, media_type=CONTENT_TYPES[extension], filename=f"report-{report_id}.{extension}",
                        headers={"X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.delete("/reports/{report_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_report(report_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await service.delete_report(session, user, report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
