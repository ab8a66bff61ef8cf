"""Orders parsed and de-duplicated by a graph of ops, then summed up by another."""


def raw_orders():
    return ["1,30", "2,15", "2,15", "3,40"]


def parse_rows(lines):
    return [{"id": int(i), "amount": int(a)} for i, a in (line.split(",") for line in lines)]


def drop_duplicates(rows):
    seen, kept = set(), []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            kept.append(row)
    return kept


def amounts(rows):
    return [row["amount"] for row in rows]


def total(values):
    return sum(values)


def largest(values):
    return max(values)


def report(revenue, biggest_order):
    return f"revenue {revenue}, biggest order {biggest_order}"
