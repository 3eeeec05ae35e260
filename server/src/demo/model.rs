//! The demo province's figures: plausible, and a pure function of the seed and the clock —
//! the same seed and moment always give the same figures, so a restart re-sends the same
//! history (answered from the idempotency records) and tests can rely on it.
//!
//! * Budget revenue accumulates with a monthly pattern and a year-end peak; spending and
//!   its split follow.
//! * Public investment follows the slow-first-half, fourth-quarter-rush S-curve, per
//!   commune (as investor) with its own pace; a few communes lag below 20%.
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
/// The demo's budget and investment year, in đồng.
const REVENUE_ESTIMATE: f64 = 5_450e9;
const REVENUE_ESTIMATE_CENTRAL: f64 = 4_900e9;
const SPENDING_ESTIMATE: f64 = 14_200e9;
const INVESTMENT_PLAN: f64 = 4_860e9;
const INVESTMENT_PLAN_GOVERNMENT: f64 = 4_630e9;
/// Part of the capital plan whose investors are the communes' People's Committees.
const COMMUNE_CAPITAL_SHARE: f64 = 0.35;
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
    /// How fast its investment disburses (1 = on the provincial curve).
    pace: f64,
    online_base: f64,
    ontime_base: f64,
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
    /// What the live feed last sent, by (indicator, area).
    last_sent: BTreeMap<(String, String), (String, Decimal)>,
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
            last_sent: BTreeMap::new(),
        };
        let epoch = Date::MIN;
        let today = crate::demo::today();
        let mut communes: Vec<Commune> = catalogue
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
                pace: demo.between(&format!("pace {}", a.code), epoch, 0.85, 1.12),
                online_base: demo.between(&format!("online {}", a.code), epoch, 28.0, 78.0),
                ontime_base: demo.between(&format!("ontime {}", a.code), epoch, 94.0, 99.5),
            })
            .collect();
        // a few communes lag far behind on disbursement (below 20% late in the year)
        let n = communes.len();
        for k in 0..n.min(4) {
            let i = (mix(seed ^ (k as u64 + 1)) % n as u64) as usize;
            communes[i].pace = demo.between(&format!("laggard {k}"), epoch, 0.18, 0.27);
        }
        demo.communes = communes;
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

    /// Share of a capital plan disbursed by the end of `date`: slow first half, Q4 rush.
    fn s_curve(date: Date) -> f64 {
        let f = f64::from(date.ordinal()) / f64::from(time::util::days_in_year(date.year()));
        (0.04 * f + 0.96 * f.powi(3)).min(1.0)
    }

    fn disbursed(&self, pace: f64, plan: f64, date: Date) -> f64 {
        plan * (pace * Self::s_curve(date)).min(1.0)
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
            period: period.to_string(),
            value: Decimal::from_f64(value)
                .unwrap_or_default()
                .round_dp(if unit == "dong" { 0 } else { 2 }),
            unit: unit.into(),
            as_of: Some(as_of),
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
                Self::money(revenue * 0.71),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.land.ytd",
                p,
                day,
                Self::money(revenue * 0.14),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "budget.revenue.fees.ytd",
                p,
                day,
                Self::money(revenue * 0.05),
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
            let year_share = f64::from(date.ordinal()) / 365.0;
            let spending = SPENDING_ESTIMATE * (0.9 * year_share + 0.1 * year_share.powi(4));
            let (mut plan_communes, mut disbursed_communes) = (0.0, 0.0);
            for c in &self.communes {
                let plan = INVESTMENT_PLAN * COMMUNE_CAPITAL_SHARE * c.weight / w;
                let done = self.disbursed(c.pace, plan, date);
                plan_communes += plan;
                disbursed_communes += done;
                out.push(self.figure(
                    "invest.disbursed.ytd",
                    &c.code,
                    day,
                    Self::money(done),
                    "dong",
                    closing,
                ));
                out.push(self.figure(
                    "invest.disbursement.rate",
                    &c.code,
                    day,
                    done / plan * 100.0,
                    "percent",
                    closing,
                ));
            }
            let provincial = self.disbursed(0.97, INVESTMENT_PLAN - plan_communes, date);
            let disbursed = disbursed_communes + provincial;
            out.push(self.figure(
                "invest.disbursed.ytd",
                p,
                day,
                Self::money(disbursed),
                "dong",
                closing,
            ));
            out.push(self.figure(
                "invest.disbursement.rate",
                p,
                day,
                disbursed / INVESTMENT_PLAN * 100.0,
                "percent",
                closing,
            ));
            out.push(self.figure(
                "invest.projects.lagging",
                p,
                day,
                (180.0 * (1.0 - (Self::s_curve(date) * 2.5).min(1.0)) + 6.0).round(),
                "count",
                closing,
            ));
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
                Self::money(spending - disbursed * 0.92),
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
                Self::s_curve(end) * 100.0 * noisy("national", 0.92, 1.0),
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
                noisy("iip", 101.0, 112.0),
                "percent",
                at,
            ));
            out.push(self.figure(
                "economy.exports.ytd",
                p,
                month,
                Self::money(62e9 * 25_000.0 / 1000.0 * months * noisy("exports", 0.9, 1.1)),
                "dong",
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
            out.push(self.figure(
                "invest.plan.government",
                p,
                next,
                INVESTMENT_PLAN_GOVERNMENT,
                "dong",
                at,
            ));
            out.push(self.figure("invest.plan", p, next, INVESTMENT_PLAN, "dong", at));
            let w = self.total_weight();
            for c in &self.communes {
                let plan = Self::money(INVESTMENT_PLAN * COMMUNE_CAPITAL_SHARE * c.weight / w);
                out.push(self.figure("invest.plan", &c.code, next, plan, "dong", at));
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
            let key = (f.indicator.clone(), f.area.clone());
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
        let now = datetime!(2026-11-23 20:00 +07:00).to_offset(time::UtcOffset::UTC);
        let mut indicators = HashSet::new();
        // the as-of time of the latest figure sent for each indicator, area and period: a
        // later batch never sends an older one (the server would refuse it)
        let mut latest: HashMap<(String, String, String), OffsetDateTime> = HashMap::new();
        let mut day = date!(2025 - 11 - 23);
        while day < date!(2026 - 11 - 23) {
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
                    let key = (f.indicator.clone(), f.area.clone(), f.period.clone());
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
        assert!(
            DemoProvince::s_curve(date!(2026 - 06 - 30)) < 0.2,
            "slow first half"
        );
        assert!(DemoProvince::s_curve(date!(2026 - 12 - 31)) > 0.95);
    }

    #[test]
    fn some_communes_lag_below_twenty_percent() {
        let c = catalogue();
        let demo = DemoProvince::new(2025, &c);
        let figures = demo.figures_at(datetime!(2026-11-23 17:30 +07:00));
        let rates: Vec<f64> = figures
            .iter()
            .filter(|f| f.indicator == "invest.disbursement.rate" && f.area != "14")
            .map(|f| f.value.to_f64().unwrap())
            .collect();
        assert_eq!(rates.len(), 75);
        let laggards = rates.iter().filter(|r| **r < 20.0).count();
        assert!((2..=6).contains(&laggards), "{laggards} laggards");
        let province = value(&figures, "invest.disbursement.rate", "14");
        assert!((50.0..90.0).contains(&province), "{province}");
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
