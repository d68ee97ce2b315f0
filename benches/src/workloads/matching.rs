//! The `match` workload: generated open items and bank lines through the
//! matcher. Measures the index build plus the exact reference passes, the
//! whole run, and lines matched one run at a time; `check` holds the share of
//! lines per tier and the share matched correctly against the generator's truth.

use std::collections::BTreeMap;

use ar_reconcile::matching::{MatchOutcome, MatchPolicy, Matcher, Pass, Proposal, Tier};
use serde_json::json;

use crate::generate_matching::{MatchingData, MatchingSpec, Scenario, Truth, bank_lines_csv, generate, open_items_csv};
use crate::harness::{Args, Measurement, add_cpu, timed, timed_cpu};

/// Runs the workload: defaults 1,000,000 items, 100,000 customers, 100,000 lines.
pub fn run(args: &Args) -> Result<Vec<Measurement>, String> {
    let spec = MatchingSpec {
        items: args.items_or(1_000_000),
        customers: args.customers_or(100_000),
        lines: args.lines_or(100_000),
        seed: args.seed,
    };
    let data = generate(spec);
    if let Some(dir) = &args.csv {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |name: &str, text: String| {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
        };
        write("open_items.csv", open_items_csv(&data.items))?;
        write("bank_lines.csv", bank_lines_csv(&data.lines, &data.truth))?;
    }
    let exact_policy = MatchPolicy::new().last_pass(Pass::Text);
    let (exact, exact_s, exact_cpu) =
        timed_cpu(|| Matcher::new(exact_policy, &data.directory, &data.items).map(|m| m.run(&data.lines)));
    let exact = exact.map_err(|e| e.to_string())?;
    let (index, index_s, index_cpu) = timed_cpu(|| Matcher::new(MatchPolicy::new(), &data.directory, &data.items));
    drop(index);
    let (full, full_s, full_cpu) =
        timed_cpu(|| Matcher::new(MatchPolicy::new(), &data.directory, &data.items).map(|m| m.run(&data.lines)));
    let full = full.map_err(|e| e.to_string())?;
    let lines = data.lines.len();
    let sizes = json!({ "items": spec.items, "customers": spec.customers, "lines": lines, "seed": spec.seed });
    let one_by_one = line_by_line(&data, &sizes)?;
    let with_cpu = |mut check: serde_json::Value, cpu| {
        add_cpu(cpu, &mut check);
        check
    };
    Ok(vec![
        Measurement::new("match.index", spec.items, index_s, with_cpu(sizes.clone(), index_cpu)),
        Measurement::new("match.exact", lines, exact_s, with_cpu(check(&exact, &data.truth, &sizes), exact_cpu)),
        Measurement::new("match.full", lines, full_s, with_cpu(check(&full, &data.truth, &sizes), full_cpu)),
        one_by_one,
    ])
}

/// Lines matched as they arrive: the first 1,000 lines, each in a run of its
/// own against the matcher built once (a host matching each payment as the
/// bank reports it). A run's cost should follow its lines, not the item count.
fn line_by_line(data: &MatchingData, sizes: &serde_json::Value) -> Result<Measurement, String> {
    let matcher = Matcher::new(MatchPolicy::new(), &data.directory, &data.items).map_err(|e| e.to_string())?;
    let lines = &data.lines[..data.lines.len().min(1_000)];
    let (proposals, seconds) =
        timed(|| lines.iter().flat_map(|line| matcher.run(std::slice::from_ref(line)).proposals).collect::<Vec<_>>());
    let correct = proposals.iter().zip(&data.truth).filter(|(p, t)| is_correct(p, t)).count();
    let check = json!({ "sizes": sizes, "runs": lines.len(), "correct": share(correct, lines.len()) });
    Ok(Measurement::new("match.line_by_line", lines.len(), seconds, check))
}

/// `true` if the proposal names the true customer, allocates to exactly the
/// true invoices, and applies the true cash, discount and shortfall (written
/// off or deducted) in total.
pub fn is_correct(p: &Proposal, truth: &Truth) -> bool {
    let mut got: Vec<_> = p.allocations.iter().map(|a| a.invoice).collect();
    let mut want = truth.invoices.clone();
    got.sort_unstable();
    want.sort_unstable();
    let cash: i64 = p.allocations.iter().map(|a| a.applied.minor()).sum();
    let discount: i64 = p.allocations.iter().map(|a| a.discount.minor()).sum();
    let shortfall: i64 = p.write_offs.iter().chain(&p.deductions).map(|s| s.amount.minor()).sum();
    p.customer == truth.customer
        && got == want
        && (cash, discount, shortfall) == (truth.cash_minor, truth.discount_minor, truth.shortfall_minor)
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

fn check(outcome: &MatchOutcome, truth: &[Truth], sizes: &serde_json::Value) -> serde_json::Value {
    let lines = outcome.proposals.len();
    let tiers: BTreeMap<&str, f64> =
        Tier::ALL.iter().map(|t| (tier_name(*t), share(outcome.summary.tier(*t).lines, lines))).collect();
    let correct = outcome.proposals.iter().zip(truth).filter(|(p, t)| is_correct(p, t)).count();
    let mut per_scenario = BTreeMap::new();
    for s in Scenario::ALL {
        let of: Vec<_> = outcome.proposals.iter().zip(truth).filter(|(_, t)| t.scenario == s).collect();
        let right = of.iter().filter(|(p, t)| is_correct(p, t)).count();
        per_scenario.insert(s.name(), json!({ "lines": of.len(), "correct": share(right, of.len()) }));
    }
    let auto = outcome.summary.auto_apply.lines;
    let auto_right = outcome.proposals.iter().zip(truth).filter(|(p, t)| p.auto_apply && is_correct(p, t)).count();
    json!({
        "sizes": sizes,
        "tiers": tiers,
        "correct": share(correct, lines),
        "auto_apply": share(auto, lines),
        "auto_apply_correct": share(auto_right, auto),
        "scenarios": per_scenario,
    })
}

fn tier_name(t: Tier) -> &'static str {
    match t {
        Tier::Certain => "certain",
        Tier::High => "high",
        Tier::NeedsReview => "needs_review",
        Tier::Unmatched => "unmatched",
    }
}
