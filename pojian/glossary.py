"""The programme's glossary: one name per concept, in Chinese and English.

The Chinese names are the policy's own words where it has them (seed/policy-2022-11-30.txt:
“员工总数不超过500人”, “销售收入不超过2亿元”, “研发投入强度高于6%” ...). Each entry lists the
variants the portal must not use for the same concept; tests/pojian/test_glossary.py checks every
Chinese catalogue against it, so a figure has one name on every page, form, export and e-mail.

Data sheets read from other systems keep their own headers (the tax departments call the figure
从业人数 in their files); those are data, not our words, and are not in the catalogue.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    forbidden: tuple = field(default_factory=tuple)  # Chinese variants that must not appear
    source: str = ""  # where the Chinese word comes from


TERMS = [
    Term("员工总数", "employees", ("职工总数", "从业人数", "员工人数", "职工人数", "从业人员数"), "policy: 员工总数不超过500人"),
    Term("科技人员", "S&T staff", ("科研人员数", "技术人员占比"), "policy: 科技人员占比大于60%"),
    Term("销售收入", "sales revenue", ("营业收入", "营收", "销售额"), "policy: 销售收入不超过2亿元"),
    Term("研发费用", "R&D expense", ("研发支出", "研究开发费用", "研发经费"), "policy: 研发费用税前加计扣除"),
    Term("研发投入强度", "R&D intensity", ("研发强度", "研发投入比例"), "policy: 研发投入强度高于6%"),
    Term("高价值知识产权", "high-value IP", ("高价值专利权",), "policy"),
    Term("成果转化", "achievement transfer", ("成果转让数",), "policy"),
    Term("推荐单位", "nominating unit (city bureau)", ("申报单位",), "policy: 市(州)科技部门负责……推荐"),
    Term("科技企业孵化器", "incubator", ("孵化中心",), "policy: 科技企业孵化器(众创空间)"),
    Term("金融投资服务机构", "finance institution", ("投融资机构", "金融服务机构"), "policy"),
    Term("后补助", "post-subsidy", ("后期补助", "事后补助", "后补贴"), "policy: 给予后补助支持"),
    Term("入库", "registered (科技型中小企业评价入库)", ("入册",), "policy: 科技部入库"),
    Term("公示", "public notice", ("公告期",), "programme practice"),
    Term("回避", "conflict of interest", ("利益冲突",), "programme practice"),
    Term("评分表", "score sheet", ("打分表", "评分单"), "DESIGN.md"),
    Term("形式审查", "acceptance check", ("资格初审",), "DESIGN.md"),
    Term("统一社会信用代码", "unified social credit code", ("社会统一信用代码", "统一信用代码"), "GB 32100-2015"),
    Term("年度", "programme year", ("年份批次",), "DESIGN.md"),
]


def forbidden_variants():
    """{variant: the glossary's word}."""
    return {variant: term.zh for term in TERMS for variant in term.forbidden}
