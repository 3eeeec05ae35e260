//! The demo province's figures: plausible, deterministic for a seed and a clock.
//!
//! Budget revenue accumulates with a monthly pattern and a year-end peak; disbursement
//! follows the slow-first-half S-curve; public-service rates drift; dossiers arrive in
//! office hours. Only indicators present in the catalogue are produced.

use app::model::format::VIETNAM;
use app::model::ingest::ObservationInput;
use app::model::{Catalogue, Period, PeriodKind};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::prelude::*;
use std::collections::BTreeMap;
use time::{Date, Month, OffsetDateTime, Time};

/// Shares of the year's budget revenue collected in each month (the December peak is the
/// year-end settlement).
const REVENUE_BY_MONTH: [f64; 12] = [
    0.075, 0.06, 0.075, 0.085, 0.075, 0.08, 0.075, 0.075, 0.08, 0.085, 0.09, 0.145,
];

/// The demo's figures for Sơn La's budget and investment year (đồng).
const REVENUE_ESTIMATE: i64 = 5_450_000_000_000;
const INVESTMENT_PLAN: i64 = 4_860_000_000_000;

pub struct DemoProvince {
    rng: ChaCha8Rng,
    province: String,
    /// indicator code → owning agency, for the indicators this demo plays.
    owners: BTreeMap<&'static str, String>,
    /// How well this year is going, fixed by the seed (0.9–1.05).
    revenue_pace: f64,
    disbursement_pace: f64,
    online_rate: f64,
    ontime_rate: f64,
    last_sent: BTreeMap<&'static str, Decimal>,
}

const PLAYED: [&str; 7] = [
    "budget.revenue.estimate",
    "budget.revenue.ytd",
    "invest.plan",
    "invest.disbursed.ytd",
    "services.online.rate",
    "services.ontime.rate",
    "services.dossiers.received",
];

fn vn(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(VIETNAM)
}

/// Fraction of the office day (07:30–17:00) gone at `at`, 0–1; weekends stay at 0.
fn office_day_fraction(at: OffsetDateTime) -> f64 {
    let local = vn(at);
    if matches!(
        local.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    ) {
        return 0.0;
    }
    let hours = f64::from(local.hour())
        + f64::from(local.minute()) / 60.0
        + f64::from(local.second()) / 3600.0;
    ((hours - 7.5) / 9.5).clamp(0.0, 1.0)
}

/// Share of the year's revenue collected by the end of `date`.
fn revenue_share(date: Date) -> f64 {
    let m = usize::from(u8::from(date.month())) - 1;
    let before: f64 = REVENUE_BY_MONTH[..m].iter().sum();
    let days = f64::from(date.month().length(date.year()));
    before + REVENUE_BY_MONTH[m] * f64::from(date.day()) / days
}

/// Share of the capital plan disbursed by the end of `date`: slow first half, Q4 rush.
fn disbursement_share(date: Date) -> f64 {
    let f = f64::from(date.ordinal()) / 365.0;
    (0.05 * f + 0.95 * f.powi(3)).min(1.0)
}

fn money(dong: f64) -> Decimal {
    // whole millions of đồng, as treasury reports round
    Decimal::from_f64((dong / 1e6).round()).unwrap_or_default() * Decimal::from(1_000_000)
}

fn rate(percent: f64) -> Decimal {
    Decimal::from_f64(percent).unwrap_or_default().round_dp(2)
}

fn at_local(date: Date, hour: u8, minute: u8) -> OffsetDateTime {
    date.with_time(Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT))
        .assume_offset(VIETNAM)
}

impl DemoProvince {
    pub fn new(seed: u64, catalogue: &Catalogue) -> DemoProvince {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let owners = PLAYED
            .iter()
            .filter_map(|code| catalogue.indicator(code).map(|i| (*code, i.agency.clone())))
            .collect();
        DemoProvince {
            revenue_pace: rng.random_range(0.93..1.05),
            disbursement_pace: rng.random_range(0.85..1.02),
            online_rate: rng.random_range(52.0..64.0),
            ontime_rate: rng.random_range(95.5..98.5),
            rng,
            province: catalogue.province.clone(),
            owners,
            last_sent: BTreeMap::new(),
        }
    }

    /// The agencies this demo plays, each needing a token.
    pub fn agencies(&self) -> Vec<String> {
        let mut agencies: Vec<String> = self.owners.values().cloned().collect();
        agencies.sort();
        agencies.dedup();
        agencies
    }

    fn item(
        &self,
        indicator: &str,
        period: Period,
        value: Decimal,
        unit: &str,
        as_of: OffsetDateTime,
    ) -> ObservationInput {
        ObservationInput {
            indicator: indicator.into(),
            area: self.province.clone(),
            period: period.to_string(),
            value,
            unit: unit.into(),
            as_of: Some(as_of),
        }
    }

    fn revenue_ytd(&self, date: Date) -> f64 {
        REVENUE_ESTIMATE as f64 * self.revenue_pace * revenue_share(date)
    }

    fn disbursed_ytd(&self, date: Date) -> f64 {
        INVESTMENT_PLAN as f64 * self.disbursement_pace * disbursement_share(date)
    }

    /// Cumulative revenue and disbursement at `at`: yesterday's close plus today's share of
    /// the day so far.
    fn running_totals(&self, at: OffsetDateTime) -> (f64, f64) {
        let today = vn(at).date();
        let yesterday = today.previous_day().unwrap_or(today);
        let fraction = office_day_fraction(at);
        let (r0, d0) = if today.ordinal() == 1 {
            (0.0, 0.0)
        } else {
            (self.revenue_ytd(yesterday), self.disbursed_ytd(yesterday))
        };
        (
            r0 + (self.revenue_ytd(today) - r0) * fraction,
            d0 + (self.disbursed_ytd(today) - d0) * fraction,
        )
    }

    fn dossiers_today(&self, at: OffsetDateTime) -> f64 {
        (1_150.0 * office_day_fraction(at)).floor()
    }

    /// Every figure for the day so far, and yesterday's closing figures, grouped by agency.
    pub fn opening(&mut self, now: OffsetDateTime) -> Vec<(String, Vec<ObservationInput>)> {
        let today = vn(now).date();
        let year = today.year();
        let yesterday = today.previous_day().unwrap_or(today);
        let day = |d: Date| Period::containing(PeriodKind::Day, d);
        let set_by_council = at_local(
            Date::from_calendar_date(year - 1, Month::December, 10).unwrap_or(today),
            9,
            0,
        );
        let closing = at_local(yesterday, 17, 0);
        let (revenue, disbursed) = self.running_totals(now);
        let mut items = vec![
            self.item(
                "budget.revenue.estimate",
                Period::Year(year),
                Decimal::from(REVENUE_ESTIMATE),
                "dong",
                set_by_council,
            ),
            self.item(
                "invest.plan",
                Period::Year(year),
                Decimal::from(INVESTMENT_PLAN),
                "dong",
                set_by_council,
            ),
        ];
        if yesterday.year() == year {
            items.push(self.item(
                "budget.revenue.ytd",
                day(yesterday),
                money(self.revenue_ytd(yesterday)),
                "dong",
                closing,
            ));
            items.push(self.item(
                "invest.disbursed.ytd",
                day(yesterday),
                money(self.disbursed_ytd(yesterday)),
                "dong",
                closing,
            ));
        }
        items.push(self.item(
            "budget.revenue.ytd",
            day(today),
            money(revenue),
            "dong",
            now,
        ));
        items.push(self.item(
            "invest.disbursed.ytd",
            day(today),
            money(disbursed),
            "dong",
            now,
        ));
        let online_yesterday = rate(self.online_rate - self.rng.random_range(-0.8..0.8));
        let ontime_yesterday = rate(self.ontime_rate - self.rng.random_range(-0.4..0.4));
        items.push(self.item(
            "services.online.rate",
            day(yesterday),
            online_yesterday,
            "percent",
            closing,
        ));
        items.push(self.item(
            "services.ontime.rate",
            day(yesterday),
            ontime_yesterday.min(Decimal::ONE_HUNDRED),
            "percent",
            closing,
        ));
        items.push(self.item(
            "services.online.rate",
            day(today),
            rate(self.online_rate),
            "percent",
            now,
        ));
        items.push(self.item(
            "services.ontime.rate",
            day(today),
            rate(self.ontime_rate),
            "percent",
            now,
        ));
        items.push(self.item(
            "services.dossiers.received",
            day(yesterday),
            Decimal::from(1_150),
            "count",
            closing,
        ));
        let dossiers = self.dossiers_today(now);
        items.push(self.item(
            "services.dossiers.received",
            day(today),
            Decimal::from_f64(dossiers).unwrap_or_default(),
            "count",
            now,
        ));
        for i in &items {
            if i.period == day(today).to_string() || i.period == year.to_string() {
                if let Some(code) = PLAYED.iter().find(|c| **c == i.indicator) {
                    self.last_sent.insert(code, i.value);
                }
            }
        }
        self.by_agency(items)
    }

    /// The figures that moved since the last call, grouped by agency.
    pub fn tick(&mut self, now: OffsetDateTime) -> Vec<(String, Vec<ObservationInput>)> {
        let today = Period::containing(PeriodKind::Day, vn(now).date());
        let (revenue, disbursed) = self.running_totals(now);
        self.online_rate =
            (self.online_rate + self.rng.random_range(-0.15..0.17)).clamp(40.0, 85.0);
        self.ontime_rate =
            (self.ontime_rate + self.rng.random_range(-0.08..0.08)).clamp(90.0, 99.9);
        let dossiers = self.dossiers_today(now);
        let candidates = [
            (
                "budget.revenue.ytd",
                money(revenue),
                "dong",
                Decimal::from(100_000_000),
            ),
            (
                "invest.disbursed.ytd",
                money(disbursed),
                "dong",
                Decimal::from(100_000_000),
            ),
            (
                "services.online.rate",
                rate(self.online_rate),
                "percent",
                Decimal::new(1, 2),
            ),
            (
                "services.ontime.rate",
                rate(self.ontime_rate),
                "percent",
                Decimal::new(1, 2),
            ),
            (
                "services.dossiers.received",
                Decimal::from_f64(dossiers).unwrap_or_default(),
                "count",
                Decimal::ONE,
            ),
        ];
        let mut items = Vec::new();
        for (code, value, unit, step) in candidates {
            let moved = self
                .last_sent
                .get(code)
                .is_none_or(|last| (value - *last).abs() >= step);
            // rates are re-sent now and then even when flat, so their freshness stays honest
            let refresh = unit == "percent" && self.rng.random_bool(0.3);
            if moved || refresh {
                self.last_sent.insert(code, value);
                items.push(self.item(code, today, value, unit, now));
            }
        }
        self.by_agency(items)
    }

    fn by_agency(&self, items: Vec<ObservationInput>) -> Vec<(String, Vec<ObservationInput>)> {
        let mut grouped: BTreeMap<String, Vec<ObservationInput>> = BTreeMap::new();
        for item in items {
            if let Some(agency) = self.owners.get(item.indicator.as_str()) {
                grouped.entry(agency.clone()).or_default().push(item);
            }
        }
        grouped.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::validate::validate;
    use time::macros::datetime;
    use time::Duration;

    fn catalogue() -> Catalogue {
        crate::province::load(&crate::province::demo()).unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 +07:00);

    #[test]
    fn the_same_seed_gives_the_same_figures() {
        let c = catalogue();
        let (mut a, mut b) = (DemoProvince::new(7, &c), DemoProvince::new(7, &c));
        assert_eq!(a.opening(NOW), b.opening(NOW));
        let later = NOW + Duration::minutes(5);
        assert_eq!(a.tick(later), b.tick(later));
        let mut other = DemoProvince::new(8, &c);
        assert_ne!(other.opening(NOW), DemoProvince::new(7, &c).opening(NOW));
    }

    #[test]
    fn demo_figures_pass_the_same_validation_as_agency_data() {
        let c = catalogue();
        let mut demo = DemoProvince::new(2025, &c);
        let mut batches = demo.opening(NOW);
        for minutes in 1..30 {
            batches.extend(demo.tick(NOW + Duration::minutes(minutes * 7)));
        }
        assert!(batches.len() >= 3);
        for (agency, batch) in batches {
            let json: Vec<serde_json::Value> = batch
                .iter()
                .map(|o| serde_json::to_value(o).unwrap())
                .collect();
            let ok = validate(&c, &agency, &json, NOW + Duration::hours(4));
            assert!(ok.is_ok(), "{agency}: {:?}", ok.err());
        }
    }

    #[test]
    fn revenue_accumulates_and_peaks_in_december() {
        let d = |m, day| Date::from_calendar_date(2026, Month::try_from(m).unwrap(), day).unwrap();
        assert!(revenue_share(d(3, 1)) < revenue_share(d(6, 1)));
        assert!((revenue_share(d(12, 31)) - 1.0).abs() < 1e-9);
        let december = revenue_share(d(12, 31)) - revenue_share(d(11, 30));
        let june = revenue_share(d(6, 30)) - revenue_share(d(5, 31));
        assert!(december > june * 1.5);
        assert!(disbursement_share(d(6, 30)) < 0.2, "slow first half");
        assert!(disbursement_share(d(12, 31)) > 0.95);
    }
}
