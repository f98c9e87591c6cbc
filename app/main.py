"""The FastAPI application: lifespan (database, Redis), middleware, error format, routers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __version__, jobs
from app.config import Settings, get_settings
from app.db import Database, set_database
from app.errors import install_error_handlers
from app.logging import configure_logging, get_logger
from app.middleware import RequestContextMiddleware
from app.migrations import head_revision
from app.routers import (
    admin,
    ai_settings,
    analytics,
    auth,
    balances,
    budgets,
    chat,
    expenses,
    friends,
    groups,
    health,
    labels,
    notifications,
    payments,
    recurring,
    reference,
    reports,
    settlements,
    statements,
    users,
)
from app.services.realtime.events import Hub

log = get_logger(__name__)

API_PREFIX = "/api/v1"

OPENAPI_TAGS = [
    {"name": "health", "description": "Liveness and readiness probes for orchestrators."},
    {"name": "auth", "description": "Registration, e-mail verification, login, token refresh, passwords."},
    {"name": "users", "description": "Profiles, preferences, avatars, devices and the security log."},
    {"name": "friends", "description": "Friend requests, blocking and the people you split with."},
    {"name": "reference", "description": "Currencies, countries, categories and tags."},
    {"name": "expenses", "description": "Expenses with exact splits, comments, attachments and search."},
    {"name": "groups", "description": "Groups, members, invitations and the activity feed."},
    {"name": "balances", "description": "Who owes whom, per currency, and the fewest transfers to settle."},
    {"name": "settlements", "description": "Recorded payments between people and their confirmations."},
    {"name": "payments", "description": "Payment methods, payments and provider webhooks."},
    {"name": "accounts", "description": "Bank accounts, cards, cash and wallets that statements land in."},
    {"name": "statements", "description": "Statement upload, the processing pipeline and de-duplication."},
    {"name": "chat", "description": "Chat entry: messages parsed into expenses, over HTTP and WebSocket."},
    {"name": "budgets", "description": "Budgets, templates and AI-suggested allocations."},
    {"name": "analytics", "description": "Spending summaries, trends, categories and patterns."},
    {"name": "reports", "description": "CSV, XLSX and PDF reports generated in the background."},
    {"name": "notifications", "description": "In-app notifications and delivery preferences."},
    {"name": "ai-settings", "description": "Your AI provider keys (stored encrypted) and models."},
    {"name": "admin", "description": "System configuration, currencies and exchange rates (admins only)."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.database_url or not settings.redis_url:
            raise RuntimeError(
                "DATABASE_URL and REDIS_URL must be set; `expense-tracker serve` sets them in embedded mode"
            )
        database = Database(settings.database_url, settings)
        queue = await jobs.connect(settings.redis_url)
        set_database(database)
        jobs.set_queue(queue)
        app.state.settings = settings
        app.state.redis = queue  # arq's pool is a full Redis client: rate limits share its connections
        app.state.head_revision = head_revision()
        app.state.events_hub = Hub(queue)
        await app.state.events_hub.start()
        # Everything loaded so far (the app, SQLAlchemy and pydantic internals) lives for the whole
        # process: keep it out of the garbage collector's full scans, which otherwise pause a busy
        # server for a few hundred milliseconds now and then (seen in p95 latencies).
        gc.collect()
        gc.freeze()
        log.info("api_started", version=__version__)
        if not settings.smtp_host:
            log.warning("email_not_configured", detail="SMTP_HOST is unset: e-mails and their codes go to the logs")
        try:
            yield
        finally:
            gc.unfreeze()  # let what start-up made be collected again (tests build many apps)
            await app.state.events_hub.stop()
            await queue.aclose()
            await database.dispose()
            set_database(None)
            jobs.set_queue(None)

    app = FastAPI(
        title="Expense Tracker API",
        version=__version__,
        description=(
            "Shared expenses with exact splits, budgets, bank-statement import and chat entry. "
            'Errors always look like `{"error": "<code>", "detail": "<sentence>"}`; '
            "money is a decimal string."
        ),
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Idempotent-Replayed", "Retry-After"],  # readable by browser code
        )
    app.add_middleware(RequestContextMiddleware)

    app.include_router(health.router)
    app.include_router(chat.page_router)
    # Each domain router goes straight onto the app: FastAPI rebuilds the route table of a router
    # nested two levels deep on every request (measured: a fifth of the time of GET /users/me).
    for router in (
        auth.router,
        users.router,
        friends.router,
        groups.router,
        expenses.router,
        balances.router,
        recurring.router,
        settlements.router,
        statements.router,
        payments.router,
        ai_settings.router,
        chat.router,
        reference.router,
        labels.router,
        admin.router,
        budgets.router,
        notifications.router,
        analytics.router,
        reports.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    return app
