"""The closed sets of values the schema allows, shared by models, services and API schemas."""

from enum import StrEnum


# Native PostgreSQL enum types (seed 000, "Custom Types").
class UserRole(StrEnum):
    USER = "user"
    PREMIUM = "premium"
    ADMIN = "admin"


class ExpenseType(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    RECURRING = "recurring"


class SplitType(StrEnum):
    EQUAL = "equal"
    EXACT = "exact"
    PERCENTAGE = "percentage"
    SHARES = "shares"
    ADJUSTMENT = "adjustment"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class NotificationPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


# VARCHAR columns with a CHECK constraint.
class ProfileVisibility(StrEnum):
    PUBLIC = "public"
    FRIENDS = "friends"
    PRIVATE = "private"


class FriendshipStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    BLOCKED = "blocked"
    DECLINED = "declined"


class DeviceType(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


class QuickAddMode(StrEnum):
    NORMAL = "normal"
    AI = "ai"
    SHORTCUT = "shortcut"


class ChatParserChoice(StrEnum):
    SYSTEM = "system"
    AI = "ai"


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class DateFormat(StrEnum):
    ISO = "YYYY-MM-DD"
    DAY_FIRST = "DD/MM/YYYY"
    MONTH_FIRST = "MM/DD/YYYY"
    DAY_FIRST_DOTS = "DD.MM.YYYY"


class ConfigDataType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    JSON = "json"


class TransactionType(StrEnum):
    EXPENSE = "expense"
    INCOME = "income"
    REFUND = "refund"
    TRANSFER = "transfer"


class ExpenseSource(StrEnum):
    MANUAL = "manual"
    CHAT = "chat"
    STATEMENT = "statement"
    RECURRING = "recurring"
    IMPORT = "import"


class ExpenseClassification(StrEnum):
    REGULAR_MONTHLY = "regular_monthly"
    CHARITY = "charity"
    FAMILY_SUPPORT = "family_support"
    REIMBURSABLE = "reimbursable"
    ONE_TIME = "one_time"
    IRREGULAR = "irregular"


# SCHEMA-MAP.md: these classifications leave totals unless the user overrides it on the expense.
EXCLUDED_CLASSIFICATIONS = (
    ExpenseClassification.CHARITY,
    ExpenseClassification.FAMILY_SUPPORT,
    ExpenseClassification.REIMBURSABLE,
)


class RecurrenceFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class MentionType(StrEnum):
    USER = "user"
    GROUP = "group"
    CATEGORY = "category"
    TAG = "tag"


class GroupType(StrEnum):
    PERSONAL = "personal"
    TRIP = "trip"
    HOME = "home"
    COUPLE = "couple"
    PROJECT = "project"
    OTHER = "other"


class MemberRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEFT = "left"
    REMOVED = "removed"


class PaymentMethodType(StrEnum):
    BANK = "bank"
    CARD = "card"
    PAYPAL = "paypal"
    STRIPE = "stripe"
    VENMO = "venmo"
    UPI = "upi"
    CASH = "cash"
    OTHER = "other"


class SettlementMethod(StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"
    EXTERNAL = "external"


class WebhookStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class PeriodType(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class ReportFormat(StrEnum):
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    EXPIRED = "expired"


class DeliveryChannel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"


class DeliveryFrequency(StrEnum):
    IMMEDIATE = "immediate"
    HOURLY_DIGEST = "hourly_digest"
    DAILY_DIGEST = "daily_digest"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    OPENED = "opened"
    CLICKED = "clicked"
    FAILED = "failed"
    BOUNCED = "bounced"
    SKIPPED = "skipped"


class ChatMessageType(StrEnum):
    USER = "user"
    SYSTEM = "system"
    SUGGESTION = "suggestion"


class ChatMessageStatus(StrEnum):
    DRAFT = "draft"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class AccountType(StrEnum):
    BANK = "bank"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    WALLET = "wallet"


class FileFormat(StrEnum):
    PDF = "pdf"
    CSV = "csv"
    OFX = "ofx"
    CAMT053 = "camt053"
    IMAGE = "image"
    UNKNOWN = "unknown"


class FilePurpose(StrEnum):
    STATEMENT = "statement"
    RECEIPT = "receipt"
    ATTACHMENT = "attachment"


class FileStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    NEEDS_PASSWORD = "needs_password"
    NEEDS_REVIEW = "needs_review"
    COMPLETED = "completed"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    STORED = "stored"


class ProcessingStage(StrEnum):
    UPLOAD = "upload"
    PASSWORD_DECRYPT = "password_decrypt"
    TEXT_EXTRACTION = "text_extraction"
    PARSE_ATTEMPT = "parse_attempt"
    AI_PARSE = "ai_parse"
    VALIDATION = "validation"
    DEDUPLICATION = "deduplication"
    TRANSACTION_CREATION = "transaction_creation"
    COMPLETION = "completion"


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"


class ParserType(StrEnum):
    SYSTEM = "system"
    AI = "ai"
    HYBRID = "hybrid"


class MergeStrategy(StrEnum):
    KEEP_PRIMARY = "keep_primary"
    MERGE_ALL = "merge_all"
    MANUAL = "manual"


class MergeStatus(StrEnum):
    SUGGESTED = "suggested"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"


class BudgetPeriod(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    CUSTOM = "custom"


class BudgetType(StrEnum):
    MANUAL = "manual"
    TEMPLATE = "template"
    AI_SUGGESTED = "ai_suggested"


class ParserProvider(StrEnum):
    SYSTEM = "system"
    OPENAI = "openai"
    CLAUDE = "claude"
    GEMINI = "gemini"
