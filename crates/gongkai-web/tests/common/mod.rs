//! What the back-office tests share: a desk of three agencies with their staff on a real SQLite store, and
//! a client that keeps cookies and posts forms with their CSRF token, through the real router.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_core::records::ApplicantType;
use gongkai_core::regime::{Channel, Intake};
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::applications::{self, NewApplication};
use gongkai_store::{Actor, Store, handling, users};
use gongkai_web::AppState;
use http_body_util::BodyExt;
use time::macros::date;
use tower::ServiceExt;

pub const ACTOR: Actor<'static> = Actor::new("test", "cli");
pub const PASSWORD: &str = "correct horse battery";

pub struct Desk {
    pub state: AppState,
    pub store: Store,
    pub dir: std::path::PathBuf,
}

impl Drop for Desk {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

pub fn agency<'a>(
    code: &'a str,
    name: &'a str,
    kind: &'a str,
    parent: Option<&'a str>,
) -> NewAgency<'a> {
    NewAgency {
        code,
        name,
        kind: gongkai_core::records::AgencyKind::from_name(kind).expect("an agency kind"),
        region: "浙江省温州市",
        parent_code: parent,
        index_pattern: "{code}/{year}-{serial:05}",
        office: "政府信息公开办公室",
        phone: "0577-88000000",
        address: "温州市鹿城区市府路500号",
        hours: "工作日 8:30-12:00，14:00-17:30",
    }
}

/// 市政府 ZF with two departments, SFJ and CZJ; staff of each; "today" is Friday 2026-11-20.
pub async fn desk(name: &str) -> Desk {
    desk_on(name, Arc::new(Mutex::new(date!(2026 - 11 - 20)))).await
}

/// The same desk on a clock the test moves.
pub async fn desk_on(name: &str, today: Arc<Mutex<time::Date>>) -> Desk {
    let dir = std::env::temp_dir().join(format!("gk_staff_{name}_{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("gk.db").display())).await.unwrap();
    agencies::add(&store, &agency("ZF", "温州市人民政府", "government", None), &ACTOR)
        .await
        .unwrap();
    agencies::add(&store, &agency("SFJ", "温州市司法局", "department", Some("ZF")), &ACTOR)
        .await
        .unwrap();
    agencies::add(&store, &agency("CZJ", "温州市财政局", "department", Some("ZF")), &ACTOR)
        .await
        .unwrap();
    for (user, display, role, code) in [
        ("clerk1", "王经办", users::Role::Clerk, "SFJ"),
        ("clerk2", "李经办", users::Role::Clerk, "SFJ"),
        ("head", "陈局长", users::Role::Head, "SFJ"),
        ("reviewer", "赵审核", users::Role::Reviewer, "SFJ"),
        ("sup", "市政府办公室", users::Role::Supervisor, "ZF"),
        ("other", "财政局经办", users::Role::Clerk, "CZJ"),
        ("otherhead", "财政局负责人", users::Role::Head, "CZJ"),
        ("sfjadmin", "司法局管理员", users::Role::AgencyAdmin, "SFJ"),
    ] {
        users::add(&store, user, display, PASSWORD, &ACTOR).await.unwrap();
        users::grant(&store, user, role, Some(code), &ACTOR).await.unwrap();
    }
    users::add(&store, "admin", "平台管理员", PASSWORD, &ACTOR).await.unwrap();
    users::grant(&store, "admin", users::Role::PlatformAdmin, None, &ACTOR).await.unwrap();
    // The head of SFJ is also a clerk there, to show they still cannot approve their own request.
    users::grant(&store, "head", users::Role::Clerk, Some("SFJ"), &ACTOR).await.unwrap();
    let state = AppState::with_clock(store.clone(), Calendar::builtin().clone(), move || {
        *today.lock().unwrap()
    })
    .without_rate_limits()
    .without_secure_cookies();
    Desk { state, store, dir }
}

pub async fn online_application(store: &Store, code: &str, submitted: time::Date) -> String {
    online_receipt(store, code, submitted).await.tracking_number
}

/// An online application of 张三 to `code` submitted on `submitted`, with its number and code.
pub async fn online_receipt(
    store: &Store,
    code: &str,
    submitted: time::Date,
) -> applications::Receipt {
    let application = NewApplication {
        applicant: ApplicantType::Natural,
        name: "张三",
        id_type: "居民身份证",
        id_number: "11010519491231002X",
        phone: "13800138000",
        address: "温州市鹿城区某路1号",
        email: "",
        description: "2025年度律师事务所年度检查考核结果",
        delivery_form: "邮寄纸质文本",
        intake: Intake::received_on(Channel::Online, submitted),
    };
    applications::intake(store, code, &application, &Actor::new("public", "203.0.113.1"))
        .await
        .unwrap()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

/// A browser: a cookie jar and the router.
pub struct Client {
    pub state: AppState,
    pub cookies: HashMap<String, String>,
    /// The address requests come from.
    pub address: SocketAddr,
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

impl Client {
    pub fn new(desk: &Desk) -> Client {
        Client {
            state: desk.state.clone(),
            cookies: HashMap::new(),
            address: SocketAddr::from(([198, 51, 100, 7], 5000)),
        }
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Answer {
        let cookie: Vec<String> =
            self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        if !cookie.is_empty() {
            request.headers_mut().insert(header::COOKIE, cookie.join("; ").parse().unwrap());
        }
        request.headers_mut().insert(header::HOST, "gk.example.cn".parse().unwrap());
        request.extensions_mut().insert(ConnectInfo(self.address));
        let response = gongkai_web::router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let expired = text.contains("Max-Age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Answer { status, headers, bytes }
    }

    pub async fn get(&mut self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    /// The CSRF token the client holds (`__Host-gk_csrf` over HTTPS, `gk_csrf` otherwise), fetched from
    /// the sign-in page if it has none.
    pub async fn csrf(&mut self) -> String {
        let held = |client: &Client| {
            client.cookies.get("__Host-gk_csrf").or_else(|| client.cookies.get("gk_csrf")).cloned()
        };
        if held(self).is_none() {
            self.get("/staff/login").await;
        }
        held(self).expect("the sign-in page sets a CSRF cookie")
    }

    /// Posts a multipart form with its CSRF token, `fields` and one file under `file_field`.
    pub async fn upload(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        data: &[u8],
    ) -> Answer {
        self.upload_files(uri, fields, file_field, &[(file_name, data)]).await
    }

    /// Posts a multipart form with its CSRF token, `fields` and several files in the one field `file_field`
    /// (an input with `multiple`).
    pub async fn upload_files(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        files: &[(&str, &[u8])],
    ) -> Answer {
        let token = self.csrf().await;
        let boundary = "gongkaiBoundary7MA4YWxk";
        let mut body = Vec::new();
        for (name, value) in std::iter::once(&("csrf", token.as_str())).chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (file_name, data) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let token = self.csrf().await;
        let mut body = format!("csrf={token}");
        for (name, value) in fields {
            body.push_str(&format!("&{name}={}", encode(value)));
        }
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub async fn sign_in(desk: &Desk, user: &str) -> Client {
        Client::sign_in_with(desk, user, PASSWORD).await
    }

    pub async fn sign_in_with(desk: &Desk, user: &str, password: &str) -> Client {
        let mut client = Client::new(desk);
        let answer =
            client.post("/staff/login", &[("username", user), ("password", password)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{user}: {}", answer.text());
        assert!(client.cookies.contains_key("gk_staff"), "{:?}", client.cookies);
        client
    }

    pub async fn step(&mut self, tracking: &str, fields: &[(&str, &str)]) -> Answer {
        let version = {
            let case = handling::case(self.state.store(), tracking).await.unwrap();
            case.version().to_string()
        };
        let mut all = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/staff/cases/{tracking}/steps"), &all).await
    }

    /// [`Client::step`], which must be taken: the answer is the redirect back to the case page.
    pub async fn step_done(&mut self, tracking: &str, fields: &[(&str, &str)]) -> Answer {
        let answer = self.step(tracking, fields).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{fields:?}: {}", answer.text());
        answer
    }
}

/// The text of a DOCX's main part.
pub fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip_entries(bytes);
    let mut xml = String::new();
    archive.read_to_string(&mut xml).unwrap();
    xml
}

pub fn zip_entries(bytes: &[u8]) -> std::io::Cursor<Vec<u8>> {
    // Find word/document.xml by its local header and inflate it.
    let name = b"word/document.xml";
    let position = (30..bytes.len() - name.len())
        .find(|&at| {
            &bytes[at..at + name.len()] == name && bytes[at - 30..at - 26] == *b"PK\x03\x04"
        })
        .unwrap();
    let header = position - 30;
    let method = u16::from_le_bytes([bytes[header + 8], bytes[header + 9]]);
    let compressed =
        u32::from_le_bytes(bytes[header + 18..header + 22].try_into().unwrap()) as usize;
    let extra = u16::from_le_bytes([bytes[header + 28], bytes[header + 29]]) as usize;
    let start = position + name.len() + extra;
    let data = &bytes[start..start + compressed];
    let inflated = if method == 0 {
        data.to_vec()
    } else {
        miniz_oxide::inflate::decompress_to_vec(data).unwrap()
    };
    std::io::Cursor::new(inflated)
}

pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}
