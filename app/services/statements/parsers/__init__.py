"""Statement parsers: bytes in, a ParsedStatement out. Pure functions, no database."""
