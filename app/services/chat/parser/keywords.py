"""Words that suggest a category or a classification when the message does not name one with #."""

from __future__ import annotations

import itertools
import re

from app.models.enums import ExpenseClassification

# Default category slug -> words (two-word phrases are checked before single words).
_CATEGORY_WORDS: dict[str, str] = {
    "restaurants": "lunch dinner breakfast brunch restaurant pizza sushi burger burgers tacos ramen noodles "
    "biryani curry thai indian chinese mexican italian dim-sum bbq steak diner bistro meal meals "
    "dosa pho kebab buffet",
    "coffee-shops": "coffee cafe café latte cappuccino espresso starbucks tea chai bakery donuts croissant",
    "fast-food": "mcdonalds mcdonald's kfc subway wendys wendy's popeyes chipotle fries",
    "bars": "beer beers bar pub drinks cocktails wine whiskey shots brewery club nightclub",
    "food-delivery": "doordash ubereats uber-eats swiggy zomato deliveroo grubhub takeout takeaway delivery",
    "groceries": "groceries grocery supermarket walmart costco aldi lidl tesco safeway kroger bigbasket "
    "vegetables veggies fruits fruit milk eggs bread produce",
    "household-supplies": "toiletries detergent cleaning-supplies paper-towels toilet-paper",
    "fuel": "petrol fuel diesel gas-station",
    "public-transport": "bus metro subway-pass train tram ferry transit",
    "taxi-rideshare": "uber lyft taxi cab ola grab bolt rideshare",
    "parking-tolls": "parking toll tolls",
    "car-maintenance": "mechanic oil-change tyres tires car-wash",
    "rent": "rent",
    "home-maintenance": "plumber electrician repairs repair cleaner maid",
    "furniture": "furniture ikea sofa couch mattress",
    "electricity": "electricity electric-bill power-bill",
    "water": "water-bill",
    "gas-heating": "gas-bill heating",
    "internet": "internet wifi wi-fi broadband",
    "mobile-phone": "phone-bill mobile-bill recharge",
    "doctor": "doctor clinic hospital checkup",
    "pharmacy": "pharmacy medicine medicines meds prescription",
    "dental": "dentist dental",
    "fitness": "gym yoga fitness",
    "movies": "movie movies cinema film imax",
    "streaming": "netflix spotify hulu disney+ prime-video youtube-premium",
    "games": "game games steam playstation xbox bowling arcade",
    "events-concerts": "concert concerts gig festival show tickets theatre theater",
    "hobbies": "hobby crafts",
    "clothing": "clothes clothing shirt shirts jeans shoes dress jacket",
    "electronics": "laptop headphones charger electronics",
    "personal-care": "haircut salon barber spa",
    "online-shopping": "amazon flipkart ebay etsy",
    "flights": "flight flights airfare plane-tickets",
    "accommodation": "hotel airbnb hostel motel",
    "car-rental": "car-rental rental-car",
    "activities-tours": "tour tours museum excursion snorkeling",
    "tuition": "tuition",
    "books-supplies": "books book stationery school-supplies",
    "courses": "course courses class udemy",
    "gifts": "gift gifts present birthday",
    "donations": "donation donations charity donated donate fundraiser",
    "insurance": "insurance",
    "subscriptions": "subscription",
    "fees-charges": "fee fees",
    "taxes": "tax taxes",
}
CATEGORY_BY_WORD: dict[str, str] = {
    word.replace("-", " "): slug for slug, words in _CATEGORY_WORDS.items() for word in words.split()
}
_WORD = re.compile(r"[\w'+]+")

CLASSIFICATION_PATTERNS: list[tuple[ExpenseClassification, re.Pattern[str], bool]] = [
    # (classification, pattern, drop the words from the description)
    (ExpenseClassification.REIMBURSABLE, re.compile(
        r"\b(?:reimbursable|to\s+be\s+reimbursed|(?:company|work)\s+will\s+(?:pay|reimburse)|expense\s+it"
        r"|business\s+expense|work\s+expense)\b", re.IGNORECASE), True),
    (ExpenseClassification.CHARITY, re.compile(
        r"\b(?:charity|donat(?:ion|ed|e)|fundraiser|tithe|zakat)\b", re.IGNORECASE), False),
    (ExpenseClassification.FAMILY_SUPPORT, re.compile(r"\bfamily\s+support\b", re.IGNORECASE), True),
    (ExpenseClassification.FAMILY_SUPPORT, re.compile(
        r"\b(?:(?:sent|send|transfer(?:red)?)\b[^@#]{0,24}?\bto\s+(?:mom|mum|dad|my\s+parents|parents|family)"
        r"|allowance)\b", re.IGNORECASE), False),
    (ExpenseClassification.ONE_TIME, re.compile(r"\b(?:one[-\s]time|one[-\s]off)\b", re.IGNORECASE), True),
]  # fmt: skip
CLASSIFICATION_BY_TAG = {
    classification.value.replace("_", ""): classification for classification in ExpenseClassification
}


def category_for(description: str) -> str | None:
    """The default category slug a description suggests: two-word phrases first, then the first word."""
    words = [word.casefold() for word in _WORD.findall(description)]
    for first, second in itertools.pairwise(words):
        if (slug := CATEGORY_BY_WORD.get(f"{first} {second}")) is not None:
            return slug
    for word in words:
        slug = CATEGORY_BY_WORD.get(word) or (CATEGORY_BY_WORD.get(word[:-1]) if word.endswith("s") else None)
        if slug is not None:
            return slug
    return None
