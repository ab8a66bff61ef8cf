"""Raw orders split by one function into two assets, and a summary of one of them."""

from specrun import Output


def raw_orders():
    return [{"id": i, "amount": 10 * i, "refunded": i % 4 == 0} for i in range(1, 9)]


def split_orders(orders):
    """Yields one output per asset of the multi-asset (the `outs:` of the spec)."""
    yield Output([o for o in orders if not o["refunded"]], output_name="paid",
                 metadata={"rows": sum(not o["refunded"] for o in orders)})
    yield Output([o for o in orders if o["refunded"]], output_name="refunded")


def revenue(paid):
    return sum(o["amount"] for o in paid)
