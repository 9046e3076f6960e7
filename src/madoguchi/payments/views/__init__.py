"""Payments' views: documents (bills, receipts) in `documents`."""
