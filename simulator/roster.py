"""The test roster: invented persons covering the cases a counter meets (all data fictitious).

status: active | not_activated (credential never activated: ec.query 500170) | no_insurance (activated,
no valid record: 500171) | suspended (psn_insu_stas 2: identity works, settlement refused) |
other_province (insured outside the institution's area: envelopes need insuplc_admdvs from 1101).
Family accounts (亲情账户): a holder's phone may show the codes of up to 5 members.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from terminal.masking import mask_id, mask_name

LOCAL_ADMDVS = "320100"  # 南京市: the default config's mdtrtarea_admvs, so these persons settle locally.
MAX_FAMILY = 5           # seed notices: one phone holds up to 5 family members' credentials

INSUTYPE_NAMES = {"310": "职工基本医疗保险", "390": "城乡居民基本医疗保险", "340": "离休人员医疗保障"}
# Insurance types with a personal account (个人账户); residents (390) and 离休 (340) have none.
ACCOUNT_INSUTYPES = frozenset({"310"})


@dataclass(frozen=True)
class Person:
    """One insured (or not) person as the platform knows them."""

    psn_no: str
    name: str
    certno: str
    status: str
    insutype: str = "310"
    balc: Decimal = Decimal("0.00")
    insuplc_admdvs: str = LOCAL_ADMDVS
    emp_name: str = ""
    psn_type: str = "11"          # 11 在职, 21 退休, 14 离休, 15 城乡居民 (invented subset)
    members: tuple[tuple[str, str], ...] = field(default=())  # (psn_no, relation) for a family holder

    @property
    def gend(self) -> str:
        """1 male, 2 female: from the 17th digit of the ID number."""
        return "1" if int(self.certno[16]) % 2 else "2"

    @property
    def brdy(self) -> str:
        return f"{self.certno[6:10]}-{self.certno[10:12]}-{self.certno[12:14]}"

    @property
    def ec_index_no(self) -> str:
        """32 hex: a stable index for the credential (invented derivation)."""
        return hashlib.md5(("ec:" + self.psn_no).encode()).hexdigest()

    @property
    def has_account(self) -> bool:
        return self.insutype in ACCOUNT_INSUTYPES

    def age(self, today: date) -> int:
        b = date.fromisoformat(self.brdy)
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def _certno(area: str, birth: str, seq: str) -> str:
    """An 18-digit resident ID with a valid GB 11643 check digit."""
    body = area + birth + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    return body + check


def _p(n: int, name: str, birth: str, sex_seq: str, status: str, **kw) -> Person:
    area = kw.get("insuplc_admdvs", LOCAL_ADMDVS)
    return Person(psn_no=f"{area[:4]}00{n:010d}", name=name, certno=_certno(area[:4] + "02", birth, sex_seq),
                  status=status, **kw)


PERSONS: tuple[Person, ...] = (
    _p(1, "张伟", "19800101", "123", "active", insutype="310", balc=Decimal("1000.00"), emp_name="南京示例科技有限公司"),
    _p(2, "李娜", "19920315", "244", "active", insutype="390", psn_type="15"),
    _p(3, "王芳", "19751120", "026", "active", insutype="310", balc=Decimal("0.00"), emp_name="南京示例物流有限公司"),
    _p(4, "陈静", "19880808", "048", "active", insutype="310", balc=Decimal("12.34"), emp_name="南京示例餐饮有限公司"),
    _p(5, "刘洋", "19820606", "171", "active", insutype="310", balc=Decimal("500.00"), emp_name="南京示例设计院",
       members=(("3201000000000006", "配偶"), ("3201000000000007", "子女"), ("3201000000000008", "子女"),
                ("3201000000000009", "父母"), ("3201000000000010", "父母"))),
    _p(6, "黄丽", "19840210", "222", "active", insutype="310", balc=Decimal("260.50"), emp_name="南京示例小学"),
    _p(7, "刘子涵", "20120915", "061", "active", insutype="390", psn_type="15"),
    _p(8, "刘子墨", "20160412", "093", "active", insutype="390", psn_type="15"),
    _p(9, "刘建国", "19350701", "015", "active", insutype="340", psn_type="14"),
    _p(10, "赵秀英", "19560303", "128", "active", insutype="310", balc=Decimal("88.80"), psn_type="21"),
    _p(11, "孙强", "19900505", "011", "not_activated", insutype="310", balc=Decimal("300.00")),
    _p(12, "周敏", "19950909", "162", "no_insurance", insutype=""),
    _p(13, "吴磊", "19870417", "075", "suspended", insutype="310", balc=Decimal("150.00")),
    _p(14, "郑海", "19791212", "033", "other_province", insutype="310", balc=Decimal("800.00"),
       insuplc_admdvs="440300", emp_name="深圳示例电子有限公司"),
    _p(15, "冯建华", "19300818", "057", "active", insutype="340", psn_type="14"),
    _p(16, "何平", "19680229", "019", "active", insutype="310", balc=Decimal("5000.00"), psn_type="21"),
)
BY_PSN_NO = {p.psn_no: p for p in PERSONS}
BY_CERTNO = {p.certno: p for p in PERSONS}
assert all(len(p.members) <= MAX_FAMILY for p in PERSONS)


def get(psn_no: str) -> Person | None:
    """A person by psn_no, or None."""
    return BY_PSN_NO.get(psn_no)


def holder_of(psn_no: str) -> tuple[Person, str] | None:
    """(holder, relation) for a family member, or None."""
    for p in PERSONS:
        for m, rel in p.members:
            if m == psn_no:
                return p, rel
    return None


def family(p: Person) -> dict | None:
    """The person's family links for `sim persons`."""
    if p.members:
        return {"role": "holder", "members": [{"psn_no": m, "relation": r} for m, r in p.members]}
    h = holder_of(p.psn_no)
    if h:
        return {"role": "member", "holder": h[0].psn_no, "relation": h[1]}
    return None


def describe(p: Person, balc: Decimal | None = None) -> dict:
    """The `sim persons --json` view of a person (masked name and ID)."""
    return {"psn_no": p.psn_no, "name": mask_name(p.name), "id_masked": mask_id(p.certno),
            "status": p.status, "insutype": p.insutype, "insutype_name": INSUTYPE_NAMES.get(p.insutype, ""),
            "has_account": p.has_account, "balc": f"{(p.balc if balc is None else balc):.2f}",
            "insuplc_admdvs": p.insuplc_admdvs, "family": family(p)}
