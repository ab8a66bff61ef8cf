"""A file written by someone else, observed by its content hash, and an asset counting its rows."""

import hashlib
from pathlib import Path

from specrun import DataVersion

ORDERS = Path(__file__).with_name("orders.csv")


def observe_orders():
    return DataVersion(hashlib.sha256(ORDERS.read_bytes()).hexdigest()[:12])


def order_count():
    return len(ORDERS.read_text().splitlines()) - 1  # minus the header
