"""Functions of the quickstart pipeline: plain Python; only the check uses a specrun type."""

from specrun import AssetCheckResult


def raw_orders(context) -> list[dict]:
    rows = context.op_config["rows"]
    context.log.info(f"loading {rows} orders")
    return [{"id": i, "amount": (i * 37) % 100 - 5, "country": "de" if i % 3 else "fr"}
            for i in range(rows)]


def clean_orders(orders: list[dict]) -> list[dict]:
    return [o for o in orders if o["amount"] > 0]


def summarise(orders: list[dict]) -> dict:
    by_country: dict[str, float] = {}
    for o in orders:
        by_country[o["country"]] = by_country.get(o["country"], 0) + o["amount"]
    return {"orders": len(orders), "revenue_by_country": by_country}


def no_negative_amounts(orders_clean: list[dict]) -> AssetCheckResult:
    negative = sum(1 for o in orders_clean if o["amount"] < 0)
    return AssetCheckResult(passed=negative == 0, metadata={"negative": negative})
