"""Expert review: automatic assignment of 3,000 nominations × 300 experts × 5 per nomination,
with 5 % of all (expert, nomination) pairs in conflict (≈45,000 conflicts). Target: under 10 s.

Measured: `propose_assignment` end to end (conflict detection, reading the round, solving,
writing 15,000 assignments with their audit rows), the solver alone, and `confirm_assignment`.
Then every constraint is checked in the database: each nomination has exactly 5 distinct
experts, no expert above the maximum load, no assignment against a conflict.
Reference, in the same run: a naive greedy that scans all 300 experts for every slot.
"""

import datetime
import random


def build(*, items=3000, experts=300, conflict_rate=0.05, seed=11):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from enterprises.models import Enterprise, EnterpriseNomination, Industry
    from pojian.domain.uscc import numbered as uscc
    from pojian.models import Cycle, Region, User
    from reviews.models import Conflict, Expert, ReviewItem, Round

    rng = random.Random(seed)
    now = timezone.now()
    year = timezone.localdate().year
    cycle = Cycle.objects.create(year=year, nomination_opens=now - datetime.timedelta(days=60),
                                 nomination_closes=now + datetime.timedelta(days=60), status="open", is_current=True)
    regions = list(Region.objects.nominating())
    office = User.objects.create(username="bench-office", role="office")
    bureaus = {r.pk: User.objects.create(username=f"bench-{r.code}", role="bureau", region=r) for r in regions}
    fields = [c for c in Industry.values if c != "other"]
    enterprises = Enterprise.objects.bulk_create([
        Enterprise(name=f"评审企业{i}", uscc=uscc("91220101", i + 1), region=regions[i % len(regions)],
                   industry=rng.choice(fields))
        for i in range(items)
    ], batch_size=5000)
    nominations = EnterpriseNomination.objects.bulk_create([
        EnterpriseNomination(cycle=cycle, region_id=e.region_id, enterprise=e, state="accepted",
                             created_by=bureaus[e.region_id], submitted_at=now - datetime.timedelta(minutes=i))
        for i, e in enumerate(enterprises)
    ], batch_size=5000)
    users = User.objects.bulk_create([User(username=f"bench-expert-{k}", role="expert", password="!") for k in range(experts)])
    pool = Expert.objects.bulk_create([
        Expert(name=f"专家{k}", user=u, unit_name=f"研究院{k}", expertise=rng.sample(fields, rng.randint(1, 2)))
        for k, u in enumerate(users)
    ])
    round_ = Round.objects.create(cycle=cycle, kind="enterprises", experts_per_item=5, max_load=60)
    ct = ContentType.objects.get_for_model(EnterpriseNomination)
    ReviewItem.objects.bulk_create([
        ReviewItem(round=round_, content_type=ct, object_id=n.pk, nominee_name=e.name, nominee_uscc=e.uscc,
                   region_id=e.region_id, industry=e.industry, submitted_at=n.submitted_at)
        for n, e in zip(nominations, enterprises, strict=True)
    ], batch_size=5000)
    conflicts = [
        Conflict(expert=x, nominee_uscc=e.uscc, nominee_name=e.name, kind="other", source="office", status="confirmed")
        for x in pool for e in enterprises if rng.random() < conflict_rate
    ]
    Conflict.objects.bulk_create(conflicts, batch_size=10000)
    return office, round_, len(conflicts)


def naive_solve(problem):
    """Reference: for every slot, scan all experts for the least-loaded eligible one (matching first)."""
    load = {e: problem.load.get(e, 0) for e in problem.experts}
    picks = []
    for i in problem.items:
        chosen = set(problem.existing.get(i, ()))
        for _ in range(problem.n - len(chosen)):
            best = None
            for e in problem.experts:
                if e in chosen or (e, i) in problem.blocked or load[e] >= problem.max_load:
                    continue
                key = (problem.industry.get(i) not in problem.fields[e], load[e], e)
                if best is None or key < best:
                    best = key
            if best is None:
                break
            e = best[2]
            chosen.add(e)
            load[e] += 1
            picks.append((i, e, not best[0]))
    return picks


def main():
    from bench.common import bench_database, report, timer
    from reviews.domain import assignment as domain

    with bench_database():
        t = {}
        with timer(t, "build"):
            office, round_, conflicts = build()
        print(f"data: 3,000 nominations, 300 experts, {conflicts:,} conflicts ({conflicts / 9000:.1f} %), "
              f"N = 5, max load 60; built in {t['build']:.1f} s", flush=True)

        with timer(t, "propose"):
            summary = domain.propose_assignment(round_=round_, by=office)
        problem, _names = domain.build_problem(round_, keep_states=())
        with timer(t, "solve"):
            picks = domain.solve(problem)
        with timer(t, "naive"):
            naive_picks = naive_solve(problem)
        with timer(t, "check"):
            violations = domain.check_assignment(round_)
        with timer(t, "confirm"):
            confirmed = domain.confirm_assignment(round_=round_, by=office)

        report("propose_assignment (end to end, database)", t["propose"], target=10)
        report("  solver alone (greedy, heaps, augmenting)", t["solve"], "naive greedy scanning all experts", t["naive"])
        report("confirm_assignment (15,000 rows + notices)", t["confirm"])
        report("constraint check in the database", t["check"])
        ok = violations == {"count": [], "load": [], "conflict": [], "duplicate": []}
        pure = domain.verify(problem, picks) == []
        print(f"assignments: {summary['created']:,} proposed, {confirmed:,} confirmed; "
              f"match rate {summary['match_rate']:.1%} (naive {sum(m for *_x, m in naive_picks) / max(1, len(naive_picks)):.1%}); "
              f"load {summary['min_load']}–{summary['max_load']} (max 60)", flush=True)
        print(f"constraints: every nomination exactly 5 distinct experts, load ≤ 60, no conflict: "
              f"{'HOLD' if ok and pure else 'VIOLATED'} {'' if ok else violations}", flush=True)
        if not (ok and pure):
            raise SystemExit(1)
