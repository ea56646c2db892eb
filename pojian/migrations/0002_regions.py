"""The nominating units (推荐单位): nine 市(州), three special zones, 梅河口."""

from django.db import migrations

REGIONS = [
    # code, name, kind, bureau
    ("220100", "长春市", "city", "长春市科学技术局"),
    ("220200", "吉林市", "city", "吉林市科学技术局"),
    ("220300", "四平市", "city", "四平市科学技术局"),
    ("220400", "辽源市", "city", "辽源市科学技术局"),
    ("220500", "通化市", "city", "通化市科学技术局"),
    ("220600", "白山市", "city", "白山市科学技术局"),
    ("220700", "松原市", "city", "松原市科学技术局"),
    ("220800", "白城市", "city", "白城市科学技术局"),
    ("222400", "延边朝鲜族自治州", "city", "延边朝鲜族自治州科学技术局"),
    # The special zones have no official division code: internal codes in a range no county uses.
    ("229901", "长白山管委会", "zone", "长白山管委会教育科技局"),
    ("229902", "长春新区", "zone", "长春新区管委会科技局"),
    ("229903", "中韩(长春)国际合作示范区", "zone", "中韩(长春)国际合作示范区管委会科技局"),
    ("220581", "梅河口市", "direct", "梅河口市科学技术局"),
]


def load(apps, schema_editor):
    Region = apps.get_model("pojian", "Region")
    for order, (code, name, kind, bureau) in enumerate(REGIONS, start=1):
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "bureau_name": bureau, "sort_order": order}
        )


def unload(apps, schema_editor):
    apps.get_model("pojian", "Region").objects.filter(code__in=[r[0] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("pojian", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
