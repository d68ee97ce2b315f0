//! Property tests: the fast engine against a naive loop written here with
//! `Decimal`, and the laws results obey (sums, merges, conversion).
#![allow(clippy::unwrap_used)] // tests may unwrap: a panic is a failed test

use std::collections::BTreeMap;

mod aging_support;

use aging_support::{Row, build};
use ar_aging::{
    AgingBasis, AgingPolicy, AgingTotals, Buckets, Column, CustomerAging, DocumentKind, FutureDocuments, OpenItems,
    Placement, Rates,
};
use ar_core::{Currency, CustomerId, Rounding};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

const CURRENCIES: [Currency; 4] = [Currency::USD, Currency::JPY, Currency::KWD, Currency::EUR];
const KINDS: [DocumentKind; 5] = [
    DocumentKind::Invoice,
    DocumentKind::DebitMemo,
    DocumentKind::CreditMemo,
    DocumentKind::UnappliedCash,
    DocumentKind::Deduction,
];

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

#[derive(Debug, Clone)]
struct PolicySpec {
    bounds: Vec<i32>,
    basis: AgingBasis,
    apart: [bool; 4], // unapplied cash, credit memos, deductions, disputed
    include_future: bool,
}

impl PolicySpec {
    fn policy(&self) -> AgingPolicy {
        let place = |apart: bool| if apart { Placement::OwnColumn } else { Placement::InBucket };
        AgingPolicy::new(as_of())
            .basis(self.basis)
            .buckets(Buckets::from_upper_bounds(&self.bounds).unwrap())
            .unapplied_cash(place(self.apart[0]))
            .credit_memos(place(self.apart[1]))
            .deductions(place(self.apart[2]))
            .disputed(place(self.apart[3]))
            .future_documents(if self.include_future { FutureDocuments::Include } else { FutureDocuments::Exclude })
    }

    fn columns(&self) -> usize {
        self.bounds.len() + 1 + 4
    }
}

fn spec_strategy(max_amount_minor: i64) -> impl Strategy<Value = Row> {
    (
        0u128..8,
        0usize..5,
        0usize..4,
        -400i64..40,
        prop_oneof![Just(0i64), Just(15), Just(30), Just(45), 0i64..120],
        0i64..=max_amount_minor,
        prop::bool::weighted(0.15),
        0u32..50,
        any::<u128>(),
    )
        .prop_map(|(customer, kind, currency, doc_offset, terms, minor, disputed, number, id)| {
            let kind = KINDS[kind];
            let currency = CURRENCIES[currency];
            let document = as_of() + Duration::days(doc_offset);
            let signed = if kind.is_credit() { -minor } else { minor };
            Row {
                customer,
                kind,
                currency,
                document,
                due: document + Duration::days(terms),
                amount: Decimal::new(signed, currency.minor_units()),
                disputed,
                number: format!("N{number}"),
                id,
            }
        })
}

fn policy_strategy() -> impl Strategy<Value = PolicySpec> {
    (
        prop::collection::btree_set(-60i32..200, 0..8),
        prop::bool::ANY,
        prop::array::uniform4(prop::bool::ANY),
        prop::bool::ANY,
    )
        .prop_map(|(bounds, doc_basis, apart, include_future)| PolicySpec {
            bounds: bounds.into_iter().collect(),
            basis: if doc_basis { AgingBasis::DocumentDate } else { AgingBasis::DueDate },
            apart,
            include_future,
        })
}

/// Columns by (customer, currency), in `Decimal`: the reference, written from
/// the definitions without the engine's thresholds or segments.
type Reference = BTreeMap<(u128, Currency), Vec<Decimal>>;

fn naive(rows: &[Row], p: &PolicySpec) -> Reference {
    let mut out = Reference::new();
    let n = p.bounds.len() + 1;
    for r in rows {
        if !p.include_future && r.document > as_of() {
            continue;
        }
        let age = match p.basis {
            AgingBasis::DueDate => (as_of() - r.due).num_days(),
            _ => (as_of() - r.document).num_days(),
        };
        let mut bucket = n - 1;
        for (i, b) in p.bounds.iter().enumerate() {
            if age <= i64::from(*b) {
                bucket = i;
                break;
            }
        }
        let column = if r.disputed && p.apart[3] {
            n + 3
        } else {
            match r.kind {
                DocumentKind::UnappliedCash if p.apart[0] => n,
                DocumentKind::CreditMemo if p.apart[1] => n + 1,
                DocumentKind::Deduction if p.apart[2] => n + 2,
                _ => bucket,
            }
        };
        let cells = out.entry((r.customer, r.currency)).or_insert_with(|| vec![Decimal::ZERO; p.columns()]);
        cells[column] += r.amount;
    }
    out
}

fn to_minor(d: Decimal, currency: Currency) -> i128 {
    let mut d = d;
    d.rescale(currency.minor_units());
    d.mantissa()
}

fn naive_totals(reference: &Reference) -> BTreeMap<Currency, Vec<i128>> {
    let mut out: BTreeMap<Currency, Vec<i128>> = BTreeMap::new();
    for ((_, currency), cells) in reference {
        let sums = out.entry(*currency).or_insert_with(|| vec![0; cells.len()]);
        for (s, c) in sums.iter_mut().zip(cells) {
            *s += to_minor(*c, *currency);
        }
    }
    out
}

fn all_cells(policy: &AgingPolicy, row: &ar_aging::AgingRow<'_>) -> Vec<i128> {
    let mut cells = row.buckets_minor().to_vec();
    for c in [Column::UnappliedCash, Column::CreditMemos, Column::Deductions, Column::Disputed] {
        cells.push(row.minor(c).unwrap());
    }
    assert_eq!(cells.len(), policy.get_buckets().len() + 4);
    cells
}

fn engine_totals(totals: &AgingTotals) -> BTreeMap<Currency, Vec<i128>> {
    totals.rows().map(|r| (r.currency(), all_cells(totals.policy(), &r))).collect()
}

fn engine_customers(aging: &CustomerAging) -> BTreeMap<(u128, Currency), Vec<i128>> {
    aging.rows().map(|(c, r)| ((c.as_uuid().as_u128(), r.currency()), all_cells(aging.policy(), &r))).collect()
}

fn rows_strategy() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(spec_strategy(10_000_000), 0..60)
}

/// Splits rows among `k` shards by the chooser values.
fn split(rows: &[Row], choosers: &[usize], k: usize) -> Vec<Vec<Row>> {
    let mut shards = vec![Vec::new(); k];
    for (r, c) in rows.iter().zip(choosers.iter().cycle()) {
        shards[c % k].push(r.clone());
    }
    shards
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The engine agrees with the naive loop on every currency and every column,
    /// per currency and per customer, under random boundaries and placements.
    #[test]
    fn fast_engine_agrees_with_the_naive_loop(rows in rows_strategy(), p in policy_strategy()) {
        let items = build(&rows);
        let policy = p.policy();
        let reference = naive(&rows, &p);
        prop_assert_eq!(engine_totals(&items.totals(&policy)), naive_totals(&reference));
        let expected: BTreeMap<(u128, Currency), Vec<i128>> = reference
            .iter()
            .map(|(k, cells)| (*k, cells.iter().map(|c| to_minor(*c, k.1)).collect()))
            .collect();
        prop_assert_eq!(engine_customers(&items.by_customer(&policy)), expected);
    }

    /// Amounts near the largest the engine accepts: the chunked i64 sums still
    /// agree with exact arithmetic.
    #[test]
    fn huge_amounts_do_not_overflow(
        rows in prop::collection::vec(spec_strategy(ar_core::MAX_MINOR_UNITS), 0..40),
        p in policy_strategy(),
    ) {
        let items = build(&rows);
        let reference = naive(&rows, &p);
        prop_assert_eq!(engine_totals(&items.totals(&p.policy())), naive_totals(&reference));
    }

    /// Columns sum to the open balance per currency: the amounts of the items aged.
    #[test]
    fn columns_sum_to_the_open_balance(rows in rows_strategy(), p in policy_strategy()) {
        let items = build(&rows);
        let policy = p.policy();
        let totals = items.totals(&policy);
        let mut balance: BTreeMap<Currency, (i128, u64)> = BTreeMap::new();
        for r in rows.iter().filter(|r| p.include_future || r.document <= as_of()) {
            let e = balance.entry(r.currency).or_default();
            e.0 += to_minor(r.amount, r.currency);
            e.1 += 1;
        }
        let engine: BTreeMap<Currency, (i128, u64)> = totals
            .rows()
            .map(|r| (r.currency(), (all_cells(&policy, &r).iter().sum::<i128>(), r.item_count())))
            .collect();
        prop_assert_eq!(&engine, &balance);
        for r in totals.rows() {
            prop_assert_eq!(r.total_minor(), balance[&r.currency()].0);
        }
    }

    /// Per-customer cells sum to the global totals, and so do the detail lines;
    /// the detail is sorted by customer, due date, number.
    #[test]
    fn customers_and_detail_sum_to_the_totals(rows in rows_strategy(), p in policy_strategy()) {
        let items = build(&rows);
        let policy = p.policy();
        let totals = items.totals(&policy);
        prop_assert_eq!(&items.by_customer(&policy).totals(), &totals);
        let mut from_detail: BTreeMap<Currency, Vec<i128>> = BTreeMap::new();
        let mut previous = None;
        for line in items.detail(&policy) {
            let cells = from_detail.entry(line.open_amount.currency()).or_insert_with(|| vec![0; p.columns()]);
            let n = p.bounds.len() + 1;
            let at = match line.column {
                Column::Bucket(i) => i,
                Column::UnappliedCash => n,
                Column::CreditMemos => n + 1,
                Column::Deductions => n + 2,
                _ => n + 3,
            };
            cells[at] += i128::from(line.open_amount.minor());
            let key = (line.customer, line.due_date, line.number.to_owned(), line.document.as_uuid());
            if let Some(prev) = previous.replace(key.clone()) {
                prop_assert!(prev <= key, "detail out of order: {:?} before {:?}", prev, key);
            }
        }
        prop_assert_eq!(from_detail, engine_totals(&totals));
    }

    /// Any split of the rows into shards (customers may straddle shards), aged
    /// apart and merged, equals the whole; so does the engine's own sharding.
    #[test]
    fn any_split_into_shards_merges_to_the_whole(
        rows in rows_strategy(),
        p in policy_strategy(),
        choosers in prop::collection::vec(0usize..16, 1..16),
        k in 1usize..5,
    ) {
        let policy = p.policy();
        let whole = build(&rows);
        let mut totals = AgingTotals::empty(policy.clone());
        let mut customers = CustomerAging::empty(policy.clone());
        for shard in split(&rows, &choosers, k) {
            let items = build(&shard);
            totals = totals.merge(&items.totals(&policy)).unwrap();
            customers = customers.merge(&items.by_customer(&policy)).unwrap();
        }
        prop_assert_eq!(&totals, &whole.totals(&policy));
        prop_assert_eq!(&customers, &whole.by_customer(&policy));

        let mut sharded = AgingTotals::empty(policy.clone());
        let mut sharded_customers = CustomerAging::empty(policy.clone());
        let shards = whole.shards(k);
        prop_assert_eq!(shards.iter().map(|s| s.len()).sum::<usize>(), whole.len());
        for shard in shards {
            sharded = sharded.merge(&shard.totals(&policy)).unwrap();
            sharded_customers = sharded_customers.merge(&shard.by_customer(&policy)).unwrap();
        }
        prop_assert_eq!(&sharded, &totals);
        prop_assert_eq!(&sharded_customers, &customers);

        // Host-run shard tasks, on threads, some left unrun: still the whole.
        let threaded = whole.by_customer_sharded(&policy, k, |tasks| {
            std::thread::scope(|scope| {
                for (i, task) in tasks.into_iter().enumerate() {
                    if i % 2 == 0 {
                        scope.spawn(move || task.run());
                    }
                }
            })
        });
        prop_assert_eq!(&threaded, &customers);
    }

    /// The order rows are pushed in changes nothing: totals, per-customer rows
    /// and the detail (its order included) are the same for any permutation.
    #[test]
    fn push_order_does_not_matter(rows in rows_strategy(), p in policy_strategy(), seed in any::<u64>()) {
        let policy = p.policy();
        let mut shuffled = rows.clone();
        // A seeded Fisher–Yates shuffle.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let (a, b) = (build(&rows), build(&shuffled));
        prop_assert_eq!(a.totals(&policy), b.totals(&policy));
        prop_assert_eq!(a.by_customer(&policy), b.by_customer(&policy));
        let detail = |items: &OpenItems| -> Vec<(CustomerId, String, i64, Column)> {
            items
                .detail(&policy)
                .map(|l| (l.customer, format!("{}{}", l.number, l.document.as_uuid()), l.open_amount.minor(), l.column))
                .collect()
        };
        prop_assert_eq!(detail(&a), detail(&b));
    }

    /// Merge is commutative and associative.
    #[test]
    fn merge_is_commutative_and_associative(
        rows in rows_strategy(),
        p in policy_strategy(),
        choosers in prop::collection::vec(0usize..3, 1..10),
    ) {
        let policy = p.policy();
        let parts: Vec<OpenItems> = split(&rows, &choosers, 3).iter().map(|s| build(s)).collect();
        let t: Vec<AgingTotals> = parts.iter().map(|i| i.totals(&policy)).collect();
        let c: Vec<CustomerAging> = parts.iter().map(|i| i.by_customer(&policy)).collect();
        prop_assert_eq!(t[0].clone().merge(&t[1]).unwrap(), t[1].clone().merge(&t[0]).unwrap());
        prop_assert_eq!(c[0].clone().merge(&c[1]).unwrap(), c[1].clone().merge(&c[0]).unwrap());
        let left = t[0].clone().merge(&t[1]).unwrap().merge(&t[2]).unwrap();
        let right = t[0].clone().merge(&t[1].clone().merge(&t[2]).unwrap()).unwrap();
        prop_assert_eq!(left, right);
        let left = c[0].clone().merge(&c[1]).unwrap().merge(&c[2]).unwrap();
        let right = c[0].clone().merge(&c[1].clone().merge(&c[2]).unwrap()).unwrap();
        prop_assert_eq!(left, right);
    }

    /// Converted totals are exactly the sum of the converted rows, and each row
    /// is the sum of its cells converted once with the named rounding.
    #[test]
    fn converted_totals_equal_the_sum_of_converted_rows(
        rows in rows_strategy(),
        p in policy_strategy(),
        rate_mantissas in prop::array::uniform4(1i64..10_000_000),
        rate_scales in prop::array::uniform4(0u32..9),
        target in 0usize..4,
        rounding in prop_oneof![Just(Rounding::HalfUp), Just(Rounding::HalfEven), Just(Rounding::Down), Just(Rounding::Ceiling)],
    ) {
        let policy = p.policy();
        let target = CURRENCIES[target];
        let mut rates = Rates::new(target).rounding(rounding);
        let mut rate_of: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for (i, c) in CURRENCIES.iter().enumerate() {
            let rate = if *c == target { Decimal::ONE } else { Decimal::new(rate_mantissas[i], rate_scales[i]) };
            rate_of.insert(*c, rate);
            if *c != target {
                rates = rates.rate(*c, rate).unwrap();
            }
        }
        let aging = build(&rows).by_customer(&policy);
        let converted = aging.convert(&rates).unwrap();
        let stride = p.columns();
        let mut sum = vec![0i128; stride];
        let mut expected_rows: BTreeMap<CustomerId, Vec<i128>> = BTreeMap::new();
        for (customer, row) in aging.rows() {
            let cells = expected_rows.entry(customer).or_insert_with(|| vec![0; stride]);
            for (e, cell) in cells.iter_mut().zip(all_cells(&policy, &row)) {
                // The reference rounding: Decimal arithmetic and ar-core's named rounding.
                let value = Decimal::from_i128_with_scale(cell, row.currency().minor_units())
                    * rate_of[&row.currency()];
                *e += to_minor(rounding.round(value, target.minor_units()), target);
            }
        }
        let rows_out: BTreeMap<CustomerId, Vec<i128>> =
            converted.rows().map(|(c, r)| (c, all_cells(&policy, &r))).collect();
        prop_assert_eq!(&rows_out, &expected_rows);
        for cells in rows_out.values() {
            for (s, c) in sum.iter_mut().zip(cells) {
                *s += c;
            }
        }
        prop_assert_eq!(all_cells(&policy, &converted.totals()), sum);
        prop_assert_eq!(converted.totals().item_count(), aging.rows().map(|(_, r)| r.item_count()).sum::<u64>());
    }

    /// Top-N is the first N of all customers sorted by overdue (descending), then id.
    #[test]
    fn top_overdue_is_a_prefix_of_the_full_ranking(rows in rows_strategy(), n in 0usize..10) {
        let policy = AgingPolicy::new(as_of());
        let aging = build(&rows).by_customer(&policy);
        for currency in CURRENCIES {
            let mut all: Vec<(i128, CustomerId)> = aging
                .rows()
                .filter(|(_, r)| r.currency() == currency && r.past_due_minor() > 0)
                .map(|(c, r)| (-r.past_due_minor(), c))
                .collect();
            all.sort();
            let top: Vec<(i128, CustomerId)> =
                aging.top_overdue(n, currency).iter().map(|o| (-o.overdue_minor, o.customer)).collect();
            prop_assert_eq!(&top[..], &all[..n.min(all.len())]);
        }
    }
}
