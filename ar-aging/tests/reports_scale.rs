//! Timing of the reports on a journal of about a million events (ignored by
//! default; run with `cargo test --release -p ar-aging --test reports_scale -- --ignored --nocapture`).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::time::Instant;

use ar_aging::Buckets;
use ar_aging::reports::*;
use ar_core::*;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

fn journal(customers: u128, days: u64, per_day: u128) -> Ledger {
    let mut ledger = Ledger::new(LedgerConfig::new());
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let clerk = Actor::new("bulk", "clerk");
    let mut next = 0u128;
    let mut run = |ledger: &mut Ledger, date, action| {
        next += 1;
        ledger
            .execute(&Command { id: CommandId::from_u128(next), effective_date: date, actor: clerk.clone(), action })
            .unwrap();
    };
    for c in 0..customers {
        run(
            &mut ledger,
            start,
            Action::RegisterCustomer(RegisterCustomer {
                customer: CustomerId::from_u128(c + 1),
                name: format!("C{c}"),
                currency: Currency::USD,
                terms: PaymentTerms::net_30(),
                credit_limit: None,
                collector: Some(format!("collector {}", c % 20)),
            }),
        );
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut issued: Vec<(u128, InvoiceId, Money)> = Vec::new();
    for day in 0..days {
        let date = start.checked_add_days(Days::new(day)).unwrap();
        for _ in 0..per_day {
            let customer = u128::from(rand()) % customers + 1;
            let amount = Money::from_minor(1_000 + (rand() % 500_000) as i64, Currency::USD).unwrap();
            let invoice = InvoiceId::from_u128(10_000_000 + issued.len() as u128);
            run(
                &mut ledger,
                date,
                Action::IssueInvoice(IssueInvoice {
                    invoice,
                    number: format!("INV-{}", issued.len()),
                    customer: CustomerId::from_u128(customer),
                    kind: InvoiceKind::Invoice,
                    document_date: date,
                    lines: vec![DocumentLine {
                        description: "x".into(),
                        quantity: Decimal::ONE,
                        unit_price: amount.amount(),
                        discount: None,
                        taxes: vec![],
                    }],
                    discount: None,
                    terms: None,
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                }),
            );
            issued.push((customer, invoice, amount));
        }
        // Pay 80 % of the invoices issued 25 to 45 days ago, a block per day.
        if day >= 35 {
            let block = (day - 35) as usize * per_day as usize;
            let due: Vec<(usize, (u128, InvoiceId, Money))> =
                issued.iter().copied().enumerate().skip(block).take(per_day as usize).collect();
            for (k, (customer, invoice, amount)) in due {
                if rand() % 5 == 0 {
                    continue;
                }
                let payment = PaymentId::from_u128(50_000_000 + k as u128);
                run(
                    &mut ledger,
                    date,
                    Action::ReceivePayment(ReceivePayment {
                        payment,
                        customer: CustomerId::from_u128(customer),
                        amount,
                        received: date,
                        method: if k % 2 == 0 { PaymentMethod::Wire } else { PaymentMethod::BankTransfer },
                        payer_reference: FreeText::default(),
                        remittance: FreeText::default(),
                        deposit: None,
                    }),
                );
                run(
                    &mut ledger,
                    date,
                    Action::ApplyCash(ApplyCash {
                        application: ApplicationId::from_u128(90_000_000 + k as u128),
                        source: CashSource::Payment(payment),
                        amount: None,
                        target: Target::Specific(vec![(invoice, amount)]),
                        policy: ApplicationPolicy::new(),
                    }),
                );
            }
        }
    }
    ledger
}

#[test]
#[ignore = "timing run: a million events"]
fn reports_on_a_million_events() {
    let t = Instant::now();
    let ledger = journal(20_000, 365, 1_100);
    let events = ledger.journal().len();
    eprintln!("ledger: {events} events, {} open items, built in {:?}", ledger.all_open_items().len(), t.elapsed());
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let from = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();

    let t = Instant::now();
    let history = History::new(ledger.journal()).unwrap();
    eprintln!("History::new: {:?}", t.elapsed());
    let t = Instant::now();
    let snapshot = history.as_of(as_of).unwrap();
    eprintln!("as_of (fold): {:?}", t.elapsed());
    let t = Instant::now();
    let items = snapshot.open_items();
    eprintln!("open_items: {} in {:?}", items.len(), t.elapsed());
    assert_eq!(items, ledger.all_open_items());
    let t = Instant::now();
    let aging = snapshot.aging_items().unwrap();
    eprintln!("aging_items: {} rows in {:?}", aging.len(), t.elapsed());
    let t = Instant::now();
    let statements = ActivityStatement::build_all(&history, from, as_of).unwrap();
    eprintln!("activity statements, all {} customers: {:?}", statements.len(), t.elapsed());
    let t = Instant::now();
    let open = OpenItemStatement::build_all(&history, as_of, &Buckets::standard()).unwrap();
    eprintln!("open-item statements, all {} customers: {:?}", open.len(), t.elapsed());
    let t = Instant::now();
    let kpi = KpiReport::build(&history, from, as_of, 1).unwrap();
    eprintln!("KPI report: {:?} (DSO {:?})", t.elapsed(), kpi.company[0].dso.map(|d| d.round_dp(1)));
    let t = Instant::now();
    let daily = DailyCashReport::build(&history, as_of).unwrap();
    eprintln!("daily cash report: {:?} ({} open)", t.elapsed(), daily.open[0].count);
    let t = Instant::now();
    let forecast = CollectionForecast::build(&history, as_of, &ForecastOptions::new()).unwrap();
    eprintln!("forecast: {} items in {:?}", forecast.items.len(), t.elapsed());
    let t = Instant::now();
    let test =
        Backtest::run(&history, NaiveDate::from_ymd_opt(2025, 10, 31).unwrap(), &ForecastOptions::new()).unwrap();
    eprintln!("backtest: {:?}, weighted MAPE {:?}", t.elapsed(), test.weighted_mape);
    let t = Instant::now();
    let procedure =
        DunningProcedure::new(vec![DunningLevel::new(1), DunningLevel::new(30).fee_fixed(Decimal::TEN)]).unwrap();
    let notices = procedure.propose(&items, &Default::default(), &Default::default(), as_of).unwrap();
    eprintln!("dunning: {} notices in {:?}", notices.len(), t.elapsed());
}
