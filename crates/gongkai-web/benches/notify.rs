//! Notifications: what queuing a notice adds to a step (target ≤ 2 ms), and how fast the worker delivers
//! to a local SMTP server (target ≥ 200 mails/s).
//!
//! `cargo bench -p gongkai-web --bench notify`. SQLite in a temporary directory (synchronous = FULL, as
//! served); the SMTP server is an in-process sink on 127.0.0.1 that accepts every message, so the figure is
//! gongkai's side: claiming, composing MIME, the SMTP conversation over a pooled connection, recording.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use gongkai_core::clock::Event;
use gongkai_core::notices;
use gongkai_core::records::{AgencyKind, ApplicantType};
use gongkai_core::regime::{Channel as IntakeChannel, Intake};
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::applications::{self, NewApplication};
use gongkai_store::handling::{self, NewStep};
use gongkai_store::notifications::{Channels, Telling};
use gongkai_store::{Actor, Store};
use gongkai_web::notify::{Mailer, Outbox};
use time::macros::date;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const ACTOR: Actor<'static> = Actor::new("bench", "127.0.0.1");
/// Mails delivered per measured round.
const ROUND: u64 = 500;

/// A local SMTP server that accepts and drops every message.
async fn sink() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 sink\r\n").await.ok();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let reply: &[u8] =
                        match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                            "DATA" => {
                                write.write_all(b"354 go\r\n").await.ok();
                                loop {
                                    line.clear();
                                    if lines.read_line(&mut line).await.unwrap_or(0) == 0
                                        || line == ".\r\n"
                                    {
                                        break;
                                    }
                                }
                                b"250 queued\r\n"
                            }
                            "QUIT" => return,
                            _ => b"250 OK\r\n",
                        };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    addr
}

fn application() -> NewApplication<'static> {
    NewApplication {
        applicant: ApplicantType::Natural,
        name: "张三",
        id_type: "居民身份证",
        id_number: "11010519491231002X",
        phone: "0577-88000000",
        address: "温州市",
        email: "zhangsan@example.cn",
        description: "2025年度行政复议决定书目录",
        delivery_form: "电子邮件",
        intake: Intake::received_on(IntakeChannel::Online, date!(2026 - 11 - 20)),
    }
}

async fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(&format!("sqlite://{}", dir.join("gk.db").display())).await.unwrap();
    agencies::add(
        &store,
        &NewAgency {
            code: "SFJ",
            name: "温州市司法局",
            kind: AgencyKind::Department,
            region: "浙江省温州市",
            parent_code: None,
            index_pattern: "{code}/{year}-{serial:05}",
            office: "办公室",
            phone: "0577-88000000",
            address: "温州市",
            hours: "工作日",
        },
        &ACTOR,
    )
    .await
    .unwrap();
    store
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = runtime.block_on(store(dir.path()));
    let channels = Channels { email: true, sms: false };
    let supplement = Event::SupplementRequested {
        on: date!(2026 - 11 - 20),
        reply_by: Some(date!(2026 - 12 - 04)),
    };
    let step = NewStep {
        event: Some(supplement.clone()),
        details: serde_json::json!({ "items": "年份" }),
        outcome: None,
        regime: None,
        action: "supplement",
    };
    let notice = notices::of_step(
        "温州市司法局",
        "YSQ2026000001",
        Some(&supplement),
        Some(&gongkai_core::handling::LetterPlan::Supplement {
            items: "年份".into(),
            reply_by: date!(2026 - 12 - 04),
        }),
        None,
    )
    .unwrap();
    let telling = Telling { notice: &notice, channels };
    let mut group = c.benchmark_group("notify");
    for (name, with) in [("step_without_notice", None), ("step_with_notice", Some(&telling))] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    runtime
                        .block_on(applications::intake(&store, "SFJ", &application(), &ACTOR))
                        .unwrap()
                        .tracking_number
                },
                |tracking| {
                    runtime
                        .block_on(handling::record_with(
                            &store,
                            black_box(&tracking),
                            0,
                            &step,
                            handling::With { telling: with, ..handling::With::default() },
                            &ACTOR,
                        ))
                        .unwrap()
                },
                BatchSize::PerIteration,
            )
        });
    }
    // Delivery: each round queues ROUND receipts through the intake (not timed) and times the worker sending all of them.
    let addr = runtime.block_on(sink());
    // lettre's connection pool starts a task: the mailer is made inside the runtime, as `serve` makes it.
    let mailer = {
        let _inside = runtime.enter();
        Mailer::new(&format!("smtp://{addr}"), "gongkai@wenzhou.example.cn").unwrap()
    };
    let outbox = Outbox::new(store.clone(), Some(mailer), None);
    // The step benchmarks left pending notices; send them first.
    runtime.block_on(async { while outbox.deliver_due().await.unwrap() > 0 {} });
    group.throughput(Throughput::Elements(ROUND));
    group.sample_size(10);
    group.bench_function("deliver_to_local_smtp", |b| {
        b.iter_custom(|rounds| {
            let mut total = Duration::ZERO;
            for _ in 0..rounds {
                runtime.block_on(async {
                    let receipt =
                        applications::ReceiptNotice { due: None, provisional: false, channels };
                    for _ in 0..ROUND {
                        applications::intake_with_attachments(
                            &store,
                            "SFJ",
                            &application(),
                            &[],
                            "",
                            Some(receipt),
                            &ACTOR,
                        )
                        .await
                        .unwrap();
                    }
                });
                let started = Instant::now();
                let sent = runtime.block_on(async {
                    let mut sent = 0;
                    loop {
                        let count = outbox.deliver_due().await.unwrap();
                        if count == 0 {
                            break sent;
                        }
                        sent += count;
                    }
                });
                total += started.elapsed();
                assert_eq!(sent as u64, ROUND);
            }
            total
        })
    });
    group.finish();
    // The mailer's pool ends its connections with a task: dropped inside the runtime too.
    {
        let _inside = runtime.enter();
        drop(outbox);
    }
    runtime.block_on(store.close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
