"""The Chinese catalogues follow the glossary (pojian/glossary.py) and use full-width punctuation."""

import re
from pathlib import Path

import pytest

from pojian.glossary import TERMS, forbidden_variants

ROOT = Path(__file__).resolve().parents[2]
CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
# Placeholders and markup are not prose: %(name)s, %s, {name}, <tags>, URLs.
NOT_PROSE = re.compile(r"%\([^)]*\)[-+ #0-9.]*[sdfrx]|%[sdf]|\{[^}]*\}|<[^>]+>|https?://\S+")
HALF_WIDTH_NEXT_TO_CHINESE = re.compile(rf"(?<={CJK})[,:;()!?]|[,:;()!?](?={CJK})")


def chinese_entries():
    """(catalogue, msgid, msgstr) of every translated entry in our Chinese catalogues."""
    from tests.pojian.test_catalogue import catalogues

    for po in catalogues(ROOT):
        text = po.read_text(encoding="utf-8")
        for block in text.split("\n\n"):
            msgid = re.search(r'^msgid "(.*)"$', block, re.M)
            if not msgid or not msgid.group(1):
                continue
            for msgstr in re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', block, re.M):
                if msgstr:
                    yield po.relative_to(ROOT), msgid.group(1), msgstr


def test_glossary_has_one_name_per_concept():
    names = [t.zh for t in TERMS]
    assert len(names) == len(set(names))
    variants = forbidden_variants()
    assert not set(variants) & set(names), "a glossary word is also listed as a forbidden variant"
    assert all(t.en for t in TERMS)


def test_chinese_catalogues_use_the_glossarys_words():
    variants = forbidden_variants()
    wrong = [f"{po}: “{msgstr}” uses {v} (glossary: {word})"
             for po, _msgid, msgstr in chinese_entries() for v, word in variants.items() if v in msgstr]
    assert not wrong, "\n".join(wrong)


def test_chinese_catalogues_use_full_width_punctuation():
    wrong = []
    for po, msgid, msgstr in chinese_entries():
        prose = NOT_PROSE.sub(" ", msgstr)
        if HALF_WIDTH_NEXT_TO_CHINESE.search(prose):
            wrong.append(f"{po}: {msgid!r} → {msgstr!r}")
    assert not wrong, f"{len(wrong)} entries:\n" + "\n".join(wrong[:50])


@pytest.mark.parametrize(("text", "bad"), [("状态:已提交", True), ("状态：已提交", False), ("第 3 行,销售收入", True),
                                           ("%(name)s（%(unit)s）", False), ("截至 09:30", False), ("金额(元)", True)])
def test_punctuation_rule_itself(text, bad):
    assert bool(HALF_WIDTH_NEXT_TO_CHINESE.search(NOT_PROSE.sub(" ", text))) is bad
