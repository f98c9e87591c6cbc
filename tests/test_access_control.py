"""Every route that takes an id, tried by someone it does not belong to; every private route, tried by nobody.

Walks the OpenAPI document, so a new route is covered the day it is added: a route whose path parameter
is missing from OWNED_BY_ALICE fails the test until its owner is set up here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.models import (
    Account,
    Budget,
    BudgetTemplate,
    Category,
    ChatMessage,
    ExpenseComment,
    GeneratedReport,
    GroupInvitation,
    Notification,
    Payment,
    PaymentMethod,
    RecurringExpense,
    ReportTemplate,
    Settlement,
    StatementMerge,
    StatementPassword,
    SystemConfiguration,
    Tag,
    UploadedFile,
    UserDevice,
    UserFriendship,
)
from app.models.enums import DeviceType, UserRole
from tests.factories import auth_headers, join, make_account, make_expense, make_group

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/verify-email"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("GET", "/api/v1/currencies"),
    ("GET", "/api/v1/countries"),
    ("GET", "/api/v1/categories/defaults"),
    ("POST", "/api/v1/payments/webhooks/{service_name}"),  # signed by the provider instead
}


def operations(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    ]


async def test_every_private_route_needs_a_token(app, client) -> None:
    checked = 0
    for method, path in operations(app):
        if (method, path) in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = await client.request(method, url, json={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        assert response.headers.get("WWW-Authenticate") == "Bearer", f"{method} {path}"
        checked += 1
    assert checked >= 25


async def test_someone_elses_ids_are_not_found_or_forbidden(app, client, session, settings) -> None:
    alice = await make_account(session, profile_visibility="private", avatar="avatars/x/y.png")
    carol = await make_account(session)
    mallory = await make_account(session)
    device = UserDevice(user_id=alice.id, device_token="alice-push-token-1", device_type=DeviceType.IOS)
    request = UserFriendship(from_user_id=alice.id, to_user_id=carol.id)
    session.add_all([device, request, SystemConfiguration(key="site.name", value="x")])
    group = await make_group(session, alice)
    await join(session, group, alice)
    expense = await make_expense(session, alice, group_id=group.id)
    settlement = Settlement(
        payer_id=alice.id, payee_id=carol.id, amount=Decimal(5), currency_id=expense.currency_id, group_id=group.id
    )
    session.add(settlement)
    recurring = RecurringExpense(
        title="Rent", amount=Decimal(5), currency_id=expense.currency_id, frequency="monthly", group_id=group.id,
        created_by_id=alice.id, paid_by_id=alice.id, start_date=expense.expense_date,
        next_due_date=expense.expense_date,
    )  # fmt: skip
    session.add(recurring)
    method = PaymentMethod(user_id=alice.id, method_type="card", name="Visa")
    session.add(method)
    await session.flush()
    payment = Payment(
        settlement_id=settlement.id, amount=Decimal(5), currency_id=expense.currency_id, payment_method_id=method.id,
        payment_service="stripe",
    )  # fmt: skip
    session.add(payment)
    comment = ExpenseComment(expense_id=expense.id, user_id=alice.id, comment="mine")
    category = Category(user_id=alice.id, name="Pets", slug="pets")
    tag = Tag(user_id=alice.id, name="trip")
    attachment_id = "00000000-0000-4000-8000-000000000001"
    expense.attachments = [
        {"id": attachment_id, "kind": "receipt", "filename": "r.png", "content_type": "image/png", "size": 1,
         "path": "expenses/x/r.png", "uploaded_by": alice.id, "uploaded_at": "2026-01-01T00:00:00Z"}
    ]  # fmt: skip
    invitation = GroupInvitation(
        group_id=group.id, invited_by_id=alice.id, email="friend@example.org",
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    chat = ChatMessage(user_id=alice.id, conversation_id="alice-trip", content="@carol $5 taxi", meta={"parsed": {}})
    account = Account(user_id=alice.id, name="Checking", account_type="bank", currency_id=expense.currency_id)
    session.add_all([comment, category, tag, invitation, chat, account])
    await session.flush()
    statement = UploadedFile(
        user_id=alice.id, account_id=account.id, original_filename="a.csv", stored_path="/nowhere/a.csv",
        file_size=1, sha256="0" * 64, status="completed",
    )  # fmt: skip
    stored_password = StatementPassword(user_id=alice.id, encrypted_password=b"x")
    session.add_all([statement, stored_password])
    await session.flush()
    merge = StatementMerge(primary_file_id=statement.id, merged_by_id=alice.id, similarity_score=90, details={})
    budget = Budget(user_id=alice.id, name="Food", start_date=expense.expense_date, amount=Decimal(100),
                    currency_id=expense.currency_id)  # fmt: skip
    template = BudgetTemplate(name="Mine", created_by_id=alice.id, category_allocations={})
    notification = Notification(user_id=alice.id, notification_type="budget_alert", title="t", message="m",
                                delivery_channels=["in_app"])  # fmt: skip
    report_template = ReportTemplate(name="Mine", report_type="expenses", created_by_id=alice.id)
    session.add_all([merge, budget, template, notification, report_template])
    await session.flush()
    report = GeneratedReport(template_id=report_template.id, generated_by_id=alice.id)
    session.add(report)
    await session.flush()
    owned_by_alice = {
        "device_id": str(device.id),
        "request_id": str(request.id),
        "user_id": str(alice.id),
        "key": "site.name",
        "group_id": str(group.id),
        "expense_id": str(expense.id),
        "settlement_id": str(settlement.id),
        "recurring_id": str(recurring.id),
        "code": "USD",
        "method_id": str(method.id),
        "payment_id": str(payment.id),
        "comment_id": str(comment.id),
        "invitation_id": str(invitation.id),
        "attachment_id": attachment_id,
        "category_id": str(category.id),
        "tag_id": str(tag.id),
        "service_name": "stripe",
        "message_id": str(chat.id),
        "account_id": str(account.id),
        "statement_id": str(statement.id),
        "password_id": str(stored_password.id),
        "merge_id": str(merge.id),
        "budget_id": str(budget.id),
        "template_id": str(template.id),
        "notification_id": str(notification.id),
        "report_template_id": str(report_template.id),
        "report_id": str(report.id),
        # Preferences are always the caller's own (no one else's can be named); an unknown type is 404.
        "notification_type": "not-a-type",
        "conversation_id": chat.conversation_id,  # no secret configured for it here: 404 like a stranger's id
    }
    headers = await auth_headers(session, settings, mallory)
    assert mallory.role == UserRole.USER

    checked = 0
    for method, path in operations(app):
        names = re.findall(r"\{([^}]+)\}", path)
        if not names:
            continue
        missing = [name for name in names if name not in owned_by_alice]
        assert not missing, f"{method} {path}: add an object owned by alice for {missing} to this test"
        url = path
        for name in names:
            url = url.replace("{" + name + "}", owned_by_alice[name])
        response = await client.request(method, url, json={}, headers=headers)
        expected = 403 if path.startswith("/api/v1/admin/") else 404
        assert response.status_code == expected, f"{method} {path} answered {response.status_code}: {response.text}"
        checked += 1
    assert checked >= 10
