//! The `parallel` feature: rayon shards give exactly the single-threaded result.
#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failed test
#![cfg(feature = "parallel")]

use ar_aging::{AgingPolicy, Buckets, DocumentRef, OpenItemRow, OpenItems, OpenItemsBuilder, Placement};
use ar_core::{CreditMemoId, Currency, CustomerId, InvoiceId};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

/// (customer, credit?, currency index, document offset, terms, minor units)
type RowSpec = (u128, bool, usize, i64, i64, i64);

fn build(rows: &[RowSpec]) -> OpenItems {
    let currencies = [Currency::USD, Currency::EUR, Currency::JPY];
    let mut b = OpenItemsBuilder::new();
    for (i, &(customer, credit, cur, offset, terms, minor)) in rows.iter().enumerate() {
        let currency = currencies[cur];
        let document = if credit {
            DocumentRef::CreditMemo(CreditMemoId::from_u128(i as u128))
        } else {
            DocumentRef::Invoice(InvoiceId::from_u128(i as u128))
        };
        let doc = as_of() + Duration::days(offset);
        let amount = Decimal::new(if credit { -minor } else { minor }, currency.minor_units());
        let row = OpenItemRow::new(
            CustomerId::from_u128(customer),
            document,
            "N",
            currency,
            doc,
            doc + Duration::days(terms),
            amount,
        );
        b.push(row).unwrap();
    }
    b.build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parallel_equals_single_threaded(
        rows in prop::collection::vec((0u128..40, prop::bool::weighted(0.1), 0usize..3, -300i64..10, 0i64..90, 0i64..1_000_000), 0..300),
        bounds in prop::collection::btree_set(-30i32..150, 0..6),
        threads in 1usize..4,
    ) {
        let items = build(&rows);
        let bounds: Vec<i32> = bounds.into_iter().collect();
        let policy = AgingPolicy::new(as_of())
            .buckets(Buckets::from_upper_bounds(&bounds).unwrap())
            .credit_memos(Placement::OwnColumn);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let (totals, customers) = pool.install(|| (items.par_totals(&policy), items.par_by_customer(&policy)));
        prop_assert_eq!(totals, items.totals(&policy));
        prop_assert_eq!(customers, items.by_customer(&policy));
    }
}
