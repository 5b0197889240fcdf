//! Durability of intake against a real server process: concurrent online applications, `SIGKILL` in the middle
//! of the stream, a restart on the same database, and every acknowledged application found exactly once.
//!
//! Runs on SQLite (the embedded default, WAL + `synchronous = FULL`) and on PostgreSQL (`GONGKAI_TEST_PG`,
//! default `postgres://postgres@127.0.0.1:5432/test`; unreachable PostgreSQL fails the test).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gongkai_store::Store;
use gongkai_store::audit::{self, Verification};

const CLIENTS: usize = 8;
/// Kill the server once this many intakes were acknowledged (the clients keep posting while it dies).
const KILL_AFTER: usize = 120;

struct Server {
    child: Child,
    base: String,
}

/// A server is stopped when its test ends, even by a panic: a live child holds the test's output pipe, and
/// the test run would wait for it for ever.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &str, demo: bool) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    // One search index per database; the clients all post from 127.0.0.1, so the per-address limits are off.
    let index = std::env::temp_dir().join(format!(
        "gk-durability-index-{}-{}",
        std::process::id(),
        db.len()
    ));
    command
        .args(["serve", "--db", db, "--addr", "127.0.0.1:0", "--no-rate-limit", "--index"])
        .arg(&index);
    if demo {
        command.arg("--demo");
    }
    let mut child = command
        .env("GONGKAI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the gongkai binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server announces its address");
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in `{line}`"))
        .trim_end_matches('/')
        .to_owned();
    Server { child, base }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// An HTTP client builder: reqwest is built without a TLS provider of its own in this workspace (the server
/// installs ring for its SMS gateway), so the process's provider is installed first.
fn http() -> reqwest::ClientBuilder {
    gongkai_web::notify::install_tls();
    reqwest::Client::builder()
}

/// One acknowledged intake: the tracking number, the code and the description that identifies the request.
#[derive(Debug, Clone)]
struct Acknowledged {
    number: String,
    code: String,
    description: String,
}

async fn client(
    base: String,
    agency: String,
    id: usize,
    acknowledged: Arc<Mutex<Vec<Acknowledged>>>,
) -> usize {
    let http = http().cookie_store(true).timeout(Duration::from_secs(10)).build().unwrap();
    let url = format!("{base}/agencies/{agency}/apply");
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    let token =
        between(&page, "name=\"csrf\" value=\"", "\"").expect("the form has a token").to_owned();
    let mut sent = 0;
    for seq in 0.. {
        let description = format!("耐久性测试 客户端{id} 第{seq}件");
        let form = [
            ("csrf", token.as_str()),
            ("applicant_type", "natural"),
            ("name", "张三"),
            ("id_type", "居民身份证"),
            ("id_number", "11010519491231002X"),
            ("phone", "13812345678"),
            ("email", ""),
            ("address", "温州市鹿城区人民路1号"),
            ("description", description.as_str()),
            ("delivery_form", "邮寄纸质文本"),
        ];
        sent += 1;
        let Ok(response) = http.post(&url).form(&form).send().await else {
            break; // the server is gone
        };
        let status = response.status();
        let Ok(body) = response.text().await else {
            break; // killed while answering: not acknowledged
        };
        assert_eq!(status, 200, "intake refused: {body}");
        let number = between(&body, "id=\"tracking-number\">", "<").unwrap().to_owned();
        let code = between(&body, "id=\"verification-code\">", "<").unwrap().to_owned();
        acknowledged.lock().unwrap().push(Acknowledged { number, code, description });
    }
    sent
}

async fn kill_mid_stream_and_recover(db: &str) {
    let mut server = start(db, true);
    let home = http()
        .build()
        .unwrap()
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let end = home.find("/apply\"").expect("an agency's application link on the home page");
    let from = home[..end].rfind("/agencies/").expect("an agency path") + "/agencies/".len();
    let agency = home[from..end].to_owned();

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            tokio::spawn(client(server.base.clone(), agency.clone(), id, Arc::clone(&acknowledged)))
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < KILL_AFTER {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "intake too slow to reach {KILL_AFTER}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.child.kill().expect("SIGKILL"); // std's kill() is SIGKILL on Unix
    server.child.wait().unwrap();
    let mut sent = 0;
    for client in clients {
        sent += client.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= KILL_AFTER);
    assert!(
        sent > acknowledged.len(),
        "some requests must have been in flight when the server died"
    );

    // Restart on the same database: every acknowledged intake is there, once, and can be tracked.
    let mut server = start(db, false);
    let store = Store::open(db).await.unwrap();
    for ack in &acknowledged {
        let sql =
            format!("SELECT COUNT(*) FROM applications WHERE description = '{}'", ack.description);
        assert_eq!(store.count_admin(&sql).await.unwrap(), 1, "{ack:?} stored exactly once");
    }
    let stored = store
        .count_admin("SELECT COUNT(*) FROM applications WHERE description LIKE '耐久性测试%'")
        .await
        .unwrap();
    // An intake committed just before the kill may not have been acknowledged; none may be missing.
    assert!(stored as usize >= acknowledged.len());
    assert!(stored as usize <= sent);
    match audit::verify(&store).await.unwrap() {
        Verification::Intact { .. } => {}
        broken => panic!("audit chain after the crash: {broken:?}"),
    }
    let http = http().cookie_store(true).build().unwrap();
    let page =
        http.get(format!("{}/track", server.base)).send().await.unwrap().text().await.unwrap();
    let token = between(&page, "name=\"csrf\" value=\"", "\"").unwrap().to_owned();
    for ack in acknowledged.iter().step_by(10) {
        let form =
            [("csrf", token.as_str()), ("tracking_number", &ack.number), ("code", &ack.code)];
        let status = http
            .post(format!("{}/track", server.base))
            .form(&form)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("办理进度") && status.contains(&ack.number),
            "{ack:?} is trackable"
        );
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_every_acknowledged_intake_through_sigkill() {
    let dir = std::env::temp_dir().join(format!("gk-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("gongkai.db").display());
    kill_mid_stream_and_recover(&db).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_every_acknowledged_intake_through_sigkill() {
    let admin_url = std::env::var("GONGKAI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let admin = Store::connect(&admin_url)
        .await
        .unwrap_or_else(|err| panic!("PostgreSQL at {admin_url} is required: {err}"));
    let name = format!("gk_durability_{}", std::process::id());
    admin.execute_admin(&format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
    admin.execute_admin(&format!("CREATE DATABASE {name}")).await.unwrap();
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap().to_owned();
    kill_mid_stream_and_recover(&format!("{base}/{name}")).await;
    admin.execute_admin(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    admin.close().await;
}
