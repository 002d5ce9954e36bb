"""A large, realistic DebtorDesk ledger for measuring the screens: the same seed gives the same file.

    python -m bench.generate OUT.sqlite3 --customers 50000 --invoices 1000000 --seed 1 [--today 2026-11-24]

The schema comes from the app's own migrations (`open_database`); the rows are then written with
the stdlib sqlite3 module in one transaction (explicit indexes dropped during the load and built
again afterwards), and the statistics refreshed with ANALYZE. The file is checked at the end:
no kept open/unapplied amount disagrees with the allocations (`db.ledger.drift`) and no link is
broken (`PRAGMA foreign_key_check`).

Shape of the ledger: issue dates over the ten years before --today, customers trading for part
of that time and some far more than others; terms of 14/30/45/60 days; amounts of 20.00 to
20,000.00. About 85% of invoices are paid in full by one payment (a few early, most up to 40 days
late, some later still; only when that date is not after --today), about 5% are part-paid, the
rest are open, as are recent ones whose payment date has not come. About 1% of the payments pay
a little too much (unapplied credit); a few invoices are disputed.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

YEARS = 10
TERMS = (14, 30, 45, 60)
TERMS_WEIGHTS = (15, 55, 15, 15)
MIN_AMOUNT, MAX_AMOUNT = 2_000, 2_000_000  # 20.00 .. 20,000.00 in minor units
CHUNK = 50_000

SURNAMES = """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell Rose Davis
Rodriguez Cox Alexander Morgan Hughes Edwards Turner Hill Moore Clark Harris Scott Cooper Ward Baker
Morris King Harrison Murphy Bell Kelly Campbell Stewart Watson Gray Ellis Knight Barker Fox Palmer
Holmes Hunt Marshall Gibson Mills Reid Lloyd Fletcher Burton Owen Dixon Chapman Shaw Webb Hart Lane
Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dubois Moreau Laurent Bernard Rossi Russo Garcia
Martin Fernandez Jansen Visser Bakker""".split()
FIRST_NAMES = """Oliver Amelia George Isla Harry Ava Noah Mia Jack Ivy Leo Lily Arthur Freya Muhammad Grace
Oscar Sophia Charlie Emily Jacob Ella Thomas Rosie Henry Evie William Florence James Poppy Alfie Sienna
Lucas Emma Anna Paul Claire Marc Sarah David Laura Peter Helen Daniel Julia""".split()
PLACES = """Northern Southern Eastern Western Thames Mersey Pennine Cotswold Kentish Highland Severn Solent
Tyne Clyde Humber Wessex Mercia Anglia Chiltern Mendip Cheviot Cambrian Albion Avon Trent Ouse Dart
Exe Wye Tamar Forth Lune Eden Aire Calder Derwent Medway Stour Tees Wear Rhine Danube Loire Alpine
Baltic Atlantic Pacific Metro Central Coastal Valley Harbour Bridge Meadow Oak Cedar Maple Granite
Silver Golden Crown Royal Phoenix Pioneer Summit Apex Vertex Keystone Beacon""".split()
TRADES = """Engineering Logistics Builders Plumbing Electrical Joinery Roofing Glazing Printing Catering
Bakery Brewery Dairy Farms Foods Textiles Fabrics Furniture Interiors Motors Haulage Freight Couriers
Cleaning Security Software Systems Digital Media Design Consulting Accountancy Legal Surveying
Architects Dental Pharmacy Veterinary Nurseries Garden Landscaping Hire Plant Scaffolding Steel
Metals Plastics Packaging Paper Chemicals Laboratories Optics Instruments Electronics Telecom Energy
Solar Heating Ventilation Hotels Travel Events Studios Marketing Recruitment Training Education
Fitness Wholesale Supplies Trading Imports Exports Distribution Storage""".split()
STREETS = """High Station Church Park Victoria Green Manor Mill Kings Queens New School London York
Bridge Market Chapel Castle Alexandra Albert Springfield Grange Windsor""".split()
STREET_KINDS = ("Street", "Road", "Lane", "Avenue", "Way", "Close", "Drive", "Place")
CITIES = {
    "GB": ("London", "Birmingham", "Manchester", "Leeds", "Glasgow", "Bristol", "Sheffield", "Liverpool",
           "Edinburgh", "Cardiff", "Leicester", "Nottingham", "Newcastle", "Belfast", "Brighton", "Oxford",
           "Cambridge", "York", "Norwich", "Exeter", "Plymouth", "Aberdeen", "Swansea", "Reading"),
    "IE": ("Dublin", "Cork", "Galway", "Limerick", "Waterford"),
    "DE": ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig"),
    "FR": ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux"),
    "NL": ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"),
    "ES": ("Madrid", "Barcelona", "Valencia", "Sevilla"),
    "IT": ("Milano", "Roma", "Torino", "Bologna"),
    "US": ("New York", "Chicago", "Boston", "Seattle", "Austin", "Denver", "San Francisco"),
}
LANGUAGE = {"GB": "en", "IE": "en", "US": "en", "DE": "de", "FR": "fr", "NL": "nl", "ES": "es", "IT": "it"}
SUFFIX = {"GB": ("Ltd", "Ltd", "Limited", "LLP", "& Co", "plc", "Group"), "IE": ("Ltd", "DAC", "Teoranta"),
          "DE": ("GmbH", "GmbH", "KG", "AG"), "FR": ("SARL", "SAS", "SA"), "NL": ("B.V.", "N.V."),
          "ES": ("S.L.", "S.A."), "IT": ("S.r.l.", "S.p.A."), "US": ("Inc.", "LLC", "Corp.")}
EURO_COUNTRIES = ("DE", "FR", "IE", "NL", "ES", "IT")
DESCRIPTIONS = ("Consultancy", "Goods as per delivery note", "Monthly service charge", "Maintenance contract",
                "Installation", "Call-out and repairs", "Supplies", "Licence fees", "Project milestone",
                "Hire charges", "Transport", "Design work", "Training day", "Spare parts", "Subscription")
METHODS = ("bank transfer", "bank transfer", "bank transfer", "card", "direct debit", "cheque")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="the SQLite file to write (must not exist, unless --force)")
    p.add_argument("--customers", type=int, default=50_000)
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24),
                   help="the ledger's 'today' (ISO date, default 2026-11-24)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.add_argument("--no-verify", action="store_true", help="skip the drift and foreign-key checks")
    args = p.parse_args(argv)
    if args.customers < 1 or args.invoices < 0:
        p.error("--customers must be at least 1 and --invoices not negative")
    return args


class Days:
    """ISO texts of the days from `first` on, by day number (0 = first)."""

    def __init__(self, first: date, count: int):
        self.first = first
        self.iso = [(first + timedelta(days=i)).isoformat() for i in range(count)]
        self.year = [int(s[:4]) for s in self.iso]


def make_customers(rng: random.Random, n: int, days: Days, today_no: int):
    """Customer rows, and per customer: currency, terms, trading window (day numbers), weight."""
    rows, info = [], []
    for i in range(1, n + 1):
        r = rng.random()
        if r < 0.85:
            currency, country = "GBP", ("GB" if rng.random() < 0.97 else "IE")
            if country == "IE":
                currency = "EUR"
        elif r < 0.95:
            currency, country = "EUR", rng.choice(EURO_COUNTRIES)
        else:
            currency, country = "USD", "US"
        consumer = rng.random() < 0.08
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if consumer:
            name = f"{first} {last}"
        else:
            pattern = rng.random()
            suffix = rng.choice(SUFFIX[country])
            if pattern < 0.4:
                name = f"{rng.choice(PLACES)} {rng.choice(TRADES)} {suffix}"
            elif pattern < 0.7:
                name = f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {suffix}"
            elif pattern < 0.85:
                name = f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {suffix}"
            else:
                name = f"{rng.choice(PLACES)} {rng.choice(PLACES)} {rng.choice(TRADES)} {suffix}"
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24] or f"c{i}"
        email = f"{first.lower()}.{last.lower()}@example.com" if consumer else f"accounts@{slug}.example"
        terms = rng.choices(TERMS, TERMS_WEIGHTS)[0]
        # trading window: most started in the first years, some stopped trading
        start = int(today_no * rng.random() ** 1.5)
        end = today_no if rng.random() < 0.7 else rng.randint(start, today_no)
        weight = min(rng.paretovariate(1.3), 200.0)
        limit = None if consumer or rng.random() < 0.6 else rng.choice((250_000, 500_000, 1_000_000, 2_500_000,
                                                                          5_000_000, 10_000_000))
        phone = f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        street = f"{rng.randint(1, 250)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
        postcode = (f"{rng.choice('ABCDEGHKLMNPSTW')}{rng.randint(1, 30)} {rng.randint(1, 9)}"
                    f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}")
        rows.append((
            i, f"C{i:06d}", name, f"{first} {last}", email, phone, street, "",
            postcode, rng.choice(CITIES[country]), country, LANGUAGE[country],
            "consumer" if consumer else "business", limit, terms, int(rng.random() < 0.02), "",
            int(rng.random() < 0.01), f"{days.iso[start]} 08:{rng.randint(0, 59):02d}:00", 1,
        ))
        info.append((currency, terms, start, max(end, start), weight))
    return rows, info


def generate(args: argparse.Namespace) -> dict[str, int]:
    rng = random.Random(args.seed)
    today = args.today
    first = today - timedelta(days=365 * YEARS + YEARS // 4)
    today_no = (today - first).days
    days = Days(first, today_no + 400)  # due and payment dates may fall after today

    customers, info = make_customers(rng, args.customers, days, today_no)
    weights = [w * (end - start + 30) for _c, _t, start, end, w in info]
    owners = rng.choices(range(args.customers), weights=weights, k=args.invoices)
    issued = [rng.randint(info[c][2], info[c][3]) for c in owners]
    order = sorted(range(args.invoices), key=issued.__getitem__)  # ids follow the issue date

    con = connect(args.out)
    indexes = drop_indexes(con)
    cur = con.cursor()
    cur.execute("BEGIN")
    cur.execute(
        "INSERT INTO company_profile (id, name, address, email, phone, vat_number, registration_number, "
        "bank_name, iban, bic, account_number, sort_code, base_currency, late_payment_regime, logo_path, "
        "contract_rate, version) "
        "VALUES (1, 'Benchmark Trading Ltd', '', '', '', '', '', '', '', '', '', '', 'GBP', 'uk', '', '', 1)")
    cur.executemany(
        "INSERT INTO customer (id, ref, name, contact_person, email, phone, address_line1, address_line2, "
        "postcode, city, country, language, kind, credit_limit_minor, terms_days, on_hold, notes, archived, "
        "created_at, version, late_payment_regime, contract_rate, owner, discount_percent, discount_days) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', 0)", customers)

    invoice_sql = (
        "INSERT INTO invoice (id, number, customer_id, issue_date, due_date, amount_minor, currency, description, "
        "disputed, created_at, version, open_minor, disputed_minor, discount_percent, discount_days) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, '', 0)")
    payments = []  # (day number, invoice id, customer id, amount, currency, allocated, reference, named)
    per_year: dict[int, int] = {}
    log_lo, log_span = math.log(MIN_AMOUNT), math.log(MAX_AMOUNT) - math.log(MIN_AMOUNT)
    counts = dict.fromkeys(("paid", "part_paid", "open", "overpaid", "disputed"), 0)
    batch = []
    rand, randint = rng.random, rng.randint
    for inv_id, k in enumerate(order, start=1):
        c = owners[k]
        currency, terms, _s, _e, _w = info[c]
        if rand() < 0.1:
            terms = TERMS[randint(0, 3)]
        issue = issued[k]
        due = issue + terms
        year = days.year[issue]
        seq = per_year[year] = per_year.get(year, 0) + 1
        number = f"INV-{year}-{seq:07d}"
        amount = int(math.exp(log_lo + log_span * rand()))
        amount = amount - amount % 100 if rand() < 0.3 else amount  # some round figures
        open_minor = amount
        fate = rand()
        if fate < 0.85:  # paid in full by one payment
            r = rand()
            if r < 0.12:
                pay = max(issue, due - randint(1, 10))
            elif r < 0.90:
                pay = due + randint(0, 40)
            else:
                pay = due + randint(41, 150)
            if pay <= today_no:
                paid = amount + randint(100, 5_000) if rand() < 0.01 else amount
                counts["overpaid"] += paid > amount
                payments.append((pay, inv_id, c + 1, paid, currency, amount, number))
                open_minor = 0
        elif fate < 0.90:  # part-paid
            pay = due + randint(-5, 60)
            if pay <= today_no:
                part = max(1, int(amount * (0.1 + 0.8 * rand())))
                payments.append((max(pay, issue), inv_id, c + 1, part, currency, part, number))
                open_minor = amount - part
        disputed = int(rand() < (0.03 if open_minor else 0.001))
        counts["disputed"] += disputed
        counts["paid" if open_minor == 0 else "part_paid" if open_minor < amount else "open"] += 1
        batch.append((inv_id, number, c + 1, days.iso[issue], days.iso[due], amount, currency,
                      f"{DESCRIPTIONS[randint(0, len(DESCRIPTIONS) - 1)]} {randint(100000, 999999)}",
                      disputed, f"{days.iso[issue]} {randint(8, 18):02d}:{randint(0, 59):02d}:00", open_minor,
                      amount if disputed else 0))
        if len(batch) >= CHUNK:
            cur.executemany(invoice_sql, batch)
            batch.clear()
    cur.executemany(invoice_sql, batch)
    del batch, owners, issued, order

    payments.sort(key=lambda p: (p[0], p[1]))  # ids follow the payment date
    pay_rows, alloc_rows = [], []
    for pay_id, (day, inv_id, cid, paid, currency, allocated, number) in enumerate(payments, start=1):
        method = METHODS[randint(0, len(METHODS) - 1)]
        reference = number if rand() < 0.7 else f"{method.split()[0].upper()} {randint(10_000_000, 99_999_999)}"
        named = inv_id if reference == number else None
        pay_rows.append((pay_id, cid, days.iso[day], paid, currency, reference, method, named, paid - allocated,
                         f"{days.iso[day]} {randint(8, 18):02d}:{randint(0, 59):02d}:00"))
        alloc_rows.append((pay_id, pay_id, inv_id, allocated))
    cur.executemany(
        "INSERT INTO payment (id, customer_id, date, amount_minor, currency, reference, method, named_invoice_id, "
        "unapplied_minor, created_at, kind, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'payment', '')", pay_rows)
    cur.executemany("INSERT INTO allocation (id, payment_id, invoice_id, amount_minor) VALUES (?, ?, ?, ?)",
                    alloc_rows)
    for sql in indexes:
        cur.execute(sql)
    cur.execute("COMMIT")
    cur.execute("ANALYZE")
    cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    counts.update(customers=len(customers), invoices=args.invoices, payments=len(pay_rows),
                  allocations=len(alloc_rows))
    return counts


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("PRAGMA cache_size=-262144")  # 256 MiB
    con.execute("PRAGMA temp_store=MEMORY")
    return con


def drop_indexes(con: sqlite3.Connection) -> list[str]:
    """Drop the explicit indexes of the tables loaded (faster to build once afterwards); their SQL."""
    found = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('customer', 'invoice', 'payment', 'allocation') ORDER BY name").fetchall()
    for name, _sql in found:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def create_schema(path: Path) -> None:
    from debtordesk.db.engine import open_database

    db = open_database(f"sqlite:///{path}")
    db.dispose()


def verify(path: Path) -> list[str]:
    from debtordesk.db.engine import open_database
    from debtordesk.db.ledger import drift

    problems = []
    db = open_database(f"sqlite:///{path}")
    try:
        with db.session() as s:
            problems += drift(s)
    finally:
        db.dispose()
    con = sqlite3.connect(str(path))
    try:
        problems += [f"broken link {row}" for row in con.execute("PRAGMA foreign_key_check")]
        problems += [f"integrity: {row[0]}" for row in con.execute("PRAGMA quick_check") if row[0] != "ok"]
    finally:
        con.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.out.exists():
        if not args.force:
            print(f"{args.out} exists; pass --force to replace it", file=sys.stderr)
            return 2
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.out}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    create_schema(args.out)
    counts = generate(args)
    took = time.perf_counter() - t0
    print(f"{args.out}: today {args.today}, seed {args.seed}")
    for key in ("customers", "invoices", "payments", "allocations"):
        print(f"  {key:<12} {counts[key]:>10,}")
    print(f"  invoices paid {counts['paid']:,}, part-paid {counts['part_paid']:,}, open {counts['open']:,}, "
          f"disputed {counts['disputed']:,}; overpaying payments {counts['overpaid']:,}")
    print(f"  written in {took:.1f} s ({args.out.stat().st_size / 2**20:.0f} MiB)")
    if not args.no_verify:
        t1 = time.perf_counter()
        problems = verify(args.out)
        print(f"  checked in {time.perf_counter() - t1:.1f} s: "
              + ("no drift, no broken links" if not problems else f"{len(problems)} problem(s)"))
        for problem in problems[:20]:
            print(f"    {problem}")
        if problems:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
