"""Forms of facilities, one module per part."""
