"""How fast the API answers on a prepared database (the bench's district data), without changing it.

Picks the street with the most published ballots, makes a token of it inside a transaction that is
rolled back at the end, and times each read endpoint (the published result above all) through the
whole Django stack, 30 times after a warm-up; prints the median and the 95th percentile in ms.

    DATABASE_URL=postgres://sanhui:sanhui@127.0.0.1:5432/sanhui_bench_city \\
        DJANGO_SETTINGS_MODULE=config.settings DJANGO_SECRET_KEY=<50+ characters> \\
        DJANGO_ALLOWED_HOSTS=testserver DJANGO_SECURE_SSL_REDIRECT=0 SMS_BACKEND=none \\
        API_THROTTLE=1000000/60 .venv/bin/python -m bench.api_timing

(production settings; the throttle raised so that the 31 requests per endpoint are all answered).
"""

import statistics
import time

import django


def main() -> None:
    django.setup()
    from django.db import transaction
    from django.db.models import Count, Q
    from django.test import Client

    from api import services
    from decisions.models import Ballot
    from members import services as member_services
    from members.models import Role, Street, User

    street = (Street.objects.annotate(n=Count("committees__ballots", filter=Q(
        committees__ballots__status=Ballot.Status.PUBLISHED))).order_by("-n").first())
    ballot = Ballot.objects.filter(committee__street=street, status=Ballot.Status.PUBLISHED,
                                   subject_type__isnull=True).order_by("-published_at").first()
    with transaction.atomic():
        # The token's maker: an officer of the street (one is made if the data has none; rolled back).
        role = Role.objects.filter(kind=Role.Kind.STREET_OFFICER, street=street).select_related("user").first()
        officer = role.user if role else User.objects.create(username="bench-api-officer", password="!")
        if role is None:
            member_services.role_grant(user=officer, kind=Role.Kind.STREET_OFFICER, street=street, by=None)
        _, token = services.token_create(street=street, name="bench timing", days=1, by=officer)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        paths = ["/api/v1/hearings/", "/api/v1/ballots/", "/api/v1/evaluations",
                 f"/api/v1/streets/{street.pk}/evaluations", f"/api/v1/streets/{street.pk}/requests?year=2026"]
        if ballot is not None:
            paths[2:2] = [f"/api/v1/ballots/{ballot.pk}", f"/api/v1/ballots/{ballot.pk}/receipts"]
        for path in paths:
            assert client.get(path).status_code == 200, path
            times = []
            for _ in range(30):
                start = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            print(f"{path:45} median {statistics.median(times):7.1f} ms   p95 {times[28]:7.1f} ms")  # noqa: T201 - the timing is the output
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
