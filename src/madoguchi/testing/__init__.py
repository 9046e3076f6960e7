"""Test helpers for every module: factories, the tenant isolation check, fixtures.

Use in a module's tests::

    from madoguchi.testing.factories import StaffFactory
    from madoguchi.testing.tenancy import TenantIsolation
"""
