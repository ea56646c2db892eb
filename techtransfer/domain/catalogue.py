"""The results catalogue: an institution submits, the office publishes or returns with a reason;
the public searches it; results and demands are suggested to each other."""

from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, ValidationError

from ..models import Demand, Result

S = Result.State


def _transition(result, *, by, perm, allowed_from, to, reason=""):
    with transaction.atomic():
        result = Result.objects.select_for_update().get(pk=result.pk)
        if not by.has_perm(perm, result):
            raise PermissionDenied(_("You may not do this with this result."))
        if result.state not in allowed_from:
            raise ValidationError(_("The result is %(state)s; this cannot be done now.") % {
                "state": result.get_state_display()})
        result.state = to
        result.return_reason = reason
        if to == S.PUBLISHED:
            result.published_at = timezone.now()
        result._history_user = by
        result._change_reason = reason or to
        result.save()
    return result


def submit_result(result, *, by):
    return _transition(result, by=by, perm="techtransfer.edit_result", allowed_from=(S.DRAFT, S.RETURNED),
                       to=S.SUBMITTED)


def publish_result(result, *, by):
    return _transition(result, by=by, perm="techtransfer.moderate_results", allowed_from=(S.SUBMITTED,),
                       to=S.PUBLISHED)


def return_result(result, *, by, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the result is returned, so that the institution can correct it."))
    return _transition(result, by=by, perm="techtransfer.moderate_results", allowed_from=(S.SUBMITTED, S.PUBLISHED),
                       to=S.RETURNED, reason=reason)


# The text searched and compared: title and summary, newline-separated (a search box sends no newline,
# so no match spans the two). Migration 0071 makes a trigram GIN index on exactly this expression.
RESULT_TEXT = "(techtransfer_result.title || E'\\n' || techtransfer_result.summary)"


def _like_pattern(q):
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(queryset, *, q="", field="", maturity="", institution=None):
    """Substring search over title and summary, with filters. On PostgreSQL one ILIKE on the indexed
    expression (Django's icontains compares UPPER(column), which no trigram index serves)."""
    q = (q or "").strip()
    if q and connection.vendor == "postgresql":
        # LIKE where case cannot matter (Chinese, digits): the same rows, about twice as fast a recheck.
        like = "LIKE" if q.lower() == q.upper() else "ILIKE"
        queryset = queryset.filter(RawSQL(f"{RESULT_TEXT} {like} %s", [_like_pattern(q)], output_field=BooleanField()))
    elif q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    if field:
        queryset = queryset.filter(field=field)
    if maturity:
        queryset = queryset.filter(maturity=maturity)
    if institution:
        queryset = queryset.filter(institution=institution)
    return queryset


MATURITY_ORDER = {m: i for i, m in enumerate(Result.Maturity.values)}
# word_similarity thresholds tried in turn for the candidates of a demand (pg_trgm's <% operator, served by
# the trigram index): results containing something like the demand's title, from close to loose.
THRESHOLDS = (0.6, 0.4, 0.25)
FILL_SCAN = 500  # when too few look alike: the newest this many others of the field are ranked too


def _ranked(candidates, text, *, column_a, column_b, limit):
    """Candidates ordered by text similarity to `text`: trigram similarity on PostgreSQL; elsewhere,
    the number of the text's two-character pieces they contain (Chinese has no spaces to split on)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(candidates.annotate(similarity=TrigramSimilarity(column_a, text) + TrigramSimilarity(column_b, text))
                    .order_by("-similarity", "-pk")[:limit])
    return _ranked_in_python(candidates, text, column_a=column_a, column_b=column_b, limit=limit)


def _ranked_in_python(candidates, text, *, column_a, column_b, limit):
    pieces = {text[i:i + 2] for i in range(len(text) - 1)}
    scored = []
    for c in candidates[:500]:
        haystack = f"{getattr(c, column_a)} {getattr(c, column_b)}"
        c.similarity = sum(1 for p in pieces if p in haystack) / (len(pieces) or 1)
        scored.append(c)
    return sorted(scored, key=lambda c: (-c.similarity, -c.pk))[:limit]


def _similar_results(candidates, *, title, text, limit):
    """PostgreSQL: the `limit` results most similar to `text`. The similarity is computed only for the
    candidates the trigram index finds — those containing something like the demand's `title`
    (`<%`, pg_trgm.word_similarity_threshold, tried from strict to loose) — not for every result of
    the field (~0.1 ms each); if even the loosest finds too few, the newest others are ranked too."""
    similarity = RawSQL(f"similarity({RESULT_TEXT}, %s)", [text], output_field=FloatField())
    found = []
    with transaction.atomic(), connection.cursor() as cursor:  # SET LOCAL: to the end of the transaction
        try:
            for threshold in THRESHOLDS:
                cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [threshold])
                alike = candidates.filter(RawSQL(f"%s <%% {RESULT_TEXT}", [title], output_field=BooleanField()))
                found = list(alike.annotate(similarity=similarity).order_by("-similarity", "-pk")[:limit])
                if len(found) >= limit:
                    return found
        finally:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.6")  # pg_trgm's default again
    newest = candidates.exclude(pk__in=[r.pk for r in found]).order_by("-published_at", "-pk")[:FILL_SCAN]
    rest = (candidates.filter(pk__in=newest.values("pk")).annotate(similarity=similarity)
            .order_by("-similarity", "-pk")[:limit - len(found)])
    return found + list(rest)


def results_for_demand(demand, *, limit=10):
    """Published results of the demand's field, most similar first."""
    candidates = Result.objects.filter(state=S.PUBLISHED, field=demand.field).select_related("institution")
    text = f"{demand.title} {demand.description}"[:500]
    if connection.vendor == "postgresql":
        return _similar_results(candidates, title=demand.title, text=text, limit=limit)
    return _ranked_in_python(candidates, text, column_a="title", column_b="summary", limit=limit)


def demands_for_result(result, *, limit=10):
    """Demands of the result's field still open, most similar first."""
    today = timezone.localdate()
    candidates = Demand.objects.filter(field=result.field).filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
    return _ranked(candidates.select_related("enterprise"), f"{result.title} {result.summary}"[:500],
                   column_a="title", column_b="description", limit=limit)
