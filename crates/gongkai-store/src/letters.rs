//! Letters of an application (补正告知书, 征求意见书, 延期告知书, 收费通知, 答复书/告知书, 转送告知): the generated file is
//! kept as a content-addressed blob, and sending it is recorded with its date (the send date of a reply follows
//! 国办公开办函〔2016〕235号). The applicant sees, with the tracking number and verification code, the letters
//! addressed to them once they are sent — never a consultation letter to a third party.

use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::applications::verify_code;
use crate::{Actor, Store, StoreError, audit, blobs, now_text};

pub use gongkai_core::letters::LetterKind;

/// The forms a letter is kept in (DOCX and PDF): the only media types a letter is served with, so no letter
/// can reach a browser as a page of its own.
pub const MEDIA_TYPES: [&str; 2] =
    ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/pdf"];

/// The letter kind in the column `kind`.
fn kind_at(row: &sqlx::any::AnyRow) -> Result<LetterKind, StoreError> {
    let code: String = row.try_get("kind")?;
    LetterKind::from_code(&code)
        .ok_or_else(|| StoreError::InvalidData(format!("letter kind `{code}`")))
}

/// The title in the column `title`, or the name of the letter's `kind` when none was kept.
fn title_at(row: &sqlx::any::AnyRow, kind: LetterKind) -> Result<String, StoreError> {
    let title: Option<String> = row.try_get("title")?;
    Ok(title.unwrap_or_else(|| kind.label().to_owned()))
}

/// A generated letter to record.
#[derive(Debug, Clone, Copy)]
pub struct NewLetter<'a> {
    pub kind: LetterKind,
    /// The title the letter bears (`None`: named by its kind).
    pub title: Option<&'a str>,
    pub media_type: &'a str,
    /// The letter as sent to its addressee.
    pub data: &'a [u8],
    /// The same letter with the applicant's personal data masked, for staff who read the case without
    /// handling or signing it (`None`: no masked copy is kept, and only they may download it).
    pub masked: Option<&'a [u8]>,
    /// The day it was sent (`None`: not yet; see [`mark_sent`]).
    pub sent_on: Option<Date>,
}

/// Records `letter` of the application `application` (id) in the caller's transaction (a step and its
/// letters are written together or not at all), with its `letter.generate` and, if sent, `letter.send`
/// audit entries; returns its id.
pub(crate) async fn insert(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    application: i64,
    tracking_number: &str,
    letter: &NewLetter<'_>,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    if !MEDIA_TYPES.contains(&letter.media_type) {
        return Err(StoreError::InvalidData(format!("letter media type `{}`", letter.media_type)));
    }
    let sha256 = blobs::digest(letter.data);
    blobs::put(transaction, &sha256, letter.media_type, letter.data).await?;
    let masked = match letter.masked {
        Some(masked) => {
            let digest = blobs::digest(masked);
            blobs::put(transaction, &digest, letter.media_type, masked).await?;
            Some(digest)
        }
        None => None,
    };
    let sent_on = letter.sent_on.map(|day| day.to_string());
    let id: i64 = sqlx::query(
        "INSERT INTO letters (application_id, kind, sha256, masked_sha256, media_type, generated_by, generated_at, \
         sent_on, sent_by, title) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(application)
    .bind(letter.kind.code())
    .bind(&sha256)
    .bind(&masked)
    .bind(letter.media_type)
    .bind(actor.name)
    .bind(now_text())
    .bind(&sent_on)
    .bind(sent_on.as_ref().map(|_| actor.name))
    .bind(letter.title)
    .fetch_one(&mut **transaction)
    .await?
    .try_get("id")?;
    let after = serde_json::json!({ "letter": id, "kind": letter.kind.code(), "sha256": sha256 })
        .to_string();
    audit::record(
        &mut *transaction,
        actor,
        "letter.generate",
        &format!("application:{tracking_number}"),
        Some(&after),
    )
    .await?;
    if let Some(sent_on) = sent_on {
        let sent = serde_json::json!({ "sent_on": sent_on }).to_string();
        audit::record(
            &mut *transaction,
            actor,
            "letter.send",
            &format!("letter:{id}"),
            Some(&sent),
        )
        .await?;
    }
    Ok(id)
}

/// Records a generated letter of the application `tracking_number`, not yet sent and with no masked copy;
/// returns its id.
pub async fn add(
    store: &Store,
    tracking_number: &str,
    kind: LetterKind,
    media_type: &str,
    data: &[u8],
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    let mut transaction = store.begin_write().await?;
    let application: i64 = sqlx::query("SELECT id FROM applications WHERE tracking_number = $1")
        .bind(tracking_number)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "application",
            key: tracking_number.to_owned(),
        })?
        .try_get("id")?;
    let letter = NewLetter { kind, title: None, media_type, data, masked: None, sent_on: None };
    let id = insert(&mut transaction, application, tracking_number, &letter, actor).await?;
    transaction.commit().await?;
    Ok(id)
}

/// Records that the letter `id` was sent on `sent_on` (once).
pub async fn mark_sent(
    store: &Store,
    id: i64,
    sent_on: Date,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE letters SET sent_on = $1, sent_by = $2 WHERE id = $3 AND sent_on IS NULL",
    )
    .bind(sent_on.to_string())
    .bind(actor.name)
    .bind(id)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound { what: "unsent letter", key: id.to_string() });
    }
    let after = serde_json::json!({ "sent_on": sent_on.to_string() }).to_string();
    audit::record(&mut transaction, actor, "letter.send", &format!("letter:{id}"), Some(&after))
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// A sent letter as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentLetter {
    pub id: i64,
    pub kind: LetterKind,
    /// The letter's own title, or its kind's name.
    pub title: String,
    pub sent_on: String,
    pub media_type: String,
}

/// The sent letters addressed to the applicant of `tracking_number`, if `code` is its verification code
/// (`None` alike for a wrong code and an unknown number).
pub async fn sent_to_applicant(
    store: &Store,
    tracking_number: &str,
    code: &str,
) -> Result<Option<Vec<SentLetter>>, StoreError> {
    if !verify_code(store, tracking_number, code).await? {
        return Ok(None);
    }
    let rows = sqlx::query(
        "SELECT l.id, l.kind, l.title, l.sent_on, l.media_type FROM letters l JOIN applications a ON a.id = l.application_id \
         WHERE a.tracking_number = $1 AND l.sent_on IS NOT NULL ORDER BY l.sent_on, l.id",
    )
    .bind(tracking_number)
    .fetch_all(store.pool())
    .await?;
    let mut letters = Vec::new();
    for row in &rows {
        let kind = kind_at(row)?;
        if kind.to_applicant() {
            letters.push(SentLetter {
                id: row.try_get("id")?,
                kind,
                title: title_at(row, kind)?,
                sent_on: row.try_get("sent_on")?,
                media_type: row.try_get("media_type")?,
            });
        }
    }
    Ok(Some(letters))
}

/// The bytes of a sent letter addressed to the applicant, checked as [`sent_to_applicant`].
pub async fn applicant_copy(
    store: &Store,
    tracking_number: &str,
    code: &str,
    id: i64,
) -> Result<Option<(SentLetter, Vec<u8>)>, StoreError> {
    let Some(letters) = sent_to_applicant(store, tracking_number, code).await? else {
        return Ok(None);
    };
    let Some(letter) = letters.into_iter().find(|letter| letter.id == id) else {
        return Ok(None);
    };
    let sha256: String = sqlx::query("SELECT sha256 FROM letters WHERE id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await?
        .try_get("sha256")?;
    Ok(blobs::get(store.pool(), &sha256).await?.map(|(_, data)| (letter, data)))
}

/// A letter as staff see it in the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseLetter {
    pub id: i64,
    pub kind: LetterKind,
    /// The letter's own title, or its kind's name.
    pub title: String,
    pub media_type: String,
    pub generated_by: String,
    pub generated_at: String,
    pub sent_on: Option<String>,
}

fn case_letter(row: &sqlx::any::AnyRow) -> Result<CaseLetter, StoreError> {
    let kind = kind_at(row)?;
    Ok(CaseLetter {
        id: row.try_get("id")?,
        kind,
        title: title_at(row, kind)?,
        media_type: row.try_get("media_type")?,
        generated_by: row.try_get("generated_by")?,
        generated_at: row.try_get("generated_at")?,
        sent_on: row.try_get("sent_on")?,
    })
}

/// Every letter of the application `tracking_number`, in the order generated.
pub async fn of_case(store: &Store, tracking_number: &str) -> Result<Vec<CaseLetter>, StoreError> {
    sqlx::query(
        "SELECT l.id, l.kind, l.title, l.media_type, l.generated_by, l.generated_at, l.sent_on FROM letters l \
         JOIN applications a ON a.id = l.application_id WHERE a.tracking_number = $1 ORDER BY l.id",
    )
    .bind(tracking_number)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(case_letter)
    .collect()
}

/// A letter as staff download it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffCopy {
    pub letter: CaseLetter,
    /// The agency code of the letter's application (the caller checks the viewer may read its cases).
    pub agency: String,
    pub tracking_number: String,
    /// The case's handler (username), who may download the letter as sent.
    pub handler: Option<String>,
    sha256: String,
    /// `None` for a letter made before masked copies were kept.
    masked_sha256: Option<String>,
}

/// The letter `id` with what decides who gets which copy of it; its bytes come from [`staff_file`].
pub async fn staff_copy(store: &Store, id: i64) -> Result<Option<StaffCopy>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT l.id, l.kind, l.title, l.media_type, l.generated_by, l.generated_at, l.sent_on, g.code, a.tracking_number, \
         l.sha256, l.masked_sha256, u.username \
         FROM letters l JOIN applications a ON a.id = l.application_id JOIN agencies g ON g.id = a.agency_id \
         LEFT JOIN users u ON u.id = a.handler_id WHERE l.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(StaffCopy {
        letter: case_letter(&row)?,
        agency: row.try_get("code")?,
        tracking_number: row.try_get("tracking_number")?,
        handler: row.try_get("username")?,
        sha256: row.try_get("sha256")?,
        masked_sha256: row.try_get("masked_sha256")?,
    }))
}

/// The bytes of `copy` as sent (`masked` false) or of its copy with the applicant's personal data masked
/// (`None` when no masked copy was kept).
pub async fn staff_file(
    store: &Store,
    copy: &StaffCopy,
    masked: bool,
) -> Result<Option<Vec<u8>>, StoreError> {
    let sha256 = if masked { copy.masked_sha256.as_deref() } else { Some(copy.sha256.as_str()) };
    match sha256 {
        Some(sha256) => Ok(blobs::get(store.pool(), sha256).await?.map(|(_, data)| data)),
        None => Ok(None),
    }
}
