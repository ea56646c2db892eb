"""Jilin's county-level divisions (县级行政区划) under their cities, with their official codes.

Source: 国家统计局 2023 统计用区划代码 (via modood/Administrative-divisions-of-China, 2024-11-28),
see notes/funding-and-transfer.md §6. 公主岭市 is under 长春 (220184) since 2020. 梅河口市 (220581)
is left out: the portal already has it as a nominating unit of its own (directly administered).
The development zones' statistical-only codes (2201 71..74 etc.) are not divisions and are not loaded.
"""

from django.db import migrations

COUNTIES = {
    "220100": "220102 南关区, 220103 宽城区, 220104 朝阳区, 220105 二道区, 220106 绿园区, 220112 双阳区, "
              "220113 九台区, 220122 农安县, 220182 榆树市, 220183 德惠市, 220184 公主岭市",
    "220200": "220202 昌邑区, 220203 龙潭区, 220204 船营区, 220211 丰满区, 220221 永吉县, 220281 蛟河市, "
              "220282 桦甸市, 220283 舒兰市, 220284 磐石市",
    "220300": "220302 铁西区, 220303 铁东区, 220322 梨树县, 220323 伊通满族自治县, 220382 双辽市",
    "220400": "220402 龙山区, 220403 西安区, 220421 东丰县, 220422 东辽县",
    "220500": "220502 东昌区, 220503 二道江区, 220521 通化县, 220523 辉南县, 220524 柳河县, 220582 集安市",
    "220600": "220602 浑江区, 220605 江源区, 220621 抚松县, 220622 靖宇县, 220623 长白朝鲜族自治县, 220681 临江市",
    "220700": "220702 宁江区, 220721 前郭尔罗斯蒙古族自治县, 220722 长岭县, 220723 乾安县, 220781 扶余市",
    "220800": "220802 洮北区, 220821 镇赉县, 220822 通榆县, 220881 洮南市, 220882 大安市",
    "222400": "222401 延吉市, 222402 图们市, 222403 敦化市, 222404 珲春市, 222405 龙井市, 222406 和龙市, "
              "222424 汪清县, 222426 安图县",
}
CITY_NAMES = {"220100": "长春市", "220200": "吉林市", "220300": "四平市", "220400": "辽源市", "220500": "通化市",
              "220600": "白山市", "220700": "松原市", "220800": "白城市", "222400": "延边朝鲜族自治州"}


def divisions():
    """[(city code, county code, county name)] in the official order."""
    rows = []
    for city, text in COUNTIES.items():
        for item in text.split(", "):
            code, name = item.split(" ")
            rows.append((city, code, name))
    return rows


def load(apps, schema_editor):
    Region = apps.get_model("pojian", "Region")
    cities = {r.code: r for r in Region.objects.filter(code__in=COUNTIES)}
    for order, (city_code, code, name) in enumerate(divisions(), start=100):
        city = cities[city_code]
        # The 59 names are unique within Jilin and differ from the nominating units' names.
        Region.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": "county", "parent": city, "bureau_name": f"{name}科技部门",
                      "sort_order": order},
        )


def unload(apps, schema_editor):
    apps.get_model("pojian", "Region").objects.filter(kind="county").delete()


class Migration(migrations.Migration):
    dependencies = [("pojian", "0060_counties")]
    operations = [migrations.RunPython(load, unload)]
