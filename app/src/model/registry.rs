//! The public-investment registry of a province: investors (chủ đầu tư) and their projects,
//! as data files like the catalogue. Plan and disbursement figures are reported per project;
//! every investor, commune and province figure is a sum of projects (see
//! [`crate::model::money`]).

use serde::{Deserialize, Serialize};

use super::i18n::Locale;

/// What kind of body invests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvestorKind {
    /// A project management board (Ban quản lý dự án).
    Board,
    /// A provincial department or similar body.
    Department,
    /// A commune's or ward's People's Committee.
    Commune,
    Other,
}

/// A chủ đầu tư.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Investor {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub short_vi: String,
    pub short_en: String,
    pub kind: InvestorKind,
    /// The agency it belongs to or reports through, if any.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub agency: Option<String>,
    /// Where it sits: the province or a commune.
    pub area: String,
}

impl Investor {
    pub fn short(&self, locale: Locale) -> &str {
        locale.pick(&self.short_vi, &self.short_en)
    }

    pub fn name(&self, locale: Locale) -> &str {
        locale.pick(&self.name_vi, &self.name_en)
    }
}

/// Where a project's capital comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapitalSource {
    /// Ngân sách Trung ương.
    Central,
    /// Ngân sách địa phương.
    Local,
    /// Vốn ODA và vay ưu đãi nước ngoài.
    Oda,
}

impl CapitalSource {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            CapitalSource::Central => locale.pick("Ngân sách Trung ương", "Central budget"),
            CapitalSource::Local => locale.pick("Ngân sách địa phương", "Local budget"),
            CapitalSource::Oda => locale.pick("Vốn ODA", "ODA"),
        }
    }
}

/// The project's group under the Law on Public Investment, or a national target programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProjectGroup {
    A,
    B,
    C,
    /// Chương trình mục tiêu quốc gia.
    #[serde(rename = "ntp")]
    Ntp,
}

impl ProjectGroup {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            ProjectGroup::A => locale.pick("Nhóm A", "Group A"),
            ProjectGroup::B => locale.pick("Nhóm B", "Group B"),
            ProjectGroup::C => locale.pick("Nhóm C", "Group C"),
            ProjectGroup::Ntp => locale.pick("Chương trình MTQG", "National target programme"),
        }
    }
}

/// A public-investment project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub code: String,
    pub name_vi: String,
    pub investor: String,
    /// The communes it is built in; the first is its commune of record, under which its
    /// figures are summed (and the area of its observations).
    pub communes: Vec<String>,
    pub sector: String,
    pub capital_source: CapitalSource,
    pub group: ProjectGroup,
    pub start_year: i32,
    pub end_year: i32,
    /// `[longitude, latitude]` of its site, where known.
    #[serde(default, skip_serializing_if = "crate::model::compact::absent")]
    pub point: Option<[f64; 2]>,
    /// An invented project of the demo registry.
    #[serde(default)]
    pub demo: bool,
}

impl Project {
    /// The commune its figures are summed under.
    pub fn commune(&self) -> &str {
        self.communes.first().map(String::as_str).unwrap_or("")
    }
}

/// The province's expectations of disbursement through the year: the plan-shaped curve
/// and the bands a rate is judged by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisbursementRules {
    /// Share of the year's plan (%) expected disbursed by the end of each month, January to
    /// December.
    pub expected: [u8; 12],
    /// Share expected by 31 January of the next year, the end of the extension.
    pub expected_by_extension_end: u8,
    /// A rate below this share of the expected one is critical (e.g. 0.6: below 60% of
    /// where it should be).
    #[serde(with = "crate::model::number")]
    pub critical_share_of_expected: rust_decimal::Decimal,
    /// The Government's band for laggards: below this rate (%), once the expected rate is
    /// past it.
    pub low_rate: u8,
    /// Where the curve comes from.
    pub source: String,
}

impl Default for DisbursementRules {
    fn default() -> Self {
        DisbursementRules {
            expected: [2, 5, 8, 12, 18, 30, 36, 41, 47, 58, 70, 85],
            expected_by_extension_end: 95,
            critical_share_of_expected: rust_decimal::Decimal::new(6, 1),
            low_rate: 20,
            source: String::new(),
        }
    }
}
