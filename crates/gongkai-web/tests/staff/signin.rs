//! Signing in: lockout after failed attempts, sign-out, and a password change ending the other sessions.

use axum::http::{StatusCode, header};
use gongkai_store::users;

use crate::common::*;

#[tokio::test]
async fn sign_in_lockout_sign_out() {
    let desk = desk("signin").await;
    let mut anonymous = Client::new(&desk);
    let answer = anonymous.get("/staff/agencies/SFJ").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/staff/login?next=/staff/agencies/SFJ");

    // Wrong passwords: the same answer as for an unknown user; past the free ones, a growing wait — for
    // both alike, so the answer does not tell which usernames exist.
    for username in ["clerk1", "nobody"] {
        let mut client = Client::new(&desk);
        for attempt in 1..=users::FROM_ONE_PLACE.free {
            let answer = client
                .post("/staff/login", &[("username", username), ("password", "wrong-password")])
                .await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{username} attempt {attempt}");
            assert!(answer.text().contains("用户名或密码不正确"));
        }
        let slowed = client
            .post("/staff/login", &[("username", username), ("password", "wrong-password")])
            .await;
        assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS, "{username}");
        assert!(slowed.text().contains("尝试过多"), "{}", slowed.text());
        assert!(slowed.headers.contains_key(header::RETRY_AFTER));
        assert!(!client.cookies.contains_key("gk_staff"));
    }

    // Another user signs in, is sent where they were going, and signs out.
    let mut client = Client::new(&desk);
    let answer = client
        .post(
            "/staff/login",
            &[("username", "clerk2"), ("password", PASSWORD), ("next", "/staff/agencies/SFJ")],
        )
        .await;
    assert_eq!(answer.location(), "/staff/agencies/SFJ");
    let dashboard = client.get("/staff/agencies/SFJ").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.text().contains("温州市司法局"));
    assert_eq!(dashboard.headers[header::CACHE_CONTROL], "no-store");
    // An open redirect is not followed.
    let mut evil = Client::new(&desk);
    let answer = evil
        .post(
            "/staff/login",
            &[("username", "clerk2"), ("password", PASSWORD), ("next", "//evil.example/x")],
        )
        .await;
    assert_eq!(answer.location(), "/staff");
    let out = client.post("/staff/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(client.get("/staff/agencies/SFJ").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let desk = desk("password").await;
    let mut laptop = Client::sign_in(&desk, "clerk2").await;
    let mut phone = Client::sign_in(&desk, "clerk2").await;
    let mismatch = laptop
        .post(
            "/staff/password",
            &[("current", PASSWORD), ("new", "a new long password"), ("confirm", "another one!!")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text().contains("两次输入的新密码不一致"));
    let wrong = laptop
        .post(
            "/staff/password",
            &[
                ("current", "not the password"),
                ("new", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("当前密码不正确"));
    let changed = laptop
        .post(
            "/staff/password",
            &[
                ("current", PASSWORD),
                ("new", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert!(changed.text().contains("密码已修改"));
    assert_eq!(laptop.get("/staff/agencies/SFJ").await.status, StatusCode::OK);
    assert_eq!(phone.get("/staff/agencies/SFJ").await.status, StatusCode::SEE_OTHER);
}
