"""Payments' models, one module per part: invoices and payments (`invoices`), online
payment through gateways (`online`), payment notices and their reconciliation
(`notices`), account transfer (`transfers`)."""

from .invoices import (
    ITEM_CODES,
    TAX_ITEMS,
    Channel,
    Invoice,
    InvoiceCounter,
    InvoiceStatus,
    Item,
    Payment,
    PaymentSettings,
    Refund,
    RefundStatus,
)
from .notices import ExceptionReason, NoticeImport, NoticeKind, NoticeStatus, PaymentNotice
from .online import GatewayNotification, NotificationResult, OnlinePayment, OnlinePaymentStatus
from .transfers import AccountType, BankAccount, BankAccountStatus, TransferBatch, TransferBatchStatus, TransferRequest

__all__ = [
    "ITEM_CODES",
    "TAX_ITEMS",
    "AccountType",
    "BankAccount",
    "BankAccountStatus",
    "Channel",
    "ExceptionReason",
    "GatewayNotification",
    "Invoice",
    "InvoiceCounter",
    "InvoiceStatus",
    "Item",
    "NoticeImport",
    "NoticeKind",
    "NoticeStatus",
    "NotificationResult",
    "OnlinePayment",
    "OnlinePaymentStatus",
    "Payment",
    "PaymentNotice",
    "PaymentSettings",
    "Refund",
    "RefundStatus",
    "TransferBatch",
    "TransferBatchStatus",
    "TransferRequest",
]
