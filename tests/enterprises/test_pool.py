"""The cultivation pool (培育库): entries and exits, the hooks that feed it, tiers (梯次) year by year, cohorts,
and its pages — the office sees every region, a bureau its own; another city, an expert and a visitor are refused."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises.domain import cohorts, pool, tiers
from enterprises.domain import import_registrations as reglist
from enterprises.domain import import_tax as tax
from enterprises.models import PoolEntry, Recognition, TierRule, TierStanding
from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import Job, NominationState
from tests import factories as core
from tests.enterprises.factories import (
    EnterpriseFactory,
    EnterpriseNominationFactory,
    EnterpriseYearFactory,
    RegistrationFactory,
    VerdictFactory,
)

Y = 2025  # fixed years: nothing here depends on today's date


@pytest.fixture(autouse=True)
def _pool_refresh_in_process(monkeypatch):
    """The hooks send `enterprises.tasks.refresh_pool` on commit; here it runs in this process, as it does
    without a broker, so the tests see the pool the hook made whether CI's Redis is configured or not."""
    from enterprises import tasks

    monkeypatch.setattr(tasks.refresh_pool, "delay", lambda *args: tasks.refresh_pool.apply(args=args))


def changchun():
    return core.region("220100")


def jilin():
    return core.region("220200")


def entered(enterprise, *, on=datetime.date(Y, 1, 1)):
    pool.enter(enterprise_ids=[enterprise.pk], via=PoolEntry.Via.OFFICE, on=on)
    return PoolEntry.objects.get(enterprise=enterprise)


def standing(enterprise, year):
    return TierStanding.objects.filter(enterprise=enterprise, year=year).first()


# --- entries, backfill, status ---------------------------------------------------------------


@pytest.mark.django_db
def test_backfill_enters_every_enterprise_by_its_earliest_evidence_and_is_idempotent():
    registered = EnterpriseFactory()
    RegistrationFactory(enterprise=registered, year=Y - 2)
    RegistrationFactory(enterprise=registered, year=Y)
    taxed = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=taxed, year=Y - 1, tax_imported_at=datetime.datetime(Y, 6, 1, tzinfo=datetime.UTC))
    bare = EnterpriseFactory()
    created, _written = pool.backfill(on=datetime.date(Y, 3, 1))
    assert created == 3
    e = PoolEntry.objects.get(enterprise=registered)
    assert (e.entered_via, e.entered_on, e.region_id) == ("registration", datetime.date(Y - 2, 1, 1), registered.region_id)
    assert PoolEntry.objects.get(enterprise=taxed).entered_via == "tax"
    assert PoolEntry.objects.get(enterprise=taxed).entered_on == datetime.date(Y - 1, 12, 31)
    assert PoolEntry.objects.get(enterprise=bare).entered_via == "office"
    assert pool.backfill(on=datetime.date(Y, 3, 1))[0] == 0
    assert PoolEntry.objects.count() == 3


@pytest.mark.django_db
def test_region_copy_follows_the_enterprise():
    enterprise = EnterpriseFactory()
    entry = entered(enterprise)
    enterprise.region = jilin()
    enterprise.save()
    pool.refresh(enterprise_ids=[enterprise.pk], via="registration")
    entry.refresh_from_db()
    assert entry.region == jilin()
    assert entry.entered_via == "office"  # an entry keeps how it entered


@pytest.mark.django_db
def test_office_records_leaving_with_a_reason_and_a_stale_edit_is_refused(office):
    entry = entered(EnterpriseFactory())
    with pytest.raises(ValidationError) as e:
        pool.set_status(entry, by=office, status="moved", on=datetime.date(Y, 5, 1), reason=" ", expected_version=1)
    assert "reason" in e.value.message_dict
    with pytest.raises(ValidationError):
        pool.set_status(entry, by=office, status="moved", on=datetime.date(Y - 3, 5, 1), reason="迁出", expected_version=1)
    pool.set_status(entry, by=office, status="moved", on=datetime.date(Y, 5, 1), reason="注册地迁出吉林省", expected_version=1)
    entry.refresh_from_db()
    assert (entry.status, entry.version, entry.has_left) == ("moved", 2, True)
    assert entry.history.first().history_change_reason == "注册地迁出吉林省"
    with pytest.raises(StaleEdit):
        pool.set_status(entry, by=office, status="in_pool", on=None, reason="", expected_version=1)


@pytest.mark.django_db
def test_a_bureau_cannot_change_a_pool_status(bureau):
    entry = entered(EnterpriseFactory(region=bureau.region))
    with pytest.raises(PermissionDenied):
        pool.set_status(entry, by=bureau, status="dishonest", on=datetime.date(Y, 1, 2), reason="失信",
                        expected_version=1)


# --- the hooks ---------------------------------------------------------------------------------


def registration_list(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名称", "统一社会信用代码", "登记编号", "年度", "状态", "日期"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.mark.django_db
def test_registration_import_enters_the_pool_and_a_revocation_moves_the_tier_down(
        office, django_capture_on_commit_callbacks):
    from pojian.domain.uscc import numbered

    code = numbered("91220201", 4242)
    with django_capture_on_commit_callbacks(execute=True):
        reglist.import_file(registration_list([["吉林新星科技有限公司", code, f"{Y}220201A0000001", Y, "入库",
                                                f"{Y}-04-01"]]), by=office)
    entry = PoolEntry.objects.select_related("enterprise").get(enterprise__uscc=code)
    assert entry.entered_via == "registration" and entry.region == jilin()
    assert (entry.tier_code, entry.tier_year) == ("tech-sme", Y)
    with django_capture_on_commit_callbacks(execute=True):
        reglist.import_file(registration_list([["吉林新星科技有限公司", code, f"{Y}220201A0000001", Y, "撤销",
                                                f"{Y}-09-01"]]), by=office)
    entry.refresh_from_db()
    assert entry.tier_code == "" and standing(entry.enterprise, Y) is None


@pytest.mark.django_db
def test_tax_import_enters_the_enterprises_and_evaluates_figure_tiers(django_capture_on_commit_callbacks):
    enterprise = EnterpriseFactory()
    TierRule.objects.create(year=Y, rank=1, code="big", name="营收过亿", revenue_min=Decimal("100000000"))
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "年度", "销售收入(元)", "研发费用(元)", "资产总额(元)", "从业人数"])
    ws.append([enterprise.uscc, Y, 120000000, 9000000, 200000000, 300])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        tax.import_tax(out, year=Y)
    entry = PoolEntry.objects.get(enterprise=enterprise)
    assert entry.entered_via == "tax"
    s = standing(enterprise, Y)
    assert s.code == "big"
    assert "120000000" in tiers.reason_text(s.reasons[0])


@pytest.mark.django_db
def test_a_new_nomination_enters_the_pool_on_commit(bureau, django_capture_on_commit_callbacks):
    from enterprises.domain.nominations import create_nomination
    from tests.enterprises.factories import make_uscc

    cycle = core.CycleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        n = create_nomination(by=bureau, cycle=cycle, enterprise_fields={
            "name": "长春新芽科技有限公司", "uscc": make_uscc(9191), "industry": "software"})
    entry = PoolEntry.objects.get(enterprise=n.enterprise)
    assert entry.entered_via == "nomination" and entry.region == bureau.region



@pytest.mark.django_db
@pytest.mark.parametrize("bulk_copy", [False, True], ids=["one by one", "set-based"])
def test_a_check_refreshes_only_enterprises_whose_outcome_is_new_or_changed(bulk_copy, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    from enterprises.domain import checks
    from enterprises.models import EnterpriseNomination, EnterpriseYear
    from tests.enterprises.factories import EnterpriseNominationFactory, eligible_enterprise

    cycle = core.CycleFactory()
    passing, failing = (EnterpriseNominationFactory(enterprise=eligible_enterprise(year=cycle.year), cycle=cycle,
                                                    state=NominationState.SUBMITTED) for _ in range(2))
    EnterpriseYear.objects.filter(enterprise=failing.enterprise).update(employees=900)  # fails 员工总数
    sent = []
    monkeypatch.setattr(pool, "refresh_on_commit", lambda ids, via: sent.append(sorted(ids)))
    qs = EnterpriseNomination.objects.filter(pk__in=[passing.pk, failing.pk])

    def check():
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            checks.check_nominations(qs, year=cycle.year, bulk_copy=bulk_copy)
        return sent[0]

    both = sorted([passing.enterprise_id, failing.enterprise_id])
    assert check() == both  # new verdicts
    assert check() == both  # the same outcomes, but not in the pool yet (the refresh above was not run)
    pool.enter(enterprise_ids=both, via=pool.Via.NOMINATION)
    assert check() == []  # nothing changed: the pool hears nothing
    EnterpriseYear.objects.filter(enterprise=failing.enterprise).update(employees=100)
    assert check() == [failing.enterprise_id]  # its outcome changed


# --- tiers -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_highest_tier_met_wins_with_its_evidence_and_moves_are_kept_year_by_year():
    enterprise = EnterpriseFactory(is_high_tech=True, high_tech_cert_no="GR202522000123",
                                   high_tech_cert_expires=datetime.date(Y + 2, 11, 30))
    RegistrationFactory(enterprise=enterprise, year=Y - 1)
    RegistrationFactory(enterprise=enterprise, year=Y)
    Recognition.objects.create(enterprise=enterprise, kind="specialised", year=Y + 1, reference="ZJTX-1")
    entered(enterprise)
    tiers.evaluate(enterprise_ids=[enterprise.pk])
    assert standing(enterprise, Y - 1).code == "tech-sme"
    assert standing(enterprise, Y).code == "high-tech"  # the certificate counts for Y..Y+2
    assert "GR202522000123" in " ".join(tiers.reason_text(r) for r in standing(enterprise, Y).reasons)
    assert standing(enterprise, Y + 1).code == "specialised"
    rows = tiers.timeline(enterprise)
    assert [r["movement"] for r in rows] == ["new", "up", "up"]
    entry = PoolEntry.objects.get(enterprise=enterprise)
    assert (entry.tier_year, entry.tier_code, entry.tier_rank) == (Y + 1, "specialised", 4)


@pytest.mark.django_db
def test_the_sike_tier_needs_a_verdict_that_meets_the_standard():
    cycle = core.CycleFactory(year=Y)
    good = EnterpriseNominationFactory(cycle=cycle)
    VerdictFactory(nomination=good)
    bad = EnterpriseNominationFactory(cycle=cycle)
    VerdictFactory(nomination=bad, fail=("registered",))
    tiers.evaluate(enterprise_ids=[good.enterprise_id, bad.enterprise_id])
    assert standing(good.enterprise, Y).code == "sike"
    assert standing(bad.enterprise, Y) is None


@pytest.mark.django_db
def test_a_year_without_rules_copies_the_latest_earlier_years():
    first = tiers.ensure_rules(Y)
    assert [r.code for r in first][:2] == ["tech-sme", "sike"]
    TierRule.objects.filter(year=Y, code="tech-sme").update(name="入库企业")
    copied = tiers.ensure_rules(Y + 1)
    assert copied[0].name == "入库企业" and copied[0].year == Y + 1
    assert tiers.ensure_rules(Y + 1) == copied  # no second copy


@pytest.mark.django_db
def test_rule_changes_are_checked_locked_and_the_office_only(office, bureau):
    rules = tiers.ensure_rules(Y)
    rule = rules[0]
    with pytest.raises(ValidationError) as e:
        tiers.save_rule(rule, by=office, values={"rank": 2}, expected_version=1)
    assert "rank" in e.value.message_dict
    rule.refresh_from_db()
    tiers.save_rule(rule, by=office, values={"name": "入库科技型中小企业"}, expected_version=1)
    stale = TierRule.objects.get(pk=rule.pk)
    with pytest.raises(StaleEdit):
        tiers.save_rule(stale, by=office, values={"name": "x"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        tiers.save_rule(TierRule(year=Y), by=bureau, values={"rank": 9, "code": "x", "name": "x"})


@pytest.mark.django_db
def test_movement_words():
    assert tiers.movement(None, 1) == "new"
    assert tiers.movement(1, 3) == "up"
    assert tiers.movement(3, 1) == "down"
    assert tiers.movement(2, 2) == "same"
    assert tiers.movement(2, None) == "down"


# --- cohorts -----------------------------------------------------------------------------------


def selected(cycle, *, region=None, base=Decimal("10000000"), later=Decimal("15000000"), staff=(50, 60)):
    enterprise = EnterpriseFactory(**({"region": region} if region else {}))
    EnterpriseYearFactory(enterprise=enterprise, year=cycle.year - 1, revenue=base, rd_expense=base / 10,
                          employees=staff[0])
    EnterpriseYearFactory(enterprise=enterprise, year=cycle.year, revenue=later, rd_expense=later / 10,
                          employees=staff[1])
    RegistrationFactory(enterprise=enterprise, year=cycle.year)
    EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle, state=NominationState.SELECTED)
    return enterprise


@pytest.mark.django_db
def test_a_cohorts_growth_is_summed_from_its_base_year_by_region():
    cycle = core.CycleFactory(year=Y - 1)
    a = selected(cycle)
    b = selected(cycle, later=Decimal("5000000"), staff=(50, 40))
    selected(cycle, region=jilin(), base=Decimal("1000000"), later=Decimal("9000000"))
    EnterpriseNominationFactory(cycle=cycle, state=NominationState.NOT_SELECTED)
    data = cohorts.figures_by_year(Y - 1, region_id=changchun().pk)
    assert data["base_year"] == Y - 2
    base, later = data["rows"]
    assert (base["enterprises"], base["revenue"], base["revenue_index"]) == (2, Decimal("20000000.00"), Decimal("100.0"))
    assert (later["revenue"], later["revenue_index"], later["employees_index"]) == (
        Decimal("20000000.00"), Decimal("100.0"), Decimal("100.0"))
    everywhere = cohorts.figures_by_year(Y - 1)
    assert everywhere["rows"][1]["revenue_index"] == Decimal("138.1")  # (20,000,000 + 9,000,000) / 21,000,000
    tiers.evaluate(enterprise_ids=[a.pk, b.pk])
    t = cohorts.tiers_by_year(Y - 1, region_id=changchun().pk)
    assert t["years"] == [Y - 1] and t["tiers"][0]["counts"] == [2]
    assert cohorts.index_chart(data["rows"]) is not None


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def two_cities(db):
    ours = EnterpriseFactory(region=changchun(), name="长春光子科技有限公司")
    theirs = EnterpriseFactory(region=jilin(), name="=HYPERLINK(\"http://x\")吉林公司")
    for e in (ours, theirs):
        RegistrationFactory(enterprise=e, year=Y)
    pool.backfill(on=datetime.date(Y, 1, 1))
    return PoolEntry.objects.get(enterprise=ours), PoolEntry.objects.get(enterprise=theirs)


@pytest.mark.django_db
def test_the_office_sees_the_whole_pool_and_filters_it(client_for, office, two_cities):
    ours, theirs = two_cities
    c = client_for(office)
    page = c.get(reverse("enterprises:pool")).content.decode()
    assert "长春光子科技有限公司" in page and "吉林公司" in page
    page = c.get(reverse("enterprises:pool"), {"region": jilin().pk, "tier": "tech-sme"}).content.decode()
    assert "长春光子科技有限公司" not in page and "吉林公司" in page
    page = c.get(reverse("enterprises:pool"), {"tier": "none"}).content.decode()
    assert "长春光子科技有限公司" not in page
    assert c.get(reverse("enterprises:pool"), {"entered_year": "abc", "page": "x"}).status_code == 200


@pytest.mark.django_db
def test_a_bureau_sees_only_its_own_region(client_for, bureau, two_cities):
    ours, theirs = two_cities
    c = client_for(bureau)
    page = c.get(reverse("enterprises:pool"), {"region": jilin().pk}).content.decode()
    assert "长春光子科技有限公司" in page and "吉林公司" not in page
    assert c.get(reverse("enterprises:pool_entry", args=[ours.pk])).status_code == 200
    assert c.get(reverse("enterprises:pool_entry", args=[theirs.pk])).status_code == 403
    assert c.post(reverse("enterprises:pool_entry", args=[ours.pk]), {"status": "moved"}).status_code == 403


@pytest.mark.django_db
def test_another_city_an_expert_and_a_visitor_are_refused(client_for, other_bureau, expert, two_cities):
    ours, _theirs = two_cities
    assert client_for(other_bureau).get(reverse("enterprises:pool_entry", args=[ours.pk])).status_code == 403
    for name, args in (("pool", []), ("pool_entry", [ours.pk]), ("pool_cohorts", []), ("pool_tiers", [])):
        assert client_for(expert).get(reverse(f"enterprises:{name}", args=args)).status_code == 403
        response = client_for(None).get(reverse(f"enterprises:{name}", args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(expert).post(reverse("enterprises:pool_export")).status_code == 403
    assert client_for(None).post(reverse("enterprises:pool_export")).status_code == 302


@pytest.mark.django_db
def test_the_office_records_a_status_on_the_page(client_for, office, two_cities):
    ours, _theirs = two_cities
    c = client_for(office)
    url = reverse("enterprises:pool_entry", args=[ours.pk])
    assert c.post(url, {"status": "deregistered", "status_on": "", "reason": "", "version": 1}).status_code == 400
    response = c.post(url, {"status": "deregistered", "status_on": f"{Y}-06-01", "reason": "已注销", "version": 1})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.status == "deregistered"
    stale = c.post(url, {"status": "in_pool", "status_on": "", "reason": "", "version": 1})
    assert stale.status_code == 400
    assert "Someone else" in stale.content.decode() or "其他人" in stale.content.decode() or "别人" in stale.content.decode()


@pytest.mark.django_db
def test_the_bureaus_export_is_its_own_region_and_neutralises_formulas(client_for, bureau, office, two_cities):
    from enterprises import tasks

    response = client_for(bureau).post(reverse("enterprises:pool_export") + f"?region={jilin().pk}")
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert job.params["region"] == bureau.region_id
    tasks.export_pool(job.pk)  # in-process here (a worker runs it in production)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    rows = list(load_workbook(job.result_file.path).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "长春光子科技有限公司"  # its own region, whatever it asked for
    client_for(office).post(reverse("enterprises:pool_export") + f"?region={jilin().pk}")
    job = Job.objects.latest("pk")
    tasks.export_pool(job.pk)
    job.refresh_from_db()
    cell = load_workbook(job.result_file.path).active["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix
    assert client_for(office).get(reverse("job", args=[job.pk])).status_code == 200
    assert client_for(bureau).get(reverse("job", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_cohort_pages_limit_a_bureau_to_its_region(client_for, bureau, office):
    cycle = core.CycleFactory(year=Y - 1)
    selected(cycle)
    selected(cycle, region=jilin(), later=Decimal("99000000"))
    page = client_for(bureau).get(reverse("enterprises:pool_cohort", args=[Y - 1]), {"region": jilin().pk})
    assert page.status_code == 200
    assert "30,000,000" not in page.content.decode() and "30000000" not in page.content.decode()
    assert "150.0" in page.content.decode()
    office_page = client_for(office).get(reverse("enterprises:pool_cohort", args=[Y - 1])).content.decode()
    assert "570.0" in office_page  # (15,000,000 + 99,000,000) / 20,000,000
    assert client_for(office).get(reverse("enterprises:pool_cohort", args=[1999])).status_code == 404
    assert client_for(bureau).get(reverse("enterprises:pool_cohorts")).status_code == 200


@pytest.mark.django_db
def test_the_office_edits_the_tiers_and_a_bureau_only_reads_them(client_for, office, bureau):
    c = client_for(office)
    url = reverse("enterprises:pool_tiers_year", args=[Y])
    assert c.get(url).status_code == 200
    rule = TierRule.objects.get(year=Y, code="tech-sme")
    data = {f"r{rule.pk}-{k}": v for k, v in {"rank": 1, "code": "tech-sme", "name": "入库企业", "needs_registration": "on",
                                              "needs_recognition": "", "version": 1}.items()}
    assert c.post(url, {**data, "rule": rule.pk, "action": "save"}).status_code == 302
    assert TierRule.objects.get(pk=rule.pk).name == "入库企业"
    stale = c.post(url, {**data, "rule": rule.pk, "action": "save"})
    assert stale.status_code == 400
    clash = c.post(url, {"new-rank": 2, "new-code": "dup", "new-name": "重复", "action": "add"})
    assert clash.status_code == 400
    assert c.post(url, {"new-rank": 9, "new-code": "gazelle", "new-name": "瞪羚企业", "new-revenue_min": "50000000",
                        "action": "add"}).status_code == 302
    assert TierRule.objects.filter(year=Y, code="gazelle").exists()
    assert c.post(url, {"action": "reevaluate"}).status_code == 302
    b = client_for(bureau)
    assert b.get(url).status_code == 200
    assert b.post(url, {"action": "reevaluate"}).status_code == 403
    assert b.get(reverse("enterprises:pool_tiers_year", args=[1])).status_code == 404


# --- the API (read-only, the pages' rules) ----------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_the_pool_by_the_pages_rules(client_for, office, bureau, expert, two_cities):
    ours, theirs = two_cities
    rows = client_for(office).get("/api/v1/enterprises/pool/", {"tier_code": "tech-sme"}).json()["results"]
    assert {r["enterprise"]["uscc"] for r in rows} == {ours.enterprise.uscc, theirs.enterprise.uscc}
    detail = client_for(office).get(f"/api/v1/enterprises/pool/{theirs.pk}/").json()
    assert detail["tiers"][0]["code"] == "tech-sme" and detail["tiers"][0]["reasons"][0]["kind"] == "registration"
    rows = client_for(bureau).get("/api/v1/enterprises/pool/").json()["results"]
    assert [r["id"] for r in rows] == [ours.pk]
    assert client_for(bureau).get(f"/api/v1/enterprises/pool/{theirs.pk}/").status_code == 404
    assert client_for(expert).get("/api/v1/enterprises/pool/").status_code == 403
    assert client_for(None).get("/api/v1/enterprises/pool/").status_code in (401, 403)
