//! Who is asking: people with a role, wall screens and agency systems, and what each may
//! see. The server decides; these types only describe.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users, roles, tokens, displays, the catalogue.
    Admin,
    /// Lãnh đạo: sees everything.
    Leader,
    /// Cán bộ trực: sees everything, acknowledges alerts, writes the shift log.
    Operator,
    /// Cán bộ sở, ngành / xã: the province overview and their own agency's data; submits
    /// their agency's figures.
    AgencyOfficer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Leader,
        Role::Operator,
        Role::AgencyOfficer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Operator => "operator",
            Role::AgencyOfficer => "agency_officer",
        }
    }

    pub fn label(self, locale: super::Locale) -> &'static str {
        match self {
            Role::Admin => locale.pick("Quản trị", "Administrator"),
            Role::Leader => locale.pick("Lãnh đạo", "Leader"),
            Role::Operator => locale.pick("Cán bộ trực", "Operator"),
            Role::AgencyOfficer => locale.pick("Cán bộ sở, ngành", "Agency officer"),
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| format!("unknown role '{s}' (admin, leader, operator, agency_officer)"))
    }
}

/// Who a request or a live connection acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    User {
        id: i64,
        username: String,
        name: String,
        role: Role,
        agency: Option<String>,
    },
    /// A wall screen: read-only.
    Display { id: i64, name: String },
    /// An agency's system, through the ingest API.
    AgencyToken { id: i64, agency: String },
}

/// What live values a principal may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    All,
    /// The indicators of the province overview, and every indicator of this agency.
    Agency(String),
    /// No value at all: what anything unforeseen gets.
    Nothing,
}

impl Principal {
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            _ => None,
        }
    }

    /// What this principal may see. Every case is named, so a new kind of principal or role
    /// sees nothing until someone decides otherwise (fails closed).
    pub fn visibility(&self) -> Visibility {
        match self {
            Principal::User {
                role: Role::Admin | Role::Leader | Role::Operator,
                ..
            }
            | Principal::Display { .. } => Visibility::All,
            Principal::User {
                role: Role::AgencyOfficer,
                agency: Some(agency),
                ..
            }
            | Principal::AgencyToken { agency, .. } => Visibility::Agency(agency.clone()),
            // an officer of no agency is not a state the database allows; if it ever
            // happens, it sees nothing
            Principal::User {
                role: Role::AgencyOfficer,
                agency: None,
                ..
            } => Visibility::Nothing,
        }
    }

    /// The agency whose figures this principal may submit, if any.
    pub fn submits_for(&self) -> Option<&str> {
        match self {
            Principal::User {
                role: Role::AgencyOfficer,
                agency,
                ..
            } => agency.as_deref(),
            Principal::AgencyToken { agency, .. } => Some(agency),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    /// For the audit trail: kind, id and a name people recognise.
    pub fn actor(&self) -> (&'static str, String, String) {
        match self {
            Principal::User { id, username, .. } => ("user", id.to_string(), username.clone()),
            Principal::Display { id, name } => ("display", id.to_string(), name.clone()),
            Principal::AgencyToken { id, agency } => (
                "agency_token",
                id.to_string(),
                format!("{agency} token #{id}"),
            ),
        }
    }
}

impl Visibility {
    /// Whether a value of `indicator` (owned by `owner`) may be shown; `overview` holds the
    /// codes of the overview's indicators.
    pub fn allows(&self, indicator: &str, owner: &str, overview: &BTreeSet<String>) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Agency(agency) => owner == agency || overview.contains(indicator),
            Visibility::Nothing => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officers_see_the_overview_and_their_own_agency() {
        let officer = Principal::User {
            id: 1,
            username: "a".into(),
            name: "A".into(),
            role: Role::AgencyOfficer,
            agency: Some("STC".into()),
        };
        let leader = Principal::User {
            id: 2,
            username: "b".into(),
            name: "B".into(),
            role: Role::Leader,
            agency: None,
        };
        let overview: BTreeSet<String> = ["budget.revenue.ytd".to_string()].into();
        let v = officer.visibility();
        assert!(v.allows("budget.revenue.ytd", "KBNN", &overview));
        assert!(v.allows("invest.plan", "STC", &overview));
        assert!(!v.allows("services.overdue", "VPUB", &overview));
        assert!(leader
            .visibility()
            .allows("services.overdue", "VPUB", &overview));
        assert_eq!(officer.submits_for(), Some("STC"));
        // an officer without an agency (never stored, but possible in memory) sees nothing
        let adrift = Principal::User {
            id: 3,
            username: "c".into(),
            name: "C".into(),
            role: Role::AgencyOfficer,
            agency: None,
        };
        assert_eq!(adrift.visibility(), Visibility::Nothing);
        assert!(!adrift
            .visibility()
            .allows("budget.revenue.ytd", "KBNN", &overview));
        assert_eq!(
            Principal::Display {
                id: 1,
                name: "Tường".into()
            }
            .visibility(),
            Visibility::All
        );
        assert_eq!(leader.submits_for(), None);
        assert_eq!("operator".parse::<Role>(), Ok(Role::Operator));
    }
}

/// Who is looking at a screen, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    /// "Quản trị", "Màn hình" …
    pub role: String,
    pub is_admin: bool,
    /// The agency whose figures this viewer may submit.
    pub submits_for: Option<String>,
    /// A wall screen: no menu, no sign-out.
    pub is_display: bool,
    /// A leader, a duty operator or an administrator: may assign tasks from a red value.
    #[serde(default)]
    pub directs: bool,
}

impl Viewer {
    pub fn of(principal: &Principal, locale: super::Locale) -> Viewer {
        match principal {
            Principal::User {
                name, role, agency, ..
            } => Viewer {
                name: name.clone(),
                role: role.label(locale).to_string(),
                is_admin: *role == Role::Admin,
                submits_for: (*role == Role::AgencyOfficer)
                    .then(|| agency.clone())
                    .flatten(),
                is_display: false,
                directs: *role != Role::AgencyOfficer,
            },
            Principal::Display { name, .. } => Viewer {
                name: name.clone(),
                role: locale.pick("Màn hình", "Display").to_string(),
                is_admin: false,
                submits_for: None,
                is_display: true,
                directs: false,
            },
            Principal::AgencyToken { agency, .. } => Viewer {
                name: agency.clone(),
                role: locale.pick("Hệ thống cơ quan", "Agency system").to_string(),
                is_admin: false,
                submits_for: Some(agency.clone()),
                is_display: false,
                directs: false,
            },
        }
    }
}

/// The administration screen's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminData {
    pub viewer: Viewer,
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    pub displays: Vec<DisplayRow>,
    pub audit: Vec<AuditRow>,
    /// Agencies to choose from: (code, short name).
    pub agencies: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub agency: Option<String>,
    pub disabled: bool,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub agency: String,
    pub label: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_seen: Option<String>,
    pub revoked: bool,
    /// Connected to the live stream now (seen within [`DISPLAY_LIVE_WITHIN_SECS`]).
    pub live: bool,
}

/// A wall screen seen this recently is live: each instance marks the walls connected to it
/// seen every 15 seconds (the server's `upkeep::DISPLAYS_SEEN_EVERY`), so two marks missed
/// in a row mean it is gone.
pub const DISPLAY_LIVE_WITHIN_SECS: i64 = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// When, in Vietnam's time to the second, as people read it.
    pub at: String,
    /// The same instant exactly, in UTC (RFC 3339: the entry's evidence, in `<time>`).
    pub at_exact: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

/// The own-account screen's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountData {
    pub viewer: Viewer,
    pub username: String,
    /// The agency's name, for an agency officer.
    pub agency_name: Option<String>,
}

/// An indicator an officer may submit, as the submission screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitIndicator {
    pub code: String,
    pub name: String,
    /// The unit's code (for CSV files) and its name for people (`tỷ đồng`, `%`).
    pub unit: String,
    pub unit_label: String,
    /// How it is reported, with an example period (`theo quý, vd. quý IV/2026`).
    pub period: String,
    /// Reported per commune as well as for the province.
    pub commune_level: bool,
}

/// The agency officers' submission screen's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmitData {
    pub viewer: Viewer,
    pub agency_name: String,
    pub indicators: Vec<SubmitIndicator>,
    /// (code, name for people) of every unit of measure.
    pub units: Vec<(String, String)>,
    /// (code, name) of today's units: the province, then its communes.
    pub areas: Vec<(String, String)>,
    /// A fresh key, so submitting the same form twice stores it once.
    pub key: String,
}
