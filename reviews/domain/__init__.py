"""Expert review, as plain functions (views, admin, tasks and commands call these).

    kinds.py       which nominations a round reviews; nominee facts; tie-break values; quotas
    rounds.py      create_round, populate_round, open_scoring, close_round, reopen_scoring
    conflicts.py   normalise_name, detect_conflicts, record_conflict, declare_conflict,
                   confirm_conflict, dismiss_conflict, blocked_pairs, is_conflicted
    assignment.py  propose_assignment (solve), assign, reassign, withdraw_assignment,
                   confirm_assignment, check_assignment
    sheets.py      score sheets: clean_criteria (Σ max × weight = 100), save_sheet, copy_sheet, sheet_locked
    acceptance.py  acceptance rounds (验收): projects as items, outcomes by pass score or office decision
    scoring.py     weighted_total, save_review, submit_review, reopen_review
    aggregate.py   aggregate(scores, method), normalised totals (z-scores per expert)
    ranking.py     TIE_RULE, tie_key, order_items, rank_round, select, override_selection
    notices.py     publish_notice, record_objection, decide_objection, confirm_results
    queries.py     expert_for, assignments_for_expert, items_for_expert, review_for, progress
    exports.py     results workbook (.xlsx) and confirmed list (PDF), as job work functions
    experts_import.py  the expert pool from .xlsx, all or nothing
    jobs.py        start_results_export, start_confirmed_pdf, start_propose, start_expert_import
    bulk.py        many rows with their audit rows at once (COPY on PostgreSQL)
"""
