"""Pure business rules: money, dates, allocation, aging. No Qt, no database session, no I/O."""
