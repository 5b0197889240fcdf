//! Intake of disclosure applications: a platform-wide unique tracking number under concurrent intake, a
//! separate verification code (only its hash is stored), and the applicant's personal data kept for the case
//! (2019 条例 art. 29) but masked in the audit trail.

use gongkai_core::records::{ApplicantType, Outcome};
use gongkai_core::regime::Intake;
use sqlx::Row;

use crate::agencies;
use crate::audit;
use crate::records::{date_at, optional_date_at, to_text};
use crate::secret::Verified;
use crate::{Actor, Store, StoreError, now_text};

/// An application as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication<'a> {
    pub applicant: ApplicantType,
    pub name: &'a str,
    pub id_type: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub email: &'a str,
    pub description: &'a str,
    pub delivery_form: &'a str,
    pub intake: Intake,
}

/// What the applicant gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub tracking_number: String,
    /// Shown once; only its hash is stored.
    pub verification_code: String,
}

/// Keeps the first and last `keep` characters: 张** / 3303**********1234 / 138****5678.
pub fn mask(text: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_start + keep_end {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - keep_start - keep_end;
    chars[..keep_start]
        .iter()
        .chain(std::iter::repeat_n(&'*', hidden))
        .chain(&chars[chars.len() - keep_end..])
        .collect()
}

/// Rewrites an application's code hash under the server's key.
const REHASH_APPLICATION: &str =
    "UPDATE applications SET verification_hash = $1 WHERE tracking_number = $2";

/// Whether `stored` is the hash of `code` issued with `number`; a right code stored the old way (a bare
/// SHA-256, before schema 7) is re-stored under the server's key by `rehash` (an UPDATE taking the new hash
/// as `$1` and the number as `$2`).
pub(crate) async fn code_matches(
    store: &Store,
    stored: &str,
    number: &str,
    code: &str,
    rehash: &'static str,
) -> Result<bool, StoreError> {
    let verified = store.code_key().verify(stored, number, code);
    if verified == Verified::Unkeyed {
        sqlx::query(rehash)
            .bind(store.code_key().hash(number, code))
            .bind(number)
            .execute(store.pool())
            .await?;
    }
    Ok(verified.ok())
}

/// The number a code was issued with and its stored hash, for `tracking_number`: its own, or for an
/// application transferred from another, that of the one it came from (the applicant keeps their code
/// through a transfer, or several).
async fn code_holder(
    store: &Store,
    tracking_number: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let mut number = tracking_number.to_owned();
    // A chain of transfers is short; the bound only guards against a loop in damaged data.
    for _ in 0..8 {
        let row = sqlx::query(
            "SELECT verification_hash, transferred_from FROM applications WHERE tracking_number = $1",
        )
        .bind(&number)
        .fetch_optional(store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = row.try_get("verification_hash")?;
        let from: Option<String> = row.try_get("transferred_from")?;
        match from {
            Some(from) if hash.is_empty() => number = from,
            _ => return Ok(Some((number, hash))),
        }
    }
    Ok(None)
}

/// Whether `code` is the verification code of `tracking_number` (same answer shape for unknown numbers).
pub async fn verify_code(
    store: &Store,
    tracking_number: &str,
    code: &str,
) -> Result<bool, StoreError> {
    match code_holder(store, tracking_number).await? {
        Some((number, stored)) => {
            code_matches(store, &stored, &number, code, REHASH_APPLICATION).await
        }
        None => Ok(false),
    }
}

/// What the public status page may show: never the applicant's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStatus {
    pub tracking_number: String,
    pub agency_code: String,
    pub agency_name: String,
    pub intake: Intake,
    pub regime: Option<gongkai_core::regime::Regime>,
    pub events: Vec<gongkai_core::clock::Event>,
    /// The outcome once the case is closed.
    pub outcome: Option<Outcome>,
    /// How the applicant asked to receive the reply.
    pub delivery_form: String,
    /// Whether the applicant withdrew it (the reply that ended it was the withdrawal).
    pub withdrawn: bool,
    /// The application it was transferred from, and the one it was transferred to.
    pub transferred_from: Option<String>,
    pub transferred_to: Option<String>,
}

/// Compares two hex digests without stopping at the first difference.
pub(crate) fn same_digest(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left.bytes().zip(right.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The status of `tracking_number` if `code` is its verification code; `None` both for a wrong code and for an
/// unknown number, so the answer does not tell whether a number exists.
pub async fn public_status(
    store: &Store,
    tracking_number: &str,
    code: &str,
) -> Result<Option<PublicStatus>, StoreError> {
    let row = sqlx::query(
        "SELECT a.id, g.code, g.name, a.channel, a.submitted, a.signed_for, a.confirmed, a.regime, \
         a.outcome, a.delivery_form, a.transferred_from, \
         (SELECT t.tracking_number FROM applications t WHERE t.transferred_from = a.tracking_number) AS transferred_to \
         FROM applications a JOIN agencies g ON g.id = a.agency_id WHERE a.tracking_number = $1",
    )
    .bind(tracking_number)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if !verify_code(store, tracking_number, code).await? {
        return Ok(None);
    }
    let id: i64 = row.try_get("id")?;
    let channel: String = row.try_get("channel")?;
    let intake = Intake {
        channel: channel.parse().map_err(StoreError::InvalidData)?,
        submitted: date_at(&row, "submitted")?,
        signed_for: optional_date_at(&row, "signed_for")?,
        confirmed: optional_date_at(&row, "confirmed")?,
    };
    let regime: Option<String> = row.try_get("regime")?;
    let rows = sqlx::query(
        "SELECT event, details FROM application_events WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    let mut withdrawn = false;
    for row in &rows {
        events.push(
            serde_json::from_str(&row.try_get::<String, _>("event")?)
                .map_err(|err| StoreError::InvalidData(format!("application event: {err}")))?,
        );
        let details: serde_json::Value =
            serde_json::from_str(&row.try_get::<String, _>("details")?).unwrap_or_default();
        withdrawn |= details.get("withdrawn") == Some(&serde_json::Value::Bool(true));
    }
    Ok(Some(PublicStatus {
        tracking_number: tracking_number.to_owned(),
        agency_code: row.try_get("code")?,
        agency_name: row.try_get("name")?,
        intake,
        regime: regime.as_deref().map(str::parse).transpose().map_err(StoreError::InvalidData)?,
        events,
        outcome: row
            .try_get::<Option<String>, _>("outcome")?
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|err| StoreError::InvalidData(format!("outcome: {err}")))?,
        delivery_form: row.try_get("delivery_form")?,
        withdrawn,
        transferred_from: row.try_get("transferred_from")?,
        transferred_to: row.try_get("transferred_to")?,
    }))
}

/// Registers an application for the agency `code`; the tracking number is `YSQ` + year + a 6-digit
/// platform-wide sequence for that year, taken atomically inside the same transaction.
pub async fn intake(
    store: &Store,
    code: &str,
    application: &NewApplication<'_>,
    actor: &Actor<'_>,
) -> Result<Receipt, StoreError> {
    intake_with_attachments(store, code, application, &[], "", None, actor).await
}

/// What the receipt notice says beyond the intake itself: the due date the clock gave (`None` while the
/// period has not started), whether it is provisional, and the channels the platform delivers through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptNotice {
    pub due: Option<time::Date>,
    pub provisional: bool,
    pub channels: crate::notifications::Channels,
}

/// Files an applicant attaches (art. 29 leaves the form of a request open; proof of identity or of the
/// information sought often comes as a scan).
pub const MAX_ATTACHMENTS: usize = 3;
/// Largest attached file.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// Attached files one applicant (one ID number) may send in a day.
pub const DAILY_FILES_PER_APPLICANT: i64 = 10;
/// Bytes of attached files one applicant may send in a day.
pub const DAILY_BYTES_PER_APPLICANT: i64 = 15 * 1024 * 1024;
/// Bytes of attached files one client network (an IPv4 address, an IPv6 /64) may send in a day: someone
/// inventing applicants (an ID number is only checked for its check digit) is held by where they send from.
pub const DAILY_BYTES_PER_NETWORK: i64 = 50 * 1024 * 1024;
/// Bytes of attached files the whole platform accepts in a day: whatever else fails, the disk does not fill
/// (about 360 GiB a year at the most).
pub const DAILY_BYTES_PER_PLATFORM: i64 = 1024 * 1024 * 1024;

/// A refused upload quota: which one, for the applicant's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuotaExceeded {
    #[error(
        "the applicant's attachments of the day would pass {DAILY_FILES_PER_APPLICANT} files or {DAILY_BYTES_PER_APPLICANT} bytes"
    )]
    Applicant,
    #[error(
        "the attachments sent from this network today would pass {DAILY_BYTES_PER_NETWORK} bytes"
    )]
    Network,
    #[error("the platform's attachments of the day would pass {DAILY_BYTES_PER_PLATFORM} bytes")]
    Platform,
}

/// Counts `files` against the day's quotas in the intake's transaction, or refuses them when the platform
/// would pass [`DAILY_BYTES_PER_PLATFORM`], the client `network` [`DAILY_BYTES_PER_NETWORK`], or the
/// applicant (by ID number, with what was attached to applications submitted the same day)
/// [`DAILY_FILES_PER_APPLICANT`] or [`DAILY_BYTES_PER_APPLICANT`]. The day's platform counter is written
/// first: on PostgreSQL its row lock makes concurrent uploads take their turn (SQLite's write lock does
/// already), so parallel posts cannot together pass a quota. A refusal rolls the counters back with the
/// transaction.
pub(crate) async fn reserve_upload_quota(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    id_number: &str,
    day: time::Date,
    files: &[(String, Vec<u8>)],
    network: &str,
) -> Result<(), StoreError> {
    let day = day.to_string();
    let new_bytes: i64 = files.iter().map(|(_, data)| data.len() as i64).sum();
    for (counter, limit, refusal) in [
        (format!("uploads:{day}"), DAILY_BYTES_PER_PLATFORM, QuotaExceeded::Platform),
        (format!("uploads:{day}:{network}"), DAILY_BYTES_PER_NETWORK, QuotaExceeded::Network),
    ] {
        let total: i64 = sqlx::query(
            "INSERT INTO counters (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = counters.value + $2 RETURNING value",
        )
        .bind(&counter)
        .bind(new_bytes)
        .fetch_one(&mut **transaction)
        .await?
        .try_get("value")?;
        if total > limit {
            return Err(StoreError::Quota(refusal));
        }
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS files, CAST(COALESCE(SUM(b.size), 0) AS BIGINT) AS bytes \
         FROM attachments t JOIN applications a ON a.id = t.application_id \
         JOIN blobs b ON b.sha256 = t.sha256 WHERE a.id_number = $1 AND a.submitted = $2",
    )
    .bind(id_number)
    .bind(&day)
    .fetch_one(&mut **transaction)
    .await?;
    let files_so_far: i64 = row.try_get("files")?;
    let bytes_so_far: i64 = row.try_get("bytes")?;
    if files_so_far + files.len() as i64 > DAILY_FILES_PER_APPLICANT
        || bytes_so_far + new_bytes > DAILY_BYTES_PER_APPLICANT
    {
        return Err(StoreError::Quota(QuotaExceeded::Applicant));
    }
    Ok(())
}

/// A file checked for attaching: its name (last component), media type and bytes.
pub(crate) type CheckedFile<'a> = (String, &'static str, &'a Vec<u8>);

/// Checks files an applicant sends: at most [`MAX_ATTACHMENTS`] of at most [`MAX_ATTACHMENT_BYTES`] each,
/// none empty, types limited as for catalog attachments and checked by their content.
pub(crate) fn check_files(files: &[(String, Vec<u8>)]) -> Result<Vec<CheckedFile<'_>>, StoreError> {
    if files.len() > MAX_ATTACHMENTS {
        return Err(StoreError::InvalidData(format!("at most {MAX_ATTACHMENTS} attachments")));
    }
    let mut checked = Vec::with_capacity(files.len());
    for (name, data) in files {
        let (name, media_type) =
            crate::catalog::checked_attachment(name, data, MAX_ATTACHMENT_BYTES, true)?;
        if data.is_empty() {
            return Err(StoreError::InvalidData(format!("attachment `{name}` is empty")));
        }
        checked.push((name, media_type, data));
    }
    Ok(checked)
}

/// Stores checked files as attachments of the application `application` (id) in the caller's transaction.
pub(crate) async fn attach(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    application: i64,
    files: &[CheckedFile<'_>],
) -> Result<(), StoreError> {
    for (name, media_type, data) in files {
        let sha256 = crate::blobs::digest(data);
        crate::blobs::put(transaction, &sha256, media_type, data).await?;
        sqlx::query("INSERT INTO attachments (application_id, name, sha256) VALUES ($1, $2, $3)")
            .bind(application)
            .bind(name)
            .bind(&sha256)
            .execute(&mut **transaction)
            .await?;
    }
    Ok(())
}

/// The next tracking number of `year`: `YSQ` + year + a 6-digit platform-wide sequence, taken from the
/// year's counter in the caller's transaction.
async fn next_tracking_number(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    year: i32,
) -> Result<String, StoreError> {
    let sequence: i64 = sqlx::query(
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(format!("tracking:{year}"))
    .fetch_one(&mut **transaction)
    .await?
    .try_get("value")?;
    Ok(format!("YSQ{year}{sequence:06}"))
}

/// An application transferred (转办) to another agency of the platform with the reply that closes it here.
#[derive(Debug, Clone, Copy)]
pub struct Transfer<'a> {
    /// The receiving agency's code.
    pub to: &'a str,
    /// The day it is received there (the reply's day).
    pub on: time::Date,
    /// Its due date there, from the clock, for the applicant's receipt.
    pub due: Option<time::Date>,
    pub channels: crate::notifications::Channels,
}

/// Opens the application `from` (id) again at the agency `transfer.to`, in the caller's transaction: a new
/// tracking number, received online on `transfer.on` (its own clock), the applicant, request, delivery form
/// and attached files copied, linked to the original (whose code it is tracked with), audited, and the
/// applicant's receipt queued. Refused for an unknown or closed agency, or the agency the application is at.
pub(crate) async fn transfer_in(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    from: i64,
    transfer: &Transfer<'_>,
    actor: &Actor<'_>,
) -> Result<String, StoreError> {
    let target = sqlx::query("SELECT id, name FROM agencies WHERE code = $1 AND closed_on IS NULL")
        .bind(transfer.to)
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "agency", key: transfer.to.to_owned() })?;
    let target_id: i64 = target.try_get("id")?;
    let target_name: String = target.try_get("name")?;
    let origin = sqlx::query(
        "SELECT a.tracking_number, a.agency_id, g.name FROM applications a JOIN agencies g ON g.id = a.agency_id \
         WHERE a.id = $1",
    )
    .bind(from)
    .fetch_one(&mut **transaction)
    .await?;
    let origin_number: String = origin.try_get("tracking_number")?;
    let origin_agency: String = origin.try_get("name")?;
    if origin.try_get::<i64, _>("agency_id")? == target_id {
        return Err(StoreError::InvalidData(
            "an application is not transferred to its own agency".to_owned(),
        ));
    }
    let tracking_number = next_tracking_number(transaction, transfer.on.year()).await?;
    let intake = Intake::received_on(gongkai_core::regime::Channel::Online, transfer.on);
    let new_id: i64 = sqlx::query(
        "INSERT INTO applications (agency_id, tracking_number, verification_hash, applicant_type, applicant_name, \
         id_type, id_number, phone, address, email, description, delivery_form, channel, submitted, signed_for, \
         confirmed, created_at, transferred_from) \
         SELECT $1, $2, '', applicant_type, applicant_name, id_type, id_number, phone, address, email, description, \
         delivery_form, $3, $4, NULL, $5, $6, tracking_number FROM applications WHERE id = $7 RETURNING id",
    )
    .bind(target_id)
    .bind(&tracking_number)
    .bind(intake.channel.code())
    .bind(intake.submitted.to_string())
    .bind(intake.confirmed.map(|day| day.to_string()))
    .bind(now_text())
    .bind(from)
    .fetch_one(&mut **transaction)
    .await
    .map_err(|err| StoreError::on_unique(err, "tracking number", &tracking_number))?
    .try_get("id")?;
    sqlx::query(
        "INSERT INTO attachments (application_id, name, sha256) \
         SELECT $1, name, sha256 FROM attachments WHERE application_id = $2 ORDER BY id",
    )
    .bind(new_id)
    .bind(from)
    .execute(&mut **transaction)
    .await?;
    let after =
        serde_json::json!({ "agency": transfer.to, "transferred_from": origin_number }).to_string();
    audit::record(
        &mut *transaction,
        actor,
        "application.transfer",
        &format!("application:{tracking_number}"),
        Some(&after),
    )
    .await?;
    let notice = gongkai_core::notices::transferred_receipt(
        &target_name,
        &tracking_number,
        &origin_agency,
        &origin_number,
        transfer.on,
        transfer.due,
    );
    let telling = crate::notifications::Telling { notice: &notice, channels: transfer.channels };
    crate::notifications::enqueue(transaction, new_id, &telling, None, None).await?;
    Ok(tracking_number)
}

/// The applicant's choice of how to receive the reply (送达方式) on the open application `tracking_number`,
/// verified by its `code`: `None` for a wrong code or a closed case (nothing changed). Audited.
pub async fn choose_delivery(
    store: &Store,
    tracking_number: &str,
    code: &str,
    delivery_form: &str,
    actor: &Actor<'_>,
) -> Result<Option<()>, StoreError> {
    if !verify_code(store, tracking_number, code).await? {
        return Ok(None);
    }
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE applications SET delivery_form = $1 WHERE tracking_number = $2 AND outcome IS NULL",
    )
    .bind(delivery_form)
    .bind(tracking_number)
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    let after = serde_json::json!({ "delivery_form": delivery_form }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "application.delivery",
        &format!("application:{tracking_number}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(Some(()))
}

/// [`intake`] with attached files `(name as sent, bytes)`, stored in the same transaction: names are cut to
/// their last component, types limited as for catalog attachments, at most [`MAX_ATTACHMENTS`] of at most
/// [`MAX_ATTACHMENT_BYTES`] each, checked by their content and held to the day's quotas (see
/// [`reserve_upload_quota`]; `network` is the client's, an IPv4 address or an IPv6 /64); anything else
/// refuses the whole application. With `receipt`, the applicant's receipt notice (tracking number,
/// verification code, due date) is queued in the same transaction.
pub async fn intake_with_attachments(
    store: &Store,
    code: &str,
    application: &NewApplication<'_>,
    files: &[(String, Vec<u8>)],
    network: &str,
    receipt: Option<ReceiptNotice>,
    actor: &Actor<'_>,
) -> Result<Receipt, StoreError> {
    let checked = check_files(files)?;
    if application.name.trim().is_empty() || application.description.trim().is_empty() {
        return Err(StoreError::InvalidData(
            "an application needs the applicant's name and the information sought".to_owned(),
        ));
    }
    let agency = agencies::by_code(store, code).await?;
    let year = application.intake.submitted.year();
    let verification_code = format!(
        "{:06}",
        getrandom::u32().map_err(|err| StoreError::InvalidData(err.to_string()))? % 1_000_000
    );
    let mut transaction = store.begin_write().await?;
    if !files.is_empty() {
        reserve_upload_quota(
            &mut transaction,
            application.id_number,
            application.intake.submitted,
            files,
            network,
        )
        .await?;
    }
    let tracking_number = next_tracking_number(&mut transaction, year).await?;
    let channel = application.intake.channel.code();
    let applicant = to_text(&application.applicant);
    let inserted = sqlx::query(
        "INSERT INTO applications (agency_id, tracking_number, verification_hash, applicant_type, applicant_name, \
         id_type, id_number, phone, address, email, description, delivery_form, channel, submitted, signed_for, \
         confirmed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         RETURNING id",
    )
    .bind(agency.id)
    .bind(&tracking_number)
    .bind(store.code_key().hash(&tracking_number, &verification_code))
    .bind(applicant)
    .bind(application.name)
    .bind(application.id_type)
    .bind(application.id_number)
    .bind(application.phone)
    .bind(application.address)
    .bind(application.email)
    .bind(application.description)
    .bind(application.delivery_form)
    .bind(channel)
    .bind(application.intake.submitted.to_string())
    .bind(application.intake.signed_for.map(|date| date.to_string()))
    .bind(application.intake.confirmed.map(|date| date.to_string()))
    .bind(now_text())
    .fetch_one(&mut *transaction)
    .await
    .map_err(|err| StoreError::on_unique(err, "tracking number", &tracking_number))?
    .try_get::<i64, _>("id")?;
    let application_id = inserted;
    attach(&mut transaction, application_id, &checked).await?;
    // The audit trail records the intake with personal data masked.
    let after = serde_json::json!({
        "agency": code,
        "applicant": mask(application.name, 1, 0),
        "id_number": mask(application.id_number, 4, 4),
        "phone": mask(application.phone, 3, 4),
        "channel": channel,
        "attachments": checked.iter().map(|(name, _, data)| serde_json::json!({ "name": name, "size": data.len() })).collect::<Vec<_>>(),
    })
    .to_string();
    let subject = format!("application:{tracking_number}");
    audit::record(&mut transaction, actor, "application.intake", &subject, Some(&after)).await?;
    if let Some(receipt) = receipt {
        let notice = gongkai_core::notices::receipt(
            &agency.name,
            &tracking_number,
            application.intake.submitted,
            receipt.due,
            receipt.provisional,
        );
        let telling = crate::notifications::Telling { notice: &notice, channels: receipt.channels };
        crate::notifications::enqueue(
            &mut transaction,
            application_id,
            &telling,
            Some(&verification_code),
            None,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(Receipt { tracking_number, verification_code })
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn personal_data_is_masked_for_the_audit_trail() {
        assert_eq!(mask("张三", 1, 0), "张*");
        assert_eq!(mask("330302199001011234", 4, 4), "3303**********1234");
        assert_eq!(mask("13812345678", 3, 4), "138****5678");
        assert_eq!(mask("12", 3, 4), "**");
    }
}

/// The applicant's personal data as a staff member may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub name: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
    pub email: String,
    /// True unless the viewer is the case's handler.
    pub masked: bool,
}

/// Makes `username` the handler of the application (audited with the previous handler).
pub async fn assign(
    store: &Store,
    tracking_number: &str,
    username: &str,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    let user: i64 = sqlx::query("SELECT id FROM users WHERE username = $1 AND disabled = 0")
        .bind(username)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "user", key: username.to_owned() })?
        .try_get("id")?;
    let before: Option<String> = sqlx::query(
        "SELECT u.username FROM applications a LEFT JOIN users u ON u.id = a.handler_id WHERE a.tracking_number = $1",
    )
    .bind(tracking_number)
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "application", key: tracking_number.to_owned() })?
    .try_get("username")?;
    sqlx::query("UPDATE applications SET handler_id = $1 WHERE tracking_number = $2")
        .bind(user)
        .bind(tracking_number)
        .execute(&mut *transaction)
        .await?;
    let before = serde_json::json!({ "handler": before }).to_string();
    let after = serde_json::json!({ "handler": username }).to_string();
    audit::record_change(
        &mut transaction,
        actor,
        "application.assign",
        &format!("application:{tracking_number}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The applicant of `tracking_number` as `viewer` (a username) may see it: unmasked only for the case's
/// handler, masked (张*, 3303**********1234, 138****5678, address and email cut) for everyone else.
pub async fn applicant(
    store: &Store,
    tracking_number: &str,
    viewer: &str,
) -> Result<Applicant, StoreError> {
    applicant_for(store, tracking_number, |handler| handler == Some(viewer)).await
}

/// The applicant of `tracking_number`, unmasked when `reveal` (given the case's handler) says so.
pub async fn applicant_for(
    store: &Store,
    tracking_number: &str,
    reveal: impl FnOnce(Option<&str>) -> bool,
) -> Result<Applicant, StoreError> {
    let row = sqlx::query(
        "SELECT a.applicant_name, a.id_type, a.id_number, a.phone, a.address, a.email, u.username \
         FROM applications a LEFT JOIN users u ON u.id = a.handler_id WHERE a.tracking_number = $1",
    )
    .bind(tracking_number)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "application", key: tracking_number.to_owned() })?;
    let handler: Option<String> = row.try_get("username")?;
    let mut applicant = Applicant {
        name: row.try_get("applicant_name")?,
        id_type: row.try_get("id_type")?,
        id_number: row.try_get("id_number")?,
        phone: row.try_get("phone")?,
        address: row.try_get("address")?,
        email: row.try_get("email")?,
        masked: !reveal(handler.as_deref()),
    };
    if applicant.masked {
        applicant.name = mask(&applicant.name, 1, 0);
        applicant.id_number = mask(&applicant.id_number, 4, 4);
        applicant.phone = mask(&applicant.phone, 3, 4);
        applicant.address = mask(&applicant.address, 3, 0);
        let domain = applicant.email.split_once('@').map(|(_, domain)| domain.to_owned());
        applicant.email = domain.map(|domain| format!("***@{domain}")).unwrap_or_default();
    }
    Ok(applicant)
}

/// Applications the agency received by month of `year` (by submission date; January first).
pub async fn monthly_intake(
    store: &Store,
    agency_id: i64,
    year: i32,
) -> Result<[i64; 12], StoreError> {
    let rows = sqlx::query(
        "SELECT SUBSTR(submitted, 6, 2) AS submitted_month, COUNT(*) AS received FROM applications \
         WHERE agency_id = $1 AND submitted >= $2 AND submitted < $3 GROUP BY SUBSTR(submitted, 6, 2)",
    )
    .bind(agency_id)
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{:04}-01-01", year + 1))
    .fetch_all(store.pool())
    .await?;
    let mut months = [0i64; 12];
    for row in rows {
        let month: String = row.try_get("submitted_month")?;
        let count: i64 = row.try_get("received")?;
        if let Some(slot) =
            month.parse::<usize>().ok().and_then(|month| months.get_mut(month.checked_sub(1)?))
        {
            *slot = count;
        }
    }
    Ok(months)
}

/// A file the applicant attached to an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
}

/// The files attached to the application `tracking_number`, in the order sent.
pub async fn attached_files(
    store: &Store,
    tracking_number: &str,
) -> Result<Vec<AttachedFile>, StoreError> {
    sqlx::query(
        "SELECT t.id, t.name, b.media_type, b.size FROM attachments t JOIN applications a ON a.id = t.application_id \
         JOIN blobs b ON b.sha256 = t.sha256 WHERE a.tracking_number = $1 ORDER BY t.id",
    )
    .bind(tracking_number)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(attached_file_at)
    .collect()
}

/// An [`AttachedFile`] from a row of `t.id, t.name, b.media_type, b.size`.
fn attached_file_at(row: &sqlx::any::AnyRow) -> Result<AttachedFile, StoreError> {
    Ok(AttachedFile {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        media_type: row.try_get("media_type")?,
        size: row.try_get("size")?,
    })
}

/// The attached file `id` of the application `tracking_number`, with its bytes.
pub async fn attached_file(
    store: &Store,
    tracking_number: &str,
    id: i64,
) -> Result<Option<(AttachedFile, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT t.id, t.name, b.media_type, b.size, b.data FROM attachments t \
         JOIN applications a ON a.id = t.application_id JOIN blobs b ON b.sha256 = t.sha256 \
         WHERE a.tracking_number = $1 AND t.id = $2",
    )
    .bind(tracking_number)
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| Ok((attached_file_at(&row)?, row.try_get("data")?))).transpose()
}
