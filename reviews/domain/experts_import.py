"""Importing the expert pool (专家库) from .xlsx: all or nothing, every bad row listed.

One row per expert; the first row holds the headers (Chinese, or the English ones below).
An expert is matched by account (账号) when given, else by name and work unit; matched experts
are updated, others created. An account name that does not exist yet becomes a new expert
account (no password: the person sets one through the password reset).
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises.models import Industry
from pojian.domain.errors import PermissionDenied
from pojian.domain.jobs import JobFailed
from pojian.domain.uscc import is_valid
from pojian.domain.xlsx import read_rows, write_workbook
from pojian.models import Region, User

from ..models import Expert

# (field, Chinese header, English header, required)
COLUMNS = [
    ("name", "姓名", "Name", True),
    ("unit_name", "工作单位", "Work unit", True),
    ("unit_uscc", "单位统一社会信用代码", "Work unit USCC", False),
    ("title", "职称", "Title", False),
    ("expertise", "专业领域", "Fields of expertise", False),
    ("region", "所在地区", "Region", False),
    ("phone", "联系电话", "Phone", False),
    ("email", "电子邮箱", "E-mail", False),
    ("username", "登录账号", "Account", False),
    ("active", "是否在库", "Active", False),
]
HEADERS = [c[1] for c in COLUMNS]
_SPLIT = re.compile(r"[、,，;；/\s]+")
YES = {"是", "y", "yes", "true", "1", "在库"}
NO = {"否", "n", "no", "false", "0", "出库"}


def _industry_lookup():
    lookup = {}
    for code, label in Industry.choices:
        lookup[code.lower()] = code
        lookup[str(label).lower()] = code
        with translation.override("zh-hans"):
            lookup[str(label).lower()] = code
        with translation.override("en"):
            lookup[str(label).lower()] = code
    return lookup


def _region_lookup():
    lookup = {}
    for r in Region.objects.nominating():
        lookup[r.code] = r
        lookup[r.name] = r
    return lookup


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def template_path(path):
    """An empty template with the headers and one example row."""
    example = ["张教授", "吉林大学", "", "教授", "软件和信息技术服务、电子信息", "长春市", "0431-85000000",
               "zhang@example.edu.cn", "", "是"]
    return write_workbook(path, [(_("Expert pool"), HEADERS, [example], None)])


def parse(rows):
    """[(row number, {header: value})] -> ([dict of fields], [error dicts])."""
    industries = _industry_lookup()
    regions = _region_lookup()
    english = {c[2]: c[1] for c in COLUMNS}
    parsed, errors, seen = [], [], {}

    def err(row, header, message):
        errors.append({"row": row, "column": header, "message": str(message)})

    for number, raw in rows:
        raw = {english.get(k, k): v for k, v in raw.items()}
        values = {field: _text(raw.get(header)) for field, header, _en, _req in COLUMNS}
        for field, header, _en, required in COLUMNS:
            if required and not values[field]:
                err(number, header, _("required"))
        for field, limit in (("name", 50), ("unit_name", 200), ("title", 60), ("phone", 30), ("username", 150)):
            if len(values[field]) > limit:
                err(number, dict((c[0], c[1]) for c in COLUMNS)[field], _("at most %(n)s characters") % {"n": limit})
        uscc = values["unit_uscc"].upper()
        if uscc and not is_valid(uscc):
            err(number, "单位统一社会信用代码", _("“%(value)s” is not a valid unified social credit code") % {"value": uscc})
        codes = []
        for token in (t for t in _SPLIT.split(values["expertise"]) if t):
            code = industries.get(token.lower())
            if code is None:
                err(number, "专业领域", _("unknown field “%(value)s”") % {"value": token})
            elif code not in codes:
                codes.append(code)
        region = None
        if values["region"]:
            region = regions.get(values["region"])
            if region is None:
                err(number, "所在地区", _("unknown region “%(value)s”") % {"value": values["region"]})
        if values["email"]:
            try:
                validate_email(values["email"])
            except DjangoValidationError:
                err(number, "电子邮箱", _("not an e-mail address"))
        active = True
        if values["active"]:
            flag = values["active"].lower()
            if flag in YES:
                active = True
            elif flag in NO:
                active = False
            else:
                err(number, "是否在库", _("write 是 or 否"))
        key = ("u", values["username"]) if values["username"] else ("n", values["name"], values["unit_name"])
        if key in seen:
            err(number, "姓名" if key[0] == "n" else "登录账号", _("the same expert is also in row %(row)s") % {"row": seen[key]})
        seen[key] = number
        parsed.append({
            "row": number, "name": values["name"], "unit_name": values["unit_name"], "unit_uscc": uscc,
            "title": values["title"], "expertise": codes, "region": region, "phone": values["phone"],
            "email": values["email"], "username": values["username"], "active": active,
        })
    return parsed, errors


def _check_accounts(parsed, errors):
    names = [p["username"] for p in parsed if p["username"]]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    linked = dict(Expert.objects.filter(user__username__in=names).values_list("user__username", "pk"))
    for p in parsed:
        user = users.get(p["username"]) if p["username"] else None
        if user is not None and user.role != User.Role.EXPERT:
            errors.append({"row": p["row"], "column": "登录账号", "message": str(_("this account is not an expert account"))})
        p["user"] = user
        p["linked_expert_id"] = linked.get(p["username"])
    return users


def import_experts(source, *, by, progress=None):
    """Import the workbook; all or nothing (call inside a transaction). Returns (created, updated)."""
    if not by.has_perm("reviews.import_experts"):
        raise PermissionDenied(_("Only the provincial office may do this."))
    def check_headers(headers):
        present = set(headers)
        missing = [c[1] for c in COLUMNS if c[3] and c[1] not in present and c[2] not in present]
        if missing:
            raise JobFailed(
                _("The file is not the expert pool template: columns are missing."),
                errors=[{"row": 1, "column": h, "message": str(_("column missing"))} for h in missing],
            )

    try:
        rows = list(read_rows(source, check_headers=check_headers))
    except JobFailed:
        raise
    except Exception as e:  # noqa: BLE001 - an unreadable workbook is the user's error, said plainly
        raise JobFailed(_("The file could not be read as an Excel workbook: %(error)s") % {"error": e}) from e
    if not rows:
        raise JobFailed(_("The file has no rows to import."))
    parsed, errors = parse(rows)
    _check_accounts(parsed, errors)
    if errors:
        errors.sort(key=lambda e: (e["row"], HEADERS.index(e["column"]) if e["column"] in HEADERS else 0))
        raise JobFailed(
            _("Nothing was imported: %(n)s problems in %(rows)s rows. Correct them and upload the file again.")
            % {"n": len(errors), "rows": len({e["row"] for e in errors})},
            errors=errors,
        )
    created = updated = 0
    touched = []
    with transaction.atomic():
        for i, p in enumerate(parsed, start=1):
            user = p["user"]
            if p["linked_expert_id"]:
                expert = Expert.objects.get(pk=p["linked_expert_id"])
            else:
                # The same person and unit, not yet linked to another account.
                same = Expert.objects.filter(name=p["name"], unit_name=p["unit_name"])
                expert = same.filter(user__isnull=True).first() if p["username"] else same.first()
            if p["username"] and user is None:
                user = User(username=p["username"], role=User.Role.EXPERT, full_name=p["name"], email=p["email"])
                user.set_unusable_password()
                user._history_user = by
                user.save()
            is_new = expert is None
            expert = expert or Expert()
            for field in ("name", "unit_name", "unit_uscc", "title", "expertise", "region", "phone", "email", "active"):
                setattr(expert, field, p[field])
            if user is not None:
                expert.user = user
            expert._history_user = by
            expert._change_reason = "import"
            expert.save()
            touched.append(expert.pk)
            created += is_new
            updated += not is_new
            if progress is not None:
                progress(i, total=len(parsed))
        from .conflicts import detect_conflicts

        detect_conflicts(experts=Expert.objects.filter(pk__in=touched, active=True), by=by)
    return created, updated


def import_job(job, progress):
    """Work function for run_job (atomic): the uploaded workbook is job.input_file."""
    with translation.override("zh-hans"):
        with job.input_file.open("rb") as f:
            created, updated = import_experts(f, by=job.created_by, progress=progress)
        return _("%(created)s experts added, %(updated)s updated.") % {"created": created, "updated": updated}
