"""Demo finance data: institutions of several kinds, investments into the demo enterprises,
nominations in several states, `partner-1` linked to an institution on this year's cooperation
list with a digest ready, and a roadshow judged by `partner-1`.

Deterministic and safe to run twice: every row is looked up by its natural key and created only
when missing; the digest is prepared only when the year has none yet.
"""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from enterprises.models import Enterprise
from pojian.domain.pdf import minimal_pdf
from pojian.domain.uscc import check_character
from pojian.models import NominationState, Region, User

from .domain.digests import prepare_digests, sync_schedule
from .domain.investments import classify
from .models import (
    Digest,
    DigestSettings,
    FinanceInstitution,
    FinanceNomination,
    Investment,
    Partnership,
    Presentation,
    Roadshow,
    RoadshowScore,
)

S = NominationState
K = FinanceInstitution.Kind
R = Investment.Round

# (n, name, kind, region code, registered capital in yuan, contact person)
INSTITUTIONS = [
    (1, "吉林省科技投资基金有限公司", K.VC, "220100", Decimal("1000000000"), "王经理"),
    (2, "长春北湖天使投资有限公司", K.ANGEL, "220100", Decimal("50000000"), "李经理"),
    (3, "吉林银行股份有限公司长春科技支行", K.BANK, "220100", None, "赵行长"),
    (4, "吉林省中小企业融资担保有限公司", K.GUARANTEE, "220100", Decimal("800000000"), "孙经理"),
    (5, "吉林市创业投资有限公司", K.VC, "220200", Decimal("200000000"), "周经理"),
    (6, "延边股权投资基金管理有限公司", K.PE, "222400", Decimal("300000000"), "金经理"),
    (7, "长春新区产业投资引导基金", K.OTHER, "229902", Decimal("500000000"), "吴经理"),
]
# institution n -> (state, reason) of this year's nomination by its region's bureau.
NOMINATIONS = {
    1: (S.ACCEPTED, ""),
    2: (S.SUBMITTED, ""),
    3: (S.RETURNED, "请补充对区域内科技型中小企业贷款的明细及盖章推荐函。"),
    4: (S.DRAFT, ""),
    5: (S.SUBMITTED, ""),
    6: (S.REJECTED, "所列投资均不在本地区科技型中小企业范围内。"),
}
ROUNDS = [R.SEED, R.ANGEL, R.A, R.B, R.LATER, R.LOAN]
PARTNERS = {1: "投资对接重点合作机构", 5: "吉林市区域合作机构"}

LETTER_PATH = "letters/finance/demo/demo-letter.pdf"
LETTER = minimal_pdf("Recommendation letter - demo")


def uscc_for(region_code, n):
    first17 = f"91{region_code}MF{n:07d}"
    return first17 + check_character(first17)


def seed(*, cycle, stdout=None):
    year = cycle.year
    office = User.objects.filter(username="office").first()
    partner = User.objects.filter(username="partner-1").first()
    regions = {r.code: r for r in Region.objects.nominating()}
    institutions = {}
    for n, name, kind, code, capital, contact in INSTITUTIONS:
        if code not in regions:
            continue
        institutions[n], _created = FinanceInstitution.objects.get_or_create(
            uscc=uscc_for(code, n),
            defaults={"name": name, "kind": kind, "region": regions[code], "registered_capital": capital,
                      "contact_person": contact, "contact_phone": f"0431-8800{n:04d}",
                      "address": f"{regions[code].name}金融服务中心{n}号楼"},
        )
    if partner is not None and 1 in institutions:
        institutions[1].users.add(partner)
    if office is not None:
        for n, note in PARTNERS.items():
            if n in institutions:
                for y in (year - 1, year) if n == 1 else (year,):
                    Partnership.objects.get_or_create(institution=institutions[n], year=y,
                                                      defaults={"note": note, "added_by": office})
    _investments(institutions, year, office)
    _nominations(cycle, institutions)
    if not DigestSettings.objects.exists():
        # First run only: a weekly schedule; later the office's own settings are left alone.
        settings_row = DigestSettings.load()
        settings_row.frequency = DigestSettings.Frequency.WEEKLY
        settings_row.save()
        sync_schedule(settings_row)
    if not Digest.objects.filter(cycle=cycle).exists():
        prepare_digests(cycle=cycle)
    _roadshow(cycle, partner)
    if stdout:
        stdout.write(
            f"finance: {FinanceInstitution.objects.count()} institutions, {Investment.objects.count()} investments, "
            f"{FinanceNomination.objects.count()} nominations, {Digest.objects.count()} digests"
        )


def _investments(institutions, year, office):
    """Investments by the institutions into whatever demo enterprises exist (none if there are none)."""
    investors = [institutions[n] for n in sorted(institutions)]
    if not investors:
        return
    for k, enterprise in enumerate(Enterprise.objects.order_by("uscc")[:24]):
        # Mostly investors of the enterprise's own region, so nominations have something to list.
        local = [i for i in investors if i.region_id == enterprise.region_id] or investors
        institution = local[k % len(local)]
        for j in range(1 + k % 2):
            date = datetime.date(year - 1 + j, 1 + (5 * k + 3 * j) % 12, 1 + (11 * k + 5 * j) % 28)
            round_ = R.LOAN if institution.kind in (K.BANK, K.GUARANTEE) else ROUNDS[(k + j) % 5]
            if Investment.objects.filter(institution=institution, enterprise=enterprise, date=date, round=round_).exists():
                continue
            if date > timezone.localdate():
                continue
            investment = Investment(
                institution=institution, enterprise=enterprise, date=date, round=round_,
                amount=Decimal(500_000 * (1 + (k * 7 + j) % 19)), note="演示数据", created_by=office,
            )
            investment.early_or_small, investment.basis = classify(enterprise, date)
            investment.save()


def _letter():
    if not default_storage.exists(LETTER_PATH):
        default_storage.save(LETTER_PATH, ContentFile(LETTER))
    return LETTER_PATH


def _nominations(cycle, institutions):
    letter = _letter()
    for n, (state, reason) in NOMINATIONS.items():
        institution = institutions.get(n)
        if institution is None:
            continue
        bureau = User.objects.filter(username=f"bureau-{institution.region.code}").first()
        if bureau is None or FinanceNomination.objects.filter(cycle=cycle, institution=institution).exists():
            continue
        at = datetime.datetime(cycle.year, 4, 10, 9, 0, tzinfo=datetime.UTC)
        FinanceNomination.objects.create(
            cycle=cycle, region=institution.region, institution=institution, created_by=bureau, state=state,
            state_reason=reason,
            summary=(f"{institution.name}近两年在本地区投资科技型中小企业多家,重点支持初创期和成长期企业,"
                     "投早投小成效明显,并为企业提供投后管理和融资对接服务。"),
            recommendation="该机构长期服务本地区科技型中小企业,推荐纳入“破茧成蝶”科技金融主体助力工程。",
            letter=letter if state != S.DRAFT else "",
            submitted_at=at if state != S.DRAFT else None,
            decided_at=at + datetime.timedelta(days=15) if state in (S.ACCEPTED, S.RETURNED, S.REJECTED) else None,
        )


def _roadshow(cycle, partner):
    roadshow, _created = Roadshow.objects.get_or_create(
        cycle=cycle, title=f"{cycle.year}年“破茧成蝶”科技企业投融资路演(第一期)",
        defaults={"date": datetime.date(cycle.year, 6, 18), "place": "长春新区科技大厦路演厅",
                  "description": "入库科技型中小企业现场路演,合作金融机构担任评委并现场打分。"},
    )
    if partner is not None:
        roadshow.judges.add(partner)
    for order, enterprise in enumerate(Enterprise.objects.order_by("uscc")[:5], start=1):
        presentation, _created = Presentation.objects.get_or_create(
            roadshow=roadshow, enterprise=enterprise, defaults={"order": order, "project": f"{enterprise.name}核心技术产业化项目"},
        )
        if partner is not None and order == 1:
            RoadshowScore.objects.get_or_create(presentation=presentation, judge=partner,
                                                defaults={"score": 86, "comment": "技术壁垒高,市场空间清晰。"})
