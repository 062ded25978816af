"""Invented residents: common Han and Mongolian names, mobile numbers from a range that looks
reserved (13x000xxxxx), and for some an ID number with a correct check digit. A few residents
come back with new requests (repeat petitioners)."""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from petitions.models import PartyRole
from petitions.services import PartyData
from portal.demo import ACCOUNTS, TEAMS

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢"
    "蒋蔡贾丁魏薛叶阎潘杜戴夏钟田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
    "段雷钱汤尹武乔贺"
)
GIVEN = [
    "建华", "秀兰", "桂芳", "玉梅", "淑珍", "凤英", "国强", "海军", "丽华", "晓燕",
    "红梅", "永红", "建军", "文斌", "春花", "德明", "玉兰", "秀珍", "金凤", "宝山",
    "福林", "亚楠", "子涵", "浩然", "欣怡", "思远", "俊杰", "雅琴", "志勇", "桂兰",
    "玉珍", "树林", "长青", "美玲", "宏伟", "立新", "卫东", "爱华", "振华", "淑芬",
    "占山", "翠萍", "利民", "雪梅", "新民", "金花", "保平", "慧芳", "少华", "晓东",
]  # fmt: skip
# Mongolian given names, used alone or after a surname Mongolian families in Hohhot often use.
MONGOLIAN = [
    "巴图", "朝鲁", "额尔敦", "斯琴", "其其格", "乌日娜", "苏日娜", "图雅", "阿拉坦",
    "格日勒", "哈斯", "宝音", "敖登", "那顺", "达来", "孟和", "满都拉", "乌力吉", "塔娜",
    "托娅", "萨日娜", "特木尔", "赛罕", "阿木尔", "呼和", "布和", "吉雅", "毕力格",
]  # fmt: skip
MONGOLIAN_SURNAMES = "包云奇白鲍"
# Hohhot's districts (新城区, 回民区, 玉泉区, 赛罕区) and 土默特左旗.
AREA_CODES = ("150102", "150103", "150104", "150105", "150121")
PHONE_PREFIXES = ("139000", "138000", "137000")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2, as ``portal.privacy.canonical_id_number`` checks it."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _taken_names() -> set[str]:
    """Names of demo staff and team members: residents never share them."""
    names = {account["name"] for account in ACCOUNTS}
    for team in TEAMS:
        names.update(member["name"] for member in team["members"])
    return names


@dataclass
class Resident:
    name: str
    phone: str
    id_number: str
    address: str
    compound_id: int | None
    uses: int = 0

    def party(self, role: str = PartyRole.PETITIONER) -> PartyData:
        return PartyData(
            name=self.name,
            phone=self.phone,
            id_number=self.id_number,
            address=self.address,
            role=role,
        )


@dataclass
class People:
    """Hands out residents; about one request in ten comes from someone who asked before."""

    rng: Random
    taken: set[str] = field(default_factory=_taken_names)
    _phones: set[str] = field(default_factory=set)
    _ids: set[str] = field(default_factory=set)
    _regulars: dict[int | None, list[Resident]] = field(default_factory=dict)

    def _name(self) -> str:
        rng = self.rng
        for _ in range(50):
            roll = rng.random()
            if roll < 0.12:
                name = rng.choice(MONGOLIAN)
            elif roll < 0.2:
                name = rng.choice(MONGOLIAN_SURNAMES) + rng.choice(MONGOLIAN)
            else:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in self.taken:
                return name
        return name

    def _phone(self) -> str:
        while True:
            phone = f"{self.rng.choice(PHONE_PREFIXES)}{self.rng.randint(0, 99999):05d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone

    def _id_number(self) -> str:
        rng = self.rng
        while True:
            year = rng.randint(1942, 2001)
            first17 = (
                f"{rng.choice(AREA_CODES)}{year}{rng.randint(1, 12):02d}"
                f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            )
            number = first17 + id_check_digit(first17)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def new(self, compound_name: str = "", compound_id: int | None = None) -> Resident:
        rng = self.rng
        address = ""
        if compound_name:
            address = (
                f"{compound_name}{rng.randint(1, 18)}号楼{rng.randint(1, 4)}单元"
                f"{rng.randint(1, 6)}0{rng.randint(1, 2)}室"
            )
        return Resident(
            name=self._name(),
            phone=self._phone(),
            id_number=self._id_number() if rng.random() < 0.4 else "",
            address=address,
            compound_id=compound_id,
        )

    def petitioner(self, compound_name: str = "", compound_id: int | None = None) -> Resident:
        """A resident of the compound: now and then one who has asked before (up to three
        requests; a review request may make it four)."""
        regulars = self._regulars.setdefault(compound_id, [])
        ready = [r for r in regulars if r.uses < 3]
        if ready and self.rng.random() < 0.14:
            resident = self.rng.choice(ready)
        else:
            resident = self.new(compound_name, compound_id)
            if self.rng.random() < 0.12:
                regulars.append(resident)
        resident.uses += 1
        return resident
