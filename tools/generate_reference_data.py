"""Regenerate app/services/reference/data/{currencies,countries}.csv.

Run by hand when ISO 4217 / ISO 3166 change:
    pip install pycountry babel phonenumbers && python tools/generate_reference_data.py
Minor units come from ISO 4217 (CLDR's rounding digits differ for a few currencies, e.g. IRR).
"""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers
import pycountry
from babel.numbers import get_currency_symbol, get_territory_currencies

OUT = Path(__file__).resolve().parent.parent / "app" / "services" / "reference" / "data"

# ISO 4217 minor units that are not 2.
MINOR_UNITS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
# Precious metals, SDR-like units of account and test codes: ISO gives them no minor unit; nobody
# splits a dinner in them.
NOT_MONEY = set(["XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"])
# CLDR narrow symbols where the English symbol is just the code.
NARROW = {
    "AZN": "₼",
    "BDT": "৳",
    "BRL": "R$",
    "CRC": "₡",
    "CZK": "Kč",
    "DKK": "kr",
    "GEL": "₾",
    "GHS": "GH₵",
    "HUF": "Ft",
    "IDR": "Rp",
    "ISK": "kr",
    "KZT": "₸",
    "LAK": "₭",
    "MNT": "₮",
    "MYR": "RM",
    "NGN": "₦",
    "NOK": "kr",
    "PEN": "S/",
    "PLN": "zł",
    "PYG": "₲",
    "RON": "lei",
    "RUB": "₽",
    "SEK": "kr",
    "THB": "฿",
    "TRY": "₺",
    "UAH": "₴",
    "ZAR": "R",
    "KHR": "៛",
    "LKR": "Rs",
    "NPR": "Rs",
    "PKR": "Rs",
    "MUR": "Rs",
    "SCR": "Rs",
    "GTQ": "Q",
    "HNL": "L",
    "NIO": "C$",
    "PAB": "B/.",
    "DOP": "RD$",
    "BOB": "Bs",
    "VES": "Bs.S",
    "VED": "Bs.D",
    "UYU": "$U",
    "ARS": "$",
    "CLP": "$",
    "COP": "$",
    "CUP": "$",
    "SGD": "S$",
    "JMD": "J$",
    "TTD": "TT$",
    "BZD": "BZ$",
    "BSD": "$",
    "BBD": "Bds$",
    "BMD": "$",
    "KYD": "CI$",
    "FJD": "FJ$",
    "GYD": "G$",
    "LRD": "L$",
    "NAD": "N$",
    "SBD": "SI$",
    "SRD": "Sr$",
    "XCD": "EC$",
    "BND": "B$",
    "CHF": "CHF",
    "KES": "KSh",
    "TZS": "TSh",
    "UGX": "USh",
    "MAD": "DH",
    "AED": "د.إ",
    "SAR": "﷼",
    "QAR": "QR",
    "KWD": "KD",
    "BHD": "BD",
    "OMR": "RO",
    "JOD": "JD",
    "EGP": "E£",
    "LBP": "L£",
    "SYP": "£S",
    "SDG": "£SD",
    "GIP": "£",
    "FKP": "£",
    "SHP": "£",
    "SSP": "£",
    "IRR": "﷼",
    "YER": "﷼",
    "AMD": "֏",
    "MKD": "ден",
    "RSD": "дин",
    "BGN": "лв",
    "KGS": "сом",
    "TJS": "SM",
    "UZS": "soʻm",
    "MDL": "L",
    "ALL": "L",
    "BAM": "KM",
    "MOP": "MOP$",
    "ZMW": "ZK",
    "MWK": "MK",
    "BWP": "P",
    "PGK": "K",
    "MMK": "K",
    "AOA": "Kz",
    "MZN": "MT",
    "ETB": "Br",
    "BYN": "Br",
    "TOP": "T$",
    "WST": "WS$",
    "HTG": "G",
    "AWG": "ƒ",
    "XCG": "Cg",
    "ANG": "ƒ",
    "CVE": "Esc",
    "MVR": "Rf",
    "BTN": "Nu.",
    "GMD": "D",
    "SLE": "Le",
    "SOS": "Sh",
    "ERN": "Nfk",
    "DJF": "Fdj",
    "GNF": "FG",
    "RWF": "FRw",
    "BIF": "FBu",
    "KMF": "CF",
    "MGA": "Ar",
    "MRU": "UM",
    "LSL": "L",
    "SZL": "E",
    "STN": "Db",
    "CDF": "FC",
    "DZD": "DA",
    "TND": "DT",
    "LYD": "LD",
    "IQD": "ID",
    "AFN": "؋",
    "TMT": "m",
    "ZWG": "ZiG",
    "KPW": "₩",
    "SVC": "₡",
}


def currencies() -> list[dict[str, object]]:
    rows = []
    for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        code = currency.alpha_3
        if code in NOT_MONEY:
            continue
        symbol = NARROW.get(code) or get_currency_symbol(code, "en")
        rows.append(
            {
                "code": code,
                "numeric": currency.numeric,
                "name": currency.name[:50],
                "symbol": symbol[:10],
                "decimal_places": MINOR_UNITS.get(code, 2),
            }
        )
    return rows


def countries(codes: set[str]) -> list[dict[str, object]]:
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        legal = [c for c in get_territory_currencies(country.alpha_2) if c in codes]
        calling = phonenumbers.country_code_for_region(country.alpha_2)
        rows.append(
            {
                "code": country.alpha_2,
                "name": getattr(country, "common_name", None) or country.name,
                "currency": legal[0] if legal else "",
                "phone_code": f"+{calling}" if calling else "",
                "flag_emoji": country.flag,
            }
        )
    return rows


def write(name: str, rows: list[dict[str, object]]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    currency_rows = currencies()
    write("currencies.csv", currency_rows)
    write("countries.csv", countries({str(row["code"]) for row in currency_rows}))
    print(f"wrote {len(currency_rows)} currencies")
