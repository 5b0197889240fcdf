//! Reading-point bookings (网上预约查阅): an agency's 查阅点 with its opening hours, the slots of a day and the
//! seats per slot. A booking holds a seat; the database refuses a second active booking of the same seat (a
//! partial unique index), and bookings are taken one at a time (the booking-number counter row is the first
//! write of the transaction), so there are never more bookings than seats, whichever instance takes them.

use gongkai_core::calendar::Calendar;
use gongkai_core::reading::Schedule;
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::{Actor, Store, StoreError, agencies, audit, now_text};

/// How far ahead the public may book, in days.
pub const BOOKING_WINDOW_DAYS: i64 = 30;

/// A reading point as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadingPoint {
    pub id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub name: String,
    pub address: String,
    pub hours: String,
    /// Seats per slot.
    pub capacity: i64,
    /// Its week: the day's slots (e.g. `09:00-10:30`) and the weekdays that differ.
    pub schedule: Schedule,
    /// Days it is closed beyond the public holidays (闭馆日), `YYYY-MM-DD`.
    pub closed_days: Vec<String>,
}

impl ReadingPoint {
    /// The slots offered on `day` (empty on a weekday it does not open or a closure day), as text.
    pub fn slots_on(&self, day: Date) -> Vec<String> {
        if self.closed_days.contains(&day.to_string()) {
            return Vec::new();
        }
        self.schedule.on(day.weekday()).iter().map(ToString::to_string).collect()
    }
}

const POINT_SQL: &str = "SELECT p.id, g.code AS agency_code, g.name AS agency_name, p.name, \
                         p.address, p.hours, p.capacity, p.slots, p.opened, p.closed, \
                         p.closed_days, p.weekly_slots FROM reading_points p \
                         JOIN agencies g ON g.id = p.agency_id";

/// The week of reading point `id` as stored (its day's slots and the weekdays that differ).
fn stored_week(id: i64, slots: &str, weekly: &str) -> Result<Schedule, StoreError> {
    Schedule::stored(slots, weekly)
        .map_err(|err| StoreError::InvalidData(format!("reading point {id}'s stored week: {err}")))
}

fn point_at(row: &sqlx::any::AnyRow) -> Result<ReadingPoint, StoreError> {
    let slots: String = row.try_get("slots")?;
    let closed_days: String = row.try_get("closed_days")?;
    let weekly: String = row.try_get("weekly_slots")?;
    let id: i64 = row.try_get("id")?;
    let schedule = stored_week(id, &slots, &weekly)?;
    Ok(ReadingPoint {
        id,
        agency_code: row.try_get("agency_code")?,
        agency_name: row.try_get("agency_name")?,
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        hours: row.try_get("hours")?,
        capacity: row.try_get("capacity")?,
        schedule,
        closed_days: closed_days
            .split(',')
            .map(str::trim)
            .filter(|day| !day.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn open_on(row: &sqlx::any::AnyRow, day: Date) -> Result<bool, StoreError> {
    let opened: String = row.try_get("opened")?;
    let closed: Option<String> = row.try_get("closed")?;
    let closed_days: String = row.try_get("closed_days")?;
    let day = day.to_string();
    Ok(opened <= day
        && closed.is_none_or(|closed| day < closed)
        && !closed_days.split(',').any(|closed| closed.trim() == day))
}

/// The agency's reading points open on `day`.
pub async fn reading_points(
    store: &Store,
    code: &str,
    day: Date,
) -> Result<Vec<ReadingPoint>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let sql = format!("{POINT_SQL} WHERE p.agency_id = $1 ORDER BY p.id");
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency.id).fetch_all(store.pool()).await?;
    let mut points = Vec::new();
    for row in &rows {
        if open_on(row, day)? {
            points.push(point_at(row)?);
        }
    }
    Ok(points)
}

/// One reading point, if it is open on `day`.
pub async fn reading_point(
    store: &Store,
    id: i64,
    day: Date,
) -> Result<Option<ReadingPoint>, StoreError> {
    let sql = format!("{POINT_SQL} WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(store.pool()).await?;
    match row {
        Some(row) if open_on(&row, day)? => Ok(Some(point_at(&row)?)),
        _ => Ok(None),
    }
}

/// What staff set of a reading point: opening hours (as shown), seats per slot, its week and its closure
/// days (闭馆日, beyond the public holidays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointChange<'a> {
    /// Opening hours as the portal shows them.
    pub hours: &'a str,
    /// Seats per slot, 1 to 500.
    pub capacity: i64,
    /// The day's slots and the weekdays that differ.
    pub schedule: &'a Schedule,
    /// Closure days beyond the public holidays.
    pub closed_days: &'a [Date],
}

/// Sets the reading point `id` of the agency `code` (audited), all in one transaction. Returns the active
/// bookings from `today` on that the point offered and the new settings no longer offer (now on a closure
/// day, a weekday it no longer opens or a slot it no longer has): they stand, and its staff must tell their
/// holders. Bookings stranded by an earlier change are not counted again.
pub async fn configure(
    store: &Store,
    code: &str,
    id: i64,
    change: &PointChange<'_>,
    today: Date,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    check_capacity(change.capacity)?;
    let agency = agencies::by_code(store, code).await?;
    let mut days: Vec<String> = change.closed_days.iter().map(Date::to_string).collect();
    days.sort();
    days.dedup();
    let mut transaction = store.begin_write().await?;
    // The point as it was: a booking it no longer offers is counted only if it offered it before.
    let before = sqlx::query(
        "SELECT slots, weekly_slots, closed_days FROM reading_points \
         WHERE id = $1 AND agency_id = $2 AND closed IS NULL",
    )
    .bind(id)
    .bind(agency.id)
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "open reading point", key: id.to_string() })?;
    let (old_slots, old_weekly, old_closed): (String, String, String) =
        (before.try_get("slots")?, before.try_get("weekly_slots")?, before.try_get("closed_days")?);
    let old_week = stored_week(id, &old_slots, &old_weekly)?;
    let updated = sqlx::query(
        "UPDATE reading_points SET hours = $1, capacity = $2, slots = $3, weekly_slots = $4, closed_days = $5 \
         WHERE id = $6 AND agency_id = $7 AND closed IS NULL",
    )
    .bind(change.hours.trim())
    .bind(change.capacity)
    .bind(change.schedule.daily_text())
    .bind(change.schedule.weekly_text())
    .bind(days.join(","))
    .bind(id)
    .bind(agency.id)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound { what: "open reading point", key: id.to_string() });
    }
    let held = sqlx::query(
        "SELECT day, slot FROM bookings WHERE reading_point_id = $1 AND day >= $2 AND cancelled_at IS NULL",
    )
    .bind(id)
    .bind(today.to_string())
    .fetch_all(&mut *transaction)
    .await?;
    let mut stranded = 0;
    for row in &held {
        let (day, slot): (String, String) = (row.try_get("day")?, row.try_get("slot")?);
        let date = crate::records::parse_date(&day)?;
        let offers = |week: &Schedule, closed: bool| {
            !closed && week.on(date.weekday()).iter().any(|known| known.to_string() == slot)
        };
        let was_closed = old_closed.split(',').any(|closed| closed.trim() == day);
        if offers(&old_week, was_closed) && !offers(change.schedule, days.contains(&day)) {
            stranded += 1;
        }
    }
    let after = serde_json::json!({
        "hours": change.hours.trim(), "capacity": change.capacity,
        "slots": change.schedule.daily_text(), "weekly_slots": change.schedule.weekly_text(),
        "closed_days": days, "bookings_no_longer_offered": stranded,
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "reading_point.configure",
        &format!("reading_point:{id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(stranded)
}

/// Active bookings per slot of a reading point on `day`.
pub async fn taken(
    store: &Store,
    point_id: i64,
    day: Date,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT slot, COUNT(*) AS booked FROM bookings \
         WHERE reading_point_id = $1 AND day = $2 AND cancelled_at IS NULL GROUP BY slot",
    )
    .bind(point_id)
    .bind(day.to_string())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("slot")?, row.try_get("booked")?))).collect()
}

/// A booking request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking<'a> {
    pub point_id: i64,
    pub day: Date,
    pub slot: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
}

/// What the public gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingReceipt {
    /// `YY` + year + a 6-digit sequence.
    pub reference: String,
    /// Shown once; only its hash is stored. Needed to cancel.
    pub code: String,
}

/// The outcome of a booking request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    Confirmed(BookingReceipt),
    /// Every seat of the slot is taken.
    Full,
    /// The day or slot cannot be booked; the reason is in Chinese, for the page.
    Refused(String),
}

/// Books a seat. `today` is the date in China; only working days (per `calendar`, holidays and 调休
/// included) from tomorrow up to [`BOOKING_WINDOW_DAYS`] ahead can be booked.
pub async fn book(
    store: &Store,
    calendar: &Calendar,
    today: Date,
    booking: &NewBooking<'_>,
    actor: &Actor<'_>,
) -> Result<Booked, StoreError> {
    if let Some(reason) = day_refusal(calendar, today, booking)? {
        return Ok(Booked::Refused(reason));
    }
    let Some(point) = reading_point(store, booking.point_id, booking.day).await? else {
        return Ok(Booked::Refused("该查阅点在所选日期不开放。".to_owned()));
    };
    if let Some(reason) = slot_refusal(&point, booking) {
        return Ok(Booked::Refused(reason));
    }
    let code = format!(
        "{:06}",
        getrandom::u32().map_err(|err| StoreError::InvalidData(err.to_string()))? % 1_000_000
    );
    let year = booking.day.year();
    let mut transaction = store.begin_write().await?;
    // First write: takes the write lock (SQLite) or the counter row's lock (PostgreSQL) until commit, so
    // bookings are taken one at a time.
    let sequence = next_sequence(&mut transaction, year).await?;
    let seats = taken_seats(&mut transaction, point.id, booking).await?;
    let Some(seat) = (1..=point.capacity).find(|seat| !seats.contains(seat)) else {
        transaction.rollback().await?;
        return Ok(Booked::Full);
    };
    let reference = format!("YY{year}{sequence:06}");
    insert_booking(&mut transaction, store, point.id, booking, seat, &reference, &code).await?;
    let after = serde_json::json!({
        "reading_point": point.id,
        "day": booking.day.to_string(),
        "slot": booking.slot,
        "seat": seat,
        "name": crate::applications::mask(booking.name, 1, 0),
        "phone": crate::applications::mask(booking.phone, 3, 4),
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "booking.create",
        &format!("booking:{reference}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(Booked::Confirmed(BookingReceipt { reference, code }))
}

/// Why the day of `booking` cannot be booked (in Chinese, for the page), if it cannot; a booking without
/// a name or phone number is an error.
fn day_refusal(
    calendar: &Calendar,
    today: Date,
    booking: &NewBooking<'_>,
) -> Result<Option<String>, StoreError> {
    if booking.name.trim().is_empty() || booking.phone.trim().is_empty() {
        return Err(StoreError::InvalidData(
            "a booking needs a name and a phone number".to_owned(),
        ));
    }
    if booking.day <= today {
        return Ok(Some("只能预约明天及以后的日期。".to_owned()));
    }
    if booking.day > today + time::Duration::days(BOOKING_WINDOW_DAYS) {
        return Ok(Some(format!("只能预约{BOOKING_WINDOW_DAYS}天以内的日期。")));
    }
    match calendar.is_working_day(booking.day) {
        Ok(true) => Ok(None),
        Ok(false) => Ok(Some(format!(
            "{} 不是工作日（节假日或周末），查阅点不开放，请选择其他日期。",
            booking.day
        ))),
        Err(_) => Ok(Some(format!("{} 所在年度的节假日安排尚未公布，暂不能预约。", booking.day))),
    }
}

/// Why the reading point does not offer the slot of `booking` on its day (in Chinese), if it does not.
fn slot_refusal(point: &ReadingPoint, booking: &NewBooking<'_>) -> Option<String> {
    let offered = point.slots_on(booking.day);
    if offered.is_empty() {
        return Some(format!(
            "该查阅点{}不开放，请选择其他日期。",
            if point.closed_days.contains(&booking.day.to_string()) {
                format!("{}闭馆", booking.day)
            } else {
                format!("每{}", gongkai_core::reading::weekday_name(booking.day.weekday()))
            }
        ));
    }
    if !offered.iter().any(|slot| slot == booking.slot) {
        return Some(format!(
            "所选时段在{}不开放，当日可预约的时段为：{}。",
            booking.day,
            offered.join("、")
        ));
    }
    None
}

/// The next booking number of `year`: the first write of a booking's transaction.
async fn next_sequence(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    year: i32,
) -> Result<i64, StoreError> {
    let sequence: i64 = sqlx::query(
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(format!("booking:{year}"))
    .fetch_one(&mut **transaction)
    .await?
    .try_get("value")?;
    Ok(sequence)
}

/// The seats of the slot of `booking` that active bookings hold.
async fn taken_seats(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    point_id: i64,
    booking: &NewBooking<'_>,
) -> Result<Vec<i64>, StoreError> {
    let seats: Vec<i64> = sqlx::query(
        "SELECT seat FROM bookings WHERE reading_point_id = $1 AND day = $2 AND slot = $3 AND cancelled_at IS NULL",
    )
    .bind(point_id)
    .bind(booking.day.to_string())
    .bind(booking.slot)
    .fetch_all(&mut **transaction)
    .await?
    .iter()
    .map(|row| row.try_get("seat"))
    .collect::<Result<_, _>>()?;
    Ok(seats)
}

/// Inserts the booking of `seat`, keeping only the hash of its code; a seat taken meanwhile is a
/// duplicate.
async fn insert_booking(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    store: &Store,
    point_id: i64,
    booking: &NewBooking<'_>,
    seat: i64,
    reference: &str,
    code: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO bookings (reading_point_id, day, slot, seat, reference, code_hash, name, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(point_id)
    .bind(booking.day.to_string())
    .bind(booking.slot)
    .bind(seat)
    .bind(reference)
    .bind(store.code_key().hash(reference, code))
    .bind(booking.name)
    .bind(booking.phone)
    .bind(now_text())
    .execute(&mut **transaction)
    .await
    .map_err(|err| StoreError::on_unique(err, "booking seat", reference))?;
    Ok(())
}

/// A booking as its holder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingView {
    pub reference: String,
    pub point: String,
    pub address: String,
    pub day: String,
    pub slot: String,
    pub cancelled: bool,
}

async fn find(
    store: &Store,
    reference: &str,
    code: &str,
) -> Result<Option<(i64, BookingView)>, StoreError> {
    let row = sqlx::query(
        "SELECT b.id, b.code_hash, p.name, p.address, b.day, b.slot, b.cancelled_at FROM bookings b \
         JOIN reading_points p ON p.id = b.reading_point_id WHERE b.reference = $1",
    )
    .bind(reference)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored: String = row.try_get("code_hash")?;
    let rehash = "UPDATE bookings SET code_hash = $1 WHERE reference = $2";
    if !crate::applications::code_matches(store, &stored, reference, code, rehash).await? {
        return Ok(None);
    }
    let cancelled: Option<String> = row.try_get("cancelled_at")?;
    Ok(Some((
        row.try_get("id")?,
        BookingView {
            reference: reference.to_owned(),
            point: row.try_get("name")?,
            address: row.try_get("address")?,
            day: row.try_get("day")?,
            slot: row.try_get("slot")?,
            cancelled: cancelled.is_some(),
        },
    )))
}

/// The booking `reference` if `code` is its code (`None` alike for an unknown reference and a wrong code).
pub async fn lookup(
    store: &Store,
    reference: &str,
    code: &str,
) -> Result<Option<BookingView>, StoreError> {
    Ok(find(store, reference, code).await?.map(|(_, view)| view))
}

/// Cancels the booking `reference` if `code` is its code; frees the seat. `None` alike for an unknown
/// reference and a wrong code; a booking already cancelled is returned as it is.
pub async fn cancel(
    store: &Store,
    reference: &str,
    code: &str,
    actor: &Actor<'_>,
) -> Result<Option<BookingView>, StoreError> {
    let Some((id, mut view)) = find(store, reference, code).await? else {
        return Ok(None);
    };
    if view.cancelled {
        return Ok(Some(view));
    }
    let mut transaction = store.begin_write().await?;
    sqlx::query("UPDATE bookings SET cancelled_at = $1 WHERE id = $2 AND cancelled_at IS NULL")
        .bind(now_text())
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    audit::record(&mut transaction, actor, "booking.cancel", &format!("booking:{reference}"), None)
        .await?;
    transaction.commit().await?;
    view.cancelled = true;
    Ok(Some(view))
}

/// A reading point as its agency's staff keep it: open or closed, with the day it opened and closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointSettings {
    pub point: ReadingPoint,
    pub opened: String,
    pub closed: Option<String>,
}

/// Every reading point of the agency `code`, open or closed, in the order they were added.
pub async fn all_points(store: &Store, code: &str) -> Result<Vec<PointSettings>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let sql = format!("{POINT_SQL} WHERE p.agency_id = $1 ORDER BY p.id");
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency.id).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(PointSettings {
                point: point_at(row)?,
                opened: row.try_get("opened")?,
                closed: row.try_get("closed")?,
            })
        })
        .collect()
}

/// A new reading point of an agency (查阅点): where, when (as shown), seats per slot and the day's slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoint<'a> {
    /// 名称.
    pub name: &'a str,
    /// 地址.
    pub address: &'a str,
    /// Opening hours as the portal shows them.
    pub hours: &'a str,
    /// Seats per slot, 1 to 500.
    pub capacity: i64,
    /// The day's slots and the weekdays that differ.
    pub schedule: &'a Schedule,
    /// The first day it takes bookings.
    pub opened: Date,
}

/// Seats per slot are 1 to 500.
fn check_capacity(capacity: i64) -> Result<(), StoreError> {
    if !(1..=500).contains(&capacity) {
        return Err(crate::Refused::Capacity(capacity).into());
    }
    Ok(())
}

/// Adds a reading point to the agency `code` (audited); returns its id.
pub async fn add_point(
    store: &Store,
    code: &str,
    point: &NewPoint<'_>,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    check_capacity(point.capacity)?;
    if point.name.trim().is_empty() || point.address.trim().is_empty() {
        return Err(crate::Refused::PointWithoutNameOrAddress.into());
    }
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO reading_points (agency_id, name, address, hours, capacity, slots, weekly_slots, opened) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(agency.id)
    .bind(point.name.trim())
    .bind(point.address.trim())
    .bind(point.hours.trim())
    .bind(point.capacity)
    .bind(point.schedule.daily_text())
    .bind(point.schedule.weekly_text())
    .bind(point.opened.to_string())
    .fetch_one(&mut *transaction)
    .await?
    .try_get("id")?;
    let after = serde_json::json!({
        "agency": code, "name": point.name, "address": point.address, "hours": point.hours,
        "capacity": point.capacity, "slots": point.schedule.daily_text(),
        "weekly_slots": point.schedule.weekly_text(), "opened": point.opened.to_string(),
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "reading_point.add",
        &format!("reading_point:{id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(id)
}

/// Closes the reading point `id` of the agency `code` from `day` on (no booking on or after it is taken).
/// Returns the active bookings on or after `day` that its staff must now tell their holders of.
pub async fn close_point(
    store: &Store,
    code: &str,
    id: i64,
    day: Date,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE reading_points SET closed = $1 WHERE id = $2 AND agency_id = $3 AND closed IS NULL",
    )
    .bind(day.to_string())
    .bind(id)
    .bind(agency.id)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound { what: "open reading point", key: id.to_string() });
    }
    let affected: i64 = sqlx::query(
        "SELECT COUNT(*) AS affected FROM bookings \
         WHERE reading_point_id = $1 AND day >= $2 AND cancelled_at IS NULL",
    )
    .bind(id)
    .bind(day.to_string())
    .fetch_one(&mut *transaction)
    .await?
    .try_get("affected")?;
    let after =
        serde_json::json!({ "closed": day.to_string(), "bookings_after": affected }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "reading_point.close",
        &format!("reading_point:{id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(affected)
}

/// A booking as the reading point's staff see it on the day's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayBooking {
    pub point: String,
    pub slot: String,
    pub reference: String,
    pub name: String,
    pub phone: String,
    pub cancelled: bool,
}

/// The bookings of every reading point of the agency `code` on `day`, by point and slot (cancelled ones
/// too, marked). Viewing the list is audited: it shows the visitors' names and phone numbers.
pub async fn on_day(
    store: &Store,
    code: &str,
    day: Date,
    actor: &Actor<'_>,
) -> Result<Vec<DayBooking>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let rows = sqlx::query(
        "SELECT p.name AS point_name, b.slot, b.reference, b.name, b.phone, b.cancelled_at \
         FROM bookings b JOIN reading_points p ON p.id = b.reading_point_id \
         WHERE p.agency_id = $1 AND b.day = $2 \
         ORDER BY p.id, b.slot, b.id",
    )
    .bind(agency.id)
    .bind(day.to_string())
    .fetch_all(store.pool())
    .await?;
    let list = rows
        .iter()
        .map(|row| {
            Ok(DayBooking {
                point: row.try_get("point_name")?,
                slot: row.try_get("slot")?,
                reference: row.try_get::<Option<String>, _>("reference")?.unwrap_or_default(),
                name: row.try_get("name")?,
                phone: row.try_get("phone")?,
                cancelled: row.try_get::<Option<String>, _>("cancelled_at")?.is_some(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut transaction = store.begin_write().await?;
    let after = serde_json::json!({ "day": day.to_string(), "bookings": list.len() }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "bookings.view",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(list)
}
