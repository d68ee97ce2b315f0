//! The aging policy: as-of date, basis, buckets and where special items go.
//!
//! Built like jiff's options: start from [`AgingPolicy::new`] with the as-of
//! date and change only what differs from the defaults, which are
//!
//! | option | default |
//! |---|---|
//! | [`basis`](AgingPolicy::basis) | [`AgingBasis::DueDate`] |
//! | [`buckets`](AgingPolicy::buckets) | [`Buckets::standard`]: Not yet due, 1–30, 31–60, 61–90, 91–120, Over 120 |
//! | [`unapplied_cash`](AgingPolicy::unapplied_cash) | [`Placement::InBucket`] |
//! | [`credit_memos`](AgingPolicy::credit_memos) | [`Placement::InBucket`] |
//! | [`deductions`](AgingPolicy::deductions) | [`Placement::InBucket`] |
//! | [`disputed`](AgingPolicy::disputed) | [`Placement::InBucket`] |
//! | [`future_documents`](AgingPolicy::future_documents) | [`FutureDocuments::Exclude`] |

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::open_items::{DocumentKind, class_parts};

/// Which date an item's age counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AgingBasis {
    /// Days past the due date (negative while not yet due).
    #[default]
    DueDate,
    /// Days since the document date.
    DocumentDate,
}

/// Where a class of items shows in the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Placement {
    /// Aged like any item: the amount nets into the bucket of its own date
    /// (GnuCash does this with credit notes).
    #[default]
    InBucket,
    /// Shown apart in a column of its own, not aged.
    OwnColumn,
}

/// What to do with documents dated after the as-of date.
///
/// ```
/// # use ar_aging::{AgingPolicy, DocumentRef, FutureDocuments, OpenItemRow, OpenItemsBuilder};
/// # use ar_core::{Currency, CustomerId, InvoiceId};
/// # use chrono::NaiveDate;
/// # use rust_decimal_macros::dec;
/// let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).ok_or("bad date");
/// let mut builder = OpenItemsBuilder::new();
/// builder.push(OpenItemRow::new(CustomerId::from_u128(1), DocumentRef::Invoice(InvoiceId::from_u128(1)),
///     "INV-1", Currency::USD, day(7, 2)?, day(8, 1)?, dec!(10.00)))?;
/// let items = builder.build();
/// let june = AgingPolicy::new(day(6, 30)?);
/// assert!(items.totals(&june).row(Currency::USD).is_none()); // not issued yet on June 30
/// let included = items.totals(&june.future_documents(FutureDocuments::Include));
/// assert_eq!(included.row(Currency::USD).ok_or("no row")?.buckets_minor()[0], 1_000); // not yet due
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FutureDocuments {
    /// Leave them out: they did not exist on the as-of date.
    #[default]
    Exclude,
    /// Age them like the rest (their age is negative, so they land in the first
    /// bucket unless its bound is below their age).
    Include,
}

/// One column of an aging result.
///
/// ```
/// use ar_aging::{AgingPolicy, Column, Placement};
/// use chrono::NaiveDate;
/// let policy = AgingPolicy::new(NaiveDate::from_ymd_opt(2025, 6, 30).ok_or("date")?)
///     .deductions(Placement::OwnColumn);
/// assert_eq!(policy.label(Column::Bucket(1)), Some("1–30"));
/// assert_eq!(policy.columns().last(), Some(&Column::Deductions));
/// assert_eq!(policy.label(Column::Bucket(6)), None); // six buckets: 0..=5
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Column {
    /// The bucket at this index (0 = the youngest).
    Bucket(usize),
    /// Unapplied cash shown apart ([`AgingPolicy::unapplied_cash`]).
    UnappliedCash,
    /// Credit memos shown apart ([`AgingPolicy::credit_memos`]).
    CreditMemos,
    /// Deductions shown apart ([`AgingPolicy::deductions`]).
    Deductions,
    /// Disputed items shown apart ([`AgingPolicy::disputed`]).
    Disputed,
}

/// The columns after the buckets, in cell order.
const APART_COLUMNS: [Column; 4] = [Column::UnappliedCash, Column::CreditMemos, Column::Deductions, Column::Disputed];

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Bucket(i) => write!(f, "bucket {i}"),
            Column::UnappliedCash => f.write_str("Unapplied cash"),
            Column::CreditMemos => f.write_str("Credit memos"),
            Column::Deductions => f.write_str("Deductions"),
            Column::Disputed => f.write_str("Disputed"),
        }
    }
}

/// The most buckets a policy may have.
pub const MAX_BUCKETS: usize = 16;
/// The largest boundary, in days either side of zero (about 100 years).
pub const MAX_BOUNDARY_DAYS: i32 = 36_600;

/// A bucket definition the policy cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// More buckets than [`MAX_BUCKETS`].
    #[error("{count} buckets asked for; at most {max} are allowed")]
    TooManyBuckets {
        /// Buckets asked for.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Boundaries must rise strictly.
    #[error("bucket boundaries must rise: {next} days follows {previous} days")]
    BoundariesNotRising {
        /// The earlier boundary.
        previous: i32,
        /// The boundary that does not exceed it.
        next: i32,
    },
    /// A boundary beyond ± [`MAX_BOUNDARY_DAYS`].
    #[error("bucket boundary {days} days is beyond ±{max} days")]
    BoundaryOutOfRange {
        /// The boundary.
        days: i32,
        /// The limit.
        max: i32,
    },
    /// A bucket without a label.
    #[error("bucket {index} has an empty label")]
    EmptyLabel {
        /// The bucket's index.
        index: usize,
    },
    /// Stored buckets whose labels do not match their bounds (one label per
    /// bound plus one for the open last bucket).
    #[error("{labels} bucket labels for {bounds} boundaries: expected one more label than boundaries")]
    LabelCount {
        /// Labels given.
        labels: usize,
        /// Boundaries given.
        bounds: usize,
    },
    /// Two buckets with the same label.
    #[error("two buckets are labelled '{label}'")]
    DuplicateLabel {
        /// The label.
        label: String,
    },
}

/// Aging buckets: each bucket holds the ages up to and including its upper
/// bound (in days), above the previous bucket's bound; the last bucket is open.
///
/// ```
/// use ar_aging::Buckets;
/// let standard = Buckets::standard();
/// assert_eq!(standard.labels()[0], "Not yet due");
/// assert_eq!(standard.bucket_of(0), 0);   // due today: not yet due
/// assert_eq!(standard.bucket_of(30), 1);  // 1–30
/// assert_eq!(standard.bucket_of(31), 2);  // 31–60
/// assert_eq!(standard.bucket_of(500), 5); // Over 120
///
/// // GnuCash's owner report: "Current" is not yet due, "0-30" holds 0 to 29
/// // days, "31-60" 30 to 59 days, and so on (see the crate docs).
/// let gnucash = Buckets::labeled(&[(-1, "Current"), (29, "0-30"), (59, "31-60"), (89, "61-90")], "91+")?;
/// assert_eq!(gnucash.bucket_of(0), 1);
/// assert_eq!(gnucash.bucket_of(30), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "BucketsData")]
pub struct Buckets {
    upper_days: Vec<i32>,
    labels: Vec<String>,
}

/// Buckets as stored, checked again when read back.
#[derive(Deserialize)]
struct BucketsData {
    upper_days: Vec<i32>,
    labels: Vec<String>,
}

impl TryFrom<BucketsData> for Buckets {
    type Error = PolicyError;
    fn try_from(data: BucketsData) -> Result<Buckets, PolicyError> {
        if data.labels.len() != data.upper_days.len() + 1 {
            let (labels, bounds) = (data.labels.len(), data.upper_days.len());
            return Err(PolicyError::LabelCount { labels, bounds });
        }
        Buckets::checked(data.upper_days, data.labels)
    }
}

impl Default for Buckets {
    fn default() -> Self {
        Buckets::standard()
    }
}

impl Buckets {
    /// Not yet due (≤ 0 days), 1–30, 31–60, 61–90, 91–120, Over 120.
    pub fn standard() -> Buckets {
        let labels = ["Not yet due", "1–30", "31–60", "61–90", "91–120", "Over 120"];
        Buckets { upper_days: vec![0, 30, 60, 90, 120], labels: labels.map(str::to_owned).to_vec() }
    }

    /// Buckets with these inclusive upper bounds and generated labels:
    /// "Not yet due" (or "Up to N") for the first, "A–B" between, "Over N" last.
    ///
    /// ```
    /// use ar_aging::Buckets;
    /// let b = Buckets::from_upper_bounds(&[0, 45, 90])?;
    /// assert_eq!(b.labels(), ["Not yet due", "1–45", "46–90", "Over 90"]);
    /// assert!(Buckets::from_upper_bounds(&[30, 30]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_upper_bounds(upper_days: &[i32]) -> Result<Buckets, PolicyError> {
        let mut labels = Vec::with_capacity(upper_days.len() + 1);
        for (i, &b) in upper_days.iter().enumerate() {
            labels.push(match i.checked_sub(1).and_then(|p| upper_days.get(p)) {
                None if b == 0 => "Not yet due".to_owned(),
                None => format!("Up to {b}"),
                Some(&prev) if prev.checked_add(1) == Some(b) => format!("{b}"),
                Some(&prev) => format!("{}–{b}", i64::from(prev) + 1),
            });
        }
        labels.push(match upper_days.last() {
            Some(b) => format!("Over {b}"),
            None => "All".to_owned(),
        });
        Buckets::checked(upper_days.to_vec(), labels)
    }

    /// Buckets from `(inclusive upper bound in days, label)` pairs, youngest
    /// first, and the label of the open last bucket.
    pub fn labeled(bounds: &[(i32, &str)], last_label: &str) -> Result<Buckets, PolicyError> {
        let upper_days = bounds.iter().map(|(b, _)| *b).collect();
        let mut labels: Vec<String> = bounds.iter().map(|(_, l)| (*l).to_owned()).collect();
        labels.push(last_label.to_owned());
        Buckets::checked(upper_days, labels)
    }

    fn checked(upper_days: Vec<i32>, labels: Vec<String>) -> Result<Buckets, PolicyError> {
        if labels.len() > MAX_BUCKETS {
            return Err(PolicyError::TooManyBuckets { count: labels.len(), max: MAX_BUCKETS });
        }
        if let Some(&days) = upper_days.iter().find(|d| d.abs() > MAX_BOUNDARY_DAYS) {
            return Err(PolicyError::BoundaryOutOfRange { days, max: MAX_BOUNDARY_DAYS });
        }
        if let Some(w) = upper_days.windows(2).find(|w| w[0] >= w[1]) {
            return Err(PolicyError::BoundariesNotRising { previous: w[0], next: w[1] });
        }
        for (index, label) in labels.iter().enumerate() {
            if label.trim().is_empty() {
                return Err(PolicyError::EmptyLabel { index });
            }
            if labels[..index].contains(label) {
                return Err(PolicyError::DuplicateLabel { label: label.clone() });
            }
        }
        Ok(Buckets { upper_days, labels })
    }

    /// The number of buckets.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always `false`: there is at least one bucket.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels, youngest bucket first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The inclusive upper bounds in days (one fewer than the buckets).
    pub fn upper_bounds(&self) -> &[i32] {
        &self.upper_days
    }

    /// The bucket an age of `days` falls in.
    pub fn bucket_of(&self, days: i32) -> usize {
        self.upper_days.iter().filter(|&&b| days > b).count()
    }

    /// `true` if bucket `index` holds any age of one day or more: what
    /// "overdue" counts under the due-date basis.
    pub fn is_past_due(&self, index: usize) -> bool {
        match self.upper_days.get(index) {
            Some(&upper) => upper >= 1,
            None => index < self.len(),
        }
    }
}

/// How to age: as-of date, basis, buckets and where special items show.
///
/// ```
/// use ar_aging::{AgingBasis, AgingPolicy, Buckets, Placement};
/// use chrono::NaiveDate;
/// let as_of = NaiveDate::from_ymd_opt(2025, 6, 30).ok_or("date")?;
/// let policy = AgingPolicy::new(as_of)
///     .basis(AgingBasis::DocumentDate)
///     .buckets(Buckets::from_upper_bounds(&[30, 60, 90])?)
///     .disputed(Placement::OwnColumn);
/// assert_eq!(policy.get_as_of(), as_of);
/// assert_eq!(policy.get_credit_memos(), Placement::InBucket); // the default
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgingPolicy {
    as_of: NaiveDate,
    basis: AgingBasis,
    buckets: Buckets,
    unapplied_cash: Placement,
    credit_memos: Placement,
    deductions: Placement,
    disputed: Placement,
    future_documents: FutureDocuments,
}

impl AgingPolicy {
    /// The default policy (see the module table) as of `as_of`.
    pub fn new(as_of: NaiveDate) -> Self {
        AgingPolicy {
            as_of,
            basis: AgingBasis::default(),
            buckets: Buckets::standard(),
            unapplied_cash: Placement::default(),
            credit_memos: Placement::default(),
            deductions: Placement::default(),
            disputed: Placement::default(),
            future_documents: FutureDocuments::default(),
        }
    }

    /// Ages by due date or document date.
    pub fn basis(mut self, basis: AgingBasis) -> Self {
        self.basis = basis;
        self
    }

    /// The buckets.
    pub fn buckets(mut self, buckets: Buckets) -> Self {
        self.buckets = buckets;
        self
    }

    /// Where unapplied cash shows.
    pub fn unapplied_cash(mut self, placement: Placement) -> Self {
        self.unapplied_cash = placement;
        self
    }

    /// Where unapplied credit memos show.
    pub fn credit_memos(mut self, placement: Placement) -> Self {
        self.credit_memos = placement;
        self
    }

    /// Where deductions show.
    pub fn deductions(mut self, placement: Placement) -> Self {
        self.deductions = placement;
        self
    }

    /// Where disputed items show. Shown apart, a disputed item goes to the
    /// disputed column whatever its kind.
    pub fn disputed(mut self, placement: Placement) -> Self {
        self.disputed = placement;
        self
    }

    /// What to do with documents dated after the as-of date.
    pub fn future_documents(mut self, future: FutureDocuments) -> Self {
        self.future_documents = future;
        self
    }

    /// The as-of date.
    pub fn get_as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The basis.
    pub fn get_basis(&self) -> AgingBasis {
        self.basis
    }

    /// The buckets.
    pub fn get_buckets(&self) -> &Buckets {
        &self.buckets
    }

    /// Where unapplied cash shows.
    pub fn get_unapplied_cash(&self) -> Placement {
        self.unapplied_cash
    }

    /// Where unapplied credit memos show.
    pub fn get_credit_memos(&self) -> Placement {
        self.credit_memos
    }

    /// Where deductions show.
    pub fn get_deductions(&self) -> Placement {
        self.deductions
    }

    /// Where disputed items show.
    pub fn get_disputed(&self) -> Placement {
        self.disputed
    }

    /// What happens to documents dated after the as-of date.
    pub fn get_future_documents(&self) -> FutureDocuments {
        self.future_documents
    }

    /// The columns this policy shows, in order: every bucket, then each class
    /// shown apart.
    pub fn columns(&self) -> Vec<Column> {
        (0..self.buckets.len()).map(Column::Bucket).chain(self.apart_shown()).collect()
    }

    /// The label of a column: the bucket's label, or the apart column's name.
    pub fn label(&self, column: Column) -> Option<&str> {
        match column {
            Column::Bucket(i) => self.buckets.labels.get(i).map(String::as_str),
            Column::UnappliedCash => Some("Unapplied cash"),
            Column::CreditMemos => Some("Credit memos"),
            Column::Deductions => Some("Deductions"),
            Column::Disputed => Some("Disputed"),
        }
    }

    /// The column an item of this kind and disputed flag goes to.
    pub fn column_for(&self, kind: DocumentKind, disputed: bool, age_days: i32) -> Column {
        self.apart_column(kind, disputed).unwrap_or(Column::Bucket(self.buckets.bucket_of(age_days)))
    }

    /// The apart column for this kind and flag, or `None` if it is aged.
    fn apart_column(&self, kind: DocumentKind, disputed: bool) -> Option<Column> {
        if disputed && self.disputed == Placement::OwnColumn {
            return Some(Column::Disputed);
        }
        let (placement, column) = match kind {
            DocumentKind::UnappliedCash => (self.unapplied_cash, Column::UnappliedCash),
            DocumentKind::CreditMemo => (self.credit_memos, Column::CreditMemos),
            DocumentKind::Deduction => (self.deductions, Column::Deductions),
            DocumentKind::Invoice | DocumentKind::DebitMemo => return None,
        };
        (placement == Placement::OwnColumn).then_some(column)
    }

    /// Cells per result row: every bucket and each apart column shown.
    pub(crate) fn stride(&self) -> usize {
        self.buckets.len() + self.apart_shown().count()
    }

    /// The apart columns shown, in cell order.
    fn apart_shown(&self) -> impl Iterator<Item = Column> {
        let placements = [self.unapplied_cash, self.credit_memos, self.deductions, self.disputed];
        APART_COLUMNS.into_iter().zip(placements).filter(|(_, p)| *p == Placement::OwnColumn).map(|(c, _)| c)
    }

    /// The cell index of a column, if the policy shows it: the buckets, then the
    /// apart columns shown (rows carry no cell for a column not shown).
    pub(crate) fn cell_of(&self, column: Column) -> Option<usize> {
        match column {
            Column::Bucket(i) => (i < self.buckets.len()).then_some(i),
            other => self.apart_shown().position(|c| c == other).map(|p| self.buckets.len() + p),
        }
    }

    /// For a segment class: `None` if aged, else the cell of its apart column.
    pub(crate) fn apart_cell(&self, class: u8) -> Option<usize> {
        let (kind, disputed) = class_parts(class);
        self.apart_column(kind, disputed).and_then(|c| self.cell_of(c))
    }

    /// The as-of date as a day number (days from the common era).
    pub(crate) fn as_of_day(&self) -> i32 {
        chrono::Datelike::num_days_from_ce(&self.as_of)
    }

    /// Thresholds on the aging date: age > bound ⇔ date < as_of − bound.
    /// Falling with the bucket index. Bounds are within ±36 600 days and dates
    /// within chrono's range, so the subtraction cannot overflow.
    pub(crate) fn thresholds(&self) -> Vec<i32> {
        let as_of = self.as_of_day();
        self.buckets.upper_days.iter().map(|b| as_of - b).collect()
    }
}
