//! Uploads, imports and exports with real files; an abandoned upload leaves nothing behind.

use crate::helpers::Backend;
use crate::helpers::Options;
use crate::helpers::PASSWORD;
use crate::helpers::eventually;
use crate::helpers::spawn_app;
use crate::helpers::spawn_app_with;
use app::domain::user::Role;
use serde_json::json;
use std::time::Duration;

async fn uploads_imports_and_exports_handle_real_files(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_account("admin", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("admin", PASSWORD).await.status, 200);
    // A Russian text file whose 4096th byte falls inside a letter.
    let mut text = "abc".to_string();
    while text.len() < 9_000 {
        text.push_str("ёлка ");
    }
    assert!(!text.is_char_boundary(4096));
    let r = app.upload("file", "заметки.txt", text.into_bytes()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // An import over 2 MB reaches the service: a 3 MB file is read, a 6 MB one is "too large".
    let row = "single,Вопрос с длинным текстом для объёма,Да|Нет,1,,\n";
    let big = |bytes: usize| {
        let mut csv = "kind,text,options,correct,explanation,tags\n".to_string();
        while csv.len() < bytes {
            csv.push_str(row);
        }
        csv
    };
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "csv", "data": big(3_000_000) }),
        )
        .await;
    assert_ne!(r.status, 500, "{:?}", r.body);
    assert_ne!(r.status, 413);
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "csv", "data": big(6_000_000) }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrImportTooLarge");
    // Exported options keep their pipes; formulas are neutralised.
    let r = app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "single",
        "text": "<p>Q</p>", "options": [{ "text": "=1+1", "correct": true }, { "text": "a|b" }] } })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.call("questions/export", &[("format", "csv")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let csv = r.body.as_str().unwrap();
    assert!(csv.contains("'=1+1|a\\|b"), "{csv}");
    // And they read back as they were.
    let r = app
        .call_json("questions/import", &json!({ "format": "csv", "data": csv }))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["imported"], 1, "{:?}", r.body);
}

/// `.part` files in `dir`.
fn parts_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".part"))
                .collect()
        })
        .unwrap_or_default()
}

async fn an_upload_the_client_abandons_leaves_no_part_file(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir()
        .join("attest-tests")
        .join(format!("uploads-{}-{stamp}", std::process::id()));
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("UPLOADS_DIR".into(), dir.display().to_string())],
            ..Options::default()
        },
    )
    .await;
    app.create_account("admin", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("admin", PASSWORD).await.status, 200);
    // A multipart body announced as 10 MB, of which 1 MB arrives before the client goes away.
    let boundary = "xyzzy";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nfile\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
    let request = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
        app.address,
        app.cookie_header(),
        10_000_000
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp.write_all(&vec![b'a'; 1_000_000]).await.unwrap();
    tcp.flush().await.unwrap();
    eventually(
        "the upload is being written",
        Duration::from_secs(10),
        || async { (!parts_in(&dir).is_empty()).then_some(()) },
    )
    .await;
    drop(tcp);
    eventually(
        "the abandoned upload is removed",
        Duration::from_secs(10),
        || async { parts_in(&dir).is_empty().then_some(()) },
    )
    .await;
    // A crashed process's leftover is swept; a fresh one is not.
    std::fs::write(dir.join("old.part"), b"x").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(dir.join("old.part"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    std::fs::write(dir.join("fresh.part"), b"x").unwrap();
    let removed =
        server::routes::uploads::sweep_parts(&dir, server::routes::uploads::STALE_PART).await;
    assert_eq!(removed, 1);
    assert_eq!(parts_in(&dir), vec!["fresh.part".to_owned()]);
    let _ = std::fs::remove_dir_all(&dir);
}

crate::both_backends!(
    uploads_imports_and_exports_handle_real_files,
    an_upload_the_client_abandons_leaves_no_part_file,
);
