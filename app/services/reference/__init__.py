"""Reference data: currencies, countries and the default category tree."""
