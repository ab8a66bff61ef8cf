"""Functions of the components example: the template's three steps and the report."""

from specrun import AssetCheckResult


def extract(context) -> list[dict]:
    table, rows = context.op_config["table"], context.op_config["rows"]
    context.log.info(f"copying {rows} rows of {table}")
    return [{"table": table, "id": i, "amount": (i * 37) % 100 - 5, "country": "de" if i % 3 else "fr"}
            for i in range(rows)]


def clean(context, raw: list[dict]) -> list[dict]:
    low, country = context.op_config["min_amount"], context.op_config["country"]
    return [r for r in raw if r["amount"] >= low and country in ("any", r["country"])]


def no_negative_amounts(clean: list[dict]) -> AssetCheckResult:
    negative = sum(1 for r in clean if r["amount"] < 0)
    return AssetCheckResult(passed=negative == 0, metadata={"negative": negative})


def report(orders: list[dict], payments: list[dict], refunds: list[dict]) -> dict:
    tables = {"orders": orders, "payments": payments, "refunds": refunds}
    return {name: {"rows": len(rows), "amount": sum(r["amount"] for r in rows)} for name, rows in tables.items()}
