"""IP属地: resolvers from an address to a province, for ZIXUN_IP_REGION_RESOLVER.

The site keeps only the resolved province, never the address. `file_resolver`
reads ZIXUN_IP_REGION_FILE, a CSV of ``network,province`` lines such as
``203.0.113.0/24,广东`` (an operator supplies it from a data set they may use).
"""

from __future__ import annotations

import csv
import ipaddress
from functools import cache
from pathlib import Path

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _table(path: str) -> list[tuple[Network, str]]:
    rows: list[tuple[Network, str]] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in csv.reader(handle):
            if len(line) >= 2 and not line[0].startswith("#"):
                rows.append((ipaddress.ip_network(line[0].strip(), strict=False), line[1].strip()))
    # Most specific first, so that a /24 wins over its /16.
    rows.sort(key=lambda row: row[0].prefixlen, reverse=True)
    return rows


def file_resolver(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    for network, province in _table(settings.ZIXUN_IP_REGION_FILE):
        if address.version == network.version and address in network:
            return province
    return ""
