"""The residents' pages of facilities, one module per part (catalog, availability,
registrations, bookings, lotteries)."""
