//! Reading-point booking (网上预约查阅): the agency's 查阅点, the seats left per working day and slot, a
//! booking with a code to cancel it. Non-working days (holidays, weekends, with 调休 working days included)
//! come from the calendar; the seat limit holds in the database under concurrent requests.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::Actor;
use gongkai_store::bookings::{self, Booked, NewBooking, ReadingPoint};
use serde::Deserialize;
use time::Date;

use crate::client::ClientAddress;
use crate::error::PageForm;
use crate::guard::{self, Guarded};
use crate::once::Begin;
use crate::portal::AgencyHeader;
use crate::{AppState, PageError, csrf};

/// Working days shown in the availability table.
const DAYS_SHOWN: usize = 10;

pub(crate) struct DayRow {
    pub(crate) day: String,
    pub(crate) weekday: &'static str,
    /// Seats left per column of the point's week; `None` where that slot is not offered on this day.
    pub(crate) left: Vec<Option<i64>>,
    /// Why no slot is offered on this day: 闭馆 (a closure day) or 不开放 (a weekday it does not open).
    pub(crate) closed: Option<&'static str>,
}

pub(crate) struct PointView {
    pub(crate) point: ReadingPoint,
    /// Every slot of its week, in order: the availability table's columns.
    pub(crate) columns: Vec<String>,
    pub(crate) days: Vec<DayRow>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BookingForm {
    #[serde(default)]
    csrf: String,
    /// The one-time form token (see `once`).
    #[serde(default)]
    once: String,
    #[serde(default)]
    point: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage<'a> {
    agency: AgencyHeader,
    csrf: &'a str,
    once: &'a str,
    points: Vec<PointView>,
    days: Vec<String>,
    slots: Vec<String>,
    form: &'a BookingForm,
    errors: Vec<(&'static str, String)>,
}

impl BookingPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(name, _)| *name == field).map(|(_, message)| message.as_str())
    }
}

fn weekday(date: Date) -> &'static str {
    gongkai_core::reading::weekday_name(date.weekday())
}

/// The bookable working days from tomorrow within the window.
fn bookable_days(state: &AppState) -> Vec<Date> {
    let today = state.today();
    let calendar = state.calendar();
    (1..=bookings::BOOKING_WINDOW_DAYS)
        .map(|offset| today + time::Duration::days(offset))
        .filter(|day| calendar.is_working_day(*day).unwrap_or(false))
        .collect()
}

async fn page(
    state: &AppState,
    code: &str,
    headers: &HeaderMap,
    form: &BookingForm,
    errors: Vec<(&'static str, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let agency = state.agency(code).await?;
    let today = state.today();
    let days = bookable_days(state);
    let mut points = Vec::new();
    for point in bookings::reading_points(state.store(), code, today).await? {
        let columns: Vec<String> = point.schedule.all().iter().map(ToString::to_string).collect();
        let mut rows = Vec::new();
        for day in days.iter().take(DAYS_SHOWN) {
            let offered = point.slots_on(*day);
            let closed = if point.closed_days.contains(&day.to_string()) {
                Some("闭馆")
            } else if offered.is_empty() {
                Some("不开放")
            } else {
                None
            };
            let taken = bookings::taken(state.store(), point.id, *day).await?;
            let left = columns
                .iter()
                .map(|slot| {
                    offered.contains(slot).then(|| {
                        let used =
                            taken.iter().find(|(known, _)| known == slot).map_or(0, |(_, n)| *n);
                        (point.capacity - used).max(0)
                    })
                })
                .collect();
            rows.push(DayRow { day: day.to_string(), weekday: weekday(*day), left, closed });
        }
        points.push(PointView { point, columns, days: rows });
    }
    // Every slot of every point, in order: the one that is not offered on the chosen day is refused with
    // that day's slots.
    let mut slots: Vec<String> = points.iter().flat_map(|view| view.columns.clone()).collect();
    slots.sort();
    slots.dedup();
    let (token, cookie) = csrf::issue(headers)?;
    let once = crate::once::token(&form.once)?;
    let view = BookingPage {
        agency: AgencyHeader::load(state, &agency, "booking").await?,
        csrf: &token,
        once: &once,
        points,
        days: days.iter().map(Date::to_string).collect(),
        slots,
        form,
        errors,
    };
    Ok(csrf::with_cookie((status, Html(view.render()?)).into_response(), cookie))
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    if let Some(refused) =
        crate::portal::refuse_if_closed(&state.agency(&code).await?, "booking", state.today())?
    {
        return Ok(refused);
    }
    page(&state, &code, &headers, &BookingForm::default(), Vec::new(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "booked.html")]
struct BookedPage<'a> {
    agency_name: &'a str,
    reference: &'a str,
    code: &'a str,
    point: &'a ReadingPoint,
    day: String,
    slot: &'a str,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<BookingForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    if let Some(refused) =
        crate::portal::refuse_if_closed(&state.agency(&code).await?, "booking", state.today())?
    {
        return Ok(refused);
    }
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let today = state.today();
    let point = match form.point.trim().parse::<i64>() {
        Ok(id) => bookings::reading_point(state.store(), id, today)
            .await?
            .filter(|point| point.agency_code == code),
        Err(_) => None,
    };
    if point.is_none() {
        errors.push(("point", "请选择查阅点。".to_owned()));
    }
    let day = gongkai_core::dates::parse_ymd(form.day.trim());
    if day.is_none() {
        errors.push(("day", "请选择预约日期。".to_owned()));
    }
    if form.slot.trim().is_empty() {
        errors.push(("slot", "请选择时段。".to_owned()));
    }
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(("name", "请填写姓名。".to_owned()));
    } else if name.chars().count() > 50 {
        errors.push(("name", "姓名不能超过50个字。".to_owned()));
    } else if crate::apply::has_control(name, false) {
        errors.push(("name", crate::apply::NO_CONTROL.to_owned()));
    }
    if !crate::apply::phone_valid(form.phone.trim()) {
        errors.push(("phone", "请填写有效的手机号码或带区号的固定电话。".to_owned()));
    }
    let (Some(point), Some(day), true) = (point, day, errors.is_empty()) else {
        return page(&state, &code, &headers, &form, errors, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    };
    let address = client.to_string();
    let booking = NewBooking {
        point_id: point.id,
        day,
        slot: form.slot.trim(),
        name,
        phone: form.phone.trim(),
    };
    let booked = |reference: &str, code: &str| {
        let view = BookedPage {
            agency_name: &point.agency_name,
            reference,
            code,
            point: &point,
            day: format!("{day} {}", weekday(day)),
            slot: booking.slot,
        };
        view.render().map(|html| Html(html).into_response())
    };
    let token = match crate::once::begin(&state, &form.once, "booking", &form.csrf).await? {
        Ok(Begin::Act(token)) => token,
        // The same form again (a reload, a second click): the booking it made, not a second seat.
        Ok(Begin::Replay { result, secret }) => {
            return Ok(booked(&result, secret.as_deref().unwrap_or_default())?);
        }
        Err(pending) => return Ok(pending),
    };
    let calendar = state.calendar();
    let outcome =
        bookings::book(state.store(), &calendar, today, &booking, &Actor::new("public", &address))
            .await;
    let (field, message, status) = match outcome {
        Ok(Booked::Confirmed(receipt)) => {
            crate::once::done(&state, &token, &receipt.reference, Some(&receipt.code)).await?;
            return Ok(booked(&receipt.reference, &receipt.code)?);
        }
        Ok(Booked::Full) => {
            ("slot", "该时段已约满，请选择其他时段或日期。".to_owned(), StatusCode::CONFLICT)
        }
        Ok(Booked::Refused(reason)) => ("day", reason, StatusCode::UNPROCESSABLE_ENTITY),
        Err(err) => {
            crate::once::failed(&state, &token).await;
            return Err(err.into());
        }
    };
    crate::once::failed(&state, &token).await;
    page(&state, &code, &headers, &form, vec![(field, message)], status).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CancelForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "cancel.html")]
struct CancelPage<'a> {
    csrf: &'a str,
    reference: &'a str,
    message: Option<&'a str>,
    cancelled: Option<bookings::BookingView>,
}

fn cancel_page(
    headers: &HeaderMap,
    reference: &str,
    message: Option<&str>,
    cancelled: Option<bookings::BookingView>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let body = CancelPage { csrf: &token, reference, message, cancelled }.render()?;
    Ok(csrf::with_cookie((status, Html(body)).into_response(), cookie))
}

pub(crate) async fn cancel_form(headers: HeaderMap) -> Result<Response, PageError> {
    cancel_page(&headers, "", None, None, StatusCode::OK)
}

pub(crate) async fn cancel(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<CancelForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let reference = form.reference.trim().to_ascii_uppercase();
    let code = form.code.trim();
    let address = client.to_string();
    let actor = Actor::new("public", &address);
    let found = if !reference.is_empty() && reference.len() <= 32 && code.len() <= 16 {
        let cancelled = bookings::cancel(state.store(), &reference, code, &actor);
        guard::check_code(&state, "booking", &reference, client, cancelled).await?
    } else {
        Guarded::Wrong
    };
    match found {
        Guarded::Found(view) => cancel_page(&headers, &reference, None, Some(view), StatusCode::OK),
        Guarded::Throttled(wait) => Ok(guard::throttled(wait)),
        Guarded::Wrong => cancel_page(
            &headers,
            &reference,
            Some("预约号或取消码不正确，请核对后重新输入。"),
            None,
            StatusCode::NOT_FOUND,
        ),
    }
}
