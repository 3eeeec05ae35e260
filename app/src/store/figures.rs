//! Stored figures read over a span of periods, for the money view: the latest revision of
//! each (area, project, period) of one indicator, or only the last period of each month.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{decimal, time_text, Db};
use crate::model::Period;

/// One stored figure: its latest revision.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFigure {
    pub area: String,
    pub project: Option<String>,
    pub period: Period,
    pub value: Decimal,
    pub as_of: OffsetDateTime,
}

type Row = (String, String, String, String, String);

fn figure(row: Row) -> sqlx::Result<StoredFigure> {
    let (area, project, period, value, as_of) = row;
    Ok(StoredFigure {
        area,
        project: (!project.is_empty()).then_some(project),
        period: period
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        value: decimal(&value)?,
        as_of: time_text::parse(&as_of)?,
    })
}

/// Which of an indicator's figures from `from` to `to` (canonical period texts, both
/// included) are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// Every period.
    All,
    /// The last period of each calendar month (of each area and project).
    MonthEnds,
    /// The last two periods (of each area and project): the current figure and the one
    /// reported before it.
    LastTwo,
}

/// The latest revision of `indicator`'s figures with periods from `from` to `to`, as
/// `pick` says, oldest period first; only `project`'s if given.
pub async fn read(
    db: &Db,
    indicator: &str,
    from: &str,
    to: &str,
    pick: Pick,
    project: Option<&str>,
) -> sqlx::Result<Vec<StoredFigure>> {
    // each period's latest revision (rrank 1), and of those the last period of each group
    // (prank 1) — or the last two periods
    let (group, periods) = match pick {
        Pick::All => ("o.area_code, o.project_code, o.period", 1),
        Pick::MonthEnds => ("o.area_code, o.project_code, substr(o.period, 1, 7)", 1),
        Pick::LastTwo => ("o.area_code, o.project_code", 2),
    };
    let sql = format!(
        "SELECT area_code, project_code, period, value, as_of FROM (
           SELECT o.area_code, o.project_code, o.period, o.value, o.as_of,
                  ROW_NUMBER() OVER (PARTITION BY o.area_code, o.project_code, o.period ORDER BY o.revision DESC) AS rrank,
                  DENSE_RANK() OVER (PARTITION BY {group} ORDER BY o.period DESC) AS prank
           FROM observations o
           WHERE o.indicator_code = $1 AND o.period >= $2 AND o.period <= $3
             AND ($4 = '' OR o.project_code = $4)
         ) AS ranked
         WHERE rrank = 1 AND prank <= {periods}
         ORDER BY period, area_code, project_code"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(indicator)
        .bind(from)
        .bind(to)
        .bind(project.unwrap_or(""))
        .fetch_all(db)
        .await?;
    rows.into_iter().map(figure).collect()
}
