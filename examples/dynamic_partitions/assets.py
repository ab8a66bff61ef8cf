"""Invoices per customer (one dynamic partition per customer) and a roll-up over all."""

from specrun import AssetCheckResult, Output


def invoices(context):
    """A customer's invoices; the asset checks its own amounts (check_specs in the spec)."""
    customer = context.partition_key
    rows = [{"customer": customer, "amount": 10 * (i + 1) + len(customer)} for i in range(3)]
    yield Output(rows, metadata={"rows": len(rows)})
    yield AssetCheckResult(check_name="amounts_positive", passed=all(r["amount"] > 0 for r in rows))


def customer_total(invoices):
    return sum(row["amount"] for row in invoices)


def all_customers(totals):
    """Totals of every customer added so far, by customer."""
    return dict(totals)
