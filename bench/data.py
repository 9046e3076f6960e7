"""The benchmark's data: Kasama City with its home page and departments, created through
the modules' services as in the demo (`python -m bench.data`, on the benchmark's fresh
database)."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

DEPARTMENTS = [
    ("somu-bu", "総務部", "General Affairs Department", None),
    ("somu", "総務課", "General Affairs Division", "somu-bu"),
    ("zeimu", "税務課", "Taxation Division", "somu-bu"),
    ("shimin-seikatsu", "市民生活部", "Citizens' Life Department", None),
    ("shimin", "市民課", "Citizens Division", "shimin-seikatsu"),
    ("hoken-fukushi", "保健福祉部", "Health and Welfare Department", None),
    ("korei-fukushi", "高齢福祉課", "Elderly Welfare Division", "hoken-fukushi"),
    ("bosai", "防災危機管理課", "Disaster and Crisis Management Division", "somu-bu"),
]


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from madoguchi.core import services
    from madoguchi.core.models import Department

    with transaction.atomic():
        kasama = services.create_municipality(
            code="082163",
            slug="kasama",
            name_ja="笠間市",
            name_kana="かさまし",
            name_en="Kasama City",
            prefecture="08",
            postal_code="309-1792",
            address="茨城県笠間市中央三丁目2番1号",
            phone="0296-77-1101",
            lead_ja="madoguchi のデモです。笠間市の公式サイトではありません。",
            lead_en="A demonstration of madoguchi, not the official website of Kasama City.",
        )
        created: dict[str, Department] = {}
        for code, name_ja, name_en, parent in DEPARTMENTS:
            created[code] = services.create_department(
                kasama, code=code, name_ja=name_ja, name_en=name_en, parent=created.get(parent) if parent else None
            )


if __name__ == "__main__":
    main()
