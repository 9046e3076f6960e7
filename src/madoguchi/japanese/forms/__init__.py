"""Django form fields for Japanese input. Import them from here::

from madoguchi.japanese.forms import KatakanaField, PostalCodeField, WarekiDateField
"""

from .address import PostalCodeField
from .banking import (
    AccountHolderKanaField,
    AccountNumberField,
    AccountTypeField,
    BankAccountForm,
    BankAccountFormMixin,
    BankCodeField,
    BranchCodeField,
)
from .dates import WarekiDateField, WarekiDateTextField
from .identifiers import CorporateNumberField, IndividualNumberField, LocalGovernmentCodeField
from .text import (
    AddressField,
    AmountField,
    HiraganaField,
    JapanesePhoneField,
    KatakanaField,
    NameField,
    NormalizedCharField,
    NormalizedEmailField,
)

__all__ = [
    "AccountHolderKanaField",
    "AccountNumberField",
    "AccountTypeField",
    "AddressField",
    "AmountField",
    "BankAccountForm",
    "BankAccountFormMixin",
    "BankCodeField",
    "BranchCodeField",
    "CorporateNumberField",
    "HiraganaField",
    "IndividualNumberField",
    "JapanesePhoneField",
    "KatakanaField",
    "LocalGovernmentCodeField",
    "NameField",
    "NormalizedCharField",
    "NormalizedEmailField",
    "PostalCodeField",
    "WarekiDateField",
    "WarekiDateTextField",
]
