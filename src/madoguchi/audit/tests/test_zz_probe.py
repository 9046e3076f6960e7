import pytest, re
from madoguchi.audit.tests.test_access import sign_in
from madoguchi.accounts.models import Role
from madoguchi.testing.factories import make_staff
pytestmark = pytest.mark.django_db
def test_p(client, kasama):
    sign_in(client, make_staff(kasama, Role.AUDITOR))
    b = client.get("/staff/audit-log/").content.decode()
    i = b.find('<header')
    print(re.sub(r"\n\s*\n", "\n", b[i:i+9000]))
