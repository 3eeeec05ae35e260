//! The two languages of the interface. Vietnamese first, English second.
//!
//! Texts are written at the call site in both languages (`locale.pick("Trực tiếp", "Live")`),
//! so a reader sees both and no key can go missing.

use serde::{Deserialize, Serialize};

/// The language the viewer last chose (a person's or a wall screen's, remembered by the
/// server): what a page speaks when its address names none. Set by the server's
/// authentication layer in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen(pub Locale);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Vi,
    En,
}

impl Locale {
    /// Reads a language code (`vi`, `en`, `en-US`, …); anything else is Vietnamese.
    pub fn from_code(code: &str) -> Locale {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::Vi
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }

    /// Chooses the text for this language.
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Locale::Vi => vi,
            Locale::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_fall_back_to_vietnamese() {
        assert_eq!(Locale::from_code("en-GB"), Locale::En);
        assert_eq!(Locale::from_code("fr"), Locale::Vi);
        assert_eq!(Locale::from_code(""), Locale::Vi);
        assert_eq!(Locale::En.pick("Trực tiếp", "Live"), "Live");
    }
}
