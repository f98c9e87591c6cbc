"""arq WorkerSettings: every job function and cron schedule the worker runs."""

from __future__ import annotations

from typing import ClassVar

from arq import cron

from app.jobs import QUEUE_NAME
from app.workers.analytics import analytics_changes, analytics_nightly
from app.workers.budgets import check_budget_alerts
from app.workers.context import shutdown, startup
from app.workers.maintenance import purge_expired_tokens, refresh_exchange_rates
from app.workers.notifications import deliver_due_notifications, deliver_email, notify_expense_people
from app.workers.recurring import create_due_recurring_expenses
from app.workers.reports import generate_report, remove_expired_reports
from app.workers.statements import process_statement


class WorkerSettings:
    functions: ClassVar = [
        purge_expired_tokens,
        deliver_email,
        create_due_recurring_expenses,
        refresh_exchange_rates,
        process_statement,
        check_budget_alerts,
        analytics_changes,
        analytics_nightly,
        generate_report,
        remove_expired_reports,
        deliver_due_notifications,
        notify_expense_people,
    ]
    cron_jobs: ClassVar = [
        cron(purge_expired_tokens, hour={3}, minute={17}, unique=True),
        # Also at start-up: a worker that was down catches up at once, not at the next hour.
        cron(create_due_recurring_expenses, minute={5}, unique=True, run_at_startup=True),
        cron(refresh_exchange_rates, minute={35}, unique=True, run_at_startup=True),
        cron(check_budget_alerts, minute=set(range(0, 60, 10)), unique=True),
        cron(analytics_changes, minute=set(range(0, 60, 5)), unique=True),
        cron(analytics_nightly, hour={0}, minute={25}, unique=True),
        cron(remove_expired_reports, minute={45}, unique=True),
        cron(deliver_due_notifications, second={0}, unique=True),
        cron(notify_expense_people, second=set(range(0, 60, 2)), unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    queue_name = QUEUE_NAME
    # A job whose worker died is picked up again; job functions are written to be idempotent.
    max_tries = 5
    # How often an idle worker looks for queued jobs: an uploaded statement should start at once.
    poll_delay = 0.1
    job_timeout = 600
    keep_result = 3600
