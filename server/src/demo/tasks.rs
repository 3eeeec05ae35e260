//! The demo's task book: the province's directives and tasks, brought in the way a real
//! PPC Office brings them — each plan's task table imported through
//! `POST /api/v1/tasks/import` with the office's token, then progress reported and tasks
//! closed through `POST /api/v1/tasks/<id>/notes` with the lead agencies' tokens.
//!
//! The books are the tasks of Sơn La's Quyết định 283/QĐ-UBND (2025) as the plan writes
//! them, and three 2026 books invented in the same shape and marked "dữ liệu minh họa"
//! (illustrative) in their source. Together they hold every deadline kind. What happens to
//! each task follows from the seed and the task, so a restart does the same; a book already
//! imported (its source is in the task list) is not imported again.

use app::model::task::{NoteKind, Progress, Status, TaskView};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// One plan's task table.
pub struct Book {
    pub source: &'static str,
    pub year: i32,
    pub csv: &'static str,
}

pub const BOOKS: [Book; 4] = [
    Book {
        source: "Quyết định 283/QĐ-UBND ngày 13/02/2025 của UBND tỉnh Sơn La (Đề án phát triển dữ liệu số, nâng cao năng lực quản trị số năm 2025)",
        year: 2025,
        csv: include_str!("../../province/son-la/demo-tasks/283-QD-UBND-2025.csv"),
    },
    Book {
        source: "Kế hoạch chuyển đổi số tỉnh Sơn La năm 2026 (dữ liệu minh họa)",
        year: 2026,
        csv: include_str!("../../province/son-la/demo-tasks/cds-2026-demo.csv"),
    },
    Book {
        source: "Chỉ thị về đẩy nhanh giải ngân vốn đầu tư công và thu ngân sách năm 2026 (dữ liệu minh họa)",
        year: 2026,
        csv: include_str!("../../province/son-la/demo-tasks/giai-ngan-2026-demo.csv"),
    },
    Book {
        source: "Kế hoạch cải cách hành chính tỉnh Sơn La năm 2026 (dữ liệu minh họa)",
        year: 2026,
        csv: include_str!("../../province/son-la/demo-tasks/cchc-2026-demo.csv"),
    },
];

/// What the demo does with a task: leave it, report progress, or close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Untouched,
    Reported,
    Closed,
}

/// The fate of task `id` in status `status`: of what is past its deadline, about half is
/// closed late and the rest stays overdue; of what is still running, about a quarter is
/// closed (on time) and half has a progress report. Ongoing and recurring work is reported.
pub fn fate(seed: u64, id: i64, task: &TaskView) -> Fate {
    let roll = (seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xBF58_476D_1CE4_E5B9)
        >> 32;
    let roll = roll % 100;
    if task.task.progress == Progress::Done {
        return Fate::Untouched;
    }
    match (task.status, task.task.due) {
        (Status::Overdue, Some(_)) if roll < 50 => Fate::Closed,
        (Status::Overdue, _) => Fate::Untouched,
        (_, None) => Fate::Reported,
        _ if roll < 25 => Fate::Closed,
        _ if roll < 75 => Fate::Reported,
        _ => Fate::Untouched,
    }
}

/// The agencies whose systems report on the books' tasks: every lead that is one agency.
pub fn reporting_agencies(catalogue: &app::model::Catalogue) -> BTreeSet<String> {
    let names = crate::tasks::agency_names::AgencyNames::new(catalogue);
    let mut agencies = BTreeSet::new();
    for book in &BOOKS {
        let Ok(rows) = crate::tasks::import::read_csv(book.csv.as_bytes()) else {
            continue;
        };
        for row in rows.iter().skip(1) {
            if let Some(code) = row.get(4).and_then(|lead| names.code(lead)) {
                if catalogue.agency(code).is_some_and(|a| a.members.is_none()) {
                    agencies.insert(code.to_string());
                }
            }
        }
    }
    agencies
}

/// Imports the books not yet imported and plays the agencies' part on the tasks. `tokens`
/// are the demo's agency tokens; `office` the PPC Office's.
pub async fn run(
    client: &reqwest::Client,
    base_url: &str,
    seed: u64,
    office: &str,
    tokens: &HashMap<String, String>,
) -> anyhow::Result<()> {
    let list = |token: &str| {
        client
            .get(format!("{base_url}/api/v1/tasks"))
            .bearer_auth(token)
            .timeout(Duration::from_secs(30))
            .send()
    };
    let listed: serde_json::Value = list(office).await?.error_for_status()?.json().await?;
    let tasks: Vec<TaskView> = serde_json::from_value(listed["tasks"].clone())?;
    let known: BTreeSet<&str> = tasks.iter().map(|t| t.task.source.as_str()).collect();
    let mut imported = 0;
    for book in BOOKS.iter().filter(|b| !known.contains(b.source)) {
        let response = client
            .post(format!("{base_url}/api/v1/tasks/import"))
            .query(&[("source", book.source), ("year", &book.year.to_string())])
            .bearer_auth(office)
            .header("Content-Type", "text/csv")
            .body(book.csv)
            .send()
            .await?;
        let status = response.status();
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        if !status.is_success() {
            anyhow::bail!(
                "the task book '{}' was refused ({status}): {answer}",
                book.source
            );
        }
        imported += answer["imported"].as_u64().unwrap_or(0);
    }
    if imported == 0 {
        return Ok(());
    }
    // the agencies' part, on the tasks just imported
    let listed: serde_json::Value = list(office).await?.error_for_status()?.json().await?;
    let tasks: Vec<TaskView> = serde_json::from_value(listed["tasks"].clone())?;
    let mut reported = 0;
    for task in tasks.iter().filter(|t| t.task.version == 1) {
        let fate = fate(seed, task.task.id, task);
        if fate == Fate::Untouched {
            continue;
        }
        // the lead's own system where it has one; the office's for a group's task
        let token = tokens.get(&task.task.lead).map_or(office, String::as_str);
        let progress = serde_json::json!({
            "kind": NoteKind::Progress,
            "body": "Đã triển khai; đang tổng hợp kết quả để báo cáo UBND tỉnh.",
            "version": task.task.version,
        });
        let mut version = task.task.version;
        let answer = note(client, base_url, token, task.task.id, &progress).await?;
        version = answer["version"].as_i64().unwrap_or(version);
        if fate == Fate::Closed {
            let closing = serde_json::json!({
                "kind": NoteKind::Done,
                "body": "Đã hoàn thành; sản phẩm đã gửi Văn phòng UBND tỉnh.",
                "version": version,
            });
            // a group's task is closed by the office
            let closer = if tokens.contains_key(&task.task.lead) {
                token
            } else {
                office
            };
            note(client, base_url, closer, task.task.id, &closing).await?;
        }
        reported += 1;
    }
    tracing::info!(imported, reported, "demo feed: task book in place");
    Ok(())
}

async fn note(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    id: i64,
    body: &serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let response = client
        .post(format!("{base_url}/api/v1/tasks/{id}/notes"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        anyhow::bail!("a report on task {id} was refused ({status}): {answer}");
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::deadline::Deadline;
    use app::model::PeriodKind;
    use std::collections::BTreeSet;

    #[test]
    fn every_book_imports_cleanly_and_together_they_hold_every_deadline_kind() {
        let catalogue = crate::province::load(&crate::province::demo()).unwrap();
        let names = crate::tasks::agency_names::AgencyNames::new(&catalogue);
        let mut kinds = BTreeSet::new();
        let mut count = 0;
        for book in &BOOKS {
            let rows = crate::tasks::import::read_csv(book.csv.as_bytes()).unwrap();
            let options = crate::tasks::import::ImportOptions {
                source: book.source.into(),
                plan_year: Some(book.year),
            };
            let tasks = crate::tasks::import::tasks(
                &rows,
                &options,
                &catalogue,
                &names,
                time::OffsetDateTime::now_utc(),
            )
            .unwrap_or_else(|problems| panic!("{}: {problems:#?}", book.source));
            count += tasks.len();
            for t in tasks {
                // the recurring ones by their period
                kinds.insert(match t.deadline {
                    Deadline::Every { every, .. } => match every {
                        PeriodKind::Year => "yearly",
                        PeriodKind::Quarter => "quarterly",
                        _ => "monthly",
                    },
                    other => other.kind(),
                });
            }
        }
        assert!((60..=120).contains(&count), "{count} tasks");
        for kind in [
            "date",
            "month",
            "quarter",
            "half",
            "year",
            "continuous",
            "yearly",
            "quarterly",
            "monthly",
            "external",
        ] {
            assert!(kinds.contains(kind), "no {kind} deadline in the books");
        }
    }

    #[test]
    fn the_283_plan_reads_as_the_province_wrote_it() {
        let catalogue = crate::province::load(&crate::province::demo()).unwrap();
        let names = crate::tasks::agency_names::AgencyNames::new(&catalogue);
        let rows = crate::tasks::import::read_csv(BOOKS[0].csv.as_bytes()).unwrap();
        let options = crate::tasks::import::ImportOptions {
            source: BOOKS[0].source.into(),
            plan_year: Some(2025),
        };
        let tasks = crate::tasks::import::tasks(
            &rows,
            &options,
            &catalogue,
            &names,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        assert_eq!(tasks.len(), 12);
        // Sở Thông tin và Truyền thông merged into Science and Technology in 2025
        assert_eq!(tasks[0].lead, "SKHCN");
        assert_eq!(tasks[0].coordinating, ["SO-NGANH-XA"]);
        // "UBND các huyện, thị xã, thành phố": the districts' work is the communes' now
        assert_eq!(tasks[4].coordinating, ["SKHCN", "UBND-XA"]);
        assert_eq!(
            tasks[7].other_parties,
            ["Các cơ quan, đơn vị, địa phương đã có kho dữ liệu"]
        );
        let ongoing = tasks
            .iter()
            .find(|t| t.deadline == Deadline::Continuous)
            .unwrap();
        assert_eq!(ongoing.lead, "UBND-XA");
        assert_eq!(ongoing.coordinating, ["SKHCN"]);
        assert_eq!(
            ongoing.other_parties,
            ["đơn vị cung cấp dịch vụ Hệ thống thông tin giải quyết TTHC của tỉnh"]
        );
    }
}
