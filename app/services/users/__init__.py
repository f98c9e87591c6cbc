"""Users: accounts, profiles, preferences."""
