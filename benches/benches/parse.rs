//! Criterion benchmark: bank-file parsing throughput (MB/s) for every reader.
//!
//! Each format gets one generated file of `ENTRIES` entries, built from a fixed seed
//! with the SplitMix generator so every machine parses the same bytes. The files look
//! like what banks send: varied amounts, references, names and remittance text, and
//! totals and balances that add up, so the readers take their normal path (checked
//! below before timing: no error diagnostics, every entry read).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use ar_benches::rng::Rng;
use ar_reconcile::ReadOutcome;
use ar_reconcile::readers::csv::CsvMapping;
use ar_reconcile::readers::{bai2, camt, csv, mt940, x12_820};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Entries (statement lines, or remitted documents for X12 820) per generated file.
const ENTRIES: usize = 50_000;
/// Entries per statement (camt, MT940), per account section (BAI2) or per payment (820).
const PER_STATEMENT: usize = 500;
const SEED: u64 = 0x0A12_2025;

const NAMES: [&str; 8] = [
    "ACME CORP",
    "INITECH LLC",
    "GLOBEX GMBH",
    "UMBRELLA BV",
    "STARK INDUSTRIES",
    "WAYNE ENTERPRISES",
    "HOOLI",
    "VANDELAY",
];
const WORDS: [&str; 10] =
    ["INVOICE", "PAYMENT", "REF", "ORDER", "THANK YOU", "PARTIAL", "CREDIT NOTE", "MARCH", "SETTLEMENT", "PO"];

/// An amount in cents, skewed toward small payments with a tail of large ones.
fn cents(rng: &mut Rng) -> i64 {
    let magnitude = rng.below(7) as u32;
    rng.range(100, 10i64.pow(magnitude + 3))
}

fn words(rng: &mut Rng, out: &mut String) {
    for _ in 0..rng.range(2, 6) {
        let _ = write!(out, "{} {} ", WORDS[rng.below(WORDS.len() as u64) as usize], rng.range(1000, 999_999));
    }
    out.pop();
}

fn name(rng: &mut Rng) -> &'static str {
    NAMES[rng.skewed(NAMES.len() as u64) as usize]
}

/// `1234.56`-style text for minor units.
fn decimal(minor: i64, separator: char) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{}{separator}{:02}", minor.abs() / 100, minor.abs() % 100)
}

fn camt053(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2025-03-01T06:00:00</CreDtTm></GrpHdr>\n",
    );
    for statement in 0..ENTRIES / PER_STATEMENT {
        let opening = cents(rng);
        let mut entries = String::new();
        let mut closing = opening;
        for entry in 0..PER_STATEMENT {
            let amount = cents(rng);
            let credit = rng.chance(70);
            closing += if credit { amount } else { -amount };
            let mut text = String::new();
            words(rng, &mut text);
            let _ = writeln!(
                entries,
                "<Ntry><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>BOOK</Sts>\
                 <BookgDt><Dt>2025-02-{:02}</Dt></BookgDt><ValDt><Dt>2025-02-{:02}</Dt></ValDt>\
                 <AcctSvcrRef>B{statement}-{entry}</AcctSvcrRef><BkTxCd><Prtry><Cd>544</Cd></Prtry></BkTxCd>\
                 <NtryDtls><TxDtls><Refs><EndToEndId>E2E-{}</EndToEndId></Refs>\
                 <RltdPties><Dbtr><Nm>{}</Nm></Dbtr><DbtrAcct><Id><IBAN>NL56AGDH96190084{:02}</IBAN></Id></DbtrAcct></RltdPties>\
                 <RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
                decimal(amount, '.'),
                if credit { "CRDT" } else { "DBIT" },
                1 + entry % 28,
                1 + entry % 28,
                rng.next_u64() % 1_000_000_000,
                name(rng),
                rng.below(100),
            );
        }
        let balance = |code: &str, minor: i64| {
            format!(
                "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Dt><Dt>2025-02-28</Dt></Dt></Bal>\n",
                decimal(minor.abs(), '.'),
                if minor < 0 { "DBIT" } else { "CRDT" }
            )
        };
        let _ = write!(
            out,
            "<Stmt><Id>S{statement}</Id><CreDtTm>2025-03-01T06:00:00</CreDtTm><Acct><Id><IBAN>NL26VAYB8060476890</IBAN></Id><Ccy>EUR</Ccy></Acct>\n{}{}{entries}</Stmt>\n",
            balance("OPBD", opening),
            balance("CLBD", closing),
        );
    }
    out.push_str("</BkToCstmrStmt>\n</Document>\n");
    out.into_bytes()
}

fn csv_export(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::from("Date,Amount,Currency,Reference,Name,Text\n");
    for entry in 0..ENTRIES {
        let amount = if rng.chance(70) { cents(rng) } else { -cents(rng) };
        let mut text = String::new();
        words(rng, &mut text);
        let _ = writeln!(
            out,
            "2025-02-{:02},{},USD,R{entry},\"{}\",\"{text}\"",
            1 + entry % 28,
            decimal(amount, '.'),
            name(rng)
        );
    }
    out.into_bytes()
}

fn csv_mapping() -> CsvMapping {
    CsvMapping::new().reference("Reference").counterparty_name("Name").remittance_text("Text")
}

fn bai2_file(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::from("01,BANK,CUSTOMER,250301,0600,1,,,2/\n02,CUSTOMER,BANK,1,250228,2359,USD,2/\n");
    let (mut group_total, mut group_records) = (0i128, 2usize);
    for account in 0..ENTRIES / PER_STATEMENT {
        let opening = cents(rng);
        let mut details = String::new();
        let (mut net, mut total, mut records) = (0i64, 0i128, 2usize);
        for entry in 0..PER_STATEMENT {
            let amount = cents(rng);
            let credit = rng.chance(70);
            net += if credit { amount } else { -amount };
            total += i128::from(amount);
            let code = if credit { 175 } else { 475 };
            let mut text = String::new();
            words(rng, &mut text);
            let funds = if entry % 3 == 0 { "V,250228,1200" } else { "0" };
            // About one detail in four carries its text on a continuation record.
            if rng.chance(25) {
                let _ = write!(details, "16,{code},{amount},{funds},B{entry},C{entry},{}/\n88,{text}\n", name(rng));
                records += 2;
            } else {
                let _ = writeln!(details, "16,{code},{amount},{funds},B{entry},C{entry},{} {text}/", name(rng));
                records += 1;
            }
        }
        let closing = opening + net;
        total += i128::from(opening) + i128::from(closing);
        let _ = write!(out, "03,{account:010},USD,010,{opening},,,015,{closing},,/\n{details}49,{total},{records}/\n");
        group_total += total;
        group_records += records;
    }
    let accounts = ENTRIES / PER_STATEMENT;
    let _ = write!(out, "98,{group_total},{accounts},{group_records}/\n99,{group_total},1,{}/\n", group_records + 2);
    out.into_bytes()
}

fn mt940_file(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::new();
    // The statements of the account chain: each opens where the previous closed.
    let mut balance = cents(rng);
    for statement in 0..ENTRIES / PER_STATEMENT {
        let (mark, day) = (if balance < 0 { 'D' } else { 'C' }, if statement == 0 { 27 } else { 28 });
        let _ = write!(
            out,
            "{{1:F01BANKNL2AXXXX0000000000}}{{2:O9400000250301BANKNL2AXXXX00000000002503010600N}}{{4:\n\
             :20:S{statement}\n:25:NL91ABNA0417164300\n:28C:{statement}/1\n:60F:{mark}2502{day}EUR{}\n",
            decimal(balance.abs(), ',')
        );
        for entry in 0..PER_STATEMENT {
            let amount = cents(rng);
            let credit = rng.chance(70);
            balance += if credit { amount } else { -amount };
            let mut text = String::new();
            words(rng, &mut text);
            let _ = write!(
                out,
                ":61:2502280228{}{}NTRFREF{entry}//B{statement}-{entry}\n\
                 :86:/EREF/E2E-{}/CNTP/NL{:02}INGB000123{:04}/INGBNL2A/{}/AMSTERDAM/\n/REMI/USTD//{text}/\n",
                if credit { 'C' } else { 'D' },
                decimal(amount, ','),
                rng.next_u64() % 1_000_000_000,
                rng.below(100),
                rng.below(10_000),
                name(rng),
            );
        }
        let mark = if balance < 0 { 'D' } else { 'C' };
        let _ = write!(out, ":62F:{mark}250228EUR{}\n-}}\n", decimal(balance.abs(), ','));
    }
    out.into_bytes()
}

fn x12_820_file(rng: &mut Rng) -> Vec<u8> {
    let mut out = String::from(
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          *250301*0600*U*00401*000000001*0*P*>~\n\
         GS*RA*PAYER*PAYEE*20250301*0600*1*X*004010~\n",
    );
    let payments = ENTRIES / PER_STATEMENT;
    for payment in 0..payments {
        let mut body = String::new();
        let mut segments = 0usize;
        let mut total = 0i64;
        for document in 0..PER_STATEMENT {
            let paid = cents(rng);
            let discount = if rng.chance(20) { paid / 50 } else { 0 };
            total += paid;
            let _ = write!(
                body,
                "ENT*{}~\nRMR*IV*INV-{payment}-{document}**{}*{}*{}~\nDTM*003*20250201~\n",
                document + 1,
                decimal(paid, '.'),
                decimal(paid + discount, '.'),
                decimal(discount, '.'),
            );
            segments += 3;
        }
        let _ = write!(
            out,
            "ST*820*{payment:04}~\nBPR*C*{}*C*ACH*CTX*01*011000015*DA*123456*1234567890**01*021000021*DA*987654*20250303~\n\
             TRN*1*T{payment}*1234567890~\nN1*PR*{}~\nN1*PE*OUR COMPANY*FI*999~\n{body}SE*{}*{payment:04}~\n",
            decimal(total, '.'),
            name(rng),
            segments + 6,
        );
    }
    let _ = write!(out, "GE*{payments}*1~\nIEA*1*000000001~\n");
    out.into_bytes()
}

/// Refuses to time a reader that does not take its normal path on the bench data.
fn check(format: &str, outcome: &ReadOutcome, entries: usize) {
    let errors: Vec<_> = outcome.diagnostics.iter().filter(|d| d.severity == ar_reconcile::Severity::Error).collect();
    assert!(errors.is_empty(), "{format}: the generated file gives errors: {:?}", &errors[..errors.len().min(3)]);
    let read: usize = outcome
        .statements
        .iter()
        .flat_map(|s| &s.lines)
        .map(|l| if format == "x12_820" { l.remittances.len() } else { 1 })
        .sum();
    assert_eq!(read, entries, "{format}: every generated entry must be read");
}

fn parse(c: &mut Criterion) {
    let mut rng = Rng::new(SEED);
    let mapping = csv_mapping();
    let files: [(&str, Vec<u8>); 5] = [
        ("camt053", camt053(&mut rng)),
        ("csv", csv_export(&mut rng)),
        ("bai2", bai2_file(&mut rng)),
        ("mt940", mt940_file(&mut rng)),
        ("x12_820", x12_820_file(&mut rng)),
    ];
    let read = |format: &str, input: &[u8]| -> ReadOutcome {
        match format {
            "camt053" => camt::read(input),
            "csv" => csv::read(input, &mapping),
            "bai2" => bai2::read(input),
            "mt940" => mt940::read(input),
            _ => x12_820::read(input),
        }
    };
    let mut group = c.benchmark_group("parse");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    for (format, input) in &files {
        check(format, &read(format, input), ENTRIES);
        group.throughput(Throughput::Bytes(input.len() as u64));
        let id = format!("{format}/{ENTRIES}_entries_{}_KiB", input.len() / 1024);
        group.bench_function(id, |b| b.iter(|| read(format, black_box(input))));
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
