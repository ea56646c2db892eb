"""The assignment algorithm on its own: constraints proven on random instances, infeasible ones named."""

import random

import pytest

from enterprises.models import Industry
from reviews.domain.assignment import AssignmentInfeasible, Problem, solve, verify

FIELDS = [c for c in Industry.values if c != "other"]


def random_problem(rng, *, items, experts, n, max_load, conflict_rate, existing_rate=0.0):
    item_ids = list(range(1, items + 1))
    expert_ids = list(range(1001, 1001 + experts))
    blocked = {(e, i) for e in expert_ids for i in item_ids if rng.random() < conflict_rate}
    existing = {}
    load = {}
    for i in item_ids:
        if rng.random() < existing_rate:
            e = rng.choice(expert_ids)
            if (e, i) not in blocked and load.get(e, 0) < max_load:
                existing[i] = {e}
                load[e] = load.get(e, 0) + 1
    return Problem(
        n=n, max_load=max_load, items=item_ids, experts=expert_ids,
        industry={i: rng.choice(FIELDS) for i in item_ids},
        fields={e: set(rng.sample(FIELDS, rng.randint(1, 3))) for e in expert_ids},
        blocked=blocked, existing=existing, load=load,
    )


@pytest.mark.parametrize("seed", range(12))
def test_solve_random_instances_hold_every_constraint(seed):
    rng = random.Random(seed)
    items = rng.randint(20, 300)
    experts = rng.randint(8, 60)
    n = rng.randint(1, min(5, experts - 3))
    # Capacity between just enough and double.
    max_load = -(-items * n // experts) + rng.randint(0, items * n // experts + 1)
    problem = random_problem(rng, items=items, experts=experts, n=n, max_load=max_load,
                             conflict_rate=rng.choice([0, 0.05, 0.1]), existing_rate=rng.choice([0, 0.2]))
    picks = solve(problem)
    assert verify(problem, picks) == []
    # Exactly N distinct experts per item, load ≤ max, no conflict — checked independently here too.
    per_item = {i: set(problem.existing.get(i, ())) for i in problem.items}
    load = dict(problem.load)
    for i, e, _matched in picks:
        assert e not in per_item[i]
        assert (e, i) not in problem.blocked
        per_item[i].add(e)
        load[e] = load.get(e, 0) + 1
    assert all(len(es) == n for es in per_item.values())
    assert max(load.values()) <= max_load
    # matched flags are truthful
    for i, e, matched in picks:
        assert matched == (problem.industry[i] in problem.fields[e])


def test_solve_prefers_matching_experts_and_reports_it():
    rng = random.Random(7)
    problem = random_problem(rng, items=400, experts=60, n=5, max_load=60, conflict_rate=0.05)
    picks = solve(problem)
    assert verify(problem, picks) == []
    match_rate = sum(1 for *_x, m in picks if m) / len(picks)
    # A random choice would match about (average fields per expert / fields) ≈ 2/11 of the time.
    random_rate = sum(
        1 for i in problem.items for e in problem.experts if problem.industry[i] in problem.fields[e]
    ) / (len(problem.items) * len(problem.experts))
    print(f"match rate {match_rate:.1%} (random {random_rate:.1%})")
    assert match_rate > 2 * random_rate


def test_solve_balances_load_within_the_slack():
    rng = random.Random(3)
    problem = random_problem(rng, items=300, experts=30, n=5, max_load=1000, conflict_rate=0.0)
    picks = solve(problem, slack=2)
    loads = {}
    for _i, e, _m in picks:
        loads[e] = loads.get(e, 0) + 1
    assert max(loads.values()) - min(loads.values()) <= 2 + 1


def test_solve_without_preference_balances_perfectly():
    problem = Problem(n=2, max_load=100, items=list(range(10)), experts=[1, 2, 3, 4, 5])
    picks = solve(problem)
    loads = {}
    for _i, e, _m in picks:
        loads[e] = loads.get(e, 0) + 1
    assert sorted(loads.values()) == [4, 4, 4, 4, 4]


def test_solve_keeps_existing_experts_and_fills_the_rest():
    problem = Problem(n=3, max_load=5, items=[1, 2], experts=[10, 11, 12, 13], existing={1: {10, 11}})
    picks = solve(problem)
    assert verify(problem, picks) == []
    assert sum(1 for i, _e, _m in picks if i == 1) == 1


def test_solve_tight_capacity_needs_the_augmenting_step():
    # Item 1 can only use experts 1 and 2. Items are processed fewest-eligible first, but
    # build a case where a greedy order still fills expert 2 first: 3 experts, cap 2, N=1, 6 items.
    problem = Problem(
        n=1, max_load=2, items=[1, 2, 3, 4, 5, 6], experts=[1, 2, 3],
        blocked={(3, 1), (3, 2), (1, 3), (2, 3)},  # items 1, 2 only with experts 1, 2; item 3 only with 3
    )
    picks = solve(problem)
    assert verify(problem, picks) == []


def test_solve_infeasible_item_with_too_few_non_conflicted_experts_is_named():
    problem = Problem(n=3, max_load=10, items=[1, 2, 3], experts=[10, 11, 12, 13], blocked={(10, 2), (11, 2)})
    with pytest.raises(AssignmentInfeasible) as err:
        solve(problem, names={2: "吉林某某科技有限公司"})
    assert err.value.items == [2]
    assert "吉林某某科技有限公司" in str(err.value.messages[0])


def test_solve_infeasible_total_capacity():
    problem = Problem(n=5, max_load=10, items=list(range(30)), experts=list(range(100, 110)))  # 100 < 150
    with pytest.raises(AssignmentInfeasible) as err:
        solve(problem)
    assert "150" in err.value.messages[0] and "100" in err.value.messages[0]


def test_solve_infeasible_although_capacity_and_per_item_counts_suffice():
    # Capacity 3 × 2 = 6 = 3 items × 2, and every item has two experts without a conflict, but
    # items 2 and 3 use up experts 2 and 3, and item 1 cannot take expert 1 twice.
    problem = Problem(n=2, max_load=2, items=[1, 2, 3], experts=[1, 2, 3], blocked={(1, 2), (1, 3)})
    with pytest.raises(AssignmentInfeasible) as err:
        solve(problem, names={1: "甲公司", 2: "乙公司", 3: "丙公司"})
    assert err.value.items
    assert any(name in err.value.messages[0] for name in ("甲公司", "乙公司", "丙公司"))


def test_solve_nothing_to_do():
    problem = Problem(n=1, max_load=1, items=[1], experts=[5], existing={1: {5}}, load={5: 1})
    assert solve(problem) == []


def max_flow_feasible(problem):
    """Reference: is there an assignment? (Edmonds–Karp on source → items → experts → sink)."""
    from collections import deque

    need = {i: problem.n - len(problem.existing.get(i, ())) for i in problem.items}
    room = {e: problem.max_load - problem.load.get(e, 0) for e in problem.experts}
    cap = {}
    adj = {}

    def edge(u, v, c):
        cap[(u, v)] = cap.get((u, v), 0) + c
        cap.setdefault((v, u), 0)
        adj.setdefault(u, set()).add(v)
        adj.setdefault(v, set()).add(u)

    for i in problem.items:
        edge("s", ("i", i), need[i])
        for e in problem.experts:
            if (e, i) not in problem.blocked and e not in problem.existing.get(i, ()):
                edge(("i", i), ("e", e), 1)
    for e in problem.experts:
        edge(("e", e), "t", room[e])
    flow = 0
    while True:
        parent = {"s": None}
        q = deque(["s"])
        while q and "t" not in parent:
            u = q.popleft()
            for v in adj.get(u, ()):
                if v not in parent and cap[(u, v)] > 0:
                    parent[v] = u
                    q.append(v)
        if "t" not in parent:
            return flow == sum(need.values())
        v, bottleneck = "t", float("inf")
        while parent[v] is not None:
            bottleneck = min(bottleneck, cap[(parent[v], v)])
            v = parent[v]
        v = "t"
        while parent[v] is not None:
            cap[(parent[v], v)] -= bottleneck
            cap[(v, parent[v])] += bottleneck
            v = parent[v]
        flow += bottleneck


@pytest.mark.parametrize("seed", range(40))
def test_solve_is_exact_on_tight_instances(seed):
    """With capacity exactly the need and many conflicts, solve succeeds exactly when a flow exists."""
    rng = random.Random(1000 + seed)
    experts = rng.randint(4, 9)
    n = rng.randint(1, 3)
    max_load = rng.randint(1, 4)
    items = max(1, experts * max_load // n)
    problem = random_problem(rng, items=items, experts=experts, n=n, max_load=max_load,
                             conflict_rate=rng.choice([0.1, 0.25, 0.4]))
    feasible = max_flow_feasible(problem)
    try:
        picks = solve(problem)
    except AssignmentInfeasible:
        assert not feasible
    else:
        assert feasible
        assert verify(problem, picks) == []
