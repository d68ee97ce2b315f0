//! Scenario tests: published answers (GnuCash AGE-01), awkward currencies,
//! boundary days, dates around the as-of date, placements and validation.
#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failed test

mod aging_support;

use aging_support::{Row, build};
use ar_aging::{
    AgingBasis, AgingPolicy, AgingTotals, Buckets, Column, ConvertError, CustomerAging, DocumentKind, DocumentRef,
    FutureDocuments, MergeError, OpenItemError, OpenItemRow, OpenItemsBuilder, Placement, PolicyError, Rates,
};
use ar_core::{CreditMemoId, Currency, CustomerId, InvoiceId, Rounding};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn gnucash_buckets() -> Buckets {
    Buckets::labeled(&[(-1, "Current"), (29, "0-30"), (59, "31-60"), (89, "61-90")], "91+").unwrap()
}

fn row(customer: u128, kind: DocumentKind, id: u128, currency: Currency, doc: &str, due: &str, amount: Decimal) -> Row {
    Row {
        customer,
        kind,
        id,
        number: format!("D-{id}"),
        currency,
        document: date(doc),
        due: date(due),
        amount,
        disputed: false,
    }
}

fn buckets_of(totals: &AgingTotals, currency: Currency) -> Vec<i128> {
    totals.row(currency).unwrap().buckets_minor().to_vec()
}

/// Reads the AGE-01 open items restated from GnuCash's test (tests/data/SOURCES.md).
fn age01_rows() -> Vec<Row> {
    let text = include_str!("data/age01_open_items.csv");
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(',').collect();
            let kind = match f[0] {
                "invoice" => DocumentKind::Invoice,
                "credit_memo" => DocumentKind::CreditMemo,
                other => panic!("unexpected kind {other}"),
            };
            let mut r = row(1, kind, i as u128 + 1, Currency::USD, f[2], f[3], f[4].parse().unwrap());
            r.number = f[1].to_owned();
            r
        })
        .collect()
}

fn age01_expected() -> (NaiveDate, Vec<Decimal>) {
    let text = include_str!("data/age01_expected.csv");
    let line = text.lines().nth(1).unwrap();
    let f: Vec<&str> = line.split(',').collect();
    (date(f[1]), f[2..].iter().map(|v| v.parse().unwrap()).collect())
}

#[test]
fn age01_gnucash_owner_report_aging_row() {
    let items = build(&age01_rows());
    let (as_of, expected) = age01_expected();
    // GnuCash: due-date basis, credit notes net into their own bucket,
    // overpayments apart as Pre-Payment.
    let policy = AgingPolicy::new(as_of).buckets(gnucash_buckets()).unapplied_cash(Placement::OwnColumn);
    let totals = items.totals(&policy);
    let usd = totals.row(Currency::USD).unwrap();
    let minor = |d: Decimal| (d * dec!(100)).trunc().mantissa();
    let (prepayment, buckets, total) = (expected[0], &expected[1..6], expected[6]);
    assert_eq!(usd.minor(Column::UnappliedCash), Some(minor(prepayment)));
    assert_eq!(usd.buckets_minor(), buckets.iter().map(|d| minor(*d)).collect::<Vec<_>>());
    assert_eq!(usd.total().unwrap().amount(), total);
    assert_eq!(usd.total_minor(), 3175);
    // The legacy report has no Pre-Payment column: same five buckets.
    let legacy = items.totals(&AgingPolicy::new(as_of).buckets(gnucash_buckets()));
    assert_eq!(buckets_of(&legacy, Currency::USD), [675, 100, 850, 750, 800]);
    // Seven rows, one of them fully paid (0.00): all counted, nothing added.
    assert_eq!(usd.item_count(), 7);
}

#[test]
fn age01_days_past_due_are_derived_from_the_due_dates() {
    let items = build(&age01_rows());
    let (as_of, _) = age01_expected();
    let policy = AgingPolicy::new(as_of).buckets(gnucash_buckets());
    let days: Vec<(&str, i32, Column)> = items.detail(&policy).map(|l| (l.number, l.days_past_due, l.column)).collect();
    // Sorted by due date: >90, 60-90, $200 (same due day as 60-90; number order), 30-60, <30, credit, current.
    assert_eq!(
        days,
        [
            (">90", 105, Column::Bucket(4)),
            ("$200", 74, Column::Bucket(3)),
            ("60-90", 74, Column::Bucket(3)),
            ("30-60", 44, Column::Bucket(2)),
            ("<30", 13, Column::Bucket(1)),
            ("credit note", 9, Column::Bucket(1)),
            ("current", -17, Column::Bucket(0)),
        ]
    );
}

#[test]
fn age01_statement_balance_equals_the_aging_total() {
    // AGE-02 closes at 31.75, the AGE-01 total: the detail sums to the same.
    let items = build(&age01_rows());
    let (as_of, _) = age01_expected();
    let policy = AgingPolicy::new(as_of).buckets(gnucash_buckets());
    let sum: i64 = items.detail(&policy).map(|l| l.open_amount.minor()).sum();
    assert_eq!(sum, 3175);
}

#[test]
fn boundaries_fall_on_the_inclusive_upper_bound() {
    // Standard buckets: 0 is not yet due, 1 and 30 are 1–30, 31 is 31–60, 120/121 split.
    let as_of = date("2025-06-30");
    let past_due = |days: i64| (as_of - chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
    let ages = [-5i64, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121];
    let rows: Vec<Row> = ages
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let due = past_due(d);
            row(1, DocumentKind::Invoice, i as u128, Currency::USD, "2024-01-01", &due, Decimal::new(1 << i, 2))
        })
        .collect();
    let items = build(&rows);
    let totals = items.totals(&AgingPolicy::new(as_of));
    let b = buckets_of(&totals, Currency::USD);
    let bit = |i: usize| 1i128 << i;
    assert_eq!(b[0], bit(0) + bit(1));
    assert_eq!(b[1], bit(2) + bit(3));
    assert_eq!(b[2], bit(4) + bit(5));
    assert_eq!(b[3], bit(6) + bit(7));
    assert_eq!(b[4], bit(8) + bit(9));
    assert_eq!(b[5], bit(10));
    // GnuCash's cuts: 0 days is in "0-30", 29 still there, 30 in "31-60".
    let gnucash = items.totals(&AgingPolicy::new(as_of).buckets(gnucash_buckets()));
    let g = buckets_of(&gnucash, Currency::USD);
    assert_eq!(g[0], bit(0));
    assert_eq!(g[1], bit(1) + bit(2));
    assert_eq!(g[2], bit(3) + bit(4));
    assert_eq!(g[3], bit(5) + bit(6));
    assert_eq!(g[4], (7..11).map(bit).sum::<i128>());
}

#[test]
fn jpy_and_kwd_keep_their_own_scales() {
    let rows = vec![
        row(1, DocumentKind::Invoice, 1, Currency::JPY, "2025-01-01", "2025-01-31", dec!(150000)),
        row(1, DocumentKind::Invoice, 2, Currency::JPY, "2025-05-01", "2025-05-31", dec!(1)),
        row(2, DocumentKind::Invoice, 3, Currency::KWD, "2025-05-01", "2025-05-31", dec!(12.345)),
        row(2, DocumentKind::CreditMemo, 4, Currency::KWD, "2025-05-10", "2025-05-10", dec!(-0.005)),
        row(2, DocumentKind::Invoice, 5, Currency::KWD, "2025-06-20", "2025-07-20", dec!(1.2)),
    ];
    let items = build(&rows);
    assert_eq!(items.currencies(), [Currency::JPY, Currency::KWD]);
    let totals = items.totals(&AgingPolicy::new(date("2025-06-30")));
    assert_eq!(buckets_of(&totals, Currency::JPY), [0, 1, 0, 0, 0, 150_000]);
    assert_eq!(buckets_of(&totals, Currency::KWD), [1_200, 12_345, -5, 0, 0, 0]);
    let kwd = totals.row(Currency::KWD).unwrap();
    assert_eq!(kwd.total().unwrap().to_string(), "13.540 KWD");
    assert_eq!(totals.row(Currency::JPY).unwrap().money(Column::Bucket(5)).unwrap().to_string(), "150000 JPY");

    // One decimal too many is refused, naming the row and the document.
    let mut b = OpenItemsBuilder::new();
    let c = CustomerId::from_u128(1);
    let (d1, d2) = (date("2025-01-01"), date("2025-01-31"));
    let inv = DocumentRef::Invoice(InvoiceId::from_u128(9));
    b.push(OpenItemRow::new(c, inv, "OK", Currency::JPY, d1, d2, dec!(100.000))).unwrap(); // trailing zeros are fine
    let err = b.push(OpenItemRow::new(c, inv, "Y-1", Currency::JPY, d1, d2, dec!(100.5))).unwrap_err();
    assert!(
        matches!(err, OpenItemError::TooManyDecimals { row: 1, ref number, currency: Currency::JPY, .. } if number == "Y-1")
    );
    let err = b.push(OpenItemRow::new(c, inv, "K-1", Currency::KWD, d1, d2, dec!(1.2345))).unwrap_err();
    assert!(matches!(err, OpenItemError::TooManyDecimals { row: 2, .. }), "{err}");
    assert!(err.to_string().contains("row 2 (document K-1)"));
    assert_eq!(b.len(), 1);
}

#[test]
fn as_of_before_the_document_date_leaves_the_document_out_by_default() {
    let rows = vec![
        row(1, DocumentKind::Invoice, 1, Currency::USD, "2025-05-01", "2025-05-31", dec!(100.00)),
        // Dated after the as-of date: did not exist yet.
        row(1, DocumentKind::Invoice, 2, Currency::USD, "2025-07-05", "2025-08-04", dec!(40.00)),
        // A customer whose only item is in the future has no row at all.
        row(2, DocumentKind::Invoice, 3, Currency::EUR, "2025-07-01", "2025-07-01", dec!(7.00)),
    ];
    let items = build(&rows);
    let policy = AgingPolicy::new(date("2025-06-30"));
    let totals = items.totals(&policy);
    assert_eq!(totals.rows().count(), 1);
    assert_eq!(buckets_of(&totals, Currency::USD), [0, 10_000, 0, 0, 0, 0]);
    assert_eq!(totals.row(Currency::USD).unwrap().item_count(), 1);
    let per_customer = items.by_customer(&policy);
    assert_eq!(per_customer.len(), 1);
    assert_eq!(items.detail(&policy).count(), 1);

    // Included, they are aged by their negative age: not yet due.
    let include = policy.clone().future_documents(FutureDocuments::Include);
    let totals = items.totals(&include);
    assert_eq!(buckets_of(&totals, Currency::USD), [4_000, 10_000, 0, 0, 0, 0]);
    assert_eq!(buckets_of(&totals, Currency::EUR), [700, 0, 0, 0, 0, 0]);
    let future: Vec<i32> = items.detail(&include).filter(|l| l.days_past_due < 0).map(|l| l.age_days).collect();
    assert_eq!(future, [-35, -1]);

    // An as-of date before every document: nothing is aged.
    let early = AgingPolicy::new(date("2024-12-31"));
    assert_eq!(items.totals(&early), AgingTotals::empty(early.clone()));
    assert!(items.by_customer(&early).is_empty());
}

#[test]
fn document_date_basis_ages_from_the_document_date() {
    let rows = vec![row(1, DocumentKind::Invoice, 1, Currency::USD, "2025-04-01", "2025-06-30", dec!(5.00))];
    let items = build(&rows);
    let as_of = date("2025-06-30");
    let by_due = items.totals(&AgingPolicy::new(as_of));
    assert_eq!(buckets_of(&by_due, Currency::USD), [500, 0, 0, 0, 0, 0]);
    let by_doc = items.totals(&AgingPolicy::new(as_of).basis(AgingBasis::DocumentDate));
    assert_eq!(buckets_of(&by_doc, Currency::USD), [0, 0, 0, 500, 0, 0]); // 90 days
}

fn mixed_rows() -> Vec<Row> {
    let mut disputed_credit =
        row(1, DocumentKind::CreditMemo, 5, Currency::USD, "2025-06-01", "2025-06-01", dec!(-2.00));
    disputed_credit.disputed = true;
    let mut disputed_invoice = row(1, DocumentKind::Invoice, 6, Currency::USD, "2025-01-01", "2025-01-31", dec!(50.00));
    disputed_invoice.disputed = true;
    vec![
        row(1, DocumentKind::Invoice, 1, Currency::USD, "2025-05-01", "2025-05-31", dec!(100.00)),
        row(1, DocumentKind::UnappliedCash, 2, Currency::USD, "2025-06-15", "2025-06-15", dec!(-30.00)),
        row(1, DocumentKind::CreditMemo, 3, Currency::USD, "2025-03-01", "2025-03-01", dec!(-10.00)),
        row(1, DocumentKind::Deduction, 4, Currency::USD, "2025-06-10", "2025-06-10", dec!(7.00)),
        disputed_credit,
        disputed_invoice,
        row(2, DocumentKind::DebitMemo, 7, Currency::USD, "2025-06-01", "2025-07-01", dec!(3.00)),
    ]
}

#[test]
fn placements_move_classes_to_their_own_columns() {
    let items = build(&mixed_rows());
    let as_of = date("2025-06-30");
    let netted = items.totals(&AgingPolicy::new(as_of));
    let n = netted.row(Currency::USD).unwrap();
    // 1–30: 100 (30 d) - 30 (cash, 15 d) + 7 (deduction, 20 d) - 2 (disputed credit, 29 d);
    // over 120: -10 (credit, 121 d) + 50 (disputed invoice, 150 d); not yet due: 3 (due tomorrow).
    assert_eq!(n.buckets_minor(), [300, 7_500, 0, 0, 0, 4_000]);
    let apart = AgingPolicy::new(as_of)
        .unapplied_cash(Placement::OwnColumn)
        .credit_memos(Placement::OwnColumn)
        .deductions(Placement::OwnColumn)
        .disputed(Placement::OwnColumn);
    let totals = items.totals(&apart);
    let a = totals.row(Currency::USD).unwrap();
    assert_eq!(a.buckets_minor(), [300, 10_000, 0, 0, 0, 0]);
    assert_eq!(a.minor(Column::UnappliedCash), Some(-3_000));
    assert_eq!(a.minor(Column::CreditMemos), Some(-1_000));
    assert_eq!(a.minor(Column::Deductions), Some(700));
    // Disputed wins over the kind: the disputed credit memo is in Disputed.
    assert_eq!(a.minor(Column::Disputed), Some(5_000 - 200));
    assert_eq!(a.total_minor(), n.total_minor());
    assert_eq!(a.past_due_minor(), 10_000);
    assert_eq!(
        apart.columns(),
        [
            Column::Bucket(0),
            Column::Bucket(1),
            Column::Bucket(2),
            Column::Bucket(3),
            Column::Bucket(4),
            Column::Bucket(5),
            Column::UnappliedCash,
            Column::CreditMemos,
            Column::Deductions,
            Column::Disputed
        ]
    );
    assert_eq!(AgingPolicy::new(as_of).columns().len(), 6);
    // Detail lines carry their own document's number and kind (cold columns follow the sort).
    for line in items.detail(&apart) {
        assert_eq!(line.number, format!("D-{}", line.document.as_uuid().as_u128()));
        let source = mixed_rows().into_iter().find(|r| r.id == line.document.as_uuid().as_u128()).unwrap();
        assert_eq!(
            (line.document.kind(), line.disputed, line.open_amount.amount()),
            (source.kind, source.disputed, source.amount)
        );
    }
    // Detail lines name the same columns.
    let columns: Vec<Column> =
        items.detail(&apart).filter(|l| l.customer == CustomerId::from_u128(1)).map(|l| l.column).collect();
    assert_eq!(columns.iter().filter(|c| **c == Column::Disputed).count(), 2);
    assert_eq!(a.minor(Column::Bucket(9)), None);
    assert!(a.money(Column::Bucket(9)).is_err());
}

#[test]
fn rows_are_refused_with_a_reason_naming_the_row() {
    let mut b = OpenItemsBuilder::new();
    let c = CustomerId::from_u128(1);
    let inv = DocumentRef::Invoice(InvoiceId::from_u128(1));
    let early = date("2025-01-01");
    let late = date("2025-02-01");
    let err = b.push(OpenItemRow::new(c, inv, "INV-1", Currency::USD, late, early, dec!(1))).unwrap_err();
    assert!(matches!(err, OpenItemError::DueBeforeDocument { row: 0, .. }));
    assert!(err.to_string().contains("due date 2025-01-01 is before the document date 2025-02-01"));
    let credit = DocumentRef::CreditMemo(CreditMemoId::from_u128(2));
    let err = b.push(OpenItemRow::new(c, credit, "CM-2", Currency::USD, early, early, dec!(5.00))).unwrap_err();
    assert!(matches!(err, OpenItemError::WrongSign { row: 1, kind: DocumentKind::CreditMemo, .. }));
    let err = b.push(OpenItemRow::new(c, inv, "INV-3", Currency::USD, early, late, dec!(-5.00))).unwrap_err();
    assert!(matches!(err, OpenItemError::WrongSign { row: 2, kind: DocumentKind::Invoice, .. }));
    let mut other = OpenItemsBuilder::new();
    let stranger = {
        other.collector("A");
        other.collector("B")
    };
    let err = b.push(OpenItemRow::new(c, inv, "INV-4", Currency::USD, early, late, dec!(5)).collector(stranger));
    assert!(matches!(err, Err(OpenItemError::UnknownCollector { row: 3, collector: 1, .. })));
    let err = b
        .push(OpenItemRow::new(c, inv, "INV-5", Currency::USD, early, late, Decimal::from(10i64.pow(18))))
        .unwrap_err();
    assert!(matches!(err, OpenItemError::AmountOutOfRange { row: 4, .. }));
    assert!(b.is_empty());
    // The builder stays usable after refusals; zero amounts are accepted for every kind.
    b.push(OpenItemRow::new(c, credit, "CM-6", Currency::USD, early, early, dec!(0))).unwrap();
    assert_eq!(b.build().len(), 1);
}

#[test]
fn bucket_definitions_are_validated() {
    assert!(matches!(Buckets::from_upper_bounds(&[0, 30, 30]), Err(PolicyError::BoundariesNotRising { .. })));
    assert!(matches!(Buckets::from_upper_bounds(&[40_000]), Err(PolicyError::BoundaryOutOfRange { .. })));
    let many: Vec<i32> = (0..16).collect();
    assert!(matches!(Buckets::from_upper_bounds(&many), Err(PolicyError::TooManyBuckets { count: 17, .. })));
    assert!(Buckets::from_upper_bounds(&many[..15]).is_ok());
    assert!(matches!(Buckets::labeled(&[(0, "A")], " "), Err(PolicyError::EmptyLabel { index: 1 })));
    assert!(matches!(Buckets::labeled(&[(0, "A")], "A"), Err(PolicyError::DuplicateLabel { .. })));
    // One bucket only: everything in it.
    let single = Buckets::from_upper_bounds(&[]).unwrap();
    assert_eq!(single.labels(), ["All"]);
    assert_eq!(Buckets::standard(), Buckets::from_upper_bounds(&[0, 30, 60, 90, 120]).unwrap());
    assert_eq!(Buckets::standard().labels(), ["Not yet due", "1–30", "31–60", "61–90", "91–120", "Over 120"]);
    // Stored buckets are checked again when read back.
    let stored = serde_json::to_string(&Buckets::standard()).unwrap();
    assert_eq!(serde_json::from_str::<Buckets>(&stored).unwrap(), Buckets::standard());
    let tampered = stored.replace("30,", "300,");
    assert!(serde_json::from_str::<Buckets>(&tampered).is_err());
}

#[test]
fn top_overdue_is_largest_first_with_ties_by_customer_id() {
    let rows = vec![
        row(5, DocumentKind::Invoice, 1, Currency::USD, "2025-01-01", "2025-01-31", dec!(10.00)),
        row(3, DocumentKind::Invoice, 2, Currency::USD, "2025-01-01", "2025-01-31", dec!(10.00)),
        row(4, DocumentKind::Invoice, 3, Currency::USD, "2025-01-01", "2025-01-31", dec!(25.00)),
        row(4, DocumentKind::Invoice, 4, Currency::USD, "2025-06-01", "2025-07-31", dec!(900.00)), // not yet due
        row(6, DocumentKind::Invoice, 5, Currency::USD, "2025-01-01", "2025-01-31", dec!(10.00)),
        row(6, DocumentKind::CreditMemo, 6, Currency::USD, "2025-01-01", "2025-01-31", dec!(-10.00)), // nets to zero
        row(7, DocumentKind::Invoice, 7, Currency::EUR, "2025-01-01", "2025-01-31", dec!(99.00)),
    ];
    let aging = build(&rows).by_customer(&AgingPolicy::new(date("2025-06-30")));
    let top: Vec<(u128, i128)> = aging
        .top_overdue(10, Currency::USD)
        .iter()
        .map(|o| (o.customer.as_uuid().as_u128(), o.overdue_minor))
        .collect();
    assert_eq!(top, [(4, 2_500), (3, 1_000), (5, 1_000)]);
    let top2: Vec<u128> = aging.top_overdue(2, Currency::USD).iter().map(|o| o.customer.as_uuid().as_u128()).collect();
    assert_eq!(top2, [4, 3]);
    assert!(aging.top_overdue(0, Currency::USD).is_empty());
    assert_eq!(aging.top_overdue(3, Currency::EUR)[0].overdue().unwrap().to_string(), "99.00 EUR");
}

#[test]
fn merge_refuses_different_policies_and_has_an_identity() {
    let items = build(&mixed_rows());
    let a = AgingPolicy::new(date("2025-06-30"));
    let b = AgingPolicy::new(date("2025-07-31"));
    let totals = items.totals(&a);
    assert_eq!(totals.clone().merge(&items.totals(&b)), Err(MergeError::PolicyMismatch));
    assert_eq!(AgingTotals::empty(a.clone()).merge(&totals).unwrap(), totals);
    let per = items.by_customer(&a);
    assert_eq!(CustomerAging::empty(a.clone()).merge(&per).unwrap(), per);
    assert_eq!(per.clone().merge(&items.by_customer(&b)), Err(MergeError::PolicyMismatch));
}

#[test]
fn conversion_rounds_each_cell_once_and_totals_add_up() {
    let rows = vec![
        row(1, DocumentKind::Invoice, 1, Currency::EUR, "2025-01-01", "2025-01-31", dec!(0.01)),
        row(2, DocumentKind::Invoice, 2, Currency::EUR, "2025-01-01", "2025-01-31", dec!(0.01)),
        row(3, DocumentKind::Invoice, 3, Currency::EUR, "2025-01-01", "2025-01-31", dec!(0.01)),
        row(3, DocumentKind::Invoice, 4, Currency::JPY, "2025-01-01", "2025-01-31", dec!(1)),
        row(4, DocumentKind::Invoice, 5, Currency::USD, "2025-06-01", "2025-07-01", dec!(2.50)),
    ];
    let aging = build(&rows).by_customer(&AgingPolicy::new(date("2025-06-30")));
    let rates =
        Rates::new(Currency::USD).rate(Currency::EUR, dec!(1.5)).unwrap().rate(Currency::JPY, dec!(0.0067)).unwrap();
    let usd = aging.convert(&rates).unwrap();
    // 0.01 EUR = 0.015 USD → 0.02 (half up) for each customer; 1 JPY = 0.0067 → 0.01.
    let rows: Vec<i128> = usd.rows().map(|(_, r)| r.total_minor()).collect();
    assert_eq!(rows, [2, 2, 3, 250]);
    assert_eq!(usd.totals().total_minor(), 257);
    assert_eq!(usd.totals().buckets_minor()[5], 7);
    // Converting the EUR total in one step would give 0.03 × 1.5 = 0.045 → 0.05, not 0.06:
    // the report keeps rows and totals consistent instead.
    assert_eq!(rates.convert_minor(3, Currency::EUR).unwrap(), 5);
    let even = aging.convert(&rates.clone().rounding(Rounding::HalfEven)).unwrap();
    assert_eq!(even.rows().map(|(_, r)| r.total_minor()).collect::<Vec<_>>(), [2, 2, 3, 250]);
    let down = aging.convert(&rates.clone().rounding(Rounding::Down)).unwrap();
    assert_eq!(down.rows().map(|(_, r)| r.total_minor()).collect::<Vec<_>>(), [1, 1, 1, 250]);
    assert_eq!(usd.top_overdue(1)[0].customer, CustomerId::from_u128(3));
    // A currency without a rate is an error, not a silent zero.
    let partial = Rates::new(Currency::USD).rate(Currency::EUR, dec!(1.5)).unwrap();
    assert_eq!(aging.convert(&partial), Err(ConvertError::MissingRate { currency: Currency::JPY }));
    assert!(Rates::new(Currency::USD).rate(Currency::USD, dec!(1.1)).is_err());
    assert!(Rates::new(Currency::USD).rate(Currency::USD, dec!(1.000)).is_ok());
    assert!(Rates::new(Currency::USD).rate(Currency::EUR, dec!(-1)).is_err());
}

#[test]
fn an_empty_set_ages_to_nothing() {
    let items = OpenItemsBuilder::new().build();
    let policy = AgingPolicy::new(date("2025-06-30"));
    assert!(items.is_empty());
    assert_eq!(items.totals(&policy), AgingTotals::empty(policy.clone()));
    assert!(items.by_customer(&policy).is_empty());
    assert_eq!(items.detail(&policy).count(), 0);
    assert_eq!(items.shards(4).len(), 1);
    assert_eq!(items.hot_bytes(), 4); // the customer offsets' sentinel
}

#[test]
fn hot_columns_stay_under_24_bytes_per_item() {
    let rows: Vec<Row> = (0..10_000u128)
        .map(|i| row(i % 100, DocumentKind::Invoice, i, Currency::USD, "2025-01-01", "2025-01-31", dec!(1.00)))
        .collect();
    let items = build(&rows);
    let per_item = items.hot_bytes() as f64 / items.len() as f64;
    assert!(per_item <= 24.0, "{per_item} bytes per item");
    assert!(per_item >= 17.0);
}

#[test]
fn shard_counts_are_bounded_by_the_customers() {
    let items = build(&mixed_rows());
    let policy = AgingPolicy::new(date("2025-06-30"));
    assert_eq!(items.shards(0).len(), 1);
    let many = items.shards(usize::MAX);
    assert_eq!(many.len(), 2); // two customers
    assert!(many.iter().all(|s| !s.is_empty()));
    let merged = many.iter().fold(AgingTotals::empty(policy.clone()), |acc, s| acc.merge(&s.totals(&policy)).unwrap());
    assert_eq!(merged, items.totals(&policy));
    assert_eq!(many[0].customers(), 0..1);
}
