"""推介, 意向, 对接记录, 对接会 and the statistics: the office and a bureau (its region only) recommend,
each side records its own interest, matching records keep a status under an optimistic lock, events
have participants, and the statistics (with a formula-safe export) are limited to the bureau's region."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse

from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.models import Notification
from techtransfer.domain import matching, statistics
from techtransfer.models import Interest, MatchEvent, MatchRecord, Recommendation, Result
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory

from .factories import DemandFactory, InstitutionFactory, ResultFactory, TechContractFactory, results_manager

pytestmark = pytest.mark.django_db
ST = MatchRecord.Status


@pytest.fixture
def world(bureau, other_bureau):
    inst = InstitutionFactory(name="吉林大学")
    other_inst = InstitutionFactory(name="延边大学")
    return {
        "result": ResultFactory(institution=inst, title="稀土催化剂", field="materials"),
        "other_result": ResultFactory(institution=other_inst, title="人参提取", field="biomedicine"),
        "cc": EnterpriseFactory(name="长春某新材料公司"),
        "jl": EnterpriseFactory(name="吉林某化工公司", region=core.region("220200")),
        "manager": results_manager(inst, "jlu-m"),
        "other_manager": results_manager(other_inst, "ybu-m"),
        "inst": inst,
    }


def test_a_bureau_recommends_to_its_enterprises_and_is_notified(client_for, bureau, other_bureau, office, world):
    url = reverse("techtransfer:recommend", args=[world["result"].pk])
    c = client_for(bureau)
    assert c.get(url).status_code == 200
    assert c.post(url, {"enterprises": [world["cc"].pk], "note": "适合贵公司的新材料产线"}).status_code == 302
    rec = Recommendation.objects.get()
    assert rec.enterprise == world["cc"] and rec.region == bureau.region and rec.created_by == bureau
    assert Notification.objects.filter(user=bureau, subject__contains="稀土催化剂").exists()
    # Another city's enterprise is not offered to the bureau, and is refused by the domain.
    assert c.post(url, {"enterprises": [world["jl"].pk]}).status_code == 200
    with pytest.raises(PermissionDenied):
        matching.recommend(world["result"], enterprises=[world["jl"]], by=bureau)
    # The office recommends anywhere; the other city's bureau is told, and sees only its own.
    matching.recommend(world["result"], enterprises=[world["jl"], world["cc"]], by=office)
    assert Recommendation.objects.count() == 2  # the repeat for 长春 is skipped
    assert Notification.objects.filter(user=other_bureau, subject__contains="稀土催化剂").exists()
    mine = client_for(other_bureau).get(reverse("techtransfer:recommendations")).context["object_list"]
    assert [r.enterprise for r in mine] == [world["jl"]]


def test_only_published_results_are_recommended_and_never_by_experts_institutions_or_anonymous(
        client_for, bureau, expert, world):
    draft = ResultFactory(state=Result.State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        matching.recommend(draft, enterprises=[world["cc"]], by=bureau)
    url = reverse("techtransfer:recommend", args=[world["result"].pk])
    for user in (expert, world["manager"]):
        assert client_for(user).post(url, {"enterprises": [world["cc"].pk]}).status_code == 403
        assert client_for(user).get(reverse("techtransfer:recommendations")).status_code == 403
    assert client_for(None).post(url, {"enterprises": [world["cc"].pk]}).status_code == 302
    assert not Recommendation.objects.exists()


def test_each_side_records_its_own_interest(client_for, bureau, other_bureau, world):
    demand = DemandFactory(enterprise=world["cc"], title="需要稀土催化")
    c = client_for(world["manager"])
    response = c.post(reverse("techtransfer:interest_create"),
                      {"result": world["result"].pk, "demand": demand.pk, "side": "institution", "note": "可合作"})
    assert response.status_code == 302
    interest = Interest.objects.get()
    assert interest.enterprise == world["cc"] and interest.side == "institution" and interest.region == bureau.region
    assert Notification.objects.filter(user=bureau, subject__contains="稀土催化剂").exists()
    # An institution may not speak for another institution's result, nor for the enterprise.
    with pytest.raises(PermissionDenied):
        matching.record_interest(result=world["other_result"], enterprise=world["cc"], side="institution",
                                 by=world["manager"])
    with pytest.raises(PermissionDenied):
        matching.record_interest(result=world["result"], enterprise=world["cc"], side="enterprise", by=world["manager"])
    # A bureau speaks for its own enterprises only.
    matching.record_interest(result=world["result"], enterprise=world["cc"], side="enterprise", by=bureau)
    with pytest.raises(PermissionDenied):
        matching.record_interest(result=world["result"], enterprise=world["cc"], side="enterprise", by=other_bureau)
    with pytest.raises(ValidationError):
        matching.record_interest(result=world["result"], enterprise=world["cc"], side="enterprise", by=bureau)
    # Each sees what is theirs.
    assert len(client_for(world["manager"]).get(reverse("techtransfer:matching")).context["interests"]) == 2
    assert len(client_for(world["other_manager"]).get(reverse("techtransfer:matching")).context["interests"]) == 0
    assert len(client_for(other_bureau).get(reverse("techtransfer:matching")).context["interests"]) == 0


def test_a_matching_record_goes_to_a_contract_and_stale_edits_are_refused(client_for, bureau, other_bureau, world):
    c = client_for(bureau)
    response = c.post(reverse("techtransfer:record_create"), {
        "result": world["result"].pk, "enterprise": world["cc"].pk, "met_on": "2026-05-10", "status": "contacted",
        "notes": "首次洽谈"})
    assert response.status_code == 302
    record = MatchRecord.objects.get()
    assert record.region == bureau.region and record.version == 0
    edit = reverse("techtransfer:record_edit", args=[record.pk])
    base = {"result": world["result"].pk, "enterprise": world["cc"].pk, "met_on": "2026-05-10"}
    # Contract signed without naming the contract: a message, nothing saved.
    response = c.post(edit, {**base, "status": "contracted", "version": 0})
    assert response.status_code == 200 and MatchRecord.objects.get().status == ST.CONTACTED
    contract = TechContractFactory(enterprise=world["cc"], institution=world["inst"])
    assert c.post(edit, {**base, "status": "contracted", "contract": contract.pk, "version": 0}).status_code == 302
    record.refresh_from_db()
    assert record.status == ST.CONTRACTED and record.version == 1
    # The institution's manager edits from the version it loaded before: refused, not overwritten.
    response = client_for(world["manager"]).post(edit, {**base, "status": "ended", "version": 0})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert MatchRecord.objects.get().status == ST.CONTRACTED
    with pytest.raises(StaleEdit):
        matching.update_record(record, by=world["manager"], expected_version=0, status=ST.ENDED)
    # Another city's bureau, another institution, an expert, anonymous: refused.
    for user in (other_bureau, world["other_manager"]):
        assert client_for(user).get(edit).status_code == 403
        with pytest.raises(PermissionDenied):
            matching.update_record(record, by=user, expected_version=1, status=ST.ENDED)
    assert client_for(None).get(edit).status_code == 302
    with pytest.raises(PermissionDenied):
        matching.create_record(by=other_bureau, result=world["result"], enterprise=world["cc"],
                               met_on=datetime.date(2026, 5, 1))


def test_matching_pages_refuse_an_expert_and_anonymous(client_for, expert, world):
    record = matching.create_record(by=world["manager"], result=world["result"], enterprise=world["cc"],
                                    met_on=datetime.date(2026, 5, 1))
    event = MatchEvent.objects.create(title="对接会", held_on=datetime.date(2026, 6, 1), place="长春",
                                      created_by=world["manager"])
    for name, args in [("matching", []), ("interest_create", []), ("record_create", []), ("record_edit", [record.pk]),
                       ("events", []), ("event", [event.pk]), ("event_create", []), ("event_edit", [event.pk]),
                       ("statistics", []), ("statistics_export", [])]:
        url = reverse(f"techtransfer:{name}", args=args)
        assert client_for(expert).get(url).status_code == 403, name
        assert client_for(None).get(url).status_code == 302, name


def test_events_have_participants_and_stay_in_their_region(client_for, bureau, other_bureau, office, world):
    c = client_for(bureau)
    response = c.post(reverse("techtransfer:event_create"), {
        "title": "长春新材料成果对接会", "held_on": "2026-06-18", "place": "长春国际会展中心",
        "enterprises": [world["cc"].pk], "institutions": [world["inst"].pk], "outcome": "签约意向3项"})
    assert response.status_code == 302
    event = MatchEvent.objects.get()
    assert event.region == bureau.region and list(event.enterprises.all()) == [world["cc"]]
    detail = reverse("techtransfer:event", args=[event.pk])
    assert "长春新材料成果对接会" in c.get(detail).content.decode()
    # The participating institution sees it; another institution and another city do not.
    assert client_for(world["manager"]).get(detail).status_code == 200
    for user in (world["other_manager"], other_bureau):
        assert client_for(user).get(detail).status_code == 403
        assert client_for(user).get(reverse("techtransfer:event_edit", args=[event.pk])).status_code == 403
    # A bureau cannot put another city's enterprise in its event.
    with pytest.raises(ValidationError):
        matching.save_event(event, by=bureau, enterprises=[world["jl"]], institutions=[], expected_version=event.version)
    # The office's province-wide event is seen by every bureau.
    provincial = matching.save_event(MatchEvent(title="全省对接会", held_on=datetime.date(2026, 9, 1), place="长春"),
                                     by=office, enterprises=[world["cc"], world["jl"]], institutions=[world["inst"]])
    assert client_for(other_bureau).get(reverse("techtransfer:event", args=[provincial.pk])).status_code == 200
    # Stale edit refused.
    matching.save_event(provincial, by=office, enterprises=[], institutions=[], expected_version=0)
    with pytest.raises(StaleEdit):
        matching.save_event(provincial, by=office, enterprises=[], institutions=[], expected_version=0)


def test_statistics_count_by_region_institution_and_field_and_a_bureau_sees_its_region(
        client_for, bureau, other_bureau, office, world):
    matching.recommend(world["result"], enterprises=[world["cc"], world["jl"]], by=office)
    matching.record_interest(result=world["result"], enterprise=world["cc"], side="enterprise", by=bureau)
    contract = TechContractFactory(enterprise=world["cc"], institution=world["inst"], result=world["result"],
                                   title="=HYPERLINK(\"http://x\")")
    matching.create_record(by=bureau, result=world["result"], enterprise=world["cc"], met_on=datetime.date(2026, 5, 1),
                           status=ST.CONTRACTED, contract=contract)
    tables = statistics.statistics()
    by_region = {r["label"]: r for r in tables["region"]["rows"]}
    assert by_region["长春市"]["recommendations"] == 1 and by_region["吉林市"]["recommendations"] == 1
    assert by_region["长春市"]["interests"] == 1 and by_region["长春市"]["agreements"] == 1
    assert by_region["长春市"]["contracts"] == 1 and by_region["长春市"]["contract_value"] == contract.contract_amount
    by_inst = {r["label"]: r for r in tables["institution"]["rows"]}
    assert by_inst["吉林大学"]["matches"] == 1 and by_inst["吉林大学"]["contracts"] == 1
    assert tables["field"]["total"]["recommendations"] == 2
    # The other city's bureau sees only its region.
    page = client_for(other_bureau).get(reverse("techtransfer:statistics"))
    region_rows = page.context["tables"][0][1]["rows"]
    assert [r["label"] for r in region_rows] == ["吉林市"] and region_rows[0]["contracts"] == 0
    # Year filter.
    assert statistics.statistics(year=2001)["region"]["rows"] == []
    # The export: a workbook with a sheet per dimension, text never a formula.
    response = client_for(office).get(reverse("techtransfer:statistics_export"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert sum(n.startswith("xl/worksheets/sheet") for n in names) == 3
        assert all("<f>" not in z.read(n).decode() for n in names if n.startswith("xl/worksheets/"))


def test_the_statistics_export_neutralises_formulas():
    from openpyxl import load_workbook

    tables = {d: {"rows": [{"label": "=1+1", **dict.fromkeys(statistics.MEASURES, 1), "contract_value": 5}],
                  "total": {**dict.fromkeys(statistics.MEASURES, 1), "contract_value": 5}} for d in statistics.DIMENSIONS}
    wb = load_workbook(io.BytesIO(statistics.workbook(tables)))
    cell = wb.worksheets[0]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
