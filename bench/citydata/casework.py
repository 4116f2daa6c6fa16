"""A year of residents' requests per committee, for the queues and the street dashboard's figures.

Every street gets a property firm for all its compounds (its police station and work station come
from ``evaluations``). Each committee receives ``REQUESTS_PER_COMMITTEE`` requests spread over the
year, routed mostly to the property firm, most of them answered, rated and closed, as the services
would leave them (the stored days to answer, on time or not, the rating); a few are still open at
each level of the 三不. Only the request rows are written (COPY): the queues and the figures read
nothing else. With 5,000 residents a committee, that is one request a year for every eight
residents; a district of 280 committees has about 170,000.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.citydata.common import City, copy, next_id
from casework.models import Case, Category
from members import services as member_services
from members.models import Agency, Committee, Compound, Street

YEAR = 2026
REQUESTS_PER_COMMITTEE = 600
SHANGHAI = ZoneInfo("Asia/Shanghai")
RATINGS = [(Case.Rating.SATISFIED, 70), (Case.Rating.BASIC, 20), (Case.Rating.DISSATISFIED, 10)]
COLUMNS = ["id", "committee_id", "compound_id", "building_id", "spot", "category", "description", "channel",
           "requester_id", "requester_name", "requester_phone", "named_to_handler", "recorded_by_id", "status",
           "level", "handler_id", "due_on", "created_at", "routed_at", "accepted_at", "escalated_at", "answer",
           "answered_at", "answered_by_handler", "answer_days", "answered_on_time", "returned_count",
           "reopen_count", "rating", "rated_at", "close_reason", "done_at"]


def firms(city: City) -> dict[int, dict[str, int]]:
    """Per street: its property firm (for every compound), police station and work station."""
    handlers = {}
    for street in Street.objects.filter(pk__in=city.street_ids).order_by("pk"):
        firm = member_services.agency_ensure(street=street, kind=Agency.Kind.PROPERTY_FIRM,
                                             name=f"{street.name}物业公司")
        # Bench data: the compounds were COPYed without history, so they are set in bulk here too.
        Compound.objects.filter(committee__street=street).update(property_firm=firm)
        kinds = dict(Agency.objects.filter(street=street).values_list("kind", "pk"))
        handlers[street.pk] = {"firm": firm.pk, "police": kinds.get(Agency.Kind.POLICE),
                               "station": kinds.get(Agency.Kind.WORK_STATION)}
    return handlers


def rows_for(city: City, committee_id: int, street_handlers: dict[str, int], compounds: dict[int, int],
             first_id: int, organizer_id: int, today: date):
    rng = city.rng
    categories = list(Category.values)
    buildings = city.buildings_of[committee_id]
    for n in range(REQUESTS_PER_COMMITTEE):
        building = rng.choice(buildings)
        created = datetime(YEAR, 1, 1, 8, tzinfo=SHANGHAI) + timedelta(minutes=rng.randrange(0, 364 * 24 * 60))
        pick = rng.random()
        handler = (street_handlers["firm"] if pick < 0.6 else street_handlers["police"] if pick < 0.75
                   else street_handlers["station"] if pick < 0.9 else None)
        routed = created + timedelta(hours=rng.randrange(1, 48)) if handler else None
        due = (routed or created).date() + timedelta(days=7 if handler else 3)
        days = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 20])
        answered = (routed or created) + timedelta(days=days, hours=rng.randrange(1, 8))
        state = rng.random()
        if answered.date() >= today or state < 0.04:  # still with the handler, or escalated
            status, level = (Case.Status.ACCEPTED, Case.Level.HANDLER) if handler else (Case.Status.NEW,
                                                                                         Case.Level.COMMITTEE)
            if state < 0.01:
                level = Case.Level.STREET
            elif state < 0.02 and handler:
                level = Case.Level.COMMITTEE
            yield (first_id + n, committee_id, compounds[building], building, "", rng.choice(categories), "诉求",
                   Case.Channel.ONLINE, None, "居民", "", False, organizer_id, status, level, handler, due, created,
                   routed, routed, None, "", None, False, None, None, 0, 0, "", None, "", None)
            continue
        rated = state < 0.9
        rating = rng.choices([r for r, _w in RATINGS], [w for _r, w in RATINGS])[0] if rated else ""
        closed = rated or state > 0.95
        yield (first_id + n, committee_id, compounds[building], building, "", rng.choice(categories), "诉求",
               Case.Channel.ONLINE, None, "居民", "", False, organizer_id,
               Case.Status.CLOSED if closed else Case.Status.ANSWERED, Case.Level.HANDLER if handler
               else Case.Level.COMMITTEE, handler, due, created, routed, routed, None, "已处理", answered,
               bool(handler), days, answered.date() <= due, 0, 0, rating,
               answered + timedelta(days=1) if rated else None,
               "" if rated or not closed else "多次联系未果", answered + timedelta(days=8) if closed else None)


def generate(city: City) -> dict[str, int]:
    handlers = firms(city)
    compound_of = {}
    for building_id, compound_id in (Compound.objects.filter(committee_id__in=city.committee_ids)
                                     .values_list("buildings__pk", "pk")):
        compound_of[building_id] = compound_id
    total = 0
    today = date(YEAR, 12, 31)
    for committee_id, street_id in (Committee.objects.filter(pk__in=city.committee_ids).order_by("pk")
                                    .values_list("pk", "street_id")):
        total += copy(Case, COLUMNS, rows_for(city, committee_id, handlers[street_id], compound_of,
                                              next_id(Case), city.organizer_id, today))
    return {"residents' requests": total}
