"""Build demo data for 大宁路街道 through the members services; a second run changes nothing.

The Chinese names below are demo content shown to users, not product constants. Everything is
planned first from one seeded random generator, so every run asks the services for exactly the
same places, people and roles, and each ``*_ensure`` service finds what the last run created.
"""

import random
import time
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from members import demo, services
from members.models import Agency, Building, Committee, Household, Membership, Role, Street, User
from members.phone import display_phone, normalize_phone

DEMO_PASSWORD = "sanhui-demo-2026"
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"
ADMIN_URL = "http://127.0.0.1:8000/admin/"
SEED = 2026

STREET_NAME, DISTRICT = "大宁路街道", "静安区"
PROPERTY_FIRMS = ["上海延长物业管理有限公司", "上海宁和物业服务有限公司", "上海大宁物业管理有限公司",
                  "上海上工物业服务有限公司"]
# (committee, address, [(compound, index into PROPERTY_FIRMS)]); firms 0 and 1 serve two compounds.
COMMITTEES = [
    ("延长居民区", "延长路 149 弄 12 号", [("延长新村", 0), ("延长中路公寓", 0)]),
    ("宁和居民区", "宁和路 88 弄 3 号", [("宁和小区", 1), ("大宁花园", 2)]),
    ("上工新村居民区", "共和新路 1500 弄 6 号", [("上工新村", 3), ("上工苑", 1)]),
]
SERVING_ALL = [  # stationed agencies and the work station serve every committee of the street
    (Agency.Kind.POLICE, "大宁路派出所", "静安区公安分局"),
    (Agency.Kind.MARKET, "大宁路市场监管所", "静安区市场监督管理局"),
    (Agency.Kind.CITY_MANAGEMENT, "大宁路城管中队", "静安区城市管理行政执法局"),
    (Agency.Kind.HOUSING, "大宁路房管办", "静安区房屋管理局"),
    (Agency.Kind.HEALTH, "大宁路社区卫生服务中心", "静安区卫生健康委员会"),
    (Agency.Kind.WORK_STATION, "大宁路街道社区工作站", "大宁路街道办事处"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段"
    "雷"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红梅海波云飞燕鹏辉文宇"
    "晨欣怡佳琳浩然子涵雪婷慧俊峰春凤德福宝珍荣"
)

R = Role.Kind


@dataclass(frozen=True)
class DemoAccount:
    username: str
    label: str
    full_name: str
    phone: str
    roles: tuple[str, ...] = ()
    committee: int = 0  # index into COMMITTEES for committee-scoped roles
    home: tuple[int, int, int, str] | None = None  # committee, compound, building index, door
    superuser: bool = False
    agency: str = SERVING_ALL[0][1]  # the agency an agency contact speaks for (the police station by default)


DEMO_ACCOUNTS = [
    DemoAccount("resident", "resident 居民", "陈静", "13800210001", home=(0, 0, 0, "101")),
    DemoAccount("resident_rep", "resident representative 居民代表", "李建国", "13800210002",
                roles=(R.RESIDENT_REPRESENTATIVE,), home=(0, 0, 1, "201")),
    DemoAccount("floor_leader", "floor leader 楼组长", "张秀英", "13800210003",
                roles=(R.FLOOR_LEADER,), home=(0, 0, 2, "301")),
    DemoAccount("party_member", "party member 党员", "刘伟", "13800210004",
                roles=(R.PARTY_MEMBER,), home=(0, 1, 0, "102")),
    DemoAccount("party_rep", "party-member representative 党员代表", "周玉兰", "13800210005",
                roles=(R.PARTY_MEMBER, R.PARTY_REPRESENTATIVE), home=(0, 1, 1, "202")),
    DemoAccount("organizer", "committee organizer 居委干部 (延长居民区)", "赵敏", "13800210006",
                roles=(R.ORGANIZER,), committee=0),
    DemoAccount("organizer2", "committee organizer 居委干部 (宁和居民区)", "孙丽", "13800210007",
                roles=(R.ORGANIZER,), committee=1),
    DemoAccount("street_officer", "street officer 街道干部 (大宁路街道)", "吴涛", "13800210008",
                roles=(R.STREET_OFFICER,)),
    DemoAccount("agency_contact", "agency contact 派驻机构联系人 (大宁路派出所)", "郑海", "13800210009",
                roles=(R.AGENCY_CONTACT,)),
    DemoAccount("property_contact", "property firm contact 物业联系人 (上海延长物业管理有限公司)", "钱志刚",
                "13800210011", roles=(R.AGENCY_CONTACT,), agency=PROPERTY_FIRMS[0]),
    DemoAccount("site_admin", "site admin 系统管理员", "系统管理员", "13800210010",
                roles=(R.SITE_ADMIN,), superuser=True),
]


@dataclass
class Flat:
    door: str
    area: Decimal
    owner_occupied: bool
    residents: list[str] = field(default_factory=list)  # phones (E.164); the first represents


@dataclass
class Plan:
    # (committee, compound, building index) -> flats
    buildings: dict[tuple[int, int, int], list[Flat]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # phone -> full name
    # (kind, phone, place key): committee index for committee kinds, building key for floor leaders
    roles: list[tuple[str, str, object]] = field(default_factory=list)


def _plan() -> Plan:
    """Decide every household, resident and role up front, the same way on every run."""
    rng = random.Random(SEED)
    phones = iter(f"+861390021{n:04d}" for n in rng.sample(range(10000), 2000))
    plan = Plan()
    demo_homes = {a.home: a for a in DEMO_ACCOUNTS if a.home}
    for ci, (_, _, compounds) in enumerate(COMMITTEES):
        committee_people: list[str] = []
        for pi in range(len(compounds)):
            for bi in range(rng.randint(4, 6)):
                key = (ci, pi, bi)
                flats, people = [], []
                for floor in range(1, rng.choice((4, 5, 6, 6)) + 1):
                    for unit in (1, 2):
                        flat = Flat(door=f"{floor}{unit:02d}",
                                    area=Decimal(rng.randint(4500, 14000)) / 100,
                                    owner_occupied=rng.random() < 0.85)
                        occupied = rng.random() < 0.85
                        count = rng.choices((1, 2, 3), weights=(6, 4, 1))[0]
                        demo = demo_homes.get(key + (flat.door,))
                        if demo:
                            flat.residents.append(normalize_phone(demo.phone))
                        if occupied or demo:
                            for _ in range(count - (1 if demo else 0)):
                                phone = next(phones)
                                plan.names[phone] = _name(rng)
                                flat.residents.append(phone)
                                people.append(phone)
                        flats.append(flat)
                plan.buildings[key] = flats
                committee_people += people
                demo_kinds = {k for a in DEMO_ACCOUNTS if a.home and a.home[:3] == key for k in a.roles}
                picks = rng.sample(people, min(2, len(people)))
                if picks and R.RESIDENT_REPRESENTATIVE not in demo_kinds:
                    plan.roles.append((R.RESIDENT_REPRESENTATIVE, picks[0], ci))
                if picks and R.FLOOR_LEADER not in demo_kinds:
                    plan.roles.append((R.FLOOR_LEADER, picks[-1], key))
        party = [p for p in committee_people if rng.random() < 0.1]
        plan.roles += [(R.PARTY_MEMBER, p, ci) for p in party]
        plan.roles += [(R.PARTY_REPRESENTATIVE, p, ci) for p in rng.sample(party, min(4, len(party)))]
    return plan


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Create demo data for 大宁路街道 (3 committees, ~300 households) and one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print only the table of demo logins.")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off (it creates a superuser with a\n"
                                 "published password).")

    def handle(self, *args, quiet: bool = False, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError("seed_demo creates accounts with a published password, including a "
                               "superuser. Run it with DJANGO_DEBUG=1, or pass --force if you mean it.")
        started = time.monotonic()
        with transaction.atomic():
            street, committees = self._places()
            accounts = {a.username: self._demo_user(a) for a in DEMO_ACCOUNTS}
            plan = _plan()
            people = self._households(plan, committees, accounts)
            self._roles(plan, street, committees, people, accounts)
            self._other_apps(quiet)
        if not quiet:
            self._summary(street, time.monotonic() - started)
        self._logins_table()

    def _other_apps(self, quiet: bool) -> None:
        """Every app's demo data, registered with ``members.demo`` (members imports none of them)."""
        for seed in demo.seeders():
            seed(stdout=None if quiet else self.stdout)

    # --- writes, all through members.services -------------------------------------------------

    def _places(self) -> tuple[Street, list[Committee]]:
        street = services.street_ensure(name=STREET_NAME, district=DISTRICT)
        committees = [services.committee_ensure(street=street, name=name, address=address)
                      for name, address, _ in COMMITTEES]
        for kind, name, department in SERVING_ALL:
            self._agency(street, kind, name, department, committees)
        firms = []
        for fi, name in enumerate(PROPERTY_FIRMS):
            served = [committees[ci] for ci, (_, _, compounds) in enumerate(COMMITTEES)
                      if any(firm == fi for _, firm in compounds)]
            firms.append(self._agency(street, Agency.Kind.PROPERTY_FIRM, name, "", served))
        self.compounds = {}
        for ci, (_, _, compounds) in enumerate(COMMITTEES):
            for pi, (name, firm) in enumerate(compounds):
                self.compounds[ci, pi] = services.compound_ensure(
                    committee=committees[ci], name=name, property_firm=firms[firm])
        return street, committees

    def _agency(self, street: Street, kind: str, name: str, department: str,
                committees: list[Committee]) -> Agency:
        return services.agency_ensure(street=street, kind=kind, name=name,
                                      supervising_department=department, committees=committees)

    def _demo_user(self, account: DemoAccount) -> User:
        return services.account_ensure(username=account.username, full_name=account.full_name,
                                       phone=normalize_phone(account.phone), password=DEMO_PASSWORD,
                                       is_superuser=account.superuser)

    def _households(self, plan: Plan, committees: list[Committee],
                    accounts: dict[str, User]) -> dict[str, User]:
        people = {u.phone: u for u in accounts.values()}
        self.buildings: dict[tuple[int, int, int], Building] = {}
        for key, flats in plan.buildings.items():
            building = services.building_ensure(compound=self.compounds[key[:2]], name=f"{key[2] + 1}号楼")
            self.buildings[key] = building
            for flat in flats:
                household = services.household_upsert(building=building, door_number=flat.door,
                                                      floor_area=flat.area,
                                                      owner_occupied=flat.owner_occupied)
                for position, phone in enumerate(flat.residents):
                    if phone not in people:
                        people[phone] = services.person_ensure(full_name=plan.names[phone], phone=phone)
                    membership = services.membership_ensure_verified(
                        user=people[phone], household=household, by=None)
                    if position == 0:
                        services.membership_set_representative(membership=membership, by=None)
        return people

    def _roles(self, plan: Plan, street: Street, committees: list[Committee],
               people: dict[str, User], accounts: dict[str, User]) -> None:
        for kind, phone, place in plan.roles:
            if kind == R.FLOOR_LEADER:
                services.role_grant(user=people[phone], kind=kind, building=self.buildings[place], by=None)
            else:
                services.role_grant(user=people[phone], kind=kind, committee=committees[place], by=None)
        agencies = {a.name: a for a in Agency.objects.filter(street=street)}
        for account in DEMO_ACCOUNTS:
            user = accounts[account.username]
            for kind in account.roles:
                scope = Role.SCOPE[kind]
                place = {
                    "committee": {"committee": committees[account.committee]},
                    "building": {"building": self.buildings.get(account.home[:3]) if account.home else None},
                    "street": {"street": street},
                    "agency": {"agency": agencies[account.agency]},
                    None: {},
                }[scope]
                services.role_grant(user=user, kind=kind, by=None, **place)

    # --- output ----------------------------------------------------------------------------------

    def _summary(self, street: Street, seconds: float) -> None:
        households = Household.objects.filter(building__compound__committee__street=street)
        residents = Membership.objects.filter(household__in=households, status=Membership.Status.VERIFIED)
        roles = dict(Role.objects.values_list("kind").annotate(n=Count("pk")))
        self.stdout.write(
            f"{street.district} {street.name}: {street.committees.count()} committees, "
            f"{Agency.objects.filter(street=street).count()} agencies and property firms, "
            f"{Building.objects.filter(compound__committee__street=street).count()} buildings, "
            f"{households.count()} households, {residents.count()} verified residents."
        )
        self.stdout.write("Roles: " + ", ".join(f"{kind} {roles.get(kind, 0)}" for kind in Role.Kind.values))
        self.stdout.write(f"Done in {seconds:.1f} s; running it again changes nothing.")

    def _logins_table(self) -> None:
        rows = [("role", "username", "phone", "password")]
        for account in DEMO_ACCOUNTS:
            rows.append((account.label, account.username, display_phone(normalize_phone(account.phone)),
                         DEMO_PASSWORD))
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        rows.insert(1, tuple("-" * w for w in widths))
        self.stdout.write("")
        self.stdout.write(f"Demo logins 演示账号 — DEMO DATA ONLY: every demo account uses the password "
                          f"{DEMO_PASSWORD}. Never run this on a real site.")
        self.stdout.write(f"Sign in at {LOGIN_URL} with the username or the phone number "
                          f"(site_admin also opens {ADMIN_URL}).")
        self.stdout.write("")
        for row in rows:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
