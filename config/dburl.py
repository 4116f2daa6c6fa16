"""DATABASE_URL parsing that also accepts libpq's multi-host URLs (docs/DEPLOY.md, failover).

``postgres://user:pw@10.0.0.20:5432,10.0.0.21:5432/sanhui?target_session_attrs=read-write`` lists the
primary and its standby: libpq tries them in order and keeps the first that accepts writes, so after
the standby is promoted the app hosts find the new primary on their next connection, with no change
of configuration. dj_database_url refuses a comma in the host part; this parses the URL with one
placeholder host, then puts the lists back as HOST and PORT, which Django passes to libpq unchanged
(``host=a,b port=p1,p2``). Query parameters (``target_session_attrs``, ``connect_timeout``) become
OPTIONS, as dj_database_url makes them for any URL.
"""

import re

import dj_database_url

_MULTI = re.compile(r"^(?P<scheme>[a-z0-9+]+://)(?P<user>[^@/]*@)?(?P<hosts>[^/?]*,[^/?]*)(?P<rest>[/?].*)?$")
_PLACEHOLDER = "sanhui-multi-host.invalid"
DEFAULT_PORT = "5432"


def parse(url: str, **kwargs) -> dict:
    """``dj_database_url.parse(url, **kwargs)``, with ``host1:port1,host2:port2`` kept as libpq lists."""
    match = _MULTI.match(url)
    if match is None:
        return dj_database_url.parse(url, **kwargs)
    hosts, ports = [], []
    for item in match["hosts"].split(","):
        if item.startswith("["):  # [IPv6]:port
            host, _, port = item[1:].partition("]")
            port = port.lstrip(":")
        else:
            host, _, port = item.partition(":")
        if not host:
            raise ValueError(f"empty host in the database URL's host list: {match['hosts']!r}")
        hosts.append(host)
        ports.append(port or DEFAULT_PORT)
    config = dj_database_url.parse(f"{match['scheme']}{match['user'] or ''}{_PLACEHOLDER}{match['rest'] or ''}",
                                   **kwargs)
    config["HOST"], config["PORT"] = ",".join(hosts), ",".join(ports)
    return config
