"""Expected answers of the members app's URLs (format: tests/security/access/__init__.py)."""

from tests.security.access import REDIRECT, Entry, everyone, scoped

ORGANIZER = {"organizer admin": 200}
ONLY_OWN = ("own",)

EXPECTATIONS = {
    "home": Entry(get=everyone(200, anonymous=200), sides=ONLY_OWN),
    "members:join_start": Entry(get=everyone(200), sides=ONLY_OWN),
    "members:my_memberships": Entry(get=everyone(200), sides=ONLY_OWN),
    # Large print: anyone may switch it for themselves (a visitor in a cookie); only by POST.
    "members:large_print_set": Entry(get=everyone(405, anonymous=405), post=everyone(REDIRECT, anonymous=REDIRECT),
                                     sides=ONLY_OWN),
    # Joining: any signed-in person may look for their own building in any committee.
    "members:join_committee": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=everyone(200)),
    "members:join_compound": Entry(kwargs=lambda w, s: {"pk": s.compound.pk}, get=everyone(200)),
    "members:join_building": Entry(kwargs=lambda w, s: {"pk": s.building.pk}, get=everyone(200)),
    # The organizer's desk: organizers of that committee and site admins; 404 for everyone else.
    "members:committee_detail": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:committee_residents": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:committee_households": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:committee_requests": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:request_decide": Entry(kwargs=lambda w, s: {"pk": s.committee.pk, "request_pk": s.request.pk},
                                    get=scoped(ORGANIZER)),
    "members:committee_roles": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:role_revoke": Entry(kwargs=lambda w, s: {"pk": s.committee.pk, "role_pk": s.role.pk},
                                 get=scoped(ORGANIZER)),
    "members:roster_import": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    "members:roster_template": Entry(kwargs=lambda w, s: {"pk": s.committee.pk}, get=scoped(ORGANIZER)),
    # The street office: officers of that street and site admins.
    "members:street_detail": Entry(kwargs=lambda w, s: {"pk": s.street.pk}, get=scoped({"officer admin": 200})),
}


# --- Notifications: a person sees and marks only their own ------------------------------------
# The builder gives the side's resident one notification (through members.notifications.notify).

from tests.security.world import register_builder  # noqa: E402


def build_notifications(world, side) -> None:
    from members.models import Notification
    from members.notifications import notify

    name = side.committee.name
    made = notify(users=[side.resident], kind=Notification.Kind.ANNOUNCEMENT, title=f"Notice for {name}",
                  body=f"Body of the notice for {name}", url=side.ballot_open.get_absolute_url(),
                  dedupe_key=f"security-world:{name}")
    side.extra["notification"] = made[0]


register_builder(build_notifications)


def notification(w, s):
    return {"pk": s.extra["notification"].pk}


EXPECTATIONS |= {
    "members:notification_list": Entry(get=everyone(200), sides=ONLY_OWN),
    "members:notification_preferences": Entry(get=everyone(200), sides=ONLY_OWN),
    # How one is told (SMS, e-mail, WeChat, the site): one's own choice only, for everyone signed in.
    "members:contact_channel": Entry(get=everyone(200), sides=ONLY_OWN),
    "members:notification_read_all": Entry(get=everyone(405), post=everyone(REDIRECT), sides=ONLY_OWN),
    # POST only: the owner is sent on (to what it is about, or the list); anybody else 404, site admins too.
    "members:notification_open": Entry(kwargs=notification, get=everyone(405),
                                       post=scoped({"resident": REDIRECT})),
    "members:notification_read": Entry(kwargs=notification, get=everyone(405),
                                       post=scoped({"resident": REDIRECT})),
}
