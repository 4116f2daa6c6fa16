"""The working-day calendar: weekdays work, weekends rest, unless a Holiday row says otherwise.

China moves days around public holidays (调休): a weekday off is a ``holiday`` row, a weekend day
worked to make up for it is a ``workday`` row. Operators keep the rows in the admin.
"""

from datetime import date, timedelta

from members.models import Holiday


def add_working_days(start: date, days: int) -> date:
    """The day on which ``days`` working days after ``start`` have passed (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Generous window: even a long holiday week and two weekends per working week fit inside it.
    horizon = start + timedelta(days=days * 3 + 31)
    overrides = dict(Holiday.objects.filter(day__gt=start, day__lte=horizon).values_list("day", "kind"))
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            left -= 1
    return day


def is_working_day(day: date, overrides: dict[date, str]) -> bool:
    kind = overrides.get(day)
    if kind == Holiday.Kind.HOLIDAY:
        return False
    if kind == Holiday.Kind.WORKDAY:
        return True
    return day.weekday() < 5
