"""PostgreSQL and Valkey run from their wheels, so `expense-tracker serve` needs nothing installed."""
