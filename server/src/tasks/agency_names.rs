//! Agency names as documents write them, matched to the province's agency codes.
//!
//! A plan names its lead and coordinating agencies in words — in full ("Sở Tài chính"), in
//! short ("Sở TC", "VP UBND tỉnh"), by a name from before the 2025 mergers ("Sở Kế hoạch và
//! Đầu tư", now part of the Department of Finance) — and in either Vietnamese tone-mark style
//! ("Ủy ban" / "Uỷ ban", "hóa" / "hoá"). A name matches an agency when, after
//! [`normalise`], it equals the agency's code, full or short name, or one of its former
//! names ([`app::model::catalogue::Agency::former_names`]). Nothing is matched by
//! similarity: a name that is not known is reported, never guessed.

use app::model::Catalogue;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Lower case NFC, one tone-mark style, `&`/`và` and hyphens evened out, one space between
/// words, no punctuation at the ends.
pub fn normalise(name: &str) -> String {
    let nfc: String = name.nfc().collect::<String>().to_lowercase();
    // the old style puts the mark on the second vowel of oa, oe, uy ("hoá", "thuỷ"); the
    // new style on the first ("hóa", "thủy") — read both as the new
    let mut text = nfc;
    for (old, new) in [
        ("oà", "òa"),
        ("oá", "óa"),
        ("oả", "ỏa"),
        ("oã", "õa"),
        ("oạ", "ọa"),
        ("oè", "òe"),
        ("oé", "óe"),
        ("oẻ", "ỏe"),
        ("oẽ", "õe"),
        ("oẹ", "ọe"),
        ("uỳ", "ùy"),
        ("uý", "úy"),
        ("uỷ", "ủy"),
        ("uỹ", "ũy"),
        ("uỵ", "ụy"),
    ] {
        text = text.replace(old, new);
    }
    let text = text
        .replace(['–', '—'], "-")
        .replace(" - ", " ")
        .replace('&', " và ")
        .replace('/', " ")
        .replace(['.', ',', ';', ':', '(', ')'], " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The province's agencies by every name they go by.
pub struct AgencyNames {
    by_name: HashMap<String, String>,
}

impl AgencyNames {
    pub fn new(catalogue: &Catalogue) -> AgencyNames {
        let mut by_name = HashMap::new();
        for agency in &catalogue.agencies {
            let names = [
                &agency.code,
                &agency.name_vi,
                &agency.short_vi,
                &agency.name_en,
            ]
            .into_iter()
            .chain(&agency.former_names);
            for name in names {
                by_name
                    .entry(normalise(name))
                    .or_insert_with(|| agency.code.clone());
            }
        }
        AgencyNames { by_name }
    }

    /// The code of the agency `name` names, if exactly known.
    pub fn code(&self, name: &str) -> Option<&str> {
        self.by_name.get(&normalise(name)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tone_mark_styles_and_the_ampersand_read_alike() {
        assert_eq!(
            normalise("Uỷ ban nhân dân tỉnh"),
            normalise("Ủy ban nhân dân tỉnh")
        );
        assert_eq!(
            normalise("Sở Văn hoá, Thể thao và Du lịch"),
            normalise("Sở Văn hóa, Thể thao và Du lịch")
        );
        assert_eq!(normalise("Sở KH&ĐT"), normalise("Sở KH và ĐT"));
        assert_eq!(normalise("  Sở   Tài chính. "), "sở tài chính");
        // decomposed input (NFD, as some word processors save it) matches too
        let nfd: String = "Sở Tư pháp".nfd().collect();
        assert_eq!(normalise(&nfd), normalise("Sở Tư pháp"));
    }

    #[test]
    fn the_province_agencies_match_by_name_short_name_code_and_former_name() {
        let catalogue = crate::province::load(&crate::province::demo()).unwrap();
        let names = AgencyNames::new(&catalogue);
        assert_eq!(names.code("Sở Tài chính"), Some("STC"));
        assert_eq!(names.code("stc"), Some("STC"));
        assert_eq!(names.code("Sở Kế hoạch và Đầu tư"), Some("STC"));
        assert_eq!(names.code("Sở Thông tin và Truyền thông"), Some("SKHCN"));
        assert_eq!(names.code("Văn phòng UBND tỉnh"), Some("VPUB"));
        assert_eq!(names.code("Sở Giao thông vận tải"), Some("SXD"));
        assert_eq!(names.code("VP/UBND Tỉnh"), Some("VPUB"));
        assert_eq!(
            names.code("UBND các huyện, thị xã, thành phố"),
            Some("UBND-XA")
        );
        assert_eq!(names.code("sở, ban, ngành tỉnh"), Some("SO-NGANH"));
        // a typo is not corrected: it is reported
        assert_eq!(names.code("Văn phòng Ủy ban nhân dân tình"), None);
        // never by similarity
        assert_eq!(names.code("Sở Tài"), None);
        assert_eq!(names.code("Sở Tài chính Hà Nội"), None);
    }
}
