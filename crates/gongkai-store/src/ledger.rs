//! Recording the rest of the year one entry at a time (the back office's 台账): responses and
//! interpretations, administrative reviews and lawsuits (linked to the application they concern, decided
//! later), complaints, staff, funding, meetings, trainings, and figures declared from other systems. The
//! report engine reads them through `records::load`.

use gongkai_core::records::{
    CaseResult, Complaint, ComplaintResult, Lawsuit, Meeting, Response, ResponseKind, Review,
    StaffAssignment, Training,
};
use gongkai_core::report::values::Quantity;
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::records::{insert_record, to_text};
use crate::{Actor, Store, StoreError, Transaction, agencies, audit};

/// One entry to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry<'a> {
    Response {
        day: Date,
        kind: ResponseKind,
        topic: &'a str,
        head_attended: bool,
    },
    Review {
        filed: Date,
        application: &'a str,
    },
    Lawsuit {
        filed: Date,
        application: &'a str,
        after_review: bool,
        as_review_organ: bool,
    },
    /// A complaint, naming the application it is about (or `""`).
    Complaint {
        received: Date,
        summary: &'a str,
        application: &'a str,
    },
    Meeting {
        day: Date,
        title: &'a str,
    },
    Training {
        day: Date,
        title: &'a str,
        trainees: u32,
    },
    Staff {
        label: &'a str,
        full_time: bool,
        from: Date,
    },
    Funding {
        year: i32,
        amount_wan_yuan: Quantity,
    },
    Declared {
        year: i32,
        measure: &'a str,
        value: Quantity,
        source: &'a str,
    },
}

impl Entry<'_> {
    /// The kind as stored and as the audit names it (`response`, `review`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::Response { .. } => "response",
            Entry::Review { .. } => "review",
            Entry::Lawsuit { .. } => "lawsuit",
            Entry::Complaint { .. } => "complaint",
            Entry::Meeting { .. } => "meeting",
            Entry::Training { .. } => "training",
            Entry::Staff { .. } => "staff",
            Entry::Funding { .. } => "funding",
            Entry::Declared { .. } => "declared",
        }
    }
}

fn optional(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

/// Records `entry` for the agency `code`. A review or lawsuit naming an application must name one of this
/// agency's; funding and a declared figure replace the year's earlier value.
pub async fn add(
    store: &Store,
    code: &str,
    entry: &Entry<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    add_in(&mut transaction, &agency, entry, actor).await?;
    transaction.commit().await?;
    Ok(())
}

/// [`add`], in the transaction of an API write made once (`once::Held`): its `Idempotency-Key` is kept
/// with the change, in one commit.
pub async fn add_once(
    held: &mut crate::once::Held,
    agency: &agencies::AgencyRow,
    entry: &Entry<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    add_in(held.transaction(), agency, entry, actor).await
}

/// The write itself, on the agency's row read before the transaction (see `publishing::publish_in`).
async fn add_in(
    transaction: &mut Transaction,
    agency: &agencies::AgencyRow,
    entry: &Entry<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    check_application(transaction, agency.id, entry).await?;
    insert_entry(transaction, agency.id, entry).await?;
    let after = format!("{entry:?}");
    audit::record(
        transaction,
        actor,
        &format!("ledger.{}", entry.kind()),
        &format!("agency:{}", agency.code),
        Some(&after),
    )
    .await?;
    Ok(())
}

/// Refuses a review, lawsuit or complaint naming an application that is not one of the agency's.
async fn check_application(
    transaction: &mut Transaction,
    agency_id: i64,
    entry: &Entry<'_>,
) -> Result<(), StoreError> {
    if let Entry::Review { application, .. }
    | Entry::Lawsuit { application, .. }
    | Entry::Complaint { application, .. } = entry
        && let Some(number) = optional(application)
    {
        let found: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM applications \
             WHERE agency_id = $1 AND tracking_number = $2",
        )
        .bind(agency_id)
        .bind(number)
        .fetch_one(&mut **transaction)
        .await?
        .try_get("n")?;
        if found == 0 {
            return Err(StoreError::NotFound { what: "application", key: number.to_owned() });
        }
    }
    Ok(())
}

/// Inserts the entry's row through its record kind's one insert path ([`crate::records::insert_record`]);
/// funding and a declared figure replace the year's earlier value.
async fn insert_entry(
    transaction: &mut Transaction,
    id: i64,
    entry: &Entry<'_>,
) -> Result<(), StoreError> {
    let owned = |text: &str| optional(text).map(str::to_owned);
    match *entry {
        Entry::Response { day, kind, topic, head_attended } => {
            let record = Response { date: day, kind, topic: owned(topic), head_attended };
            insert_record(transaction, id, &record).await
        }
        Entry::Review { filed, application } => {
            let record = Review { filed, application: owned(application), decided: None };
            insert_record(transaction, id, &record).await
        }
        Entry::Lawsuit { filed, application, after_review, as_review_organ } => {
            let application = owned(application);
            let record =
                Lawsuit { filed, after_review, as_review_organ, application, decided: None };
            insert_record(transaction, id, &record).await
        }
        Entry::Complaint { received, summary, application } => {
            let summary = summary.trim().to_owned();
            let application = owned(application);
            let record = Complaint { received, summary, application, concluded: None };
            insert_record(transaction, id, &record).await
        }
        Entry::Meeting { day, title } => {
            let record = Meeting { date: day, title: title.trim().to_owned() };
            insert_record(transaction, id, &record).await
        }
        Entry::Training { day, title, trainees } => {
            let record = Training { date: day, title: title.trim().to_owned(), trainees };
            insert_record(transaction, id, &record).await
        }
        Entry::Staff { label, full_time, from } => {
            let record = StaffAssignment { id: label.trim().to_owned(), full_time, from, to: None };
            insert_record(transaction, id, &record).await
        }
        Entry::Funding { year, amount_wan_yuan } => {
            upsert_funding(transaction, id, year, amount_wan_yuan).await
        }
        Entry::Declared { year, measure, value, source } => {
            upsert_declared(transaction, id, year, measure, value, source).await
        }
    }
}

/// Records how the agency's complaint `id` was concluded: on `on` (not before it was received), with
/// `result` and what was done (`handling`, required). A complaint is concluded once.
pub async fn conclude_complaint(
    store: &Store,
    code: &str,
    id: i64,
    result: ComplaintResult,
    on: Date,
    handling: &str,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let handling = handling.trim();
    if handling.is_empty() {
        return Err(StoreError::InvalidData("a complaint's handling is required".to_owned()));
    }
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE complaints SET concluded = $1, result = $2, handling = $3 \
         WHERE id = $4 AND agency_id = $5 AND received <= $1 AND concluded IS NULL",
    )
    .bind(on.to_string())
    .bind(result.code())
    .bind(handling)
    .bind(id)
    .bind(agency.id)
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "open complaint received before that day",
            key: id.to_string(),
        });
    }
    let after = serde_json::json!({
        "complaint": id,
        "concluded": on.to_string(),
        "result": result.code(),
        "handling": handling,
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "ledger.complaint.conclude",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Sets the year's funding, replacing an earlier value.
async fn upsert_funding(
    transaction: &mut Transaction,
    id: i64,
    year: i32,
    amount_wan_yuan: Quantity,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO funding (agency_id, year, amount) VALUES ($1, $2, $3) \
         ON CONFLICT (agency_id, year) DO UPDATE SET amount = excluded.amount",
    )
    .bind(id)
    .bind(i64::from(year))
    .bind(amount_wan_yuan.ten_thousandths())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Sets a figure of the year declared from another system, replacing an earlier value.
async fn upsert_declared(
    transaction: &mut Transaction,
    id: i64,
    year: i32,
    measure: &str,
    value: Quantity,
    source: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO declared_figures (agency_id, year, measure, value, source) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (agency_id, year, measure) DO UPDATE SET value = excluded.value, source = excluded.source",
    )
    .bind(id)
    .bind(i64::from(year))
    .bind(measure)
    .bind(value.ten_thousandths())
    .bind(source.trim())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Records the result of the agency's review or lawsuit `id` (`kind` is `review` or `lawsuit`).
pub async fn decide(
    store: &Store,
    code: &str,
    kind: &str,
    id: i64,
    result: CaseResult,
    decided: Date,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let sql = match kind {
        "review" => {
            "UPDATE reviews SET result = $1, decided = $2 WHERE id = $3 AND filed <= $2 \
             AND agency_id = (SELECT id FROM agencies WHERE code = $4)"
        }
        "lawsuit" => {
            "UPDATE lawsuits SET result = $1, decided = $2 WHERE id = $3 AND filed <= $2 \
             AND agency_id = (SELECT id FROM agencies WHERE code = $4)"
        }
        other => return Err(StoreError::InvalidData(format!("case kind `{other}`"))),
    };
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(sql)
        .bind(to_text(&result))
        .bind(decided.to_string())
        .bind(id)
        .bind(code)
        .execute(&mut *transaction)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "case filed before that day",
            key: id.to_string(),
        });
    }
    let after = serde_json::json!({ "result": to_text(&result), "decided": decided.to_string() })
        .to_string();
    audit::record(
        &mut transaction,
        actor,
        &format!("ledger.{kind}.decide"),
        &format!("{kind}:{id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The kinds of entry the ledger lists one by one, which [`remove`] takes a mistaken entry from.
pub const REMOVABLE: [&str; 7] =
    ["response", "review", "lawsuit", "complaint", "meeting", "training", "staff"];

/// Removes the agency's ledger entry `kind` `id` (one recorded by mistake), in one transaction with its audit
/// entry, which keeps the entry as it was. A review or lawsuit goes with its result.
pub async fn remove(
    store: &Store,
    code: &str,
    kind: &str,
    id: i64,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let before = take_entry(&mut transaction, agency.id, kind, id).await?;
    audit::record_change(
        &mut transaction,
        actor,
        &format!("ledger.{kind}.remove"),
        &format!("agency:{code}"),
        Some(&before),
        None,
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Deletes the agency's entry `kind` `id`, returning it as the audit keeps it; refused when there is none.
async fn take_entry(
    transaction: &mut Transaction,
    agency_id: i64,
    kind: &str,
    id: i64,
) -> Result<String, StoreError> {
    let Some(before) = crate::records::delete_entry(transaction, agency_id, kind, id).await? else {
        return Err(StoreError::NotFound { what: "ledger entry", key: format!("{kind}:{id}") });
    };
    Ok(serde_json::json!({ "kind": kind, "id": id, "entry": before }).to_string())
}

/// Corrects the agency's ledger entry `kind` `id` (one of [`REMOVABLE`]) to `entry`, of the same kind: the
/// old entry removed and the new one recorded in one transaction, its audit entry keeping both. A review or
/// lawsuit's result goes with the old entry and is registered again.
pub async fn correct(
    store: &Store,
    code: &str,
    kind: &str,
    id: i64,
    entry: &Entry<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    if entry.kind() != kind || !REMOVABLE.contains(&kind) {
        return Err(StoreError::InvalidData(format!(
            "a {kind} entry is corrected by a {kind} entry, not a {}",
            entry.kind()
        )));
    }
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let before = take_entry(&mut transaction, agency.id, kind, id).await?;
    check_application(&mut transaction, agency.id, entry).await?;
    insert_entry(&mut transaction, agency.id, entry).await?;
    let after = format!("{entry:?}");
    audit::record_change(
        &mut transaction,
        actor,
        &format!("ledger.{kind}.correct"),
        &format!("agency:{code}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Records that the staff member `id` of the agency left the post on `on` (the last day in post; counted in
/// a year's headcount only when in post on its last day). Refused for someone already gone or not yet in
/// post on that day.
pub async fn staff_left(
    store: &Store,
    code: &str,
    id: i64,
    on: Date,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE staff_assignments SET to_day = $1 WHERE id = $2 AND agency_id = $3 \
         AND to_day IS NULL AND from_day <= $1",
    )
    .bind(on.to_string())
    .bind(id)
    .bind(agency.id)
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "staff member in post on that day",
            key: id.to_string(),
        });
    }
    let after = serde_json::json!({ "staff": id, "to": on.to_string() }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "ledger.staff.left",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// A review, lawsuit or complaint about one application, as its case page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    /// `review`, `lawsuit` or `complaint`.
    pub kind: &'static str,
    pub filed: String,
    /// The result's code and day, once decided.
    pub decided: Option<(String, String)>,
}

/// The reviews, lawsuits and complaints the agency `code` recorded about its application `tracking_number`,
/// by the day they were filed or received.
pub async fn disputes(
    store: &Store,
    code: &str,
    tracking_number: &str,
) -> Result<Vec<Dispute>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut found = Vec::new();
    for (kind, sql) in [
        (
            "review",
            "SELECT filed, result, decided FROM reviews WHERE agency_id = $1 AND application = $2 \
             ORDER BY filed, id",
        ),
        (
            "lawsuit",
            "SELECT filed, result, decided FROM lawsuits WHERE agency_id = $1 AND application = $2 \
             ORDER BY filed, id",
        ),
        (
            "complaint",
            "SELECT received AS filed, result, concluded AS decided FROM complaints \
             WHERE agency_id = $1 AND application = $2 ORDER BY received, id",
        ),
    ] {
        let rows =
            sqlx::query(sql).bind(agency.id).bind(tracking_number).fetch_all(store.pool()).await?;
        for row in &rows {
            let result: Option<String> = row.try_get("result")?;
            let decided: Option<String> = row.try_get("decided")?;
            found.push(Dispute {
                kind,
                filed: row.try_get("filed")?,
                decided: result.zip(decided),
            });
        }
    }
    found.sort_by(|a, b| a.filed.cmp(&b.filed));
    Ok(found)
}

/// A recorded entry as a line of the ledger page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub kind: &'static str,
    pub id: i64,
    pub day: String,
    pub text: String,
    /// For reviews and lawsuits: the result and the day, once decided.
    pub decided: Option<(String, String)>,
    /// For staff: the last day in post, once they left.
    pub ended: Option<String>,
}

/// The agency's entries whose day (or year) falls in `year`, by kind.
pub async fn lines(store: &Store, code: &str, year: i32) -> Result<Vec<Line>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let from = format!("{year:04}-01-01");
    let to = format!("{:04}-01-01", year + 1);
    let queries: [(&'static str, &'static str); 7] = [
        (
            "response",
            "SELECT id, day, kind || '：' || COALESCE(topic, '') || CASE WHEN head_attended = 1 THEN '（主要负责人参加）' ELSE '' END AS text, NULL AS result, NULL AS decided, NULL AS ended FROM responses WHERE agency_id = $1 AND day >= $2 AND day < $3 ORDER BY day, id",
        ),
        (
            "review",
            "SELECT id, filed AS day, COALESCE(application, '') AS text, result, decided, NULL AS ended FROM reviews WHERE agency_id = $1 AND filed >= $2 AND filed < $3 ORDER BY filed, id",
        ),
        (
            "lawsuit",
            "SELECT id, filed AS day, COALESCE(application, '') || CASE WHEN after_review = 1 THEN '（复议后起诉）' ELSE '（未经复议直接起诉）' END AS text, result, decided, NULL AS ended FROM lawsuits WHERE agency_id = $1 AND filed >= $2 AND filed < $3 ORDER BY filed, id",
        ),
        (
            "complaint",
            "SELECT id, received AS day, summary || CASE WHEN application IS NOT NULL THEN '（涉及' || application || '）' ELSE '' END AS text, result, concluded AS decided, NULL AS ended FROM complaints WHERE agency_id = $1 AND received >= $2 AND received < $3 ORDER BY received, id",
        ),
        (
            "meeting",
            "SELECT id, day, title AS text, NULL AS result, NULL AS decided, NULL AS ended FROM meetings WHERE agency_id = $1 AND day >= $2 AND day < $3 ORDER BY day, id",
        ),
        (
            "training",
            "SELECT id, day, title || '（' || CAST(trainees AS TEXT) || '人次）' AS text, NULL AS result, NULL AS decided, NULL AS ended FROM trainings WHERE agency_id = $1 AND day >= $2 AND day < $3 ORDER BY day, id",
        ),
        (
            "staff",
            "SELECT id, from_day AS day, label || CASE WHEN full_time = 1 THEN '（专职）' ELSE '（兼职）' END AS text, NULL AS result, NULL AS decided, to_day AS ended FROM staff_assignments WHERE agency_id = $1 AND from_day < $3 AND (to_day IS NULL OR to_day >= $2) ORDER BY from_day, id",
        ),
    ];
    let mut lines = Vec::new();
    for (kind, sql) in queries {
        let rows =
            sqlx::query(sql).bind(agency.id).bind(&from).bind(&to).fetch_all(store.pool()).await?;
        for row in &rows {
            let result: Option<String> = row.try_get("result")?;
            let decided: Option<String> = row.try_get("decided")?;
            lines.push(Line {
                kind,
                id: row.try_get("id")?,
                day: row.try_get("day")?,
                text: row.try_get("text")?,
                decided: result.zip(decided),
                ended: row.try_get("ended")?,
            });
        }
    }
    let declared = sqlx::query(
        "SELECT id, measure, value, source FROM declared_figures WHERE agency_id = $1 AND year = $2 ORDER BY measure",
    )
    .bind(agency.id)
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?;
    for row in &declared {
        let value = Quantity::from_ten_thousandths(row.try_get("value")?);
        lines.push(Line {
            kind: "declared",
            id: row.try_get("id")?,
            day: year.to_string(),
            text: format!(
                "{}＝{}（来源：{}）",
                row.try_get::<String, _>("measure")?,
                value,
                row.try_get::<String, _>("source")?
            ),
            decided: None,
            ended: None,
        });
    }
    let funding = sqlx::query("SELECT amount FROM funding WHERE agency_id = $1 AND year = $2")
        .bind(agency.id)
        .bind(i64::from(year))
        .fetch_optional(store.pool())
        .await?;
    if let Some(row) = funding {
        lines.push(Line {
            kind: "funding",
            id: 0,
            day: year.to_string(),
            text: format!("{}万元", Quantity::from_ten_thousandths(row.try_get("amount")?)),
            decided: None,
            ended: None,
        });
    }
    Ok(lines)
}
