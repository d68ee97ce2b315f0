//! Card numbers never survive in text: every Luhn-valid 12–19 digit window is
//! masked whatever its scheme, in `FreeText`, in processor tokens, and in the
//! host's strings on a payment method.

mod common;

use ar_core::*;
use common::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

/// The digits of `text`, in order: a card number split by spaces, dashes,
/// quotes or escapes is still found.
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Every form a value can be seen in holds none of `pans` (digits only).
fn assert_hidden(forms: &[String], pans: &[&str]) {
    for form in forms {
        for pan in pans {
            assert!(!digits(form).contains(&digits(pan)), "{pan} is readable in {form}");
        }
    }
}

fn forms(text: &FreeText) -> Vec<String> {
    vec![text.to_string(), format!("{text:?}"), serde_json::to_string(text).expect("serializes")]
}

#[test]
fn two_cards_in_one_run_of_digits_are_both_masked() {
    let text = FreeText::new("cards 4111 1111 1111 1111 5555 5555 5555 4444");
    assert_hidden(&forms(&text), &["4111111111111111", "5555555555554444"]);
    // Windows overlapping the two cards pass the check too: all but the last four go.
    assert_eq!(text.as_str(), "cards ****************************4444");
    let apart = FreeText::new("4111111111111111 and 5555-5555-5555-4444");
    assert_eq!(apart.as_str(), "************1111 and ************4444");
}

#[test]
fn cards_of_any_scheme_are_masked() {
    for (pan, written) in [
        ("2200000000000004", "Mir 2200 0000 0000 0004 ok"),
        ("6759649826438453", "Maestro 6759-6498-2643-8453"),
        ("6759000000000000005", "Maestro 6759 0000 0000 0000 005"),
        ("6070000000000002", "RuPay 6070000000000002"),
        ("500000000009", "Maestro 500000000009 (12 digits)"),
    ] {
        let text = FreeText::new(written);
        assert_hidden(&forms(&text), &[pan]);
        assert!(text.as_str().contains(&pan[pan.len() - 4..]), "the last four stay: {text}");
        assert!(text.as_str().contains('*'));
    }
}

#[test]
fn other_numbers_pay_the_price_only_when_they_pass_the_check() {
    // A Luhn-valid 13-digit order number cannot be told from a card: masked, last four kept.
    assert_eq!(FreeText::new("order 1234000000004").as_str(), "order *********0004");
    // Fewer than 12 digits, or no Luhn-valid window: untouched.
    for text in ["order 12340000000", "INV-2026-00042 paid 1,234.56", "ref 1000000000001", "Rechnung für 4711"] {
        assert_eq!(FreeText::new(text).as_str(), text);
    }
}

#[test]
fn a_token_that_is_a_card_number_of_any_scheme_is_refused() {
    for token in ["2200000000000004", "6759 6498 2643 8453", "tok_6070000000000002", "500000000009"] {
        assert_eq!(CardRef::new(CardScheme::Other, "0004", token), Err(CardError::TokenLooksLikeCardNumber), "{token}");
        assert_eq!(CardRef::from_card_number("4111111111111111", token), Err(CardError::TokenLooksLikeCardNumber));
    }
    let mir = CardRef::from_card_number("2200 0000 0000 0004", "tok_mir").expect("a valid Mir number");
    assert_eq!((mir.brand(), mir.last4(), mir.token()), (CardScheme::Other, "0004", "tok_mir"));
    // Deserializing is held to the same rule.
    let raw = r#"{"brand":"Other","last4":"0004","token":"2200000000000004"}"#;
    assert!(serde_json::from_str::<CardRef>(raw).is_err());
}

#[test]
fn check_numbers_and_other_methods_are_masked_in_every_form() {
    let pan = "4111111111111111";
    let other = PaymentMethod::Other(format!("card {pan}").into());
    let check = PaymentMethod::Check { number: "2200-0000-0000-0004".into() };
    for (method, shown) in [(&other, "4111111111111111"), (&check, "2200000000000004")] {
        let json = serde_json::to_string(method).expect("serializes");
        let text = match method {
            PaymentMethod::Other(text) | PaymentMethod::Check { number: text } => text.clone(),
            _ => unreachable!(),
        };
        assert_hidden(&[json, format!("{method:?}"), text.to_string()], &[shown]);
    }
    // The JSON shape stays a plain string.
    assert_eq!(serde_json::to_string(&other).expect("serializes"), r#"{"Other":"card ************1111"}"#);
    let plain = PaymentMethod::Check { number: format!("{}", 100_042).into() };
    assert_eq!(serde_json::to_string(&plain).expect("serializes"), r#"{"Check":{"number":"100042"}}"#);
    // A stored event with a card number in clear is masked when read back.
    let read: PaymentMethod = serde_json::from_str(&format!(r#"{{"Other":"card {pan}"}}"#)).expect("reads");
    assert_eq!(read, other);
    let read: PaymentMethod = serde_json::from_str(&format!(r#"{{"Check":{{"number":"{pan}"}}}}"#)).expect("reads");
    assert_hidden(&[format!("{read:?}")], &[pan]);
}

#[test]
fn a_payment_by_other_means_keeps_no_card_number_in_the_journal() {
    let pans = ["2200000000000004", "6759649826438453"];
    let mut desk = Desk::new();
    let c = desk.customer(1, Currency::USD, PaymentTerms::net_30());
    let mut cmd = pay_cmd(20, c, date(2026, 1, 2), money(dec!(10.00), Currency::USD));
    cmd.method = PaymentMethod::Other("Mir card 2200 0000 0000 0004".into());
    cmd.remittance = FreeText::new("Maestro 6759649826438453 for INV-1");
    let command = desk.command(Action::ReceivePayment(cmd));
    let events = desk.ledger.execute(command.clone()).expect("receives").to_vec();
    let json = serde_json::to_string(&events).expect("serializes");
    assert_hidden(&[json, format!("{events:?} {command:?} {:?}", desk.ledger)], &pans);
}

/// A Luhn-valid number of 12 to 19 digits.
fn card_number() -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, 11..=18).prop_map(|mut body| {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            // The check digit goes last, so the body's last digit is doubled.
            .map(|(i, &d)| u32::from(if i % 2 == 0 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }))
            .sum();
        body.push(((10 - sum % 10) % 10) as u8);
        body.iter().map(|d| char::from(b'0' + d)).collect()
    })
}

/// `number` as a person might write it: groups split by nothing, a space or a dash.
fn written(number: String) -> impl Strategy<Value = (String, String)> {
    let len = number.len();
    (prop::collection::vec((1usize..=6, prop::sample::select(vec!["", " ", "-"])), 1..=8)).prop_map(move |groups| {
        let mut out = String::new();
        let mut at = 0;
        for (size, sep) in groups {
            let end = (at + size).min(len);
            out.push_str(&number[at..end]);
            at = end;
            if at < len {
                out.push_str(sep);
            }
        }
        out.push_str(&number[at..]);
        (number.clone(), out)
    })
}

/// Text around the cards: letters, short numbers, separators, a little non-ASCII.
fn filler() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,.:#/-]{0,8}|[äé€]{0,2}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn no_card_number_survives_in_any_form(
        start in filler(),
        cards in prop::collection::vec((card_number().prop_flat_map(written), filler()), 0..4),
    ) {
        let mut text = start;
        for ((_, shown), after) in &cards {
            text.push_str(shown);
            text.push_str(after);
        }
        let free = FreeText::new(&text);
        let pans: Vec<&str> = cards.iter().map(|((pan, _), _)| pan.as_str()).collect();
        for form in forms(&free) {
            for pan in &pans {
                prop_assert!(!digits(&form).contains(pan), "{} is readable in {:?} (from {:?})", pan, form, text);
            }
        }
        // Masking twice changes nothing, so stored text reads back as it was written.
        prop_assert_eq!(FreeText::new(free.as_str()), free.clone());
        let json = serde_json::to_string(&free).expect("serializes");
        prop_assert_eq!(serde_json::from_str::<FreeText>(&json).expect("reads"), free);
    }

    #[test]
    fn text_with_fewer_than_twelve_digits_is_kept_as_written(text in "[a-zA-Z0-9 ,.:#/äé€-]{0,40}") {
        prop_assume!(digits(&text).len() < 12);
        let masked = FreeText::new(&text);
        prop_assert_eq!(masked.as_str(), text.as_str());
    }
}
