//! Every free-text field of a command or event is `FreeText`: a card number a
//! clerk types into a reason, a description or a bank account name is masked
//! before it reaches an event, a query view or a `Debug` line, while journals
//! written before those fields were masked still load and fingerprints of
//! card-free commands stay what they were.

mod common;

use ar_core::*;
use common::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

/// A journal this file's commands produced when every free-text field was a
/// `String` (written by the code before the change, not by hand).
const JOURNAL_BEFORE: &str = include_str!("data/journal_before_free_text.json");

fn usd(v: rust_decimal::Decimal) -> Money {
    money(v, Currency::USD)
}

/// The text a field gets: `label` with whatever the test puts in it.
type Texts<'a> = &'a dyn Fn(&str) -> String;

fn lines(text: Texts, price: rust_decimal::Decimal) -> Vec<DocumentLine> {
    vec![DocumentLine {
        description: text("Widgets, blue").into(),
        quantity: dec!(1),
        unit_price: price,
        discount: None,
        taxes: vec![TaxRate { code: "VAT0".into(), percent: dec!(0) }],
    }]
}

fn invoice(n: u128, customer: CustomerId, kind: InvoiceKind, text: Texts, price: rust_decimal::Decimal) -> Action {
    Action::IssueInvoice(IssueInvoice {
        invoice: InvoiceId::from_u128(n),
        number: format!("INV-{n:03}"),
        customer,
        kind,
        document_date: date(2026, 1, 2),
        lines: lines(text, price),
        discount: None,
        terms: None,
        tax_rounding: TaxRounding::PerLine,
        rounding: Rounding::HalfUp,
    })
}

/// A month's commands touching every free-text field there is, in an order the
/// ledger accepts, each field's text made by `text`.
fn actions(text: Texts) -> Vec<Action> {
    let c = CustomerId::from_u128(1);
    let inv = |n| InvoiceId::from_u128(n);
    let mut policy = ApplicationPolicy::new()
        .write_off_up_to(dec!(1.00))
        .deduct_short_pay(vec![DeductionId::from_u128(70)], DeductionReason::Other(text("PROMO-7").into()));
    policy.write_off_reason = text("small-balance").into();
    let payment = |n, amount, method| {
        Action::ReceivePayment(ReceivePayment {
            payment: PaymentId::from_u128(n),
            customer: c,
            amount: usd(amount),
            received: date(2026, 1, 20),
            method,
            payer_reference: text("payer ACME").into(),
            remittance: text("remit INV-010").into(),
            deposit: None,
        })
    };
    vec![
        Action::RegisterCustomer(RegisterCustomer {
            customer: c,
            name: "Acme".into(),
            currency: Currency::USD,
            terms: PaymentTerms::net_30(),
            credit_limit: None,
            collector: None,
        }),
        Action::PlaceHold { customer: c, reason: text("late again").into() },
        Action::ReleaseHold { customer: c },
        invoice(10, c, InvoiceKind::Invoice, text, dec!(100.00)),
        invoice(11, c, InvoiceKind::DebitMemo(DebitReason::Other(text("RESTOCK").into())), text, dec!(20.00)),
        invoice(12, c, InvoiceKind::Invoice, text, dec!(30.00)),
        invoice(13, c, InvoiceKind::Invoice, text, dec!(40.00)),
        invoice(14, c, InvoiceKind::Invoice, text, dec!(50.00)),
        Action::VoidInvoice { invoice: inv(12), reason: text("duplicate entry").into() },
        Action::IssueCreditMemo(IssueCreditMemo {
            credit_memo: CreditMemoId::from_u128(20),
            number: "CM-020".into(),
            customer: c,
            document_date: date(2026, 1, 5),
            lines: lines(text, dec!(10.00)),
            against: Some(inv(10)),
            reason: text("damaged in transit").into(),
            tax_rounding: TaxRounding::PerLine,
            rounding: Rounding::HalfUp,
        }),
        payment(30, dec!(80.00), PaymentMethod::Check { number: text("100042").into() }),
        Action::ApplyCash(ApplyCash {
            application: ApplicationId::from_u128(40),
            source: CashSource::Payment(PaymentId::from_u128(30)),
            amount: None,
            target: Target::Specific(vec![(inv(10), usd(dec!(80.00)))]),
            policy: policy.clone(),
        }),
        payment(31, dec!(39.50), PaymentMethod::Other(text("voucher").into())),
        Action::ApplyCash(ApplyCash {
            application: ApplicationId::from_u128(41),
            source: CashSource::Payment(PaymentId::from_u128(31)),
            amount: None,
            target: Target::Specific(vec![(inv(13), usd(dec!(39.50)))]),
            policy,
        }),
        Action::ResolveDeduction {
            deduction: DeductionId::from_u128(70),
            resolution: DeductionResolution::WriteOff { reason: text("not worth chasing").into() },
        },
        Action::WriteOff { invoice: inv(11), amount: usd(dec!(5.00)), reason: text("bad debt").into() },
        Action::OpenDispute {
            dispute: DisputeId::from_u128(50),
            invoice: inv(14),
            amount: usd(dec!(15.00)),
            reason: text("price disagreement").into(),
        },
        Action::PlaceHold { customer: c, reason: text("dispute open").into() },
        Action::RecordDeposit {
            deposit: DepositId::from_u128(60),
            bank_account: text("Ops account").into(),
            payments: vec![PaymentId::from_u128(30), PaymentId::from_u128(31)],
        },
    ]
}

fn journal(text: Texts) -> (Desk, Vec<Command>, Vec<Event>) {
    let mut desk = Desk::new();
    desk.today = date(2026, 1, 20);
    let mut commands = Vec::new();
    let mut events = Vec::new();
    for action in actions(text) {
        let cmd = desk.command(action);
        match desk.ledger.execute(cmd.clone()) {
            Ok(done) => events.extend_from_slice(done),
            Err(e) => panic!("refused {cmd:?}: {e}"),
        }
        commands.push(cmd);
    }
    (desk, commands, events)
}

/// The fingerprints these commands had when every field above was a `String`
/// (computed before the change): `FreeText` must hash exactly as `String` did,
/// or every stored journal's retries would be refused as reused ids.
const FINGERPRINTS_BEFORE: [u64; 19] = [
    0xce344d6b0bbc4316,
    0xbdde715e25581ac4,
    0xd6977bbc2f05412b,
    0x55a96f0f5f4b46a2,
    0x59b6cce2e3fa62fa,
    0xaff25fb55ba0f605,
    0xc53f428abe7cc92b,
    0x2034be64eabc57f7,
    0x1047cc972ed81292,
    0x520feacee908c864,
    0x5e15b9ab4b56351,
    0x8a2342af05072a60,
    0x39854f5170dbc3c8,
    0x39b23b684d0605cd,
    0xbd04a7ce5c96716c,
    0xd39ba284279f9127,
    0xf531ec9b107852f6,
    0x196acb00049fa45,
    0x31eafd7bf4b4e6b3,
];

#[test]
fn fingerprints_of_card_free_commands_are_unchanged() {
    let (_, _, events) = journal(&|label| label.to_owned());
    let mut seen: Vec<u64> = events.iter().map(|e| e.fingerprint).collect();
    seen.dedup();
    assert_eq!(seen, FINGERPRINTS_BEFORE);
}

#[test]
fn a_journal_written_before_loads_replays_and_serializes_the_same() {
    let stored: Vec<Event> = serde_json::from_str(JOURNAL_BEFORE).expect("the old journal loads");
    let (desk, _, events) = journal(&|label| label.to_owned());
    assert_eq!(stored, events);
    let replayed = Ledger::replay(LedgerConfig::new(), &stored).expect("the old journal replays");
    assert!(replayed == desk.ledger, "replaying the old journal rebuilds the live ledger");
    let again = serde_json::to_string_pretty(&events).expect("serializes") + "\n";
    assert_eq!(again, JOURNAL_BEFORE, "the JSON of events is byte for byte what it was");
}

/// A journal as a host might have stored it before reasons and descriptions
/// were masked: a clerk typed a card number into a hold reason, a line
/// description and a deposit's account.
const HAND_WRITTEN: &str = r#"[
  {"sequence": 0, "command": "00000000-0000-0000-0000-000000000001", "fingerprint": 1,
   "effective_date": "2026-01-05", "actor": {"user": "ann", "role": "clerk"},
   "change": {"type": "customer_registered", "customer": "00000000-0000-0000-0000-000000000009",
     "name": "Nine", "currency": "USD",
     "terms": {"name": "Net 30", "installments": [{"portion": {"Percent": "100"}, "due": {"DaysAfter": 30}}],
               "discounts": [], "discount_base": "Total"},
     "credit_limit": null, "collector": null}},
  {"sequence": 1, "command": "00000000-0000-0000-0000-000000000002", "fingerprint": 2,
   "effective_date": "2026-01-05", "actor": {"user": "ann", "role": "clerk"},
   "change": {"type": "hold_placed", "customer": "00000000-0000-0000-0000-000000000009",
     "reason": "called, paid by card 4111 1111 1111 1111, declined"}},
  {"sequence": 2, "command": "00000000-0000-0000-0000-000000000003", "fingerprint": 3,
   "effective_date": "2026-01-06", "actor": {"user": "ann", "role": "clerk"},
   "change": {"type": "hold_released", "customer": "00000000-0000-0000-0000-000000000009"}},
  {"sequence": 3, "command": "00000000-0000-0000-0000-000000000004", "fingerprint": 4,
   "effective_date": "2026-01-06", "actor": {"user": "ann", "role": "clerk"},
   "change": {"type": "hold_placed", "customer": "00000000-0000-0000-0000-000000000009",
     "reason": "late again"}}
]"#;

#[test]
fn a_hand_written_journal_loads_with_the_card_in_a_reason_masked() {
    let events: Vec<Event> = serde_json::from_str(HAND_WRITTEN).expect("the hand-written journal loads");
    let reasons: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.change {
            Change::HoldPlaced(hold) => Some(hold.reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, ["called, paid by card ************1111, declined", "late again"]);
    let ledger = Ledger::replay(LedgerConfig::new(), &events).expect("replays");
    assert_eq!(ledger.hold(CustomerId::from_u128(9)), Ok(Some("late again")));
    let json = serde_json::to_string(&events).expect("serializes");
    assert!(!json.contains("4111"), "{json}");
    assert!(json.contains(r#""reason":"late again""#), "still a plain string: {json}");

    let line: DocumentLine = serde_json::from_str(
        r#"{"description": "Widgets 5555-5555-5555-4444", "quantity": "2", "unit_price": "1.50",
            "discount": null, "taxes": []}"#,
    )
    .expect("a line loads");
    assert_eq!(line.description, "Widgets ************4444");
    let plain: DocumentLine = serde_json::from_str(
        r#"{"description": "Widgets, blue", "quantity": "2", "unit_price": "1.50", "discount": null, "taxes": []}"#,
    )
    .expect("a line loads");
    assert_eq!(serde_json::to_value(&plain).expect("serializes")["description"], "Widgets, blue");
}

/// The digits of `text`, in order: a card number split by spaces, dashes,
/// quotes or escapes is still found.
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A Luhn-valid number of `len` digits (12–19) from `body`'s digits.
fn luhn_number(body: &[u8], len: usize) -> String {
    let mut digits: Vec<u8> = body.iter().take(len - 1).map(|d| d % 10).collect();
    // The check digit: the sum with it undoubled must end in 0.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// How a clerk might write a card number: run together, or in groups of four
/// split by spaces or dashes.
fn written(number: &str, style: u8) -> String {
    let sep = match style % 3 {
        0 => return number.to_owned(),
        1 => " ",
        _ => "-",
    };
    let chars: Vec<char> = number.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(sep)
}

/// Every form the ledger shows its records in: events as JSON and Debug, the
/// commands' Debug, and every query view.
fn shown(desk: &Desk, commands: &[Command], events: &[Event]) -> Vec<String> {
    let c = CustomerId::from_u128(1);
    let ledger = &desk.ledger;
    let mut forms: Vec<String> = Vec::new();
    for e in events {
        forms.push(serde_json::to_string(e).expect("serializes"));
        forms.push(format!("{e:?}"));
    }
    forms.extend(commands.iter().map(|c| format!("{c:?}")));
    for n in 10..=14 {
        let invoice = InvoiceId::from_u128(n);
        let view = ledger.invoice(invoice).expect("issued");
        forms.push(format!("{view:?}"));
        forms.push(serde_json::to_string(&view).expect("serializes"));
        forms.push(format!("{:?}", ledger.invoice_history(invoice)));
    }
    forms.push(format!("{:?}", ledger.deductions(None, None)));
    forms.push(format!("{:?}", ledger.open_items(c)));
    forms.push(format!("{:?}", ledger.all_open_items()));
    forms.push(format!("{:?}", ledger.unapplied(c)));
    forms.push(format!("{:?}", ledger.balance(c)));
    forms.push(format!("{:?}", ledger.hold(c)));
    let check = ledger.credit_check(c, usd(dec!(1.00)), date(2026, 1, 20), usd(dec!(0)));
    forms.push(format!("{check:?}"));
    forms.push(format!("{:?}", ledger.journal()));
    forms
}

/// The digits of every form when no text holds a number.
fn baseline() -> &'static [String] {
    static BASELINE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    BASELINE.get_or_init(|| {
        let (desk, commands, events) = journal(&|label| label.to_owned());
        shown(&desk, &commands, &events).iter().map(|form| digits(form)).collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Every free-text field gets a card number of its own; none survives in
    /// any form the ledger shows: events as JSON and Debug, the commands' Debug,
    /// and every query view.
    #[test]
    fn no_card_number_typed_into_any_field_is_readable(
        bodies in proptest::collection::vec((proptest::collection::vec(0u8..10, 18), 12usize..=19, 0u8..3), 64),
    ) {
        let cards: Vec<String> = bodies.iter().map(|(body, len, _)| luhn_number(body, *len)).collect();
        let next = std::cell::Cell::new(0usize);
        let text = |label: &str| {
            let k = next.get();
            next.set(k + 1);
            let (_, _, style) = bodies[k % bodies.len()];
            format!("{label} card {} thx", written(&cards[k % cards.len()], style))
        };
        let (desk, commands, events) = journal(&text);
        let used = &cards[..next.get().min(cards.len())];
        prop_assert!(next.get() <= cards.len(), "every field got a card of its own");
        for card in used {
            prop_assert!(CardRef::from_card_number(card, "tok").is_ok(), "{card} is a valid card number");
        }
        let forms = shown(&desk, &commands, &events);
        // A digit string the ledger shows anyway (ids, dates, amounts) is no leak.
        prop_assume!(used.iter().all(|card| baseline().iter().all(|form| !form.contains(card.as_str()))));
        for form in &forms {
            let seen = digits(form);
            for card in used {
                prop_assert!(!seen.contains(card.as_str()), "{card} is readable in {form}");
            }
        }
        // The texts were there, masked: the hold reason keeps its last four.
        let hold = desk.ledger.hold(CustomerId::from_u128(1)).expect("registered").expect("on hold").to_owned();
        prop_assert!(hold.starts_with("dispute open card ") && hold.contains('*'), "{hold}");
    }
}
