"""Demo data of the cultivation pool (培育库): enterprises over three fiscal years, with tier moves.

Per region POOL_PER_REGION enterprises that were never nominated: three fiscal years of figures
(growing, or for some shrinking), registrations in most years, and recognitions that move some
of them up the tiers (高新技术企业, 专精特新, 小巨人, one listing) or let them fall back (a year
without registration); a few have left the pool (注销, 迁出) or graduated. The 高新技术企业, 专精特新
and 小巨人 recognitions arrive as the office's lists do: rows in the import's format (certificate
numbers, batches, document numbers), checked and written by enterprises.domain.import_recognitions.
Then the pool's backfill enters every enterprise the portal knows and evaluates every tier.

Deterministic and idempotent: what exists is skipped (by USCC); the backfill keeps existing entries.
"""

import datetime
import random
from decimal import Decimal

from pojian.models import Region

from .domain import import_recognitions, pool
from .models import Enterprise, EnterpriseYear, Industry, PoolEntry, Recognition, Registration

POOL_PER_REGION = 160
NAMES = ["科创", "恒信", "光启", "安泰", "华辰", "众和", "天择", "嘉盛", "弘毅", "明德", "瑞泽", "联创", "九州", "长风",
         "松江", "白桦", "雪域", "寒武", "鲲鹏", "青松"]
KINDS = ["电子", "软件", "医疗器械", "新材料", "智能制造", "农业科技", "检测服务", "节能环保"]
INDUSTRIES = [Industry.ELECTRONICS, Industry.SOFTWARE, Industry.BIOMEDICINE, Industry.NEW_MATERIALS,
              Industry.ADVANCED_MANUFACTURING, Industry.AGRICULTURE, Industry.TECH_SERVICES, Industry.ENVIRONMENT]
LEFT = [(PoolEntry.Status.DEREGISTERED, "企业已办理注销登记。"), (PoolEntry.Status.MOVED, "企业注册地迁出吉林省。"),
        (PoolEntry.Status.GRADUATED, "营业收入超过2亿元,转入规上高企培育。")]


def _uscc(rng, division, used):
    from .demo import _uscc as make

    return make(rng, division, used)


def plan(region, *, year, used):
    """The region's pool enterprises as plain dicts, the same every time."""
    rng = random.Random(f"pojian-demo-pool-{region.code}")
    city = region.name.removesuffix("市").removesuffix("州")[:4]
    plans = []
    for i in range(POOL_PER_REGION):
        uscc = _uscc(rng, region.code, used)
        kind = i % len(KINDS)
        name = f"{city}{NAMES[i % len(NAMES)]}{KINDS[kind]}{'有限公司' if i % 3 else '股份有限公司'}"
        if i >= len(NAMES) * len(KINDS) // 8:
            name = f"{city}{NAMES[(i * 7) % len(NAMES)]}{NAMES[(i * 3 + 1) % len(NAMES)]}{KINDS[kind]}有限公司"
        revenue = Decimal(rng.randrange(3_000_000, 150_000_000))
        growth = Decimal(rng.choice(["1.25", "1.15", "1.08", "1.02", "0.92"]))
        staff = rng.randrange(15, 380)
        figures = []
        for k, fy in enumerate(range(year - 3, year)):
            r = (revenue * growth ** k).quantize(Decimal("1"))
            figures.append({"year": fy, "revenue": r, "rd_expense": (r * Decimal(rng.randrange(3, 14)) / 100)
                            .quantize(Decimal("1")), "employees": staff + k * rng.randrange(0, 20),
                            "tech_staff": staff // 2})
        registered = [fy for fy in range(year - 3, year + 1) if rng.random() < 0.85]
        recognitions = []
        roll = rng.random()
        if roll < 0.30:
            recognitions.append(("high_tech", rng.choice([year - 3, year - 2, year - 1])))
        if roll < 0.10:
            recognitions.append(("specialised", rng.choice([year - 2, year - 1])))
        if roll < 0.03:
            recognitions.append(("little_giant", year - 1))
        if i == 0 and region.sort_order == 1:
            recognitions.append(("listed", year - 1))
        status = LEFT[i % len(LEFT)] if i % 53 == 52 else None
        plans.append({"enterprise": {"name": name, "uscc": uscc, "industry": INDUSTRIES[kind],
                                     "founded_on": datetime.date(year - 3 - i % 9, 1 + i % 12, 1 + i % 27)},
                      "figures": figures, "registered": registered, "recognitions": recognitions, "status": status})
    return plans


DEMO_FILES = {"high_tech": "吉林省高新技术企业名单.xlsx", "specialised": "吉林省专精特新中小企业名单.xlsx",
              "little_giant": "专精特新小巨人企业名单.xlsx"}


def list_row(enterprise, *, kind, year, serial):
    """One row of the demo's 高新 / 专精特新 / 小巨人 list, in the import's format (its COLUMNS' keys)."""
    if kind == "high_tech":
        return {"name": enterprise["name"], "uscc": enterprise["uscc"], "reference": f"GR{year}22{serial % 10**6:06d}",
                "date": datetime.date(year, 11, 20 + serial % 8), "year": year, "batch": f"{year}年第{1 + serial % 2}批"}
    return {"name": enterprise["name"], "uscc": enterprise["uscc"], "year": year,
            "batch": f"第{year - 2018}批" if kind == "little_giant" else f"{year}年第{1 + serial % 2}批",
            "reference": f"吉工信中小〔{year}〕{10 + serial % 90}号" if kind == "specialised" else f"工信部企业函〔{year}〕{serial % 300}号",
            "date": datetime.date(year, 7, 1 + serial % 28)}


def seed(*, cycle, stdout=None):
    year = cycle.year
    used = set(Enterprise.objects.values_list("uscc", flat=True))
    regions = list(Region.objects.nominating().filter(active=True).order_by("sort_order", "code"))
    planned = [(region, p) for region in regions for p in plan(region, year=year, used=set())]
    existing = set(Enterprise.objects.filter(uscc__in=[p["enterprise"]["uscc"] for _r, p in planned])
                   .values_list("uscc", flat=True))
    new = [(region, p) for region, p in planned if p["enterprise"]["uscc"] not in existing
           and p["enterprise"]["uscc"] not in used]
    Enterprise.objects.bulk_create([Enterprise(region=region, **p["enterprise"]) for region, p in new], batch_size=2000)
    ids = dict(Enterprise.objects.filter(uscc__in=[p["enterprise"]["uscc"] for _r, p in new]).values_list("uscc", "pk"))
    figures, registrations, listings, lists = [], [], [], {}
    for region, p in new:
        eid = ids[p["enterprise"]["uscc"]]
        figures += [EnterpriseYear(enterprise_id=eid, **f) for f in p["figures"]]
        registrations += [Registration(enterprise_id=eid, year=y, number=f"{y}{region.code}{eid % 10**7:07d}")
                          for y in p["registered"]]
        for kind, y in p["recognitions"]:
            if kind == "listed":
                listings.append(Recognition(enterprise_id=eid, kind=kind, year=y, reference="上市公告"))
            else:
                lists.setdefault(kind, []).append(list_row(p["enterprise"], kind=kind, year=y, serial=eid))
    EnterpriseYear.objects.bulk_create(figures, batch_size=2000)
    Registration.objects.bulk_create(registrations, batch_size=2000)
    Recognition.objects.bulk_create(listings, batch_size=2000)
    for kind, rows in sorted(lists.items()):
        import_recognitions.import_rows([(n, row) for n, row in enumerate(rows, start=2)], kind=kind,
                                        filename=DEMO_FILES[kind])
    # Every enterprise the portal knows into the pool (earliest evidence), every tier evaluated.
    created, written = pool.backfill(on=datetime.date(year, 1, 1))
    # A few have left the pool or graduated (their entries were just made: no edit to overwrite).
    left = [(ids[p["enterprise"]["uscc"]], p["status"]) for _r, p in new if p["status"]]
    for eid, (status, reason) in left:
        PoolEntry.objects.filter(enterprise_id=eid).update(status=status, status_on=datetime.date(year - 1, 12, 1),
                                                           status_reason=reason)
    if stdout:
        stdout.write(f"enterprises: pool: {len(new)} new enterprises, {created} entered the pool, "
                     f"{written} tier standings, {len(left)} left or graduated")
