//! ISO 4217 currencies and their minor units.
//!
//! Every amount in `ar` knows its currency, and the currency decides the scale an
//! amount must have: two decimals for USD, none for JPY, three for KWD.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A currency: its ISO 4217 alphabetic code and the number of decimals (minor units)
/// an amount in it carries.
///
/// ```
/// use ar_core::Currency;
/// let yen: Currency = "JPY".parse()?;
/// assert_eq!(yen.minor_units(), 0);
/// assert_eq!(Currency::KWD.minor_units(), 3);
/// assert_eq!(Currency::USD.code(), "USD");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// The code given is not an active ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{code}' is not an active ISO 4217 currency code")]
pub struct UnknownCurrency {
    /// The code as it was given.
    pub code: String,
}

macro_rules! currencies {
    ($( $code:ident = $units:literal ),* $(,)?) => {
        impl Currency {
            $(
                #[doc = concat!("The ", stringify!($code), " currency (", stringify!($units), " minor units).")]
                pub const $code: Currency = Currency::from_table(stringify!($code), $units);
            )*
        }
        /// All active ISO 4217 currencies, sorted by code.
        const ALL: &[Currency] = &[$( Currency::$code ),*];
    };
}

// Active ISO 4217 codes with their minor units (list of 2025, funds codes included,
// precious metals and testing codes without minor units left out).
currencies! {
    AED = 2, AFN = 2, ALL = 2, AMD = 2, ANG = 2, AOA = 2, ARS = 2, AUD = 2, AWG = 2, AZN = 2,
    BAM = 2, BBD = 2, BDT = 2, BGN = 2, BHD = 3, BIF = 0, BMD = 2, BND = 2, BOB = 2, BOV = 2,
    BRL = 2, BSD = 2, BTN = 2, BWP = 2, BYN = 2, BZD = 2, CAD = 2, CDF = 2, CHE = 2, CHF = 2,
    CHW = 2, CLF = 4, CLP = 0, CNY = 2, COP = 2, COU = 2, CRC = 2, CUP = 2, CVE = 2, CZK = 2,
    DJF = 0, DKK = 2, DOP = 2, DZD = 2, EGP = 2, ERN = 2, ETB = 2, EUR = 2, FJD = 2, FKP = 2,
    GBP = 2, GEL = 2, GHS = 2, GIP = 2, GMD = 2, GNF = 0, GTQ = 2, GYD = 2, HKD = 2, HNL = 2,
    HTG = 2, HUF = 2, IDR = 2, ILS = 2, INR = 2, IQD = 3, IRR = 2, ISK = 0, JMD = 2, JOD = 3,
    JPY = 0, KES = 2, KGS = 2, KHR = 2, KMF = 0, KPW = 2, KRW = 0, KWD = 3, KYD = 2, KZT = 2,
    LAK = 2, LBP = 2, LKR = 2, LRD = 2, LSL = 2, LYD = 3, MAD = 2, MDL = 2, MGA = 2, MKD = 2,
    MMK = 2, MNT = 2, MOP = 2, MRU = 2, MUR = 2, MVR = 2, MWK = 2, MXN = 2, MXV = 2, MYR = 2,
    MZN = 2, NAD = 2, NGN = 2, NIO = 2, NOK = 2, NPR = 2, NZD = 2, OMR = 3, PAB = 2, PEN = 2,
    PGK = 2, PHP = 2, PKR = 2, PLN = 2, PYG = 0, QAR = 2, RON = 2, RSD = 2, RUB = 2, RWF = 0,
    SAR = 2, SBD = 2, SCR = 2, SDG = 2, SEK = 2, SGD = 2, SHP = 2, SLE = 2, SOS = 2, SRD = 2,
    SSP = 2, STN = 2, SVC = 2, SYP = 2, SZL = 2, THB = 2, TJS = 2, TMT = 2, TND = 3, TOP = 2,
    TRY = 2, TTD = 2, TWD = 2, TZS = 2, UAH = 2, UGX = 0, USD = 2, USN = 2, UYI = 0, UYU = 2,
    UYW = 4, UZS = 2, VED = 2, VES = 2, VND = 0, VUV = 0, WST = 2, XAF = 0, XCD = 2, XCG = 2,
    XOF = 0, XPF = 0, YER = 2, ZAR = 2, ZMW = 2, ZWG = 2,
}

impl Currency {
    const fn from_table(code: &str, minor_units: u8) -> Currency {
        let b = code.as_bytes();
        Currency { code: [b[0], b[1], b[2]], minor_units }
    }

    /// Looks up an active ISO 4217 currency by its three-letter code (upper case).
    ///
    /// ```
    /// use ar_core::Currency;
    /// assert_eq!(Currency::from_code("CLP")?.minor_units(), 0);
    /// assert!(Currency::from_code("XYZ").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_code(code: &str) -> Result<Currency, UnknownCurrency> {
        let bytes = code.as_bytes();
        ALL.binary_search_by(|c| c.code.as_slice().cmp(bytes))
            .map(|i| ALL[i])
            .map_err(|_| UnknownCurrency { code: code.to_owned() })
    }

    /// The three-letter code, e.g. `"EUR"`.
    pub fn code(&self) -> &str {
        // The table holds only ASCII letters.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// The number of decimals an amount in this currency carries.
    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// Every active currency this crate knows, sorted by code.
    pub fn all() -> &'static [Currency] {
        ALL
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_so_lookup_finds_every_code() {
        for w in ALL.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0], w[1]);
        }
        for c in ALL {
            assert_eq!(Currency::from_code(c.code()), Ok(*c));
        }
    }

    #[test]
    fn minor_units_of_awkward_currencies() {
        for (code, units) in
            [("USD", 2), ("JPY", 0), ("KWD", 3), ("CLP", 0), ("BHD", 3), ("CLF", 4), ("KRW", 0), ("EUR", 2)]
        {
            assert_eq!(Currency::from_code(code).map(|c| c.minor_units()), Ok(units), "{code}");
        }
    }

    #[test]
    fn unknown_and_lower_case_codes_are_rejected() {
        for code in ["usd", "XXX", "XAU", "", "US", "USDD", "\u{1F4B0}"] {
            assert!(Currency::from_code(code).is_err(), "{code}");
        }
    }

    #[test]
    fn serde_uses_the_code() -> Result<(), serde_json::Error> {
        assert_eq!(serde_json::to_string(&Currency::KWD)?, "\"KWD\"");
        assert_eq!(serde_json::from_str::<Currency>("\"JPY\"")?, Currency::JPY);
        assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
        Ok(())
    }
}
