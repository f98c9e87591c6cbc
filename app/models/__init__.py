"""Every model, imported so that `Base.metadata` holds the whole schema (Alembic reads it)."""

from app.models.ai import AISettings
from app.models.analytics import ExpenseAnalytics, GeneratedReport, ReportTemplate, UserSpendingPattern
from app.models.base import Base
from app.models.budgets import Budget, BudgetTemplate
from app.models.chat import ChatMessage
from app.models.expenses import (
    Expense,
    ExpenseComment,
    ExpenseMention,
    ExpensePayer,
    ExpenseShare,
    RecurringExpense,
    expense_tags,
)
from app.models.groups import Group, GroupActivity, GroupBalance, GroupInvitation, GroupMembership
from app.models.notifications import (
    Notification,
    NotificationLog,
    NotificationPreference,
    NotificationTemplate,
)
from app.models.payments import Payment, PaymentMethod, PaymentWebhook, Settlement
from app.models.reference import ActivityLog, Category, Country, Currency, SystemConfiguration, Tag
from app.models.statements import (
    Account,
    StatementMerge,
    StatementPassword,
    StatementProcessingLog,
    UploadedFile,
    statement_merge_files,
)
from app.models.users import (
    EmailVerification,
    IdempotencyKey,
    PasswordReset,
    RefreshToken,
    User,
    UserDevice,
    UserFriendship,
    UserPreferences,
    UserProfile,
)

__all__ = [
    "AISettings",
    "Account",
    "ActivityLog",
    "Base",
    "Budget",
    "BudgetTemplate",
    "Category",
    "ChatMessage",
    "Country",
    "Currency",
    "EmailVerification",
    "Expense",
    "ExpenseAnalytics",
    "ExpenseComment",
    "ExpenseMention",
    "ExpensePayer",
    "ExpenseShare",
    "GeneratedReport",
    "Group",
    "GroupActivity",
    "GroupBalance",
    "GroupInvitation",
    "GroupMembership",
    "IdempotencyKey",
    "Notification",
    "NotificationLog",
    "NotificationPreference",
    "NotificationTemplate",
    "PasswordReset",
    "Payment",
    "PaymentMethod",
    "PaymentWebhook",
    "RecurringExpense",
    "RefreshToken",
    "ReportTemplate",
    "Settlement",
    "StatementMerge",
    "StatementPassword",
    "StatementProcessingLog",
    "SystemConfiguration",
    "Tag",
    "UploadedFile",
    "User",
    "UserDevice",
    "UserFriendship",
    "UserPreferences",
    "UserProfile",
    "UserSpendingPattern",
    "expense_tags",
    "statement_merge_files",
]
