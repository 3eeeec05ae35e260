//! The demo province's figures: plausible, and a pure function of the seed and the clock —
//! the same seed and moment always give the same figures, so a restart re-sends the same
//! history (answered from the idempotency records) and tests can rely on it.
//!
//! * Budget revenue accumulates with a monthly pattern and a year-end peak; spending and
//!   its split follow.
//! * Public investment is per project of the registry: plans set on 10 December for the
//!   next year (the Prime Minister's for centrally funded projects, the council's for all),
//!   adjusted for some projects on 15 July; disbursement reported each working day by the
//!   Treasury follows Sơn La's 2025 curve (≈ 9% of plan on 23 April, ≈ 30% on 30 June,
//!   ≈ 47% on 30 September, ≥ 95% only by 31 January of the next year): large projects
//!   start slowly, small ones faster, a few lag far behind; in January the previous year's
//!   capital goes on being disbursed (the extension) while the new year's starts.
//! * Dossiers arrive in office hours with a weekday pattern; on-time and online rates drift
//!   per commune; now and then a commune has a burst of overdue dossiers.
//! * Assigned tasks come from a task book with every kind of Vietnamese deadline (quarter,
//!   month, date, "thường xuyên", "hằng năm"); some finish late, some are overdue.
//! * Monthly, quarterly and yearly figures are reported some days after their period ends.
//!
//! Daily figures are reported at 17:00; streamed ones move through the office day.

use app::model::format::VIETNAM;
use app::model::ingest::ObservationInput;
use app::model::{Catalogue, Level, Period, PeriodKind};
use rust_decimal::prelude::*;
use std::collections::BTreeMap;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

/// Shares of the year's budget revenue collected in each month (December holds the
/// year-end settlement).
const REVENUE_BY_MONTH: [f64; 12] = [
    0.075, 0.06, 0.075, 0.085, 0.075, 0.08, 0.075, 0.075, 0.08, 0.085, 0.09, 0.145,
];
/// The demo's budget year, in đồng: Sơn La's 2025 magnitudes (revenue on the territory
/// ≈ 4.500 tỷ, local spending ≈ 21.218 tỷ; see the province data's notes).
const REVENUE_ESTIMATE: f64 = 4_500e9;
const REVENUE_ESTIMATE_CENTRAL: f64 = 4_235e9;
const SPENDING_ESTIMATE: f64 = 21_218e9;
const SPENDING_ESTIMATE_CENTRAL: f64 = 20_410e9;
/// The public-investment capital plan the council allocates over the registry's projects
/// (≈ 6.600 tỷ once adjusted).
const INVESTMENT_PLAN: f64 = 6_450e9;
/// Shares of revenue: domestic revenue is nearly all of it; land-use fees, lottery and fees
/// are parts of domestic revenue.
const DOMESTIC_SHARE: f64 = 0.965;
const LAND_SHARE: f64 = 0.19;
const LOTTERY_SHARE: f64 = 0.011;
const FEES_SHARE: f64 = 0.048;
/// The share of revenue on the territory collected in the communes and wards themselves
/// (the rest comes from the province's hydropower plants and large enterprises).
const COMMUNE_REVENUE_SHARE: f64 = 0.35;
/// Sơn La's 2025 disbursement, as a share of the plan by day of the plan year (day 0 =
/// 1 January; past 365 the January extension of the next year).
const DISBURSEMENT_CURVE: [(i64, f64); 15] = [
    (0, 0.0),
    (30, 0.02),
    (58, 0.04),
    (89, 0.05),
    (112, 0.068),
    (119, 0.078),
    (150, 0.17),
    (180, 0.30),
    (211, 0.35),
    (242, 0.41),
    (272, 0.50),
    (303, 0.56),
    (333, 0.66),
    (364, 0.82),
    (395, 0.99),
];
/// Dossiers a day across the province (a Tuesday).
const DOSSIERS_A_DAY: f64 = 1_500.0;
/// Daily figures are reported at this hour.
const CLOSING_HOUR: u8 = 17;

/// One value, ready to post.
pub type Figure = ObservationInput;

/// A commune's fixed traits, drawn from the seed.
struct Commune {
    code: String,
    /// Noise keys of its daily draws.
    keys: CommuneKeys,
    /// Its share of dossiers and capital relative to the average commune.
    weight: f64,
    online_base: f64,
    ontime_base: f64,
}

/// A project's fixed traits, drawn from the seed.
struct DemoProject {
    code: String,
    commune: String,
    start_year: i32,
    end_year: i32,
    /// The council's plan in a year it runs, before the year's own noise (đồng).
    plan: f64,
    /// Whether the Prime Minister allocates part of it (central budget or ODA).
    central: bool,
    /// How its disbursement bends the province's curve: above 1 slower early (large works
    /// waiting for site clearance), below 1 faster.
    bend: f64,
    key: u64,
}

struct CommuneKeys {
    dossiers: u64,
    overdue: u64,
    burst: u64,
    burst_size: u64,
    online: u64,
    ontime: u64,
    online_tick: u64,
}

impl CommuneKeys {
    fn of(code: &str) -> CommuneKeys {
        CommuneKeys {
            dossiers: key("dossiers", code),
            overdue: key("overdue", code),
            burst: key("burst", code),
            burst_size: key("burst size", code),
            online: key("online day", code),
            ontime: key("ontime day", code),
            online_tick: key("online tick", code),
        }
    }
}

/// A task assigned by the Provincial People's Committee.
struct Task {
    assigned: Date,
    /// None for "thường xuyên" (ongoing) tasks.
    deadline: Option<Date>,
    completed: Option<Date>,
}

pub struct DemoProvince {
    seed: u64,
    province: String,
    communes: Vec<Commune>,
    /// indicator → owning agency, for the indicators of the catalogue this demo plays.
    owners: BTreeMap<String, String>,
    /// Commune-level indicators (they get a value per commune as well as the total).
    commune_level: Vec<String>,
    tasks: Vec<Task>,
    projects: Vec<DemoProject>,
    /// The province departments of the catalogue (service desks among them).
    departments: Vec<String>,
    /// What the live feed last sent, by (indicator, area, project or desk).
    last_sent: BTreeMap<(String, String, Option<String>), (String, Decimal)>,
}

// ---- deterministic noise ----

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The noise key of a name for one commune (`key("dossiers", code)`), computed once.
fn key(what: &str, code: &str) -> u64 {
    fnv(what) ^ mix(fnv(code))
}

impl DemoProvince {
    /// A number in [0, 1) fixed by the seed, a name and a day.
    fn noise(&self, what: &str, day: Date) -> f64 {
        self.noise_of(fnv(what), day)
    }

    fn noise_of(&self, key: u64, day: Date) -> f64 {
        let z = mix(self.seed ^ mix(key ^ mix(day.to_julian_day() as u64)));
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between_of(&self, key: u64, day: Date, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.noise_of(key, day)
    }

    /// A number in [lo, hi) fixed by the seed, a name and a day.
    fn between(&self, what: &str, day: Date, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.noise(what, day)
    }

    pub fn new(seed: u64, catalogue: &Catalogue) -> DemoProvince {
        let mut demo = DemoProvince {
            seed,
            province: catalogue.province.clone(),
            communes: Vec::new(),
            owners: catalogue
                .indicators
                .iter()
                .map(|i| (i.code.clone(), i.agency.clone()))
                .collect(),
            commune_level: catalogue
                .indicators
                .iter()
                .filter(|i| i.level == Level::Commune)
                .map(|i| i.code.clone())
                .collect(),
            tasks: Vec::new(),
            projects: Vec::new(),
            departments: catalogue
                .agencies
                .iter()
                .filter(|a| a.area.is_none() && a.members.is_none())
                .map(|a| a.code.clone())
                .collect(),
            last_sent: BTreeMap::new(),
        };
        let epoch = Date::MIN;
        let today = crate::demo::today();
        let communes: Vec<Commune> = catalogue
            .areas_on(today)
            .filter(|a| a.is_commune_level())
            .map(|a| Commune {
                code: a.code.clone(),
                keys: CommuneKeys::of(&a.code),
                weight: demo.between(&format!("weight {}", a.code), epoch, 0.4, 1.8)
                    * if a.kind == app::model::AreaKind::Ward {
                        2.0
                    } else {
                        1.0
                    },
                online_base: demo.between(&format!("online {}", a.code), epoch, 28.0, 78.0),
                ontime_base: demo.between(&format!("ontime {}", a.code), epoch, 94.0, 99.5),
            })
            .collect();
        demo.communes = communes;
        demo.projects = demo.projects_of(catalogue);
        // the book covers the backfilled year and the current one
        demo.tasks = (today.year() - 2..=today.year() + 1)
            .flat_map(|y| demo.tasks_of_year(y))
            .collect();
        demo
    }

    /// The agencies this demo plays, each needing a token.
    pub fn agencies(&self) -> Vec<String> {
        let mut agencies: Vec<String> = self.owners.values().cloned().collect();
        agencies.sort();
        agencies.dedup();
        agencies
    }

    fn total_weight(&self) -> f64 {
        self.communes
            .iter()
            .map(|c| c.weight)
            .sum::<f64>()
            .max(1e-9)
    }

    // ---- the models ----

    fn revenue_ytd(&self, date: Date) -> f64 {
        let m = usize::from(u8::from(date.month())) - 1;
        let before: f64 = REVENUE_BY_MONTH[..m].iter().sum();
        let share = before
            + REVENUE_BY_MONTH[m] * f64::from(date.day())
                / f64::from(date.month().length(date.year()));
        REVENUE_ESTIMATE
            * self.between(
                "revenue pace",
                Date::MIN.replace_year(date.year()).unwrap_or(Date::MIN),
                0.94,
                1.06,
            )
            * share
    }

    /// A commune's revenue estimate: its weight's share of what the communes collect.
    fn commune_revenue_estimate(&self, c: &Commune) -> f64 {
        Self::money(REVENUE_ESTIMATE * COMMUNE_REVENUE_SHARE * c.weight / self.total_weight())
    }

    /// A commune's revenue to date: the province's monthly shape at the commune's own
    /// pace for the year (a few collect well behind).
    fn commune_revenue_ytd(&self, c: &Commune, date: Date) -> f64 {
        let year_start = Date::MIN.replace_year(date.year()).unwrap_or(Date::MIN);
        let pace = self.between(
            &format!("commune revenue pace {}", c.code),
            year_start,
            0.62,
            1.12,
        );
        self.commune_revenue_estimate(c) * pace * self.revenue_ytd(date) / REVENUE_ESTIMATE
    }

    /// The registry's projects with their plans scaled to the province's capital plan.
    fn projects_of(&self, catalogue: &Catalogue) -> Vec<DemoProject> {
        use app::model::registry::{CapitalSource, ProjectGroup};
        let epoch = Date::MIN;
        let mut projects: Vec<DemoProject> = catalogue
            .projects
            .iter()
            .map(|p| {
                let k = key("project", &p.code);
                let (lo, hi, bend_lo, bend_hi) = match p.group {
                    ProjectGroup::A => (500e9, 1_100e9, 1.4, 1.6),
                    ProjectGroup::B => (35e9, 160e9, 1.1, 1.35),
                    ProjectGroup::C => (4e9, 28e9, 0.3, 0.8),
                    ProjectGroup::Ntp => (3e9, 20e9, 0.3, 0.85),
                };
                DemoProject {
                    code: p.code.clone(),
                    commune: p.commune().to_string(),
                    start_year: p.start_year,
                    end_year: p.end_year,
                    plan: self.between_of(k ^ 1, epoch, lo, hi),
                    central: p.capital_source != CapitalSource::Local,
                    bend: self.between_of(k ^ 2, epoch, bend_lo, bend_hi),
                    key: k,
                }
            })
            .collect();
        let total: f64 = projects.iter().map(|p| p.plan).sum::<f64>().max(1.0);
        // in a few communes everything lags far behind all year (below 20% into the autumn)
        let communes: Vec<&str> = self.communes.iter().map(|c| c.code.as_str()).collect();
        let laggards: Vec<&str> = (0..4u64)
            .filter_map(|k| {
                communes
                    .get((mix(self.seed ^ (k + 1)) % communes.len().max(1) as u64) as usize)
                    .copied()
            })
            .collect();
        for p in &mut projects {
            p.plan *= INVESTMENT_PLAN / total;
            if laggards.contains(&p.commune.as_str()) {
                p.bend = 3.0;
            }
        }
        projects
    }

    /// Share of the plan disbursed by the end of day `n` of the plan year on the
    /// province's curve.
    fn curve(n: i64) -> f64 {
        let points = &DISBURSEMENT_CURVE;
        for w in points.windows(2) {
            let ((d0, v0), (d1, v1)) = (w[0], w[1]);
            if n <= d1 {
                return v0 + (v1 - v0) * (n - d0).max(0) as f64 / (d1 - d0) as f64;
            }
        }
        points[points.len() - 1].1
    }

    /// A project's plans for `year`: (Prime Minister's, council's, adjusted and the day it
    /// is adjusted), or none if it does not run that year.
    fn plans(&self, p: &DemoProject, year: i32) -> Option<(Option<f64>, f64, Option<f64>)> {
        if year < p.start_year || year > p.end_year {
            return None;
        }
        let y = Date::MIN.replace_year(year).unwrap_or(Date::MIN);
        let council = Self::money(p.plan * self.between_of(p.key ^ 3, y, 0.85, 1.15));
        let pm = p
            .central
            .then(|| Self::money(council * self.between_of(p.key ^ 4, y, 0.55, 0.8)));
        let adjusted = (self.noise_of(p.key ^ 5, y) < 0.3)
            .then(|| Self::money(council * self.between_of(p.key ^ 6, y, 0.95, 1.35)));
        Some((pm, council, adjusted))
    }

    /// What a project has disbursed of `year`'s capital by the end of `date` (đồng, whole
    /// millions): payments on some days only, so the cumulative figure rises in steps and
    /// never falls.
    fn project_disbursed(&self, p: &DemoProject, year: i32, date: Date) -> Option<f64> {
        let (_, council, adjusted) = self.plans(p, year)?;
        let start = Date::from_calendar_date(year, Month::January, 1).ok()?;
        // the last payment day up to `date` (about one working day in three)
        let mut paid = date;
        while paid >= start && self.noise_of(p.key ^ 7, paid) > 0.35 {
            paid = paid.previous_day()?;
        }
        if paid < start {
            return Some(0.0);
        }
        let share = Self::curve((paid - start).whole_days()).powf(p.bend);
        Some(Self::money(adjusted.unwrap_or(council) * share.min(1.0)))
    }

    /// How busy a day of the week is, against a Wednesday.
    fn weekday(date: Date) -> f64 {
        match date.weekday() {
            Weekday::Monday => 1.3,
            Weekday::Tuesday => 1.1,
            Weekday::Wednesday | Weekday::Thursday => 1.0,
            Weekday::Friday => 0.9,
            Weekday::Saturday => 0.15,
            Weekday::Sunday => 0.05,
        }
    }

    /// Dossiers the provincial departments receive on a whole day.
    fn department_dossiers(&self, date: Date) -> f64 {
        DOSSIERS_A_DAY
            * 0.4
            * Self::weekday(date)
            * self.between("department dossiers", date, 0.8, 1.2)
    }

    /// Dossiers a commune receives on a whole day.
    fn dossiers(&self, commune: &Commune, date: Date) -> f64 {
        let weekday = Self::weekday(date);
        let per_commune = DOSSIERS_A_DAY * 0.6 / self.communes.len().max(1) as f64;
        (per_commune * commune.weight / (self.total_weight() / self.communes.len().max(1) as f64)
            * weekday
            * self.between_of(commune.keys.dossiers, date, 0.75, 1.25))
        .round()
    }

    /// Overdue dossiers in a commune on a day: a few, and now and then a burst that lasts
    /// about a week.
    fn overdue(&self, commune: &Commune, date: Date) -> f64 {
        let base = (self.between_of(commune.keys.overdue, date, 0.0, 2.6)).floor();
        let burst: f64 = (0..6)
            .filter_map(|back| {
                let start = date - Duration::days(back);
                (self.noise_of(commune.keys.burst, start) < 0.012).then(|| {
                    self.between_of(commune.keys.burst_size, start, 8.0, 30.0)
                        * (1.0 - back as f64 / 6.0)
                })
            })
            .sum();
        (base + burst).round()
    }

    fn online_rate(&self, commune: &Commune, date: Date) -> f64 {
        let progress = f64::from(date.ordinal()) / 365.0 * 8.0;
        (commune.online_base + progress + self.between_of(commune.keys.online, date, -1.5, 1.5))
            .clamp(5.0, 99.0)
    }

    fn ontime_rate(&self, commune: &Commune, date: Date) -> f64 {
        let hit = self.overdue(commune, date) * 0.15;
        (commune.ontime_base - hit + self.between_of(commune.keys.ontime, date, -0.5, 0.5))
            .clamp(60.0, 100.0)
    }

    /// The departments whose desks at the Provincial Public Administration Service Centre
    /// receive dossiers, with their share of the departments' dossiers (land, construction
    /// and justice records are the busiest).
    const DEPARTMENT_DESKS: [(&'static str, f64); 12] = [
        ("SNNMT", 0.22),
        ("SXD", 0.14),
        ("STP", 0.12),
        ("CAT", 0.10),
        ("STC", 0.08),
        ("SYT", 0.08),
        ("SCT", 0.07),
        ("SGDDT", 0.05),
        ("SNV", 0.05),
        ("SVHTTDL", 0.04),
        ("SKHCN", 0.03),
        ("SDTTG", 0.02),
    ];

    /// A department desk's overdue dossiers on a day: usually none or one, and now and then
    /// a burst (a backlog of land dossiers) that lasts about a week.
    fn department_overdue(&self, code: &str, date: Date) -> f64 {
        let burst: f64 = (0..6)
            .filter_map(|back| {
                let start = date - Duration::days(back);
                (self.noise_of(key("desk burst", code), start) < 0.005).then(|| {
                    self.between_of(key("desk burst size", code), start, 5.0, 18.0)
                        * (1.0 - back as f64 / 6.0)
                })
            })
            .sum();
        (self
            .between_of(key("desk overdue", code), date, 0.0, 1.6)
            .floor()
            + burst)
            .round()
    }

    /// A desk's counts so far on `date` (`office`: the share of the office day gone), from
    /// its whole day's dossiers and its rates.
    fn desk_counts(
        &self,
        desk: &str,
        date: Date,
        office: f64,
        whole_day: f64,
        (online_rate, ontime_rate, overdue): (f64, f64, f64),
    ) -> [(&'static str, f64); 12] {
        use app::model::services as s;
        let draw = |what: &str, lo: f64, hi: f64| self.between_of(key(what, desk), date, lo, hi);
        let received = (whole_day * office).floor();
        let online = (received * online_rate / 100.0).floor();
        let full_online = (online * draw("desk full online", 0.45, 0.7)).floor();
        // what is resolved today is mostly what came in days ago: about a day's worth
        let resolved = (whole_day * office * draw("desk resolved", 0.85, 1.05)).floor();
        let on_time = (resolved * ontime_rate / 100.0).floor();
        let payable = (received * draw("desk payable", 0.25, 0.4)).floor();
        let rated = (resolved * draw("desk rated", 0.15, 0.35)).floor();
        [
            (s::RECEIVED, received),
            (s::ONLINE, online),
            (s::FULL_ONLINE, full_online),
            (s::RESOLVED, resolved),
            (s::ON_TIME, on_time),
            (s::OVERDUE, overdue),
            (
                s::RETURNED,
                (received * draw("desk returned", 0.005, 0.03)).floor(),
            ),
            (
                s::DIGITIZED,
                (resolved * draw("desk digitized", 0.6, 0.95)).floor(),
            ),
            (s::PAYABLE, payable),
            (
                s::PAID_ONLINE,
                (payable * draw("desk paid online", 0.35, 0.85)).floor(),
            ),
            (s::RATED, rated),
            (
                s::SATISFIED,
                (rated * draw("desk satisfied", 0.82, 0.99)).floor(),
            ),
        ]
    }

    /// Every desk's counts so far on `date`: the communes' (the same dossiers as their
    /// overview figures) and the departments'; with the month's publicity rate at closing.
    fn desk_figures(&self, at: OffsetDateTime, office: f64, closing: bool) -> Vec<Option<Figure>> {
        let date = at.to_offset(VIETNAM).date();
        let day = Period::containing(PeriodKind::Day, date);
        let month = Period::containing(PeriodKind::Month, date);
        let mut out = Vec::new();
        let mut push =
            |area: &str, agency: Option<&str>, counts: [(&str, f64); 12], publicity: f64| {
                let with_agency = |f: Figure| Figure {
                    agency: agency.map(str::to_string),
                    ..f
                };
                for (indicator, value) in counts {
                    out.push(
                        self.figure(indicator, area, day, value, "count", at)
                            .map(with_agency),
                    );
                }
                if closing {
                    out.push(
                        self.figure(
                            app::model::services::PUBLICITY,
                            area,
                            month,
                            publicity,
                            "percent",
                            at,
                        )
                        .map(with_agency),
                    );
                }
            };
        for c in &self.communes {
            let rates = (
                self.online_rate(c, date),
                self.ontime_rate(c, date),
                self.overdue(c, date),
            );
            let counts = self.desk_counts(&c.code, date, office, self.dossiers(c, date), rates);
            let publicity =
                self.between_of(key("desk publicity", &c.code), month.start(), 82.0, 100.0);
            push(&c.code, None, counts, publicity);
        }
        let departments = self.department_dossiers(date);
        for (code, share) in Self::DEPARTMENT_DESKS {
            if !self.departments.iter().any(|d| d == code) {
                continue;
            }
            let overdue = self.department_overdue(code, date);
            let rates = (
                self.between_of(key("desk online base", code), Date::MIN, 55.0, 92.0)
                    + self.between_of(key("desk online", code), date, -2.0, 2.0),
                (99.5 - overdue * 0.4 + self.between_of(key("desk ontime", code), date, -1.0, 0.5))
                    .clamp(70.0, 100.0),
                overdue,
            );
            let counts = self.desk_counts(code, date, office, (departments * share).round(), rates);
            let publicity =
                self.between_of(key("desk publicity", code), month.start(), 85.0, 100.0);
            push(&self.province, Some(code), counts, publicity);
        }
        out
    }

    /// The tasks assigned in `year`: the same whatever day the book is made.
    fn tasks_of_year(&self, year: i32) -> Vec<Task> {
        let start = Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN);
        let key = start;
        (0..160)
            .map(|n| {
                let what = format!("task {n}");
                let assigned = start + Duration::days((self.noise(&what, key) * 364.0) as i64);
                let kind = self.noise(&format!("{what} kind"), key);
                let deadline = if kind < 0.3 {
                    // "Quý IV/2026": the end of the quarter after next month
                    Some(
                        Period::containing(PeriodKind::Quarter, assigned + Duration::days(45))
                            .end(),
                    )
                } else if kind < 0.55 {
                    // "Tháng 11/2026"
                    Some(Period::containing(PeriodKind::Month, assigned + Duration::days(30)).end())
                } else if kind < 0.8 {
                    // "30/9/2026"
                    Some(
                        assigned
                            + Duration::days(
                                (20.0 + 100.0 * self.noise(&format!("{what} days"), key)) as i64,
                            ),
                    )
                } else if kind < 0.9 {
                    None // "Thường xuyên"
                } else {
                    Some(Period::containing(PeriodKind::Year, assigned).end()) // "Hằng năm"
                };
                let late = self.noise(&format!("{what} late"), key);
                let completed = deadline.and_then(|d| {
                    if late < 0.07 {
                        None // still open: overdue once its deadline has passed
                    } else if late < 0.2 {
                        Some(d + Duration::days((5.0 + 200.0 * late) as i64))
                    } else {
                        Some(
                            assigned
                                + (d - assigned)
                                    * (0.4 + 0.6 * self.noise(&format!("{what} done"), key)),
                        )
                    }
                });
                Task {
                    assigned,
                    deadline,
                    completed,
                }
            })
            .collect()
    }

    // ---- what is reported when ----

    fn figure(
        &self,
        indicator: &str,
        area: &str,
        period: Period,
        value: f64,
        unit: &str,
        as_of: OffsetDateTime,
    ) -> Option<Figure> {
        self.owners.contains_key(indicator).then(|| Figure {
            indicator: indicator.into(),
            area: area.into(),
            project: None,
            agency: None,
            period: period.to_string(),
            value: Decimal::from_f64(value)
                .unwrap_or_default()
                .round_dp(if unit == "dong" { 0 } else { 2 }),
            unit: unit.into(),
            as_of: Some(as_of),
        })
    }

    fn project_figure(
        &self,
        indicator: &str,
        project: &DemoProject,
        period: Period,
        value: f64,
        as_of: OffsetDateTime,
    ) -> Option<Figure> {
        self.figure(indicator, &project.commune, period, value, "dong", as_of)
            .map(|f| Figure {
                project: Some(project.code.clone()),
                ..f
            })
    }

    fn money(value: f64) -> f64 {
        (value / 1e6).round() * 1e6
    }

    /// Every figure as it stands at `at` on its day: the streamed ones so far today, the
    /// day's closing figures once it is 17:00, and the monthly, quarterly and yearly
    /// figures reported that day.
    pub fn figures_at(&self, at: OffsetDateTime) -> Vec<Figure> {
        let local = at.to_offset(VIETNAM);
        let date = local.date();
        let hours = f64::from(local.hour()) + f64::from(local.minute()) / 60.0;
        let office = ((hours - 7.5) / 9.5).clamp(0.0, 1.0);
        let day = Period::containing(PeriodKind::Day, date);
        let p = &self.province;
        let mut out: Vec<Option<Figure>> = Vec::new();

        // streamed: public services through the day
        let (mut received, mut online_weighted, mut ontime_weighted, mut overdue) =
            (0.0, 0.0, 0.0, 0.0);
        for c in &self.communes {
            let today = (self.dossiers(c, date) * office).floor();
            let online = self.online_rate(c, date)
                + self.between_of(c.keys.online_tick, date, -0.3, 0.3) * office;
            let ontime = self.ontime_rate(c, date);
            let late = self.overdue(c, date);
            received += today;
            online_weighted += online * c.weight;
            ontime_weighted += ontime * c.weight;
            overdue += late;
            out.push(self.figure(
                "services.dossiers.received",
                &c.code,
                day,
                today,
                "count",
                at,
            ));
            out.push(self.figure("services.online.rate", &c.code, day, online, "percent", at));
            out.push(self.figure("services.ontime.rate", &c.code, day, ontime, "percent", at));
            out.push(self.figure("services.overdue", &c.code, day, late, "count", at));
        }
        let departments = (self.department_dossiers(date) * office).floor();
        let w = self.total_weight();
        out.push(self.figure(
            "services.dossiers.received",
            p,
            day,
            received + departments,
            "count",
            at,
        ));
        out.push(self.figure(
            "services.online.rate",
            p,
            day,
            online_weighted / w,
            "percent",
            at,
        ));
        out.push(self.figure(
            "services.ontime.rate",
            p,
            day,
            ontime_weighted / w,
            "percent",
            at,
        ));
        out.push(self.figure(
            "services.overdue",
            p,
            day,
            overdue + self.between("department overdue", date, 0.0, 6.0).floor(),
            "count",
            at,
        ));

        // streamed: each service desk's dossiers through the day
        out.extend(self.desk_figures(at, office, hours >= f64::from(CLOSING_HOUR)));

        // daily, at 17:00
        if hours >= f64::from(CLOSING_HOUR) {
            let closing = at_local(date, CLOSING_HOUR, 0);
            let revenue = self.revenue_ytd(date);
            let last_year = date.replace_year(date.year() - 1).unwrap_or(date);
            out.push(self.figure(
                "budget.revenue.ytd",
                p,
                day,
                Self::money(revenue),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.domestic.ytd",
                p,
                day,
                Self::money(revenue * DOMESTIC_SHARE),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.land.ytd",
                p,
                day,
                Self::money(revenue * DOMESTIC_SHARE * LAND_SHARE),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.fees.ytd",
                p,
                day,
                Self::money(revenue * DOMESTIC_SHARE * FEES_SHARE),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.lottery.ytd",
                p,
                day,
                Self::money(revenue * DOMESTIC_SHARE * LOTTERY_SHARE),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.same_period",
                p,
                day,
                revenue / self.revenue_ytd(last_year).max(1.0) * 100.0 * 1.04,
                "percent",
                closing,
            ));
            for c in &self.communes {
                out.push(self.figure(
                    "budget.commune.revenue.ytd",
                    &c.code,
                    day,
                    Self::money(self.commune_revenue_ytd(c, date)),
                    "dong",
                    closing,
                ));
            }
            let year_share = f64::from(date.ordinal()) / 365.0;
            let spending = SPENDING_ESTIMATE * (0.9 * year_share + 0.1 * year_share.powi(4));
            // the Treasury reports every project's disbursement on working days
            let mut disbursed = 0.0;
            let working = !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
            for proj in &self.projects {
                let Some(done) = self.project_disbursed(proj, date.year(), date) else {
                    continue;
                };
                disbursed += done;
                if working {
                    out.push(self.project_figure(
                        "invest.project.disbursed.ytd",
                        proj,
                        day,
                        done,
                        closing,
                    ));
                }
                if date.month() == Month::January && working {
                    if let Some(last) = self.project_disbursed(proj, date.year() - 1, date) {
                        out.push(self.project_figure(
                            "invest.project.disbursed.extension",
                            proj,
                            day,
                            last,
                            closing,
                        ));
                    }
                }
            }
            out.push(self.figure(
                "budget.spending.ytd",
                p,
                day,
                Self::money(spending),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.spending.investment.ytd",
                p,
                day,
                Self::money(disbursed * 0.92),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.spending.recurrent.ytd",
                p,
                day,
                Self::money((spending - disbursed * 0.92) * 0.97),
                "dong",
                closing,
            ));
            let year_start =
                Date::from_calendar_date(date.year(), Month::January, 1).unwrap_or(date);
            let mut ytd = 0.0;
            let mut by_commune = vec![0.0; self.communes.len()];
            for n in 0..=(date - year_start).whole_days() {
                let d = year_start + Duration::days(n);
                for (i, c) in self.communes.iter().enumerate() {
                    by_commune[i] += self.dossiers(c, d);
                }
                ytd += self.department_dossiers(d);
            }
            for (c, n) in self.communes.iter().zip(&by_commune) {
                out.push(self.figure(
                    "services.dossiers.received.ytd",
                    &c.code,
                    day,
                    *n,
                    "count",
                    closing,
                ));
            }
            out.push(self.figure(
                "services.dossiers.received.ytd",
                p,
                day,
                (ytd + by_commune.iter().sum::<f64>()).round(),
                "count",
                closing,
            ));
            let open = self
                .tasks
                .iter()
                .filter(|t| t.assigned <= date && t.completed.is_none_or(|c| c > date));
            let (open, overdue): (Vec<&Task>, Vec<&Task>) =
                open.partition(|t| t.deadline.is_none_or(|d| d >= date));
            out.push(self.figure(
                "tasks.open",
                p,
                day,
                (open.len() + overdue.len()) as f64,
                "count",
                closing,
            ));
            out.push(self.figure(
                "tasks.overdue",
                p,
                day,
                overdue.len() as f64,
                "count",
                closing,
            ));
            let done = self
                .tasks
                .iter()
                .filter(|t| t.completed.is_some_and(|c| c <= date && c >= year_start))
                .count();
            out.push(self.figure("tasks.completed.ytd", p, day, done as f64, "count", closing));
        }

        // periodic reports, at 09:00 on their day
        if hours >= 9.0 {
            out.extend(self.periodic_reports(date));
        }
        out.into_iter().flatten().collect()
    }

    /// The monthly (5th), quarterly (10th after the quarter) and yearly (estimates on
    /// 10 December for the next year, results on 20 February) figures due on `date`.
    fn periodic_reports(&self, date: Date) -> Vec<Option<Figure>> {
        let p = &self.province;
        let at = at_local(date, 9, 0);
        let mut out = Vec::new();
        let progress = |d: Date| f64::from(d.ordinal()) / 365.0 + f64::from(d.year() - 2025);
        if date.day() == 5 {
            let month = Period::containing(PeriodKind::Month, date - Duration::days(10));
            let end = month.end();
            let f = progress(end);
            let noisy = |what: &str, lo: f64, hi: f64| self.between(what, end, lo, hi);
            out.push(self.figure(
                "invest.disbursement.rate.national",
                p,
                month,
                Self::curve((end - Period::Year(end.year()).start()).whole_days())
                    * 100.0
                    * noisy("national", 1.05, 1.25),
                "percent",
                at,
            ));
            out.push(self.figure(
                "services.satisfaction.rate",
                p,
                month,
                noisy("satisfaction", 88.0, 96.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "services.index766",
                p,
                month,
                76.0 + 6.0 * f.min(1.5) + noisy("766", -2.0, 2.0),
                "points",
                at,
            ));
            out.push(self.figure(
                "services.fullprocess.rate",
                p,
                month,
                (52.0 + 18.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "services.digitized.rate",
                p,
                month,
                (58.0 + 20.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "services.online_payment.rate",
                p,
                month,
                (38.0 + 22.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "services.eid.accounts",
                p,
                month,
                (560_000.0 + 120_000.0 * f).round(),
                "count",
                at,
            ));
            let completed: Vec<&Task> = self
                .tasks
                .iter()
                .filter(|t| t.deadline.is_some() && t.completed.is_some_and(|c| c <= end))
                .collect();
            let on_time = completed
                .iter()
                .filter(|t| t.completed <= t.deadline)
                .count();
            out.push(self.figure(
                "tasks.ontime.rate",
                p,
                month,
                on_time as f64 / completed.len().max(1) as f64 * 100.0,
                "percent",
                at,
            ));
            out.push(self.figure(
                "tasks.tracked.rate",
                p,
                month,
                (88.0 + 10.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.e_documents.rate",
                p,
                month,
                (93.0 + 4.0 * f).min(100.0),
                "percent",
                at,
            ));
            let months = f64::from(u8::from(end.month()));
            out.push(self.figure(
                "economy.retail.ytd",
                p,
                month,
                Self::money(2_650e9 * months * noisy("retail", 0.97, 1.03)),
                "dong",
                at,
            ));
            out.push(self.figure(
                "economy.industry.index",
                p,
                month,
                noisy("iip", 95.0, 106.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "economy.exports.usd.ytd",
                p,
                month,
                // ≈ 16–17 million USD a month (Sơn La, 2025)
                (16.5e6 * months * noisy("exports", 0.95, 1.05) / 1e3).round() * 1e3,
                "usd",
                at,
            ));
            out.push(self.figure(
                "economy.tourists.ytd",
                p,
                month,
                (330_000.0 * months * noisy("tourists", 0.9, 1.1)).round(),
                "count",
                at,
            ));
        }
        if date.day() == 10 && matches!(u8::from(date.month()), 1 | 4 | 7 | 10) {
            let quarter = Period::containing(PeriodKind::Quarter, date - Duration::days(15));
            let f = progress(quarter.end());
            out.push(self.figure(
                "digital.smartphone.rate",
                p,
                quarter,
                (79.0 + 4.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.fibre.household.rate",
                p,
                quarter,
                (61.0 + 7.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.bank_account.rate",
                p,
                quarter,
                (51.0 + 8.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.statistics.rate",
                p,
                quarter,
                (34.0 + 16.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.open_data.rate",
                p,
                quarter,
                (58.0 + 25.0 * f).min(100.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "society.health_insurance.rate",
                p,
                quarter,
                self.between("bhyt", quarter.end(), 94.5, 97.5),
                "percent",
                at,
            ));
        }
        if date.month() == Month::December && date.day() == 10 {
            let next = Period::Year(date.year() + 1);
            out.push(self.figure(
                "budget.revenue.estimate.central",
                p,
                next,
                REVENUE_ESTIMATE_CENTRAL,
                "dong",
                at,
            ));
            out.push(self.figure(
                "budget.revenue.estimate",
                p,
                next,
                REVENUE_ESTIMATE,
                "dong",
                at,
            ));
            out.push(self.figure(
                "budget.spending.estimate",
                p,
                next,
                SPENDING_ESTIMATE,
                "dong",
                at,
            ));
            for c in &self.communes {
                out.push(self.figure(
                    "budget.commune.revenue.estimate",
                    &c.code,
                    next,
                    self.commune_revenue_estimate(c),
                    "dong",
                    at,
                ));
            }
            let estimates = [
                (
                    "budget.revenue.domestic.estimate.central",
                    REVENUE_ESTIMATE_CENTRAL * DOMESTIC_SHARE,
                ),
                (
                    "budget.revenue.domestic.estimate",
                    REVENUE_ESTIMATE * DOMESTIC_SHARE,
                ),
                (
                    "budget.revenue.land.estimate",
                    REVENUE_ESTIMATE * DOMESTIC_SHARE * LAND_SHARE,
                ),
                (
                    "budget.revenue.lottery.estimate",
                    REVENUE_ESTIMATE * DOMESTIC_SHARE * LOTTERY_SHARE,
                ),
                (
                    "budget.revenue.fees.estimate",
                    REVENUE_ESTIMATE * DOMESTIC_SHARE * FEES_SHARE,
                ),
                (
                    "budget.spending.estimate.central",
                    SPENDING_ESTIMATE_CENTRAL,
                ),
                (
                    "budget.spending.investment.estimate",
                    INVESTMENT_PLAN * 0.95,
                ),
                (
                    "budget.spending.recurrent.estimate",
                    SPENDING_ESTIMATE * 0.66,
                ),
            ];
            for (code, value) in estimates {
                out.push(self.figure(code, p, next, Self::money(value), "dong", at));
            }
            for proj in &self.projects {
                if let Some((pm, council, _)) = self.plans(proj, date.year() + 1) {
                    if let Some(pm) = pm {
                        out.push(self.project_figure("invest.project.plan.pm", proj, next, pm, at));
                    }
                    out.push(self.project_figure(
                        "invest.project.plan.council",
                        proj,
                        next,
                        council,
                        at,
                    ));
                }
            }
        }
        if date.month() == Month::July && date.day() == 15 {
            let year = Period::Year(date.year());
            for proj in &self.projects {
                if let Some((_, _, Some(adjusted))) = self.plans(proj, date.year()) {
                    out.push(self.project_figure(
                        "invest.project.plan.adjusted",
                        proj,
                        year,
                        adjusted,
                        at,
                    ));
                }
            }
        }
        if date.month() == Month::February && date.day() == 20 {
            let last = Period::Year(date.year() - 1);
            let end = last.end();
            out.push(self.figure(
                "digital.ecommerce.share",
                p,
                last,
                self.between("ecommerce", end, 5.2, 7.4),
                "percent",
                at,
            ));
            out.push(self.figure(
                "digital.economy.share",
                p,
                last,
                self.between("digital economy", end, 7.5, 10.5),
                "percent",
                at,
            ));
            out.push(self.figure(
                "society.school_enrolment.rate",
                p,
                last,
                self.between("enrolment", end, 98.8, 99.9),
                "percent",
                at,
            ));
            let mut poverty = 0.0;
            for c in &self.communes {
                let rate = self.between(&format!("poverty {}", c.code), end, 3.0, 38.0)
                    / c.weight.max(0.5);
                poverty += rate * c.weight;
                out.push(self.figure(
                    "society.poverty.rate",
                    &c.code,
                    last,
                    rate.min(60.0),
                    "percent",
                    at,
                ));
            }
            out.push(self.figure(
                "society.poverty.rate",
                p,
                last,
                poverty / self.total_weight(),
                "percent",
                at,
            ));
        }
        out
    }

    /// The monthly, quarterly and yearly figures reported on `day` (only those).
    pub fn reports(&self, day: Date) -> Vec<Figure> {
        self.periodic_reports(day).into_iter().flatten().collect()
    }

    /// The closing figures of `day`, for the backfill.
    pub fn history(&self, day: Date) -> Vec<Figure> {
        self.figures_at(at_local(day, 23, 30))
    }

    /// The figures that changed since the last call (or all of them, the first time),
    /// grouped by agency.
    pub fn changes(&mut self, at: OffsetDateTime) -> Vec<(String, Vec<Figure>)> {
        let mut changed = Vec::new();
        for f in self.figures_at(at) {
            let key = (
                f.indicator.clone(),
                f.area.clone(),
                f.project.clone().or(f.agency.clone()),
            );
            let same = self
                .last_sent
                .get(&key)
                .is_some_and(|(period, value)| *period == f.period && *value == f.value);
            if !same {
                self.last_sent.insert(key, (f.period.clone(), f.value));
                changed.push(f);
            }
        }
        self.by_agency(changed)
    }

    pub fn by_agency(&self, figures: Vec<Figure>) -> Vec<(String, Vec<Figure>)> {
        let mut grouped: BTreeMap<String, Vec<Figure>> = BTreeMap::new();
        for f in figures {
            if let Some(agency) = self.owners.get(&f.indicator) {
                grouped.entry(agency.clone()).or_default().push(f);
            }
        }
        grouped.into_iter().collect()
    }

    /// Whether `indicator` has values per commune.
    pub fn is_commune_level(&self, indicator: &str) -> bool {
        self.commune_level.iter().any(|c| c == indicator)
    }
}

/// Whether `figure` is a service desk's (dossier counts or publicity).
pub fn is_desk_figure(figure: &Figure) -> bool {
    app::model::services::DAILY.contains(&figure.indicator.as_str())
        || figure.indicator == app::model::services::PUBLICITY
}

fn at_local(date: Date, hour: u8, minute: u8) -> OffsetDateTime {
    date.with_time(Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT))
        .assume_offset(VIETNAM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::validate::validate;
    use std::collections::{HashMap, HashSet};
    use time::macros::{date, datetime};

    fn catalogue() -> Catalogue {
        crate::province::load(&crate::province::demo()).unwrap()
    }

    fn value(figures: &[Figure], indicator: &str, area: &str) -> f64 {
        figures
            .iter()
            .find(|f| f.indicator == indicator && f.area == area)
            .unwrap_or_else(|| panic!("no {indicator} for {area}"))
            .value
            .to_f64()
            .unwrap()
    }

    #[test]
    fn service_desks_report_their_dossiers_through_the_office_day() {
        use app::model::services as s;
        let demo = DemoProvince::new(3, &catalogue());
        let monday = demo.figures_at(datetime!(2026-11-23 18:00 +07:00));
        let desk = |indicator: &str, area: &str, agency: Option<&str>| {
            monday
                .iter()
                .find(|f| {
                    f.indicator == indicator && f.area == area && f.agency.as_deref() == agency
                })
                .unwrap_or_else(|| panic!("no {indicator} for {area} {agency:?}"))
                .value
                .to_f64()
                .unwrap()
        };
        // a commune's desk received the dossiers its overview figure counts
        let commune = demo.communes[0].code.clone();
        assert_eq!(
            desk(s::RECEIVED, &commune, None),
            value(&monday, "services.dossiers.received", &commune)
        );
        // every department desk reports for the province, naming itself
        for (code, _) in DemoProvince::DEPARTMENT_DESKS {
            let received = desk(s::RECEIVED, "14", Some(code));
            assert!(received > 0.0, "{code} received nothing on a Monday");
            // parts never pass their wholes
            assert!(desk(s::ONLINE, "14", Some(code)) <= received);
            assert!(desk(s::FULL_ONLINE, "14", Some(code)) <= desk(s::ONLINE, "14", Some(code)));
            assert!(desk(s::ON_TIME, "14", Some(code)) <= desk(s::RESOLVED, "14", Some(code)));
            assert!(desk(s::SATISFIED, "14", Some(code)) <= desk(s::RATED, "14", Some(code)));
            assert!(desk(s::PAID_ONLINE, "14", Some(code)) <= desk(s::PAYABLE, "14", Some(code)));
            // the month's publicity is reported at closing
            let publicity = monday
                .iter()
                .find(|f| f.indicator == s::PUBLICITY && f.agency.as_deref() == Some(code))
                .expect("publicity at closing");
            assert_eq!(publicity.period, "2026-11");
        }
        // nothing before the office opens, no publicity before closing
        let early = demo.figures_at(datetime!(2026-11-23 07:00 +07:00));
        assert!(early
            .iter()
            .filter(|f| f.indicator == s::RECEIVED)
            .all(|f| f.value.is_zero()));
        assert!(!early.iter().any(|f| f.indicator == s::PUBLICITY));
        // now and then a department's backlog: over a year some desk has a burst
        let bursts = (0..365)
            .map(|n| datetime!(2026-01-01 18:00 +07:00) + Duration::days(n))
            .filter(|at| {
                let date = at.to_offset(VIETNAM).date();
                DemoProvince::DEPARTMENT_DESKS
                    .iter()
                    .any(|(code, _)| demo.department_overdue(code, date) >= 5.0)
            })
            .count();
        assert!((5..150).contains(&bursts), "{bursts} days with a backlog");
    }

    #[test]
    fn the_same_seed_gives_the_same_figures() {
        let c = catalogue();
        let at = datetime!(2026-11-23 18:00 +07:00);
        assert_eq!(
            DemoProvince::new(7, &c).figures_at(at),
            DemoProvince::new(7, &c).figures_at(at)
        );
        assert_eq!(
            DemoProvince::new(7, &c).history(date!(2026 - 03 - 05)),
            DemoProvince::new(7, &c).history(date!(2026 - 03 - 05))
        );
        assert_ne!(
            DemoProvince::new(8, &c).figures_at(at),
            DemoProvince::new(7, &c).figures_at(at)
        );
    }

    #[test]
    fn a_year_of_figures_passes_the_same_validation_as_agency_data() {
        let c = catalogue();
        let demo = DemoProvince::new(2025, &c);
        let mut indicators = HashSet::new();
        // the as-of time of the latest figure sent for each indicator, area and period: a
        // later batch never sends an older one (the server would refuse it)
        let mut latest: HashMap<(String, String, Option<String>, String), OffsetDateTime> =
            HashMap::new();
        // fourteen months, through December (next year's plans from 1 December) and the
        // January extension; each day's batches checked at the time they are sent
        let mut day = date!(2025 - 12 - 01);
        while day < date!(2027 - 02 - 05) {
            let now = at_local(day, 23, 30);
            for (agency, batch) in demo.by_agency(demo.history(day)) {
                let body = serde_json::to_vec(&app::model::ingest::ObservationBatch {
                    observations: batch.clone(),
                })
                .unwrap();
                let items = crate::ingest::item::parse_batch(&body, 100_000).unwrap();
                if let Err(refusal) = validate(&c, &agency, &items, now) {
                    panic!(
                        "{day} {agency}: {:?}",
                        refusal.invalid.first().or(refusal.forbidden.first())
                    );
                }
                for f in &batch {
                    let as_of = f.as_of.expect("every demo figure says when it is from");
                    let key = (
                        f.indicator.clone(),
                        f.area.clone(),
                        f.project.clone(),
                        f.period.clone(),
                    );
                    if let Some(before) = latest.insert(key.clone(), as_of) {
                        assert!(
                            before <= as_of,
                            "{day}: {key:?} goes back from {before} to {as_of}"
                        );
                    }
                }
                indicators.extend(batch.iter().map(|f| f.indicator.clone()));
            }
            day = day.next_day().unwrap();
        }
        let missing: Vec<&str> = c
            .indicators
            .iter()
            .map(|i| i.code.as_str())
            .filter(|i| !indicators.contains(*i))
            .collect();
        assert!(
            missing.is_empty(),
            "the demo gives every indicator a history; missing: {missing:?}"
        );
    }

    #[test]
    fn revenue_accumulates_and_peaks_in_december() {
        let demo = DemoProvince::new(1, &catalogue());
        let r = |m: u8, d: u8| {
            demo.revenue_ytd(
                Date::from_calendar_date(2026, Month::try_from(m).unwrap(), d).unwrap(),
            )
        };
        assert!(r(3, 1) < r(6, 1));
        let december = r(12, 31) - r(11, 30);
        let june = r(6, 30) - r(5, 31);
        assert!(december > june * 1.5, "year-end peak");
        // the year's revenue is near the 4.500 tỷ estimate, about 375 tỷ a month
        assert!((4_100e9..4_900e9).contains(&r(12, 31)), "{}", r(12, 31));
        assert!((250e9..450e9).contains(&june), "{june}");
    }

    /// The demo's projects' figures for `year` on `date`, as the money view sums them.
    fn disbursement(
        demo: &DemoProvince,
        year: i32,
        date: Date,
    ) -> std::collections::HashMap<String, app::model::money::ProjectFigures> {
        use app::model::money::{Plans, ProjectFigures};
        let dec = |v: f64| Decimal::from_f64(v).unwrap();
        demo.projects
            .iter()
            .filter_map(|p| {
                let (pm, council, adjusted) = demo.plans(p, year)?;
                let adjusted =
                    adjusted.filter(|_| date >= date!(2026 - 07 - 15).replace_year(year).unwrap());
                Some((
                    p.code.clone(),
                    ProjectFigures {
                        plans: Plans {
                            pm: pm.map(dec),
                            council: Some(dec(council)),
                            adjusted: adjusted.map(dec),
                        },
                        disbursed: dec(demo.project_disbursed(p, year, date)?),
                        ..Default::default()
                    },
                ))
            })
            .collect()
    }

    #[test]
    fn disbursement_runs_like_son_la_2025() {
        use app::model::money::{totals, By};
        let c = catalogue();
        let demo = DemoProvince::new(2025, &c);
        let rate = |date: Date, year: i32| {
            totals(&c, &disbursement(&demo, year, date), By::Province)["14"]
                .rate()
                .unwrap()
                .to_f64()
                .unwrap()
        };
        let plan = totals(
            &c,
            &disbursement(&demo, 2026, date!(2026 - 12 - 31)),
            By::Province,
        )["14"]
            .plan;
        let plan = plan.to_f64().unwrap();
        assert!((6_300e9..6_900e9).contains(&plan), "plan in force {plan}");
        for (date, lo, hi) in [
            (date!(2026 - 04 - 23), 7.0, 11.0),
            (date!(2026 - 06 - 30), 24.0, 34.0),
            (date!(2026 - 09 - 30), 40.0, 52.0),
            (date!(2027 - 01 - 31), 93.0, 100.0),
        ] {
            let r = rate(date, 2026);
            assert!((lo..=hi).contains(&r), "{date}: {r}%");
        }
        // in late April many investors are below 20%, led by the large works
        let april = totals(
            &c,
            &disbursement(&demo, 2026, date!(2026 - 04 - 23)),
            By::Investor,
        );
        let below = april
            .values()
            .filter(|t| t.rate().is_some_and(|r| r < Decimal::from(20)))
            .count();
        assert!(
            (14..=26).contains(&below),
            "{below} investors below 20% of {}",
            april.len()
        );
        // a few communes still below 20% at the end of September
        let september = totals(
            &c,
            &disbursement(&demo, 2026, date!(2026 - 09 - 30)),
            By::Commune,
        );
        let lagging = september
            .values()
            .filter(|t| t.rate().is_some_and(|r| r < Decimal::from(20)))
            .count();
        assert!(
            (1..=10).contains(&lagging),
            "{lagging} communes below 20% in September"
        );
        // cumulative figures never fall
        let p = &demo.projects[0];
        let mut last = 0.0;
        let mut day = date!(2026 - 01 - 01);
        while day <= date!(2026 - 12 - 31) {
            let v = demo.project_disbursed(p, 2026, day).unwrap();
            assert!(v >= last, "{day}");
            last = v;
            day = day.next_day().unwrap();
        }
    }

    #[test]
    fn communes_collect_revenue_against_their_own_estimates() {
        let demo = DemoProvince::new(3, &catalogue());
        let estimates: Vec<Figure> = demo
            .reports(date!(2025 - 12 - 10))
            .into_iter()
            .filter(|f| f.indicator == "budget.commune.revenue.estimate")
            .collect();
        assert_eq!(
            estimates.len(),
            demo.communes.len(),
            "one estimate per commune"
        );
        assert!(
            estimates.iter().all(|f| f.period == "2026"),
            "for the next year"
        );
        let total: f64 = estimates.iter().map(|f| f.value.to_f64().unwrap()).sum();
        assert!(
            (total / (REVENUE_ESTIMATE * COMMUNE_REVENUE_SHARE) - 1.0).abs() < 0.01,
            "the communes' estimates are their share of the province's: {total}"
        );
        // on 30 June most communes are near half of their estimate, a few far behind
        let june = demo.history(date!(2026 - 06 - 30));
        let shares: Vec<f64> = estimates
            .iter()
            .map(|e| {
                value(&june, "budget.commune.revenue.ytd", &e.area) / e.value.to_f64().unwrap()
                    * 100.0
            })
            .collect();
        let behind = shares.iter().filter(|s| **s < 0.7 * 49.6).count();
        assert!(
            shares.iter().all(|s| (20.0..70.0).contains(s)),
            "{shares:?}"
        );
        assert!(
            (1..shares.len() / 2).contains(&behind),
            "{behind} communes below 70% of the year's share"
        );
    }

    #[test]
    fn dossiers_follow_the_office_day_and_the_week() {
        let demo = DemoProvince::new(3, &catalogue());
        let at = |s: OffsetDateTime| value(&demo.figures_at(s), "services.dossiers.received", "14");
        assert_eq!(
            at(datetime!(2026-11-23 07:00 +07:00)),
            0.0,
            "nothing before the office opens"
        );
        assert!(at(datetime!(2026-11-23 12:00 +07:00)) < at(datetime!(2026-11-23 16:00 +07:00)));
        // a Monday is busier than a Sunday
        assert!(
            at(datetime!(2026-11-23 18:00 +07:00)) > 3.0 * at(datetime!(2026-11-22 18:00 +07:00))
        );
        // daily figures are reported at 17:00, not before
        assert!(!demo
            .figures_at(datetime!(2026-11-23 16:59 +07:00))
            .iter()
            .any(|f| f.indicator == "budget.revenue.ytd"));
        assert!(demo
            .figures_at(datetime!(2026-11-23 17:00 +07:00))
            .iter()
            .any(|f| f.indicator == "budget.revenue.ytd"));
    }

    #[test]
    fn tasks_have_every_kind_of_deadline_and_some_are_overdue() {
        let demo = DemoProvince::new(4, &catalogue());
        let kinds: HashSet<&str> = demo
            .tasks
            .iter()
            .map(|t| match t.deadline {
                None => "ongoing",
                Some(d) if d == Period::containing(PeriodKind::Year, d).end() => {
                    "yearly or quarter"
                }
                Some(d) if d == Period::containing(PeriodKind::Quarter, d).end() => "quarter",
                Some(d) if d == Period::containing(PeriodKind::Month, d).end() => "month",
                Some(_) => "date",
            })
            .collect();
        assert!(kinds.len() >= 4, "{kinds:?}");
        let figures = demo.figures_at(datetime!(2026-11-23 17:30 +07:00));
        assert!(value(&figures, "tasks.overdue", "14") > 0.0);
        assert!(value(&figures, "tasks.open", "14") > value(&figures, "tasks.overdue", "14"));
    }

    #[test]
    fn live_changes_only_send_what_moved() {
        let mut demo = DemoProvince::new(5, &catalogue());
        let first: usize = demo
            .changes(datetime!(2026-11-23 10:00 +07:00))
            .iter()
            .map(|(_, b)| b.len())
            .sum();
        let again: usize = demo
            .changes(datetime!(2026-11-23 10:00 +07:00))
            .iter()
            .map(|(_, b)| b.len())
            .sum();
        let later: usize = demo
            .changes(datetime!(2026-11-23 10:05 +07:00))
            .iter()
            .map(|(_, b)| b.len())
            .sum();
        assert!(first > 300);
        assert_eq!(again, 0);
        assert!(later > 0 && later < first);
    }
}
