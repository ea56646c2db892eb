"""The four funding lines the policy names; the office adds others in the admin."""

from django.db import migrations

LINES = [
    ("project_support", "立项支持", False, 10),
    ("tech_contract", "技术合同补助", True, 20),
    ("rd_post", "研发投入后补助", True, 30),
    ("incubator_post", "孵化器后补助", True, 40),
]


def add_lines(apps, schema_editor):
    FundingLine = apps.get_model("funding", "FundingLine")
    for code, name, notice, order in LINES:
        FundingLine.objects.get_or_create(code=code, defaults={"name": name, "requires_notice": notice, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_ledger")]
    operations = [migrations.RunPython(add_lines, migrations.RunPython.noop)]
