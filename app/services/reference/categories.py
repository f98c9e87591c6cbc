"""The default category tree every user starts with (system rows, no owner)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    icon: str
    color: str
    children: tuple[tuple[str, str], ...] = field(default=())


DEFAULT_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "food-dining",
        "Food & Dining",
        "utensils",
        "#e8590c",
        (
            ("restaurants", "Restaurants"),
            ("coffee-shops", "Coffee Shops"),
            ("fast-food", "Fast Food"),
            ("bars", "Bars & Nightlife"),
            ("food-delivery", "Food Delivery"),
        ),
    ),
    CategorySpec(
        "groceries",
        "Groceries",
        "shopping-basket",
        "#2f9e44",
        (
            ("supermarket", "Supermarket"),
            ("household-supplies", "Household Supplies"),
        ),
    ),
    CategorySpec(
        "transport",
        "Transport",
        "car",
        "#1971c2",
        (
            ("fuel", "Fuel"),
            ("public-transport", "Public Transport"),
            ("taxi-rideshare", "Taxi & Rideshare"),
            ("parking-tolls", "Parking & Tolls"),
            ("car-maintenance", "Car Maintenance"),
        ),
    ),
    CategorySpec(
        "housing",
        "Housing",
        "home",
        "#5f3dc4",
        (
            ("rent", "Rent"),
            ("mortgage", "Mortgage"),
            ("home-maintenance", "Home Maintenance"),
            ("furniture", "Furniture"),
        ),
    ),
    CategorySpec(
        "utilities",
        "Utilities",
        "bolt",
        "#f08c00",
        (
            ("electricity", "Electricity"),
            ("water", "Water"),
            ("gas-heating", "Gas & Heating"),
            ("internet", "Internet"),
            ("mobile-phone", "Mobile Phone"),
        ),
    ),
    CategorySpec(
        "health",
        "Health",
        "heart-pulse",
        "#c2255c",
        (
            ("doctor", "Doctor"),
            ("pharmacy", "Pharmacy"),
            ("dental", "Dental"),
            ("health-insurance", "Health Insurance"),
            ("fitness", "Fitness"),
        ),
    ),
    CategorySpec(
        "entertainment",
        "Entertainment",
        "film",
        "#9c36b5",
        (
            ("movies", "Movies"),
            ("streaming", "Streaming"),
            ("games", "Games"),
            ("events-concerts", "Events & Concerts"),
            ("hobbies", "Hobbies"),
        ),
    ),
    CategorySpec(
        "shopping",
        "Shopping",
        "shopping-bag",
        "#d6336c",
        (
            ("clothing", "Clothing"),
            ("electronics", "Electronics"),
            ("personal-care", "Personal Care"),
            ("online-shopping", "Online Shopping"),
        ),
    ),
    CategorySpec(
        "travel",
        "Travel",
        "plane",
        "#0c8599",
        (
            ("flights", "Flights"),
            ("accommodation", "Accommodation"),
            ("car-rental", "Car Rental"),
            ("activities-tours", "Activities & Tours"),
        ),
    ),
    CategorySpec(
        "education",
        "Education",
        "graduation-cap",
        "#3b5bdb",
        (
            ("tuition", "Tuition"),
            ("books-supplies", "Books & Supplies"),
            ("courses", "Courses"),
        ),
    ),
    CategorySpec(
        "gifts-charity",
        "Gifts & Charity",
        "gift",
        "#e64980",
        (
            ("gifts", "Gifts"),
            ("donations", "Donations"),
        ),
    ),
    CategorySpec(
        "income",
        "Income",
        "wallet",
        "#37b24d",
        (
            ("salary", "Salary"),
            ("bonus", "Bonus"),
            ("interest-dividends", "Interest & Dividends"),
            ("refunds", "Refunds"),
            ("other-income", "Other Income"),
        ),
    ),
    CategorySpec(
        "transfers",
        "Transfers",
        "arrow-right-left",
        "#868e96",
        (
            ("card-payment", "Credit Card Payment"),
            ("savings-transfer", "Savings Transfer"),
            ("cash-withdrawal", "Cash Withdrawal"),
        ),
    ),
    CategorySpec(
        "other",
        "Other",
        "circle-dot",
        "#495057",
        (
            ("fees-charges", "Fees & Charges"),
            ("taxes", "Taxes"),
            ("insurance", "Insurance"),
            ("subscriptions", "Subscriptions"),
            ("uncategorized", "Uncategorized"),
        ),
    ),
)
