//! Deciding: a command and the current state in, the changes it makes out.
//!
//! Nothing here mutates the state; a refused command is an `Err` and the ledger is
//! untouched. Changes are validated again when they are folded in (`state.rs`).

use std::sync::Arc;

use chrono::NaiveDate;

use super::LedgerConfig;
use super::application::plan_application;
use super::state::{Known, NumberHash, State};
use crate::command::{IssueCreditMemo, IssueInvoice, ReceivePayment};
use crate::event::{
    Allocation, CashApplied, Change, CreditLimitSet, CreditMemoIssued, CreditOrigin, DeductionResolved,
    DepositRecorded, DisputeOpened, DisputeResolved, HoldPlaced, InvoiceIssued, InvoiceVoided, InvoiceWrittenOff,
    Refunded, TemporaryCreditGranted, TermsSet,
};
use crate::{
    Action, Actor, ApplicationId, Authority, CashSource, CommandId, DebitReason, DeductionResolution, DeductionStatus,
    DisputeResolution, DisputeStatus, DocumentLine, DocumentRef, FreeText, InvoiceKind, LedgerError, Money,
    PaymentTerms, Rounding, TaxRounding, compute_totals,
};

/// What `decide` needs of a command besides its action.
pub(crate) struct Head<'a> {
    pub id: CommandId,
    pub date: NaiveDate,
    pub actor: &'a Actor,
}

/// What a command changes, with what `decide` worked out on the way that the
/// fold would otherwise work out again.
pub(crate) struct Decision {
    pub changes: Changes,
    /// What `decide` found that the fold needs: an application's parts per
    /// invoice, or the customer of a document.
    pub known: Option<Known>,
}

impl Decision {
    /// Changes with nothing found on the way the fold could use.
    fn of(changes: Vec<Change>) -> Decision {
        Decision { changes: Changes::Many(changes), known: None }
    }
}

/// The changes of one command. Most commands make exactly one, kept inline:
/// a vector for it would cost an allocation per command.
pub(crate) enum Changes {
    One(Change),
    Many(Vec<Change>),
}

impl Changes {
    /// All changes but the last, and the last.
    pub fn split_last(self) -> (Vec<Change>, Option<Change>) {
        match self {
            Changes::One(change) => (Vec::new(), Some(change)),
            Changes::Many(mut changes) => {
                let last = changes.pop();
                (changes, last)
            }
        }
    }
}

/// The changes `action` makes, or why it is refused. The documents a command
/// brings (lines, remittance text) move into its events: nothing is copied.
pub(crate) fn decide(
    state: &State,
    config: &LedgerConfig,
    head: Head<'_>,
    action: Action,
) -> Result<Decision, LedgerError> {
    let ctx = Ctx { state, config, head };
    if let Action::ApplyCash(cmd) = &action {
        let (applied, plan) = plan_application(state, cmd, ctx.date())?;
        ctx.authorize_write_offs(&applied)?;
        let known = Some(Known::Application(plan));
        return Ok(Decision { changes: Changes::One(Change::CashApplied(applied)), known });
    }
    decide_owned(&ctx, action)
}

fn decide_owned(ctx: &Ctx<'_>, action: Action) -> Result<Decision, LedgerError> {
    // What a document was checked against (its customer, its number's hash)
    // goes with it to the fold, which would otherwise look it up again.
    match action {
        Action::IssueInvoice(cmd) => {
            let (doc, customer, number) = ctx.issue_invoice(cmd)?;
            let known = Some(Known::Invoice { customer, number });
            Ok(Decision { changes: Changes::One(Change::InvoiceIssued(doc)), known })
        }
        Action::ReceivePayment(cmd) => {
            let (paid, customer) = ctx.receive(cmd)?;
            let known = Some(Known::Customer(customer));
            Ok(Decision { changes: Changes::One(Change::PaymentReceived(paid)), known })
        }
        Action::IssueCreditMemo(cmd) => ctx.issue_credit_memo(cmd).map(Decision::of),
        other => decide_borrowed(ctx, &other).map(Decision::of),
    }
}

/// The commands whose events copy only small values from them.
fn decide_borrowed(ctx: &Ctx<'_>, action: &Action) -> Result<Vec<Change>, LedgerError> {
    let state = ctx.state;
    match action {
        Action::RegisterCustomer(reg) => ctx.register(reg),
        Action::SetTerms { customer, terms } => {
            state.customer(*customer)?;
            terms.validate()?;
            Ok(vec![Change::TermsSet(Arc::new(TermsSet { customer: *customer, terms: terms.clone() }))])
        }
        Action::SetCreditLimit { customer, limit } => ctx.set_limit(*customer, *limit),
        Action::GrantTemporaryCredit { customer, amount, expires } => ctx.grant(*customer, *amount, *expires),
        Action::PlaceHold { customer, reason } => {
            state.customer(*customer)?;
            ctx.authorize(Authority::CreditHold, None)?;
            Ok(vec![Change::HoldPlaced(Arc::new(HoldPlaced { customer: *customer, reason: reason.clone() }))])
        }
        Action::ReleaseHold { customer } => {
            let c = state.customer(*customer)?;
            ctx.authorize(Authority::CreditHold, None)?;
            if state.cust(c).hold.is_none() {
                return Err(LedgerError::NotOnHold(*customer));
            }
            Ok(vec![Change::HoldReleased { customer: *customer }])
        }
        Action::VoidInvoice { invoice, reason } => ctx.void(*invoice, reason),
        Action::IssueInvoice(cmd) => ctx.issue_invoice(cmd.clone()).map(|(doc, ..)| vec![Change::InvoiceIssued(doc)]),
        Action::IssueCreditMemo(cmd) => ctx.issue_credit_memo(cmd.clone()),
        Action::ReceivePayment(cmd) => ctx.receive(cmd.clone()).map(|(paid, _)| vec![Change::PaymentReceived(paid)]),
        Action::ApplyCash(cmd) => {
            let (applied, _) = plan_application(state, cmd, ctx.date())?;
            ctx.authorize_write_offs(&applied)?;
            Ok(vec![Change::CashApplied(applied)])
        }
        Action::Unapply { application } => ctx.unapply(*application),
        Action::Refund { refund, source, amount } => ctx.refund(*refund, *source, *amount),
        Action::RecordDeposit { deposit, bank_account, payments } => ctx.deposit(*deposit, bank_account, payments),
        Action::WriteOff { invoice, amount, reason } => ctx.write_off(*invoice, *amount, reason),
        Action::ReviewDeduction { deduction } => {
            let d = state.deduction(*deduction)?;
            let status = state.deductions[d as usize].status;
            if status != DeductionStatus::Open {
                return Err(LedgerError::DeductionClosed { deduction: *deduction, status, action: "review" });
            }
            Ok(vec![Change::DeductionReviewStarted { deduction: *deduction }])
        }
        Action::ResolveDeduction { deduction, resolution } => ctx.resolve_deduction(*deduction, resolution),
        Action::OpenDispute { dispute, invoice, amount, reason } => {
            let i = state.invoice(*invoice)?;
            ctx.not_before("the dispute date", ctx.date(), i)?;
            ctx.positive(*amount, "the disputed amount")?;
            ctx.in_currency(state.inv(i).currency(), *amount, "the disputed amount")?;
            Ok(vec![Change::DisputeOpened(Arc::new(DisputeOpened {
                dispute: *dispute,
                invoice: *invoice,
                amount: *amount,
                reason: reason.clone(),
            }))])
        }
        Action::ResolveDispute { dispute, resolution } => ctx.resolve_dispute(*dispute, resolution),
    }
}

struct Ctx<'a> {
    state: &'a State,
    config: &'a LedgerConfig,
    head: Head<'a>,
}

impl Ctx<'_> {
    fn date(&self) -> NaiveDate {
        self.head.date
    }

    fn authorize(&self, authority: Authority, amount: Option<Money>) -> Result<(), LedgerError> {
        let actor = self.head.actor;
        self.config.approvals.permits(actor, authority, amount).map_err(|required| LedgerError::NotAuthorized {
            user: actor.user.clone(),
            role: actor.role.clone(),
            authority,
            amount,
            required,
        })
    }

    fn authorize_write_offs(&self, applied: &CashApplied) -> Result<(), LedgerError> {
        for w in &applied.write_offs {
            self.authorize(Authority::WriteOff, Some(w.amount))?;
        }
        Ok(())
    }

    /// Refuses a date before the invoice's document date.
    fn not_before(&self, what: &'static str, date: NaiveDate, i: u32) -> Result<(), LedgerError> {
        // The record keeps the date: the document itself is read only to name it.
        let inv = self.state.inv(i);
        if date < inv.document_date {
            return Err(LedgerError::DateBeforeDocument {
                what,
                date,
                invoice: inv.id,
                number: inv.doc.number.clone(),
                document_date: inv.document_date,
            });
        }
        Ok(())
    }

    /// Refuses an amount that would take one of a customer's running sums beyond
    /// the range money is kept exact in; each amount is bounded, so their sum is
    /// checked here rather than allowed to overflow later.
    fn within_bounds(&self, sum: i64, amount: Money) -> Result<(), LedgerError> {
        Money::from_minor(sum + amount.minor(), amount.currency())?;
        Ok(())
    }

    fn positive(&self, amount: Money, what: &'static str) -> Result<(), LedgerError> {
        if amount.is_positive() { Ok(()) } else { Err(LedgerError::NotPositive { what, amount }) }
    }

    fn in_currency(&self, expected: crate::Currency, amount: Money, what: &'static str) -> Result<(), LedgerError> {
        if amount.currency() == expected {
            Ok(())
        } else {
            Err(LedgerError::WrongCurrency { what, expected, got: amount.currency() })
        }
    }

    fn register(&self, reg: &crate::RegisterCustomer) -> Result<Vec<Change>, LedgerError> {
        if self.state.customer_ix.contains_key(&reg.customer) {
            return Err(LedgerError::DuplicateId { kind: "customer", id: reg.customer.as_uuid() });
        }
        reg.terms.validate()?;
        if let Some(limit) = reg.credit_limit {
            self.in_currency(reg.currency, limit, "the credit limit")?;
            if limit.is_negative() {
                return Err(LedgerError::NotPositive { what: "the credit limit", amount: limit });
            }
            self.authorize(Authority::CreditLimitChange, Some(limit))?;
        } else if !self.config.credit.hold_without_limit {
            // Without a limit the account has unlimited credit (the credit policy
            // does not hold it): that needs the authority the largest limit would.
            self.authorize(Authority::CreditLimitChange, None)?;
        }
        Ok(vec![Change::CustomerRegistered(Arc::new(reg.clone()))])
    }

    fn set_limit(&self, customer: crate::CustomerId, limit: Option<Money>) -> Result<Vec<Change>, LedgerError> {
        let c = self.state.customer(customer)?;
        if let Some(limit) = limit {
            self.in_currency(self.state.cust(c).currency, limit, "the credit limit")?;
            if limit.is_negative() {
                return Err(LedgerError::NotPositive { what: "the credit limit", amount: limit });
            }
        }
        self.authorize(Authority::CreditLimitChange, limit)?;
        Ok(vec![Change::CreditLimitSet(Arc::new(CreditLimitSet { customer, limit }))])
    }

    fn grant(
        &self,
        customer: crate::CustomerId,
        amount: Money,
        expires: NaiveDate,
    ) -> Result<Vec<Change>, LedgerError> {
        let c = self.state.customer(customer)?;
        self.in_currency(self.state.cust(c).currency, amount, "the credit increase")?;
        self.positive(amount, "the credit increase")?;
        if expires < self.date() {
            return Err(LedgerError::CreditExpiresBeforeGrant { customer, amount, granted: self.date(), expires });
        }
        // The limit with every increase granted must stay an amount money can hold.
        let cust = self.state.cust(c);
        let granted = cust.limit.unwrap_or(0) + cust.temporary.as_ref().map_or(0, |g| g.total);
        self.within_bounds(granted, amount)?;
        self.authorize(Authority::CreditLimitChange, Some(amount))?;
        Ok(vec![Change::TemporaryCreditGranted(Arc::new(TemporaryCreditGranted { customer, amount, expires }))])
    }

    /// The invoice, made in its `Arc` rather than moved into one, its
    /// customer's dense number and its number's hash.
    fn issue_invoice(&self, cmd: IssueInvoice) -> Result<(Arc<InvoiceIssued>, u32, NumberHash), LedgerError> {
        let taken = self.state.invoice_ix.contains_key(&cmd.invoice);
        let number = self.new_document(DocumentRef::Invoice(cmd.invoice), cmd.invoice.as_uuid(), &cmd.number, taken)?;
        let c = self.state.customer(cmd.customer)?;
        let currency = self.state.cust(c).currency;
        let terms = match cmd.terms {
            Some(terms) => {
                terms.validate()?;
                self.state.terms.get(&terms).unwrap_or_else(|| Arc::new(terms))
            }
            // The customer's terms were validated when they were set.
            None => Arc::clone(&self.state.cust(c).terms),
        };
        let totals = compute_totals(&cmd.lines, cmd.discount.as_ref(), currency, cmd.tax_rounding, cmd.rounding)?;
        self.positive(totals.total, "the invoice total")?;
        self.within_bounds(self.state.cust(c).receivable, totals.total)?;
        let installments = terms.schedule_validated(
            cmd.document_date,
            totals.total,
            totals.net,
            self.config.calendar.as_ref(),
            cmd.rounding,
        )?;
        if let Some(bad) = installments.iter().find(|i| i.amount.is_negative()) {
            return Err(LedgerError::NegativeInstallment { number: bad.number, amount: bad.amount });
        }
        // `new_cyclic` (no weak reference is kept) writes the event into the
        // allocation it made first; `Arc::new` copied it twice on the way.
        let doc = Arc::new_cyclic(|_| InvoiceIssued {
            invoice: cmd.invoice,
            number: cmd.number,
            customer: cmd.customer,
            kind: cmd.kind,
            document_date: cmd.document_date,
            currency,
            lines: cmd.lines,
            discount: cmd.discount,
            totals,
            terms,
            installments,
        });
        Ok((doc, c, number))
    }

    /// Refuses a taken id or number; else the number's hash.
    fn new_document(
        &self,
        doc: DocumentRef,
        id: uuid::Uuid,
        number: &str,
        taken: bool,
    ) -> Result<NumberHash, LedgerError> {
        if taken {
            return Err(LedgerError::DuplicateId { kind: "document", id });
        }
        self.state.number_free(number, doc)
    }

    fn credit_memo(&self, cmd: IssueCreditMemo, origin: CreditOrigin) -> Result<CreditMemoIssued, LedgerError> {
        let taken = self.state.credit_ix.contains_key(&cmd.credit_memo);
        self.new_document(DocumentRef::CreditMemo(cmd.credit_memo), cmd.credit_memo.as_uuid(), &cmd.number, taken)?;
        let c = self.state.customer(cmd.customer)?;
        let currency = self.state.cust(c).currency;
        let totals = compute_totals(&cmd.lines, None, currency, cmd.tax_rounding, cmd.rounding)?;
        self.positive(totals.total, "the credit memo total")?;
        self.within_bounds(self.state.cust(c).unapplied_credit, totals.total)?;
        self.authorize(Authority::CreditMemo, Some(totals.total))?;
        Ok(CreditMemoIssued {
            credit_memo: cmd.credit_memo,
            number: cmd.number,
            customer: cmd.customer,
            document_date: cmd.document_date,
            lines: cmd.lines,
            totals,
            reason: cmd.reason,
            origin,
        })
    }

    fn issue_credit_memo(&self, cmd: IssueCreditMemo) -> Result<Vec<Change>, LedgerError> {
        let (credit_memo, customer, against, date) = (cmd.credit_memo, cmd.customer, cmd.against, cmd.document_date);
        let doc = self.credit_memo(cmd, CreditOrigin::Manual)?;
        let Some(against) = against else {
            return Ok(vec![Change::CreditMemoIssued(Arc::new(doc))]);
        };
        let i = self.state.invoice(against)?;
        self.not_before("the credit memo date", date, i)?;
        let inv = self.state.inv(i);
        if inv.void {
            return Err(LedgerError::InvoiceVoid { invoice: against, number: inv.doc.number.clone() });
        }
        if inv.doc.customer != customer {
            return Err(LedgerError::NotCustomersInvoice {
                invoice: against,
                number: inv.doc.number.clone(),
                owner: inv.doc.customer,
                customer,
            });
        }
        let applied = doc.totals.total.minor().min(inv.collectible());
        let mut changes = vec![Change::CreditMemoIssued(Arc::new(doc))];
        if applied > 0 {
            changes.push(self.credit_application(credit_memo, customer, against, applied, inv.currency())?);
        }
        Ok(changes)
    }

    /// Applies `amount` of a credit memo to one invoice; the application's id is the command's.
    fn credit_application(
        &self,
        credit_memo: crate::CreditMemoId,
        customer: crate::CustomerId,
        invoice: crate::InvoiceId,
        amount: i64,
        currency: crate::Currency,
    ) -> Result<Change, LedgerError> {
        let application = ApplicationId::new(self.head.id.as_uuid());
        if self.state.application_ix.contains_key(&application) {
            return Err(LedgerError::DuplicateId { kind: "application", id: application.as_uuid() });
        }
        Ok(Change::CashApplied(Arc::new(CashApplied {
            application,
            customer,
            source: CashSource::CreditMemo(credit_memo),
            allocations: vec![Allocation {
                invoice,
                cash: Money::from_minor(amount, currency)?,
                discount: Money::zero(currency),
            }],
            write_offs: Vec::new(),
            deductions: Vec::new(),
        })))
    }

    fn void(&self, invoice: crate::InvoiceId, reason: &FreeText) -> Result<Vec<Change>, LedgerError> {
        let i = self.state.invoice(invoice)?;
        self.not_before("the void date", self.date(), i)?;
        let inv = self.state.inv(i);
        self.authorize(Authority::Void, Some(Money::from_minor(inv.total, inv.currency())?))?;
        self.state.check_void(i)?;
        Ok(vec![Change::InvoiceVoided(Arc::new(InvoiceVoided { invoice, reason: reason.clone() }))])
    }

    fn receive(&self, cmd: ReceivePayment) -> Result<(Arc<ReceivePayment>, u32), LedgerError> {
        if self.state.payment_ix.contains_key(&cmd.payment) {
            return Err(LedgerError::DuplicateId { kind: "payment", id: cmd.payment.as_uuid() });
        }
        let c = self.state.customer(cmd.customer)?;
        self.in_currency(self.state.cust(c).currency, cmd.amount, "the payment")?;
        self.positive(cmd.amount, "the payment")?;
        self.within_bounds(self.state.cust(c).unapplied_cash, cmd.amount)?;
        if let Some(deposit) = cmd.deposit.filter(|d| self.state.deposits.contains_key(d)) {
            return Err(LedgerError::DepositAlreadyRecorded { payment: cmd.payment, deposit });
        }
        Ok((Arc::new(cmd), c))
    }

    fn unapply(&self, application: ApplicationId) -> Result<Vec<Change>, LedgerError> {
        let a = self.state.application(application)?;
        let app = &self.state.applications[a as usize];
        if app.reversed {
            return Err(LedgerError::AlreadyReversed(application));
        }
        let total: i64 = app.doc.allocations.iter().map(|x| x.cash.minor()).sum();
        let currency = self.state.cust(app.customer).currency;
        self.authorize(Authority::Unapply, Some(Money::from_minor(total, currency)?))?;
        Ok(vec![Change::ApplicationReversed { application }])
    }

    fn refund(&self, refund: crate::RefundId, source: CashSource, amount: Money) -> Result<Vec<Change>, LedgerError> {
        self.state.check_refund(refund, source, amount)?;
        self.authorize(Authority::Refund, Some(amount))?;
        Ok(vec![Change::Refunded(Arc::new(Refunded { refund, source, amount }))])
    }

    fn deposit(
        &self,
        deposit: crate::DepositId,
        bank_account: &FreeText,
        payments: &[crate::PaymentId],
    ) -> Result<Vec<Change>, LedgerError> {
        let first = payments.first().ok_or(LedgerError::EmptyDeposit { deposit })?;
        let currency = self.state.payments[self.state.payment(*first)? as usize].doc.amount.currency();
        let sum = self.state.check_deposit(deposit, payments, currency)?;
        Ok(vec![Change::DepositRecorded(Arc::new(DepositRecorded {
            deposit,
            bank_account: bank_account.clone(),
            payments: payments.to_vec(),
            total: Money::from_minor(sum, currency)?,
        }))])
    }

    fn write_off(
        &self,
        invoice: crate::InvoiceId,
        amount: Money,
        reason: &FreeText,
    ) -> Result<Vec<Change>, LedgerError> {
        let i = self.state.invoice(invoice)?;
        self.not_before("the write-off date", self.date(), i)?;
        let inv = self.state.inv(i);
        self.in_currency(inv.currency(), amount, "the write-off")?;
        self.positive(amount, "the write-off")?;
        if inv.void {
            return Err(LedgerError::InvoiceVoid { invoice, number: inv.doc.number.clone() });
        }
        if amount.minor() > inv.collectible() {
            return Err(LedgerError::OverApplication {
                invoice,
                number: inv.doc.number.clone(),
                open: Money::from_minor(inv.collectible(), inv.currency())?,
                amount,
            });
        }
        self.authorize(Authority::WriteOff, Some(amount))?;
        Ok(vec![Change::InvoiceWrittenOff(Arc::new(InvoiceWrittenOff { invoice, amount, reason: reason.clone() }))])
    }

    fn resolve_deduction(
        &self,
        deduction: crate::DeductionId,
        resolution: &DeductionResolution,
    ) -> Result<Vec<Change>, LedgerError> {
        let d = self.state.deduction(deduction)?;
        let ded = &self.state.deductions[d as usize];
        if !matches!(ded.status, DeductionStatus::Open | DeductionStatus::UnderReview) {
            return Err(LedgerError::DeductionClosed { deduction, status: ded.status, action: "resolving" });
        }
        let customer = self.state.cust(ded.customer);
        let amount = Money::from_minor(ded.amount, customer.currency)?;
        self.authorize(Authority::Resolution, Some(amount))?;
        let resolved = Change::DeductionResolved(Arc::new(DeductionResolved {
            deduction,
            resolution: resolution.clone(),
            amount,
        }));
        let one_line = |what: &str| DocumentLine {
            description: format!("{what} of deduction {deduction}").into(),
            quantity: rust_decimal::Decimal::ONE,
            unit_price: amount.amount(),
            discount: None,
            taxes: Vec::new(),
        };
        match resolution {
            DeductionResolution::Valid { credit_memo, number } => {
                let cmd = IssueCreditMemo {
                    credit_memo: *credit_memo,
                    number: number.clone(),
                    customer: customer.reg.customer,
                    document_date: self.date(),
                    lines: vec![one_line("Settlement")],
                    against: None,
                    reason: format!("valid deduction {deduction}").into(),
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                };
                let doc = self.credit_memo(cmd, CreditOrigin::Deduction(deduction))?;
                Ok(vec![Change::CreditMemoIssued(Arc::new(doc)), resolved])
            }
            DeductionResolution::Rebill { debit_memo, number } => {
                let cmd = IssueInvoice {
                    invoice: *debit_memo,
                    number: number.clone(),
                    customer: customer.reg.customer,
                    kind: InvoiceKind::DebitMemo(DebitReason::RebilledDeduction(deduction)),
                    document_date: self.date(),
                    lines: vec![one_line("Rebill")],
                    discount: None,
                    terms: Some(PaymentTerms { discounts: Vec::new(), ..(*customer.terms).clone() }),
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                };
                let (doc, ..) = self.issue_invoice(cmd)?;
                Ok(vec![Change::InvoiceIssued(doc), resolved])
            }
            DeductionResolution::Repaid { payment } => {
                let p = &self.state.payments[self.state.payment(*payment)? as usize];
                if p.customer != ded.customer || p.unapplied() < ded.amount {
                    return Err(LedgerError::InsufficientUnapplied {
                        from: CashSource::Payment(*payment),
                        available: Money::from_minor(p.unapplied(), p.doc.amount.currency())?,
                        requested: amount,
                    });
                }
                Ok(vec![resolved])
            }
            DeductionResolution::WriteOff { .. } => {
                self.authorize(Authority::WriteOff, Some(amount))?;
                Ok(vec![resolved])
            }
        }
    }

    fn resolve_dispute(
        &self,
        dispute: crate::DisputeId,
        resolution: &DisputeResolution,
    ) -> Result<Vec<Change>, LedgerError> {
        let d = self.state.dispute(dispute)?;
        let dis = &self.state.disputes[d as usize];
        if dis.status != DisputeStatus::Open {
            return Err(LedgerError::DisputeClosed(dispute));
        }
        let inv = self.state.inv(dis.invoice);
        let amount = Money::from_minor(dis.amount, inv.currency())?;
        self.authorize(Authority::Resolution, Some(amount))?;
        let resolved = Change::DisputeResolved(Arc::new(DisputeResolved { dispute, resolution: resolution.clone() }));
        match resolution {
            DisputeResolution::Rejected => Ok(vec![resolved]),
            DisputeResolution::Credited { credit_memo, number } => {
                let cmd = IssueCreditMemo {
                    credit_memo: *credit_memo,
                    number: number.clone(),
                    customer: inv.doc.customer,
                    document_date: self.date(),
                    lines: vec![DocumentLine {
                        description: format!("Credit for dispute {dispute} on {}", inv.doc.number).into(),
                        quantity: rust_decimal::Decimal::ONE,
                        unit_price: amount.amount(),
                        discount: None,
                        taxes: Vec::new(),
                    }],
                    against: Some(inv.doc.invoice),
                    reason: dis.reason.clone(),
                    tax_rounding: TaxRounding::PerLine,
                    rounding: Rounding::HalfUp,
                };
                let doc = self.credit_memo(cmd, CreditOrigin::Dispute(dispute))?;
                let apply = self.credit_application(
                    *credit_memo,
                    inv.doc.customer,
                    inv.doc.invoice,
                    dis.amount,
                    inv.currency(),
                )?;
                Ok(vec![resolved, Change::CreditMemoIssued(Arc::new(doc)), apply])
            }
        }
    }
}
